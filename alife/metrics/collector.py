"""Reduce the state (plus the event totals since the last record) into one tidy metrics row.

All reductions are vectorised numpy over the alive mask; nothing loops over agents.
"""

from __future__ import annotations

import numpy as np

from alife.sim import Simulation

COLUMNS = (
    "tick", "population", "births", "deaths", "deaths_starved", "deaths_old_age",
    "mean_energy", "min_energy", "max_energy", "total_agent_energy", "total_food",
    "food_eaten", "metabolism", "mean_age", "mean_generation", "max_generation",
    "moves", "moves_blocked",
    "mean_surprise", "surprise_p10", "surprise_p50", "surprise_p90", "mean_progress",
    "mean_reward", "explored_fraction",
)


def collect(sim: Simulation, events: dict[str, float]) -> dict[str, float | int]:
    """One row of metrics: the state now and ``events`` (``sim.take_stats()``) since the last row."""
    agents = sim.state.agents
    alive = agents.alive
    energy = agents.energy[alive].astype(np.float64)
    n = int(energy.size)

    def reduce(values: np.ndarray, fn) -> float:
        return float(fn(values)) if n else 0.0

    starved = int(events["deaths_starved"])
    old = int(events["deaths_old_age"])
    return {
        "tick": sim.tick,
        "population": n,
        "births": int(events["births"]),
        "deaths": starved + old,
        "deaths_starved": starved,
        "deaths_old_age": old,
        "mean_energy": reduce(energy, np.mean),
        "min_energy": reduce(energy, np.min),
        "max_energy": reduce(energy, np.max),
        "total_agent_energy": float(energy.sum()),
        "total_food": float(sim.state.grid.food.sum(dtype=np.float64)),
        "food_eaten": events["food_eaten"],
        "metabolism": events["metabolism"],
        "mean_age": reduce(agents.age[alive], np.mean),
        "mean_generation": reduce(agents.generation[alive], np.mean),
        "max_generation": int(agents.generation[alive].max()) if n else 0,
        "moves": int(events["moves"]),
        "moves_blocked": int(events["moves_blocked"]),
        **learner_metrics(agents),
    }


def learner_metrics(agents) -> dict[str, float]:
    """Surprise, learning progress, reward and exploration of the agents that have learned at
    least once (newborns have no prediction to compare yet). NaN when there are none."""
    seen = agents.alive & (agents.visits.sum(axis=1) > 0)
    if not seen.any():
        nan = float("nan")
        return dict.fromkeys(("mean_surprise", "surprise_p10", "surprise_p50", "surprise_p90",
                              "mean_progress", "mean_reward", "explored_fraction"), nan)
    surprise = agents.surprise[seen].astype(np.float64)
    p10, p50, p90 = np.percentile(surprise, [10, 50, 90])
    return {
        "mean_surprise": float(surprise.mean()),
        "surprise_p10": float(p10),
        "surprise_p50": float(p50),
        "surprise_p90": float(p90),
        "mean_progress": float(agents.progress[seen].mean(dtype=np.float64)),
        "mean_reward": float(agents.reward[seen].mean(dtype=np.float64)),
        "explored_fraction": float(agents.explored[seen].mean()),
    }

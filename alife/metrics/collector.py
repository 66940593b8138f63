"""Reduce the state (plus the event totals since the last record) into one tidy metrics row.

All reductions are vectorised numpy over the alive mask; nothing loops over agents.
"""

from __future__ import annotations

import numpy as np

from alife.kernels.affect import DRIVE_NAMES
from alife.sim import Simulation
from alife.world.state import agent_rows

VARYING_DRIVES = tuple(d for d in DRIVE_NAMES if d != "constant")

BASE_COLUMNS = (
    "tick", "population", "births", "deaths", "deaths_starved", "deaths_old_age",
    "mean_energy", "min_energy", "max_energy", "total_agent_energy", "total_food",
    "food_eaten", "metabolism", "mean_age", "mean_generation", "max_generation",
    "moves", "moves_blocked",
    "mean_surprise", "surprise_p10", "surprise_p50", "surprise_p90", "mean_progress",
    "mean_reward", "explored_fraction", "memory_occupancy", "mean_write_weight",
)


def affect_columns(dims: int) -> tuple[str, ...]:
    """Per affect dimension k: mean, spread (std), and correlation with each varying drive."""
    cols = []
    for k in range(dims):
        cols += [f"affect{k}_mean", f"affect{k}_std"]
        cols += [f"affect{k}_corr_{drive}" for drive in VARYING_DRIVES]
    return tuple(cols)


def metric_columns(config) -> tuple[str, ...]:
    """The columns of metrics.csv for a config (affect columns depend on affect.dims;
    ``noise_occupancy``, the share of agents standing in noise patches, only with noise;
    ``hazard_occupancy`` and ``hazard_damage`` (energy lost on hazards) only with hazards;
    ``food_energy`` (energy the food eaten brought) and ``bad_food_eaten`` (food eaten that
    was worth less than nothing) only with several food kinds)."""
    noise = ("noise_occupancy",) if config.world.noise_cover > 0 else ()
    hazard = ("hazard_occupancy", "hazard_damage") if config.world.hazard_cover > 0 else ()
    kinds = ("food_energy", "bad_food_eaten") if config.food.kinds > 1 else ()
    return BASE_COLUMNS + affect_columns(config.affect.dims) + noise + hazard + kinds


def collect(sim: Simulation, events: dict[str, float]) -> dict[str, float | int]:
    """One row of metrics: the state now and ``events`` (``sim.take_stats()``) since the last
    row."""
    agents = sim.state.agents
    alive = agents.alive
    # agents that have learned at least once
    seen = alive & (agents.experience > 0)
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
        "total_food": float(sim.state.grid.food.sum(dtype=np.float64, where=~sim.state.grid.noise)),
        "food_eaten": events["food_eaten"],
        "metabolism": events["metabolism"],
        "mean_age": reduce(agents.age[alive], np.mean),
        "mean_generation": reduce(agents.generation[alive], np.mean),
        "max_generation": int(agents.generation[alive].max()) if n else 0,
        "moves": int(events["moves"]),
        "moves_blocked": int(events["moves_blocked"]),
        **learner_metrics(agents, seen),
        **affect_metrics(agents, seen),
        **({"noise_occupancy": reduce(sim.state.grid.noise[agents.y[alive], agents.x[alive]],
                                      np.mean)}
           if sim.config.world.noise_cover > 0 else {}),
        **({"hazard_occupancy": reduce(sim.state.grid.hazard[agents.y[alive], agents.x[alive]],
                                       np.mean),
            "hazard_damage": events["hazard_damage"]}
           if sim.config.world.hazard_cover > 0 else {}),
        **({"food_energy": events["food_energy"], "bad_food_eaten": events["bad_food_eaten"]}
           if sim.config.food.kinds > 1 else {}),
    }


def affect_metrics(agents, seen: np.ndarray) -> dict[str, float]:
    """Affect mean, spread and drive correlations per dimension, memory occupancy and weight,
    over the agents that have learned at least once, ``seen`` (NaN when there are none)."""
    dims = agents.affect.shape[1]
    out: dict[str, float] = dict.fromkeys(affect_columns(dims), float("nan"))
    out["memory_occupancy"] = out["mean_write_weight"] = float("nan")
    if not seen.any():
        return out
    affect = agent_rows(agents, "affect")[seen].astype(np.float64)
    varying = [DRIVE_NAMES.index(d) for d in VARYING_DRIVES]
    drives = agent_rows(agents, "drives")[seen][:, varying].astype(np.float64)
    mean, spread = affect.mean(axis=0), affect.std(axis=0)
    corr = _correlations(affect, drives)
    for k in range(dims):
        out[f"affect{k}_mean"] = float(mean[k])
        out[f"affect{k}_std"] = float(spread[k])
        for j, drive in enumerate(VARYING_DRIVES):
            out[f"affect{k}_corr_{drive}"] = float(corr[k, j])
    memory = agent_rows(agents, "mem_weight")[seen]
    out["memory_occupancy"] = float((memory > 0).mean()) if memory.size else 0.0
    out["mean_write_weight"] = float(agents.write_weight[seen].mean(dtype=np.float64))
    return out


def _correlations(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of every column of a (n, K) with every column of b (n, D): (K, D);
    NaN where a column does not vary."""
    da, db = a - a.mean(axis=0), b - b.mean(axis=0)
    sa, sb = np.sqrt((da * da).mean(axis=0)), np.sqrt((db * db).mean(axis=0))
    scale = np.outer(sa, sb)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, (da.T @ db) / len(a) / scale, np.nan)


def learner_metrics(agents, seen: np.ndarray) -> dict[str, float]:
    """Surprise, learning progress, reward and exploration of the agents that have learned at
    least once, ``seen`` (newborns have no prediction to compare yet). NaN when there are none."""
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

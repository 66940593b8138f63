"""Curiosity about situations: the pull of the unknown depends on where an agent is and what
it would do (learned error models), so raw surprise draws agents to unpredictable places and
learning progress, which unlearnable noise cannot give, does not. The noise patches show
their noise in a sense channel of their own and carry no food."""

import numpy as np

from alife import Simulation

NOISY_WORLD = ["world.width=48", "world.height=48", "agents.initial_count=100",
               "agents.founder_age_spread=0", "life.reproduce_threshold=1000",
               "food.regrowth_rate=0.03", "world.noise_cover=0.3", "world.noise_patch_size=8",
               "learner.init_noise=0"]


def _share_in_noise(curiosity: str, weight: float, seed: int) -> float:
    """Mean share of the living agents standing in noise cells, ticks 60 to 300."""
    sim = Simulation(overrides=NOISY_WORLD + [f"learner.curiosity={curiosity}",
                                              f"learner.curiosity_weight={weight}"], seed=seed)
    noise = sim.state.grid.noise
    shares = []
    for tick in range(30):
        sim.step(10)
        a = sim.state.agents
        if tick >= 5 and a.alive.any():
            shares.append(noise[a.y[a.alive], a.x[a.alive]].mean())
    return float(np.mean(shares))


def test_surprise_seekers_are_drawn_to_unpredictable_places_and_progress_seekers_not():
    seeds = range(4)
    indifferent = np.array([_share_in_noise("progress", 0.0, s) for s in seeds])
    surprise = np.array([_share_in_noise("surprise", 1.0, s) for s in seeds])
    progress = np.array([_share_in_noise("progress", 1.0, s) for s in seeds])
    assert (surprise > progress).all()  # on every matched world
    assert surprise.mean() >= 2 * indifferent.mean()  # noise carries no food: others avoid it
    assert progress.mean() <= indifferent.mean() + 0.02

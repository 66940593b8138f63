"""Noise patches: a sense channel of their own that shows a new random value every tick and
never carries food."""

import numpy as np
from conftest import force_action, place, tiny_config

from alife import Simulation
from alife.metrics.collector import collect, metric_columns

NOISY = dict(world={"noise_cover": 0.2, "obstacle_density": 0.0})


def test_noise_cells_flicker_within_capacity_and_grow_nothing():
    sim = Simulation(tiny_config(**NOISY), seed=2)
    g = sim.state.grid
    cells = g.noise_cells
    assert 0.15 < len(cells) / g.noise.size < 0.25
    assert np.all(g.food_capacity.ravel()[cells] == 0)
    before = g.signal.ravel()[cells].copy()
    sim.step(1)
    assert np.all(g.food.ravel()[cells] == 0)  # the noise channel never carries food
    assert np.all(g.signal[~g.noise] == 0)
    after = g.signal.ravel()[cells].copy()
    capacity = sim.config.food.capacity
    assert np.all((after >= 0) & (after <= capacity)) and after.std() > 0.2 * capacity
    assert np.mean(after != before) > 0.99  # a new value every tick
    assert np.corrcoef(before, after)[0, 1] < 0.3  # unpredictable from the last one


def test_an_agent_in_a_noise_cell_eats_nothing():
    sim = Simulation(tiny_config(agents={"initial_count": 1, "initial_energy": 50.0},
                                 energy={"basal_cost": 1.0, "move_cost": 0.0},
                                 life={"reproduce_threshold": 500.0},
                                 learner={"cost_per_update": 0.0}, **NOISY), seed=3)
    y, x = divmod(int(sim.state.grid.noise_cells[0]), sim.config.world.width)
    place(sim, 0, x, y)
    force_action(sim, 0, 0)  # stay
    sim.step(10)
    assert sim.state.agents.energy[0] == 40.0
    assert sim.take_stats()["food_eaten"] == 0


def test_noise_is_reproducible_and_absent_by_default():
    a, b = Simulation(tiny_config(**NOISY), seed=4), Simulation(tiny_config(**NOISY), seed=4)
    a.step(5)
    b.step(5)
    np.testing.assert_array_equal(a.state.grid.food, b.state.grid.food)
    np.testing.assert_array_equal(a.state.grid.signal, b.state.grid.signal)
    plain = Simulation(tiny_config(), seed=4)
    assert plain.state.grid.noise_cells.size == 0 and not plain.state.grid.noise.any()
    assert "noise_occupancy" not in metric_columns(plain.config)


def test_noise_occupancy_is_the_share_of_agents_standing_in_noise():
    sim = Simulation(tiny_config(**NOISY), seed=5)
    row = collect(sim, sim.take_stats())
    a, g = sim.state.agents, sim.state.grid
    alive = a.alive
    assert row["noise_occupancy"] == np.mean(g.noise[a.y[alive], a.x[alive]])
    assert "noise_occupancy" in metric_columns(sim.config)


def test_the_noise_channel_is_sensed_and_predicted_apart_from_food():
    from alife.learners.features import NOISE_FEATURES, SECTOR_FEATURES
    from alife.world.state import agent_rows

    sim = Simulation(tiny_config(agents={"initial_count": 1}, **NOISY), seed=3)
    y, x = divmod(int(sim.state.grid.noise_cells[0]), sim.config.world.width)
    place(sim, 0, x, y)
    force_action(sim, 0, 0)  # stay
    sim.step(1)
    shown = sim.state.grid.signal[y, x] * np.float32(1.0 / sim.config.food.capacity)
    sim.step(1)  # senses what the noise showed at the end of the last tick
    n_window = 25  # radius 2
    senses = agent_rows(sim.state.agents, "senses")[0]
    assert senses.size == 3 * n_window + 1
    assert senses[n_window // 2] == 0.0  # no food underfoot ...
    assert senses[2 * n_window + n_window // 2] == np.float32(shown) > 0  # ... but noise
    assert sim.feature_map.shape[0] == len(SECTOR_FEATURES) + len(NOISE_FEATURES)
    features = agent_rows(sim.state.agents, "features")[0]
    here = len(SECTOR_FEATURES) + NOISE_FEATURES.index("noise_here")
    assert features[SECTOR_FEATURES.index("food_here")] == 0.0
    assert features[here] == np.float32(shown)

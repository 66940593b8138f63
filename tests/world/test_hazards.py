"""Hazards: cells in a sense channel of their own that cost energy to stand on and drift east."""

import numpy as np
import pytest
from conftest import force_action, place, tiny_config

from alife import Simulation
from alife.config import ConfigError, load_config
from alife.learners.features import HAZARD_FEATURES, SECTOR_FEATURES
from alife.metrics.collector import collect, metric_columns
from alife.world.state import agent_rows

HAZARDS = dict(world={"hazard_cover": 0.2, "obstacle_density": 0.0, "hazard_drift_every": 0})


def _on_a_hazard(**world):
    sim = Simulation(tiny_config(world={**HAZARDS["world"], **world},
                                 agents={"initial_count": 1, "initial_energy": 50.0},
                                 energy={"basal_cost": 1.0, "move_cost": 0.0},
                                 food={"initial_fill": 0.0, "regrowth_rate": 0.0},
                                 life={"reproduce_threshold": 500.0},
                                 learner={"cost_per_update": 0.0}), seed=3)
    y, x = np.argwhere(sim.state.grid.hazard)[0]
    place(sim, 0, int(x), int(y))
    force_action(sim, 0, 0)  # stay
    return sim, int(x), int(y)


def test_a_hazard_costs_its_energy_every_tick_and_is_counted():
    sim, _, _ = _on_a_hazard(hazard_cost=3.0)
    sim.step(5)
    assert sim.state.agents.energy[0] == pytest.approx(50.0 - 5 * (1.0 + 3.0))
    stats = sim.take_stats()
    assert stats["hazard_damage"] == pytest.approx(15.0)
    assert stats["metabolism"] == pytest.approx(5.0)


def test_hazards_drift_one_cell_east_exactly_on_schedule():
    sim = Simulation(tiny_config(world={**HAZARDS["world"], "hazard_drift_every": 4}), seed=2)
    start = sim.state.grid.hazard.copy()
    sim.step(3)
    np.testing.assert_array_equal(sim.state.grid.hazard, start)
    sim.step(1)  # tick 4
    np.testing.assert_array_equal(sim.state.grid.hazard, np.roll(start, 1, axis=1))
    sim.step(4)  # tick 8
    np.testing.assert_array_equal(sim.state.grid.hazard, np.roll(start, 2, axis=1))


def test_hazards_are_sensed_and_predicted_in_their_own_channel():
    sim, x, y = _on_a_hazard()
    sim.step(2)
    n_window = 25  # radius 2
    senses = agent_rows(sim.state.agents, "senses")[0]
    assert senses.size == 3 * n_window + 1
    assert senses[2 * n_window + n_window // 2] == 1.0  # the hazard underfoot
    names = SECTOR_FEATURES + HAZARD_FEATURES
    assert sim.feature_map.shape[0] == len(names)
    features = agent_rows(sim.state.agents, "features")[0]
    assert features[names.index("hazard_here")] == 1.0
    assert features[names.index("food_here")] == 0.0


def test_hazards_are_reproducible_counted_in_metrics_and_absent_by_default():
    a = Simulation(tiny_config(**HAZARDS), seed=4)
    b = Simulation(tiny_config(**HAZARDS), seed=4)
    np.testing.assert_array_equal(a.state.grid.hazard, b.state.grid.hazard)
    assert 0.15 < a.state.grid.hazard.mean() < 0.25
    assert not (a.state.grid.hazard & a.state.grid.obstacle).any()
    a.step(5)
    row = collect(a, a.take_stats())
    alive = a.state.agents.alive
    assert row["hazard_occupancy"] == np.mean(a.state.grid.hazard[a.state.agents.y[alive],
                                                                   a.state.agents.x[alive]])
    assert row["hazard_damage"] >= 0
    plain = Simulation(tiny_config(), seed=4)
    assert not plain.state.grid.hazard.any()
    assert "hazard_occupancy" not in metric_columns(plain.config)
    # hazards are drawn after the terrain and food: the same seed, the same food layout
    same_walls = Simulation(tiny_config(world={"obstacle_density": 0.0}), seed=4)
    np.testing.assert_array_equal(
        same_walls.state.grid.food_capacity,
        Simulation(tiny_config(**HAZARDS), seed=4).state.grid.food_capacity)


@pytest.mark.parametrize("field, value", [("hazard_cover", 1.0), ("hazard_cost", -1.0),
                                          ("hazard_drift_every", -2),
                                          ("hazard_patch_size", 0.0)])
def test_invalid_hazard_settings_are_refused_naming_the_field(field, value):
    with pytest.raises(ConfigError, match=f"world.{field}"):
        load_config(None, [f"world.{field}={value}"])

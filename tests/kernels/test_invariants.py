"""Invariants that must hold after every tick of a busy world (many births and deaths)."""

import numpy as np
import pytest
from conftest import check_world, tiny_config

from alife import Simulation


def _busy_world(**sections):
    # small, crowded, short-lived: reproduction, starvation and old age all happen often
    food = {"regrowth_rate": 0.05, "season_amplitude": 0.8, "season_period": 100.0,
            **sections.pop("food", {})}
    return Simulation(tiny_config(
        agents={"initial_count": 150},
        life={"max_age": 60, "reproduce_threshold": 50.0},
        food=food,
        **sections,
    ), seed=11)


def test_invariants_hold_every_tick_of_a_busy_world():
    sim = _busy_world()
    births = deaths = 0
    for _ in range(150):
        sim.step(2)
        check_world(sim)
        stats = sim.take_stats()
        births += stats["births"]
        deaths += stats["deaths_starved"] + stats["deaths_old_age"]
    assert births > 100 and deaths > 100  # the invariants were tested under real turnover
    assert not sim.extinct


WORLDS = {"plain": {}, "hazards": {"world": {"hazard_cover": 0.2, "hazard_drift_every": 7}},
          "poison, volatile": {"food": {"kinds": 2, "kind_values": [1.0, -0.5], "deal": "volatile",
                                        "stable_ticks": 20, "volatile_ticks": 30}},
          "delayed poison": {"food": {"kinds": 2, "kind_values": [1.0, -0.5], "delayed_kind": 1,
                                      "delay": 6}}}


@pytest.mark.parametrize("world", WORLDS)
def test_energy_bookkeeping_balances(world):
    """Δ(total agent energy) = energy from food − metabolism − hazard damage − energy carried
    away by the dead."""
    sim = _busy_world(**WORLDS[world])
    hazards = world == "hazards"
    sim.take_stats()
    for _ in range(60):
        before = sim.state.agents.energy[sim.state.agents.alive].astype(np.float64).sum()
        sim.step(5)
        after = sim.state.agents.energy[sim.state.agents.alive].astype(np.float64).sum()
        s = sim.take_stats()
        expected = s["food_energy"] - s["metabolism"] - s["hazard_damage"] - s["death_energy"]
        assert hazards or s["hazard_damage"] == 0
        assert (abs((after - before) - expected)
                <= 1e-4 * max(1.0, s["food_eaten"] + s["metabolism"]))


def test_food_eaten_leaves_the_grid():
    """Food is conserved: grid loss = eaten − regrown, so with regrowth off it is exactly eaten."""
    sim = Simulation(tiny_config(food={"regrowth_rate": 0.0}), seed=2)
    before = sim.state.grid.food.astype(np.float64).sum()
    sim.step(20)
    after = sim.state.grid.food.astype(np.float64).sum()
    eaten = sim.take_stats()["food_eaten"]
    assert eaten > 0
    assert abs((before - after) - eaten) < 1e-3 * eaten

"""Food kinds: each in patches and a sense channel of its own, worth what the deal says
(negative: poison), dealt fixed, per generation, per region or on a volatile schedule."""

import numpy as np
import pytest
from conftest import force_action, place, tiny_config

from alife import Simulation
from alife.config import ConfigError, load_config
from alife.learners.features import SECTOR_FEATURES, feature_names, kind_features
from alife.metrics.collector import metric_columns
from alife.world.state import agent_rows

TWO = {"kinds": 2, "kind_values": [1.0, -1.0]}


def _world(food=None, **sections):
    return Simulation(tiny_config(food={**TWO, **(food or {})}, **sections), seed=3)


def _alone(**food):
    """One agent with 50 energy that pays 1 a tick and eats 2 a tick, in a world of two
    kinds (+1, -1) that regrows nothing."""
    return Simulation(tiny_config(food={**TWO, "regrowth_rate": 0.0, "initial_fill": 1.0, **food},
                                  world={"obstacle_density": 0.0},
                                  agents={"initial_count": 1, "initial_energy": 50.0},
                                  energy={"basal_cost": 1.0, "move_cost": 0.0, "eat_rate": 2.0},
                                  life={"reproduce_threshold": 500.0},
                                  learner={"cost_per_update": 0.0}), seed=3)


def test_poison_lowers_energy_by_its_value_and_is_counted():
    sim = _alone()
    g = sim.state.grid
    y, x = np.argwhere((g.kind == 1) & (g.food >= 6.0))[0]
    place(sim, 0, int(x), int(y))
    force_action(sim, 0, 0)  # stay and eat
    sim.step(3)
    assert sim.state.agents.energy[0] == pytest.approx(50.0 - 3 * 2.0 - 3 * 1.0)
    stats = sim.take_stats()
    assert stats["food_eaten"] == pytest.approx(6.0)
    assert stats["food_energy"] == pytest.approx(-6.0)
    assert stats["bad_food_eaten"] == pytest.approx(6.0)


def test_each_kind_is_sensed_and_predicted_in_its_own_channel():
    sim = _world(food={"patch_size": 3.0})
    g, a = sim.state.grid, sim.state.agents
    slots = np.flatnonzero(a.alive)
    xs, ys = a.x[slots].copy(), a.y[slots].copy()
    seen = g.food[ys, xs] * np.float32(1.0 / sim.config.food.capacity)  # at the tick's start
    own = g.kind[ys, xs].astype(np.int64)
    assert 0 < own.mean() < 1  # agents on both kinds
    sim.step(1)
    senses = agent_rows(a, "senses")[slots]
    n_window, here = 25, 12
    rows = np.arange(slots.size)
    np.testing.assert_array_equal(senses[rows, own * n_window + here], seen)
    np.testing.assert_array_equal(senses[rows, (1 - own) * n_window + here], 0.0)
    names = feature_names(sim.config)
    assert names == SECTOR_FEATURES + kind_features(1)
    assert sim.feature_map.shape[0] == len(names)


def test_per_generation_deals_come_exactly_on_schedule():
    sim = _world(food={"kinds": 3, "kind_values": [1.0, 0.5, -1.0], "deal": "per_generation",
                       "deal_every": 5})
    deals = []
    for tick in range(1, 61):
        sim.step(1)
        assert sim.state.grid.deal_clock[1] == tick // 5  # one deal every 5 ticks, no other
        deals.append(tuple(sim.state.grid.deal))
        assert sorted(deals[-1]) == [0, 1, 2]  # a permutation of the value slots
    assert len(set(deals)) >= 4  # dealt anew, not the same each time


def test_volatile_deals_shift_only_in_volatile_epochs_within_the_flip_range():
    food = {"deal": "volatile", "stable_ticks": 20, "volatile_ticks": 60, "flip_min": 5,
            "flip_max": 9, "kind_values": [1.0, 0.5]}  # no poison: the world lives on
    sim = _world(food=food, life={"max_age": 0})
    shifts = []
    last = tuple(sim.state.grid.deal)
    for tick in range(1, 241):
        sim.step(1)
        now = tuple(sim.state.grid.deal)
        if now != last:
            shifts.append(tick)
            assert tick % 80 >= 20  # never in a stable epoch
        last = now
    gaps = [b - a for a, b in zip(shifts, shifts[1:]) if b // 80 == a // 80]
    assert sim.tick == 240
    assert len(shifts) >= 15
    assert min(gaps) >= 5 and max(gaps) <= 9


def test_a_volatile_world_starts_from_a_random_deal():
    food = {"deal": "volatile", "kinds": 3, "kind_values": [1.0, 0.5, -1.0]}
    first = {tuple(Simulation(tiny_config(food={**TWO, **food}), seed=s).state.grid.deal)
             for s in range(12)}
    assert len(first) >= 3 and all(sorted(d) == [0, 1, 2] for d in first)


def test_per_region_deals_give_one_kind_two_values():
    from alife.kernels.life import food_worth

    sim = _world(food={"deal": "per_region"})
    g = sim.state.grid
    worth = (g.kind, g.region, g.deal, g.kind_value)
    assert 0.3 < g.region.mean() < 0.7
    values = {(int(g.kind[y, x]), bool(g.region[y, x])): food_worth(x, y, worth)
              for y in range(g.kind.shape[0]) for x in range(g.kind.shape[1])}
    assert values[(0, False)] == 1.0 and values[(0, True)] == -1.0
    assert values[(1, False)] == -1.0 and values[(1, True)] == 1.0


def test_kinds_are_reproducible_patchy_and_absent_by_default():
    a, b = _world(), _world()
    np.testing.assert_array_equal(a.state.grid.kind, b.state.grid.kind)
    assert 0.35 < (a.state.grid.kind == 1).mean() < 0.65
    assert "bad_food_eaten" in metric_columns(a.config)
    plain = Simulation(tiny_config(), seed=3)
    assert not plain.state.grid.kind.any() and plain.state.grid.deal.tolist() == [0]
    assert "bad_food_eaten" not in metric_columns(plain.config)


@pytest.mark.parametrize("overrides, field", [
    (["food.kinds=2"], "kind_values"),
    (["food.kinds=5", "food.kind_values=[1, 1, 1, 1, 1]"], "food.kinds"),
    (["food.flip_min=10", "food.flip_max=5"], "flip_min"),
    (["food.deal=weekly"], "food.deal"),
    (["food.deal_every=0"], "food.deal_every"),
])
def test_invalid_kind_settings_are_refused_naming_the_field(overrides, field):
    with pytest.raises(ConfigError, match=field):
        load_config(None, overrides)


def test_a_delayed_kind_brings_its_worth_exactly_delay_ticks_later():
    sim = _alone(delayed_kind=1, delay=7)
    g = sim.state.grid
    y, x = np.argwhere(g.kind == 1)[0]
    g.food[y, x] = 2.0  # one bite of poison (worth -1), nothing more: no regrowth
    place(sim, 0, int(x), int(y))
    force_action(sim, 0, 0)  # stay
    energy = [float(sim.state.agents.energy[0])]
    for _ in range(10):
        sim.step(1)
        energy.append(float(sim.state.agents.energy[0]))
    drops = -np.diff(energy)  # basal 1 a tick, plus the poison when it arrives
    np.testing.assert_allclose(drops[:7], 1.0)  # eaten in the first tick: nothing yet
    assert drops[7] == pytest.approx(1.0 + 2.0)  # the 8th tick: its harm, 7 ticks late
    np.testing.assert_allclose(drops[8:], 1.0)


def test_energy_on_its_way_is_not_inherited_and_counts_when_it_arrives():
    sim = Simulation(tiny_config(food={**TWO, "delayed_kind": 1, "delay": 5,
                                       "kind_values": [1.0, -0.5]},
                                 life={"reproduce_threshold": 50.0}), seed=2)
    before = sim.state.agents.energy[sim.state.agents.alive].astype(np.float64).sum()
    sim.step(40)
    after = sim.state.agents.energy[sim.state.agents.alive].astype(np.float64).sum()
    s = sim.take_stats()
    assert s["births"] > 0 and s["bad_food_eaten"] > 0
    expected = s["food_energy"] - s["metabolism"] - s["death_energy"]
    assert (after - before) == pytest.approx(expected, rel=1e-4, abs=1e-2)
    a = sim.state.agents
    newborn = a.alive & (a.age == 0)
    assert not a.pending[newborn].any()

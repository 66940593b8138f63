"""The world at tick 0 and food regrowth with seasons."""

import math

import numpy as np
import pytest
from conftest import tiny_config

from alife import Simulation
from alife.kernels.food import season_factor


def test_founders_placed_on_free_cells_with_their_settings():
    sim = Simulation(tiny_config(agents={"initial_count": 77, "initial_energy": 33.0}), seed=1)
    a, g = sim.state.agents, sim.state.grid
    alive = np.flatnonzero(a.alive)
    assert alive.size == 77 == sim.n_alive
    assert not g.obstacle[a.y[alive], a.x[alive]].any()
    assert (a.energy[alive] == 33.0).all() and (a.generation[alive] == 0).all()
    assert (a.parent_id[alive] == -1).all()
    np.testing.assert_array_equal(np.sort(a.id[alive]), np.arange(77))
    assert np.unique(a.rng[alive, 0]).size == 77 and np.unique(a.rng[alive, 1]).size == 77


def test_founder_ages_are_spread_so_they_do_not_die_together():
    sim = Simulation(tiny_config(agents={"initial_count": 200, "founder_age_spread": 0.5},
                                 life={"max_age": 100}), seed=1)
    ages = sim.state.agents.age[sim.state.agents.alive]
    assert ages.min() >= 0 and ages.max() < 50 and np.unique(ages).size > 30
    newborn = Simulation(tiny_config(agents={"founder_age_spread": 0.0}), seed=1)
    assert (newborn.state.agents.age == 0).all()


def test_storage_starts_just_big_enough_under_a_population_cap():
    capped = Simulation(tiny_config(agents={"initial_count": 100, "max_population": 100}), seed=1)
    assert capped.state.capacity == 104  # whole blocks of 8 slots (alife.world.state)
    free = Simulation(tiny_config(agents={"initial_count": 100}), seed=1)
    assert free.state.capacity == 200


def test_food_layout_follows_the_config():
    sim = Simulation(tiny_config(world={"width": 64, "height": 64, "obstacle_density": 0.1},
                                 food={"capacity": 8.0, "patch_cover": 0.3, "background": 0.25,
                                       "initial_fill": 0.5}), seed=4)
    g = sim.state.grid
    open_cells = ~g.obstacle
    rich = g.food_capacity == 8.0
    assert abs(rich[open_cells].mean() - 0.3) < 0.05
    assert np.all(g.food_capacity[open_cells & ~rich] == 2.0)
    assert np.all(g.food_capacity[g.obstacle] == 0.0)
    assert abs(g.obstacle.mean() - 0.1) < 0.03
    np.testing.assert_allclose(g.food, 0.5 * g.food_capacity)


def test_patches_are_patchy():
    """Rich cells cluster: a rich cell's neighbours are far more often rich than chance."""
    sim = Simulation(tiny_config(world={"width": 64, "height": 64, "obstacle_density": 0.0},
                                 food={"patch_size": 4.0, "patch_cover": 0.3}), seed=4)
    rich = sim.state.grid.food_capacity == sim.config.food.capacity
    same = (rich & np.roll(rich, 1, axis=1)).sum() / rich.sum()
    assert same > 0.7  # chance would be 0.3


def test_season_factor_is_a_travelling_wave():
    assert season_factor(0, 0, 100, 0.0, 50.0, 1.0) == 1.0
    assert season_factor(0, 0, 100, 0.5, 100.0, 1.0) == pytest.approx(1.0)
    assert season_factor(0, 25, 100, 0.5, 100.0, 1.0) == pytest.approx(1.5)
    assert season_factor(25, 0, 100, 0.5, 100.0, 1.0) == pytest.approx(1.5)  # shifted in space
    assert season_factor(0, 75, 100, 2.0, 100.0, 1.0) == 0.0  # never negative


def test_regrowth_follows_the_season_per_column():
    cfg = tiny_config(world={"obstacle_density": 0.0}, agents={"initial_count": 1},
                      food={"patch_size": 0.0, "initial_fill": 0.0, "regrowth_rate": 0.1,
                            "season_amplitude": 0.5, "season_period": 40.0, "season_waves": 1.0},
                      energy={"eat_rate": 1e-6})
    sim = Simulation(cfg, seed=0)
    sim.step(1)
    food = sim.state.grid.food.astype(np.float64)
    expected = np.array([0.1 * 10.0 * max(0.0, 1 + 0.5 * math.sin(2 * math.pi * x / 24))
                         for x in range(24)])
    a = sim.state.agents
    mask = np.ones_like(food, bool)
    mask[a.y[0], a.x[0]] = False  # the single agent nibbled its own cell
    np.testing.assert_allclose(food[mask], np.broadcast_to(expected, food.shape)[mask], rtol=1e-5)


def test_clones_share_one_genome_and_differ_only_in_where_they_start():
    from alife.world.state import agent_rows

    plain = Simulation(tiny_config(), seed=4)
    clones = Simulation(tiny_config(agents={"clones": True}), seed=4)
    a, c = plain.state.agents, clones.state.agents
    alive = c.alive
    assert np.all(c.genome[alive] == c.genome[alive][0])  # one genome, also its affect genes
    assert len({g.tobytes() for g in a.genome[a.alive]}) == a.alive.sum()  # (random by default)
    assert np.array_equal(c.genome[alive][0], a.genome[a.alive][0])  # founder 0's
    traits = agent_rows(c, "traits")[alive]
    assert np.all(traits == traits[0])
    assert len({(x, y) for x, y in zip(c.x[alive], c.y[alive])}) == alive.sum()

"""Eating, metabolism, death and in-world reproduction."""

import numpy as np
import pytest
from conftest import force_action, place, tiny_config

from alife import Simulation
from alife.kernels.life import DEATH_OLD_AGE, DEATH_STARVED

STAY = 0


def _lonely(start_energy, **sections):
    """One agent that stays put in a world with no food and no obstacles."""
    cfg = dict(
        world={"obstacle_density": 0.0},
        agents={"initial_count": 1, "initial_energy": start_energy},
        food={"initial_fill": 0.0, "regrowth_rate": 0.0},
        energy={"basal_cost": 1.0, "move_cost": 0.0},
        life={"reproduce_threshold": 80.0, "child_energy_fraction": 0.25, "mutation_sigma": 0.1},
        learner={"cost_per_update": 0.0},  # metabolism is basal_cost alone
    )
    for k, v in sections.items():
        cfg[k] = {**cfg.get(k, {}), **v}
    sim = Simulation(tiny_config(**cfg), seed=1)
    place(sim, 0, 10, 10)
    force_action(sim, 0, STAY)
    return sim


def test_child_energy_is_taken_from_the_parent():
    sim = _lonely(100.0)
    sim.step(1)
    a = sim.state.agents
    assert sim.n_alive == 2
    child = int(np.flatnonzero(a.alive & (a.parent_id == 0))[0])
    after_metabolism = 99.0
    assert a.energy[child] == pytest.approx(0.25 * after_metabolism)
    assert a.energy[0] + a.energy[child] == pytest.approx(after_metabolism)
    # the child sits in a free cell next to its parent, one generation down, with a new id
    assert max(abs(int(a.x[child]) - 10), abs(int(a.y[child]) - 10)) == 1
    assert a.generation[child] == 1 and a.id[child] == 1 and a.age[child] == 0
    assert sim.state.grid.occupancy[a.y[child], a.x[child]] == child


def test_child_genome_is_a_mutated_clipped_copy():
    sim = _lonely(100.0)
    parent = sim.state.agents.genome[0].copy()
    sim.step(1)
    a = sim.state.agents
    child = int(np.flatnonzero(a.alive & (a.parent_id == 0))[0])
    diff = a.genome[child] - parent
    inner = (parent > sim.gene_lo) & (parent < sim.gene_hi)  # force_action put some at bounds
    assert inner.sum() > 200
    assert np.all(diff[inner] != 0)  # every gene mutated
    assert 0.07 < diff[inner].std() < 0.13  # mutation_sigma = 0.1
    assert np.all(a.genome[child] >= sim.gene_lo) and np.all(a.genome[child] <= sim.gene_hi)
    assert not np.array_equal(a.rng[child], a.rng[0])


def test_no_birth_without_a_free_neighbouring_cell():
    sim = _lonely(100.0)
    sim.state.grid.obstacle[9:12, 9:12] = True
    sim.state.grid.obstacle[10, 10] = False
    sim.step(1)
    assert sim.n_alive == 1 and sim.take_stats()["births"] == 0


def test_population_cap_is_a_rule_not_an_error():
    sim = Simulation(tiny_config(agents={"initial_count": 30, "max_population": 45},
                                 life={"reproduce_threshold": 45.0}), seed=5)
    births = 0
    for _ in range(60):
        sim.step(5)
        assert sim.n_alive <= 45
        births += sim.take_stats()["births"]
    assert births > 15  # the cap was reached, births went on as room freed up


def test_starvation_and_old_age():
    sim = _lonely(3.5)
    sim.step(3)
    assert sim.n_alive == 1
    sim.step(1)
    assert sim.extinct and sim.state.agents.death_cause[0] == DEATH_STARVED
    assert sim.take_stats()["death_energy"] == pytest.approx(-0.5)

    old = _lonely(50.0, life={"max_age": 7})
    old.state.agents.age[0] = 0
    done = old.step(20)
    assert done == 7 and old.extinct
    assert old.state.agents.death_cause[0] == DEATH_OLD_AGE


def test_ages_never_pass_max_age():
    sim = Simulation(tiny_config(life={"max_age": 25}), seed=8)
    for _ in range(20):
        sim.step(5)
        assert sim.state.agents.age[sim.state.agents.alive].max(initial=0) < 25


def test_eating_respects_eat_rate_and_max_energy():
    sim = _lonely(10.0, food={"initial_fill": 1.0}, energy={"eat_rate": 3.0, "max_energy": 14.0},
                  life={"reproduce_threshold": 100.0})
    sim.state.grid.food_capacity[10, 10] = sim.state.grid.food[10, 10] = cell_food = 8.0
    sim.step(1)
    assert sim.state.agents.energy[0] == pytest.approx(10.0 + 3.0 - 1.0)
    sim.step(1)  # room for 2 only: 14 - 12
    assert sim.state.agents.energy[0] == pytest.approx(14.0 - 1.0)
    assert sim.state.grid.food[10, 10] == pytest.approx(cell_food - 3.0 - 2.0)


def test_extinction_stops_stepping():
    sim = Simulation(tiny_config(energy={"basal_cost": 30.0}), seed=0)
    done = sim.step(100)
    assert sim.extinct and done < 100
    assert sim.step(10) == 0


def test_every_child_gets_three_streams_of_its_own():
    sim = Simulation(tiny_config(life={"reproduce_threshold": 45.0}), seed=4)
    sim.step(150)
    a = sim.state.agents
    alive = a.alive
    children = alive & (a.birth_tick > 0)
    assert children.sum() >= 5
    streams = a.rng[alive].ravel()  # every stream of every living agent, children included
    assert np.unique(streams).size == streams.size


def test_a_birth_shows_in_neither_the_parents_reward_nor_its_drives():
    from alife.kernels.affect import DRIVE_NAMES
    from alife.world.state import State, agent_rows

    sim = _lonely(60.0)  # below the threshold: no birth yet
    sim.state.agents.forced_action[0] = -1  # it chooses
    sim.step(3)  # some history first
    sim.state.agents.energy[0] = 100.0  # a birth is due in the next tick
    copy = State(grid=type(sim.state.grid)(*[g.copy() for g in sim.state.grid]),
                 agents=type(sim.state.agents)(*[x.copy() for x in sim.state.agents]),
                 counters=sim.state.counters.copy())
    without = Simulation(sim.config, state=copy, births=False)
    for world in (sim, without):
        world.step(2)  # the birth, then the tick that learns from it
    assert sim.n_alive == 2 and without.n_alive == 1
    assert sim.state.agents.energy[0] < 0.8 * without.state.agents.energy[0]
    reward = (sim.state.agents.reward[0], without.state.agents.reward[0])
    assert reward[0] == pytest.approx(reward[1], rel=1e-5, abs=1e-6)
    drives = (agent_rows(sim.state.agents, "drives")[0],
              agent_rows(without.state.agents, "drives")[0])
    for name in ("energy_gain", "reward_change"):
        d = DRIVE_NAMES.index(name)
        assert drives[0][d] == pytest.approx(drives[1][d], rel=1e-5, abs=1e-6), name

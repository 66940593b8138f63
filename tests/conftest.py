"""Shared helpers: tiny worlds that compile once and run in milliseconds."""

import csv

import numpy as np
import pytest

from alife import Simulation, load_config

TINY = {
    "world": {"width": 24, "height": 20, "obstacle_density": 0.05},
    "agents": {"initial_count": 60},
    "run": {"threads": 0},
}


def tiny_config(**sections):
    """The tiny world with some fields replaced: tiny_config(life={"max_age": 50})."""
    data = {k: dict(v) for k, v in TINY.items()}
    for section, fields in sections.items():
        if isinstance(fields, dict):
            data.setdefault(section, {}).update(fields)
        else:
            data[section] = fields
    return load_config(data)


def place(sim: Simulation, slot: int, x: int, y: int) -> None:
    """Move the agent in ``slot`` to (x, y), keeping the occupancy grid consistent."""
    a, g = sim.state.agents, sim.state.grid
    assert g.occupancy[y, x] < 0 and not g.obstacle[y, x]
    g.occupancy[a.y[slot], a.x[slot]] = -1
    a.x[slot], a.y[slot] = x, y
    g.occupancy[y, x] = slot


def force_action(sim: Simulation, slot: int, action: int) -> None:
    """Make the agent in ``slot`` always choose ``action`` (a scripted agent)."""
    sim.state.agents.forced_action[slot] = action


def state_arrays(sim: Simulation) -> dict:
    """Every array of the state, for exact comparisons."""
    out = {f"grid.{k}": v for k, v in sim.state.grid._asdict().items()}
    out.update({f"agents.{k}": v for k, v in sim.state.agents._asdict().items()})
    out["counters"] = sim.state.counters
    return out


def assert_same_state(a: Simulation, b: Simulation) -> None:
    sa, sb = state_arrays(a), state_arrays(b)
    assert sa.keys() == sb.keys()
    for key in sa:
        np.testing.assert_array_equal(sa[key], sb[key], err_msg=key)


def check_world(sim: Simulation) -> None:
    """Assert the invariants of a world state (positions, occupancy, food, ids)."""
    a, g = sim.state.agents, sim.state.grid
    alive = np.flatnonzero(a.alive)
    assert sim.n_alive == alive.size
    # one agent per cell, and the occupancy grid agrees with the positions
    cells = a.y[alive].astype(np.int64) * g.food.shape[1] + a.x[alive]
    assert np.unique(cells).size == alive.size
    np.testing.assert_array_equal(g.occupancy[a.y[alive], a.x[alive]], alive)
    assert (g.occupancy >= 0).sum() == alive.size
    assert not g.obstacle[a.y[alive], a.x[alive]].any()
    # food within [0, capacity]; nothing on obstacles
    assert (g.food >= 0).all() and (g.food <= g.food_capacity).all()
    assert (g.food[g.obstacle] == 0).all()
    # living agents have positive energy and unique ids from the id counter
    assert (a.energy[alive] > 0).all()
    ids = a.id[alive]
    assert np.unique(ids).size == ids.size and ids.max(initial=-1) < sim.state.counters[1]
    assert (a.parent_id[alive] < ids).all()  # a parent is always older than its child


@pytest.fixture
def tiny():
    return tiny_config()


def read_csv(path) -> list[dict[str, str]]:
    """The rows of a CSV file with a header, as dicts of strings."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))

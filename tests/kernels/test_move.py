"""Movement: torus wrap, walls, obstacles, and fair deterministic collision resolution."""

import numba
import numpy as np
import pytest
from conftest import force_action, place, tiny_config

from alife import Simulation
from alife.kernels.move import PARALLEL_FROM, move_and_eat
from alife.kernels.sense import ACTION_DX, ACTION_DY
from alife.world.state import agent_rows

STAY, NORTH, EAST, SOUTH, WEST = range(5)


def _two_agents(edges="torus", seed=0):
    """A 24x20 world without obstacles or food, holding exactly two agents in slots 0 and 1."""
    sim = Simulation(tiny_config(
        world={"edges": edges, "obstacle_density": 0.0},
        agents={"initial_count": 2, "initial_energy": 50.0},
        food={"initial_fill": 0.0, "regrowth_rate": 0.0},
        energy={"basal_cost": 0.0, "move_cost": 0.0},
    ), seed=seed)
    return sim


def test_torus_wraps_both_axes():
    sim = _two_agents("torus")
    place(sim, 0, 0, 5)
    place(sim, 1, 7, 0)
    force_action(sim, 0, WEST)
    force_action(sim, 1, NORTH)
    sim.step(1)
    a = sim.state.agents
    assert (a.x[0], a.y[0]) == (23, 5)
    assert (a.x[1], a.y[1]) == (7, 19)
    assert sim.state.grid.occupancy[5, 23] == 0 and sim.state.grid.occupancy[19, 7] == 1


def test_walls_block_and_count_as_blocked():
    sim = _two_agents("walls")
    place(sim, 0, 0, 5)
    place(sim, 1, 23, 19)
    force_action(sim, 0, WEST)
    force_action(sim, 1, SOUTH)
    sim.step(3)
    a = sim.state.agents
    assert (a.x[0], a.y[0]) == (0, 5)
    assert (a.x[1], a.y[1]) == (23, 19)
    stats = sim.take_stats()
    assert stats["moves"] == 0 and stats["moves_blocked"] == 6


def test_walls_sense_beyond_the_edge_as_blocked():
    sim = _two_agents("walls")
    place(sim, 0, 0, 0)
    sim.step(1)
    r = sim.config.agents.sense_radius
    side = 2 * r + 1
    senses = agent_rows(sim.state.agents, "senses")
    blocked = senses[0, side * side: 2 * side * side].reshape(side, side)
    x, y = sim.state.agents.x[0], sim.state.agents.y[0]
    for row in range(side):
        for col in range(side):
            outside = not (0 <= x + col - r < 24 and 0 <= y + row - r < 20)
            if outside:
                assert blocked[row, col] == 1.0


def test_obstacle_blocks():
    sim = _two_agents()
    place(sim, 0, 5, 5)
    sim.state.grid.obstacle[5, 6] = True
    force_action(sim, 0, EAST)
    sim.step(1)
    assert (sim.state.agents.x[0], sim.state.agents.y[0]) == (5, 5)


def test_no_stepping_into_an_occupied_cell_even_if_it_empties():
    """Targets must be free at the start of the tick: a chain does not move up."""
    sim = _two_agents()
    place(sim, 0, 5, 5)
    place(sim, 1, 6, 5)
    force_action(sim, 0, EAST)  # into 1's cell
    force_action(sim, 1, EAST)  # 1 moves away
    sim.step(1)
    a = sim.state.agents
    assert (a.x[0], a.x[1]) == (5, 7)


def test_contested_cell_has_exactly_one_winner_and_wins_are_fair():
    sim = _two_agents()
    force_action(sim, 0, EAST)
    force_action(sim, 1, WEST)
    wins = np.zeros(2, int)
    for _ in range(400):
        sim.state.grid.occupancy[:] = -1
        sim.state.agents.x[:2] = (4, 6)
        sim.state.agents.y[:2] = (3, 3)
        sim.state.grid.occupancy[3, 4] = 0
        sim.state.grid.occupancy[3, 6] = 1
        sim.step(1)
        at_target = [(sim.state.agents.x[i], sim.state.agents.y[i]) == (5, 3) for i in (0, 1)]
        assert sum(at_target) == 1
        wins += at_target
    # each side wins about half of the contests (binomial(400, .5): 3.5 sigma band)
    assert 165 <= wins[0] <= 235, wins


def test_collision_winner_does_not_depend_on_storage_slot():
    """Swapping which slot each rival lives in does not change who wins: priority decides."""
    outcomes = []
    for swap in (False, True):
        sim = _two_agents(seed=4)
        a = sim.state.agents
        slots = (1, 0) if swap else (0, 1)
        if swap:  # exchange the two agents' complete records
            for arr in a:
                arr[[0, 1]] = arr[[1, 0]]
        sim.state.grid.occupancy[:] = -1
        for slot, x in zip(slots, (4, 6)):
            a.x[slot], a.y[slot] = x, 3
            sim.state.grid.occupancy[3, x] = slot
        force_action(sim, slots[0], EAST)
        force_action(sim, slots[1], WEST)
        sim.step(1)
        winner = [a.id[s] for s in (0, 1) if (a.x[s], a.y[s]) == (5, 3)]
        outcomes.append(winner)
    assert outcomes[0] == outcomes[1] and len(outcomes[0]) == 1


@pytest.mark.parametrize("edges", ["torus", "walls"])
def test_agents_only_ever_move_one_cell(edges):
    sim = Simulation(tiny_config(world={"edges": edges}), seed=3)
    for _ in range(30):
        a = sim.state.agents
        before = {int(i): (int(x), int(y)) for i, x, y, al in zip(a.id, a.x, a.y, a.alive) if al}
        sim.step(1)
        a = sim.state.agents
        for i, x, y, al in zip(a.id, a.x, a.y, a.alive):
            if al and int(i) in before:
                bx, by = before[int(i)]
                dx, dy = abs(int(x) - bx), abs(int(y) - by)
                if edges == "torus":
                    dx, dy = min(dx, 24 - dx), min(dy, 20 - dy)
                assert dx + dy <= 1


def _claim_rule(living, xs, ys, ids, action, priority, obstacle, occupancy, torus):
    """The movement rule written the plain way: claims on free cells, highest priority (then
    lowest id) wins. Returns the set of slots that step and their targets."""
    height, width = obstacle.shape
    claim, target = {}, {}
    for i in living:
        if action[i] == 0:
            continue
        tx, ty = xs[i] + ACTION_DX[action[i]], ys[i] + ACTION_DY[action[i]]
        if torus:
            tx, ty = tx % width, ty % height
        elif not (0 <= tx < width and 0 <= ty < height):
            continue
        if obstacle[ty, tx] or occupancy[ty, tx] >= 0:
            continue
        target[i] = (tx, ty)
        rival = claim.get((tx, ty))
        if rival is None or (priority[i], -ids[i]) > (priority[rival], -ids[rival]):
            claim[(tx, ty)] = i
    return {i: target[i] for i in claim.values()}


def _placed(n_slots, slots, cells, width, height):
    """alive, xs, ys (n_slots,) and occupancy (height, width) for agents in ``slots`` standing
    on the flat ``cells``."""
    alive = np.zeros(n_slots, bool)
    alive[slots] = True
    xs = np.zeros(n_slots, np.int32)
    ys = np.zeros(n_slots, np.int32)
    xs[slots], ys[slots] = cells % width, cells // width
    occupancy = np.full((height, width), -1, np.int32)
    occupancy[ys[slots], xs[slots]] = slots
    return alive, xs, ys, occupancy


def _move(slots, xs, ys, ids, action, priority, alive, obstacle, occupancy, food, torus,
          basal_cost=0.0, move_cost=0.0):
    """move_and_eat on plain food (one kind, no hazards, nothing delayed); returns (moved,
    energy) (n_slots,)."""
    n_slots = alive.shape[0]
    height, width = obstacle.shape
    moved = np.zeros(n_slots, bool)
    energy = np.full(n_slots, 50.0, np.float32)
    move_and_eat(slots, xs, ys, ids, action, priority, moved, energy,
                 np.zeros(n_slots, np.int32), alive, np.zeros(n_slots, np.int8),
                 np.zeros(n_slots, np.float32), obstacle, occupancy, food,
                 (np.zeros((height, width), np.int8), np.zeros((height, width), bool),
                  np.zeros(1, np.int64), np.ones(1, np.float32)),
                 np.zeros((height, width), bool), width, height, torus, 1.0, 100.0, basal_cost,
                 move_cost, 0.0, 0, np.zeros((n_slots, 1), np.float32), -1, 0,
                 np.zeros(n_slots, np.float32))
    return moved, energy


@pytest.mark.parametrize("width,height,edges", [(12, 9, "torus"), (12, 9, "walls"),
                                                (1, 7, "torus"), (2, 5, "torus"),
                                                (3, 3, "walls")])
def test_each_agent_deciding_alone_matches_the_claim_rule(width, height, edges):
    """Crowded random worlds, tiny tori where a cell is its own neighbour, and priorities that
    tie often (so ids decide): the parallel kernel moves exactly the claim rule's winners."""
    rng = np.random.default_rng(width * 31 + height)
    torus = edges == "torus"
    n_slots = width * height + 5
    for _ in range(40):
        obstacle = rng.random((height, width)) < 0.15
        free = np.flatnonzero(~obstacle.ravel())
        if free.size == 0:
            continue
        cells = rng.choice(free, rng.integers(1, free.size + 1), replace=False)
        slots = np.sort(rng.choice(n_slots, cells.size, replace=False))
        alive, xs, ys, occupancy = _placed(n_slots, slots, cells, width, height)
        ids = rng.permutation(3 * n_slots)[:n_slots].astype(np.int64)
        action = rng.integers(0, 5, n_slots).astype(np.int8)
        priority = rng.integers(0, 3, n_slots).astype(np.uint64)
        expected = _claim_rule(slots, xs, ys, ids, action, priority, obstacle, occupancy, torus)
        moved, _ = _move(slots, xs, ys, ids, action, priority, alive, obstacle, occupancy,
                         np.zeros((height, width), np.float32), torus)
        assert set(np.flatnonzero(moved)) == set(expected)
        for i, (tx, ty) in expected.items():
            assert (xs[i], ys[i]) == (tx, ty)
        assert alive[slots].all()
        assert (occupancy[ys[slots], xs[slots]] == slots).all()
        assert (occupancy >= 0).sum() == slots.size


@pytest.mark.parametrize("n_agents", [PARALLEL_FROM - 1, PARALLEL_FROM + 700])
def test_the_one_thread_and_parallel_loops_move_alike(n_agents):
    """Below PARALLEL_FROM living agents the move runs on one thread, from it in parallel:
    both move exactly the claim rule's winners, with any number of threads."""
    rng = np.random.default_rng(n_agents)
    width = height = 150
    obstacle = rng.random((height, width)) < 0.05
    free = np.flatnonzero(~obstacle.ravel())
    cells = rng.choice(free, n_agents, replace=False)
    n_slots = n_agents + 50
    slots = np.sort(rng.choice(n_slots, n_agents, replace=False))
    ids = np.arange(n_slots, dtype=np.int64)
    action = rng.integers(0, 5, n_slots).astype(np.int8)
    priority = rng.integers(0, 4, n_slots).astype(np.uint64)
    results = []
    for threads in (1, 2):
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        alive, xs, ys, occupancy = _placed(n_slots, slots, cells, width, height)
        expected = _claim_rule(slots, xs, ys, ids, action, priority, obstacle, occupancy, True)
        food = np.full((height, width), 2.0, np.float32)
        moved, energy = _move(slots, xs, ys, ids, action, priority, alive, obstacle, occupancy,
                              food, True, basal_cost=0.5, move_cost=0.1)
        assert set(np.flatnonzero(moved)) == set(expected)
        assert (occupancy[ys[slots], xs[slots]] == slots).all()
        results.append((xs, ys, energy, food, occupancy))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    for one, two in zip(*results):
        np.testing.assert_array_equal(one, two)

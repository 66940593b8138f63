"""Movement with fair, deterministic collision resolution, fused with eating.

Rule: an agent may step only into a cell that was free (no agent, no obstacle, inside the
walls) at the start of the tick. When several agents want the same free cell, the one with the
highest per-tick random priority wins (ties, practically impossible, go to the lower id); the
others stay where they are. So no two agents ever share a cell, no agent is favoured by its
storage slot, and the outcome depends only on the state and the agents' own random streams.

Each agent finds out by itself whether it wins: its rivals for a cell can only stand on that
cell's four neighbours, so it reads theirs (occupancy, action, priority) and nothing else.
That makes the decision a read-only parallel loop; the steps then touch disjoint cells
(targets were free, sources were not), and so does eating in the agent's final cell.
Any thread count gives the same result.
"""

from numba import njit, prange

from alife.kernels.life import eat_metabolise_age
from alife.kernels.sense import N_ACTIONS, action_delta, wrap_cell

# Below this many living agents the move's two loops run on one thread: each parallel loop
# wakes the other threads, and on a VM waking an idle core costs more than a few thousand
# agents' moves (docs/performance.md, "Two threads"). Same result either way.
PARALLEL_FROM = 16384


@njit(cache=True, inline="always")
def _target(x, y, action, width, height, torus):
    dx, dy = action_delta(action)
    return wrap_cell(x + dx, y + dy, width, height, torus)


@njit(cache=True, inline="always")
def _beats(i, j, priority, ids):
    return priority[i] > priority[j] or (priority[i] == priority[j] and ids[i] < ids[j])


@njit(cache=True, inline="always")
def wins_step(i, xs, ys, ids, action, priority, obstacle, occupancy, width, height, torus):
    """Whether agent i steps this tick: its action is a step into a cell that is free at the
    start of the tick, and no rival that wants the same cell beats it. Reads only.

    A rival is an agent on one of the target's four neighbours whose action points at the
    target (on a torus of side 1 or 2 a neighbour may be listed twice; the action test keeps
    each rival counted only for the direction it really takes).
    """
    a = action[i]
    if a == 0:
        return False
    tx, ty, inside = _target(xs[i], ys[i], a, width, height, torus)
    if not inside or obstacle[ty, tx] or occupancy[ty, tx] >= 0:
        return False
    for d in range(1, N_ACTIONS):
        dx, dy = action_delta(d)
        rx, ry, rival_inside = wrap_cell(tx - dx, ty - dy, width, height, torus)
        if not rival_inside:
            continue
        j = occupancy[ry, rx]
        if j >= 0 and j != i and action[j] == d and _beats(j, i, priority, ids):
            return False
    return True


@njit(cache=True, parallel=True)
def move_and_eat(living, xs, ys, ids, action, priority, moved, energy, age, alive, death_cause,
                 bite, obstacle, occupancy, food, worth, hazard, width, height, torus, eat_rate,
                 max_energy, basal_cost, move_cost, hazard_cost, max_age, pending, delayed_kind,
                 tick, gained):
    """Every agent in ``living`` (int64 (m,), alive at the start of the tick) steps if it wins
    its target cell (``moved`` bool (n,) says who did), then eats in its cell, pays
    metabolism, ages and may die (alife.kernels.life.eat_metabolise_age; ``bite`` float32
    (n,) receives what each ate).

    Arrays by slot: xs/ys int32, ids int64, action int8, priority uint64, energy float32,
    age int32, alive bool, death_cause int8 (n,); grid: obstacle bool, occupancy int32 (slot
    or -1, updated), food float32, hazard bool (H, W); worth: what food is worth
    (alife.kernels.life.food_worth); pending, delayed_kind, tick, gained: delayed food
    (alife.kernels.life.eat_metabolise_age). Sums are left to
    ``alife.kernels.life.tally``, in slot order, so they do not depend on the threads.
    """
    n_living = living.shape[0]
    if n_living < PARALLEL_FROM:  # the same loops, one thread: see PARALLEL_FROM
        for j in range(n_living):
            _decide(living[j], xs, ys, ids, action, priority, moved, obstacle, occupancy,
                    width, height, torus)
        for j in range(n_living):
            _step_and_eat(living[j], xs, ys, action, moved, energy, age, alive, death_cause,
                          bite, occupancy, food, worth, hazard, width, height, torus, eat_rate,
                          max_energy, basal_cost, move_cost, hazard_cost, max_age, pending,
                          delayed_kind, tick, gained)
        return
    for j in prange(n_living):  # 1. who steps (reads only)
        _decide(living[j], xs, ys, ids, action, priority, moved, obstacle, occupancy, width,
                height, torus)
    for j in prange(n_living):  # 2. winners step into their (free, unique) cells; all eat
        _step_and_eat(living[j], xs, ys, action, moved, energy, age, alive, death_cause, bite,
                      occupancy, food, worth, hazard, width, height, torus, eat_rate,
                      max_energy, basal_cost, move_cost, hazard_cost, max_age, pending,
                      delayed_kind, tick, gained)


@njit(cache=True, inline="always")
def _decide(i, xs, ys, ids, action, priority, moved, obstacle, occupancy, width, height, torus):
    moved[i] = wins_step(i, xs, ys, ids, action, priority, obstacle, occupancy, width, height,
                         torus)


@njit(cache=True, inline="always")
def _step_and_eat(i, xs, ys, action, moved, energy, age, alive, death_cause, bite, occupancy,
                  food, worth, hazard, width, height, torus, eat_rate, max_energy, basal_cost,
                  move_cost, hazard_cost, max_age, pending, delayed_kind, tick, gained):
    if moved[i]:
        tx, ty, _ = _target(xs[i], ys[i], action[i], width, height, torus)
        occupancy[ys[i], xs[i]] = -1
        occupancy[ty, tx] = i
        xs[i] = tx
        ys[i] = ty
    bite[i] = eat_metabolise_age(i, xs, ys, energy, age, moved, alive, death_cause, food, worth,
                                 hazard, occupancy, eat_rate, max_energy, basal_cost, move_cost,
                                 hazard_cost, max_age, pending, delayed_kind, tick, gained)

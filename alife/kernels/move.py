"""Movement with fair, deterministic collision resolution.

Rule: an agent may step only into a cell that was free (no agent, no obstacle, inside the
walls) at the start of the tick. When several agents want the same free cell, the one with the
highest per-tick random priority wins (ties, practically impossible, go to the lower id); the
others stay where they are. So no two agents ever share a cell, no agent is favoured by its
storage slot, and the outcome depends only on the state and the agents' own random streams.
"""

from numba import njit

from alife.kernels.sense import action_delta, wrap_cell


@njit(cache=True, inline="always")
def _target(x, y, action, width, height, torus):
    dx, dy = action_delta(action)
    return wrap_cell(x + dx, y + dy, width, height, torus)


@njit(cache=True, inline="always")
def _beats(i, j, priority, ids):
    return priority[i] > priority[j] or (priority[i] == priority[j] and ids[i] < ids[j])


@njit(cache=True)
def resolve_moves(alive, xs, ys, ids, action, priority, moved, obstacle, occupancy, claim,
                  width, height, torus):
    """Move every alive agent whose action is a step and who wins its target cell.

    Arrays: alive bool (n,), xs/ys int32 (n,), ids int64 (n,), action int8 (n,),
    priority uint64 (n,), moved bool (n,) [out]; obstacle bool (H, W), occupancy int32 (H, W)
    (slot index or -1) [updated], claim int32 (H, W) scratch, all -1 on entry and exit.
    Returns (moves, blocked): steps made, and steps refused (blocked or lost to a rival).
    """
    n = alive.shape[0]
    # 1. claims on cells that are free at the start of the tick
    for i in range(n):
        moved[i] = False
        if not alive[i] or action[i] == 0:
            continue
        tx, ty, inside = _target(xs[i], ys[i], action[i], width, height, torus)
        if not inside or obstacle[ty, tx] or occupancy[ty, tx] >= 0:
            continue
        j = claim[ty, tx]
        if j < 0 or _beats(i, j, priority, ids):
            claim[ty, tx] = i
    # 2. winners move (targets were free, so no move depends on another)
    moves = 0
    blocked = 0
    for i in range(n):
        if not alive[i] or action[i] == 0:
            continue
        tx, ty, inside = _target(xs[i], ys[i], action[i], width, height, torus)
        if inside and claim[ty, tx] == i:
            occupancy[ys[i], xs[i]] = -1
            occupancy[ty, tx] = i
            xs[i] = tx
            ys[i] = ty
            moved[i] = True
            moves += 1
        else:
            blocked += 1
    # 3. clear the claims (only cells that can hold one)
    for i in range(n):
        if moved[i]:
            claim[ys[i], xs[i]] = -1
    return moves, blocked

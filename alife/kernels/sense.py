"""Sensing: what an agent perceives of its (2r+1)x(2r+1) neighbourhood, and the action set.

Sense vector layout, float32, length ``sense_size(r) = 2 * (2r+1)**2 + 1``:
    [0, n)        food in each window cell / food capacity, row-major from (-r, -r)
    [n, 2n)       1.0 where the window cell is blocked (obstacle, another agent, beyond a wall)
    2n            own energy / reproduction threshold, at most ENERGY_SENSE_MAX
with n = (2r+1)**2.
"""

import numpy as np
from numba import njit

ENERGY_SENSE_MAX = np.float32(4.0)  # keeps the learner's inputs bounded however rich an agent gets

N_ACTIONS = 5
"""Actions: 0 stay, 1 north (y-1), 2 east (x+1), 3 south (y+1), 4 west (x-1)."""

ACTION_NAMES = ("stay", "north", "east", "south", "west")
ACTION_DX = (0, 0, 1, 0, -1)
ACTION_DY = (0, -1, 0, 1, 0)


def window_size(radius: int) -> int:
    return (2 * radius + 1) ** 2


def sense_size(radius: int) -> int:
    return 2 * window_size(radius) + 1


@njit(cache=True, inline="always")
def action_delta(action):
    """(dx, dy) of an action index."""
    return ACTION_DX[action], ACTION_DY[action]


@njit(cache=True, inline="always")
def wrap_cell(cx, cy, width, height, torus):
    """Map (cx, cy) onto the grid: (x, y, inside). On a torus every cell is inside.

    Offsets are at most one grid size away, so one correction per axis suffices.
    """
    if torus:
        if cx < 0:
            cx += width
        elif cx >= width:
            cx -= width
        if cy < 0:
            cy += height
        elif cy >= height:
            cy -= height
        return cx, cy, True
    return cx, cy, (0 <= cx < width) and (0 <= cy < height)


@njit(cache=True, inline="always")
def sense_agent(i, x, y, energy, food, obstacle, occupancy, width, height, torus, radius,
                inv_food_capacity, inv_energy_scale, senses):
    """Write agent ``i``'s sense vector into ``senses[i]`` (float32 (n_agents, n_senses)).

    ``inv_food_capacity``, ``inv_energy_scale``: float32. Returns the number of blocked cells
    in the window (the sum of the blocked senses: the agent's own cell does not count).
    """
    side = 2 * radius + 1
    n_window = side * side
    n_blocked = 0
    x0, cy, _ = wrap_cell(x - radius, y - radius, width, height, torus)
    for row in range(side):
        row_inside = torus or 0 <= cy < height
        cx = x0
        k = row * side
        for col in range(side):
            if row_inside and (torus or 0 <= cx < width):
                blocked = obstacle[cy, cx] or occupancy[cy, cx] >= 0
                senses[i, k + col] = food[cy, cx] * inv_food_capacity
            else:
                blocked = True
                senses[i, k + col] = 0.0
            senses[i, n_window + k + col] = blocked
            n_blocked += blocked
            cx += 1
            if cx == width and torus:  # step along the row, wrapping on a torus
                cx = 0
        cy += 1
        if cy == height and torus:
            cy = 0
    # the agent's own cell is not blocked by itself (it was counted: the agent occupies it)
    n_blocked -= senses[i, n_window + n_window // 2] != 0.0
    senses[i, n_window + n_window // 2] = 0.0
    senses[i, 2 * n_window] = min(energy * inv_energy_scale, ENERGY_SENSE_MAX)
    return n_blocked

"""Sensing: what an agent perceives of its (2r+1)x(2r+1) neighbourhood, and the action set.

Sense vector layout, float32, length ``sense_size(r, noise, hazard, kinds)`` = (kinds + 1 +
noise + hazard) · n + 1, n = (2r+1)**2, each window row-major from (-r, -r):
    [0, n)        food of kind 0 in each window cell / food capacity
    ...           (K kinds of food) food of kind 1, 2, ...: each kind in a channel of its own
    next n        1.0 where the window cell is blocked (obstacle, another agent, beyond a wall)
    next n        (worlds with noise patches) the noise channel / food capacity: what a noise
                  patch shows this tick, 0 elsewhere; it never carries food
    next n        (worlds with hazards) 1.0 where the window cell is a hazard
    last          own energy / reproduction threshold, at most ENERGY_SENSE_MAX
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


def sense_size(radius: int, noise: bool = False, hazard: bool = False, kinds: int = 1) -> int:
    """Length of the sense vector; ``noise``, ``hazard``: with those channels; ``kinds``: food
    channels."""
    return (kinds + 1 + int(noise) + int(hazard)) * window_size(radius) + 1


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
def sense_agent(i, x, y, energy, food, kind, n_kinds, signal, hazard, obstacle, occupancy,
                width, height, torus, radius, inv_food_capacity, inv_energy_scale,
                noise_channel, hazard_channel, senses):
    """Write agent ``i``'s sense vector into ``senses[i]`` (float32 (n_agents, n_senses)):
    ``n_kinds`` food channels (a cell's food in the channel of its ``kind``, int8 (H, W)), the
    noise channel (from ``signal`` float32 (H, W)) if ``noise_channel`` and the hazard channel
    (from ``hazard`` bool (H, W)) if ``hazard_channel`` (the module docstring).

    ``inv_food_capacity``, ``inv_energy_scale``: float32. Returns the number of blocked cells
    in the window (the sum of the blocked senses: the agent's own cell does not count).

    The default window (torus, radius 2) gets its own copy of the loop with the radius known
    when the kernel is compiled: LLVM unrolls its 25 cells (measured −5 % on ``think``).
    """
    if torus and radius == 2 and n_kinds == 1:  # the default, with constants: unrolled
        n_blocked = _sense_torus(i, x, y, food, kind, 1, obstacle, occupancy, width,
                                 height, 2, inv_food_capacity, senses)
    elif torus:
        n_blocked = _sense_torus(i, x, y, food, kind, n_kinds, obstacle, occupancy, width,
                                 height, radius, inv_food_capacity, senses)
    else:
        n_blocked = _sense_walls(i, x, y, food, kind, n_kinds, obstacle, occupancy, width,
                                 height, radius, inv_food_capacity, senses)
    n_window = (2 * radius + 1) ** 2
    blocked_at = n_kinds * n_window
    first = blocked_at + n_window
    if noise_channel:  # a window of the signal layer
        _sense_layer(i, x, y, signal, width, height, torus, radius, inv_food_capacity, first,
                     senses)
        first += n_window
    if hazard_channel:
        _sense_layer(i, x, y, hazard, width, height, torus, radius, np.float32(1.0), first,
                     senses)
    # the agent's own cell is not blocked by itself (it was counted: the agent occupies it)
    n_blocked -= senses[i, blocked_at + n_window // 2] != 0.0
    senses[i, blocked_at + n_window // 2] = 0.0
    senses[i, senses.shape[1] - 1] = min(energy * inv_energy_scale, ENERGY_SENSE_MAX)
    return n_blocked


@njit(cache=True, inline="always")
def _sense_layer(i, x, y, layer, width, height, torus, radius, scale, first, senses):
    """A window of a grid layer (float32 or bool (H, W)) × ``scale`` (float32) into
    senses[i, first:first + n] (0 beyond walls)."""
    side = 2 * radius + 1
    for row in range(side):
        for col in range(side):
            cx, cy, inside = wrap_cell(x + col - radius, y + row - radius, width, height, torus)
            senses[i, first + row * side + col] = (np.float32(layer[cy, cx]) * scale if inside
                                                   else np.float32(0.0))


@njit(cache=True, inline="always")
def _sense_torus(i, x, y, food, kind, n_kinds, obstacle, occupancy, width, height, radius,
                 inv_food_capacity, senses):
    """The window's food and blocked senses on a torus; returns the blocked count. Every cell
    is inside, so the loop has no edge tests, and both blocking conditions are read (``|``,
    not a short-circuit branch)."""
    side = 2 * radius + 1
    n_window = side * side
    blocked_at = n_kinds * n_window
    n_blocked = 0
    x0, cy, _ = wrap_cell(x - radius, y - radius, width, height, True)
    for row in range(side):
        cx = x0
        for col in range(side):
            k = row * side + col
            blocked = obstacle[cy, cx] | (occupancy[cy, cx] >= 0)
            _sense_food(i, k, food[cy, cx] * inv_food_capacity, kind, cy, cx, n_kinds,
                        n_window, senses)
            senses[i, blocked_at + k] = blocked
            n_blocked += blocked
            cx += 1
            cx = 0 if cx == width else cx
        cy += 1
        cy = 0 if cy == height else cy
    return n_blocked


@njit(cache=True, inline="always")
def _sense_walls(i, x, y, food, kind, n_kinds, obstacle, occupancy, width, height, radius,
                 inv_food_capacity, senses):
    """The window's food and blocked senses inside walls (cells beyond them: no food,
    blocked); returns the blocked count."""
    side = 2 * radius + 1
    n_window = side * side
    blocked_at = n_kinds * n_window
    n_blocked = 0
    cy = y - radius
    for row in range(side):
        row_inside = 0 <= cy < height
        cx = x - radius
        k = row * side
        for col in range(side):
            if row_inside and 0 <= cx < width:
                blocked = obstacle[cy, cx] or occupancy[cy, cx] >= 0
                _sense_food(i, k + col, food[cy, cx] * inv_food_capacity, kind, cy, cx,
                            n_kinds, n_window, senses)
            else:
                blocked = True
                _sense_food(i, k + col, np.float32(0.0), kind, 0, 0, n_kinds, n_window, senses)
            senses[i, blocked_at + k + col] = blocked
            n_blocked += blocked
            cx += 1
        cy += 1
    return n_blocked


@njit(cache=True, inline="always")
def _sense_food(i, k, amount, kind, cy, cx, n_kinds, n_window, senses):
    """Window cell k's food ``amount`` (float32) into the channel of its kind (``kind`` int8
    (H, W) at (cy, cx), read only with several kinds), 0 into the other kinds' channels."""
    if n_kinds == 1:
        senses[i, k] = amount
        return
    own = kind[cy, cx]
    for c in range(n_kinds):
        senses[i, c * n_window + k] = amount if c == own else np.float32(0.0)

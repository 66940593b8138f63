"""Food regrowth with seasons: a travelling wave of regrowth rate across the world's width."""

import math

from numba import njit


@njit(cache=True, inline="always")
def season_factor(x, tick, width, amplitude, period, waves):
    """Regrowth multiplier of column ``x`` at ``tick``: max(0, 1 + A sin(2π(t/P + waves·x/W)))."""
    phase = 2.0 * math.pi * (tick / period + waves * x / width)
    return max(0.0, 1.0 + amplitude * math.sin(phase))


@njit(cache=True)
def regrow_row(y, food, capacity, column_rate):
    """Regrow row ``y``: food += column_rate[x] * capacity, capped at capacity (float32 (H, W))."""
    for x in range(food.shape[1]):
        f = food[y, x] + column_rate[x] * capacity[y, x]
        food[y, x] = min(f, capacity[y, x])

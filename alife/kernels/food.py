"""Food regrowth with seasons (a travelling wave of regrowth rate across the world's width),
and noise patches: cells that show a fresh random amount of uneatable food every tick."""

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


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


@njit(cache=True)
def refresh_noise(signal, noise_cells, key, tick, level):
    """Set every noise cell (flat indices, int64 (m,)) of ``signal`` (float32 (H, W), the
    noise channel) to ``level`` × a uniform draw that depends only on (key, tick, cell): the
    same for every agent that looks, different every tick, unpredictable, and free of any
    random state."""
    width = signal.shape[1]
    for cell in noise_cells:
        z = np.uint64(key) * _GOLDEN + np.uint64(tick) * _MIX1 + np.uint64(cell) * _MIX2
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
        signal[cell // width, cell % width] = np.float32(
            level * ((z >> np.uint64(11)) * (1.0 / 9007199254740992.0)))


@njit(cache=True)
def drift_east(layer):
    """Shift a grid layer (H, W) one cell east, the last column wrapping to the first."""
    width = layer.shape[1]
    for y in range(layer.shape[0]):
        last = layer[y, width - 1]
        for x in range(width - 1, 0, -1):
            layer[y, x] = layer[y, x - 1]
        layer[y, 0] = last

"""Food regrowth with seasons (a travelling wave of regrowth rate across the world's width);
noise patches (a fresh random value every tick in a channel of their own); the hazards'
drift; and the deal of what each food kind is worth."""

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
        z = mix(key, tick, cell)
        signal[cell // width, cell % width] = np.float32(
            level * ((z >> np.uint64(11)) * (1.0 / 9007199254740992.0)))


@njit(cache=True, inline="always")
def mix(key, a, b):
    """A well-mixed uint64 of (key, a, b) (SplitMix64's finaliser): random draws that need
    no random state."""
    z = np.uint64(key) * _GOLDEN + np.uint64(a) * _MIX1 + np.uint64(b) * _MIX2
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


DEAL_FIXED, DEAL_PER_GENERATION, DEAL_PER_REGION, DEAL_VOLATILE = range(4)  # KernelParams.deal


@njit(cache=True)
def advance_deal(deal, clock, tick, p):
    """At ``tick``, deal anew what the food kinds are worth when a deal is due: ``deal`` int64
    (K,) the value slot of each kind, ``clock`` int64 (2,) [tick of the next deal or shift,
    deals and shifts so far].

    per_generation: a random permutation every ``p.deal_every`` ticks. volatile: in the
    volatile part of each epoch (stable_ticks, then volatile_ticks), every flip_min..flip_max
    ticks each kind shifts to the next value slot. Draws from ``mix``: no random state.
    """
    n = deal.shape[0]
    if n < 2 or tick < clock[0]:
        return
    if p.deal == DEAL_PER_GENERATION:
        for k in range(n - 1, 0, -1):  # Fisher-Yates
            j = np.int64(mix(p.deal_key, clock[1], k) % np.uint64(k + 1))
            deal[k], deal[j] = deal[j], deal[k]
        clock[0] = tick + p.deal_every
        clock[1] += 1
    elif p.deal == DEAL_VOLATILE and tick % (p.stable_ticks + p.volatile_ticks) >= p.stable_ticks:
        for k in range(n):
            deal[k] = (deal[k] + 1) % n
        spread = np.uint64(p.flip_max - p.flip_min + 1)
        clock[0] = tick + p.flip_min + np.int64(mix(p.deal_key, clock[1], n) % spread)
        clock[1] += 1



@njit(cache=True)
def drift_east(layer):
    """Shift a grid layer (H, W) one cell east, the last column wrapping to the first."""
    width = layer.shape[1]
    for y in range(layer.shape[0]):
        last = layer[y, width - 1]
        for x in range(width - 1, 0, -1):
            layer[y, x] = layer[y, x - 1]
        layer[y, 0] = last

"""Per-agent random streams: SplitMix64 on one uint64 state per stream.

Each agent owns its streams (``AgentState.rng``), so what an agent draws never depends on
thread scheduling or on what other agents drew: the parallel kernels stay bit-identical to a
serial run. All arithmetic is on uint64 and wraps, as SplitMix64 intends.
"""

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV_2_53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def next_u64(states, i, stream):
    """Advance ``states[i, stream]`` (uint64 array (n, k)) and return the next uint64 draw."""
    s = states[i, stream] + _GOLDEN
    states[i, stream] = s
    z = (s ^ (s >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def next_uniform(states, i, stream):
    """A float64 uniform in [0, 1) from ``states[i, stream]``."""
    return (next_u64(states, i, stream) >> _S11) * _INV_2_53


@njit(cache=True, inline="always")
def next_normal_pair(states, i, stream):
    """Two independent standard normal float64 draws (Box–Muller) from ``states[i, stream]``."""
    u1 = 1.0 - next_uniform(states, i, stream)  # in (0, 1]: log is finite
    u2 = next_uniform(states, i, stream)
    radius = math.sqrt(-2.0 * math.log(u1))
    return radius * math.cos(2.0 * math.pi * u2), radius * math.sin(2.0 * math.pi * u2)

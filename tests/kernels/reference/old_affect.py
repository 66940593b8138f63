"""Affect dynamics and couplings: slow, unnamed variables that bend what an agent does.

Per agent: affect e float32 (K,), persistence alpha float32 (K,) (from heritable half-lives),
sensitivity beta (K, D) over the drives below. Every tick
    e <- tanh(alpha * e + (1 - alpha) * (beta @ drives))
so a change of drive moves e towards tanh(beta @ drives) with each dimension's half-life, and
e stays in (-1, 1). Affect acts only through smooth couplings (each a heritable K-vector w):
    temperature  tau = tau0 * exp(w_tau . e)
    curiosity    c   = c0 * exp(w_c . e)              (the taste for the unknown when choosing)
    learning     eta = eta0 * max(0, 1 + w_eta . e)
    value        r'  = r + lambda * tanh(w_v . e)
    memory       write weight = sigmoid(w_m . e + w_s * surprise + b)   (alife.kernels.memory)
All couplings are inert at e = 0. Nothing here branches on affect values.
"""

import math

import numpy as np
from numba import njit

DRIVE_NAMES = ("surprise", "energy_gain", "reward_change", "crowding", "food_here",
               "progress", "constant")
N_DRIVES = len(DRIVE_NAMES)


@njit(cache=True, inline="always")
def tanh32(v):
    """tanh of a float32 through one exp (libm's tanhf costs ~4x an expf here; absolute error
    below 2e-7): tanh|v| = (1 - t) / (1 + t) with t = exp(-2|v|), then v's sign."""
    t = math.exp(np.float32(-2.0) * abs(v))
    return math.copysign((np.float32(1.0) - t) / (np.float32(1.0) + t), v)


@njit(cache=True, inline="always")
def update_affect(i, e, alpha, genome, g_beta, drives):
    """e[i] (K,) <- tanh(alpha[i] * e[i] + (1 - alpha[i]) * (beta @ drives[i])), with
    beta (K, D) at genome[i, g_beta:]. e, alpha float32 (n, K), genome (n, G), drives (n, D)."""
    n_drives = drives.shape[1]
    for k in range(e.shape[1]):
        pull = np.float32(0.0)
        row = g_beta + k * n_drives
        for d in range(n_drives):
            pull += genome[i, row + d] * drives[i, d]
        e[i, k] = tanh32(alpha[i, k] * e[i, k] + (np.float32(1.0) - alpha[i, k]) * pull)


@njit(cache=True, inline="always")
def coupling(genome, i, g_weights, e):
    """w . e[i] for agent i's heritable K-vector w at genome[i, g_weights:] (float32)."""
    acc = np.float32(0.0)
    for k in range(e.shape[1]):
        acc += genome[i, g_weights + k] * e[i, k]
    return acc

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

from numba import njit

DRIVE_NAMES = ("surprise", "energy_gain", "reward_change", "crowding", "food_here",
               "progress", "constant")
N_DRIVES = len(DRIVE_NAMES)


@njit(cache=True)
def update_affect(e, alpha, genome_row, g_beta, drives):
    """e (K,) <- tanh(alpha * e + (1 - alpha) * (beta @ drives)); beta (K, D) at genome_row[g_beta:]."""
    n_drives = drives.shape[0]
    for k in range(e.shape[0]):
        pull = 0.0
        row = g_beta + k * n_drives
        for d in range(n_drives):
            pull += genome_row[row + d] * drives[d]
        e[k] = math.tanh(alpha[k] * e[k] + (1.0 - alpha[k]) * pull)


@njit(cache=True)
def coupling(genome_row, g_weights, e):
    """w . e for the heritable K-vector w at genome_row[g_weights:]."""
    acc = 0.0
    for k in range(e.shape[0]):
        acc += genome_row[g_weights + k] * e[k]
    return acc

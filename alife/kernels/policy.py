"""Placeholder heritable policy: linear scores over the senses, softmax with a heritable temperature.

The predictive learner (world model + value) replaces it; its genes remain the starting point.
"""

import math

import numpy as np
from numba import njit

from alife.kernels.rng import next_uniform
from alife.kernels.sense import N_ACTIONS


@njit(cache=True, fastmath={"reassoc", "nsz", "contract"})
def dot(a, b):
    """float32 dot product of two 1-D float32 arrays of equal length (row slices).

    Reassociation lets LLVM vectorise the sum. The summation order is fixed when the kernel is
    compiled, so runs stay bit-reproducible on a machine, whatever the thread count; only a
    different CPU or numba build may round differently. Callers pass slices (not an array plus
    a runtime offset): indexing from a runtime offset defeats vectorisation (5x slower).
    """
    acc = np.float32(0.0)
    for k in range(a.shape[0]):
        acc += a[k] * b[k]
    return acc


@njit(cache=True)
def linear_policy_action(i, senses, genome, n_senses, g_weight, g_bias, g_log_temperature,
                         rng, scores):
    """Sample agent ``i``'s action from softmax((W · s + b) / T).

    ``genome`` float32 (n, G); W is the (N_ACTIONS, n_senses) block at ``g_weight``; b the
    N_ACTIONS genes at ``g_bias``; log T the gene at ``g_log_temperature``. ``scores`` float32
    (n, N_ACTIONS) is scratch; it ends holding the action probabilities. Draws from stream 0
    of ``rng``.
    """
    s = senses[i]
    best = -np.inf
    for a in range(N_ACTIONS):
        row = g_weight + a * n_senses
        score = genome[i, g_bias + a] + dot(genome[i, row:row + n_senses], s)
        scores[i, a] = score
        best = max(best, score)
    inv_t = math.exp(-genome[i, g_log_temperature])
    total = 0.0
    for a in range(N_ACTIONS):
        w = math.exp((scores[i, a] - best) * inv_t)
        scores[i, a] = w
        total += w
    u = next_uniform(rng, i, 0) * total
    chosen = N_ACTIONS - 1
    acc = 0.0
    for a in range(N_ACTIONS - 1):
        acc += scores[i, a]
        if u < acc:
            chosen = a
            break
    for a in range(N_ACTIONS):
        scores[i, a] /= total
    return chosen

"""Episodic memory: a few past transitions per agent, written by weight, replayed to the model.

Per agent, M slots: mem_x float32 (M, P+1) features before, mem_next float32 (M, P) features
after, mem_action int8 (M,), mem_weight float32 (M,) (0 = empty). A new transition gets a
write weight from its surprise and the agent's affect (alife.kernels.affect); it replaces the
weakest memory if it weighs more. Replay draws memories in proportion to their weight and
takes a normalised LMS step on the world model, scaled by that weight.
"""

import math

from numba import njit

from alife.kernels.learner import nudge_row
from alife.kernels.rng import draw_index


@njit(cache=True)
def write_weight(affect_drive, surprise_weight, bias, surprise):
    """sigmoid(w_m . e + w_s * surprise + b); ``affect_drive`` = w_m . e."""
    return 0.5 * (1.0 + math.tanh(0.5 * (affect_drive + surprise_weight * surprise + bias)))


@njit(cache=True)
def remember(mem_x, mem_next, mem_action, mem_weight, x_old, x_new, action, weight):
    """Store (x_old, action, x_new[:P]) in place of the weakest memory if ``weight`` is larger."""
    m = mem_weight.shape[0]
    if m == 0:
        return
    weakest = 0
    for j in range(1, m):
        if mem_weight[j] < mem_weight[weakest]:
            weakest = j
    if weight <= mem_weight[weakest]:
        return
    mem_weight[weakest] = weight
    mem_action[weakest] = action
    for k in range(mem_x.shape[1]):
        mem_x[weakest, k] = x_old[k]
    for k in range(mem_next.shape[1]):
        mem_next[weakest, k] = x_new[k]


@njit(cache=True)
def replay(model, mem_x, mem_next, mem_action, mem_weight, samples, lr, rng, i, stream):
    """Replay ``samples`` memories (drawn by weight from rng[i, stream]) into ``model`` (A, P, P+1)."""
    m = mem_weight.shape[0]
    total = 0.0
    for j in range(m):
        total += mem_weight[j]
    if total <= 0.0:
        return
    p = mem_next.shape[1]
    for _ in range(samples):
        pick = draw_index(mem_weight, total, rng, i, stream)
        x = mem_x[pick]
        model_a = model[mem_action[pick]]
        norm = 1.0
        for k in range(p + 1):
            norm += x[k] * x[k]
        step = lr * mem_weight[pick] / norm
        for k in range(p):
            predicted = 0.0
            for q in range(p + 1):
                predicted += model_a[k, q] * x[q]
            nudge_row(model_a[k], step * (mem_next[pick, k] - predicted), x)

"""Episodic memory: a few past transitions per agent, written by weight, replayed to the model.

Per agent, M slots: mem_x float32 (M, P+1) features before, mem_next float32 (M, P) features
after, mem_action int8 (M,), mem_weight float32 (M,) (0 = empty). A new transition gets a
write weight from its surprise and the agent's affect (alife.kernels.affect); it replaces the
weakest memory if it weighs more. Replay draws memories in proportion to their weight and
takes a normalised LMS step on the world model, scaled by that weight.
"""

import numpy as np
from numba import njit

from alife.kernels.affect import tanh32
from alife.kernels.learner import imagine_one, nudge
from alife.kernels.rng import draw_index

_HALF = np.float32(0.5)
_ONE = np.float32(1.0)


@njit(cache=True, inline="always")
def write_weight(affect_drive, surprise_weight, bias, surprise):
    """sigmoid(w_m . e + w_s * surprise + b); ``affect_drive`` = w_m . e."""
    return _HALF * (_ONE + tanh32(_HALF * (affect_drive + surprise_weight * surprise + bias)))


@njit(cache=True, inline="always")
def remember(i, mem_x, mem_next, mem_action, mem_weight, x_old, x_new, action, weight):
    """Agent i stores (x_old[i], action, x_new[i, :P]) in place of its weakest memory if
    ``weight`` is larger. mem_* (n, M, ...) as in the module docstring; x_old, x_new (n, P+1)."""
    m = mem_weight.shape[1]
    if m == 0:
        return
    weakest = 0
    for j in range(1, m):
        if mem_weight[i, j] < mem_weight[i, weakest]:
            weakest = j
    if weight <= mem_weight[i, weakest]:
        return
    mem_weight[i, weakest] = weight
    mem_action[i, weakest] = action
    for k in range(mem_x.shape[2]):
        mem_x[i, weakest, k] = x_old[i, k]
    for k in range(mem_next.shape[2]):
        mem_next[i, weakest, k] = x_new[i, k]


@njit(cache=True, inline="always")
def replay(i, model, mem_x, mem_next, mem_action, mem_weight, samples, lr, rng, stream, scratch,
           t):
    """Agent i replays ``samples`` memories (drawn by weight from rng[i, stream]) into its
    world model (model float32 (n, P+1, A·P), see alife.kernels.learner); ``lr`` float32;
    scratch row t holds the update's coefficients."""
    m = mem_weight.shape[1]
    total = 0.0
    for j in range(m):
        total += mem_weight[i, j]
    if total <= 0.0:
        return
    p = mem_next.shape[2]
    memories = mem_x[i]  # (M, P+1): one view per replay, not one per update
    for _ in range(samples):
        pick = draw_index(mem_weight, total, rng, i, stream)
        first = mem_action[i, pick] * p
        norm = _ONE
        for q in range(p + 1):
            norm += mem_x[i, pick, q] * mem_x[i, pick, q]
        step = lr * mem_weight[i, pick] / norm
        imagine_one(i, model, first, p, memories, pick, scratch, t)
        for k in range(p):
            scratch[t, k] = step * (mem_next[i, pick, k] - scratch[t, k])
        nudge(model, i, first, p, scratch, t, memories, pick)

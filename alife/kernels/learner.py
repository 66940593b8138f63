"""The predictive learner, per agent and per tick: features, learning from surprise, acting.

Arrays of one agent (rows of AgentState), with P features and x̃ = [x, 1] (P + 1 inputs):
    model  float32 (A, P, P+1)  world model: predicted next features after action a = model[a] · x̃
    value  float32 (P+1,)       learned value V(x̃) = value · x̃
    err_fast, err_slow float32 (A,)  running averages of the surprise that followed each action
    visits int32 (A,)           how often each action has been learned from

Learning (when on) is normalised LMS for the model and normalised TD(0) for the value, which
stay finite for any learning rate below 2 (the genes are capped at 1.5); inputs are bounded
(food and blocked in [0, 1], energy clipped at 4), rewards and TD errors are clipped.
"""

import math

import numpy as np
from numba import njit

from alife.kernels.rng import draw_index
from alife.kernels.sense import N_ACTIONS

REWARD_CLIP = 10.0
MODEL_CLIP = 100.0
VALUE_CLIP = 1000.0


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


@njit(cache=True, fastmath={"reassoc", "nsz", "contract"})
def matvec(matrix, x, out):
    """out (P,) = matrix (P, M) · x (M,), all float32; one compiled loop nest (see ``dot``)."""
    for k in range(out.shape[0]):
        acc = np.float32(0.0)
        for m in range(x.shape[0]):
            acc += matrix[k, m] * x[m]
        out[k] = acc


@njit(cache=True)
def nudge_row(row, coef, x):
    """row += coef * x (one normalised-LMS row update), each weight kept in ±MODEL_CLIP."""
    for m in range(row.shape[0]):
        row[m] = min(max(row[m] + coef * x[m], -MODEL_CLIP), MODEL_CLIP)


@njit(cache=True)
def compute_features(feature_map, senses, out):
    """out[:P] = feature_map (P, S) @ senses (S,); out[P] = 1 (the bias input)."""
    p = feature_map.shape[0]
    matvec(feature_map, senses, out[:p])
    out[p] = 1.0


@njit(cache=True)
def curiosity_of(err_fast, err_slow, a, use_progress):
    """Curiosity about action a: recent surprise, or learning progress (slow − fast error)."""
    if use_progress:
        return max(0.0, err_slow[a] - err_fast[a])
    return err_fast[a]


@njit(cache=True)
def learn_transition(x_old, x_new, prediction, model_a, value, err_fast, err_slow, visits, a,
                     energy_gain, energy_weight, curiosity_weight, use_progress, k_fast, k_slow,
                     model_lr, value_lr, discount, learning, reward_bonus):
    """Learn from the last tick: features ``x_old`` (P+1,), action ``a``, now ``x_new`` (P+1,).

    ``prediction`` (P,) is what model_a (P, P+1) predicted. Updates the error traces of action
    a (``visits`` int32 (A,) counts how often each action was learned from); if ``learning``, one normalised LMS step on model_a and one normalised TD(0) step on
    ``value`` towards r + discount·V(x_new), with reward
        r = energy_weight · energy_gain + curiosity_weight · curiosity + reward_bonus
    (energy_gain in units of the reproduction threshold; curiosity = surprise or progress;
    reward_bonus: the affect term λ·g(e), 0 without affect).
    Returns (surprise ‖x_new − prediction‖, learning progress of action a, reward).
    """
    p = prediction.shape[0]
    sq = 0.0
    for k in range(p):
        e = x_new[k] - prediction[k]
        sq += e * e
    surprise = math.sqrt(sq)
    if visits[a] == 0:  # first time: start both averages here, so progress starts at 0
        err_fast[a] = surprise
        err_slow[a] = surprise
    visits[a] += 1
    err_fast[a] += k_fast * (surprise - err_fast[a])
    err_slow[a] += k_slow * (surprise - err_slow[a])
    progress = err_slow[a] - err_fast[a]
    curiosity = max(0.0, progress) if use_progress else surprise
    reward = energy_weight * energy_gain + curiosity_weight * curiosity + reward_bonus
    reward = min(max(reward, -REWARD_CLIP), REWARD_CLIP)
    if learning:
        step = 1.0 / (1.0 + dot(x_old, x_old))  # normalisation: stable for rates < 2
        td = reward + discount * dot(value, x_new) - dot(value, x_old)
        td = min(max(td, -REWARD_CLIP), REWARD_CLIP)
        value_step = value_lr * step * td
        for m in range(p + 1):
            value[m] = min(max(value[m] + value_step * x_old[m], -VALUE_CLIP), VALUE_CLIP)
        for k in range(p):
            nudge_row(model_a[k], model_lr * step * (x_new[k] - prediction[k]), x_old)
    return surprise, progress, reward


@njit(cache=True)
def imagine_and_choose(x, model, value, err_fast, err_slow, curiosity_weight, use_progress,
                       temperature, rng, i, scores, imagined, forced):
    """Pick an action: score each by the value of its imagined outcome plus curiosity.

    For each action a: x̂ = model[a] · x (written to ``imagined`` (P,)), score = V([x̂, 1]) +
    curiosity_weight · curiosity(a); then sample from softmax(score / temperature) with stream
    0 of ``rng`` (one uniform draw, also when ``forced`` >= 0 dictates the action, so forcing an
    action never shifts the random stream). ``scores`` (A,) ends holding the probabilities.
    Returns (action, explored): explored is True when the action is not the best-scored one.
    """
    p = imagined.shape[0]
    best = -np.inf
    greedy = 0
    for a in range(N_ACTIONS):
        matvec(model[a], x, imagined)
        v = value[p] + dot(value[:p], imagined)
        scores[a] = v + curiosity_weight * curiosity_of(err_fast, err_slow, a, use_progress)
        if scores[a] > best:  # compare the stored (float32) scores: the best weighs exactly 1
            best = scores[a]
            greedy = a
    inv_t = 1.0 / temperature
    total = 0.0
    for a in range(N_ACTIONS):
        w = math.exp((scores[a] - best) * inv_t)
        scores[a] = w
        total += w
    chosen = draw_index(scores, total, rng, i, 0)
    for a in range(N_ACTIONS):
        scores[a] /= total
    if forced >= 0:
        chosen = forced
    return chosen, chosen != greedy


@njit(cache=True)
def predict(model_a, x, out):
    """out (P,) = model_a (P, P+1) · x (P+1,): the features expected after the action."""
    matvec(model_a, x, out)


# columns of AgentState.traits: the scalar genes, decoded once at birth
TRAIT_TEMPERATURE, TRAIT_MODEL_LR, TRAIT_VALUE_LR, TRAIT_DISCOUNT, TRAIT_CURIOSITY = range(5)
TRAIT_NAMES = ("temperature", "model_lr", "value_lr", "discount", "curiosity_weight")


@njit(cache=True)
def start_learned_state(slot, agents, p):
    """Start the learned state of ``slot`` from its genome (birth: nothing learned yet).

    ``agents`` AgentState, ``p`` KernelParams (genome offsets). Also decodes the scalar genes
    into ``agents.traits[slot]`` so the per-tick kernels need no exp of log-genes.
    """
    genome = agents.genome
    traits = agents.traits
    traits[slot, TRAIT_TEMPERATURE] = math.exp(genome[slot, p.g_log_temperature])
    traits[slot, TRAIT_MODEL_LR] = math.exp(genome[slot, p.g_log_model_lr])
    traits[slot, TRAIT_VALUE_LR] = math.exp(genome[slot, p.g_log_value_lr])
    traits[slot, TRAIT_DISCOUNT] = genome[slot, p.g_discount]
    traits[slot, TRAIT_CURIOSITY] = genome[slot, p.g_curiosity_weight]
    flat_model = agents.model[slot].reshape(agents.model[slot].size)
    for k in range(flat_model.shape[0]):
        flat_model[k] = genome[slot, p.g_model_init + k]
    for k in range(agents.value.shape[1]):
        agents.value[slot, k] = genome[slot, p.g_value_init + k]
    for a in range(agents.err_fast.shape[1]):
        agents.err_fast[slot, a] = 0.0
        agents.err_slow[slot, a] = 0.0
        agents.visits[slot, a] = 0
    for k in range(agents.affect.shape[1]):  # affect starts at rest, memory empty
        agents.affect[slot, k] = 0.0
        half_life = math.exp(genome[slot, p.g_affect_log_half_life + k])
        agents.affect_alpha[slot, k] = 0.5 ** (1.0 / half_life)
    agents.drives[slot, :] = 0.0
    agents.mem_weight[slot, :] = 0.0
    agents.write_weight[slot] = 0.0


@njit(cache=True)
def start_learned_states(slots, agents, p):
    """start_learned_state for every slot in ``slots`` (int64 (k,)): the founders."""
    for j in range(slots.shape[0]):
        start_learned_state(slots[j], agents, p)

"""The predictive learner, per agent and per tick: features, learning from surprise, acting.

Arrays of one agent (rows of AgentState), with P features, x̃ = [x, 1] (P + 1 inputs) and
A actions:
    model  float32 (P+1, A, P)  world model, input-major: predicted feature k after action a
                                is sum over m of model[m, a, k] · x̃[m]
    value  float32 (P+1,)       learned value V(x̃) = value · x̃
    err_fast, err_slow float32 (A,)  running averages of the surprise that followed each action
    visits int32 (A,)           how often each action has been learned from

Why input-major: choosing an action imagines the outcome of every action, A·P sums of P+1
products. With the input index outermost, row m of the model holds the A·P weights that
input m feeds, side by side, so the imagined outcomes of all actions are one vector loop
(each output summed over m in index order, the same float32 result as summing row by row).
The genome keeps the model's natural (A, P, P+1) order; ``genes_of_model`` and
``start_learned_state`` translate.

Learning (when on) is normalised LMS for the model and normalised TD(0) for the value, which
stay finite for any learning rate below 2 (the genes are capped at 1.5); inputs are bounded
(food and blocked in [0, 1], energy clipped at 4), rewards and TD errors are clipped.

The per-tick kernels take the whole per-agent arrays (n, ...) and the agent's slot i, and
index them in place: a row view per argument (numba builds a struct and counts references for
each) cost more than the arithmetic. The model arrives there as (n, P+1, A·P) (a reshape of
AgentState.model, no copy). Per-agent intermediate vectors go to a scratch row
of the agent's chunk (``scratch`` float32 (chunks, ≥ A·P), row ``t``). All arithmetic is float32.
"""

import math

import numpy as np
from numba import njit

from alife.kernels.rng import draw_index
from alife.kernels.sense import N_ACTIONS

# float32 constants: a float64 literal would promote the float32 arithmetic it touches
REWARD_CLIP = np.float32(10.0)
MODEL_CLIP = np.float32(100.0)
VALUE_CLIP = np.float32(1000.0)
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)

SECTOR_INPUTS = 11  # P + 1 of the default (sectors) features, see imagine_one
SECTOR_ROW_WIDTH = 10  # non-zeros per row of the default feature map, see compute_features


@njit(cache=True, inline="always")
def clip(v, limit):
    """v kept in [-limit, limit] (two compare-and-selects)."""
    v = v if v > -limit else -limit
    return v if v < limit else limit


@njit(cache=True)
def padded_rows(feature_map):
    """The feature map (P, S) float32 as sparse rows of one width W, the most non-zeros of any
    row: (col int64 (P, W), weight float32 (P, W)); row k's entries in column order, padded at
    the end with weight 0 on column 0.

    The sectors map is ~85 % zeros, so the features cost ~P·W multiply-adds, not P·S. A
    padding term is ±0 (senses are finite), and a sum that starts at +0 never becomes -0, so
    the padding leaves every sum exactly as it was.
    """
    n_rows, n_cols = feature_map.shape
    width = 1
    for k in range(n_rows):
        width = max(width, np.count_nonzero(feature_map[k]))
    col = np.zeros((n_rows, width), np.int64)
    weight = np.zeros((n_rows, width), np.float32)
    for k in range(n_rows):
        q = 0
        for s in range(n_cols):
            if feature_map[k, s] != 0.0:
                col[k, q] = s
                weight[k, q] = feature_map[k, s]
                q += 1
    return col, weight


@njit(cache=True, inline="always")
def compute_features(i, col, weight, senses, features):
    """features[i, :P] = feature_map @ senses[i] (feature_map as ``padded_rows``);
    features[i, P] = 1 (the bias input). senses (n, S), features (n, P+1) float32.

    Rows of one width, and for the default map (sectors, radius 2) a width known when the
    kernel is compiled: no loop exit to mispredict per row, so the CPU overlaps the rows'
    sums (measured −8 % on think against rows of their own lengths).
    """
    p, width = col.shape
    if width == SECTOR_ROW_WIDTH:
        for k in range(p):
            acc = _ZERO
            for q in range(SECTOR_ROW_WIDTH):
                acc += weight[k, q] * senses[i, col[k, q]]
            features[i, k] = acc
    else:
        for k in range(p):
            acc = _ZERO
            for q in range(width):
                acc += weight[k, q] * senses[i, col[k, q]]
            features[i, k] = acc
    features[i, p] = _ONE


@njit(cache=True, inline="always")
def curiosity_of(err_fast, err_slow, i, a, use_progress):
    """Agent i's curiosity about action a: recent surprise, or learning progress (slow − fast
    error). err_fast, err_slow float32 (n, A)."""
    if use_progress:
        return max(_ZERO, err_slow[i, a] - err_fast[i, a])
    return err_fast[i, a]


@njit(cache=True, inline="always")
def learn_transition(i, a, x_old, x_new, prediction, model, value, err_fast, err_slow, visits,
                     energy_gain, energy_weight, curiosity_weight, use_progress, k_fast, k_slow,
                     model_lr, value_lr, discount, learning, reward_bonus, scratch, t):
    """Agent i learns from the last tick: features ``x_old[i]``, action ``a``, now ``x_new[i]``.

    Per-agent arrays, indexed by i in place: x_old, x_new (n, P+1), prediction (n, P) (what
    the model predicted for action a), model (n, P+1, A·P), value (n, P+1), err_fast,
    err_slow (n, A), visits int32 (n, A) (how often each action was learned from); scratch
    row t. Scalars are float32.
    Updates the error traces of action a; if ``learning``, one normalised LMS step on action
    a's part of the model and one normalised TD(0) step on value[i] towards
    r + discount·V(x_new), with
        r = energy_weight · energy_gain + curiosity_weight · curiosity + reward_bonus
    (energy_gain in units of the reproduction threshold; curiosity = surprise or progress;
    reward_bonus: the affect term λ·g(e), 0 without affect).
    Returns float32 (surprise ‖x_new − prediction‖, learning progress of action a, reward).
    """
    p = prediction.shape[1]
    sq = _ZERO
    for k in range(p):
        e = x_new[i, k] - prediction[i, k]
        sq += e * e
    surprise = math.sqrt(sq)
    if visits[i, a] == 0:  # first time: start both averages here, so progress starts at 0
        err_fast[i, a] = surprise
        err_slow[i, a] = surprise
    visits[i, a] += 1
    err_fast[i, a] += k_fast * (surprise - err_fast[i, a])
    err_slow[i, a] += k_slow * (surprise - err_slow[i, a])
    progress = err_slow[i, a] - err_fast[i, a]
    curiosity = max(_ZERO, progress) if use_progress else surprise
    reward = clip(energy_weight * energy_gain + curiosity_weight * curiosity + reward_bonus,
                  REWARD_CLIP)
    if learning:
        # three sums in one pass: independent chains, so they overlap in the CPU
        norm = _ZERO
        v_old = _ZERO
        v_new = _ZERO
        for m in range(p + 1):
            norm += x_old[i, m] * x_old[i, m]
            v_old += value[i, m] * x_old[i, m]
            v_new += value[i, m] * x_new[i, m]
        step = _ONE / (_ONE + norm)  # normalisation: stable for rates < 2
        td = clip(reward + discount * v_new - v_old, REWARD_CLIP)
        value_step = value_lr * step * td
        for m in range(p + 1):
            value[i, m] = clip(value[i, m] + value_step * x_old[i, m], VALUE_CLIP)
        rate = model_lr * step
        for k in range(p):
            scratch[t, k] = rate * (x_new[i, k] - prediction[i, k])
        nudge(model, i, a * p, p, scratch, t, x_old, i)
    return surprise, progress, reward


@njit(cache=True, inline="always")
def nudge(model, i, first, p, scratch, t, x, j):
    """One normalised-LMS update of one action's block: model[i, m, first + k] +=
    scratch[t, k] * x[j, m] for every input m and output k < p, weights kept in ±MODEL_CLIP.
    model float32 (n, P+1, A·P), x float32 (rows, P+1).

    Row j of x is indexed in place: a row view as argument costs a reference count in and out
    of every call, more than the update itself. ``first`` (≥ 0) is clamped at 0 anyway: a
    signed index that might be negative gets numba's wrap-around select, and then LLVM does
    not vectorise the loop over k (replay, whose ``first`` comes from memory, ran ~30 % slower).
    """
    first = max(first, 0)  # never negative: see the docstring
    for m in range(x.shape[1]):
        xm = x[j, m]
        for k in range(p):
            model[i, m, first + k] = clip(model[i, m, first + k] + scratch[t, k] * xm,
                                          MODEL_CLIP)


@njit(cache=True, inline="always")
def imagine_and_choose(i, x, model, value, err_fast, err_slow, curiosity_weight, use_progress,
                       temperature, rng, scores, prediction, forced, scratch, t):
    """Agent i picks an action: each scored by the value of its imagined outcome plus curiosity.

    Per-agent arrays, indexed by i in place: x (n, P+1) features, model (n, P+1, A·P),
    value (n, P+1), err_fast, err_slow (n, A), rng uint64 (n, 3), scores float32 (n, A),
    prediction float32 (n, P); scratch row t receives the imagined outcomes. For each action
    a: x̂ = model[i, :, a·P:(a+1)·P]ᵀ · x[i], score = V([x̂, 1]) + curiosity_weight ·
    curiosity(a); then sample from softmax(score / temperature) with stream 0 of ``rng`` (one
    uniform draw, also when ``forced`` >= 0 dictates the action, so forcing an action never
    shifts the random stream). scores[i] ends holding the probabilities and prediction[i] the
    imagined outcome x̂ of the chosen action (what the model expects next).
    Returns (action, explored): explored is True when the action is not the best-scored one.

    The default features (P = 10) get their own copy with P known when the kernel is
    compiled: LLVM unrolls the five scores' sums, which then overlap (measured −12 % on
    ``think``).
    """
    p = prediction.shape[1]
    if p == SECTOR_INPUTS - 1:
        return _imagine_and_choose(i, x, model, value, err_fast, err_slow, curiosity_weight,
                                   use_progress, temperature, rng, scores, prediction, forced,
                                   scratch, t, SECTOR_INPUTS - 1)
    return _imagine_and_choose(i, x, model, value, err_fast, err_slow, curiosity_weight,
                               use_progress, temperature, rng, scores, prediction, forced,
                               scratch, t, p)


@njit(cache=True, inline="always")
def _imagine_and_choose(i, x, model, value, err_fast, err_slow, curiosity_weight, use_progress,
                        temperature, rng, scores, prediction, forced, scratch, t, p):
    """imagine_and_choose with the feature count ``p`` as an argument."""
    imagine_one(i, model, 0, model.shape[2], x, i, scratch, t)  # all actions at once
    best = np.float32(-np.inf)
    greedy = 0
    for a in range(N_ACTIONS):
        v = _ZERO
        for k in range(p):
            v += value[i, k] * scratch[t, a * p + k]
        scores[i, a] = (value[i, p] + v
                        + curiosity_weight * curiosity_of(err_fast, err_slow, i, a, use_progress))
        if scores[i, a] > best:  # compare the stored (float32) scores: the best weighs exactly 1
            best = scores[i, a]
            greedy = a
    inv_t = _ONE / temperature
    total = _ZERO
    for a in range(N_ACTIONS):
        w = math.exp((scores[i, a] - best) * inv_t)
        scores[i, a] = w
        total += w
    chosen = draw_index(scores, total, rng, i, 0)
    for a in range(N_ACTIONS):
        scores[i, a] /= total
    if forced >= 0:
        chosen = forced
    for k in range(p):  # the chosen action's outcome, as imagined above
        prediction[i, k] = scratch[t, chosen * p + k]
    return chosen, chosen != greedy


@njit(cache=True, inline="always")
def imagine_one(i, model, first, p, x, j, scratch, t):
    """scratch[t, k] = sum over m of model[i, m, first + k] · x[j, m], in index order, for
    k < p: the imagined next features of one action (first = a·P, p = P) or of all actions at
    once (first = 0, p = A·P). model (n, P+1, A·P), x (rows, P+1).

    The default features (sectors, P = 10) give 11 inputs: with that count known when the
    kernel is compiled, LLVM unrolls the sum over m and runs the loop over k as a vector loop
    (measured ~2x on the imagining). No fastmath: each output is still summed in order.
    ``first`` is clamped at 0 for the vectoriser, as in ``nudge``.
    """
    first = max(first, 0)
    if x.shape[1] == SECTOR_INPUTS:
        for k in range(p):
            acc = _ZERO
            for m in range(SECTOR_INPUTS):
                acc += model[i, m, first + k] * x[j, m]
            scratch[t, k] = acc
    else:
        for k in range(p):
            acc = _ZERO
            for m in range(x.shape[1]):
                acc += model[i, m, first + k] * x[j, m]
            scratch[t, k] = acc


def genes_of_model(model: np.ndarray) -> np.ndarray:
    """Models (n, P+1, A, P) in the genome's order (n, A, P, P+1) (a view)."""
    return model.transpose(0, 2, 3, 1)


# rows of AgentState.traits: the genes read every tick, decoded once at birth. First the
# scalar genes of the learner, then the affect genes: five coupling K-vectors (in the
# order of the C_ constants), beta (K x D, row-major) and three scalars.
TRAIT_TEMPERATURE, TRAIT_MODEL_LR, TRAIT_VALUE_LR, TRAIT_DISCOUNT, TRAIT_CURIOSITY = range(5)
TRAIT_NAMES = ("temperature", "model_lr", "value_lr", "discount", "curiosity_weight")
C_LEARNING, C_VALUE, C_MEMORY, C_TEMPERATURE, C_CURIOSITY = range(5)
N_COUPLINGS = 5
S_REWARD_COUPLING, S_MEMORY_SURPRISE, S_MEMORY_BIAS = range(3)


@njit(cache=True, inline="always")
def coupling_row(c, k_dims):
    """First traits row of coupling vector ``c`` (a C_ constant)."""
    return len(TRAIT_NAMES) + c * k_dims


@njit(cache=True, inline="always")
def beta_row(k_dims):
    """First traits row of the affect sensitivities beta (K x D)."""
    return len(TRAIT_NAMES) + N_COUPLINGS * k_dims


@njit(cache=True, inline="always")
def scalar_row(s, k_dims, n_drives):
    """Traits row of affect scalar ``s`` (an S_ constant)."""
    return len(TRAIT_NAMES) + N_COUPLINGS * k_dims + k_dims * n_drives + s


def n_traits(k_dims: int, n_drives: int) -> int:
    """Rows of AgentState.traits for K affect dimensions and D drives."""
    return len(TRAIT_NAMES) + N_COUPLINGS * k_dims + k_dims * n_drives + 3


@njit(cache=True)
def decode_traits(slot, agents, p):
    """agents.traits of ``slot`` from its genome: the genes read every tick, decoded (rows
    as the TRAIT_, C_ and S_ constants say; stored in lanes, alife.world.state)."""
    b = slot >> 3
    lane = slot & 7
    genome = agents.genome
    traits = agents.traits
    k_dims = agents.affect.shape[1]
    n_drives = agents.drives.shape[1]
    traits[b, TRAIT_TEMPERATURE, lane] = math.exp(genome[slot, p.g_log_temperature])
    traits[b, TRAIT_MODEL_LR, lane] = math.exp(genome[slot, p.g_log_model_lr])
    traits[b, TRAIT_VALUE_LR, lane] = math.exp(genome[slot, p.g_log_value_lr])
    traits[b, TRAIT_DISCOUNT, lane] = genome[slot, p.g_discount]
    traits[b, TRAIT_CURIOSITY, lane] = genome[slot, p.g_curiosity_weight]
    _copy_genes(traits, b, lane, coupling_row(C_LEARNING, k_dims), genome, slot,
                p.g_learning_coupling, k_dims)
    _copy_genes(traits, b, lane, coupling_row(C_VALUE, k_dims), genome, slot,
                p.g_value_coupling, k_dims)
    _copy_genes(traits, b, lane, coupling_row(C_MEMORY, k_dims), genome, slot,
                p.g_memory_coupling, k_dims)
    _copy_genes(traits, b, lane, coupling_row(C_TEMPERATURE, k_dims), genome, slot,
                p.g_temperature_coupling, k_dims)
    _copy_genes(traits, b, lane, coupling_row(C_CURIOSITY, k_dims), genome, slot,
                p.g_curiosity_coupling, k_dims)
    _copy_genes(traits, b, lane, beta_row(k_dims), genome, slot, p.g_affect_sensitivity,
                k_dims * n_drives)
    traits[b, scalar_row(S_REWARD_COUPLING, k_dims, n_drives), lane] = genome[
        slot, p.g_reward_coupling]
    traits[b, scalar_row(S_MEMORY_SURPRISE, k_dims, n_drives), lane] = genome[
        slot, p.g_memory_surprise]
    traits[b, scalar_row(S_MEMORY_BIAS, k_dims, n_drives), lane] = genome[slot, p.g_memory_bias]


@njit(cache=True)
def decode_all_traits(agents, p):
    """decode_traits for every slot that ever held an agent (id >= 0): an older checkpoint,
    which kept fewer traits. Slots never used keep zero traits, as in a fresh world."""
    for slot in range(agents.genome.shape[0]):
        if agents.id[slot] >= 0:
            decode_traits(slot, agents, p)


@njit(cache=True)
def start_learned_state(slot, agents, p):
    """Start the learned state of ``slot`` from its genome (birth: nothing learned yet).

    ``agents`` AgentState, ``p`` KernelParams (genome offsets). Also decodes the genes that
    are read every tick into ``agents.traits`` (so the per-tick kernels need no exp of
    log-genes, and read them in lanes). The learned state is stored in blocks of 8 slots
    (alife.world.state): slot s is [s >> 3, ..., s & 7].
    """
    decode_traits(slot, agents, p)
    b = slot >> 3
    lane = slot & 7
    genome = agents.genome
    k_dims = agents.affect.shape[1]
    n_drives = agents.drives.shape[1]
    model = agents.model  # (n/8, P+1, A, P, 8); the genes are in (A, P, P+1) order
    n_inputs, n_actions, n_features = model.shape[1], model.shape[2], model.shape[3]
    gene = p.g_model_init
    for a in range(n_actions):
        for k in range(n_features):
            for m in range(n_inputs):
                model[b, m, a, k, lane] = genome[slot, gene]
                gene += 1
    for k in range(agents.value.shape[1]):
        agents.value[b, k, lane] = genome[slot, p.g_value_init + k]
    for a in range(agents.err_fast.shape[1]):
        agents.err_fast[b, a, lane] = 0.0
        agents.err_slow[b, a, lane] = 0.0
        agents.visits[b, a, lane] = 0
    for k in range(k_dims):  # affect starts at rest, memory empty
        agents.affect[b, k, lane] = 0.0
        half_life = math.exp(genome[slot, p.g_affect_log_half_life + k])
        agents.affect_alpha[b, k, lane] = 0.5 ** (1.0 / half_life)
    for d in range(n_drives):
        agents.drives[b, d, lane] = 0.0
    for j in range(agents.mem_weight.shape[1]):
        agents.mem_weight[b, j, lane] = 0.0
    agents.write_weight[slot] = 0.0


@njit(cache=True, inline="always")
def _copy_genes(traits, b, lane, row, genome, slot, first, count):
    """traits[b, row + q, lane] = genome[slot, first + q] for q < count."""
    for q in range(count):
        traits[b, row + q, lane] = genome[slot, first + q]


@njit(cache=True)
def model_genes_of(model, slot, genes, first):
    """Write the world model of ``slot`` (model float32 (n/8, P+1, A, P, 8), in lanes) into
    ``genes`` float32 from index ``first`` on, in the genome's (A, P, P+1) order: the inverse
    of start_learned_state."""
    b = slot >> 3
    lane = slot & 7
    n_inputs, n_actions, n_features = model.shape[1], model.shape[2], model.shape[3]
    gene = first
    for a in range(n_actions):
        for k in range(n_features):
            for m in range(n_inputs):
                genes[gene] = model[b, m, a, k, lane]
                gene += 1


@njit(cache=True)
def start_learned_states(slots, agents, p):
    """start_learned_state for every slot in ``slots`` (int64 (k,)): the founders."""
    for j in range(slots.shape[0]):
        start_learned_state(slots[j], agents, p)

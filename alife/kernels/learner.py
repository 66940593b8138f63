"""The learner's state at birth: the genes read every tick (``traits``), and the learned
state started from the genome. The per-tick equations are in alife.kernels.mind.

Arrays of one agent (rows of AgentState), with P features, x̃ = [x, 1] (P + 1 inputs) and
A actions:
    model  float32 (P+1, A, P)  world model, input-major: predicted feature k after action a
                                is sum over m of model[m, a, k] · x̃[m]
    value  float32 (P+1,)       learned value V(x̃) = value · x̃
    reward_model float32 (P+1, A)   reward head: expected energy gain after action a
    error_fast, error_slow float32 (P+2, A)  error models: expected surprise after action a

Why input-major: choosing an action imagines the outcome of every action, A·P sums of P+1
products. With the input index outermost, row m of the model holds the A·P weights that
input m feeds, side by side, so the imagined outcomes of all actions are one vector loop
(each output summed over m in index order, the same float32 result as summing row by row).
The genome keeps the model's natural (A, P, P+1) order; ``genes_of_model`` and
``start_learned_state`` translate.

Learning (when on) is normalised LMS for the model and normalised TD(0) for the value, which
stay finite for any learning rate below 2 (the genes are capped at 1.5); inputs are bounded
(food and blocked in [0, 1], energy clipped at 4), rewards and TD errors are clipped.
"""

import math

import numpy as np
from numba import njit

# float32 constants: a float64 literal would promote the float32 arithmetic it touches
REWARD_CLIP = np.float32(10.0)
MODEL_CLIP = np.float32(100.0)
VALUE_CLIP = np.float32(1000.0)

SECTOR_INPUTS = 11  # P + 1 of the default (sectors) features (alife.kernels.mind.imagine8)


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


def genes_of_model(model: np.ndarray) -> np.ndarray:
    """Models (n, P+1, A, P) in the genome's order (n, A, P, P+1) (a view)."""
    return model.transpose(0, 2, 3, 1)


# rows of AgentState.traits: the genes read every tick, decoded once at birth. First the
# scalar genes of the learner, then the affect genes: five coupling K-vectors (in the
# order of the C_ constants), beta (K x D, row-major) and two scalars.
TRAIT_TEMPERATURE, TRAIT_MODEL_LR, TRAIT_VALUE_LR, TRAIT_DISCOUNT, TRAIT_CURIOSITY = range(5)
TRAIT_NAMES = ("temperature", "model_lr", "value_lr", "discount", "curiosity_weight")
C_LEARNING, C_VALUE, C_MEMORY, C_TEMPERATURE, C_CURIOSITY = range(5)
N_COUPLINGS = 5
S_MEMORY_SURPRISE, S_MEMORY_BIAS = range(2)


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
    return len(TRAIT_NAMES) + N_COUPLINGS * k_dims + k_dims * n_drives + 2


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
    traits[b, scalar_row(S_MEMORY_SURPRISE, k_dims, n_drives), lane] = genome[
        slot, p.g_memory_surprise]
    traits[b, scalar_row(S_MEMORY_BIAS, k_dims, n_drives), lane] = genome[slot, p.g_memory_bias]


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
    gene = p.g_reward_init  # the genes are in (A, P+1) order
    for a in range(n_actions):
        for m in range(n_inputs):
            agents.reward_model[b, m, a, lane] = genome[slot, gene]
            gene += 1
    agents.error_fast[b, :, :, lane] = 0.0  # nothing is expected to surprise yet
    agents.error_slow[b, :, :, lane] = 0.0
    agents.input_scale[b, :, lane] = 0.0
    agents.expected[b, :, lane] = 0.0
    agents.experience[slot] = 0
    for k in range(k_dims):  # affect starts at rest, memory empty
        agents.affect[b, k, lane] = 0.0
        agents.affect_u[b, k, lane] = 0.0
        half_life = math.exp(genome[slot, p.g_affect_log_half_life + k])
        agents.affect_alpha[b, k, lane] = 0.5 ** (1.0 / half_life)
    for d in range(n_drives):
        agents.drives[b, d, lane] = 0.0
        agents.drive_mean[b, d, lane] = 0.0
        agents.drive_var[b, d, lane] = 0.0
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
def learned_genes_of(agents, slot, genes, p):
    """Write what ``slot`` has learned (world model, value, reward head) into ``genes``
    float32 (G,) at their innate segments: a Lamarckian birth."""
    model_genes_of(agents.model, slot, genes, p.g_model_init)
    b = slot >> 3
    lane = slot & 7
    n_inputs = agents.value.shape[1]
    for m in range(n_inputs):
        genes[p.g_value_init + m] = agents.value[b, m, lane]
    gene = p.g_reward_init  # (A, P+1) order
    for a in range(agents.reward_model.shape[2]):
        for m in range(n_inputs):
            genes[gene] = agents.reward_model[b, m, a, lane]
            gene += 1


@njit(cache=True)
def start_learned_states(slots, agents, p):
    """start_learned_state for every slot in ``slots`` (int64 (k,)): the founders."""
    for j in range(slots.shape[0]):
        start_learned_state(slots[j], agents, p)

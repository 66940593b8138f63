"""The reference for alife.kernels.mind.think: the same model, one agent at a time.

tests/kernels/test_mind.py runs it on the states of real runs, given slot by slot (every
learned array as (n, *row), ``alife.world.state.agent_rows``), next to the lane kernel, and
requires bit-identical results. So every float32 operation here is the one a lane of the
kernel performs, in the same order: sums start at +0 and add their terms in index order,
float parameters are converted to float32 once, and there is no fused multiply-add (numba
emits none). Each agent touches only its own rows (and reads the grid).

The model, per agent and tick (P features x, x̃ = [x, 1], A actions, K affect dimensions,
D drives; the genes read every tick are in ``traits``, alife.kernels.learner):

sense      senses s of the (2r+1)² window; features x = F s (F as sparse rows), x̃ = [x, 1].
           An agent that acted last tick (a ≥ 0) counts one more tick of experience n and
           sees its energy gain g = (energy − prev_energy) / food.capacity and the crowding
           (blocked share of its window).
couplings  (affect e; each w a heritable K-vector)
             η = η0 · max(0, 1 + w_η · e)   (model and value rates alike)
             ω = ω0 · exp(w_v · e)   c = c0 · exp(w_c · e)   τ = τ0 · exp(w_τ · e)
learn      (a the last action, x̃_old the features it was chosen in, σ_old the last surprise,
           z̃ = [x̃_old, σ_old])
             σ = ‖x − x̂‖,  ê_f = E_f[a] · z̃,  ê_s = E_s[a] · z̃,  π = ê_s − ê_f
           (ê and R[:, a] · x̃_old as choose computed them last tick, kept in ``expected``: the
           heads have not changed since)
             r′ = clip(ω g + c κ),  κ = max(0, π) (progress) or σ (surprise)
           and with learning on, normalised LMS steps on preconditioned inputs: with k the
           drives' rate (feel), ν_m += k (z̃_m² − ν_m) (the running mean square of each input),
           ĝ_m = z̃_m / (ν_m + ε), h = 1 / (1 + Σ_{m ≤ P} x̃_old,m ĝ_m),
           h_z = 1 / (1 + Σ_{m ≤ P} x̃_old,m ĝ_m + σ_old ĝ_{P+1}):
             V += η_V h δ ĝ,  δ = clip(r′ + γ V · x̃ − V · x̃_old)
             W[:, a, :] += η h ĝ ⊗ (x − x̂)
             R[:, a] += η h (g − R[:, a] · x̃_old) ĝ
             E[:, a] += k h_z (σ − ê) ĝ   (E_f with k_f, E_s with k_s)
remember   ν = sigmoid(w_m · e + w_s σ + b) = (1 + tanh(½ (…))) / 2; (x̃_old, a, x) replaces
           the weakest of the M memories if ν is larger.
feel       drives Δ = (σ, g, r′ − r′_old, crowding, food underfoot, π); with
           k = max(1 / n, 1 / drive_scale_ticks):  μ += k (Δ − μ),  v ← (1 − k)(v + k (Δ − μ_old)²),
           Δ̃ = (Δ − μ) / √(v + ε); with affect on, per dimension
             u ← α u + (1 − α) β Δ̃,  e = tanh(u)
replay     every ``replay_every`` ticks of age: memories drawn by weight, each one normalised
           LMS step of W scaled by its weight.
choose     x̂_a = W[:, a, :] · x̃ for every action, Q(a) = ω R[:, a] · x̃ + γ V · [x̂_a, 1] + c κ_a,
           κ_a = E_f[a] · [x̃, σ] or max(0, (E_s[a] − E_f[a]) · [x̃, σ]) (σ = 0 for a newborn);
           draw from softmax(Q / τ) (or the scripted ``greedy`` / ``random`` weights); x̂ of the
           chosen action is the next prediction.

An agent that has not acted yet (a < 0, just born) only senses, computes its features and
chooses: it does not learn, remember, feel or report.
"""

import math

import numpy as np
from numba import njit, prange

from alife.kernels.learner import (
    C_CURIOSITY,
    C_LEARNING,
    C_MEMORY,
    C_TEMPERATURE,
    C_VALUE,
    MODEL_CLIP,
    REWARD_CLIP,
    S_MEMORY_BIAS,
    S_MEMORY_SURPRISE,
    TRAIT_CURIOSITY,
    TRAIT_DISCOUNT,
    TRAIT_MODEL_LR,
    TRAIT_TEMPERATURE,
    TRAIT_VALUE_LR,
    VALUE_CLIP,
    beta_row,
    clip,
    coupling_row,
    padded_rows,
    scalar_row,
)
from alife.kernels.mind import DRIVE_EPSILON, INPUT_EPSILON, POLICY_GREEDY, POLICY_RANDOM
from alife.kernels.rng import next_u64, next_uniform
from alife.kernels.sense import sense_agent

_ACTING_STREAM = 0  # columns of AgentState.rng: the draw of the action
_MEMORY_STREAM = 2  # and replay
_ZERO = np.float32(0.0)
_HALF = np.float32(0.5)
_ONE = np.float32(1.0)
_MINUS_TWO = np.float32(-2.0)
_MINUS_INF = np.float32(-np.inf)


@njit(cache=True, parallel=True)
def think(living, agents, grid, p, feature_map):
    """For every agent slot in ``living`` (int64 (n,)), in parallel: sense, learn from the last
    step, remember, feel, replay and pick an action (sets agents.action and .priority).

    agents: AgentState with every field slot by slot, (n, *row); grid: GridState (read only);
    p: KernelParams; feature_map float32 (P, S).
    """
    f_col, f_weight = padded_rows(feature_map)
    for j in prange(living.shape[0]):
        think_agent(living[j], agents, grid, p, f_col, f_weight)


@njit(cache=True)
def think_agent(i, agents, grid, p, f_col, f_weight):
    """One agent's tick, phase by phase (the module docstring)."""
    crowding = sense(i, agents, grid, p)
    compute_features(i, agents, f_col, f_weight)
    model_lr, value_lr, energy_weight, boldness, temperature = couplings(i, agents, p)
    surprise = _ZERO  # a newborn chooses as if nothing had surprised it
    last = agents.action[i]
    if last >= 0:  # it acted last tick: learn from what that led to
        rate = count_experience(i, agents, p)
        gain = (agents.energy[i] - agents.prev_energy[i]) * np.float32(p.inv_food_capacity)
        last_reward = agents.reward[i]
        last_surprise = agents.surprise[i]
        surprise, progress, reward = learn(i, agents, p, last, gain, last_surprise, rate,
                                           model_lr, value_lr, energy_weight, boldness)
        weight = remember(i, agents, last, surprise)
        feel(i, agents, p, rate, surprise, gain, reward - last_reward, crowding, progress)
        agents.surprise[i] = surprise
        agents.progress[i] = progress
        agents.reward[i] = reward
        agents.write_weight[i] = weight
        if p.learning and p.replay_samples > 0 and agents.age[i] % p.replay_every == 0:
            replay(i, agents, p.replay_samples, model_lr)
    choose(i, agents, p, surprise, energy_weight, boldness, temperature)


# ---------------------------------------------------------------------------------------------
# small float32 functions


@njit(cache=True, inline="always")
def max0(v):
    """max(0, v): v where v > 0, else +0 (also for NaN)."""
    return v if v > _ZERO else _ZERO


@njit(cache=True, inline="always")
def tanh32(v):
    """tanh through one exp: tanh|v| = (1 − t) / (1 + t), t = exp(−2|v|), with v's sign."""
    t = math.exp(_MINUS_TWO * abs(v))
    return math.copysign((_ONE - t) / (_ONE + t), v)


@njit(cache=True, inline="always")
def coupling(i, traits, first, affect):
    """w · e of agent i: w the K-vector at traits[i, first:first + K], e = affect[i]."""
    acc = _ZERO
    for k in range(affect.shape[1]):
        acc += traits[i, first + k] * affect[i, k]
    return acc


@njit(cache=True, inline="always")
def head_of(head, i, a, x, extra):
    """A linear head's output for action a: sum over m of head[i, m, a] · x[i, m], in order,
    then + head[i, P+1, a] · ``extra`` when the head has one input more than x (the error
    models' surprise input). head (n, Z, A), x (n, P+1)."""
    n_x = x.shape[1]
    acc = _ZERO
    for m in range(n_x):
        acc += head[i, m, a] * x[i, m]
    if head.shape[1] > n_x:
        acc += head[i, n_x, a] * extra
    return acc


@njit(cache=True, inline="always")
def nudge_head(head, i, a, g, coef):
    """One LMS step of a head on action a: head[i, m, a] += coef · g[m] (g: its inputs,
    preconditioned), kept in ±MODEL_CLIP."""
    for m in range(head.shape[1]):
        head[i, m, a] = clip(head[i, m, a] + coef * g[m], MODEL_CLIP)


# ---------------------------------------------------------------------------------------------
# phases


@njit(cache=True)
def sense(i, agents, grid, p):
    """senses[i] from the window around the agent; returns the crowding, the blocked share
    of the window (its own cell does not count)."""
    n_window = (2 * p.sense_radius + 1) ** 2
    n_blocked = sense_agent(i, agents.x[i], agents.y[i], agents.energy[i], grid.food,
                            grid.kind, grid.deal.shape[0], grid.signal, grid.hazard,
                            grid.obstacle, grid.occupancy, p.width,
                            p.height, p.torus, p.sense_radius, np.float32(p.inv_food_capacity),
                            np.float32(p.inv_energy_scale), p.noise_channel, p.hazard_channel,
                            agents.senses)
    return np.float32(n_blocked / n_window)


@njit(cache=True)
def count_experience(i, agents, p):
    """One more tick of experience n; returns the drives' running-average rate
    max(1 / n, 1 / drive_scale_ticks) (n counted first)."""
    agents.experience[i] += 1
    return max(_ONE / np.float32(agents.experience[i]), np.float32(p.k_drive_scale))


@njit(cache=True)
def compute_features(i, agents, f_col, f_weight):
    """features[i, k] = sum over q of f_weight[k, q] · senses[i, f_col[k, q]] (the feature map
    as sparse rows, in order; the padding adds ±0), and features[i, P] = 1."""
    senses, features = agents.senses, agents.features
    n_features = features.shape[1] - 1
    for k in range(n_features):
        acc = _ZERO
        for q in range(f_col.shape[1]):
            acc += f_weight[k, q] * senses[i, f_col[k, q]]
        features[i, k] = acc
    features[i, n_features] = _ONE


@njit(cache=True)
def couplings(i, agents, p):
    """Affect's couplings of agent i: (model learning rate η, value learning rate, energy
    weight ω, curiosity weight c, temperature τ)."""
    traits, affect = agents.traits, agents.affect
    k_dims = affect.shape[1]
    learn_scale = max0(_ONE + coupling(i, traits, coupling_row(C_LEARNING, k_dims), affect))
    model_lr = traits[i, TRAIT_MODEL_LR] * learn_scale
    value_lr = traits[i, TRAIT_VALUE_LR] * learn_scale
    energy_weight = np.float32(p.energy_weight) * math.exp(
        coupling(i, traits, coupling_row(C_VALUE, k_dims), affect))
    boldness = traits[i, TRAIT_CURIOSITY] * math.exp(
        coupling(i, traits, coupling_row(C_CURIOSITY, k_dims), affect))
    temperature = traits[i, TRAIT_TEMPERATURE] * math.exp(
        coupling(i, traits, coupling_row(C_TEMPERATURE, k_dims), affect))
    return model_lr, value_lr, energy_weight, boldness, temperature


@njit(cache=True)
def learn(i, agents, p, a, gain, last_surprise, rate, model_lr, value_lr, energy_weight,
          boldness):
    """Agent i learns from its last action a: surprise σ, what its error models expected
    of it (progress π = ê_s − ê_f) and the reward r′; then, with learning on, one normalised
    LMS step of value (TD(0)), world model, reward head and error models on the inputs
    z̃ = [x̃_old, σ_old] preconditioned by their running mean square (``rate``: the drives'
    rate k). Returns (σ, π, r′)."""
    x_old, x_new, prediction = agents.prev_features, agents.features, agents.prediction
    n_inputs = x_new.shape[1]
    n_features = n_inputs - 1
    sq = _ZERO
    for k in range(n_features):
        e = x_new[i, k] - prediction[i, k]
        sq += e * e
    surprise = math.sqrt(sq)
    r_old, expect_fast, expect_slow = agents.expected[i]  # as choose saw them (heads unchanged)
    progress = expect_slow - expect_fast
    curiosity = max0(progress) if p.use_progress else surprise
    reward = clip(energy_weight * gain + boldness * curiosity, REWARD_CLIP)
    if not p.learning:
        return surprise, progress, reward
    # preconditioned inputs: ν_m += k (z̃_m² − ν_m), ĝ_m = z̃_m / (ν_m + ε)
    scale = agents.input_scale
    n_scaled = scale.shape[1]
    g = np.empty(n_scaled, np.float32)
    norm = _ZERO
    for m in range(n_scaled):
        z = x_old[i, m] if m < n_inputs else last_surprise
        nu = scale[i, m] + rate * (z * z - scale[i, m])
        scale[i, m] = nu
        g[m] = z / (nu + INPUT_EPSILON)
        if m < n_inputs:
            norm += z * g[m]
    step = _ONE / (_ONE + norm)
    step_z = _ONE / (_ONE + norm + last_surprise * g[n_inputs])
    # value: V += η_V h δ ĝ, δ = clip(r′ + γ V·x̃ − V·x̃_old)
    value = agents.value
    v_old = _ZERO
    v_new = _ZERO
    for m in range(n_inputs):
        v_old += value[i, m] * x_old[i, m]
        v_new += value[i, m] * x_new[i, m]
    discount = agents.traits[i, TRAIT_DISCOUNT]
    td = clip(reward + discount * v_new - v_old, REWARD_CLIP)
    value_step = value_lr * step * td
    for m in range(n_inputs):
        value[i, m] = clip(value[i, m] + value_step * g[m], VALUE_CLIP)
    # world model, action a: W[m, a, k] += η h (x_k − x̂_k) ĝ_m
    model_rate = model_lr * step
    coef = np.empty(n_features, np.float32)
    for k in range(n_features):
        coef[k] = model_rate * (x_new[i, k] - prediction[i, k])
    model = agents.model
    for m in range(n_inputs):
        for k in range(n_features):
            model[i, m, a, k] = clip(model[i, m, a, k] + coef[k] * g[m], MODEL_CLIP)
    # reward head, action a: towards the gain
    nudge_head(agents.reward_model, i, a, g, model_rate * (gain - r_old))
    # error models, action a: towards the surprise that followed
    nudge_head(agents.error_fast, i, a, g,
               np.float32(p.k_fast) * step_z * (surprise - expect_fast))
    nudge_head(agents.error_slow, i, a, g,
               np.float32(p.k_slow) * step_z * (surprise - expect_slow))
    return surprise, progress, reward


@njit(cache=True)
def remember(i, agents, a, surprise):
    """Write weight ν = sigmoid(w_m · e + w_s σ + b); (x̃_old, a, x) replaces the weakest
    memory (the first of the lightest) if ν is larger. Returns ν."""
    traits, affect = agents.traits, agents.affect
    k_dims = affect.shape[1]
    n_drives = agents.drives.shape[1]
    drive = coupling(i, traits, coupling_row(C_MEMORY, k_dims), affect)
    surprise_weight = traits[i, scalar_row(S_MEMORY_SURPRISE, k_dims, n_drives)]
    bias = traits[i, scalar_row(S_MEMORY_BIAS, k_dims, n_drives)]
    weight = _HALF * (_ONE + tanh32(_HALF * (drive + surprise_weight * surprise + bias)))
    mem_weight = agents.mem_weight
    n_memory = mem_weight.shape[1]
    if n_memory == 0:
        return weight
    weakest = 0
    for j in range(1, n_memory):
        if mem_weight[i, j] < mem_weight[i, weakest]:
            weakest = j
    if weight <= mem_weight[i, weakest]:
        return weight
    mem_weight[i, weakest] = weight
    agents.mem_action[i, weakest] = a
    for k in range(agents.mem_x.shape[2]):
        agents.mem_x[i, weakest, k] = agents.prev_features[i, k]
    for k in range(agents.mem_next.shape[2]):
        agents.mem_next[i, weakest, k] = agents.features[i, k]
    return weight


@njit(cache=True)
def feel(i, agents, p, rate, surprise, gain, reward_change, crowding, progress):
    """The drives, standardised by their running mean μ and variance v (kept also with
    affect off), then, with affect on, the leaky integral u of each affect dimension and
    e = tanh(u)."""
    drives, mean, var = agents.drives, agents.drive_mean, agents.drive_var
    n_drives = drives.shape[1]
    n_window = (2 * p.sense_radius + 1) ** 2
    drives[i, 0] = surprise
    drives[i, 1] = gain
    drives[i, 2] = reward_change
    drives[i, 3] = crowding
    n_kinds = ((agents.senses.shape[1] - 1) // n_window - 1 - int(p.noise_channel)
               - int(p.hazard_channel))
    underfoot = _ZERO  # food underfoot, of any kind (each kind's channel in turn)
    for c in range(n_kinds):
        underfoot += agents.senses[i, c * n_window + n_window // 2]
    drives[i, 4] = underfoot
    drives[i, 5] = progress
    keep = _ONE - rate
    standard = np.empty(n_drives, np.float32)
    for d in range(n_drives):  # Δ̃ = (Δ − μ) / √(v + ε)
        x = drives[i, d]
        diff = x - mean[i, d]
        mu = mean[i, d] + rate * diff
        v = keep * (var[i, d] + rate * (diff * diff))
        mean[i, d] = mu
        var[i, d] = v
        standard[d] = (x - mu) / math.sqrt(v + DRIVE_EPSILON)
    if not p.affect_on:
        return
    traits, alpha = agents.traits, agents.affect_alpha
    k_dims = agents.affect.shape[1]
    first = beta_row(k_dims)
    for k in range(k_dims):  # u ← α u + (1 − α) β Δ̃, e = tanh(u)
        pull = _ZERO
        for d in range(n_drives):
            pull += traits[i, first + k * n_drives + d] * standard[d]
        u = alpha[i, k] * agents.affect_u[i, k] + (_ONE - alpha[i, k]) * pull
        agents.affect_u[i, k] = u
        agents.affect[i, k] = tanh32(u)


@njit(cache=True)
def replay(i, agents, samples, lr):
    """``samples`` memories drawn by weight (stream 2 of rng[i]), each one normalised-LMS step
    of the world model on its action, scaled by its weight: W[m, a, k] += lr ν (x′_k −
    W[:, a, k] · x̃) x̃_m / (1 + ‖x̃‖²), kept in ±MODEL_CLIP."""
    mem_x, mem_next, mem_action, mem_weight = (agents.mem_x, agents.mem_next,
                                               agents.mem_action, agents.mem_weight)
    model = agents.model
    n_inputs = model.shape[1]
    n_features = model.shape[3]
    n_memory = mem_weight.shape[1]
    total = 0.0  # float64, as the draws
    for j in range(n_memory):
        total += mem_weight[i, j]
    if total <= 0.0:
        return
    coef = np.empty(n_features, np.float32)
    for _ in range(samples):
        u = next_uniform(agents.rng, i, _MEMORY_STREAM) * total
        acc = 0.0
        pick = n_memory - 1
        for j in range(n_memory - 1):
            acc += mem_weight[i, j]
            if u < acc:
                pick = j
                break
        a = max(0, int(mem_action[i, pick]))
        norm = _ONE
        for m in range(n_inputs):
            norm += mem_x[i, pick, m] * mem_x[i, pick, m]
        step = lr * mem_weight[i, pick] / norm
        for k in range(n_features):
            imagined = _ZERO
            for m in range(n_inputs):
                imagined += model[i, m, a, k] * mem_x[i, pick, m]
            coef[k] = step * (mem_next[i, pick, k] - imagined)
        for m in range(n_inputs):
            for k in range(n_features):
                model[i, m, a, k] = clip(model[i, m, a, k] + coef[k] * mem_x[i, pick, m],
                                         MODEL_CLIP)


@njit(cache=True)
def choose(i, agents, p, surprise, energy_weight, boldness, temperature):
    """Imagine every action's outcome x̂_a, score it Q(a) = ω R[:, a] · x̃ + γ V · [x̂_a, 1]
    + c κ_a, draw the action (stream 0 of rng[i]) and keep x̂ of the chosen action as the
    next prediction; x̃ becomes x̃_old."""
    features, value, traits = agents.features, agents.value, agents.traits
    n_inputs = features.shape[1]
    n_features = n_inputs - 1
    n_actions = agents.reward_model.shape[2]
    model = agents.model
    imagined = np.empty((n_actions, n_features), np.float32)
    for a in range(n_actions):
        for k in range(n_features):
            acc = _ZERO
            for m in range(n_inputs):
                acc += model[i, m, a, k] * features[i, m]
            imagined[a, k] = acc
    discount = traits[i, TRAIT_DISCOUNT]
    scores = np.empty(n_actions, np.float32)
    expected = np.empty((n_actions, 3), np.float32)  # gain, surprise (fast, slow) per action
    best = _MINUS_INF
    greedy = 0
    for a in range(n_actions):
        v = value[i, n_features]  # the bias first, then the imagined features
        for k in range(n_features):
            v += value[i, k] * imagined[a, k]
        gain = head_of(agents.reward_model, i, a, features, _ZERO)
        fast = head_of(agents.error_fast, i, a, features, surprise)
        slow = head_of(agents.error_slow, i, a, features, surprise)
        pull = max0(slow - fast) if p.use_progress else fast
        expected[a, 0] = gain
        expected[a, 1] = fast
        expected[a, 2] = slow
        scores[a] = energy_weight * gain + discount * v + boldness * pull
        if scores[a] > best:
            best = scores[a]
            greedy = a
    weights = np.empty(n_actions, np.float32)
    total = policy_weights(i, agents, p, scores, best, temperature, weights)
    draw(i, agents, weights, total, imagined, expected, greedy)
    for m in range(n_inputs):
        agents.prev_features[i, m] = features[i, m]


@njit(cache=True)
def policy_weights(i, agents, p, scores, best, temperature, weights):
    """The actions' unnormalised choice weights into ``weights``; returns their sum.
    learned: exp((Q − max Q) / τ); greedy: 1 for the actions whose food feature (features
    0..A-1: here, N, E, S, W) is the largest, else 0; random: 1 each."""
    features = agents.features
    n_actions = weights.shape[0]
    total = _ZERO
    if p.policy == POLICY_GREEDY:
        richest = features[i, 0]
        for a in range(1, n_actions):
            if features[i, a] > richest:
                richest = features[i, a]
        for a in range(n_actions):
            weights[a] = _ZERO if features[i, a] < richest else _ONE
            total += weights[a]
        return total
    if p.policy == POLICY_RANDOM:
        for a in range(n_actions):
            weights[a] = _ONE
            total += weights[a]
        return total
    inv_t = _ONE / temperature
    for a in range(n_actions):
        weights[a] = math.exp((scores[a] - best) * inv_t)
        total += weights[a]
    return total


@njit(cache=True)
def draw(i, agents, weights, total, imagined, expected, greedy):
    """Draw the action by ``weights`` (one uniform of stream 0, also when ``forced_action``
    dictates it); store the probabilities, the chosen action's imagined outcome as the next
    prediction, whether it was not the best-scored one, and a fresh move priority."""
    rng = agents.rng
    n_actions = weights.shape[0]
    u = next_uniform(rng, i, _ACTING_STREAM) * total  # float64
    acc = 0.0
    chosen = n_actions - 1
    for a in range(n_actions - 1):
        acc += weights[a]
        if u < acc:
            chosen = a
            break
    for a in range(n_actions):
        agents.action_prob[i, a] = weights[a] / total
    if agents.forced_action[i] >= 0:
        chosen = agents.forced_action[i]
    for k in range(imagined.shape[1]):
        agents.prediction[i, k] = imagined[chosen, k]
    for j in range(3):  # what the heads expect of it: learn reads them next tick
        agents.expected[i, j] = expected[chosen, j]
    agents.explored[i] = chosen != greedy
    agents.prev_energy[i] = agents.energy[i]
    agents.action[i] = chosen
    agents.priority[i] = next_u64(rng, i, _ACTING_STREAM)

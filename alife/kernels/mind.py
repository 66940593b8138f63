"""``think``: what every agent does with its senses each tick, eight agents at a time.

The model, per agent and tick t (all float32; P features x, x̃ = [x, 1], A actions; the genes
are decoded at birth into ``traits``, alife.kernels.learner):

sense     senses s_t of the (2r+1)² window (alife.kernels.sense); features x_t = F s_t.
feel the  gain g = (energy_t − energy_{t−1}) / food.capacity: energy in the unit of the food
world     senses (a birth is a transfer, not a loss: the parent's energy_{t−1} is lowered by
          what it gave). Surprise σ = ‖x_t − x̂_t‖, x̂_t what the world model predicted.
couplings (affect e, each w a heritable K-vector; every coupling is inert at e = 0)
            temperature τ = τ0 · exp(w_τ · e)        learning rate η = η0 · max(0, 1 + w_η · e)
            energy weight ω = ω0 · exp(w_v · e)      curiosity weight c = c0 · exp(w_c · e)
learn     (a = the last action, z̃ = [x̃_{t−1}, σ_{t−1}] the situation it was taken in)
            expected surprise ê_f = E_f[a] · z̃, ê_s = E_s[a] · z̃ (error models, fast and slow)
            progress π = ê_s − ê_f; curiosity κ = σ (``surprise``) or max(0, π) (``progress``)
            reward  r′ = clip(ω · g + c · κ)
          each a normalised LMS step on preconditioned inputs: with ν_m the agent's running mean
          of z̃_m² (rate k, below) and ĝ_m = z̃_m / (ν_m + ε), n = 1 + Σ_{m ≤ P} x̃_m ĝ_m,
          n_z = n + σ_{t−1} ĝ_{P+1}:
            value   V += η_V · δ · ĝ / n,  δ = clip(r′ + γ V(x̃_t) − V(x̃_{t−1}))     (TD(0))
            model   W[a] += η · (x_t − x̂_t) ĝᵀ / n
            reward head R[a] += η · (g − R[a] · x̃_{t−1}) ĝ / n
            error models E_f[a] += k_f · (σ − ê_f) ĝ / n_z, E_s likewise with k_s
          (stable for any rate below 2; sparse senses learn as fast as the bias)
remember  write weight ν = sigmoid(w_m · e + w_s σ + b); (x̃_{t−1}, a, x_t) replaces the weakest
          of M memories if it weighs more; every ``replay_every`` ticks, memories drawn by
          weight train W (alife.kernels.mind.replay_lane).
feel      drives Δ = (σ, g, r′_t − r′_{t−1}, crowding, food underfoot, π), each standardised
          by the agent's own running mean and variance: Δ̃ = (Δ − μ) / √(v + ε), with
          μ += k (Δ − μ), v ← (1 − k)(v + k (Δ − μ_old)²), k = max(1 / n, 1 / drive_scale_ticks)
          after n ticks of experience. Then, per dimension, a leaky integral squashed once:
            u ← α u + (1 − α) β Δ̃,   e = tanh(u),   α = 0.5^(1 / half-life)
          so a step of Δ̃ moves u half-way in one half-life, towards β Δ̃.
choose    imagine x̂_a = W[a] x̃_t for every action and score it
            Q(a) = ω · R[a] · x̃_t + γ · V([x̂_a, 1]) + c · κ_a,
            κ_a = E_f[a] · z (surprise) or max(0, (E_s[a] − E_f[a]) · z) (progress), z = [x̃_t, σ_t]
          and draw from softmax(Q / τ) (``learner.policy: learned``; ``greedy`` and ``random``
          are the scripted controls). x̂ of the chosen action is the next prediction.

Nothing branches on affect values: affect acts only through the smooth couplings above.

Layout: agent slots are grouped in blocks of LANES = 8 (block b holds slots 8b .. 8b+7), and
the learned state is stored block by block with the lane last (alife.world.state): eight
agents' values of one quantity are adjacent, and one vector instruction (alife.kernels.simd)
serves all eight. Per lane and scalar: sensing, replay and the draw of the action. The
one-agent-at-a-time twin in tests/kernels/reference/ pins every operation bit for bit. Lanes
of slots that hold no living agent are computed but never stored.
"""

import numpy as np
from numba import njit, prange
from numba.core import types
from numba.experimental import structref

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
    SECTOR_INPUTS,
    TRAIT_CURIOSITY,
    TRAIT_DISCOUNT,
    TRAIT_MODEL_LR,
    TRAIT_TEMPERATURE,
    TRAIT_VALUE_LR,
    VALUE_CLIP,
    beta_row,
    coupling_row,
    padded_rows,
    scalar_row,
)
from alife.kernels.prefetch import _prefetch, prefetch_bytes
from alife.kernels.rng import next_u64, next_uniform
from alife.kernels.sense import sense_agent
from alife.kernels.simd import (
    LANES,
    abs8,
    add8,
    and8,
    clip8,
    copysign8,
    div8,
    eq8,
    exp8,
    gt8,
    lane8,
    load8,
    lt8,
    max0_8,
    mul8,
    select8,
    splat8,
    sqrt8,
    store8,
    sub8,
    ugt8,
    with_lane8,
)

POLICY_LEARNED, POLICY_GREEDY, POLICY_RANDOM = range(3)  # KernelParams.policy
DRIVE_EPSILON = np.float32(1e-6)  # added to a drive's variance before standardising
INPUT_EPSILON = np.float32(1e-2)  # added to an input's mean square before preconditioning
_MEMORY_STREAM = 2  # column of AgentState.rng used for replay draws
_CHUNKS = 64  # blocks are shared out among the threads in this many chunks


@njit(cache=True, parallel=True)
def think(blocks, agents, grid, p, feature_map):
    """For every block in ``blocks`` (int64 (nb,): the blocks of 8 slots that hold a living
    agent), in parallel: sense, learn from the last step, remember, feel and pick an action
    for the living agents of the block (sets agents.action and .priority); the module
    docstring gives the equations.

    agents: AgentState (its learned state in lanes, alife.world.state), grid: GridState (read
    only), p: KernelParams, feature_map float32 (P, S). Each block touches only its own
    agents' rows and lanes.
    """
    n_blocks = blocks.shape[0]
    f_col, f_weight = padded_rows(feature_map)
    scratch = chunk_scratch(agents)
    n_chunks = max(1, min(n_blocks, _CHUNKS))
    params = ParamsHandle(p)
    for t in prange(n_chunks):
        start = t * n_blocks // n_chunks
        stop = (t + 1) * n_blocks // n_chunks
        chunk_p = params.p
        for j in range(start, stop):
            ahead = blocks[j + 1] if j + 1 < stop else blocks[j]
            think_block(blocks[j], ahead, agents, grid, chunk_p, f_col, f_weight, scratch[t])


@structref.register
class ParamsHandleType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class ParamsHandle(structref.StructRefProxy):
    """KernelParams behind one pointer for think's parallel loop: numba hands a prange loop
    every variable it uses one by one, and the cost of compiling that grows faster than the
    number of arguments (~120 arrays and scalars: ~13 s); the 62 scalars of KernelParams are
    the part that can travel by pointer at no cost to the tick."""


structref.define_proxy(ParamsHandle, ParamsHandleType, ["p"])


@njit(cache=True, inline="always")
def chunk_scratch(agents):
    """Scratch float32 (chunks, rows · 8 + 16) for think's chunks: rows for the imagined
    outcomes (A·P), which learning uses before for its update coefficients and preconditioned
    inputs (2P + 2); then the actions' scores and weights (A) and what the heads expect of
    each action (3A). (+ 16: rows of different chunks apart in memory.)"""
    n_inputs = agents.features.shape[1]
    n_actions = agents.reward_model.shape[2]
    rows = n_actions * (n_inputs - 1) + max(n_inputs, 4 * n_actions)
    return np.empty((_CHUNKS, rows * LANES + 16), np.float32)


@njit(cache=True)
def think_block(b, ahead, agents, grid, p, f_col, f_weight, work):
    """One block's tick, phase by phase; ``ahead``: the block that comes next (prefetched),
    ``work`` float32 scratch of the chunk. A call of its own (~0.1 µs, against the block's
    ~5 µs): the parallel loop stays small and compiles fast; the phases are inlined here."""
    fetch_learned(agents, ahead)
    (live, learned, last, gain, crowding, last_reward, last_surprise,
     rate) = sense_block(b, agents, grid, p)
    compute_features8(b, agents, f_col, f_weight, live)
    (model_lr, value_lr, energy_weight, boldness,
     temperature) = couplings8(b, agents, p)
    surprise, progress, reward = learn8(b, ahead, agents, p, learned, last, gain,
                                        last_surprise, rate, model_lr, value_lr, energy_weight,
                                        boldness, work)
    fetch_memory(agents, ahead)
    weight = remember8(b, agents, learned, last, surprise)
    feel8(b, agents, p, learned, surprise, gain, reward, last_reward, crowding, progress,
          rate, work, grid.deal.shape[0])
    report_and_replay(b, agents, p, surprise, progress, reward, weight, model_lr, work)
    fetch_choice(agents, ahead)
    choose8(b, agents, p, live, select8(learned, surprise, splat8(0.0)), energy_weight,
            boldness, temperature, work)


# ---------------------------------------------------------------------------------------------
# phases


@njit(cache=True, inline="always")
def sense_block(b, agents, grid, p):
    """Sense, per lane: write each living agent's senses, count its experience, and gather
    what the vector phases need of its scalars. Returns (live, learned) masks (living lanes;
    those that acted last tick, which learn now) and lane vectors: the last action, the energy
    gain g (food units), crowding (blocked share of the window), the last reward and surprise,
    and the drives' running-average rate max(1 / n, 1 / drive_scale_ticks)."""
    alive, action, energy, prev_energy = agents.alive, agents.action, agents.energy, \
        agents.prev_energy
    n_window = (2 * p.sense_radius + 1) ** 2
    inv_food_capacity = np.float32(p.inv_food_capacity)
    inv_energy_scale = np.float32(p.inv_energy_scale)
    k_scale = splat8(np.float32(p.k_drive_scale))
    zero = splat8(0.0)
    live_flag = zero  # lane flags as 1.0 / 0.0, turned into masks at the end
    learned_flag = zero
    last = zero
    gain = zero
    crowding = zero
    last_reward = zero
    last_surprise = zero
    seen = splat8(1.0)  # ticks of experience n (1 in lanes that do not learn)
    window = agents.senses[b].T  # (8, S): row ``lane`` is the senses of slot 8b + lane
    for lane in range(LANES):
        i = b * LANES + lane
        if not alive[i]:
            continue
        live_flag = with_lane8(live_flag, lane, 1.0)
        n_blocked = sense_agent(lane, agents.x[i], agents.y[i], energy[i], grid.food,
                                grid.kind, grid.deal.shape[0], grid.signal, grid.hazard,
                                grid.obstacle, grid.occupancy,
                                p.width, p.height, p.torus, p.sense_radius, inv_food_capacity,
                                inv_energy_scale, p.noise_channel, p.hazard_channel, window)
        a = action[i]
        if a >= 0:
            learned_flag = with_lane8(learned_flag, lane, 1.0)
            last = with_lane8(last, lane, a)
            agents.experience[i] += 1
            seen = with_lane8(seen, lane, np.float32(agents.experience[i]))
            gain = with_lane8(gain, lane, (energy[i] - prev_energy[i]) * inv_food_capacity)
            crowding = with_lane8(crowding, lane, np.float32(n_blocked / n_window))
            last_reward = with_lane8(last_reward, lane, agents.reward[i])
            last_surprise = with_lane8(last_surprise, lane, agents.surprise[i])
    live = gt8(live_flag, zero)
    learned = and8(live, gt8(learned_flag, zero))
    rate = div8(splat8(1.0), seen)
    rate = select8(gt8(rate, k_scale), rate, k_scale)  # max(1 / n, k), as numba's max
    return live, learned, last, gain, crowding, last_reward, last_surprise, rate


@njit(cache=True, inline="always")
def compute_features8(b, agents, f_col, f_weight, live):
    """features = feature_map @ senses (the map as sparse rows, ``padded_rows``), and the
    bias input 1, for the living lanes."""
    senses, features = agents.senses, agents.features
    n_inputs = features.shape[1]
    n_senses = senses.shape[1]
    for k in range(n_inputs - 1):
        acc = splat8(0.0)
        for q in range(f_col.shape[1]):
            acc = add8(acc, mul8(splat8(f_weight[k, q]),
                                 load8(senses, row8(b, f_col[k, q], n_senses))))
        store_where(features, row8(b, k, n_inputs), live, acc)
    store_where(features, row8(b, n_inputs - 1, n_inputs), live, splat8(1.0))


@njit(cache=True, inline="always")
def couplings8(b, agents, p):
    """Affect's couplings: (model learning rate η, value learning rate, energy weight ω,
    curiosity weight c, temperature τ) of every lane."""
    traits, affect = agents.traits, agents.affect
    n_traits = traits.shape[1]
    k_dims = affect.shape[1]
    one = splat8(1.0)
    learn_scale = max0_8(add8(one, coupling8(traits, b, n_traits,
                                             coupling_row(C_LEARNING, k_dims), affect, k_dims)))
    model_lr = mul8(load8(traits, row8(b, TRAIT_MODEL_LR, n_traits)), learn_scale)
    value_lr = mul8(load8(traits, row8(b, TRAIT_VALUE_LR, n_traits)), learn_scale)
    energy_weight = mul8(splat8(np.float32(p.energy_weight)), exp8(coupling8(
        traits, b, n_traits, coupling_row(C_VALUE, k_dims), affect, k_dims)))
    boldness = mul8(load8(traits, row8(b, TRAIT_CURIOSITY, n_traits)), exp8(coupling8(
        traits, b, n_traits, coupling_row(C_CURIOSITY, k_dims), affect, k_dims)))
    temperature = mul8(load8(traits, row8(b, TRAIT_TEMPERATURE, n_traits)), exp8(coupling8(
        traits, b, n_traits, coupling_row(C_TEMPERATURE, k_dims), affect, k_dims)))
    return model_lr, value_lr, energy_weight, boldness, temperature


@njit(cache=True, inline="always")
def learn8(b, ahead, agents, p, learned, last, gain, last_surprise, rate, model_lr, value_lr,
           energy_weight, boldness, work):
    """Learn from what the last action led to: surprise, the error models' expectation of it
    and the reward; then (``learner.learning``) one step of value, world model, reward head
    and error models for the learned lanes. Returns (surprise σ, progress π, reward r′)."""
    features, prediction, prev = agents.features, agents.prediction, agents.prev_features
    n_inputs = features.shape[1]
    n_features = n_inputs - 1
    zero = splat8(0.0)
    one = splat8(1.0)
    sq = zero
    for k in range(n_features):
        e = sub8(load8(features, row8(b, k, n_inputs)), load8(prediction, row8(b, k, n_features)))
        sq = add8(sq, mul8(e, e))
    surprise = sqrt8(sq)
    # what the heads expected of the last action when it was chosen (choose8 kept them; the
    # heads have not changed since)
    expected = agents.expected
    r_old = load8(expected, row8(b, 0, 3))
    expect_fast = load8(expected, row8(b, 1, 3))
    expect_slow = load8(expected, row8(b, 2, 3))
    progress = sub8(expect_slow, expect_fast)
    curiosity = max0_8(progress) if p.use_progress else surprise
    reward = clip8(add8(mul8(energy_weight, gain), mul8(boldness, curiosity)), REWARD_CLIP)
    if not p.learning:
        return surprise, progress, reward
    # every learner's step is normalised LMS on its inputs whitened by their running mean
    # square ν (a diagonal preconditioner): input m counts as z_m / (ν_m + ε), so sparse food
    # senses learn as fast as the bias. Work rows P .. 2P+1 hold these preconditioned inputs.
    g_at = n_features
    scale = agents.input_scale
    n_scaled = scale.shape[1]
    epsilon = splat8(INPUT_EPSILON)
    norm = zero
    for m in range(n_scaled):
        z = load8(prev, row8(b, m, n_inputs)) if m < n_inputs else last_surprise
        at = row8(b, m, n_scaled)
        nu_old = load8(scale, at)
        nu = add8(nu_old, mul8(rate, sub8(mul8(z, z), nu_old)))
        store_where(scale, at, learned, nu)
        g = div8(z, add8(nu, epsilon))
        store8(work, (g_at + m) * LANES, g)
        if m < n_inputs:
            norm = add8(norm, mul8(z, g))
    step = div8(one, add8(one, norm))
    step_z = div8(one, add8(add8(one, norm), mul8(last_surprise, load8(
        work, (g_at + n_inputs) * LANES))))
    v_old = zero
    v_new = zero
    value = agents.value
    for m in range(n_inputs):
        w = load8(value, row8(b, m, n_inputs))
        v_old = add8(v_old, mul8(w, load8(prev, row8(b, m, n_inputs))))
        v_new = add8(v_new, mul8(w, load8(features, row8(b, m, n_inputs))))
    discount = load8(agents.traits, row8(b, TRAIT_DISCOUNT, agents.traits.shape[1]))
    td = clip8(sub8(add8(reward, mul8(discount, v_new)), v_old), REWARD_CLIP)
    value_step = mul8(mul8(value_lr, step), td)
    for m in range(n_inputs):
        at = row8(b, m, n_inputs)
        w = load8(value, at)
        store8(value, at, select8(learned, clip8(
            add8(w, mul8(value_step, load8(work, (g_at + m) * LANES))), VALUE_CLIP), w))
    model_rate = mul8(model_lr, step)
    for k in range(n_features):
        store8(work, k * LANES, mul8(model_rate, sub8(
            load8(features, row8(b, k, n_inputs)), load8(prediction, row8(b, k, n_features)))))
    nudge_model(b, ahead, agents.model, work, g_at, learned, last)
    # the reward head: one step towards the gain, on the taken action
    store8(work, 0, mul8(model_rate, sub8(gain, r_old)))
    nudge_head(agents.reward_model, b, work, 0, g_at, learned, last)
    # the error models: towards the surprise that followed, inputs z̃ = [x̃_old, σ_old]
    store8(work, 0, mul8(mul8(splat8(np.float32(p.k_fast)), step_z),
                         sub8(surprise, expect_fast)))
    store8(work, LANES, mul8(mul8(splat8(np.float32(p.k_slow)), step_z),
                             sub8(surprise, expect_slow)))
    nudge_head(agents.error_fast, b, work, 0, g_at, learned, last)
    nudge_head(agents.error_slow, b, work, LANES, g_at, learned, last)
    return surprise, progress, reward


@njit(cache=True, inline="always")
def remember8(b, agents, learned, last, surprise):
    """The same event is kept with a weight that depends on the agent's affect: ν =
    sigmoid(w_m · e + w_s σ + b). The learned lanes store (x̃_old, a, x_new) in place of their
    weakest memory if ν is larger. Returns ν."""
    traits, affect = agents.traits, agents.affect
    n_traits = traits.shape[1]
    k_dims = affect.shape[1]
    n_drives = agents.drives.shape[1]
    half = splat8(0.5)
    surprise_weight = load8(traits, row8(b, scalar_row(S_MEMORY_SURPRISE, k_dims, n_drives),
                                         n_traits))
    memory_bias = load8(traits, row8(b, scalar_row(S_MEMORY_BIAS, k_dims, n_drives), n_traits))
    weight = mul8(half, add8(splat8(1.0), tanh8(mul8(half, add8(add8(
        coupling8(traits, b, n_traits, coupling_row(C_MEMORY, k_dims), affect, k_dims),
        mul8(surprise_weight, surprise)), memory_bias)))))
    if agents.mem_weight.shape[1] > 0:
        store_memory(b, agents, last, weight, learned)
    return weight


@njit(cache=True, inline="always")
def feel8(b, agents, p, learned, surprise, gain, reward, last_reward, crowding, progress,
          rate, work, grid_kinds):
    """The drives, standardised by each agent's own running mean and variance (kept also
    without affect: the mean surprise is reported), move the leaky integral u of every affect
    dimension; e = tanh(u). Only with ``affect.enabled`` (the ablation's switch, not a branch
    on affect values): otherwise e stays 0. ``work`` receives the standardised drives (D rows)."""
    drives, mean, var = agents.drives, agents.drive_mean, agents.drive_var
    n_drives = drives.shape[1]
    n_senses = agents.senses.shape[1]
    n_window = (2 * p.sense_radius + 1) ** 2
    store_where(drives, row8(b, 0, n_drives), learned, surprise)
    store_where(drives, row8(b, 1, n_drives), learned, gain)
    store_where(drives, row8(b, 2, n_drives), learned, sub8(reward, last_reward))
    store_where(drives, row8(b, 3, n_drives), learned, crowding)
    underfoot = splat8(0.0)  # food underfoot, of any kind
    for c in range(grid_kinds):
        underfoot = add8(underfoot, load8(agents.senses, row8(b, c * n_window + n_window // 2,
                                                              n_senses)))
    store_where(drives, row8(b, 4, n_drives), learned, underfoot)
    store_where(drives, row8(b, 5, n_drives), learned, progress)
    keep = sub8(splat8(1.0), rate)
    epsilon = splat8(DRIVE_EPSILON)
    for d in range(n_drives):  # standardise: Δ̃ = (Δ − μ) / √(v + ε)
        at = row8(b, d, n_drives)
        x = load8(drives, at)
        mu_old = load8(mean, at)
        diff = sub8(x, mu_old)
        mu = add8(mu_old, mul8(rate, diff))
        v = mul8(keep, add8(load8(var, at), mul8(rate, mul8(diff, diff))))
        store_where(mean, at, learned, mu)
        store_where(var, at, learned, v)
        store8(work, d * LANES, div8(sub8(x, mu), sqrt8(add8(v, epsilon))))
    if not p.affect_on:
        return
    traits, affect, u_all, alpha = agents.traits, agents.affect, agents.affect_u, \
        agents.affect_alpha
    n_traits = traits.shape[1]
    k_dims = affect.shape[1]
    g_beta = beta_row(k_dims)
    for k in range(k_dims):  # u ← α u + (1 − α) β Δ̃, e = tanh(u)
        pull = splat8(0.0)
        for d in range(n_drives):
            pull = add8(pull, mul8(load8(traits, row8(b, g_beta + k * n_drives + d, n_traits)),
                                   load8(work, d * LANES)))
        at = row8(b, k, k_dims)
        a_k = load8(alpha, at)
        u = add8(mul8(a_k, load8(u_all, at)), mul8(sub8(splat8(1.0), a_k), pull))
        store_where(u_all, at, learned, u)
        store_where(affect, at, learned, tanh8(u))


@njit(cache=True, inline="always")
def report_and_replay(b, agents, p, surprise, progress, reward, weight, model_lr, work):
    """Per lane, for the agents that learned: the outputs (surprise, progress, reward, write
    weight) and, every ``replay_every`` ticks of age, replay from memory."""
    for lane in range(LANES):
        i = b * LANES + lane
        if not agents.alive[i] or agents.action[i] < 0:
            continue
        agents.surprise[i] = lane8(surprise, lane)
        agents.progress[i] = lane8(progress, lane)
        agents.reward[i] = lane8(reward, lane)
        agents.write_weight[i] = lane8(weight, lane)
        if p.learning and p.replay_samples > 0 and agents.age[i] % p.replay_every == 0:
            replay_lane(b, lane, agents, p.replay_samples, lane8(model_lr, lane), i, work)


@njit(cache=True, inline="always")
def choose8(b, agents, p, live, surprise, energy_weight, boldness, temperature, work):
    """Imagine every action's outcome, score it Q(a) = ω R[a]·x̃ + γ V([x̂_a, 1]) + c κ_a, and
    draw from softmax(Q / τ) per lane (or by the scripted policy); keep x̂ of the chosen action
    as the next prediction."""
    features, value = agents.features, agents.value
    n_inputs = features.shape[1]
    n_features = n_inputs - 1
    n_actions = agents.reward_model.shape[2]
    n_outputs = n_actions * n_features
    imagine8(b, agents.model, features, work, n_outputs)
    discount = load8(agents.traits, row8(b, TRAIT_DISCOUNT, agents.traits.shape[1]))
    best = splat8(-np.inf)
    greedy = splat8(0.0)
    bias = load8(value, row8(b, n_features, n_inputs))
    for a in range(n_actions):
        v = bias
        for k in range(n_features):
            v = add8(v, mul8(load8(value, row8(b, k, n_inputs)),
                             load8(work, (a * n_features + k) * LANES)))
        gain = head_of(agents.reward_model, b, a, features, splat8(0.0))
        fast = head_of(agents.error_fast, b, a, features, surprise)
        slow = head_of(agents.error_slow, b, a, features, surprise)
        pull = max0_8(sub8(slow, fast)) if p.use_progress else fast
        kept = (n_outputs + n_actions + 3 * a) * LANES  # for learn8 next tick
        store8(work, kept, gain)
        store8(work, kept + LANES, fast)
        store8(work, kept + 2 * LANES, slow)
        score = add8(add8(mul8(energy_weight, gain), mul8(discount, v)), mul8(boldness, pull))
        store8(work, (n_outputs + a) * LANES, score)
        better = gt8(score, best)
        best = select8(better, score, best)
        greedy = select8(better, splat8(a), greedy)
    total = weights_of_policy(b, agents, p, work, n_outputs, best, temperature)
    draw_actions(b, agents, work, n_outputs, total, greedy)
    for m in range(n_inputs):
        store_where(agents.prev_features, row8(b, m, n_inputs), live,
                    load8(features, row8(b, m, n_inputs)))


# ---------------------------------------------------------------------------------------------
# the phases' parts


@njit(cache=True, inline="always")
def row8(b, row, n_rows):
    """Flat index of row ``row`` of block ``b`` in an array (n / 8, n_rows, 8)."""
    return (b * n_rows + row) * LANES


@njit(cache=True, inline="always")
def store_where(arr, index, mask, v):
    """arr[index:index + 8] = v where mask, unchanged elsewhere."""
    store8(arr, index, select8(mask, v, load8(arr, index)))


@njit(cache=True, inline="always")
def tanh8(v):
    """tanh lane by lane through one exp, as alife.kernels.affect.tanh32."""
    one = splat8(1.0)
    t = exp8(mul8(splat8(-2.0), abs8(v)))
    return copysign8(div8(sub8(one, t), add8(one, t)), v)


@njit(cache=True, inline="always")
def coupling8(traits, b, n_traits, first, e, k_dims):
    """w . e per lane, w the K-vector at trait rows first .. first + K."""
    acc = splat8(0.0)
    for k in range(k_dims):
        acc = add8(acc, mul8(load8(traits, row8(b, first + k, n_traits)),
                             load8(e, row8(b, k, k_dims))))
    return acc


@njit(cache=True, inline="always")
def head_of(head, b, a, x, extra):
    """A linear head's output for action a, per lane: head (n/8, Z, A, 8) with inputs
    x̃ = x[b] (n/8, P+1, 8) and, when Z = P + 2, ``extra`` as the last input; summed over
    the inputs in order."""
    n_in = head.shape[1]
    n_actions = head.shape[2]
    n_x = x.shape[1]
    acc = splat8(0.0)
    for m in range(n_x):
        acc = add8(acc, mul8(load8(head, row8(b, m * n_actions + a, n_in * n_actions)),
                             load8(x, row8(b, m, n_x))))
    if n_in > n_x:
        acc = add8(acc, mul8(load8(head, row8(b, n_x * n_actions + a, n_in * n_actions)), extra))
    return acc


@njit(cache=True, inline="always")
def nudge_head(head, b, work, coef_at, g_at, learned, last):
    """One LMS step on each learned lane's own action a: head[m, a] += coef · g_m, kept in
    ±MODEL_CLIP (a guard: under extreme settings surprise, a head's target, can be huge);
    head (n/8, Z, A, 8), coef per lane at work[coef_at:coef_at + 8], the preconditioned inputs
    g_m at work rows g_at + m."""
    n_in = head.shape[1]
    n_actions = head.shape[2]
    coef = load8(work, coef_at)
    for a in range(n_actions):  # actions outside: each lane mask serves a whole column
        taken = and8(learned, eq8(last, splat8(a)))
        for m in range(n_in):
            where = row8(b, m * n_actions + a, n_in * n_actions)
            w = load8(head, where)
            step = mul8(coef, load8(work, (g_at + m) * LANES))
            store8(head, where, select8(taken, clip8(add8(w, step), MODEL_CLIP), w))


@njit(cache=True, inline="always")
def nudge_model(b, ahead, model, work, g_at, learned, last):
    """One normalised-LMS step on the taken action's block of each learned lane's world
    model: model[m, a, k] += work row k · g_m (g_m: the preconditioned input m at work row
    g_at + m). The next block's models are prefetched on the way."""
    n_inputs = model.shape[1]
    n_actions = model.shape[2]
    n_features = model.shape[3]
    n_outputs = n_actions * n_features
    model_block = n_inputs * n_outputs * LANES  # floats of one block's world models
    for m in range(n_inputs):
        g = load8(work, (g_at + m) * LANES)
        for a in range(n_actions):
            taken = and8(learned, eq8(last, splat8(a)))
            for k in range(n_features):
                at = row8(b, m * n_outputs + a * n_features + k, n_inputs * n_outputs)
                _prefetch(model, (ahead * model_block + at - b * model_block) * 4)
                w = load8(model, at)
                store8(model, at, select8(taken, clip8(add8(w, mul8(
                    load8(work, k * LANES), g)), MODEL_CLIP), w))


@njit(cache=True, inline="always")
def imagine8(b, model, features, work, n_outputs):
    """work rows o < A·P = every lane's imagined next features: the sum over inputs m, in
    order, of model row m·A·P + o times input m."""
    n_inputs = features.shape[1]
    if n_inputs == SECTOR_INPUTS:  # the default features: inputs held in registers
        imagine8_sectors(b, model, features, work, n_outputs)
        return
    for o in range(n_outputs):
        acc = splat8(0.0)
        for m in range(n_inputs):
            acc = add8(acc, mul8(load8(model, row8(b, m * n_outputs + o, n_inputs * n_outputs)),
                                 load8(features, row8(b, m, n_inputs))))
        store8(work, o * LANES, acc)


@njit(cache=True, inline="always")
def imagine8_sectors(b, model, features, work, n_outputs):
    """imagine8 for the default 11 inputs: loaded once and held in registers (the stores to
    ``work`` could alias them otherwise; measured: imagining 12 % of think without, 7 % with)."""
    at = row8(b, 0, SECTOR_INPUTS)
    x0 = load8(features, at)
    x1 = load8(features, at + LANES)
    x2 = load8(features, at + 2 * LANES)
    x3 = load8(features, at + 3 * LANES)
    x4 = load8(features, at + 4 * LANES)
    x5 = load8(features, at + 5 * LANES)
    x6 = load8(features, at + 6 * LANES)
    x7 = load8(features, at + 7 * LANES)
    x8 = load8(features, at + 8 * LANES)
    x9 = load8(features, at + 9 * LANES)
    x10 = load8(features, at + 10 * LANES)
    row = n_outputs * LANES
    for o in range(n_outputs):
        w = row8(b, o, SECTOR_INPUTS * n_outputs)
        acc = add8(splat8(0.0), mul8(load8(model, w), x0))
        acc = add8(acc, mul8(load8(model, w + row), x1))
        acc = add8(acc, mul8(load8(model, w + 2 * row), x2))
        acc = add8(acc, mul8(load8(model, w + 3 * row), x3))
        acc = add8(acc, mul8(load8(model, w + 4 * row), x4))
        acc = add8(acc, mul8(load8(model, w + 5 * row), x5))
        acc = add8(acc, mul8(load8(model, w + 6 * row), x6))
        acc = add8(acc, mul8(load8(model, w + 7 * row), x7))
        acc = add8(acc, mul8(load8(model, w + 8 * row), x8))
        acc = add8(acc, mul8(load8(model, w + 9 * row), x9))
        acc = add8(acc, mul8(load8(model, w + 10 * row), x10))
        store8(work, o * LANES, acc)


@njit(cache=True, inline="always")
def weights_of_policy(b, agents, p, work, n_outputs, best, temperature):
    """Turn the scores in work rows n_outputs + a into unnormalised choice weights and
    return their sum per lane: exp((Q − max Q) / τ) for the learned policy; 1 for the
    actions whose food feature (here, N, E, S, W: features 0..4) is the largest, else 0, for
    ``greedy``; 1 for every action for ``random``."""
    n_actions = agents.reward_model.shape[2]
    features = agents.features
    n_inputs = features.shape[1]
    one = splat8(1.0)
    total = splat8(0.0)
    if p.policy == POLICY_GREEDY:
        richest = load8(features, row8(b, 0, n_inputs))
        for a in range(1, n_actions):
            f = load8(features, row8(b, a, n_inputs))
            richest = select8(gt8(f, richest), f, richest)
        for a in range(n_actions):
            w = select8(lt8(load8(features, row8(b, a, n_inputs)), richest), splat8(0.0), one)
            store8(work, (n_outputs + a) * LANES, w)
            total = add8(total, w)
        return total
    if p.policy == POLICY_RANDOM:
        for a in range(n_actions):
            store8(work, (n_outputs + a) * LANES, one)
            total = add8(total, one)
        return total
    inv_t = div8(one, temperature)
    for a in range(n_actions):
        at = (n_outputs + a) * LANES
        w = exp8(mul8(sub8(load8(work, at), best), inv_t))
        store8(work, at, w)
        total = add8(total, w)
    return total


@njit(cache=True, inline="always")
def draw_actions(b, agents, work, n_outputs, total, greedy):
    """Per living lane: draw the action from the weights in work rows n_outputs + a (one
    uniform of stream 0, also when ``forced_action`` dictates the action, so forcing never
    shifts the stream), store the probabilities, the chosen action's imagined outcome as the
    next prediction, whether it was not the best-scored one, and a fresh move priority."""
    rng = agents.rng
    n_actions = agents.reward_model.shape[2]
    n_features = agents.prediction.shape[1]
    for lane in range(LANES):
        i = b * LANES + lane
        if not agents.alive[i]:
            continue
        lane_total = lane8(total, lane)
        point = next_uniform(rng, i, 0) * lane_total
        acc = 0.0
        chosen = n_actions - 1
        for a in range(n_actions - 1):
            acc += work[(n_outputs + a) * LANES + lane]
            if point < acc:
                chosen = a
                break
        for a in range(n_actions):
            agents.action_prob[b, a, lane] = work[(n_outputs + a) * LANES + lane] / lane_total
        if agents.forced_action[i] >= 0:
            chosen = agents.forced_action[i]
        for k in range(n_features):  # the chosen action's outcome, as imagined
            agents.prediction[b, k, lane] = work[(chosen * n_features + k) * LANES + lane]
        for j in range(3):  # and what the heads expect of it
            agents.expected[b, j, lane] = work[(n_outputs + n_actions + 3 * chosen + j) * LANES
                                               + lane]
        agents.explored[i] = chosen != int(lane8(greedy, lane))
        agents.prev_energy[i] = agents.energy[i]
        agents.action[i] = chosen
        agents.priority[i] = next_u64(rng, i, 0)


@njit(cache=True, inline="always")
def store_memory(b, agents, last, weight, learned):
    """Each learned lane of block b stores (x̃_old, last, x_new[:P]) in place of its weakest
    memory (the first of the lightest) if ``weight`` is larger."""
    mem_x, mem_next, mem_action, mem_weight = (agents.mem_x, agents.mem_next,
                                               agents.mem_action, agents.mem_weight)
    x_old, x_new = agents.prev_features, agents.features
    n_memory = mem_weight.shape[1]
    n_inputs = x_old.shape[1]
    n_features = n_inputs - 1
    zero = splat8(0.0)
    weakest_weight = load8(mem_weight, row8(b, 0, n_memory))
    weakest = zero
    for j in range(1, n_memory):
        w = load8(mem_weight, row8(b, j, n_memory))
        lighter = lt8(w, weakest_weight)
        weakest_weight = select8(lighter, w, weakest_weight)
        weakest = select8(lighter, splat8(j), weakest)
    keep = and8(learned, ugt8(weight, weakest_weight))  # not (weight <= weakest)
    for j in range(n_memory):
        put = and8(keep, eq8(weakest, splat8(j)))
        store_where(mem_weight, row8(b, j, n_memory), put, weight)
        for k in range(n_inputs):
            store_where(mem_x, row8(b, j * n_inputs + k, n_memory * n_inputs), put,
                        load8(x_old, row8(b, k, n_inputs)))
        for k in range(n_features):
            store_where(mem_next, row8(b, j * n_features + k, n_memory * n_features), put,
                        load8(x_new, row8(b, k, n_inputs)))
    put_flag = select8(keep, splat8(1.0), zero)
    for lane in range(LANES):
        if lane8(put_flag, lane) > 0.0:
            mem_action[b, int(lane8(weakest, lane)), lane] = np.int8(lane8(last, lane))


@njit(cache=True, inline="always")
def replay_lane(b, lane, agents, samples, lr, i, coef):
    """Replay for lane ``lane`` of block b (slot i): ``samples`` memories drawn by weight
    from rng[i, 2], each one normalised-LMS step on the world model, scaled by its weight.
    Scalar, on the lane's strided elements; ``coef`` float32 (≥ P,) is scratch."""
    mem_x, mem_next, mem_action, mem_weight = (agents.mem_x, agents.mem_next,
                                               agents.mem_action, agents.mem_weight)
    model = agents.model
    flat = model.reshape(model.size)  # a view
    n_inputs = model.shape[1]
    n_features = model.shape[3]
    n_outputs = model.shape[2] * n_features
    rng = agents.rng
    n_memory = mem_weight.shape[1]
    total = 0.0
    for j in range(n_memory):
        total += mem_weight[b, j, lane]
    if total <= 0.0:
        return
    stride = n_inputs * n_outputs
    for _ in range(samples):
        point = next_uniform(rng, i, _MEMORY_STREAM) * total  # drawn by the weights
        acc = 0.0
        pick = n_memory - 1
        for j in range(n_memory - 1):
            acc += mem_weight[b, j, lane]
            if point < acc:
                pick = j
                break
        first = max(0, mem_action[b, pick, lane] * n_features)
        norm = np.float32(1.0)
        for q in range(n_inputs):
            norm += mem_x[b, pick, q, lane] * mem_x[b, pick, q, lane]
        step = lr * mem_weight[b, pick, lane] / norm
        for k in range(n_features):
            imagined = np.float32(0.0)
            for m in range(n_inputs):
                imagined += (flat[row8(b, m * n_outputs + first + k, stride) + lane]
                             * mem_x[b, pick, m, lane])
            coef[k] = step * (mem_next[b, pick, k, lane] - imagined)
        for m in range(n_inputs):
            xm = mem_x[b, pick, m, lane]
            for k in range(n_features):
                at = row8(b, m * n_outputs + first + k, stride) + lane
                v = flat[at] + coef[k] * xm
                v = v if v > -MODEL_CLIP else -MODEL_CLIP
                flat[at] = v if v < MODEL_CLIP else MODEL_CLIP


@njit(cache=True, inline="always")
def fetch_block(arr, b):
    """Prefetch block b of a lane array (its whole row along the first axis)."""
    if arr.strides[0] > 0:
        prefetch_bytes(arr, b, 0, arr.strides[0])


@njit(cache=True, inline="always")
def fetch_learned(agents, b):
    """Start loading block b's arrays that learning reads (its world models are fetched
    during the model update)."""
    fetch_block(agents.senses, b)
    fetch_block(agents.traits, b)
    fetch_block(agents.features, b)
    fetch_block(agents.prev_features, b)
    fetch_block(agents.prediction, b)
    fetch_block(agents.value, b)
    fetch_block(agents.reward_model, b)
    fetch_block(agents.error_fast, b)
    fetch_block(agents.error_slow, b)
    fetch_block(agents.input_scale, b)
    fetch_block(agents.expected, b)


@njit(cache=True, inline="always")
def fetch_memory(agents, b):
    """Start loading block b's memories."""
    fetch_block(agents.mem_x, b)
    fetch_block(agents.mem_next, b)
    fetch_block(agents.mem_weight, b)
    fetch_block(agents.mem_action, b)


@njit(cache=True, inline="always")
def fetch_choice(agents, b):
    """Start loading block b's affect and the rest of what feeling and choosing read."""
    fetch_block(agents.affect, b)
    fetch_block(agents.affect_u, b)
    fetch_block(agents.affect_alpha, b)
    fetch_block(agents.drives, b)
    fetch_block(agents.drive_mean, b)
    fetch_block(agents.drive_var, b)
    fetch_block(agents.action_prob, b)

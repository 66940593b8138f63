"""``think`` for blocks of eight agents at once, one agent per vector lane.

Agent slots are grouped in blocks of LANES = 8 (block b holds slots 8b .. 8b+7), and the
learned state is stored block by block with the lane last ("AoSoA"): an array that is
(n, *row) agent by agent is here (n / 8, *row, 8), so eight agents' values of one quantity
are adjacent and one vector instruction serves all eight. Each lane follows exactly the
float32 operations of the per-agent code (alife.kernels.learner, .memory, .affect) in the
same order, so the results are bit-identical to it; the vector types are in
alife.kernels.simd.

Lanes of slots that hold no living agent are computed but never stored.
"""

import numpy as np
from numba import njit, prange

from alife.kernels.learner import (C_CURIOSITY, C_LEARNING, C_MEMORY, C_TEMPERATURE, C_VALUE,
                                   MODEL_CLIP, REWARD_CLIP, S_MEMORY_BIAS, S_MEMORY_SURPRISE,
                                   S_REWARD_COUPLING, SECTOR_INPUTS, TRAIT_CURIOSITY,
                                   TRAIT_DISCOUNT, TRAIT_MODEL_LR, TRAIT_TEMPERATURE,
                                   TRAIT_VALUE_LR, VALUE_CLIP, beta_row, coupling_row,
                                   padded_rows, scalar_row)
from alife.kernels.prefetch import _prefetch, prefetch_bytes
from alife.kernels.rng import next_u64, next_uniform
from alife.kernels.sense import sense_agent
from alife.kernels.simd import (LANES, abs8, add8, and8, clip8, copysign8, div8, eq8, exp8,
                                gt8, lane8, load8, lt8, max0_8, mul8, select8, splat8, sqrt8,
                                store8, sub8, ugt8, with_lane8)

_MEMORY_STREAM = 2  # column of AgentState.rng used for replay draws
_CHUNKS = 64  # blocks are shared out among the threads in this many chunks

@njit(cache=True, inline="always")
def tanh8(v):
    """alife.kernels.affect.tanh32, lane by lane."""
    one = splat8(1.0)
    t = exp8(mul8(splat8(-2.0), abs8(v)))
    return copysign8(div8(sub8(one, t), add8(one, t)), v)


@njit(cache=True, inline="always")
def row8(b, row, n_rows):
    """Flat index of row ``row`` of block ``b`` in an array (n / 8, n_rows, 8)."""
    return (b * n_rows + row) * LANES


@njit(cache=True, inline="always")
def coupling8(traits, b, n_traits, first, e, k_dims):
    """w . e per lane, w the K-vector at trait rows first .. first + K."""
    acc = splat8(0.0)
    for k in range(k_dims):
        acc = add8(acc, mul8(load8(traits, row8(b, first + k, n_traits)),
                             load8(e, row8(b, k, k_dims))))
    return acc


@njit(cache=True, inline="always")
def store_where(arr, index, mask, v):
    """arr[index:index + 8] = v where mask, unchanged elsewhere."""
    store8(arr, index, select8(mask, v, load8(arr, index)))


@njit(cache=True, parallel=True)
def think(blocks, agents, grid, p, feature_map):
    """For every block in ``blocks`` (int64 (nb,): the blocks of 8 slots that hold a living
    agent), in parallel: sense, learn from the last step, remember, update affect and pick an
    action, for the living agents of the block (sets agents.action and .priority).

    agents: AgentState (its learned state in lanes, alife.world.state), grid: GridState (read
    only), p: KernelParams, feature_map float32 (P, S). Each block touches only its own
    agents' rows and lanes.
    """
    xs, ys, energy, age, alive = agents.x, agents.y, agents.energy, agents.age, agents.alive
    rng, forced, explored = agents.rng, agents.forced_action, agents.explored
    action, priority, prev_energy = agents.action, agents.priority, agents.prev_energy
    surprise_out, progress_out, reward_out = agents.surprise, agents.progress, agents.reward
    write_weight_out = agents.write_weight
    # the learned state, stored in lanes: (n / 8, *row, 8)
    senses = agents.senses
    features, prev_features, prediction = agents.features, agents.prev_features, agents.prediction
    model, value, traits = agents.model, agents.value, agents.traits
    model_flat = model.reshape(model.size)  # a view, for the scalar replay
    err_fast, err_slow, visits = agents.err_fast, agents.err_slow, agents.visits
    affect, alpha, drives = agents.affect, agents.affect_alpha, agents.drives
    mem_x, mem_next, mem_action, mem_weight = (agents.mem_x, agents.mem_next, agents.mem_action,
                                               agents.mem_weight)
    action_prob = agents.action_prob
    food, obstacle, occupancy = grid.food, grid.obstacle, grid.occupancy

    n_inputs = features.shape[1]
    n_features = n_inputs - 1
    n_actions = err_fast.shape[1]
    n_outputs = n_actions * n_features
    n_senses = senses.shape[1]
    n_traits = traits.shape[1]
    k_dims = affect.shape[1]
    n_drives = drives.shape[1]
    n_memory = mem_weight.shape[1]
    g_beta = beta_row(k_dims)
    model_block = n_inputs * n_outputs * LANES  # floats of one block's world models

    n_window = (2 * p.sense_radius + 1) ** 2
    center = n_window // 2
    f_col, f_weight = padded_rows(feature_map)
    inv_food_capacity = np.float32(p.inv_food_capacity)
    inv_energy_scale = np.float32(p.inv_energy_scale)
    energy_weight = splat8(np.float32(p.energy_weight))
    k_fast = splat8(np.float32(p.k_fast))
    k_slow = splat8(np.float32(p.k_slow))
    zero = splat8(0.0)
    one = splat8(1.0)
    half = splat8(0.5)

    n_blocks = blocks.shape[0]
    # per chunk: the imagined outcomes (A·P rows), then the update coefficients (P rows) or
    # the actions' scores and weights (A rows)
    scratch_rows = n_outputs + max(n_features, n_actions)
    scratch = np.empty((_CHUNKS, scratch_rows * LANES + 16), np.float32)
    n_chunks = max(1, min(n_blocks, _CHUNKS))
    for t in prange(n_chunks):
        start = t * n_blocks // n_chunks
        stop = (t + 1) * n_blocks // n_chunks
        work = scratch[t]
        for j in range(start, stop):
            b = blocks[j]
            ahead = blocks[j + 1] if j + 1 < stop else b
            first_slot = b * LANES

            # start loading the next block's small arrays, in three groups spread over this
            # block's work (its world models are fetched during the model update)
            fetch_block(senses, ahead)
            fetch_block(traits, ahead)
            fetch_block(features, ahead)
            fetch_block(prev_features, ahead)
            fetch_block(prediction, ahead)
            fetch_block(value, ahead)

            # --- per lane: senses, and what the lanes need of the agent's scalars
            # lane flags as 1.0 / 0.0, turned into masks below
            live_flag = zero
            last_flag = zero
            first_flag = zero
            last = zero
            fast_taken = zero
            slow_taken = zero
            gain = zero
            last_reward = zero
            crowding = zero
            window = senses[b].T  # (8, S): row ``lane`` is the senses of slot 8b + lane
            for lane in range(LANES):
                i = first_slot + lane
                if not alive[i]:
                    continue
                live_flag = with_lane8(live_flag, lane, 1.0)
                n_blocked = sense_agent(lane, xs[i], ys[i], energy[i], food, obstacle,
                                        occupancy, p.width, p.height, p.torus, p.sense_radius,
                                        inv_food_capacity, inv_energy_scale, window)
                a = action[i]
                if a >= 0:
                    last_flag = with_lane8(last_flag, lane, 1.0)
                    last = with_lane8(last, lane, a)
                    if visits[b, a, lane] == 0:
                        first_flag = with_lane8(first_flag, lane, 1.0)
                    visits[b, a, lane] += 1
                    fast_taken = with_lane8(fast_taken, lane, err_fast[b, a, lane])
                    slow_taken = with_lane8(slow_taken, lane, err_slow[b, a, lane])
                    gain = with_lane8(gain, lane, (energy[i] - prev_energy[i]) * inv_energy_scale)
                    last_reward = with_lane8(last_reward, lane, reward_out[i])
                    crowding = with_lane8(crowding, lane, np.float32(n_blocked / n_window))

            live = gt8(live_flag, zero)
            learned = and8(live, gt8(last_flag, zero))  # living lanes that acted last tick
            first_visit = gt8(first_flag, zero)

            # --- features: feature_map @ senses, for all lanes at once
            for k in range(n_features):
                acc = zero
                for q in range(f_col.shape[1]):
                    acc = add8(acc, mul8(splat8(f_weight[k, q]),
                                         load8(senses, row8(b, f_col[k, q], n_senses))))
                store_where(features, row8(b, k, n_inputs), live, acc)
            store_where(features, row8(b, n_features, n_inputs), live, one)

            curiosity_weight = load8(traits, row8(b, TRAIT_CURIOSITY, n_traits))
            # affect bends how fast the agent learns and what a reward is worth to it
            learn_scale = max0_8(add8(one, coupling8(traits, b, n_traits,
                                                     coupling_row(C_LEARNING, k_dims),
                                                     affect, k_dims)))
            model_lr = mul8(load8(traits, row8(b, TRAIT_MODEL_LR, n_traits)), learn_scale)
            value_lr = mul8(load8(traits, row8(b, TRAIT_VALUE_LR, n_traits)), learn_scale)
            reward_coupling = load8(traits, row8(
                b, scalar_row(S_REWARD_COUPLING, k_dims, n_drives), n_traits))
            bonus = mul8(reward_coupling, tanh8(coupling8(
                traits, b, n_traits, coupling_row(C_VALUE, k_dims), affect, k_dims)))

            # --- learn from what the last action led to (alife.kernels.learner.learn_transition)
            sq = zero
            for k in range(n_features):
                e = sub8(load8(features, row8(b, k, n_inputs)),
                         load8(prediction, row8(b, k, n_features)))
                sq = add8(sq, mul8(e, e))
            surprise = sqrt8(sq)
            fast = select8(first_visit, surprise, fast_taken)
            slow = select8(first_visit, surprise, slow_taken)
            fast = add8(fast, mul8(k_fast, sub8(surprise, fast)))
            slow = add8(slow, mul8(k_slow, sub8(surprise, slow)))
            progress = sub8(slow, fast)
            curiosity = max0_8(progress) if p.use_progress else surprise
            reward = clip8(add8(add8(mul8(energy_weight, gain), mul8(curiosity_weight, curiosity)),
                                bonus), REWARD_CLIP)
            if p.learning:
                norm = zero
                v_old = zero
                v_new = zero
                for m in range(n_inputs):
                    x_old = load8(prev_features, row8(b, m, n_inputs))
                    w = load8(value, row8(b, m, n_inputs))
                    norm = add8(norm, mul8(x_old, x_old))
                    v_old = add8(v_old, mul8(w, x_old))
                    v_new = add8(v_new, mul8(w, load8(features, row8(b, m, n_inputs))))
                step = div8(one, add8(one, norm))
                discount = load8(traits, row8(b, TRAIT_DISCOUNT, n_traits))
                td = clip8(sub8(add8(reward, mul8(discount, v_new)), v_old), REWARD_CLIP)
                value_step = mul8(mul8(value_lr, step), td)
                for m in range(n_inputs):
                    at = row8(b, m, n_inputs)
                    w = load8(value, at)
                    store8(value, at, select8(learned, clip8(
                        add8(w, mul8(value_step, load8(prev_features, at))), VALUE_CLIP), w))
                rate = mul8(model_lr, step)
                for k in range(n_features):
                    store8(work, (n_outputs + k) * LANES, mul8(rate, sub8(
                        load8(features, row8(b, k, n_inputs)),
                        load8(prediction, row8(b, k, n_features)))))
                # one normalised-LMS step on the taken action's block of each lane's model
                for m in range(n_inputs):
                    x_old = load8(prev_features, row8(b, m, n_inputs))
                    for a in range(n_actions):
                        taken = and8(learned, eq8(last, splat8(a)))
                        for k in range(n_features):
                            at = row8(b, m * n_outputs + a * n_features + k, n_inputs * n_outputs)
                            _prefetch(model, (ahead * model_block + at - b * model_block) * 4)
                            w = load8(model, at)
                            store8(model, at, select8(taken, clip8(add8(w, mul8(
                                load8(work, (n_outputs + k) * LANES), x_old)), MODEL_CLIP), w))

            fetch_block(mem_x, ahead)
            fetch_block(mem_next, ahead)
            fetch_block(mem_weight, ahead)
            fetch_block(mem_action, ahead)

            # the same event is kept with a weight that depends on the agent's affect
            surprise_weight = load8(traits, row8(
                b, scalar_row(S_MEMORY_SURPRISE, k_dims, n_drives), n_traits))
            memory_bias = load8(traits, row8(b, scalar_row(S_MEMORY_BIAS, k_dims, n_drives),
                                             n_traits))
            weight = mul8(half, add8(one, tanh8(mul8(half, add8(add8(
                coupling8(traits, b, n_traits, coupling_row(C_MEMORY, k_dims), affect,
                          k_dims),
                mul8(surprise_weight, surprise)), memory_bias)))))
            if n_memory > 0:
                remember8(b, mem_x, mem_next, mem_action, mem_weight, prev_features, features,
                          last, weight, learned, n_memory, n_inputs, n_features)
            store_where(drives, row8(b, 0, n_drives), learned, surprise)
            store_where(drives, row8(b, 1, n_drives), learned, gain)
            store_where(drives, row8(b, 2, n_drives), learned, sub8(reward, last_reward))
            store_where(drives, row8(b, 3, n_drives), learned, crowding)  # blocked share
            store_where(drives, row8(b, 4, n_drives), learned,
                        load8(senses, row8(b, center, n_senses)))  # food underfoot
            store_where(drives, row8(b, 5, n_drives), learned, progress)
            store_where(drives, row8(b, 6, n_drives), learned, one)
            if p.affect_on:  # a config switch (the ablation), not a branch on affect values
                for k in range(k_dims):
                    pull = zero
                    for d in range(n_drives):
                        pull = add8(pull, mul8(load8(traits, row8(b, g_beta + k * n_drives + d,
                                                                  n_traits)),
                                               load8(drives, row8(b, d, n_drives))))
                    at = row8(b, k, k_dims)
                    a_k = load8(alpha, at)
                    e_k = load8(affect, at)
                    store8(affect, at, select8(learned, tanh8(
                        add8(mul8(a_k, e_k), mul8(sub8(one, a_k), pull))), e_k))

            # --- per lane: the traces and outputs of learning, and replay
            for lane in range(LANES):
                i = first_slot + lane
                if not alive[i] or action[i] < 0:
                    continue
                a = action[i]
                err_fast[b, a, lane] = lane8(fast, lane)
                err_slow[b, a, lane] = lane8(slow, lane)
                surprise_out[i] = lane8(surprise, lane)
                progress_out[i] = lane8(progress, lane)
                reward_out[i] = lane8(reward, lane)
                write_weight_out[i] = lane8(weight, lane)
                if p.learning and p.replay_samples > 0 and age[i] % p.replay_every == 0:
                    replay_lane(b, lane, model_flat, mem_x, mem_next, mem_action, mem_weight,
                                p.replay_samples, lane8(model_lr, lane), rng, i, _MEMORY_STREAM,
                                n_inputs, n_features, n_outputs, work)

            fetch_block(err_fast, ahead)
            fetch_block(err_slow, ahead)
            fetch_block(visits, ahead)
            fetch_block(affect, ahead)
            fetch_block(alpha, ahead)
            fetch_block(drives, ahead)
            fetch_block(action_prob, ahead)

            # --- choose: imagine every action's outcome, score it, sample (imagine_and_choose)
            temperature = mul8(load8(traits, row8(b, TRAIT_TEMPERATURE, n_traits)), exp8(
                coupling8(traits, b, n_traits, coupling_row(C_TEMPERATURE, k_dims), affect,
                          k_dims)))
            boldness = mul8(curiosity_weight, exp8(
                coupling8(traits, b, n_traits, coupling_row(C_CURIOSITY, k_dims), affect,
                          k_dims)))
            if n_inputs == SECTOR_INPUTS:  # the default features: inputs held in registers
                imagine8_sectors(b, model, features, work, n_outputs)
            else:
                for o in range(n_outputs):
                    acc = zero
                    for m in range(n_inputs):
                        acc = add8(acc, mul8(load8(model, row8(b, m * n_outputs + o,
                                                               n_inputs * n_outputs)),
                                             load8(features, row8(b, m, n_inputs))))
                    store8(work, o * LANES, acc)
            best = splat8(-np.inf)
            greedy = zero
            bias = load8(value, row8(b, n_features, n_inputs))
            for a in range(n_actions):
                v = zero
                for k in range(n_features):
                    v = add8(v, mul8(load8(value, row8(b, k, n_inputs)),
                                     load8(work, (a * n_features + k) * LANES)))
                fast_a = load8(err_fast, row8(b, a, n_actions))
                if p.use_progress:
                    want = max0_8(sub8(load8(err_slow, row8(b, a, n_actions)), fast_a))
                else:
                    want = fast_a
                score = add8(add8(bias, v), mul8(boldness, want))
                store8(work, (n_outputs + a) * LANES, score)
                better = gt8(score, best)
                best = select8(better, score, best)
                greedy = select8(better, splat8(a), greedy)
            inv_t = div8(one, temperature)
            total = zero
            for a in range(n_actions):
                at = (n_outputs + a) * LANES
                w = exp8(mul8(sub8(load8(work, at), best), inv_t))
                store8(work, at, w)
                total = add8(total, w)
            for lane in range(LANES):
                i = first_slot + lane
                if not alive[i]:
                    continue
                # draw_index on this lane's weights, with the agent's stream 0
                lane_total = lane8(total, lane)
                u = next_uniform(rng, i, 0) * lane_total
                acc_p = 0.0
                chosen = n_actions - 1
                for a in range(n_actions - 1):
                    acc_p += work[(n_outputs + a) * LANES + lane]
                    if u < acc_p:
                        chosen = a
                        break
                for a in range(n_actions):
                    action_prob[b, a, lane] = work[(n_outputs + a) * LANES + lane] / lane_total
                if forced[i] >= 0:
                    chosen = forced[i]
                for k in range(n_features):  # the chosen action's outcome, as imagined
                    prediction[b, k, lane] = work[(chosen * n_features + k) * LANES + lane]
                explored[i] = chosen != int(lane8(greedy, lane))
                prev_energy[i] = energy[i]
                action[i] = chosen
                priority[i] = next_u64(rng, i, 0)
            for m in range(n_inputs):
                store_where(prev_features, row8(b, m, n_inputs), live,
                            load8(features, row8(b, m, n_inputs)))


@njit(cache=True, inline="always")
def fetch_block(arr, b):
    """Prefetch block b of a lane array (its whole row along the first axis)."""
    if arr.strides[0] > 0:
        prefetch_bytes(arr, b, 0, arr.strides[0])


@njit(cache=True, inline="always")
def imagine8_sectors(b, model, features, work, n_outputs):
    """work rows o < A·P = every lane's imagined next features (sum over m of model row
    m·A·P + o times input m, in order from 0), for the default 11 inputs: the inputs are
    loaded once and held in registers (the stores to ``work`` could alias them otherwise)."""
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
def remember8(b, mem_x, mem_next, mem_action, mem_weight, x_old, x_new, last, weight, learned,
              n_memory, n_inputs, n_features):
    """alife.kernels.memory.remember for the ``learned`` lanes of block b: each stores
    (x_old, last, x_new[:P]) in place of its weakest memory if ``weight`` is larger."""
    zero = splat8(0.0)
    weakest_weight = load8(mem_weight, row8(b, 0, n_memory))
    weakest = zero
    for j in range(1, n_memory):
        w = load8(mem_weight, row8(b, j, n_memory))
        lighter = lt8(w, weakest_weight)
        weakest_weight = select8(lighter, w, weakest_weight)
        weakest = select8(lighter, splat8(j), weakest)
    keep = and8(learned, ugt8(weight, weakest_weight))  # not (weight <= weakest), as remember
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
def replay_lane(b, lane, flat, mem_x, mem_next, mem_action, mem_weight, samples, lr, rng, i,
                stream, n_inputs, n_features, n_outputs, coef):
    """alife.kernels.memory.replay for lane ``lane`` of block b (slot i): ``samples``
    memories drawn by weight from rng[i, stream], each one normalised-LMS step on the world
    model (``flat``: the lane models flattened), scaled by its weight. Scalar, on the lane's
    strided elements; ``coef`` float32 (≥ P,) is scratch."""
    n_memory = mem_weight.shape[1]
    total = 0.0
    for j in range(n_memory):
        total += mem_weight[b, j, lane]
    if total <= 0.0:
        return
    stride = n_inputs * n_outputs
    for _ in range(samples):
        u = next_uniform(rng, i, stream) * total  # draw_index on the lane's weights
        acc = 0.0
        pick = n_memory - 1
        for j in range(n_memory - 1):
            acc += mem_weight[b, j, lane]
            if u < acc:
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

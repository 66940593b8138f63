"""The reference for alife.kernels.mind.think: one agent at a time, written with the
per-agent kernels of alife.kernels.learner, .memory and .affect (sense, learn, remember,
feel, choose).

This was the simulator's ``think`` before the learned state moved into lanes of 8 agents;
tests/kernels/test_mind.py runs it on the same states, given slot by slot (arrays (n, *row),
``alife.world.state.agent_rows``), and requires bit-identical results. Each agent touches
only its own rows (and reads the grid). Affect enters only through the smooth couplings of
alife.kernels.affect.
"""

import math

import numpy as np
from numba import njit, prange

from alife.kernels.affect import coupling, tanh32, update_affect
from alife.kernels.learner import (TRAIT_CURIOSITY, TRAIT_DISCOUNT, TRAIT_MODEL_LR,
                                   TRAIT_TEMPERATURE, TRAIT_VALUE_LR, compute_features,
                                   imagine_and_choose, learn_transition, padded_rows)
from alife.kernels.memory import remember, replay, write_weight
from alife.kernels.prefetch import prefetch_head, prefetch_part, prefetch_span
from alife.kernels.rng import next_u64
from alife.kernels.sense import sense_agent

_MEMORY_STREAM = 2  # column of AgentState.rng used for replay draws
_CHUNKS = 64  # agents are shared out among the threads in this many chunks
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)


@njit(cache=True, parallel=True)
def think(living, agents, grid, p, feature_map):
    """For every agent slot in ``living`` (int64 (n,)), in parallel: sense, learn from the last
    step, remember, update affect, and pick an action (sets agents.action and .priority).

    agents: AgentState, grid: GridState (read only), p: KernelParams, feature_map float32
    (P, S). Each agent touches only its own rows. The arrays are taken out of the containers
    first (passing the containers per agent would copy ~50 array headers per call, and
    writes through tuple fields inside a parallel loop can be lost), and the helpers index
    them with the agent's slot rather than take row views. All per-agent arithmetic is
    float32: the float parameters are converted once here.
    """
    xs, ys, energy, age = agents.x, agents.y, agents.energy, agents.age
    senses, features, prev_features = agents.senses, agents.features, agents.prev_features
    prediction, value = agents.prediction, agents.value
    n_slots, n_inputs, n_actions, n_features = agents.model.shape
    model = agents.model.reshape((n_slots, n_inputs, n_actions * n_features))  # a view
    err_fast, err_slow, visits = agents.err_fast, agents.err_slow, agents.visits
    traits, genome, rng = agents.traits, agents.genome, agents.rng
    action, action_prob, forced, explored = (agents.action, agents.action_prob,
                                             agents.forced_action, agents.explored)
    priority, prev_energy = agents.priority, agents.prev_energy
    surprise_out, progress_out, reward_out = agents.surprise, agents.progress, agents.reward
    affect, alpha, drives = agents.affect, agents.affect_alpha, agents.drives
    mem_x, mem_next, mem_action = agents.mem_x, agents.mem_next, agents.mem_action
    mem_weight, write_weight_out = agents.mem_weight, agents.write_weight
    food, obstacle, occupancy = grid.food, grid.obstacle, grid.occupancy
    n_window = (2 * p.sense_radius + 1) ** 2
    f_col, f_weight = padded_rows(feature_map)
    inv_food_capacity = np.float32(p.inv_food_capacity)
    inv_energy_scale = np.float32(p.inv_energy_scale)
    energy_weight = np.float32(p.energy_weight)
    k_fast = np.float32(p.k_fast)
    k_slow = np.float32(p.k_slow)
    n_living = living.shape[0]
    # imagined outcomes (A·P), or the coefficients of an update (P); + 16: rows apart in memory
    scratch = np.empty((_CHUNKS, n_actions * n_features + 16), np.float32)
    head_bytes = p.g_model_init * genome.strides[1]  # the genes read here come first
    radius = p.sense_radius
    # Agents go in chunks, each with its own scratch row for intermediate vectors (padded, so
    # no cache line is shared). A chunk's agents run in order on one thread; the threads share
    # out the chunks.
    n_chunks = max(1, min(n_living, _CHUNKS))
    for t in prange(n_chunks):
        start = t * n_living // n_chunks
        stop = (t + 1) * n_living // n_chunks
        for j in range(start, stop):
            # start loading what the next agent will read: its world model in three parts
            # spread over this agent's work, the rest now (a chunk's last agent: itself, a
            # few wasted prefetches instead of a branch around each part)
            ahead = living[j + 1] if j + 1 < stop else living[j]
            fetch_ahead(ahead, xs, ys, food, occupancy, obstacle, genome, head_bytes, radius,
                        p.width, p.height)
            i = living[j]
            n_blocked = sense_agent(i, xs[i], ys[i], energy[i], food, obstacle, occupancy, p.width,
                                    p.height, p.torus, p.sense_radius, inv_food_capacity,
                                    inv_energy_scale, senses)
            prefetch_part(model, ahead, 0, 3)
            compute_features(i, f_col, f_weight, senses, features)
            prefetch_part(model, ahead, 1, 3)
            curiosity_weight = traits[i, TRAIT_CURIOSITY]
            # affect bends how fast the agent learns and what a reward is worth to it
            learn_scale = max(_ZERO, _ONE + coupling(genome, i, p.g_learning_coupling, affect))
            model_lr = traits[i, TRAIT_MODEL_LR] * learn_scale
            last = action[i]
            if last >= 0:  # learn from what the last action led to
                energy_gain = (energy[i] - prev_energy[i]) * inv_energy_scale
                bonus = genome[i, p.g_reward_coupling] * tanh32(
                    coupling(genome, i, p.g_value_coupling, affect))
                last_reward = reward_out[i]
                surprise, progress, reward = learn_transition(
                    i, last, prev_features, features, prediction, model, value, err_fast, err_slow,
                    visits, energy_gain, energy_weight, curiosity_weight, p.use_progress, k_fast,
                    k_slow, model_lr, traits[i, TRAIT_VALUE_LR] * learn_scale,
                    traits[i, TRAIT_DISCOUNT], p.learning, bonus, scratch, t)
                surprise_out[i] = surprise
                progress_out[i] = progress
                reward_out[i] = reward
                # the same event is kept with a weight that depends on the agent's affect
                weight = write_weight(coupling(genome, i, p.g_memory_coupling, affect),
                                      genome[i, p.g_memory_surprise], genome[i, p.g_memory_bias],
                                      surprise)
                write_weight_out[i] = weight
                remember(i, mem_x, mem_next, mem_action, mem_weight, prev_features, features, last,
                         weight)
                drives[i, 0] = surprise
                drives[i, 1] = energy_gain
                drives[i, 2] = reward - last_reward
                drives[i, 3] = n_blocked / n_window  # crowding: the blocked share of the window
                drives[i, 4] = senses[i, n_window // 2]  # food underfoot
                drives[i, 5] = progress
                drives[i, 6] = 1.0
                if p.affect_on:  # a config switch (the ablation), not a branch on affect values
                    update_affect(i, affect, alpha, genome, p.g_affect_sensitivity, drives)
                if p.learning and p.replay_samples > 0 and age[i] % p.replay_every == 0:
                    replay(i, model, mem_x, mem_next, mem_action, mem_weight, p.replay_samples,
                           model_lr, rng, _MEMORY_STREAM, scratch, t)
            prefetch_part(model, ahead, 2, 3)
            # affect bends how boldly it chooses: temperature and the pull of the unknown
            temperature = traits[i, TRAIT_TEMPERATURE] * math.exp(
                coupling(genome, i, p.g_temperature_coupling, affect))
            boldness = curiosity_weight * math.exp(
                coupling(genome, i, p.g_curiosity_coupling, affect))
            chosen, explored[i] = imagine_and_choose(
                i, features, model, value, err_fast, err_slow, boldness, p.use_progress,
                temperature, rng, action_prob, prediction, forced[i], scratch, t)
            for k in range(n_inputs):
                prev_features[i, k] = features[i, k]
            prev_energy[i] = energy[i]
            action[i] = chosen
            priority[i] = next_u64(rng, i, 0)


@njit(cache=True, inline="always")
def fetch_ahead(i, xs, ys, food, occupancy, obstacle, genome, head_bytes, radius, width, height):
    """Prefetch the first ``head_bytes`` of agent i's genome (the genes read every tick) and
    the grid rows of its sense window."""
    prefetch_head(genome, i, head_bytes)
    x0 = max(0, xs[i] - radius)
    x1 = min(width - 1, xs[i] + radius)
    for dy in range(-radius, radius + 1):
        cy = min(max(ys[i] + dy, 0), height - 1)  # near an edge: a line that is near anyway
        prefetch_span(food, cy, x0, x1)
        prefetch_span(occupancy, cy, x0, x1)
        prefetch_span(obstacle, cy, x0, x1)

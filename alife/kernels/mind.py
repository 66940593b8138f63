"""One agent's tick of perception and thought: sense, learn, remember, feel, choose.

``think`` is the parallel phase of the tick loop. Each agent touches only its own rows (and
reads the grid), so agents can be processed in any order or thread.
Affect enters only through the smooth couplings of alife.kernels.affect.
"""

import math

from numba import njit, prange

from alife.kernels.affect import coupling, update_affect
from alife.kernels.learner import (TRAIT_CURIOSITY, TRAIT_DISCOUNT, TRAIT_MODEL_LR,
                                   TRAIT_TEMPERATURE, TRAIT_VALUE_LR, compute_features,
                                   imagine_and_choose, learn_transition, predict)
from alife.kernels.memory import remember, replay, write_weight
from alife.kernels.rng import next_u64
from alife.kernels.sense import sense_agent

_MEMORY_STREAM = 2  # column of AgentState.rng used for replay draws


@njit(cache=True, parallel=True)
def think(living, agents, grid, p, feature_map):
    """For every agent slot in ``living`` (int64 (n,)), in parallel: sense, learn from the last
    step, remember, update affect, and pick an action (sets agents.action and .priority).

    agents: AgentState, grid: GridState (read only), p: KernelParams, feature_map float32
    (P, S). Each agent touches only its own rows. The arrays are taken out of the containers
    first: passing the containers per agent would copy ~50 array headers per call, and
    writes through tuple fields inside a parallel loop can be lost.
    """
    xs, ys, energy, age = agents.x, agents.y, agents.energy, agents.age
    senses, features, prev_features = agents.senses, agents.features, agents.prev_features
    prediction, imagined, model, value = agents.prediction, agents.imagined, agents.model, agents.value
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

    for j in prange(living.shape[0]):
        i = living[j]
        sense_agent(i, xs[i], ys[i], energy[i], food, obstacle, occupancy, p.width, p.height,
                    p.torus, p.sense_radius, p.inv_food_capacity, p.inv_energy_scale, senses)
        x = features[i]
        compute_features(feature_map, senses[i], x)
        g = genome[i]
        e = affect[i]
        curiosity_weight = traits[i, TRAIT_CURIOSITY]
        # affect bends how fast the agent learns and what a reward is worth to it
        learn_scale = max(0.0, 1.0 + coupling(g, p.g_learning_coupling, e))
        model_lr = traits[i, TRAIT_MODEL_LR] * learn_scale
        last = action[i]
        if last >= 0:  # learn from what the last action led to
            energy_gain = (energy[i] - prev_energy[i]) * p.inv_energy_scale
            bonus = g[p.g_reward_coupling] * math.tanh(coupling(g, p.g_value_coupling, e))
            last_reward = reward_out[i]
            surprise, progress, reward = learn_transition(
                prev_features[i], x, prediction[i], model[i, last], value[i], err_fast[i],
                err_slow[i], visits[i], last, energy_gain, p.energy_weight, curiosity_weight,
                p.use_progress, p.k_fast, p.k_slow, model_lr,
                traits[i, TRAIT_VALUE_LR] * learn_scale, traits[i, TRAIT_DISCOUNT], p.learning,
                bonus)
            surprise_out[i] = surprise
            progress_out[i] = progress
            reward_out[i] = reward
            # the same event is kept with a weight that depends on the agent's affect
            weight = write_weight(coupling(g, p.g_memory_coupling, e), g[p.g_memory_surprise],
                                  g[p.g_memory_bias], surprise)
            write_weight_out[i] = weight
            remember(mem_x[i], mem_next[i], mem_action[i], mem_weight[i], prev_features[i], x,
                     last, weight)
            crowding = 0.0
            for k in range(n_window, 2 * n_window):
                crowding += senses[i, k]
            drives[i, 0] = surprise
            drives[i, 1] = energy_gain
            drives[i, 2] = reward - last_reward
            drives[i, 3] = crowding / n_window
            drives[i, 4] = senses[i, n_window // 2]  # food underfoot
            drives[i, 5] = progress
            drives[i, 6] = 1.0
            if p.affect_on:  # a config switch (the ablation), not a branch on affect values
                update_affect(e, alpha[i], g, p.g_affect_sensitivity, drives[i])
            if p.learning and p.replay_samples > 0 and age[i] % p.replay_every == 0:
                replay(model[i], mem_x[i], mem_next[i], mem_action[i], mem_weight[i],
                       p.replay_samples, model_lr, rng, i, _MEMORY_STREAM)
        # affect bends how boldly it chooses: temperature and the pull of the unknown
        temperature = traits[i, TRAIT_TEMPERATURE] * math.exp(coupling(g, p.g_temperature_coupling, e))
        boldness = curiosity_weight * math.exp(coupling(g, p.g_curiosity_coupling, e))
        chosen, explored[i] = imagine_and_choose(
            x, model[i], value[i], err_fast[i], err_slow[i], boldness, p.use_progress,
            temperature, rng, i, action_prob[i], imagined[i], forced[i])
        predict(model[i, chosen], x, prediction[i])
        prev_features[i, :] = x
        prev_energy[i] = energy[i]
        action[i] = chosen
        priority[i] = next_u64(rng, i, 0)

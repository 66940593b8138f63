"""One agent's tick of perception and thought: sense, learn, remember, feel, choose.

``think`` runs for every living agent in the parallel phase of the tick loop. It touches only
agent ``i``'s rows (and reads the grid), so agents can be processed in any order or thread.
Affect enters only through the smooth couplings of alife.kernels.affect.
"""

import math

from numba import njit

from alife.kernels.affect import coupling, update_affect
from alife.kernels.learner import (TRAIT_CURIOSITY, TRAIT_DISCOUNT, TRAIT_MODEL_LR,
                                   TRAIT_TEMPERATURE, TRAIT_VALUE_LR, compute_features,
                                   imagine_and_choose, learn_transition, predict)
from alife.kernels.memory import remember, replay, write_weight
from alife.kernels.rng import next_u64
from alife.kernels.sense import sense_agent

_MEMORY_STREAM = 2  # column of AgentState.rng used for replay draws


@njit(cache=True)
def think(i, agents, grid, p, feature_map):
    """Agent ``i``: sense, learn from the last step, remember, update affect, pick an action.

    agents: AgentState, grid: GridState (read only), p: KernelParams, feature_map float32
    (P, S). Sets agents.action[i] and agents.priority[i] for the move phase.
    """
    a = agents
    sense_agent(i, a.x[i], a.y[i], a.energy[i], grid.food, grid.obstacle, grid.occupancy,
                p.width, p.height, p.torus, p.sense_radius, p.inv_food_capacity,
                p.inv_energy_scale, a.senses)
    x = a.features[i]
    compute_features(feature_map, a.senses[i], x)
    genome = a.genome[i]
    e = a.affect[i]
    curiosity_weight = a.traits[i, TRAIT_CURIOSITY]
    # affect bends how fast the agent learns and what a reward is worth to it
    learn_scale = max(0.0, 1.0 + coupling(genome, p.g_learning_coupling, e))
    model_lr = a.traits[i, TRAIT_MODEL_LR] * learn_scale
    last = a.action[i]
    if last >= 0:  # learn from what the last action led to
        energy_gain = (a.energy[i] - a.prev_energy[i]) * p.inv_energy_scale
        bonus = genome[p.g_reward_coupling] * math.tanh(coupling(genome, p.g_value_coupling, e))
        last_reward = a.reward[i]
        surprise, progress, reward = learn_transition(
            a.prev_features[i], x, a.prediction[i], a.model[i, last], a.value[i], a.err_fast[i],
            a.err_slow[i], a.visits[i], last, energy_gain, p.energy_weight, curiosity_weight,
            p.use_progress, p.k_fast, p.k_slow, model_lr, a.traits[i, TRAIT_VALUE_LR] * learn_scale,
            a.traits[i, TRAIT_DISCOUNT], p.learning, bonus)
        a.surprise[i] = surprise
        a.progress[i] = progress
        a.reward[i] = reward
        # the same event is kept with a weight that depends on the agent's affect
        weight = write_weight(coupling(genome, p.g_memory_coupling, e),
                              genome[p.g_memory_surprise], genome[p.g_memory_bias], surprise)
        a.write_weight[i] = weight
        remember(a.mem_x[i], a.mem_next[i], a.mem_action[i], a.mem_weight[i],
                 a.prev_features[i], x, last, weight)
        drives = a.drives[i]
        n_window = (2 * p.sense_radius + 1) ** 2
        crowding = 0.0
        for k in range(n_window, 2 * n_window):
            crowding += a.senses[i, k]
        drives[0] = surprise
        drives[1] = energy_gain
        drives[2] = reward - last_reward
        drives[3] = crowding / n_window
        drives[4] = a.senses[i, n_window // 2]  # food underfoot
        drives[5] = progress
        drives[6] = 1.0
        if p.affect_on:  # a config switch (the ablation), not a branch on affect values
            update_affect(e, a.affect_alpha[i], genome, p.g_affect_sensitivity, drives)
        if p.learning and p.replay_samples > 0 and a.age[i] % p.replay_every == 0:
            replay(a.model[i], a.mem_x[i], a.mem_next[i], a.mem_action[i], a.mem_weight[i],
                   p.replay_samples, model_lr, a.rng, i, _MEMORY_STREAM)
    # affect bends how boldly it chooses: temperature and the pull of the unknown
    temperature = a.traits[i, TRAIT_TEMPERATURE] * math.exp(coupling(genome, p.g_temperature_coupling, e))
    boldness = curiosity_weight * math.exp(coupling(genome, p.g_curiosity_coupling, e))
    chosen, a.explored[i] = imagine_and_choose(
        x, a.model[i], a.value[i], a.err_fast[i], a.err_slow[i], boldness, p.use_progress,
        temperature, a.rng, i, a.action_prob[i], a.imagined[i], a.forced_action[i])
    predict(a.model[i, chosen], x, a.prediction[i])
    a.prev_features[i, :] = x
    a.prev_energy[i] = a.energy[i]
    a.action[i] = chosen
    a.priority[i] = next_u64(a.rng, i, 0)

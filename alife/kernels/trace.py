"""The trace of chosen agents after a tick: one row of numbers per slot (alife.metrics.traces).

Reads the state only, so a traced run is the run without tracing, bit for bit. The coupling
factors are those affect sets now, for the agent's next choice and learning step (the same
formulas as ``alife.kernels.mind.couplings8``).
"""

from __future__ import annotations

import math

from numba import njit

from alife.kernels.affect import DRIVE_NAMES
from alife.kernels.learner import (
    C_CURIOSITY,
    C_LEARNING,
    C_TEMPERATURE,
    C_VALUE,
    TRAIT_CURIOSITY,
    TRAIT_TEMPERATURE,
    coupling_row,
)

CROWDING = DRIVE_NAMES.index("crowding")

# the columns gather_trace fills, in order; then one per action (its probability), then one
# per affect dimension
FIELDS = (
    "id", "parent_id", "generation", "age", "x", "y", "energy", "action", "explored",
    "food_here", "worth_here", "hazard_here", "crowding", "surprise", "progress", "reward",
    "write_weight", "memories", "replayed", "temperature", "learning_rate", "curiosity",
    "energy_weight",
)


@njit(cache=True)
def gather_trace(agents, food, hazard, kind, region, deal, kind_value, slots, energy_weight,
                 replay_every, replaying, out):
    """Fill ``out`` float64 (m, len(FIELDS) + A + K) with the rows of the living agents in
    ``slots`` int64 (m,): FIELDS, then the action probabilities (A), then affect (K).
    ``food``, ``hazard``, ``kind``, ``region``: the grid layers (H, W); ``deal`` int64 (K_food,),
    ``kind_value`` float32 (K_food,): what food is worth (alife.kernels.life.food_worth);
    ``energy_weight``: learner.energy_weight; ``replaying``: learning with replay samples."""
    k_dims = agents.affect.shape[1]
    n_actions = agents.action_prob.shape[1]
    n_kinds = deal.shape[0]
    base = len(FIELDS)
    for r in range(slots.shape[0]):
        i = slots[r]
        b, lane = i >> 3, i & 7
        x, y = agents.x[i], agents.y[i]
        row = out[r]
        row[0] = agents.id[i]
        row[1] = agents.parent_id[i]
        row[2] = agents.generation[i]
        row[3] = agents.age[i]
        row[4] = x
        row[5] = y
        row[6] = agents.energy[i]
        row[7] = agents.action[i]
        row[8] = agents.explored[i]
        row[9] = food[y, x]
        if n_kinds == 1:
            row[10] = kind_value[deal[0]]
        else:
            row[10] = kind_value[deal[(kind[y, x] + region[y, x]) % n_kinds]]
        row[11] = hazard[y, x]
        row[12] = agents.drives[b, CROWDING, lane]
        row[13] = agents.surprise[i]
        row[14] = agents.progress[i]
        row[15] = agents.reward[i]
        row[16] = agents.write_weight[i]
        memories = 0
        for m in range(agents.mem_weight.shape[1]):
            if agents.mem_weight[b, m, lane] > 0.0:
                memories += 1
        row[17] = memories
        # think ran with the age before this tick's ageing
        row[18] = 0.0
        if replaying and agents.action[i] >= 0 and (agents.age[i] - 1) % replay_every == 0:
            row[18] = 1.0
        w_temperature = 0.0
        w_learning = 0.0
        w_curiosity = 0.0
        w_value = 0.0
        for k in range(k_dims):
            e = agents.affect[b, k, lane]
            w_temperature += agents.traits[b, coupling_row(C_TEMPERATURE, k_dims) + k, lane] * e
            w_learning += agents.traits[b, coupling_row(C_LEARNING, k_dims) + k, lane] * e
            w_curiosity += agents.traits[b, coupling_row(C_CURIOSITY, k_dims) + k, lane] * e
            w_value += agents.traits[b, coupling_row(C_VALUE, k_dims) + k, lane] * e
            row[base + n_actions + k] = e
        row[19] = agents.traits[b, TRAIT_TEMPERATURE, lane] * math.exp(w_temperature)
        row[20] = max(0.0, 1.0 + w_learning)
        row[21] = agents.traits[b, TRAIT_CURIOSITY, lane] * math.exp(w_curiosity)
        row[22] = energy_weight * math.exp(w_value)
        for a in range(n_actions):
            row[base + a] = agents.action_prob[b, a, lane]

"""Eating, metabolism, ageing, death and in-world reproduction.

Energy bookkeeping (checked by the tests): over any stretch of ticks,
    Δ(total energy of living agents) = energy from food − metabolism − hazard damage
                                       − energy of agents at death,
and births only move energy from a parent to its child.
"""

import numpy as np
from numba import njit

from alife.kernels.learner import learned_genes_of, start_learned_state
from alife.kernels.mutation import mutate_genome
from alife.kernels.rng import next_u64
from alife.kernels.sense import wrap_cell

# 8-neighbourhood, clockwise from north: where a child may be placed
_NEIGHBOUR_DX = np.array([0, 1, 1, 1, 0, -1, -1, -1], dtype=np.int64)
_NEIGHBOUR_DY = np.array([-1, -1, 0, 1, 1, 1, 0, -1], dtype=np.int64)

DEATH_NONE = 0
DEATH_STARVED = 1
DEATH_OLD_AGE = 2


@njit(cache=True, inline="always")
def eat_metabolise_age(i, xs, ys, energy, age, moved, alive, death_cause, food, worth, hazard,
                       occupancy, eat_rate, max_energy, basal_cost, move_cost, hazard_cost,
                       max_age, pending, delayed_kind, tick, gained):
    """Agent i's tick of eating, paying metabolism, ageing and dying. Returns the bite eaten
    (float32); ``gained[i]`` (float32 (n,)) receives the energy food brought it this tick.

    Eats ``min(food in own cell, eat_rate, max_energy - energy)``, which brings it the bite
    times the food's worth (``worth``: (kind, region, deal, kind_value) of the grid,
    food_worth): at once, or, for food of ``delayed_kind``, D ticks later through
    ``pending`` (float32 (n, D+1), slot ``tick % (D+1)`` arrives at ``tick``); pays
    ``basal_cost`` plus ``move_cost`` if it moved, and loses ``hazard_cost`` on a hazard cell
    (``hazard`` bool (H, W)); dies if energy <= 0 or (max_age > 0 and age >= max_age):
    ``alive`` False, its cell emptied and ``death_cause`` (int8 (n,)) set (DEATH_* codes).
    Touches only agent i's rows and cell.
    """
    x = xs[i]
    y = ys[i]
    room = max_energy - energy[i]
    bite = np.float32(min(food[y, x], eat_rate, room)) if room > 0.0 else np.float32(0.0)
    food[y, x] -= bite
    gain = food_worth(x, y, worth) * bite
    slots = pending.shape[1]
    if slots > 1:  # food.delay > 0: what was eaten D ticks ago arrives now
        now = tick % slots
        arriving = pending[i, now]
        pending[i, now] = 0.0
        if worth[0][y, x] == delayed_kind:
            pending[i, (tick + slots - 1) % slots] += gain
            gain = arriving
        else:
            gain += arriving
    gained[i] = gain
    energy[i] += gain
    energy[i] -= metabolic_cost(moved[i], basal_cost, move_cost)
    if hazard_cost > 0.0 and hazard[y, x]:  # no grid read in a world without hazards
        energy[i] -= np.float32(hazard_cost)
    age[i] += 1
    if energy[i] <= 0.0:
        death_cause[i] = DEATH_STARVED
    elif max_age > 0 and age[i] >= max_age:
        death_cause[i] = DEATH_OLD_AGE
    else:
        return bite
    alive[i] = False
    occupancy[y, x] = -1
    return bite


@njit(cache=True, inline="always")
def food_worth(x, y, worth):
    """Energy per unit of the food in cell (x, y) now: the value slot its kind is dealt, the
    deal shifted by one in a per_region world's other region. ``worth`` = (kind int8 (H, W),
    region bool (H, W), deal int64 (K,), kind_value float32 (K,))."""
    kind, region, deal, kind_value = worth
    n_kinds = deal.shape[0]
    if n_kinds == 1:  # one kind: no grid read
        return kind_value[deal[0]]
    return kind_value[deal[(kind[y, x] + region[y, x]) % n_kinds]]


@njit(cache=True, inline="always")
def metabolic_cost(moved, basal_cost, move_cost):
    """Energy paid for one tick (float32)."""
    return np.float32(basal_cost + (move_cost if moved else 0.0))


@njit(cache=True)
def tally(living, alive, action, moved, energy, death_cause, bite, gained, xs, ys, worth, hazard,
          basal_cost, move_cost, hazard_cost):
    """The tick's totals over ``living`` (int64 slots alive at its start), summed in slot
    order: (eaten, food_energy, bad_eaten, metabolism, hazard_damage, death_energy, starved,
    old_age, moves, blocked).

    eaten is food taken from the grid, food_energy the energy food brought this tick
    (``gained``: its worth, see food_worth, some of it eaten earlier if delayed), bad_eaten the
    food eaten that was worth less than nothing; death_energy is the energy the dead carried
    (<= 0 for the starved), which leaves the system with them; blocked counts steps refused
    (blocked or lost to a rival).
    """
    eaten = 0.0
    food_energy = 0.0
    bad_eaten = 0.0
    metabolism = 0.0
    hazard_damage = 0.0
    death_energy = 0.0
    starved = 0
    old_age = 0
    moves = 0
    blocked = 0
    for i in living:
        eaten += bite[i]
        food_energy += gained[i]
        if food_worth(xs[i], ys[i], worth) < 0.0:
            bad_eaten += bite[i]
        metabolism += metabolic_cost(moved[i], basal_cost, move_cost)
        if hazard_cost > 0.0 and hazard[ys[i], xs[i]]:
            hazard_damage += np.float32(hazard_cost)
        if moved[i]:
            moves += 1
        elif action[i] != 0:
            blocked += 1
        if not alive[i]:
            death_energy += energy[i]
            if death_cause[i] == DEATH_STARVED:
                starved += 1
            else:
                old_age += 1
    return (eaten, food_energy, bad_eaten, metabolism, hazard_damage, death_energy, starved,
            old_age, moves, blocked)


@njit(cache=True)
def highest_first(keys, m):
    """Indices of the ``m`` largest ``keys`` (uint64 (k,)), largest first; and how many.

    Only the first few parents can be served when births are capped, so when ``m`` is much
    smaller than k they are found by partitioning instead of sorting everyone. Keys are random
    64-bit priorities, so the order among equal keys never matters; ties at the cut are all
    kept (the count returned may exceed m).
    """
    k = keys.shape[0]
    if m >= k:
        return np.argsort(keys)[::-1], k
    cut = mth_largest(keys, m)
    top = np.flatnonzero(keys >= cut)
    return top[np.argsort(keys[top])[::-1]], top.shape[0]


@njit(cache=True)
def mth_largest(keys, m):
    """The m-th largest of ``keys`` (uint64 (k,), 1 <= m <= k), by one pass that keeps the m
    largest so far in a sorted buffer: random keys rarely enter it, so this costs ~k
    comparisons (np.partition, which moves keys around, took ~5x longer on 3,500 keys)."""
    best = np.sort(keys[:m])  # ascending: best[0] is the smallest kept
    for j in range(m, keys.shape[0]):
        key = keys[j]
        if key <= best[0]:
            continue
        q = 0  # drop best[0], slide the smaller ones down, insert key in order
        while q + 1 < m and best[q + 1] < key:
            best[q] = best[q + 1]
            q += 1
        best[q] = key
    return best[0]


@njit(cache=True)
def reproduce(agents, p, obstacle, occupancy, gene_lo, gene_hi, step_of, tick, next_id, n_alive):
    """Every agent with energy >= threshold places one child in a free neighbouring cell.

    Parents act in order of their per-tick random ``priority`` (fair when cells are scarce).
    The child takes ``p.child_energy_fraction`` of the parent's energy, a mutated copy of its
    genome (``alife.kernels.mutation``; with ``p.inherit_learned`` the innate model and value
    genes are first replaced by the parent's learned ones), learned state started from that
    genome, its three random streams split from the parent's mutation stream (stream 1), the lowest
    free slot and the next id. No birth while ``n_alive >= p.max_population`` (if > 0) or when
    ``p.births`` is off. The caller provides enough free slots; if it did not, the remaining
    births are skipped. Runs serially: ``agents`` is an AgentState, ``p`` KernelParams,
    gene_lo/gene_hi float32 (G,), step_of int64 (G,). Returns (births, next_id, n_alive).
    """
    alive = agents.alive
    energy = agents.energy
    rng = agents.rng
    genome = agents.genome
    n = alive.shape[0]
    if not p.births or (p.max_population > 0 and n_alive >= p.max_population):
        return 0, next_id, n_alive
    # the parents, in slot order; written without a branch (~a third of the agents qualify,
    # at random, and a branch mispredicted every other slot)
    parents = np.empty(n, np.int64)
    count = 0
    for i in range(n):
        parents[count] = i
        count += alive[i] & (energy[i] >= p.reproduce_threshold)
    if count == 0:
        return 0, next_id, n_alive
    parents = parents[:count]
    keys = agents.priority[parents]
    limit = count if p.max_population <= 0 else min(count, p.max_population - n_alive)
    order, n_ordered = highest_first(keys, 2 * limit + 16 if 4 * limit < count else count)
    source = np.empty(genome.shape[1], np.float32)  # the parent's genes as passed on
    slot = 0
    births = 0
    for r in range(count):
        if births == limit:
            break
        if r == n_ordered:  # the spares ran out (parents without a free cell): order them all
            order, n_ordered = highest_first(keys, count)
        parent = parents[order[r]]
        start = next_u64(rng, parent, 1) % np.uint64(8)
        placed = False
        cx = 0
        cy = 0
        for k in range(8):
            d = (start + np.uint64(k)) % np.uint64(8)
            cx, cy, inside = wrap_cell(agents.x[parent] + _NEIGHBOUR_DX[d],
                                       agents.y[parent] + _NEIGHBOUR_DY[d],
                                       p.width, p.height, p.torus)
            if inside and not obstacle[cy, cx] and occupancy[cy, cx] < 0:
                placed = True
                break
        if not placed:
            continue
        while slot < n and alive[slot]:
            slot += 1
        if slot == n:  # no room (the caller should have grown the storage): skip, never overrun
            break
        child_energy = energy[parent] * np.float32(p.child_energy_fraction)
        energy[parent] -= child_energy
        # a birth is a transfer, not a loss: the parent's next energy gain (reward, drives)
        # is measured from what it had after giving
        agents.prev_energy[parent] -= child_energy
        alive[slot] = True
        agents.x[slot] = cx
        agents.y[slot] = cy
        occupancy[cy, cx] = slot
        energy[slot] = child_energy
        agents.age[slot] = 0
        agents.id[slot] = next_id
        agents.parent_id[slot] = agents.id[parent]
        agents.parent2_id[slot] = -1
        agents.generation[slot] = agents.generation[parent] + 1
        agents.birth_tick[slot] = tick
        agents.death_cause[slot] = 0
        agents.action[slot] = -1
        agents.moved[slot] = False
        agents.forced_action[slot] = -1
        agents.priority[slot] = 0
        agents.pending[slot] = 0.0  # no energy on its way to a newborn
        for stream in range(3):  # acting, mutation and memory: all split from the parent's
            rng[slot, stream] = next_u64(rng, parent, 1)
        source[:] = genome[parent]
        # Lamarckian: what the parent learned becomes the child's innate start
        if p.inherit_learned:
            learned_genes_of(agents, parent, source, p)
        mutate_genome(source, genome[slot], step_of, gene_lo, gene_hi, p.step_size_rate, rng,
                      parent, 1)
        start_learned_state(slot, agents, p)
        agents.senses[slot >> 3, :, slot & 7] = 0.0
        agents.surprise[slot] = 0.0
        agents.progress[slot] = 0.0
        agents.reward[slot] = 0.0
        agents.explored[slot] = False
        next_id += 1
        n_alive += 1
        births += 1
    return births, next_id, n_alive

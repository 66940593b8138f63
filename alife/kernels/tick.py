"""The tick loop: a batch of ticks run entirely in compiled code.

Order within a tick (each phase sees the result of the previous one):
    1. think: sense, learn from the last step's surprise, remember, update affect, imagine
       and choose an action (parallel over blocks of 8 agents, one per vector lane: each
       agent writes only its own rows and lanes)
    2. move, then eat, pay metabolism, age and die (fair, deterministic collision
       resolution in which each agent decides from its target's neighbours, see
       alife.kernels.move; then every agent touches only its own rows and cell: parallel
       from move.PARALLEL_FROM living agents, below it on one thread)
    3. reproduction     (serial: slots and cells are allocated in a fixed order)
    4. food regrowth (and the noise channel's new values, the hazards' drift, a new deal of
       what the food kinds are worth when one is due)
Phases 3 and 4 are a few operations per agent or cell. Nothing is summed across threads (the
tick's totals are summed in slot order afterwards), so any thread count gives bit-identical
results.
"""

from typing import NamedTuple

import numpy as np
from numba import njit

from alife.kernels.food import advance_deal, drift_east, refresh_noise, regrow_row, season_factor
from alife.kernels.life import reproduce, tally
from alife.kernels.mind import think
from alife.kernels.move import move_and_eat
from alife.kernels.simd import LANES

# indices into the stats array (float64), accumulated over the ticks of a batch
STAT_NAMES = ("agent_steps", "births", "deaths_starved", "deaths_old_age", "food_eaten",
              "food_energy", "bad_food_eaten", "metabolism", "hazard_damage", "death_energy",
              "moves", "moves_blocked")
(S_AGENT_STEPS, S_BIRTHS, S_STARVED, S_OLD_AGE, S_EATEN, S_FOOD_ENERGY, S_BAD_EATEN,
 S_METABOLISM, S_HAZARD, S_DEATH_ENERGY, S_MOVES, S_BLOCKED) = range(12)

# columns of DeathLog.records
DEATH_FIELDS = ("id", "parent_id", "parent2_id", "generation", "birth_tick", "death_tick",
                "cause", "lifespan", "energy")


class DeathLog(NamedTuple):
    """Agents that died, recorded before their slot can be reused (for lineage tables).

    records float64 (m, len(DEATH_FIELDS)), genomes float32 (m, G), count int64 (1,): rows
    [0, count) are filled. m = 0 switches recording off. ``run_ticks`` stops a batch before
    the log could overflow; the caller empties it (count = 0) and calls again.
    """

    records: np.ndarray
    genomes: np.ndarray
    count: np.ndarray


def death_log(capacity: int, n_genes: int) -> DeathLog:
    return DeathLog(np.zeros((capacity, len(DEATH_FIELDS)), np.float64),
                    np.zeros((capacity, n_genes), np.float32), np.zeros(1, np.int64))


@njit(cache=True)
def record_deaths(living, agents, tick, log):
    """Append every agent of ``living`` (int64 slots, alive at the start of the tick) that is
    no longer alive to ``log``; ``tick``: the tick at which they died."""
    c = log.count[0]
    for i in living:
        if agents.alive[i]:
            continue
        rec = log.records[c]
        rec[0] = agents.id[i]
        rec[1] = agents.parent_id[i]
        rec[2] = agents.parent2_id[i]
        rec[3] = agents.generation[i]
        rec[4] = agents.birth_tick[i]
        rec[5] = tick
        rec[6] = agents.death_cause[i]
        rec[7] = agents.age[i]
        rec[8] = agents.energy[i]
        log.genomes[c] = agents.genome[i]
        c += 1
    log.count[0] = c


# counters (same indices as alife.world.state)
_TICK = 0
_NEXT_ID = 1
_N_ALIVE = 2


@njit(cache=True)
def births_room_needed(n_alive, max_population):
    """Free slots that one tick's births may need."""
    if max_population > 0:
        return max(0, min(n_alive, max_population - n_alive))
    return n_alive


@njit(cache=True, nogil=True)  # the viewer steps on a worker thread while it draws
def run_ticks(grid, agents, p, feature_map, counters, stats, gene_lo, gene_hi, step_of, deaths,
              n_ticks):
    """Advance the world by up to ``n_ticks`` ticks.

    grid: GridState, agents: AgentState, p: KernelParams, feature_map float32 (P, S),
    counters int64 (3,) [tick, next_id, n_alive], stats float64 (len(STAT_NAMES),)
    accumulated, gene_lo/gene_hi float32 (G,), step_of int64 (G,) (GenomeLayout.step_of_gene),
    deaths: DeathLog (capacity 0 = not recorded).
    Stops early when the population is extinct, when agent storage might not hold the next
    tick's births, or when the death log might not hold the next tick's deaths (the caller
    makes room and calls again). Returns the ticks done.
    """
    # The serial phases use local names for the arrays they touch; the parallel phase hands
    # the containers to ``think``, which writes only agent i's rows.
    food = grid.food
    capacity = grid.food_capacity
    obstacle = grid.obstacle
    occupancy = grid.occupancy
    column_rate = grid.column_rate
    alive = agents.alive
    width = p.width
    height = p.height
    torus = p.torus
    n_slots = alive.shape[0]
    bite = np.zeros(n_slots, np.float32)  # what each agent ate this tick
    gained = np.zeros(n_slots, np.float32)  # and the energy food brought it
    worth = (grid.kind, grid.region, grid.deal, grid.kind_value)  # what food is worth

    done = 0
    while done < n_ticks:
        n_alive = counters[_N_ALIVE]
        if n_alive == 0:
            break
        if n_slots - n_alive < births_room_needed(n_alive, p.max_population):
            break
        logging_deaths = deaths.records.shape[0] > 0
        if logging_deaths and deaths.records.shape[0] - deaths.count[0] < n_alive:
            break
        tick = counters[_TICK]

        # Alive slots, and the blocks of 8 slots that hold any (think works block by block).
        living = np.empty(n_alive, np.int64)
        blocks = np.empty(n_slots // LANES, np.int64)
        c = 0
        n_blocks = 0
        for i in range(n_slots):
            if alive[i]:
                living[c] = i
                c += 1
                b = i >> 3
                if n_blocks == 0 or blocks[n_blocks - 1] != b:
                    blocks[n_blocks] = b
                    n_blocks += 1
        think(blocks[:n_blocks], agents, grid, p, feature_map)

        move_and_eat(living, agents.x, agents.y, agents.id, agents.action, agents.priority,
                     agents.moved, agents.energy, agents.age, alive, agents.death_cause, bite,
                     obstacle, occupancy, food, worth, grid.hazard, width, height, torus,
                     p.eat_rate, p.max_energy, p.basal_cost, p.move_cost, p.hazard_cost, p.max_age,
                     agents.pending, p.delayed_kind, tick, gained)
        (eaten, food_energy, bad_eaten, metabolism, hazard_damage, death_energy, starved, old_age,
         moves, blocked) = tally(living, alive, agents.action, agents.moved, agents.energy,
                                 agents.death_cause, bite, gained, agents.x, agents.y, worth,
                                 grid.hazard, p.basal_cost, p.move_cost, p.hazard_cost)
        n_alive -= starved + old_age
        if logging_deaths and starved + old_age > 0:  # before reproduction reuses their slots
            record_deaths(living, agents, tick + 1, deaths)
        births, next_id, n_alive = reproduce(agents, p, obstacle, occupancy, gene_lo, gene_hi,
                                             step_of, tick + 1, counters[_NEXT_ID], n_alive)

        for x in range(width):
            column_rate[x] = p.regrowth_rate * season_factor(
                x, tick, width, p.season_amplitude, p.season_period, p.season_waves)
        # serial: a second parallel region per tick costs more than it saves
        for y in range(height):
            regrow_row(y, food, capacity, column_rate)
        if grid.noise_cells.shape[0] > 0:
            refresh_noise(grid.signal, grid.noise_cells, p.noise_key, tick + 1, p.noise_level)
        if p.hazard_drift_every > 0 and (tick + 1) % p.hazard_drift_every == 0:
            drift_east(grid.hazard)
        advance_deal(grid.deal, grid.deal_clock, tick + 1, p)

        stats[S_AGENT_STEPS] += len(living)
        stats[S_BIRTHS] += births
        stats[S_STARVED] += starved
        stats[S_OLD_AGE] += old_age
        stats[S_EATEN] += eaten
        stats[S_FOOD_ENERGY] += food_energy
        stats[S_BAD_EATEN] += bad_eaten
        stats[S_METABOLISM] += metabolism
        stats[S_HAZARD] += hazard_damage
        stats[S_DEATH_ENERGY] += death_energy
        stats[S_MOVES] += moves
        stats[S_BLOCKED] += blocked
        counters[_NEXT_ID] = next_id
        counters[_N_ALIVE] = n_alive
        counters[_TICK] = tick + 1
        done += 1
    return done


def callee_signatures(grid, agents, p, feature_map, counters, stats, gene_lo, gene_hi, step_of,
                      deaths) -> list[tuple]:
    """The big kernels ``run_ticks`` calls, each with the argument types of its call there:
    [(dispatcher, signature)], heaviest compile first. With these, other processes can compile
    them ahead while this one does something else, into numba's disk cache, where compiling
    ``run_ticks`` then finds them (alife.runners.compiling). Arguments as ``run_ticks``'s
    (n_ticks left out). Mirrors its calls: a type that differs would cost only time (run_ticks
    would compile that kernel itself); a slow test in tests/test_compiling.py checks them."""
    from numba import typeof

    n_slots = agents.alive.shape[0]
    living = np.empty(0, np.int64)
    blocks = np.empty(n_slots // LANES, np.int64)[:0]
    bite = np.zeros(0, np.float32)
    gained = np.zeros(0, np.float32)
    worth = (grid.kind, grid.region, grid.deal, grid.kind_value)
    tick = counters[_TICK]
    n_alive = counters[_N_ALIVE]
    calls = [
        (think, (blocks, agents, grid, p, feature_map)),
        (reproduce, (agents, p, grid.obstacle, grid.occupancy, gene_lo, gene_hi, step_of,
                     tick + 1, counters[_NEXT_ID], n_alive)),
        (move_and_eat, (living, agents.x, agents.y, agents.id, agents.action, agents.priority,
                        agents.moved, agents.energy, agents.age, agents.alive,
                        agents.death_cause, bite, grid.obstacle, grid.occupancy, grid.food,
                        worth, grid.hazard, p.width, p.height, p.torus, p.eat_rate,
                        p.max_energy, p.basal_cost, p.move_cost, p.hazard_cost, p.max_age,
                        agents.pending, p.delayed_kind, tick, gained)),
        (record_deaths, (living, agents, tick + 1, deaths)),
        (tally, (living, agents.alive, agents.action, agents.moved, agents.energy,
                 agents.death_cause, bite, gained, agents.x, agents.y, worth, grid.hazard,
                 p.basal_cost, p.move_cost, p.hazard_cost)),
    ]
    return [(kernel, tuple(typeof(a) for a in args)) for kernel, args in calls]


def kernels_cached() -> bool:
    """Whether numba's on-disk cache already holds the tick loop (so no long compile is due)."""
    try:  # numba internals: on any change, just assume a compile is due
        return bool(run_ticks.signatures) or bool(run_ticks._cache._cache_file._load_index())
    except Exception:
        return False

"""Typed containers of numpy arrays: the whole simulated world, structure of arrays.

Grid layers are indexed ``[y, x]`` with shape (H, W). Agent arrays are indexed by storage
slot; a slot holds an agent only where ``alive`` is True, and dead slots are reused by later
births (lowest free slot first). Storage grows when births need room (:func:`grow_agents`);
growing never changes the simulation's outcome.

The learned state (LANE_FIELDS) is stored in blocks of LANES = 8 slots with the slot's lane
last: a quantity that is a row per agent, shape (n, *row), is held as (n / 8, *row, 8), so
that ``think`` handles eight agents with each vector instruction (alife.kernels.mind).
Slot s is ``[s >> 3, ..., s & 7]`` there; :func:`agent_rows` gives the (n, *row) view of the
rest of the code as a copy. The capacity is always a multiple of 8.
"""

from __future__ import annotations

import ctypes
import mmap
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from alife.kernels.affect import N_DRIVES
from alife.kernels.learner import n_traits
from alife.kernels.sense import N_ACTIONS
from alife.kernels.simd import LANES

# the AgentState fields stored in blocks of LANES slots, lane last
LANE_FIELDS = ("senses", "action_prob", "features", "prev_features", "prediction", "traits",
               "model", "value", "reward_model", "error_fast", "error_slow", "input_scale",
               "expected", "affect",
               "affect_u", "affect_alpha", "drives", "drive_mean", "drive_var", "mem_x",
               "mem_next", "mem_action", "mem_weight")

# counters: int64 array of 3, updated in place by the kernels
TICK = 0
NEXT_ID = 1
N_ALIVE = 2


class GridState(NamedTuple):
    """Grid layers.

    food          float32 (H, W)  food energy in each cell, 0 <= food <= food_capacity
    food_capacity float32 (H, W)  most food the cell can hold (0 on obstacles)
    obstacle      bool    (H, W)  impassable cells
    occupancy     int32   (H, W)  slot of the agent in the cell, -1 if empty
    column_rate   float64 (W,)    scratch: this tick's regrowth rate per column
    noise         bool    (H, W)  noise-patch cells (no food grows there)
    noise_cells   int64   (m,)    flat indices (y * W + x) of the noise cells
    signal        float32 (H, W)  the noise channel: what each noise cell shows this tick (in
                                  food units, never food), 0 elsewhere
    hazard        bool    (H, W)  hazard cells (they cost energy to stand on; they drift east)
    kind          int8    (H, W)  the kind of food that grows in each cell (0 with one kind)
    region        bool    (H, W)  per_region deals: the half of the world whose deal is shifted
    kind_value    float32 (K,)    energy per unit eaten of each value slot (food.kind_values)
    deal          int64   (K,)    the value slot each kind is worth now (a permutation)
    deal_clock    int64   (2,)    [tick of the next deal or shift, deals and shifts so far]
    """

    food: np.ndarray
    food_capacity: np.ndarray
    obstacle: np.ndarray
    occupancy: np.ndarray
    column_rate: np.ndarray
    noise: np.ndarray
    noise_cells: np.ndarray
    signal: np.ndarray
    hazard: np.ndarray
    kind: np.ndarray
    region: np.ndarray
    kind_value: np.ndarray
    deal: np.ndarray
    deal_clock: np.ndarray


class AgentState(NamedTuple):
    """Per-agent arrays, one row per storage slot; the fields in LANE_FIELDS are stored in
    blocks of 8 slots as (n / 8, *row, 8) (module docstring) and listed here by their rows.

    alive       bool    (n,)        slot holds a living agent
    x, y        int32   (n,)        cell position
    energy      float32 (n,)        energy budget; the agent dies at <= 0
    age         int32   (n,)        ticks lived
    id          int64   (n,)        unique id, never reused (founders 0..N-1)
    parent_id   int64   (n,)        id of the parent, -1 for founders
    parent2_id  int64   (n,)        id of the second parent (crossover), -1 if none
    generation  int32   (n,)        0 for founders, parent's + 1
    birth_tick  int64   (n,)        tick of birth
    death_cause int8    (n,)        0 alive, 1 starved, 2 old age (kept after death)
    rng         uint64  (n, 3)      per-agent SplitMix64 states: 0 acting, 1 mutation/births,
                                    2 memory
    genome      float32 (n, G)      heritable parameters, layout in GenomeLayout
    senses      float32 (n, S)      last sense vector (layout in alife.kernels.sense)
    action      int8    (n,)        last action (ACTION_NAMES); -1 before the first
    action_prob float32 (n, A)      last action probabilities
    moved       bool    (n,)        the last action moved the agent
    priority    uint64  (n,)        this tick's random priority (collisions, birth order)
    forced_action int8  (n,)        -1, or an action the agent must take (scripted agents)
    pending     float32 (n, D+1)    energy on its way from food of food.delayed_kind, by the
                                    tick it arrives at (slot tick % (D+1)); D = food.delay
    learned state (equations in alife.kernels.mind), P features, x̃ = [x, 1], z = [x̃, s]:
    features    float32 (n, P+1)    features of the last senses (alife.learners.features)
    prev_features float32 (n, P+1)  features when the last action was chosen
    prediction  float32 (n, P)      features the world model expects after the last action
    traits      float32 (n, T)      the genes read every tick, decoded at birth
                                    (alife.kernels.learner: TRAIT_NAMES, then the affect genes)
    model       float32 (n, P+1, A, P)  world model, learned during life (input-major, see
                                    alife.kernels.learner)
    value       float32 (n, P+1)    value weights V(x̃), learned during life
    reward_model float32 (n, P+1, A)  reward head: energy gain expected after action a
    error_fast  float32 (n, P+2, A) error model, fast: surprise expected after action a in
                                    situation z (s = the last surprise)
    error_slow  float32 (n, P+2, A) the same, learned slowly (progress = slow − fast)
    input_scale float32 (n, P+2)    running mean square of each input z̃ (preconditions learning)
    expected    float32 (n, 3)      what the heads expected of the last action when it was
                                    chosen: energy gain, surprise (fast, slow error model)
    experience  int32   (n,)        ticks the agent has learned from (0 before its first)
    prev_energy float32 (n,)        energy when the last action was chosen (minus what it
                                    has given to children since: a birth is no loss)
    surprise    float32 (n,)        last prediction error ‖ε‖
    progress    float32 (n,)        learning progress the error models see for the last
                                    situation and action (slow − fast expected error)
    reward      float32 (n,)        last reward r′ (energy gain and curiosity, weighted by affect)
    explored    bool    (n,)        the last action was not the best-scored one
    affect (alife.kernels.mind), K dimensions, D drives, M memory slots:
    affect      float32 (n, K)      affect e = tanh(u), in (-1, 1); 0 at birth
    affect_u    float32 (n, K)      the leaky integral u of the standardised drives
    affect_alpha float32 (n, K)     persistence per tick, from the heritable half-lives
    drives      float32 (n, D)      the last drives, raw (alife.kernels.affect.DRIVE_NAMES)
    drive_mean  float32 (n, D)      running mean of each drive (the agent's own scale)
    drive_var   float32 (n, D)      running variance of each drive
    mem_x       float32 (n, M, P+1) episodic memory: features before
    mem_next    float32 (n, M, P)   features after
    mem_action  int8    (n, M)      action taken
    mem_weight  float32 (n, M)      write weight, 0 = empty slot
    write_weight float32 (n,)       weight the last experience was offered to memory with
    """

    alive: np.ndarray
    x: np.ndarray
    y: np.ndarray
    energy: np.ndarray
    age: np.ndarray
    id: np.ndarray
    parent_id: np.ndarray
    parent2_id: np.ndarray
    generation: np.ndarray
    birth_tick: np.ndarray
    death_cause: np.ndarray
    rng: np.ndarray
    genome: np.ndarray
    senses: np.ndarray
    action: np.ndarray
    action_prob: np.ndarray
    moved: np.ndarray
    priority: np.ndarray
    forced_action: np.ndarray
    pending: np.ndarray
    features: np.ndarray
    prev_features: np.ndarray
    prediction: np.ndarray
    traits: np.ndarray
    model: np.ndarray
    value: np.ndarray
    reward_model: np.ndarray
    error_fast: np.ndarray
    error_slow: np.ndarray
    input_scale: np.ndarray
    expected: np.ndarray
    experience: np.ndarray
    prev_energy: np.ndarray
    surprise: np.ndarray
    progress: np.ndarray
    reward: np.ndarray
    explored: np.ndarray
    affect: np.ndarray
    affect_u: np.ndarray
    affect_alpha: np.ndarray
    drives: np.ndarray
    drive_mean: np.ndarray
    drive_var: np.ndarray
    mem_x: np.ndarray
    mem_next: np.ndarray
    mem_action: np.ndarray
    mem_weight: np.ndarray
    write_weight: np.ndarray


def blocks_for(capacity: int) -> int:
    """Capacity rounded up to whole blocks of LANES slots."""
    return -(-capacity // LANES) * LANES


def to_lanes(rows: np.ndarray) -> np.ndarray:
    """(n, *row) slot by slot -> (n / 8, *row, 8) block by block (a copy); n % 8 == 0."""
    n = rows.shape[0]
    blocks = rows.reshape((n // LANES, LANES) + rows.shape[1:])
    return np.ascontiguousarray(np.moveaxis(blocks, 1, -1))


def from_lanes(lanes: np.ndarray) -> np.ndarray:
    """The inverse of to_lanes: (n / 8, *row, 8) -> (n, *row) (a copy)."""
    rows = np.moveaxis(lanes, -1, 1)
    return np.ascontiguousarray(rows.reshape((lanes.shape[0] * LANES,) + lanes.shape[1:-1]))


def agent_rows(agents: AgentState, name: str) -> np.ndarray:
    """Field ``name`` of ``agents`` with one row per slot, (n, ...): a copy for the fields
    stored in lanes, the array itself for the others."""
    values = getattr(agents, name)
    return from_lanes(values) if name in LANE_FIELDS else values


def slot_row(agents: AgentState, name: str, slot: int) -> np.ndarray:
    """Field ``name`` of one slot (a view): [slot >> 3, ..., slot & 7] in lanes, else [slot]."""
    values = getattr(agents, name)
    return values[slot >> 3, ..., slot & 7] if name in LANE_FIELDS else values[slot]


@contextmanager
def ordinary_pages() -> Iterator[None]:
    """Arrays allocated inside are not advised for transparent huge pages (numpy advises
    every array of 4 MiB or more; the previous setting is restored after).

    Agent storage is allocated so: on this project's machine (a VM, docs/performance.md)
    mapping a huge page takes ~7x as long per byte as mapping small pages (a world of 1M
    agents: 13 s against 2 s of the build's time), and stepping was not measurably faster
    on huge pages. Where the system uses huge pages for everything (THP "always") this
    changes nothing."""
    try:
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # pragma: no cover - a numpy without it
        yield
        return
    before = _set_madvise_hugepage(False)
    try:
        yield
    finally:
        _set_madvise_hugepage(before)


_MADV_POPULATE_WRITE = 23  # Linux >= 5.14


def map_ahead(arrays: list[np.ndarray], pieces: int = 64) -> threading.Thread | None:
    """Map the memory of ``arrays`` (fresh, C-contiguous) in a thread of its own, a
    ``pieces``-th of each array at a time, front to back, while the caller fills them front
    to back; join it before using them elsewhere. The contents do not change (the system's
    MADV_POPULATE_WRITE maps pages that are not mapped yet, as writing to them would), so it
    can only save time: mapping in one call costs ~1/3 less than page by page, and it runs
    beside the caller's work. None where the system has no such call (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):  # pragma: no cover
        return None
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    page = mmap.PAGESIZE
    spans = [(a.ctypes.data, a.ctypes.data + a.nbytes) for a in arrays if a.nbytes >= page]

    def work() -> None:
        for i in range(pieces):
            for start, end in spans:
                first = (start + (end - start) * i // pieces) // page * page
                last = (start + (end - start) * (i + 1) // pieces) // page * page
                if last > first and madvise(first, last - first, _MADV_POPULATE_WRITE) != 0:
                    return  # an older system: the caller maps them as it writes

    thread = threading.Thread(target=work, name="alife-map-ahead", daemon=True)
    thread.start()
    return thread


def empty_agents(capacity: int, n_genes: int, n_senses: int, n_features: int,
                 affect_dims: int, memory_size: int, pending_slots: int = 1) -> AgentState:
    """Agent storage of ``capacity`` dead slots (rounded up to whole blocks of 8);
    ``pending_slots`` = food.delay + 1.

    The LANE_FIELDS are allocated in their block shape (no slot-by-slot array to copy), and
    zeros are ``np.zeros``: the system maps their pages when they are first written, so
    storage that nothing has written yet costs neither time nor resident memory; on
    ordinary pages (:func:`ordinary_pages`).
    """
    with ordinary_pages():
        return _empty_agents(blocks_for(capacity), n_genes, n_senses, n_features, affect_dims,
                             memory_size, pending_slots)


def _empty_agents(capacity: int, n_genes: int, n_senses: int, n_features: int,
                  affect_dims: int, memory_size: int, pending_slots: int) -> AgentState:
    p, k, m = n_features, affect_dims, memory_size

    def lanes(row: tuple[int, ...], dtype) -> np.ndarray:
        """Zeros for a LANE_FIELDS array: (capacity / 8, *row, 8)."""
        return np.zeros((capacity // LANES, *row, LANES), dtype)

    return AgentState(
        alive=np.zeros(capacity, np.bool_),
        x=np.zeros(capacity, np.int32),
        y=np.zeros(capacity, np.int32),
        energy=np.zeros(capacity, np.float32),
        age=np.zeros(capacity, np.int32),
        id=np.full(capacity, -1, np.int64),
        parent_id=np.full(capacity, -1, np.int64),
        parent2_id=np.full(capacity, -1, np.int64),
        generation=np.zeros(capacity, np.int32),
        birth_tick=np.zeros(capacity, np.int64),
        death_cause=np.zeros(capacity, np.int8),
        rng=np.zeros((capacity, 3), np.uint64),
        genome=np.zeros((capacity, n_genes), np.float32),
        senses=lanes((n_senses,), np.float32),
        action=np.full(capacity, -1, np.int8),
        action_prob=lanes((N_ACTIONS,), np.float32),
        moved=np.zeros(capacity, np.bool_),
        priority=np.zeros(capacity, np.uint64),
        forced_action=np.full(capacity, -1, np.int8),
        pending=np.zeros((capacity, pending_slots), np.float32),
        features=lanes((p + 1,), np.float32),
        prev_features=lanes((p + 1,), np.float32),
        prediction=lanes((p,), np.float32),
        traits=lanes((n_traits(k, N_DRIVES),), np.float32),
        model=lanes((p + 1, N_ACTIONS, p), np.float32),
        value=lanes((p + 1,), np.float32),
        reward_model=lanes((p + 1, N_ACTIONS), np.float32),
        error_fast=lanes((p + 2, N_ACTIONS), np.float32),
        error_slow=lanes((p + 2, N_ACTIONS), np.float32),
        input_scale=lanes((p + 2,), np.float32),
        expected=lanes((3,), np.float32),
        experience=np.zeros(capacity, np.int32),
        prev_energy=np.zeros(capacity, np.float32),
        surprise=np.zeros(capacity, np.float32),
        progress=np.zeros(capacity, np.float32),
        reward=np.zeros(capacity, np.float32),
        explored=np.zeros(capacity, np.bool_),
        affect=lanes((k,), np.float32),
        affect_u=lanes((k,), np.float32),
        affect_alpha=lanes((k,), np.float32),
        drives=lanes((N_DRIVES,), np.float32),
        drive_mean=lanes((N_DRIVES,), np.float32),
        drive_var=lanes((N_DRIVES,), np.float32),
        mem_x=lanes((m, p + 1), np.float32),
        mem_next=lanes((m, p), np.float32),
        mem_action=lanes((m,), np.int8),
        mem_weight=lanes((m,), np.float32),
        write_weight=np.zeros(capacity, np.float32),
    )


def agent_dims(agents: AgentState) -> tuple[int, int, int, int, int, int]:
    """(genes, senses, features, affect dims, memory size, pending slots) of agent storage:
    the arguments of empty_agents after the capacity."""
    return (agents.genome.shape[1], agents.senses.shape[1], agents.prediction.shape[1],
            agents.affect.shape[1], agents.mem_weight.shape[1], agents.pending.shape[1])


def grow_agents(agents: AgentState, capacity: int) -> AgentState:
    """A copy of ``agents`` with ``capacity`` slots; the new slots are dead."""
    old = agents.alive.shape[0]
    if capacity <= old:
        return agents
    bigger = empty_agents(capacity, *agent_dims(agents))
    for new, cur in zip(bigger, agents):
        new[:cur.shape[0]] = cur  # lane fields: whole blocks, the others: slots
    return bigger


@dataclass
class State:
    """Everything that evolves during a run: grid, agents and the counters.

    counters int64 (3,): [tick, next_id, n_alive], updated in place by the kernels.
    """

    grid: GridState
    agents: AgentState
    counters: np.ndarray

    @property
    def tick(self) -> int:
        return int(self.counters[TICK])

    @property
    def n_alive(self) -> int:
        return int(self.counters[N_ALIVE])

    @property
    def capacity(self) -> int:
        return int(self.agents.alive.shape[0])

"""Building the world fast and lean changes no bit of it.

The founders are built in place, in pieces, with compiled draws and a compiled start of their
learned state (alife.world.init, founders, normals). The reference here is the straightforward
code it replaced: numpy's own draws into a genome array of all founders, then
``start_learned_states`` slot by slot into storage made slot by slot and copied into lanes.
Every array of the state is compared byte for byte (so -0.0 is not 0.0).
"""

import numpy as np
import pytest
from conftest import tiny_config

from alife.config import load_config
from alife.genetics.genome import GenomeLayout
from alife.kernels.learner import start_learned_states
from alife.kernels.tick import births_room_needed
from alife.learners.features import sense_length
from alife.world import init
from alife.world.founders import lane_sources, start_founders
from alife.world.normals import compiled_draws_agree, standard_normal_f32
from alife.world.params import kernel_params
from alife.world.state import (
    LANE_FIELDS,
    AgentState,
    State,
    blocks_for,
    empty_agents,
    map_ahead,
    ordinary_pages,
    to_lanes,
)


def same_bytes(a: np.ndarray, b: np.ndarray, what: str = "") -> None:
    assert a.dtype == b.dtype and a.shape == b.shape and a.strides == b.strides, what
    assert np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes(), what


def same_state(a: State, b: State) -> None:
    for group in ("grid", "agents"):
        for name, x in getattr(a, group)._asdict().items():
            same_bytes(x, getattr(getattr(b, group), name), f"{group}.{name}")
    same_bytes(a.counters, b.counters, "counters")


# ---- the code that was replaced, as it was ------------------------------------------------

def reference_empty_agents(capacity, n_genes, n_senses, n_features, affect_dims, memory_size,
                           pending_slots=1):
    """empty_agents as it was: slot by slot, the lane fields copied into lanes."""
    rows = AgentState(**{name: np.zeros((blocks_for(capacity), *a.shape[1:-1]), a.dtype)
                         if name in LANE_FIELDS else np.zeros((blocks_for(capacity), *a.shape[1:]),
                                                                a.dtype)
                         for name, a in empty_agents(8, n_genes, n_senses, n_features,
                                                     affect_dims, memory_size,
                                                     pending_slots)._asdict().items()})
    for name in ("id", "parent_id", "parent2_id", "action", "forced_action"):
        getattr(rows, name)[:] = -1
    return rows._replace(**{name: to_lanes(getattr(rows, name)) for name in LANE_FIELDS})


def reference_founder_genomes(config, layout, n, rng):
    if config.agents.founders:
        with np.load(config.agents.founders) as data:
            genomes = data["genomes"]
        m = genomes.shape[0]
        rows = np.concatenate([rng.permutation(m) for _ in range(-(-n // m))])[:n] if n else []
        lo, hi = layout.bounds()
        genomes = np.clip(genomes[rows].astype(np.float32), lo, hi)
    else:
        lc = config.learner
        genomes = np.zeros((n, layout.size), np.float32)
        layout.view(genomes, "log_temperature")[:] = np.log(lc.temperature)
        layout.view(genomes, "log_model_lr")[:] = np.log(lc.model_lr)
        layout.view(genomes, "log_value_lr")[:] = np.log(lc.value_lr)
        layout.view(genomes, "discount")[:] = lc.discount
        layout.view(genomes, "curiosity_weight")[:] = lc.curiosity_weight
        ac = config.affect
        layout.view(genomes, "affect_log_half_life")[:] = np.log(ac.half_lives)
        for name, scale in (("affect_sensitivity", ac.sensitivity_scale),
                            ("temperature_coupling", ac.coupling_scale),
                            ("curiosity_coupling", ac.coupling_scale),
                            ("learning_coupling", ac.coupling_scale),
                            ("value_coupling", ac.coupling_scale),
                            ("memory_coupling", ac.coupling_scale),
                            ("memory_surprise", ac.coupling_scale),
                            ("memory_bias", ac.coupling_scale)):
            genes = layout.view(genomes, name)
            genes[:] = scale * rng.standard_normal(genes.shape, dtype=np.float32)
        layout.view(genomes, "mutation_step")[:] = config.life.mutation_sigma
        model_prior, value_prior = init.innate_model(config, layout.n_features)
        model = layout.view(genomes, "model_init")
        value = layout.view(genomes, "value_init")
        reward = layout.view(genomes, "reward_init")
        noise = np.float32(lc.init_noise)
        for start in range(0, n, 4096):
            rows = slice(start, min(n, start + 4096))
            count = rows.stop - rows.start
            model[rows] = model_prior + noise * rng.standard_normal((count, *model_prior.shape),
                                                                    dtype=np.float32)
            value[rows] = value_prior + noise * rng.standard_normal((count, *value_prior.shape),
                                                                    dtype=np.float32)
            reward[rows] = noise * rng.standard_normal((count, *reward.shape[1:]), dtype=np.float32)
        lo, hi = layout.bounds()
        np.clip(genomes, lo, hi, out=genomes)
    if config.agents.clones and n:
        genomes[1:] = genomes[0]
    return genomes


def reference_make_state(config):
    layout = GenomeLayout.from_config(config)
    streams = init.seed_streams(config.seed)
    grid = init.make_grid(config, streams["world"])
    n = config.agents.initial_count
    cells = init._founder_cells(config, grid, n, streams["agents"])
    ages = np.zeros(n, np.int32)
    if config.life.max_age > 0:
        oldest = int(config.agents.founder_age_spread * config.life.max_age)
        if oldest > 0:
            ages[:] = streams["agents"].integers(0, oldest, size=n)
    genomes = reference_founder_genomes(config, layout, n, streams["agents"])
    capacity = max(16, n + births_room_needed(n, config.agents.max_population))
    agents = reference_empty_agents(capacity, layout.size, sense_length(config), layout.n_features,
                                    layout.affect_dims, config.affect.memory_size,
                                    config.food.delay + 1)
    ys, xs = np.divmod(cells, config.world.width)
    agents.alive[:n] = True
    agents.x[:n] = xs
    agents.y[:n] = ys
    agents.energy[:n] = config.agents.initial_energy
    agents.age[:n] = ages
    agents.id[:n] = np.arange(n, dtype=np.int64)
    agents.genome[:n] = genomes
    start_learned_states(np.arange(n, dtype=np.int64), agents, kernel_params(config, layout))
    agents.rng[:n, 0] = streams["agents"].integers(0, 2**64, size=n, dtype=np.uint64)
    agents.rng[:n, 1] = streams["mutation"].integers(0, 2**64, size=n, dtype=np.uint64)
    agents.rng[:n, 2] = streams["agents"].integers(0, 2**64, size=n, dtype=np.uint64)
    grid.occupancy[ys, xs] = np.arange(n, dtype=np.int32)
    return State(grid=grid, agents=agents, counters=np.array([0, n, n], np.int64))


# ---- the tests ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def founders_file(tmp_path_factory):
    layout = GenomeLayout.from_config(tiny_config())
    path = tmp_path_factory.mktemp("founders") / "genomes.npz"
    # float64 rows, some out of their bounds: the clip and the cast are part of the build
    np.savez(path, genomes=np.random.default_rng(5).normal(0.0, 3.0, (37, layout.size)))
    return str(path)


CASES = {
    "tiny": {},
    "two blocks and a half": {"agents": {"initial_count": 9001},
                              "world": {"width": 120, "height": 100}},
    "clones": {"agents": {"initial_count": 5001, "clones": True},
               "world": {"width": 100, "height": 80}},
    "innate model": {"learner": {"init_model": "shift", "init_value_food": 0.5,
                                 "init_noise": 0.5}, "life": {"max_age": 0},
                     "food": {"kinds": 3, "kind_values": [1.0, -1.0, 0.5], "delay": 2,
                              "delayed_kind": 1}},
    "window features": {"learner": {"features": "window"},
                        "affect": {"dims": 3, "half_lives": [5.0, 50.0, 500.0],
                                   "memory_size": 5},
                        "agents": {"initial_count": 4097, "max_population": 0},
                        "world": {"width": 100, "height": 80}},
    "none": {"agents": {"initial_count": 0}},
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("seed", [0, 7])
def test_the_world_at_tick_0_is_the_one_the_old_code_built(case, seed):
    config = load_config(tiny_config(**CASES[case]), {"seed": seed})
    same_state(init.make_state(config), reference_make_state(config))


def test_founders_from_a_file_are_the_old_codes(founders_file):
    for extra in ({"initial_count": 5000}, {"initial_count": 60, "clones": True}):
        config = tiny_config(agents={"founders": founders_file, **extra},
                             world={"width": 100, "height": 80})
        same_state(init.make_state(config), reference_make_state(config))


@pytest.mark.parametrize("rows", [1, 8, 100, 4096, 10_000])
def test_the_pieces_the_founders_are_written_in_do_not_change_them(rows):
    config = tiny_config(agents={"initial_count": 9001}, world={"width": 120, "height": 100})
    layout = GenomeLayout.from_config(config)
    ours, theirs = np.random.default_rng(3), np.random.default_rng(3)
    started = []
    genomes = init.founder_genomes(config, layout, 9001, ours, rows=rows,
                                   ready=lambda first, stop: started.append((first, stop)))
    same_bytes(genomes, reference_founder_genomes(config, layout, 9001, theirs))
    assert ours.bit_generator.state == theirs.bit_generator.state  # the streams go on alike
    assert [first for first, _ in started] == sorted(first for first, _ in started)
    assert sum(stop - first for first, stop in started) == 9001


def test_the_generation_worlds_of_evolution_are_unchanged():
    config = tiny_config(agents={"initial_count": 500}, world={"width": 40, "height": 40})
    layout = GenomeLayout.from_config(config)
    genomes = init.founder_genomes(config, layout, 500, np.random.default_rng(1))
    ids = np.arange(500, dtype=np.int64) + 1000
    state = init.make_generation_state(config, layout, 3, 900, genomes, ids, ids - 1,
                                       np.full(500, -1, np.int64))
    # the reference: the same world, founders' learned states started slot by slot
    agents = reference_empty_agents(state.capacity, layout.size, sense_length(config),
                                    layout.n_features, layout.affect_dims,
                                    config.affect.memory_size, config.food.delay + 1)
    for name in ("alive", "x", "y", "energy", "age", "id", "parent_id", "parent2_id",
                 "generation", "birth_tick", "rng"):
        getattr(agents, name)[:] = getattr(state.agents, name)
    agents.genome[:500] = genomes
    start_learned_states(np.arange(500, dtype=np.int64), agents, kernel_params(config, layout))
    for name, x in state.agents._asdict().items():
        same_bytes(x, getattr(agents, name), name)


@pytest.mark.parametrize("first, stop", [(0, 64), (3, 61), (8, 9), (5, 6), (0, 0)])
def test_start_founders_is_start_learned_state_on_fresh_storage(first, stop):
    config = tiny_config(affect={"dims": 3, "half_lives": [5.0, 50.0, 500.0], "memory_size": 6})
    layout = GenomeLayout.from_config(config)
    params = kernel_params(config, layout)
    dims = (layout.size, sense_length(config), layout.n_features, layout.affect_dims, 6, 1)
    ours, theirs = empty_agents(64, *dims), empty_agents(64, *dims)
    genomes = np.random.default_rng(2).normal(0.0, 1.0, (64, layout.size)).astype(np.float32)
    ours.genome[:] = theirs.genome[:] = genomes
    start_founders(first, stop, ours, params, lane_sources(ours, params))
    start_learned_states(np.arange(first, stop, dtype=np.int64), theirs, params)
    for name, x in ours._asdict().items():
        same_bytes(x, getattr(theirs, name), name)


def test_agent_storage_is_made_in_lanes_as_the_slot_rows_copied_into_lanes():
    ours = empty_agents(20, 7, 9, 10, 4, 6, 3)
    for name, x in ours._asdict().items():
        same_bytes(x, getattr(reference_empty_agents(20, 7, 9, 10, 4, 6, 3), name), name)


@pytest.mark.parametrize("seed", [0, 1, 2**40])
def test_compiled_normals_are_numpys(seed):
    assert compiled_draws_agree()
    ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
    for shape in [(1,), (3, 5), (0,), (100_003,), (7, 11, 13)]:  # a half-used 64-bit draw carries
        same_bytes(standard_normal_f32(ours, shape), theirs.standard_normal(shape, np.float32))
        assert ours.bit_generator.state == theirs.bit_generator.state
    out = np.empty((4, 6), np.float32)
    assert standard_normal_f32(ours, out.shape, out=out) is out
    same_bytes(out, theirs.standard_normal(out.shape, np.float32))
    assert ours.integers(0, 2**63) == theirs.integers(0, 2**63)


def test_compiled_normals_cover_the_rare_paths_of_the_ziggurat():
    # ~0.7 % of the draws take a wedge (an exp), ~1 in 4,000 the tail (two log1p)
    ours, theirs = np.random.default_rng(11), np.random.default_rng(11)
    same_bytes(standard_normal_f32(ours, (3_000_000,)),
               theirs.standard_normal(3_000_000, np.float32))


def test_other_bit_generators_get_numpys_own_draws():
    ours = np.random.Generator(np.random.Philox(4))
    theirs = np.random.Generator(np.random.Philox(4))
    same_bytes(standard_normal_f32(ours, (1001,)), theirs.standard_normal(1001, np.float32))


def test_mapping_memory_ahead_changes_nothing():
    values = np.arange(3 << 20, dtype=np.float32)
    fresh = np.zeros(5 << 20, np.float32)
    thread = map_ahead([values, fresh[1:], values[:0]], pieces=7)
    if thread is not None:
        thread.join()
    same_bytes(values, np.arange(3 << 20, dtype=np.float32))
    assert not fresh.any()


def test_ordinary_pages_restores_numpys_huge_page_advice():
    from numpy._core.multiarray import _set_madvise_hugepage

    before = _set_madvise_hugepage(True)
    try:
        with ordinary_pages():
            assert _set_madvise_hugepage(False) is False
        assert _set_madvise_hugepage(True) is True
    finally:
        _set_madvise_hugepage(before)

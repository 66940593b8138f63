"""Make the world at tick 0 from a config: terrain, food, founders — all from the seed.

Random streams (numpy ``SeedSequence(seed).spawn``), kept apart so that a change to one part
(e.g. a different policy) leaves the others unchanged:
    world     obstacles and the food layout
    agents    founders' positions and genomes, and their acting streams
    mutation  founders' mutation/birth streams
Generational evolution builds a fresh world per generation from streams of its own
(:func:`generation_streams`), so generation g's world does not depend on what evolved before.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from alife.config.loading import ConfigError, load_config
from alife.config.schema import Config
from alife.genetics.genome import GenomeLayout
from alife.kernels.food import refresh_noise
from alife.kernels.sense import N_ACTIONS, window_size
from alife.kernels.simd import LANES
from alife.kernels.tick import births_room_needed
from alife.learners.features import SECTOR_FEATURES, sense_length
from alife.world.founders import compose_founders, lane_sources, start_founders
from alife.world.memory import check_fits
from alife.world.normals import standard_normal_f32
from alife.world.params import kernel_params, noise_key
from alife.world.state import AgentState, GridState, State, empty_agents, map_ahead, ordinary_pages


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """The named random streams of a run."""
    return _streams(np.random.SeedSequence(seed))


def generation_streams(seed: int, generation: int) -> dict[str, np.random.Generator]:
    """The named streams of generation ``generation``'s world in generational evolution
    (seed-sequence branch 3; branches 0–2 are the streams of :func:`seed_streams`)."""
    return _streams(np.random.SeedSequence(seed, spawn_key=(3, generation)))


def _streams(seed_sequence: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    world, agents, mutation = seed_sequence.spawn(3)
    return {
        "world": np.random.default_rng(world),
        "agents": np.random.default_rng(agents),
        "mutation": np.random.default_rng(mutation),
    }


def make_grid(config: Config, rng: np.random.Generator) -> GridState:
    """The grid's layers at tick 0, on ordinary pages (as agent storage: ``ordinary_pages``),
    the FFT's temporaries too."""
    with ordinary_pages():
        return _make_grid(config, rng)


def _make_grid(config: Config, rng: np.random.Generator) -> GridState:
    w, h = config.world.width, config.world.height
    f = config.food
    obstacle = rng.random((h, w)) < config.world.obstacle_density
    if f.patch_size > 0:
        field = _smooth_noise(rng.standard_normal((h, w)), f.patch_size)
        rich = field >= np.quantile(field, 1.0 - f.patch_cover)
    else:
        rich = np.ones((h, w), bool)
    food_capacity = np.where(rich, f.capacity, f.capacity * f.background).astype(np.float32)
    food_capacity[obstacle] = 0.0
    noise = np.zeros((h, w), bool)
    if config.world.noise_cover > 0:  # only then: a world without noise draws nothing more
        field = _smooth_noise(rng.standard_normal((h, w)), config.world.noise_patch_size)
        noise = (field >= np.quantile(field, 1.0 - config.world.noise_cover)) & ~obstacle
        food_capacity[noise] = 0.0  # nothing grows there; what shows is in its own channel
    food = (food_capacity * np.float32(f.initial_fill)).astype(np.float32)
    hazard = np.zeros((h, w), bool)
    if config.world.hazard_cover > 0:  # only then: a world without hazards draws nothing more
        field = _smooth_noise(rng.standard_normal((h, w)), config.world.hazard_patch_size)
        hazard = (field >= np.quantile(field, 1.0 - config.world.hazard_cover)) & ~obstacle
    kinds = f.kinds
    kind = np.zeros((h, w), np.int8)
    deal = np.arange(kinds, dtype=np.int64)
    if kinds > 1:  # only then: a world of one kind draws nothing more
        field = _smooth_noise(rng.standard_normal((h, w)), f.patch_size or 6.0)
        kind = np.digitize(field, np.quantile(field, np.arange(1, kinds) / kinds)).astype(np.int8)
        if f.deal in ("per_generation", "volatile"):  # genes cannot know the first deal
            deal = rng.permutation(kinds).astype(np.int64)
    region = np.zeros((h, w), bool)
    if f.deal == "per_region":
        field = _smooth_noise(rng.standard_normal((h, w)), max(h, w) / 6.0)
        region = field >= np.median(field)
    next_deal = f.deal_every if f.deal == "per_generation" else 0
    noise_cells = np.flatnonzero(noise.ravel()).astype(np.int64)
    signal = np.zeros((h, w), np.float32)
    refresh_noise(signal, noise_cells, noise_key(config.seed), 0, float(f.capacity))
    return GridState(
        food=food,
        food_capacity=food_capacity,
        obstacle=obstacle,
        occupancy=np.full((h, w), -1, np.int32),
        column_rate=np.zeros(w, np.float64),
        noise=noise,
        noise_cells=noise_cells,
        signal=signal,
        hazard=hazard,
        kind=kind,
        region=region,
        kind_value=np.asarray(f.kind_values, np.float32),
        deal=deal,
        deal_clock=np.array([next_deal, 0], np.int64),
    )


def _smooth_noise(noise: np.ndarray, scale: float) -> np.ndarray:
    """Gaussian-smoothed noise with periodic boundaries (FFT), length scale ``scale`` cells."""
    h, w = noise.shape
    ky = np.fft.fftfreq(h)[:, None]
    kx = np.fft.fftfreq(w)[None, :]
    kernel = np.exp(-2.0 * (np.pi * scale) ** 2 * (kx**2 + ky**2))
    return np.fft.ifft2(np.fft.fft2(noise) * kernel).real


# founders' genes are drawn for blocks of this many rows, the model's, value's and reward
# head's noise block by block: the order of the draws, so the genomes, depend on it
FOUNDER_BLOCK = 4096
# founders' genomes and learned states are written this many rows at a time (a multiple of
# 8: whole blocks of lanes), so that each piece is still in the cache when it is read again
FOUNDER_ROWS = 512


def founder_genomes(config: Config, layout: GenomeLayout, n: int, rng: np.random.Generator,
                    out: np.ndarray | None = None, rows: int = FOUNDER_ROWS,
                    ready: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Genomes of the founders, float32 (n, layout.size): the learner's config values, an
    innate world model and value (``learner.init_model``, ``learner.init_value_food``: blank
    by default), a blank reward head, and Gaussian noise of ``learner.init_noise`` on the
    model, value and reward-head weights; the affect half-lives from the config and random
    sensitivities, couplings and memory-write genes (``affect.*_scale``): nothing hand-set
    that evolution or learning should find. ``agents.clones``: all of them founder 0's.

    Written ``rows`` rows at a time (the genomes do not depend on it) into ``out``, zeros
    float32 (n, layout.size), when given (the agents' genome storage), else into a new
    array, which is returned; the memory needed beyond them is the affect genes' draws
    (46 genes, 184 bytes per founder by default) and the noise of two blocks of
    FOUNDER_BLOCK rows. ``ready(first, stop)`` is called as rows first..stop-1 are final,
    in order, while they are still in the cache (from another thread when there is more
    than one block: it finishes a block while the next one's noise is drawn).
    """
    if out is None:
        out = np.zeros((n, layout.size), np.float32)
    rows = max(1, rows)
    clones = config.agents.clones and n > 0
    _founder_genomes(config, layout, n, rng, out, rows, None if clones else ready)
    if clones:
        out[1:] = out[0]
        if ready is not None:
            for start in range(0, n, rows):
                ready(start, min(n, start + rows))
    return out


def _founder_genomes(config: Config, layout: GenomeLayout, n: int, rng: np.random.Generator,
                     genomes: np.ndarray, rows: int,
                     ready: Callable[[int, int], None] | None) -> None:
    if config.agents.founders:
        evolved_founders(config.agents.founders, layout, n, rng, genomes, rows, ready)
        return
    lc = config.learner
    ac = config.affect
    # the random affect genes (46 per founder by default): all n rows' of one segment, then
    # the next segment's
    affect_offsets, affect = [], []
    for name, scale in (("affect_sensitivity", ac.sensitivity_scale),
                        ("temperature_coupling", ac.coupling_scale),
                        ("curiosity_coupling", ac.coupling_scale),
                        ("learning_coupling", ac.coupling_scale),
                        ("value_coupling", ac.coupling_scale),
                        ("memory_coupling", ac.coupling_scale),
                        ("memory_surprise", ac.coupling_scale),
                        ("memory_bias", ac.coupling_scale)):
        genes = standard_normal_f32(rng, (n, layout.segments[name].size))
        affect_offsets.append(layout.offset(name))
        affect.append(np.multiply(scale, genes, out=genes))
    model_prior, value_prior = innate_model(config, layout.n_features)
    lo, hi = layout.bounds()
    # the genes set from the config, as one row
    template = np.zeros((1, layout.size), np.float32)
    layout.view(template, "log_temperature")[:] = np.log(lc.temperature)
    layout.view(template, "log_model_lr")[:] = np.log(lc.model_lr)
    layout.view(template, "log_value_lr")[:] = np.log(lc.value_lr)
    layout.view(template, "discount")[:] = lc.discount
    layout.view(template, "curiosity_weight")[:] = lc.curiosity_weight
    layout.view(template, "affect_log_half_life")[:] = np.log(ac.half_lives)
    layout.view(template, "mutation_step")[:] = config.life.mutation_sigma
    const_genes = np.concatenate([
        np.arange(layout.offset(name), layout.offset(name) + layout.segments[name].size)
        for name in ("log_temperature", "log_model_lr", "log_value_lr", "discount",
                     "curiosity_weight", "affect_log_half_life", "mutation_step")])
    const_values = template[0, const_genes]
    # the noise of one block of rows, drawn in this order: its model's, value's, reward head's
    heads = ("model_init", "value_init", "reward_init")
    head_offsets = tuple(layout.offset(name) for name in heads)
    priors = (model_prior.ravel(), value_prior, np.zeros(0, np.float32))  # reward: no prior
    noise = np.float32(lc.init_noise)

    def finish(start: int, stop: int, draws: tuple[np.ndarray, ...]) -> None:
        """Rows start..stop-1 (one block) from the block's draws, ``rows`` at a time."""
        for first in range(start, stop, rows):
            last = min(stop, first + rows)
            compose_founders(genomes, first, last, const_genes, const_values,
                             tuple(affect_offsets), tuple(affect), start, head_offsets, draws,
                             priors, noise, lo, hi)
            if ready is not None:
                ready(first, last)

    # with more than one block, a thread finishes block b while block b + 1 is drawn (the
    # draws stay in order; two sets of buffers take turns)
    blocks = range(0, n, FOUNDER_BLOCK)
    buffers = [tuple(np.empty((min(n, FOUNDER_BLOCK), layout.segments[name].size), np.float32)
                     for name in heads) for _ in range(min(2, len(blocks)))]
    with ThreadPoolExecutor(1, thread_name_prefix="alife-founders") as pool:
        pending = None
        for b, start in enumerate(blocks):
            stop = min(n, start + FOUNDER_BLOCK)
            draws = buffers[b % len(buffers)]
            for draw in draws:
                standard_normal_f32(rng, (stop - start, draw.shape[1]), out=draw[:stop - start])
            if pending is not None:
                pending.result()
            if len(blocks) == 1:
                finish(start, stop, draws)
            else:
                pending = pool.submit(finish, start, stop, draws)
        if pending is not None:
            pending.result()


def evolved_founders(path: str, layout: GenomeLayout, n: int, rng: np.random.Generator,
                     out: np.ndarray | None = None, rows: int = FOUNDER_ROWS,
                     ready: Callable[[int, int], None] | None = None) -> np.ndarray:
    """n founders' genomes float32 (n, G) drawn from the rows of the genomes file ``path``
    (``agents.founders``): in a random order, each row once while they last. ``out``,
    ``rows``, ``ready``: as in :func:`founder_genomes`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            genomes = data["genomes"] if "genomes" in data.files else None
    except (OSError, ValueError, EOFError) as err:
        raise ValueError(f"agents.founders: {path}: cannot read a genomes file ({err})") from None
    if genomes is None or genomes.ndim != 2 or genomes.shape[0] == 0:
        raise ValueError(f"agents.founders: {path}: expected an array 'genomes' of shape (m, G) "
                         "with m >= 1 (as `alife evolve` writes to genomes.npz)")
    if genomes.shape[1] != layout.size:
        raise ValueError(f"agents.founders: {path}: genomes of {genomes.shape[1]} genes, this "
                         f"config's genome has {layout.size} (its sense radius, features and "
                         "affect dims must be those of the run that evolved them)")
    m = genomes.shape[0]
    order = np.concatenate([rng.permutation(m) for _ in range(-(-n // m))])[:n] if n else []
    lo, hi = layout.bounds()
    if out is None:
        out = np.zeros((n, layout.size), np.float32)
    rows = max(1, rows)
    for start in range(0, n, rows):
        chunk = out[start:start + rows]
        np.clip(genomes[order[start:start + chunk.shape[0]]].astype(np.float32), lo, hi, out=chunk)
        if ready is not None:
            ready(start, start + chunk.shape[0])
    return out


def innate_model(config: Config, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Founders' world model (A, P, P+1) and value (P+1,) before noise, float32.

    persistence: every feature is expected to stay as it is. shift (sector features only): as
    persistence, and a step towards a sector is expected to bring that sector's food underfoot.
    The value prizes food underfoot and own energy by ``learner.init_value_food``.
    """
    lc = config.learner
    p = n_features
    model = np.zeros((N_ACTIONS, p, p + 1), np.float32)
    if lc.init_model in ("persistence", "shift"):
        model[:, np.arange(p), np.arange(p)] = 1.0
    sectors = lc.features == "sectors"
    if lc.init_model == "shift" and sectors:
        here = SECTOR_FEATURES.index("food_here")
        for a in range(1, N_ACTIONS):  # the step actions N, E, S, W face sectors 1..4
            model[a, here, :] = 0.0
            model[a, here, a] = 1.0
    value = np.zeros(p + 1, np.float32)
    if sectors:
        value[SECTOR_FEATURES.index("food_here")] = lc.init_value_food
        value[SECTOR_FEATURES.index("energy")] = lc.init_value_food
    else:
        r = config.agents.sense_radius
        value[window_size(r) // 2] = lc.init_value_food  # food in the own cell
        value[p - 1] = lc.init_value_food  # energy, the last sense
    return model, value


def make_state(config: Config, layout: GenomeLayout | None = None) -> State:
    """The world at tick 0. Same config (and seed) → identical state. A world that would
    not fit in the available memory is refused first (ConfigError).

    The founders are written into the agents' storage in place, a few thousand at a time,
    so that making the world needs little memory beyond the state itself."""
    layout = layout or GenomeLayout.from_config(config)
    check_fits(config, layout)
    streams = seed_streams(config.seed)
    grid = make_grid(config, streams["world"])
    n = config.agents.initial_count
    cells = _founder_cells(config, grid, n, streams["agents"])
    agents = _agent_storage(config, layout, n)
    mapping = map_ahead(_written(agents, n))
    try:
        if config.life.max_age > 0:  # mixed ages, so the founders do not all die of age at once
            oldest = int(config.agents.founder_age_spread * config.life.max_age)
            if oldest > 0:
                agents.age[:n] = streams["agents"].integers(0, oldest, size=n)
        params = kernel_params(config, layout)
        sources = lane_sources(agents, params)
        founder_genomes(config, layout, n, streams["agents"], out=agents.genome[:n],
                        ready=lambda first, stop: start_founders(first, stop, agents, params,
                                                                 sources))
        agents.id[:n] = np.arange(n, dtype=np.int64)
        _place(config, grid, cells, agents, streams)
    finally:
        if mapping is not None:
            mapping.join()
    return State(grid=grid, agents=agents, counters=np.array([0, n, n], np.int64))


def empty_state(config: Config, layout: GenomeLayout | None = None) -> State:
    """A world of the config's kind with no agents (room for 16), its grid small, built with
    numpy alone: it has the types of :func:`make_state`'s world, so kernels can be compiled
    for it before the real world exists (alife.runners.compiling)."""
    layout = layout or GenomeLayout.from_config(config)
    try:
        small = load_config(config, {"world.width": 8, "world.height": 8})
    except ConfigError:  # settings that need a bigger world: the grid at full size
        small = config
    grid = make_grid(small, seed_streams(config.seed)["world"])
    return State(grid=grid, agents=_agent_storage(config, layout, 0),
                 counters=np.zeros(3, np.int64))


def make_generation_state(config: Config, layout: GenomeLayout, generation: int, tick: int,
                          genomes: np.ndarray, ids: np.ndarray, parent_ids: np.ndarray,
                          parent2_ids: np.ndarray) -> State:
    """A fresh world for one generation of generational evolution, at ``tick``.

    genomes float32 (n, G), ids/parent_ids/parent2_ids int64 (n,): the generation's agents,
    placed newborn (age 0, ``agents.initial_energy``) on random free cells. World, positions
    and per-agent streams come from :func:`generation_streams`.
    """
    streams = generation_streams(config.seed, generation)
    grid = make_grid(config, streams["world"])
    n = genomes.shape[0]
    cells = _founder_cells(config, grid, n, streams["agents"])
    agents = _agent_storage(config, layout, n)
    agents.genome[:n] = genomes
    agents.id[:n] = ids
    params = kernel_params(config, layout)
    start_founders(0, n, agents, params, lane_sources(agents, params))
    _place(config, grid, cells, agents, streams)
    agents.parent_id[:n] = parent_ids
    agents.parent2_id[:n] = parent2_ids
    agents.generation[:n] = generation
    agents.birth_tick[:n] = tick
    next_id = int(ids.max()) + 1 if n else 0
    return State(grid=grid, agents=agents, counters=np.array([tick, next_id, n], np.int64))


def _founder_cells(config: Config, grid: GridState, n: int, rng: np.random.Generator) -> np.ndarray:
    """n distinct random free cells (flat indices)."""
    free_cells = np.flatnonzero(~grid.obstacle.ravel())
    if n > free_cells.size:
        raise ValueError(f"agents.initial_count: {n} founders do not fit in {free_cells.size} "
                         "free cells")
    return rng.choice(free_cells, size=n, replace=False)


def _agent_storage(config: Config, layout: GenomeLayout, n: int) -> AgentState:
    """Empty agent storage for n agents and one tick's births."""
    capacity = max(16, n + births_room_needed(n, config.agents.max_population))
    return empty_agents(capacity, layout.size, sense_length(config), layout.n_features,
                        layout.affect_dims, config.affect.memory_size, config.food.delay + 1)


def _written(agents: AgentState, n: int) -> list[np.ndarray]:
    """The parts of fresh agent storage that placing n founders writes, in slot order."""
    blocks = -(-n // LANES)
    return [agents.genome[:n], agents.model[:blocks], agents.traits[:blocks],
            agents.reward_model[:blocks], agents.value[:blocks], agents.affect_alpha[:blocks],
            agents.rng[:n], agents.id[:n], agents.x[:n], agents.y[:n], agents.energy[:n],
            agents.age[:n], agents.alive[:n]]


def _place(config: Config, grid: GridState, cells: np.ndarray, agents: AgentState,
           streams: dict[str, np.random.Generator]) -> None:
    """Bring the agents in the first ``cells.shape[0]`` slots of ``agents`` (their genomes,
    ids, ages and learned states written) to life in ``cells``, with their streams."""
    n = cells.shape[0]
    ys, xs = np.divmod(cells, config.world.width)
    agents.alive[:n] = True
    agents.x[:n] = xs
    agents.y[:n] = ys
    agents.energy[:n] = config.agents.initial_energy
    agents.rng[:n, 0] = streams["agents"].integers(0, 2**64, size=n, dtype=np.uint64)
    agents.rng[:n, 1] = streams["mutation"].integers(0, 2**64, size=n, dtype=np.uint64)
    agents.rng[:n, 2] = streams["agents"].integers(0, 2**64, size=n, dtype=np.uint64)
    grid.occupancy[ys, xs] = np.arange(n, dtype=np.int32)

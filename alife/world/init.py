"""Make the world at tick 0 from a config: terrain, food, founders — all from the seed.

Random streams (numpy ``SeedSequence(seed).spawn``), kept apart so that a change to one part
(e.g. a different policy) leaves the others unchanged:
    world     obstacles and the food layout
    agents    founders' positions and genomes, and their acting streams
    mutation  founders' mutation/birth streams
"""

from __future__ import annotations

import numpy as np

from alife.config.schema import Config
from alife.genetics.genome import GenomeLayout
from alife.kernels.sense import ACTION_DX, ACTION_DY, N_ACTIONS, window_size
from alife.kernels.tick import births_room_needed
from alife.world.state import GridState, State, empty_agents


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """The named random streams of a run."""
    world, agents, mutation = np.random.SeedSequence(seed).spawn(3)
    return {
        "world": np.random.default_rng(world),
        "agents": np.random.default_rng(agents),
        "mutation": np.random.default_rng(mutation),
    }


def make_grid(config: Config, rng: np.random.Generator) -> GridState:
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
    return GridState(
        food=(food_capacity * np.float32(f.initial_fill)).astype(np.float32),
        food_capacity=food_capacity,
        obstacle=obstacle,
        occupancy=np.full((h, w), -1, np.int32),
        claim=np.full((h, w), -1, np.int32),
        column_rate=np.zeros(w, np.float64),
    )


def _smooth_noise(noise: np.ndarray, scale: float) -> np.ndarray:
    """Gaussian-smoothed noise with periodic boundaries (FFT), length scale ``scale`` cells."""
    h, w = noise.shape
    ky = np.fft.fftfreq(h)[:, None]
    kx = np.fft.fftfreq(w)[None, :]
    kernel = np.exp(-2.0 * (np.pi * scale) ** 2 * (kx**2 + ky**2))
    return np.fft.ifft2(np.fft.fft2(noise) * kernel).real


def founder_genomes(config: Config, layout: GenomeLayout, n: int, rng: np.random.Generator) -> np.ndarray:
    """Genomes of the founders, float32 (n, layout.size): a food-seeking prior plus noise.

    Each step action is pulled towards food seen in its direction (weight ∝ cos of the angle /
    distance) and pushed away from a blocked target cell; staying is pulled by food underfoot.
    """
    pc = config.policy
    r = config.agents.sense_radius
    n_window = window_size(r)
    prior = np.zeros((N_ACTIONS, layout.n_senses), np.float32)
    offsets = [(ox, oy) for oy in range(-r, r + 1) for ox in range(-r, r + 1)]
    centre = offsets.index((0, 0))
    for a in range(N_ACTIONS):
        dx, dy = ACTION_DX[a], ACTION_DY[a]
        if (dx, dy) == (0, 0):
            prior[a, centre] = 2.0 * pc.init_food_gradient
            continue
        for k, (ox, oy) in enumerate(offsets):
            if (ox, oy) != (0, 0):
                prior[a, k] = pc.init_food_gradient * (dx * ox + dy * oy) / (ox * ox + oy * oy)
        prior[a, n_window + offsets.index((dx, dy))] = -pc.init_avoid_blocked
    genomes = np.zeros((n, layout.size), np.float32)
    weights = layout.view(genomes, "policy_weight")
    bias = layout.view(genomes, "policy_bias")
    noise = np.float32(pc.init_noise)
    for start in range(0, n, 8192):  # in chunks: no genome-sized float64 temporaries
        rows = slice(start, min(n, start + 8192))
        count = rows.stop - rows.start
        weights[rows] = prior + noise * rng.standard_normal((count, *prior.shape), dtype=np.float32)
        bias[rows] = noise * rng.standard_normal((count, N_ACTIONS), dtype=np.float32)
    layout.view(genomes, "log_temperature")[:] = np.log(pc.init_temperature)
    lo, hi = layout.bounds()
    np.clip(genomes, lo, hi, out=genomes)
    return genomes


def make_state(config: Config, layout: GenomeLayout | None = None) -> State:
    """The world at tick 0. Same config (and seed) → identical state."""
    layout = layout or GenomeLayout(config.agents.sense_radius)
    streams = seed_streams(config.seed)
    grid = make_grid(config, streams["world"])
    n = config.agents.initial_count
    capacity = max(16, n + births_room_needed(n, config.agents.max_population))
    agents = empty_agents(capacity, layout.size, layout.n_senses)

    free_cells = np.flatnonzero(~grid.obstacle.ravel())
    if n > free_cells.size:
        raise ValueError(f"agents.initial_count: {n} founders do not fit in {free_cells.size} free cells")
    cells = streams["agents"].choice(free_cells, size=n, replace=False)
    ys, xs = np.divmod(cells, config.world.width)
    agents.alive[:n] = True
    agents.x[:n] = xs
    agents.y[:n] = ys
    agents.energy[:n] = config.agents.initial_energy
    if config.life.max_age > 0:  # mixed ages, so the founders do not all die of age at once
        oldest = int(config.agents.founder_age_spread * config.life.max_age)
        agents.age[:n] = streams["agents"].integers(0, oldest, size=n) if oldest > 0 else 0
    agents.id[:n] = np.arange(n)
    agents.genome[:n] = founder_genomes(config, layout, n, streams["agents"])
    agents.rng[:n, 0] = streams["agents"].integers(0, 2**64, size=n, dtype=np.uint64)
    agents.rng[:n, 1] = streams["mutation"].integers(0, 2**64, size=n, dtype=np.uint64)
    grid.occupancy[ys, xs] = np.arange(n, dtype=np.int32)
    counters = np.array([0, n, n], np.int64)
    return State(grid=grid, agents=agents, counters=counters)

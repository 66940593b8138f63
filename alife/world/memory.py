"""Will it fit? An estimate of the memory a world needs, checked before anything is
allocated, so that a world too large for the machine is refused with a message instead of
growing until the system kills the process."""

from __future__ import annotations

from alife.config import Config, ConfigError
from alife.genetics.genome import GenomeLayout
from alife.kernels.tick import births_room_needed
from alife.learners.features import sense_length
from alife.world.state import empty_agents

# bytes per cell: the grid's layers (~21) and, while the world is made, the complex FFT
# buffers that smooth its patches (~48)
CELL_BYTES = 72


def available_bytes() -> int | None:
    """Memory the system can give without swapping (Linux MemAvailable); None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def state_bytes(config: Config, layout: GenomeLayout | None = None) -> int:
    """Bytes the world at tick 0 needs: the grid and the agents' first storage."""
    layout = layout or GenomeLayout.from_config(config)
    n = config.agents.initial_count
    capacity = max(16, n + births_room_needed(n, config.agents.max_population))
    sample = empty_agents(8, layout.size, sense_length(config), layout.n_features,
                          config.affect.dims, config.affect.memory_size, config.food.delay + 1)
    per_agent = sum(a.nbytes for a in sample) / 8
    return int(capacity * per_agent + config.world.width * config.world.height * CELL_BYTES)


def check_fits(config: Config, layout: GenomeLayout | None = None,
               available: int | None = None) -> None:
    """Refuse (ConfigError naming the fields) a world that needs more memory than is available."""
    available = available_bytes() if available is None else available
    if available is None:
        return
    need = state_bytes(config, layout)
    if need > available:
        raise ConfigError(
            f"world.width, world.height, agents.initial_count: this world needs about "
            f"{need / 2**30:.1f} GiB ({config.world.width}x{config.world.height} cells, "
            f"{config.agents.initial_count} agents), but {available / 2**30:.1f} GiB are "
            "available; make it smaller")

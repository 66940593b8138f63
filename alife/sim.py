"""Simulation: owns the world state and advances it with the compiled kernels.

This is the API scripts, notebooks and the CLI use::

    from alife import Simulation, load_config
    sim = Simulation(load_config("configs/default.yaml", ["world.width=64"]), seed=3)
    sim.step(100)
    alive = sim.agents()          # dict of numpy arrays, alive agents only
    sim.state.grid.food           # float32 (H, W), the live array (read it, do not write it)

Rules live in the kernels; this class only orchestrates: it calls ``run_ticks`` for a batch
of ticks, grows agent storage when births need room and, when asked to, collects the records
of agents that died (``record_deaths=True``, :meth:`Simulation.take_deaths`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numba
import numpy as np

from alife.config import Config, load_config
from alife.genetics.genome import GenomeLayout
from alife.kernels.tick import DEATH_FIELDS, STAT_NAMES, births_room_needed, death_log, run_ticks
from alife.learners.features import feature_map
from alife.world.init import make_state
from alife.world.params import kernel_params
from alife.world.state import LANE_FIELDS, State, agent_rows, from_lanes, grow_agents, to_lanes


class Simulation:
    """A world and its agents, advanced tick by tick.

    Args:
        config: a Config, a YAML path, a dict of settings, or None for the defaults.
        seed: replaces ``config.seed`` when given.
        overrides: ``["world.width=64", ...]`` applied to the config.
        births: in-world reproduction (off for the generations of generational evolution).
        record_deaths: keep a record (and the genome) of every agent that dies, for lineage
            tables: see :meth:`take_deaths`.
        state: start from this State instead of a fresh world (it must fit the config).
    """

    def __init__(
        self,
        config: Config | str | Path | Mapping[str, Any] | None = None,
        *,
        seed: int | None = None,
        overrides: Iterable[str] | Mapping[str, Any] | None = None,
        births: bool = True,
        record_deaths: bool = False,
        state: State | None = None,
    ):
        if not isinstance(config, Config) or overrides:
            config = load_config(config, overrides)
        if seed is not None:
            config = load_config(config, {"seed": seed})
        self._configure(config, births, record_deaths)
        self.state: State = state if state is not None else make_state(config, self.layout)

    def _configure(self, config: Config, births: bool = True, record_deaths: bool = False) -> None:
        """Everything derived from the config (not the world itself)."""
        self.config: Config = config
        self.layout = GenomeLayout.from_config(config)
        self.feature_map = feature_map(config)
        self.params = kernel_params(config, self.layout, births=births)
        self.gene_lo, self.gene_hi = self.layout.bounds()
        self.step_of = self.layout.step_of_gene()
        self._stats = np.zeros(len(STAT_NAMES), np.float64)
        self.record_deaths = record_deaths
        self._deaths = death_log(0, self.layout.size)
        self._taken_deaths: list[tuple[np.ndarray, np.ndarray]] = []
        self.threads = min(config.run.threads or numba.config.NUMBA_NUM_THREADS,
                           numba.config.NUMBA_NUM_THREADS)

    @property
    def tick(self) -> int:
        return self.state.tick

    @property
    def n_alive(self) -> int:
        return self.state.n_alive

    @property
    def extinct(self) -> bool:
        return self.state.n_alive == 0

    def compile(self) -> None:
        """Compile (or load from numba's cache) the kernels without advancing the world."""
        self._run(0)

    def step(self, n_ticks: int = 1) -> int:
        """Advance up to ``n_ticks`` ticks; fewer only if the population dies out. Returns ticks
        done."""
        done = 0
        while done < n_ticks and not self.extinct:
            done += self._run(n_ticks - done)
            self._ensure_room()
        return done

    def _run(self, n_ticks: int) -> int:
        # per call, from the calling thread: other simulations may use other counts, and the
        # pool must have started before run_ticks (it releases the GIL; called from the cache
        # before the pool was started it crashed, even for 0 ticks)
        numba.set_num_threads(self.threads)
        if self.record_deaths:
            self._drain_deaths()
        return run_ticks(*self.tick_arguments(), n_ticks)

    def tick_arguments(self) -> tuple:
        """What ``run_ticks`` is called with, but the number of ticks."""
        return (self.state.grid, self.state.agents, self.params, self.feature_map,
                self.state.counters, self._stats, self.gene_lo, self.gene_hi, self.step_of,
                self._deaths)

    def _drain_deaths(self) -> None:
        """Move the kernel's death records out, and make the log big enough for one more tick."""
        count = int(self._deaths.count[0])
        if count:
            self._taken_deaths.append((self._deaths.records[:count].copy(),
                                       self._deaths.genomes[:count].copy()))
            self._deaths.count[0] = 0
        if self._deaths.records.shape[0] < self.state.capacity:
            self._deaths = death_log(max(1024, self.state.capacity), self.layout.size)

    def take_deaths(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Agents that died since the last call (with ``record_deaths=True``), in order of death.

        Returns (records, genomes): records maps each of DEATH_FIELDS (id, parent_id,
        parent2_id, generation, birth_tick, death_tick, cause, lifespan, energy) to an array
        (m,) (int64, energy float64); genomes float32 (m, G) as at death.
        """
        self._drain_deaths()
        chunks = self._taken_deaths
        self._taken_deaths = []
        records = (np.concatenate([c[0] for c in chunks]) if chunks
                   else np.zeros((0, len(DEATH_FIELDS)), np.float64))
        genomes = (np.concatenate([c[1] for c in chunks]) if chunks
                   else np.zeros((0, self.layout.size), np.float32))
        columns = {name: records[:, k].astype(np.int64) for k, name in enumerate(DEATH_FIELDS)}
        columns["energy"] = records[:, DEATH_FIELDS.index("energy")]
        return columns, genomes

    def _ensure_room(self) -> None:
        """Grow agent storage so that the next tick's births fit (doubling)."""
        n_alive = self.state.n_alive
        need = births_room_needed(n_alive, self.params.max_population)
        if self.state.capacity - n_alive < need:
            capacity = max(2 * self.state.capacity, n_alive + need)
            self.state.agents = grow_agents(self.state.agents, capacity)

    def checkpoint_arrays(self, lazy: bool = False) -> dict[str, Any]:
        """Every array needed to continue exactly: state, counters and pending event totals.
        Agents slot by slot, ``(n, *row)`` (the fields the kernels keep in lanes are converted:
        a checkpoint does not depend on the kernels' memory layout). ``lazy``: those as
        functions that convert when called, so a checkpoint is written one field at a time."""
        arrays: dict[str, Any] = _named_arrays(self.state, self._stats)
        for name in LANE_FIELDS:
            lanes = arrays[f"agents.{name}"]
            arrays[f"agents.{name}"] = ((lambda lanes=lanes: from_lanes(lanes)) if lazy
                                        else from_lanes(lanes))
        return arrays

    def save(self, path: str | Path, extra: dict[str, Any] | None = None) -> Path:
        """Write a checkpoint (atomically); ``extra``: JSON-able runner state kept with it."""
        from alife.config import config_to_yaml
        from alife.io.checkpoint import save_checkpoint

        return save_checkpoint(path, self.checkpoint_arrays(lazy=True), config_to_yaml(self.config),
                               extra)

    @classmethod
    def load(cls, path: str | Path, *, births: bool | None = None,
             record_deaths: bool = False) -> tuple["Simulation", dict[str, Any]]:
        """A simulation continued from a checkpoint, and the runner state saved with it.

        ``births`` and ``record_deaths`` as for the constructor (a runner's choices, not part
        of the checkpoint); ``births=None``: off for a generation of a generational evolution
        (its runner state says so), else on. Deaths not yet taken when the checkpoint was
        written are lost: take them before saving."""
        import yaml

        from alife.io.checkpoint import CheckpointError, load_checkpoint

        arrays, config_yaml, extra = load_checkpoint(path)
        arrays.pop("grid.claim", None)  # scratch of older versions, never needed
        sim = cls.__new__(cls)
        if births is None:
            births = extra.get("evolution") != "generational"
        sim._configure(load_config(yaml.safe_load(config_yaml)), births, record_deaths)
        # what a fresh world of this config would hold: names, dtypes, grid shapes
        expected = make_state(load_config(sim.config, {"agents.initial_count": 0}), sim.layout)
        fresh = _named_arrays(expected, sim._stats)
        if set(arrays) != set(fresh):
            missing = sorted(set(fresh) - set(arrays)) + sorted(set(arrays) - set(fresh))
            raise CheckpointError(f"{path}: does not fit this alife version "
                                  f"(arrays {missing[:4]}…)")
        for name, value in arrays.items():
            if name.removeprefix("agents.") in LANE_FIELDS and value.ndim == fresh[name].ndim - 1:
                if value.shape[0] % 8:
                    raise CheckpointError(f"{path}: array {name} has the wrong shape")
                value = arrays[name] = to_lanes(value)  # stored slot by slot (version 3)
            same_shape = (value.shape[1:] == fresh[name].shape[1:] if name.startswith("agents.")
                          else value.shape == fresh[name].shape)  # agent storage may have grown
            if value.dtype != fresh[name].dtype or not same_shape:
                raise CheckpointError(f"{path}: array {name} has the wrong type or shape")
        grid = type(expected.grid)(**{k: arrays[f"grid.{k}"] for k in expected.grid._fields})
        agents = type(expected.agents)(**{k: arrays[f"agents.{k}"]
                                          for k in expected.agents._fields})
        sim.state = State(grid=grid, agents=agents, counters=arrays["counters"].copy())
        sim._stats[:] = arrays["stats"]
        return sim, extra

    def take_stats(self) -> dict[str, float]:
        """Event totals since the last call (births, deaths, food eaten, …), then reset them."""
        totals = dict(zip(STAT_NAMES, self._stats.tolist()))
        self._stats[:] = 0.0
        return totals

    def agents(self) -> dict[str, np.ndarray]:
        """Copies of the per-agent arrays for the alive agents only, in slot order."""
        agents = self.state.agents
        mask = agents.alive
        return {name: agent_rows(agents, name)[mask].copy() for name in agents._fields
                if name != "alive"}


def _named_arrays(state: State, stats: np.ndarray) -> dict[str, np.ndarray]:
    """The state's arrays by checkpoint name: grid.*, agents.*, counters, stats."""
    arrays = {f"grid.{k}": v for k, v in state.grid._asdict().items()}
    arrays.update({f"agents.{k}": v for k, v in state.agents._asdict().items()})
    arrays["counters"] = state.counters
    arrays["stats"] = stats
    return arrays

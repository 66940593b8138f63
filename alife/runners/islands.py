"""Island evolution (``alife evolve --islands K --migrate-every M``): K generational evolutions
side by side, exchanging their best agents every M generations.

Each island is an ordinary generational evolution run in its own folder (``island-00/`` …,
resumable on its own), with its own seed derived from the master seed. The run advances in
synchronous epochs of M generations: every island's epoch is one task on the executor (the
process pool, or Dask: :mod:`alife.parallel`); when all have finished, each island
sends its ``evolution.migrants`` fittest agents of its last generation to another island
(``evolution.topology``: ``ring`` = island k to k+1, ``random`` = a fresh random derangement
per migration, from the seed), where they take the places of the last-bred children of the
generation about to start (never the elites). Migration reads only files and the next epoch
starts only after it, so the result is identical whichever executor runs the islands, with
how many workers and in whatever order they finish (tested).

Folder:
    config.yaml        the resolved config (with evolution.islands)
    islands.json       progress: epochs and generations completed (for ``alife resume``)
    generations.csv    every island's generations.csv, with an ``island`` column first
    migrations.csv     migration (0, 1, …), generation (the one they join), from_island,
                       from_id, to_island, to_id, fitness
    summary.json       status, generations, per-island last-generation numbers, wall time
    island-KK/         each island's run folder (alife.runners.population)
Immigrants start a new line in their island's lineage (parent_id -1); migrations.csv links
them to their origin (ids are per island).
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import wait
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from alife.config import Config, ConfigError, config_to_yaml, load_config
from alife.genetics.operators import elite_indices
from alife.io.lock import holding
from alife.io.run_folder import DEFAULT_ROOT, make_run_folder, write_json
from alife.kernels.learner import start_learned_states
from alife.metrics.lineage import LINEAGE_CSV, LINEAGE_GENOMES
from alife.metrics.writers import read_lines, replace_lines
from alife.parallel import open_executor, thread_budget
from alife.runners.compiling import compile_for
from alife.runners.consistency import FolderMismatch, check_summary
from alife.runners.loop import CHECKPOINT, RunResult, Stopwatch, drive, stderr_log
from alife.runners.population import check_evolution, evolve_population, resume_evolution
from alife.sim import Simulation

ISLANDS_JSON = "islands.json"
MIGRATIONS_CSV = "migrations.csv"
GENERATIONS_CSV = "generations.csv"
ISLAND_BRANCH = 6    # seed-sequence branch of the island seeds (see alife.runners.population)
TOPOLOGY_BRANCH = 7  # random topology: the destinations of migration m
_MIGRATION_FIELDS = ("migration", "generation", "from_island", "from_id", "to_island", "to_id",
                     "fitness")


def island_seed(seed: int, island: int) -> int:
    """The master seed of island ``island`` (a 63-bit integer derived from ``seed``)."""
    state = np.random.SeedSequence(seed, spawn_key=(ISLAND_BRANCH, island)).generate_state(
        2, np.uint32)
    return int(state[0]) << 31 | int(state[1]) >> 1


def island_folder(folder: Path, island: int) -> Path:
    return Path(folder) / f"island-{island:02d}"


def evolve_islands(
    config: Config | str | Path | Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    root: str | Path = DEFAULT_ROOT,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> RunResult:
    """Run an island evolution (``evolution.islands`` > 1) and write its folder.

    workers / scheduler: as for ``alife sweep`` (process pool of ``workers`` processes by
    default; ``scheduler="local"`` or a Dask scheduler address).
    """
    log = log or stderr_log
    config = load_config(config, overrides)
    _check(config)
    folder = make_run_folder(config.run.name, out, root)
    with holding(folder, "alife evolve"):
        (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")
        write_json(folder / ISLANDS_JSON, {"islands": config.evolution.islands, "epochs": 0,
                                           "generations": 0, "wall_seconds": 0.0})
        with (folder / MIGRATIONS_CSV).open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow(_MIGRATION_FIELDS)
        ev = config.evolution
        log(f"alife evolve: {folder}  ({ev.islands} islands, migration of {ev.migrants} every "
            f"{ev.migrate_every} generations ({ev.topology}), {ev.generations} generations)")
        return _drive(folder, config, workers, scheduler, progress, log)


def resume_islands(run_dir: str | Path, *, generations: int | None = None,
                   workers: int | None = None, scheduler: str | None = None,
                   progress: bool | None = None,
                   log: Callable[[str], None] | None = None) -> RunResult:
    """Continue an island evolution from its last completed epoch (each island from its own
    checkpoint); ``generations`` extends it."""
    log = log or stderr_log
    folder = Path(run_dir)
    with holding(folder, "alife resume"):
        try:
            config = load_config(folder / "config.yaml")
        except ConfigError as err:
            raise FolderMismatch(f"{folder / 'config.yaml'}: cannot be read ({err})") from None
        state = _read_state(folder)
        check_island_folder(folder, config, state)  # nothing is rewritten before it is whole
        if generations is not None:
            if generations < state["generations"]:
                raise ValueError(f"--generations {generations}: "
                                 f"the run already has {state['generations']}")
            config = load_config(config, {"evolution.generations": generations})
            (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")
        log(f"alife resume: {folder} at generation {state['generations']} "
            f"of {config.evolution.generations}")
        return _drive(folder, config, workers, scheduler, progress, log)


def check_island_folder(folder: Path, config: Config, state: dict[str, Any]) -> None:
    """An island run's own files belong together (FolderMismatch naming the file otherwise):
    islands.json counts the config's islands and no more generations than it asks for,
    summary.json names its seed, and every island's folder is that island's (its config is
    the run's with the island's seed) and holds a checkpoint and at least the generations the
    run has completed. Each island's own files are checked when it resumes."""
    ev = config.evolution
    progress = folder / ISLANDS_JSON
    if state.get("islands") != ev.islands or not isinstance(state.get("generations"), int):
        raise FolderMismatch(f"{progress}: describes {state.get('islands')} islands, config.yaml "
                             f"{ev.islands}: the folder was edited or mixed with another "
                             "run's files")
    if not 0 <= state["generations"] <= ev.generations:
        raise FolderMismatch(f"{progress}: {state['generations']} generations done, config.yaml "
                             f"asks for {ev.generations}")
    check_summary(folder, config)
    for k in range(ev.islands):
        here = island_folder(folder, k)
        if state["generations"] == 0 and not (here / CHECKPOINT).exists():
            continue  # the first epoch starts (or starts again) from nothing
        if not (here / CHECKPOINT).exists():
            raise FolderMismatch(f"{here / CHECKPOINT}: missing, but the run has completed "
                                 f"{state['generations']} generations: the island's work is gone")
        try:
            own = load_config(here / "config.yaml")
        except ConfigError as err:
            raise FolderMismatch(f"{here / 'config.yaml'}: cannot be read ({err})") from None
        if own.seed != island_seed(config.seed, k):
            raise FolderMismatch(f"{here / 'config.yaml'}: seed {own.seed} is not island {k}'s "
                                 f"seed of a run with seed {config.seed}: another run's island")
        try:
            rows = len(read_lines(here / GENERATIONS_CSV)) - 1
        except OSError as err:
            raise FolderMismatch(f"{here / GENERATIONS_CSV}: cannot be read ({err})") from None
        if rows < state["generations"]:
            raise FolderMismatch(f"{here / GENERATIONS_CSV}: {rows} generations, the run has "
                                 f"completed {state['generations']}: the island's files were cut")


def is_island_run(folder: str | Path) -> bool:
    return (Path(folder) / ISLANDS_JSON).exists()


def _check(config: Config) -> None:
    ev = config.evolution
    if ev.mode != "generational":
        raise ConfigError("evolution.islands: island evolution needs evolution.mode=generational, "
                          f"got {ev.mode}")
    if ev.migrants >= config.agents.initial_count - ev.elites:
        raise ConfigError(f"evolution.migrants: must be below agents.initial_count minus "
                          f"evolution.elites ({config.agents.initial_count - ev.elites}), "
                          f"got {ev.migrants}")
    check_evolution(config)


def _read_state(folder: Path) -> dict[str, Any]:
    try:
        state = json.loads((folder / ISLANDS_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise FolderMismatch(f"{folder / ISLANDS_JSON}: cannot read the island run's progress "
                             f"({err})") from None
    if not isinstance(state, dict) or not {"islands", "epochs", "generations"} <= set(state):
        raise FolderMismatch(f"{folder / ISLANDS_JSON}: not an island run's progress (needs "
                             "islands, epochs, generations)")
    return state


def _drive(folder: Path, config: Config, workers: int | None, scheduler: str | None,
           progress: bool | None, log: Callable[[str], None]) -> RunResult:
    return drive(IslandsJob(folder, config, workers, scheduler, log), progress, log)


class IslandsJob:
    """An island run as a job of :func:`alife.runners.loop.drive`: a batch is one epoch (every
    island to the next multiple of ``migrate_every`` generations, on the executor), then the
    migration. The driver steps no simulation itself, so a second signal may cut an epoch
    short; the first is passed on to the runs in progress (SIGTERM reaches only this process,
    a terminal's Ctrl-C the workers too), which save their state."""
    unit = "generation"
    cut_batches = True

    def __init__(self, folder: Path, config: Config, workers: int | None, scheduler: str | None,
                 log: Callable[[str], None]):
        self.folder, self.config, self.log = folder, config, log
        self.workers, self.scheduler = workers, scheduler
        self.ev = config.evolution
        self.total = self.ev.generations
        self.state = _read_state(folder)
        self.clock = Stopwatch(self.state.get("wall_seconds", 0.0))
        self.failed = False
        self.interrupted = False  # an island stopped (its worker was asked to)
        self._executor = ExitStack()
        self.info = None

    def done(self) -> int:
        return self.state["generations"]

    def finished(self) -> bool:
        return self.failed or self.interrupted or self.state["generations"] >= self.ev.generations

    def prepare(self, say: Callable[[str], None]) -> float:
        # on a cold cache, compile once here: the pool's islands then load the kernels (a
        # Dask cluster's workers may be other machines, with caches of their own)
        seconds = compile_for(self.config, say) if self.scheduler is None else 0.0
        self.info = self._executor.enter_context(open_executor(self.workers, self.scheduler))
        self.log(f"islands run on: {self.info.description}")
        return seconds

    def advance(self, say: Callable[[str], None]) -> None:
        folder, config, ev, state, info = self.folder, self.config, self.ev, self.state, self.info
        done = state["generations"]
        if done % ev.migrate_every == 0 and done > 0 and state.get("migrated") != done:
            _migrate(folder, config, done)  # the due migration of an extended run
            state["migrated"] = done
            write_json(folder / ISLANDS_JSON, state)
        # epochs end on multiples of migrate_every, whatever length the run had before
        target = min((done // ev.migrate_every + 1) * ev.migrate_every, ev.generations)
        futures = [info.executor.submit(_island_epoch, str(folder), k,
                                        config.model_dump(mode="json"), target, info.slots)
                   for k in range(ev.islands)]
        wait(futures)
        statuses = []
        for k, future in enumerate(futures):
            try:
                statuses.append(future.result())
            except Exception as err:  # the island's own folder keeps its last checkpoint
                say(f"island {k} failed: {type(err).__name__}: {err}")
                statuses.append("failed")
        self.failed = "failed" in statuses
        self.interrupted = any(s not in ("completed", "failed") for s in statuses)
        if self.failed or self.interrupted:
            return
        if target < ev.generations and target % ev.migrate_every == 0:
            _migrate(folder, config, target)
            state["migrated"] = target
        _combine_generations(folder, ev.islands)
        state.update(epochs=state["epochs"] + 1, generations=target)
        write_json(folder / ISLANDS_JSON, state)

    def forward_stop(self) -> None:
        if self.info is not None:
            self.info.interrupt_runs()

    def cut_short(self) -> None:
        pass  # every island keeps its own last checkpoint

    def finish(self, stopped: bool, compile_seconds: float) -> tuple[dict[str, Any], str]:
        folder, ev, state = self.folder, self.ev, self.state
        status = ("failed" if self.failed else
                  "interrupted" if stopped or self.interrupted else "completed")
        wall = self.clock.total()
        state["wall_seconds"] = round(wall, 3)
        write_json(folder / ISLANDS_JSON, state)
        islands = []
        for k in range(ev.islands):
            try:
                summary = json.loads((island_folder(folder, k) / "summary.json").read_text())
                islands.append(summary["last_generation"])
            except (OSError, ValueError, KeyError):
                islands.append(None)
        summary = {"status": status, "islands": ev.islands, "generations": state["generations"],
                   "generations_requested": ev.generations, "epochs": state["epochs"],
                   "seed": self.config.seed, "last_generation": islands,
                   "wall_seconds": round(wall, 3)}
        if status in ("interrupted", "failed"):
            line = (f"{status} after generation {state['generations']}; "
                    f"continue with: alife resume {folder}")
        else:
            line = (f"done: {ev.islands} islands, {state['generations']} generations; "
                    f"files in {folder}")
        return summary, line

    def close(self) -> None:
        self._executor.close()


def _island_epoch(folder: str, island: int, config: dict[str, Any], target: int,
                  slots: dict[str, int]) -> str:
    """In a worker: take island ``island`` to ``target`` generations; returns its status."""
    here = island_folder(Path(folder), island)
    quiet = lambda msg: None  # noqa: E731 - the driver reports progress
    if (here / CHECKPOINT).exists():
        result = resume_evolution(here, generations=target, progress=False, log=quiet)
    else:
        if here.exists():  # a first epoch that died before its first checkpoint
            shutil.rmtree(here)
        base = load_config(config)
        island_config = load_config(base, {
            "seed": island_seed(base.seed, island), "evolution.islands": 1,
            "evolution.generations": target, "run.name": f"{base.run.name}-island{island:02d}",
            "run.threads": base.run.threads or thread_budget(slots)})
        result = evolve_population(island_config, here, progress=False, log=quiet)
    return result.status


def _last_generation(folder: Path, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ids int64 (n,), fitness float64 (n,) and genomes float32 (n, G) of the last finished
    generation of an island: the last n rows of its lineage (a generation writes n rows)."""
    lines = read_lines(folder / LINEAGE_CSV)
    header = next(csv.reader(lines[:1]))
    rows = list(csv.reader(lines[-n:]))
    ids = np.array([int(r[header.index("id")]) for r in rows], np.int64)
    fitness = np.array([float(r[header.index("fitness")]) for r in rows], np.float64)
    genomes = np.fromfile(folder / LINEAGE_GENOMES, dtype="<f4")
    genomes = genomes.reshape(len(lines) - 1, -1)[-n:]
    return ids, fitness, genomes


def destinations(config: Config, migration: int) -> np.ndarray:
    """Where each island's emigrants go at migration number ``migration``: int64 (K,), never
    to themselves."""
    k = config.evolution.islands
    if config.evolution.topology == "ring" or k == 2:
        return (np.arange(k) + 1) % k
    rng = np.random.default_rng(
        np.random.SeedSequence(config.seed, spawn_key=(TOPOLOGY_BRANCH, migration)))
    while True:  # a random derangement
        dest = rng.permutation(k)
        if np.all(dest != np.arange(k)):
            return dest.astype(np.int64)


def _migrate(folder: Path, config: Config, generation: int) -> None:
    """After ``generation`` generations (a multiple of migrate_every): send every island's
    fittest to its destination's next generation. Idempotent: a crash in the middle is
    repaired by doing it again."""
    ev = config.evolution
    n, m = config.agents.initial_count, ev.migrants
    if m == 0 or ev.islands < 2:
        return
    migration = generation // ev.migrate_every - 1
    dest = destinations(config, migration)
    emigrants = []
    for k in range(ev.islands):
        ids, fitness, genomes = _last_generation(island_folder(folder, k), n)
        best = elite_indices(fitness, m)
        emigrants.append((ids[best], fitness[best], genomes[best]))
    rows = []
    for src in range(ev.islands):
        to = int(dest[src])
        path = island_folder(folder, to) / CHECKPOINT
        sim, extra = Simulation.load(path, record_deaths=True)
        a = sim.state.agents
        slots = np.arange(n - m, n, dtype=np.int64)  # the last-bred children: never elites
        ids, fitness, genomes = emigrants[src]
        a.genome[slots] = genomes
        a.parent_id[slots] = -1
        a.parent2_id[slots] = -1
        start_learned_states(slots, a, sim.params)
        sim.save(path, extra)
        rows += [(migration, generation, src, int(i), to, int(a.id[s]), f"{f:.6g}")
                 for i, s, f in zip(ids, slots, fitness)]
    # rewrite the whole table from the epochs before: a repeated migration adds no duplicates

    path = folder / MIGRATIONS_CSV
    kept = [line for line in read_lines(path)
            if not line.startswith(f"{migration},") and line.endswith("\n")]
    replace_lines(path, kept + [",".join(map(str, r)) + "\r\n" for r in rows])


def _combine_generations(folder: Path, islands: int) -> None:
    """The islands' generations.csv files as one table with an ``island`` column first."""

    out: list[str] = []
    for k in range(islands):
        lines = read_lines(island_folder(folder, k) / GENERATIONS_CSV)
        if not out:
            out.append("island," + lines[0])
        out += [f"{k},{line}" for line in lines[1:] if line.endswith("\n")]
    replace_lines(folder / GENERATIONS_CSV, out)

"""One population's evolution (``alife evolve`` without islands): generational or
open-ended, with exact resume.

generational (``evolution.mode``): generation g lives ``evolution.generation_ticks`` ticks in a
fresh world of its own (no births inside it); its agents are scored (``evolution.fitness``),
and the next generation is bred from them (``alife.genetics.operators.breed``) and placed in
the next fresh world. open_ended: one world with births inside it, as ``alife run``, logged in
generations of ``generation_ticks`` ticks (fitness and lifespan of the agents that died in
them, traits of the living at their end).

Run folder:
    config.yaml        the resolved config
    generations.csv    one row per generation (alife.metrics.generations)
    lineage.csv, lineage_genomes.f32   one row per agent (alife.metrics.lineage); also
                       lineage.parquet when pyarrow is installed (the ``parquet`` extra)
    metrics.csv        the world's metrics every ``run.record_every`` ticks (tick counts on
                       across generations: generation g spans ticks [g·T, (g+1)·T])
    summary.json       status, generations, fitness of the first and last generations, speed
    genomes.npz        the evolved population's genomes ('genomes' float32 (m, G)): generational,
                       the next generation, bred from the last; open-ended, the living. A
                       config's ``agents.founders`` can point to it to start from evolved founders
    checkpoint.npz     at the start, every ``evolution.checkpoint_every`` generations, on
                       Ctrl-C/SIGTERM and at the end; ``alife resume`` continues exactly

Everything random comes from the seed: generation g's world and placements from its own
seed-sequence branch, its breeding from another, so a resumed run is bit-identical to an
uninterrupted one (tested, also after SIGKILL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from alife.config import Config, ConfigError, config_to_yaml, load_config
from alife.genetics.genome import GenomeLayout
from alife.genetics.operators import breed, fitness_of
from alife.io.lock import holding
from alife.io.run_folder import DEFAULT_ROOT, make_run_folder, write_genomes
from alife.kernels.learner import genes_of_model
from alife.kernels.tick import STAT_NAMES
from alife.metrics.collector import collect, metric_columns
from alife.metrics.generations import generation_columns, generation_row
from alife.metrics.lineage import (
    LineageWriter,
    keep_lineage_rows,
    read_lineage,
    write_lineage_parquet,
    write_phylogeny,
)
from alife.metrics.writers import CsvWriter, keep_rows, keep_rows_up_to_tick
from alife.runners.compiling import compile_kernels, start_compiling
from alife.runners.consistency import check_lineage, check_run_folder
from alife.runners.loop import CHECKPOINT, RunResult, Stopwatch, drive, stderr_log
from alife.sim import Simulation
from alife.world.init import founder_genomes, make_generation_state
from alife.world.state import agent_rows

GENOMES = "genomes.npz"  # the evolved population, for a config's agents.founders
GENERATIONS_CSV = "generations.csv"
# seed-sequence branches (0-2: the streams of a run, 3: generation worlds, alife.world.init)
BREEDING_BRANCH = 4  # breeding generation g+1 from generation g: (4, g)
FOUNDERS_BRANCH = 5  # the genomes of generation 0


def evolve_population(
    config: Config | str | Path | Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    root: str | Path = DEFAULT_ROOT,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
) -> RunResult:
    """Evolve one population for ``evolution.generations`` generations and write the run folder
    (as :func:`alife.runners.evolve.evolve`, which calls this without islands)."""
    log = log or stderr_log
    config = load_config(config, overrides)
    if config.evolution.islands > 1:
        raise ConfigError("evolution.islands: one population evolves here; an island run is "
                          "alife.runners.islands.evolve_islands (or alife.runners.evolve.evolve)")
    check_evolution(config)
    folder = make_run_folder(config.run.name, out, root)
    with holding(folder, "alife evolve"):
        (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")
        generational = config.evolution.mode == "generational"
        start_compiling(config)  # on a cold cache, beside building the world
        if generational:
            sim = _first_generation(config)
        else:
            sim = Simulation(config, record_deaths=True)
        log(f"alife evolve: {folder}  ({config.evolution.mode}, {config.evolution.generations} "
            f"generations of {config.evolution.generation_ticks} ticks, {sim.n_alive} agents, "
            f"seed {config.seed})")
        CsvWriter(folder / "metrics.csv", metric_columns(config)).close()
        CsvWriter(folder / GENERATIONS_CSV, generation_columns(sim.layout)).close()
        LineageWriter(folder, sim.layout).close()
        state = {"evolution": config.evolution.mode, "generation": 0, "lineage_rows": 0,
                 "totals": dict.fromkeys(STAT_NAMES, 0.0), "wall_seconds": 0.0, "first": None}
        with CsvWriter(folder / "metrics.csv", metric_columns(config), append=True) as metrics:
            metrics.write(collect(sim, sim.take_stats()))
        return drive(EvolutionJob(folder, sim, state), progress, log)


def resume_evolution(run_dir: str | Path, *, generations: int | None = None,
                     progress: bool | None = None,
                     log: Callable[[str], None] | None = None) -> RunResult:
    """Continue an evolution run from ``run_dir/checkpoint.npz``, exactly.

    Rows written after the checkpoint (metrics, generations, lineage) are dropped and written
    again. ``generations``: a new total number of generations (default: the run's own).
    """
    folder = Path(run_dir)
    with holding(folder, "alife resume"):
        sim, state = Simulation.load(folder / CHECKPOINT, record_deaths=True)
        if "evolution" not in state:
            raise ValueError(f"{folder}: not an evolution run (use alife resume for it)")
        return continue_evolution(folder, sim, state, generations=generations, progress=progress,
                                  log=log or stderr_log)


def continue_evolution(folder: Path, sim: Simulation, state: dict[str, Any], *,
                       generations: int | None = None, progress: bool | None = None,
                       log: Callable[[str], None] = stderr_log) -> RunResult:
    """Continue an evolution whose checkpoint is loaded (``sim`` with ``record_deaths``, and its
    ``state``); the caller holds the folder's lock."""
    written = check_run_folder(folder, sim.config, sim.tick)  # nothing is rewritten before
    check_lineage(folder, state["lineage_rows"], sim.layout.size)  # the folder is found whole
    if generations is None and written.evolution.generations != sim.config.evolution.generations:
        generations = written.evolution.generations  # an extension stopped before it checkpointed
    if generations is not None:
        if generations < state["generation"]:
            raise ValueError(f"--generations {generations}: the run already has "
                             f"{state['generation']} generations")
        sim.config = load_config(sim.config, {"evolution.generations": generations})
        (folder / "config.yaml").write_text(config_to_yaml(sim.config), encoding="utf-8")
    keep_rows_up_to_tick(folder / "metrics.csv", sim.tick, sim.config.run.record_every,
                         keep_last=True)
    keep_rows(folder / GENERATIONS_CSV, state["generation"])
    keep_lineage_rows(folder, state["lineage_rows"], sim.layout.size)
    log(f"alife resume: {folder} at generation {state['generation']} "
        f"of {sim.config.evolution.generations} (tick {sim.tick})")
    return drive(EvolutionJob(folder, sim, state), progress, log)


def check_evolution(config: Config) -> None:
    """Refuse settings an evolution run cannot use (ConfigError naming the field)."""
    ev = config.evolution
    if config.agents.initial_count < 1:
        raise ConfigError("agents.initial_count: evolution needs at least 1 agent, got 0")
    if ev.generation_ticks % config.run.record_every:
        raise ConfigError(f"evolution.generation_ticks: must be a multiple of run.record_every "
                          f"({config.run.record_every}), got {ev.generation_ticks}")
    if ev.mode == "generational" and ev.elites >= config.agents.initial_count:
        raise ConfigError(f"evolution.elites: must be below agents.initial_count "
                          f"({config.agents.initial_count}), got {ev.elites}")
    if config.run.trace or config.run.trace_ids:
        raise ConfigError("run.trace, run.trace_ids: traces are recorded by `alife run`; "
                          "an evolution run cannot record them (set them to 0 and [])")


def _first_generation(config: Config) -> Simulation:
    """Generation 0: founders as in ``alife run`` (config genes, innate model, noise)."""
    layout = GenomeLayout.from_config(config)
    n = config.agents.initial_count
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(FOUNDERS_BRANCH,)))
    genomes = founder_genomes(config, layout, n, rng)
    ids = np.arange(n, dtype=np.int64)
    none = np.full(n, -1, np.int64)
    return _generation_sim(config, layout, 0, genomes, ids, none, none)


def _generation_sim(config, layout, generation, genomes, ids, parents, parents2) -> Simulation:
    tick = generation * config.evolution.generation_ticks
    state = make_generation_state(config, layout, generation, tick, genomes, ids, parents, parents2)
    return Simulation(config, births=False, record_deaths=True, state=state)


class EvolutionJob:
    """An evolution run as a job of :func:`alife.runners.loop.drive`: a batch steps to the next
    metrics row or the generation's end, logs the deaths and, at a generation's end, scores it,
    writes its row and breeds the next (generational); a checkpoint every
    ``evolution.checkpoint_every`` generations.

    ``state`` (saved with every checkpoint): mode, generation (the one being lived), rows of
    lineage.csv so far, event totals, wall time, and the first generation's row.
    """

    unit = "generation"
    cut_batches = False

    def __init__(self, folder: Path, sim: Simulation, state: dict[str, Any]):
        self.folder, self.sim, self.state = folder, sim, state
        self.config = sim.config
        self.ev = self.config.evolution
        self.total = self.ev.generations
        self.clock = Stopwatch(state["wall_seconds"])
        self.generational = state["evolution"] == "generational"
        self.layout = sim.layout
        # fitness and lifespan of the agents that died in this generation so far (open-ended)
        self.epoch_fitness: list[np.ndarray] = []
        self.epoch_lifespan: list[np.ndarray] = []
        if not self.generational and sim.tick > self._start_tick():
            self._reload_epoch()
        self._files = ExitStack()
        self.was_cut = False

    def _start_tick(self) -> int:
        return self.state["generation"] * self.ev.generation_ticks

    def _reload_epoch(self) -> None:
        """After a resume mid-generation: this generation's deaths so far, from lineage.csv."""
        columns, _ = read_lineage(self.folder)
        mine = columns["death_tick"] > self._start_tick()
        self.epoch_fitness.append(columns["fitness"][mine])
        self.epoch_lifespan.append(columns["lifespan"][mine])

    # ---- the job --------------------------------------------------------------------------
    def done(self) -> int:
        return self.state["generation"]

    def finished(self) -> bool:
        return (self.state["generation"] >= self.ev.generations
                or (not self.generational and self.sim.extinct))

    def prepare(self, say: Callable[[str], None]) -> float:
        folder, files = self.folder, self._files
        self.metrics = files.enter_context(
            CsvWriter(folder / "metrics.csv", metric_columns(self.config), append=True))
        self.gens = files.enter_context(
            CsvWriter(folder / GENERATIONS_CSV, generation_columns(self.layout), append=True))
        self.lineage = files.enter_context(LineageWriter(folder, self.layout, append=True))
        if not (folder / CHECKPOINT).exists():  # a resume point from the first moment, before
            self._checkpoint()  # the compile (a resumed run has its own already)
        return compile_kernels(self.sim, say)

    def advance(self, say: Callable[[str], None]) -> None:
        sim, every = self.sim, self.config.run.record_every
        end = self._start_tick() + self.ev.generation_ticks
        sim.step(min(every - sim.tick % every, end - sim.tick))
        self._log_deaths()
        if sim.tick % every == 0:
            self._record_row()
        if sim.tick < end and not sim.extinct:
            return
        row = self._end_generation()
        say(_describe(row, self.ev.generations))
        if not self.generational and self.sim.extinct:
            return
        if self.generational:  # also after the last: a resume can extend the run
            self._next_generation()
        done, every_g = self.state["generation"], self.ev.checkpoint_every
        if every_g and done % every_g == 0 and done < self.ev.generations:
            self._checkpoint()  # (the last one is written by finish)

    def forward_stop(self) -> None:
        pass

    def cut_short(self) -> None:
        self.was_cut = True  # the last checkpoint stands: a resume drops the rows after it

    def close(self) -> None:
        self._files.close()

    def finish(self, stopped: bool, compile_seconds: float) -> tuple[dict[str, Any], str]:
        folder, st, ev = self.folder, self.state, self.ev
        status = ("interrupted" if stopped else
                  "extinct" if not self.generational and self.sim.extinct else "completed")
        if not self.was_cut:
            self._checkpoint()  # the end (or the interruption): resume or extend from here
        if status != "interrupted" and not self.generational:
            self._log_survivors()  # the end of the run for those still alive
        self.close()
        write_lineage_parquet(folder)  # a copy of lineage.csv for dataframes, with pyarrow
        write_phylogeny(folder)  # the ALife Data Standards' phylogeny format
        a = self.sim.state.agents
        write_genomes(folder / GENOMES, a.genome[a.alive])  # founders for another run
        wall = self.clock.total()
        totals = st["totals"]
        summary = {
            "status": status,
            "mode": ev.mode,
            "generations": st["generation"],
            "generations_requested": ev.generations,
            "ticks": self.sim.tick,
            "seed": self.config.seed,
            "final_population": st.get("population", self.sim.n_alive),
            "first_generation": st["first"],
            "last_generation": st.get("last"),
            "lineage_rows": st["lineage_rows"],
            "agent_steps": int(totals["agent_steps"]),
            "wall_seconds": round(wall, 3),
            "compile_seconds": round(compile_seconds, 3),
            "agent_steps_per_second": round(totals["agent_steps"] / wall) if wall > 0 else None,
        }
        if status == "interrupted":
            line = (f"interrupted in generation {st['generation']}; files in {folder} are "
                    f"complete up to there; continue with: alife resume {folder}")
        elif status == "extinct":
            line = (f"population extinct at tick {self.sim.tick} (generation {st['generation']}); "
                    f"files in {folder}")
        else:
            line = f"done: {st['generation']} generations; files in {folder}"
        return summary, line

    # ---- pieces ---------------------------------------------------------------------------
    def _record_row(self) -> None:
        events = self.sim.take_stats()
        for name in STAT_NAMES:
            self.state["totals"][name] += events[name]
        self.metrics.write(collect(self.sim, events))

    def _fitness(self, lifespan, energy, alive) -> np.ndarray:
        return fitness_of(lifespan, energy, alive, self.ev.fitness,
                          self.config.energy.max_energy, self.ev.generation_ticks)

    def _log_deaths(self) -> None:
        records, genomes = self.sim.take_deaths()
        if len(genomes) == 0:
            return
        fitness = self._fitness(records["lifespan"], records["energy"],
                                np.zeros(len(genomes), bool))
        self.state["lineage_rows"] += self.lineage.write(records, fitness, genomes)
        self.epoch_fitness.append(fitness)
        self.epoch_lifespan.append(records["lifespan"])

    def _living(self) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Lineage records, genomes and fitness of the agents alive now."""
        a = self.sim.state.agents
        alive = np.flatnonzero(a.alive)
        records = {"id": a.id[alive], "parent_id": a.parent_id[alive],
                   "parent2_id": a.parent2_id[alive], "generation": a.generation[alive],
                   "birth_tick": a.birth_tick[alive], "death_tick": np.full(len(alive), -1),
                   "cause": np.zeros(len(alive), np.int64), "lifespan": a.age[alive],
                   "energy": a.energy[alive].astype(np.float64)}
        fitness = self._fitness(records["lifespan"], records["energy"], np.ones(len(alive), bool))
        return records, a.genome[alive], fitness

    def _log_survivors(self) -> None:
        records, genomes, fitness = self._living()
        self.state["lineage_rows"] += self.lineage.write(records, fitness, genomes)
        self.lineage.flush()

    def _end_generation(self) -> dict[str, Any]:
        """Score the generation and write its row (and, generational, its survivors' rows)."""
        sim = self.sim
        if sim.tick % self.config.run.record_every:  # ended early (extinct): keep its events
            for name, value in sim.take_stats().items():
                self.state["totals"][name] += value
        if self.generational:
            self._log_survivors()
            n = self.config.agents.initial_count  # the generation's agents are slots 0..n-1
            a = sim.state.agents
            fitness = self._fitness(a.age[:n], a.energy[:n], a.alive[:n])
            row = generation_row(self.layout, self.state["generation"], sim.tick, sim.n_alive,
                                 fitness, a.age[:n], a.genome[:n])
        else:
            fitness = np.concatenate(self.epoch_fitness) if self.epoch_fitness else np.zeros(0)
            lifespan = np.concatenate(self.epoch_lifespan) if self.epoch_lifespan else np.zeros(0)
            a = sim.state.agents
            row = generation_row(self.layout, self.state["generation"], sim.tick, sim.n_alive,
                                 fitness, lifespan, a.genome[a.alive])
        self.epoch_fitness, self.epoch_lifespan = [], []
        self.gens.write(row)
        if self.state["first"] is None:
            self.state["first"] = {k: row[k] for k in ("mean_fitness", "mean_lifespan")}
        self.state["population"] = sim.n_alive
        self.state["last"] = {k: row[k] for k in ("generation", "mean_fitness", "best_fitness",
                                                  "mean_lifespan", "diversity")}
        self.state["generation"] += 1
        return row

    def _next_generation(self) -> None:
        """Breed generation g+1 from generation g (slots 0..n-1 of the finished world)."""
        sim, config = self.sim, self.config
        n = config.agents.initial_count
        a = sim.state.agents
        parents = a.genome[:n].copy()
        if self.ev.inherit_learned:  # Lamarckian: what they learned is what they pass on
            self.layout.view(parents, "model_init")[:] = genes_of_model(
                agent_rows(a, "model")[:n])
            self.layout.view(parents, "value_init")[:] = agent_rows(a, "value")[:n]
            self.layout.view(parents, "reward_init")[:] = agent_rows(
                a, "reward_model")[:n].transpose(0, 2, 1)  # genes in (A, P+1) order
        fitness = self._fitness(a.age[:n], a.energy[:n], a.alive[:n])
        g = self.state["generation"]
        rng = np.random.default_rng(
            np.random.SeedSequence(config.seed, spawn_key=(BREEDING_BRANCH, g)))
        offspring = breed(parents, fitness, self.ev, sim.step_of, sim.gene_lo, sim.gene_hi, rng)
        first_id = int(sim.state.counters[1])
        ids = first_id + np.arange(n, dtype=np.int64)
        parent_ids = a.id[:n][offspring.parent]
        parent2_ids = np.where(offspring.parent2 >= 0,
                               a.id[:n][np.maximum(offspring.parent2, 0)], -1)
        self.sim = _generation_sim(config, self.layout, g, offspring.genomes, ids, parent_ids,
                                   parent2_ids)
        self.sim.threads = sim.threads

    def _checkpoint(self) -> None:
        self.lineage.flush()  # (the CSV writers flush every row)
        state = dict(self.state)
        state["wall_seconds"] = self.clock.total()
        self.sim.save(self.folder / CHECKPOINT, state)


def _describe(row: dict[str, Any], total: int) -> str:
    """One generation's line, numbered as in generations.csv (0 .. total-1). Fitness is shown
    with its tie-break fraction (lifespan + energy share), so 300-tick lives score 300.xxx."""
    return (f"generation {row['generation']} ({row['generation'] + 1} of {total}): mean lifespan "
            f"{row['mean_lifespan']:.1f}, best fitness {row['best_fitness']:.3f}, mean "
            f"{row['mean_fitness']:.3f}, alive {row['population']}, "
            f"diversity {row['diversity']:.4f}")

"""Two-stage experiments: evolve every condition, then test the evolved populations on fresh worlds.

An experiment file whose command is ``evolve`` may add a ``test`` section::

    test:
      command: evolve            # what a test run does: evolve (default) or run
      options: {generations: 1}  # its options
      set: {food.deal: fixed}    # overrides for every test run (they win over a condition's own)
      grid:                      # crossed with every evolved population
        learner.learning: [true, false]
      seed_offset: 1000          # a test world's seed: its population's seed + this
      pools:                     # the genomes that found the test runs, by name
        final: null              # the evolved population (the run's genomes.npz; the default)
        early: [0, 9]            # every agent of generations 0..9 (negative: from the end)

Stage 1 is the experiment's sweep (in ``OUT``); stage 2 is a sweep of its own (in
``OUT/test``): one case per evolved population and pool, pinned to the population's seed plus
``seed_offset`` (fresh worlds, the same ones for every condition), with ``agents.founders``
pointing at the pool's genomes file in the evolution's run folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alife.config import ConfigError, load_config
from alife.experiments.common import Run, runs_of
from alife.io.run_folder import write_genomes
from alife.metrics.lineage import read_lineage

FINAL = "final"
GENOMES = "genomes.npz"  # what alife evolve leaves: the evolved population


class TrialStage(BaseModel):
    """The ``test`` section of an experiment file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    command: Literal["run", "evolve"] = "evolve"
    options: dict[str, Any] = {}
    set: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    seed_offset: int = Field(1000, ge=1)
    pools: dict[str, tuple[int, int] | None] = {FINAL: None}


def read_trial_stage(section: Any, where: str) -> TrialStage:
    try:
        stage = TrialStage.model_validate(section)
    except ValidationError as err:
        lines = [f"{where}: test.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                 for e in err.errors()]
        raise ConfigError("\n".join(lines)) from None
    for name in stage.pools:
        if not name.replace("_", "").isalnum():
            raise ConfigError(f"{where}: test.pools: {name!r}: "
                              "a pool's name is letters, digits and _")
    return stage


def trial_sweep_spec(name: str, spec: dict[str, Any], stage: TrialStage,
                    populations: list[Run]) -> dict[str, Any]:
    """The stage-2 sweep file (a mapping) for the evolved ``populations`` (finished stage-1
    runs); writes each population's pool files first. ``spec``: the experiment file, its
    ``base`` already an absolute path."""
    cases = []
    for population in populations:
        own = {k: v for k, v in population.params.items()
               if k not in stage.set and k not in stage.grid}
        for pool, generations in stage.pools.items():
            founders = pool_file(population.folder, pool, generations)
            cases.append({**own, "agents.founders": str(founders),
                          "seed": population.seed + stage.seed_offset})
    return {"name": f"{name}-test", "base": spec.get("base"),
            "set": {**spec.get("set", {}), **stage.set}, "command": stage.command,
            "options": stage.options, "grid": stage.grid, "cases": cases}


def pool_file(folder: Path, pool: str, generations: tuple[int, int] | None) -> Path:
    """The genomes file of ``pool`` in an evolution run's folder: genomes.npz for the final
    population, else ``pool-<name>.npz`` with every agent of generations first..last
    (written on first use; negative generations count from the run's last)."""
    if generations is None:
        return folder / GENOMES
    target = folder / f"pool-{pool}.npz"
    if not target.exists():
        total = load_config(folder / "config.yaml").evolution.generations
        first, last = (g + total if g < 0 else g for g in generations)
        lineage, genomes = read_lineage(folder)
        rows = (lineage["generation"] >= first) & (lineage["generation"] <= last)
        if not rows.any():
            raise ConfigError(f"test.pools.{pool}: {folder} has no agents of generations "
                              f"{first}..{last} (it evolved {total})")
        write_genomes(target, genomes[rows])
    return target


@dataclass
class TrialRun:
    """A stage-2 run with the evolved population that founded it and the pool's name."""

    run: Run
    population: Run
    pool: str


def trial_runs(tests: list[Run], populations: list[Run]) -> list[TrialRun]:
    """Pair each finished test run with its population (through ``agents.founders``)."""
    by_folder = {p.folder.resolve(): p for p in populations}
    paired = []
    for run in tests:
        founders = Path(run.params["agents.founders"])
        population = by_folder.get(founders.parent.resolve())
        if population is not None:
            pool = FINAL if founders.name == GENOMES else founders.stem.removeprefix("pool-")
            paired.append(TrialRun(run, population, pool))
    return paired


def mean_gene(folder: Path, layout, segment: str, index: tuple[int, ...] = ()) -> float:
    """Mean over an evolved population (genomes.npz) of one gene of ``segment``."""
    with np.load(folder / GENOMES) as data:
        genes = layout.view(data["genomes"], segment)
    return float(genes[(slice(None), *index)].mean()) if index else float(genes.mean())


def trial_data(sweep, out: Path, trials, trials_out: Path, condition_of, measures
               ) -> dict[str, dict[int, dict[str, float]]]:
    """``data[condition][seed][metric]`` of the finished trials: ``condition_of(trial)`` names
    a trial's condition, ``measures(trial)`` its metrics; seed = its population's seed."""
    data: dict[str, dict[int, dict[str, float]]] = {}
    for trial in trial_runs(runs_of(trials, trials_out), runs_of(sweep, out)):
        data.setdefault(condition_of(trial), {})[trial.population.seed] = measures(trial)
    return data


def trial_lifespan(trial: TrialRun) -> float:
    """Mean lifespan over a trial's generations (generations.csv), in ticks."""
    return float(np.mean(trial.run.table("generations.csv")["mean_lifespan"]))


def poison_share(trial: TrialRun) -> float:
    """The share of the food a trial's agents ate that was worth less than nothing."""
    metrics = trial.run.table("metrics.csv")
    return float(metrics["bad_food_eaten"].sum() / max(metrics["food_eaten"].sum(), 1e-9))

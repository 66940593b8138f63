"""``alife resume``: continue any run folder (a run, an evolution, an island run) from its
checkpoint, exactly as if it had never stopped.

This module only finds out what the folder holds and hands it to the runner that wrote it,
which checks that the folder's files belong together before it rewrites anything
(:mod:`alife.runners.consistency`), rewinds them to the checkpoint and goes on:
:func:`alife.runners.headless.continue_run`, :func:`alife.runners.population.continue_evolution`,
:func:`alife.runners.islands.resume_islands`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alife.io.lock import holding
from alife.runners.headless import continue_run
from alife.runners.islands import is_island_run, resume_islands
from alife.runners.loop import CHECKPOINT, RunResult, stderr_log
from alife.runners.population import continue_evolution
from alife.sim import Simulation


def resume(
    run_dir: str | Path,
    *,
    steps: int | None = None,
    generations: int | None = None,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> RunResult:
    """Continue the run in ``run_dir`` from its checkpoint.

    Args:
        steps: a run's new total length in ticks (default: its own ``run.steps``).
        generations: an evolution's new total number of generations (default: its own).
        progress: show a progress bar; None = only when stderr is a terminal.
        log: where one-line messages go (default: stderr).
        workers, scheduler: an island run's executor (as for ``alife sweep``).
    Raises ValueError (a FolderMismatch, a CheckpointError…) naming the file when the folder
    cannot be continued; nothing is rewritten then.
    """
    log = log or stderr_log
    folder = Path(run_dir)
    with holding(folder, "alife resume"):
        if is_island_run(folder):
            if steps is not None:
                raise ValueError(f"{folder}: an evolution run is extended with --generations, "
                                 "not --steps")
            return resume_islands(folder, generations=generations, workers=workers,
                                  scheduler=scheduler, progress=progress, log=log)
        if workers is not None or scheduler is not None:
            raise ValueError("--workers/--scheduler: for island runs only")
        sim, state = Simulation.load(folder / CHECKPOINT, record_deaths=True)
        if "evolution" in state:
            if steps is not None:
                raise ValueError(f"{folder}: an evolution run is extended with --generations, "
                                 "not --steps")
            return continue_evolution(folder, sim, state, generations=generations,
                                      progress=progress, log=log)
        if generations is not None:
            raise ValueError(f"{folder}: --generations applies to evolution runs; "
                             "this run takes --steps")
        sim.record_deaths = False  # a plain run keeps no death records
        return continue_run(folder, sim, state, steps=steps, progress=progress, log=log)

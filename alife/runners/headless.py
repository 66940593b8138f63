"""A headless run: simulate, record metrics, write a run folder. Never imports pygame.

Run folder contents:
    config.yaml   the resolved config (every field), enough to repeat the run
    metrics.csv   one row per recorded tick (see alife.metrics.collector.metric_columns)
    summary.json  status (completed / extinct / interrupted), totals, speed
    checkpoint.npz  the state every ``run.checkpoint_every`` ticks, on Ctrl-C/SIGTERM and at
                  the end: ``alife resume`` continues from it exactly
    checkpoints/  with ``run.keep_checkpoints``: every periodic checkpoint, tick-<tick>.npz
    traces/       with ``run.trace`` / ``run.trace_ids``: every tick of the traced agents
                  (alife.metrics.traces)
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alife.config import Config, config_to_yaml, load_config
from alife.io.lock import holding
from alife.io.run_folder import DEFAULT_ROOT, make_run_folder, write_json
from alife.kernels.tick import STAT_NAMES
from alife.metrics.collector import collect, metric_columns
from alife.metrics.traces import TraceRecorder, traced_ids
from alife.metrics.writers import CsvWriter, read_lines, replace_lines
from alife.render.video import open_video
from alife.runners.compiling import compile_kernels
from alife.runners.consistency import check_run_folder
from alife.sim import Simulation

CHECKPOINT = "checkpoint.npz"


@dataclass
class RunResult:
    folder: Path
    status: str  # "completed", "extinct" or "interrupted"
    summary: dict[str, Any]


def run(
    config: Config | str | Path | Mapping[str, Any] | None = None,
    out: str | Path | None = None,
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    root: str | Path = DEFAULT_ROOT,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    video: str | Path | None = None,
    video_stride: int = 1,
) -> RunResult:
    """Run ``config.run.steps`` ticks headless and write the run folder.

    Args:
        config, overrides: as for :func:`alife.load_config`.
        out: the run folder (must be new or empty); default ``root/<run.name>-<timestamp>``.
        progress: show a progress bar; None = only when stderr is a terminal.
        log: where to send one-line messages (default: stderr).
        video, video_stride: also record the world to this .mp4/.gif, one frame every
            ``video_stride`` ticks (needs the ``video`` extra; checked before anything runs).
    Extinction ends the run early with status "extinct"; Ctrl-C ends it with status
    "interrupted". Either way the files are complete.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    config = load_config(config, overrides)
    recorder = open_video(video, config, stride=video_stride)
    traced_ids(config)  # a bad run.trace is refused before anything is written
    sim = Simulation(config)  # first: a world that cannot be made (e.g. agents.founders) writes nothing
    folder = make_run_folder(config.run.name, out, root)
    with holding(folder, "alife run"):
        (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")
        log(f"alife run: {folder}  ({config.world.width}x{config.world.height}, "
            f"{sim.n_alive} agents, {config.run.steps} ticks, seed {config.seed})")
        with CsvWriter(folder / "metrics.csv", metric_columns(config)) as metrics:
            metrics.write(collect(sim, sim.take_stats()))
        progress_state = {"totals": dict.fromkeys(STAT_NAMES, 0.0), "peak": sim.n_alive,
                          "wall_seconds": 0.0}
        tracer = None
        if config.run.trace or config.run.trace_ids:
            tracer = TraceRecorder(folder, config)
            tracer.observe(sim)
        return _drive(sim, folder, progress_state, progress, log, recorder, tracer)


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
    """Continue a run from ``run_dir/checkpoint.npz``, exactly as if it had never stopped.

    Rows of metrics.csv written after the checkpoint are dropped and written again, so the
    files end up identical to those of an uninterrupted run. ``steps``: a new total length
    (ticks); default the run's own ``run.steps``. An evolution run (``alife evolve``) is
    continued by :func:`alife.runners.evolve.resume_evolution`; ``generations`` extends it.
    An island run by :func:`alife.runners.islands.resume_islands` on ``workers`` processes or
    a Dask ``scheduler``.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    folder = Path(run_dir)
    with holding(folder, "alife resume"):
        from alife.runners.islands import is_island_run, resume_islands

        if is_island_run(folder):
            if steps is not None:
                raise ValueError(f"{folder}: an evolution run is extended with --generations, not --steps")
            return resume_islands(folder, generations=generations, workers=workers,
                                  scheduler=scheduler, progress=progress, log=log)
        if workers is not None or scheduler is not None:
            raise ValueError("--workers/--scheduler: for island runs only")
        sim, progress_state = Simulation.load(folder / CHECKPOINT)
        if "evolution" in progress_state:
            if steps is not None:
                raise ValueError(f"{folder}: an evolution run is extended with --generations, not --steps")
            from alife.runners.evolve import resume_evolution

            return resume_evolution(folder, generations=generations, progress=progress, log=log)
        if generations is not None:
            raise ValueError(f"{folder}: --generations applies to evolution runs; this run takes --steps")
        # nothing is rewritten before the folder is found whole
        check_run_folder(folder, sim.config, sim.tick, progress_state.get("row_written", True),
                         progress_state.get("first_tick", 0))
        if steps is not None:
            if steps < sim.tick:
                raise ValueError(f"--steps {steps}: the run is already at tick {sim.tick}")
            sim.config = load_config(sim.config, {"run.steps": steps})
            (folder / "config.yaml").write_text(config_to_yaml(sim.config), encoding="utf-8")
        row_written = progress_state.pop("row_written", True)
        _keep_rows_up_to(folder / "metrics.csv", sim.tick, sim.config.run.record_every, keep_last=row_written)
        progress_state["row_written"] = row_written
        trace_state = progress_state.pop("trace", None)
        tracer = TraceRecorder.reopen(folder, sim.config, trace_state, sim) if trace_state else None
        log(f"alife resume: {folder} at tick {sim.tick} of {sim.config.run.steps}")
        return _drive(sim, folder, progress_state, progress, log, open_video(None), tracer)


def _drive(sim: Simulation, folder: Path, progress_state: dict[str, Any], progress: bool | None,
           log: Callable[[str], None], recorder, tracer: TraceRecorder | None = None) -> RunResult:
    """The loop of a run: step, record rows, film, trace, checkpoint; then write the summary."""
    config = sim.config
    steps, every = config.run.steps, config.run.record_every
    checkpoint_every = config.run.checkpoint_every
    totals, peak = progress_state["totals"], progress_state["peak"]
    row_tick = sim.tick if progress_state.pop("row_written", True) else -1  # tick of the last row written
    status = "completed"
    if progress is None:
        progress = sys.stderr.isatty()
    bar = _progress_bar(steps, progress)
    bar.update(sim.tick)
    compile_seconds = compile_kernels(sim, bar.write if progress else log)
    started = time.perf_counter()
    video_seconds = 0.0

    def checkpoint(row_written: bool = True, periodic: bool = False) -> None:
        """row_written: the metrics row of this tick is already in the file (and its events
        counted); after an interruption it is not, so a resume drops that row."""
        wall = progress_state["wall_seconds"] + time.perf_counter() - started
        extra = {"totals": totals, "peak": peak, "wall_seconds": wall, "row_written": row_written,
                 "first_tick": progress_state.get("first_tick", 0)}
        if tracer is not None:
            tracer.flush()  # the trace on disk reaches the checkpoint's tick
            extra["trace"] = tracer.state()
        sim.save(folder / CHECKPOINT, extra)
        if periodic and config.run.keep_checkpoints:
            keep_checkpoint(folder, sim.tick)

    with CsvWriter(folder / "metrics.csv", metric_columns(config), append=True) as metrics:

        def record_row() -> None:  # events accumulate in the simulation until a row takes them
            nonlocal row_tick
            events = sim.take_stats()
            for name in STAT_NAMES:
                totals[name] += events[name]
            metrics.write(collect(sim, events))
            row_tick = sim.tick

        def film() -> None:  # the video's frames; their time is kept apart from the run's
            nonlocal video_seconds
            began = time.perf_counter()
            recorder.observe(sim)
            video_seconds += time.perf_counter() - began

        previous_handler = _sigterm_as_interrupt()
        try:
            if row_tick != sim.tick and (sim.tick % every == 0 or sim.tick == steps or sim.extinct):
                record_row()  # interrupted between this tick's step and its row: write it now
            film()
            while sim.tick < steps and not sim.extinct:
                done = sim.step(1 if tracer is not None else min(
                    every - sim.tick % every, steps - sim.tick, recorder.ticks_until_due(sim.tick)))
                if tracer is not None:
                    tracer.observe(sim)
                film()
                peak = max(peak, sim.n_alive)
                if sim.tick % every == 0 or sim.tick == steps or sim.extinct:
                    record_row()
                    if checkpoint_every and sim.tick % checkpoint_every == 0:
                        checkpoint(periodic=True)
                bar.update(done)
            if sim.extinct:
                status = "extinct"
        except KeyboardInterrupt:
            status = "interrupted"
            if row_tick == sim.tick:  # Ctrl-C after this tick's row (e.g. during a checkpoint)
                checkpoint()
            else:
                checkpoint(row_written=False)  # before the last row takes the pending events
                record_row()
        finally:
            _restore_sigterm(previous_handler)
            bar.close()
            began = time.perf_counter()
            recorder.close()
            video_seconds += time.perf_counter() - began
            if tracer is not None:
                tracer.close()
    if status != "interrupted":
        checkpoint()  # the end state: `alife resume --steps N` can extend the run
    wall = progress_state["wall_seconds"] + time.perf_counter() - started

    summary = {
        "status": status,
        "ticks": sim.tick,
        "ticks_requested": steps,
        "seed": config.seed,
        "final_population": sim.n_alive,
        "peak_population": peak,
        "births": int(totals["births"]),
        "deaths": int(totals["deaths_starved"] + totals["deaths_old_age"]),
        "food_eaten": totals["food_eaten"],
        "agent_steps": int(totals["agent_steps"]),
        "wall_seconds": round(wall, 3),
        "compile_seconds": round(compile_seconds, 3),
        "video_seconds": round(video_seconds, 3),  # filming, not counted in the rate below
        "agent_steps_per_second": (round(totals["agent_steps"] / (wall - video_seconds))
                                   if wall > video_seconds else None),
    }
    write_json(folder / "summary.json", summary)
    if status == "extinct":
        log(f"population extinct at tick {sim.tick}; run ended early, files in {folder}")
    elif status == "interrupted":
        log(f"interrupted at tick {sim.tick}; files in {folder} are complete up to there; "
            f"continue with: alife resume {folder}")
    else:
        log(f"done: {sim.tick} ticks, {sim.n_alive} agents alive, "
            f"{summary['agent_steps_per_second'] or 0:,} agent-steps/s; files in {folder}")
    return RunResult(folder=folder, status=status, summary=summary)


CHECKPOINTS = "checkpoints"


def keep_checkpoint(folder: Path, tick: int) -> Path:
    """Keep the checkpoint just written as ``checkpoints/tick-<tick>.npz`` (a hard link where
    the file system allows: the next checkpoint replaces checkpoint.npz by a new file)."""
    kept = folder / CHECKPOINTS / f"tick-{tick:09d}.npz"
    kept.parent.mkdir(exist_ok=True)
    kept.unlink(missing_ok=True)
    try:
        os.link(folder / CHECKPOINT, kept)
    except OSError:
        shutil.copyfile(folder / CHECKPOINT, kept)
    return kept


def save_as_run(sim: Simulation, out: str | Path | None = None, *,
                root: str | Path = DEFAULT_ROOT) -> Path:
    """Write a live simulation (e.g. the viewer's) as a run folder that ``alife resume`` and
    ``alife view --resume`` continue: config.yaml (``run.steps`` at least the current tick),
    metrics.csv with the current tick's row, and checkpoint.npz. Returns the folder
    (``out``, or ``root/<run.name>-view-<timestamp>``)."""
    from alife.config import config_to_yaml
    from alife.io.checkpoint import save_checkpoint

    config = load_config(sim.config, {"run.steps": max(sim.config.run.steps, sim.tick)})
    folder = make_run_folder(f"{config.run.name}-view", out, root)
    (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")
    events = sim.take_stats()
    with CsvWriter(folder / "metrics.csv", metric_columns(config)) as metrics:
        metrics.write(collect(sim, events))
    state = {"totals": events, "peak": sim.n_alive, "wall_seconds": 0.0, "row_written": True,
             "first_tick": sim.tick}
    save_checkpoint(folder / CHECKPOINT, sim.checkpoint_arrays(lazy=True), config_to_yaml(config), state)
    return folder


def _keep_rows_up_to(path: Path, tick: int, every: int, keep_last: bool) -> None:
    """Keep the metrics rows before ``tick`` that lie on the recording grid, and the row at
    ``tick`` if ``keep_last``; drop later rows, an interruption's off-grid row, and a row cut
    short by a kill."""
    lines = read_lines(path)
    width = lines[0].count(",")

    def keep(line: str) -> bool:
        if not line.endswith("\n") or line.count(",") != width:
            return False
        row_tick = int(line.split(",", 1)[0])
        if row_tick == tick:
            return keep_last
        return row_tick < tick and row_tick % every == 0

    kept = lines[:1] + [line for line in lines[1:] if keep(line)]
    replace_lines(path, kept)


def _sigterm_as_interrupt():
    """Let SIGTERM end a run like Ctrl-C (checkpoint, complete files); main thread only."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _restore_sigterm(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="tick", disable=not enabled, dynamic_ncols=True)

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
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from alife.config import Config, config_to_yaml, load_config
from alife.io.checkpoint import save_checkpoint
from alife.io.lock import holding
from alife.io.run_folder import DEFAULT_ROOT, make_run_folder
from alife.kernels.tick import STAT_NAMES
from alife.metrics.collector import collect, metric_columns
from alife.metrics.traces import TraceRecorder, traced_ids
from alife.metrics.writers import CsvWriter, keep_rows_up_to_tick
from alife.render.video import open_video
from alife.runners.compiling import compile_kernels, start_compiling
from alife.runners.consistency import check_run_folder
from alife.runners.loop import CHECKPOINT, RunResult, Stopwatch, drive, stderr_log
from alife.sim import Simulation

CHECKPOINTS = "checkpoints"  # with run.keep_checkpoints: every periodic checkpoint


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
    log = log or stderr_log
    config = load_config(config, overrides)
    recorder = open_video(video, config, stride=video_stride)
    traced_ids(config)  # a bad run.trace is refused before anything is written
    # first: a world that cannot be made (e.g. agents.founders) writes nothing
    start_compiling(config)  # on a cold cache, beside building the world
    sim = Simulation(config)
    folder = make_run_folder(config.run.name, out, root)
    with holding(folder, "alife run"):
        (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")
        log(f"alife run: {folder}  ({config.world.width}x{config.world.height}, "
            f"{sim.n_alive} agents, {config.run.steps} ticks, seed {config.seed})")
        with CsvWriter(folder / "metrics.csv", metric_columns(config)) as metrics:
            metrics.write(collect(sim, sim.take_stats()))
        state = {"totals": dict.fromkeys(STAT_NAMES, 0.0), "peak": sim.n_alive, "wall_seconds": 0.0}
        tracer = None
        if config.run.trace or config.run.trace_ids:
            tracer = TraceRecorder(folder, config)
            tracer.observe(sim)
        return drive(RunJob(folder, sim, state, recorder, tracer), progress, log)


def continue_run(folder: Path, sim: Simulation, progress_state: dict[str, Any], *,
                 steps: int | None = None, progress: bool | None = None,
                 log: Callable[[str], None] = stderr_log) -> RunResult:
    """Continue a run whose checkpoint is loaded (``sim``, ``progress_state``), exactly as if it
    had never stopped (called by :func:`alife.runners.resume.resume`, which holds the lock).

    Rows of metrics.csv written after the checkpoint are dropped and written again, so the
    files end up identical to those of an uninterrupted run. ``steps``: a new total length
    (ticks); default the run's own ``run.steps``.
    """
    # nothing is rewritten before the folder is found whole
    written = check_run_folder(folder, sim.config, sim.tick,
                               progress_state.get("row_written", True),
                               progress_state.get("first_tick", 0))
    if steps is None and written.run.steps != sim.config.run.steps:
        steps = written.run.steps  # an extension stopped before its first checkpoint
    if steps is not None:
        if steps < sim.tick:
            raise ValueError(f"--steps {steps}: the run is already at tick {sim.tick}")
        sim.config = load_config(sim.config, {"run.steps": steps})
        (folder / "config.yaml").write_text(config_to_yaml(sim.config), encoding="utf-8")
    keep_rows_up_to_tick(folder / "metrics.csv", sim.tick, sim.config.run.record_every,
                         keep_last=progress_state.get("row_written", True))
    trace_state = progress_state.pop("trace", None)
    tracer = TraceRecorder.reopen(folder, sim.config, trace_state, sim) if trace_state else None
    log(f"alife resume: {folder} at tick {sim.tick} of {sim.config.run.steps}")
    return drive(RunJob(folder, sim, progress_state, open_video(None), tracer), progress, log)


class RunJob:
    """``alife run`` as a job of :func:`alife.runners.loop.drive`: a batch steps to the next
    metrics row (one tick while tracing, or to the video's next frame), writes the row, and
    checkpoints every ``run.checkpoint_every`` ticks.

    ``progress`` (saved with every checkpoint): event totals, peak population, wall seconds,
    the first tick of the run folder, and ``row_written`` (False when the checkpoint's tick
    has no metrics row yet: a resume writes it).
    """

    unit = "tick"
    cut_batches = False

    def __init__(self, folder: Path, sim: Simulation, progress: dict[str, Any], recorder,
                 tracer: TraceRecorder | None = None):
        self.folder, self.sim, self.recorder, self.tracer = folder, sim, recorder, tracer
        self.progress = progress
        self.config = sim.config
        self.total = self.config.run.steps
        self.clock = Stopwatch(progress["wall_seconds"])
        self.totals, self.peak = progress["totals"], progress["peak"]
        # the tick of the last metrics row written
        self.row_tick = sim.tick if progress.pop("row_written", True) else -1
        self.metrics: CsvWriter | None = None
        self.video_seconds = 0.0
        self.was_cut = False

    def done(self) -> int:
        return self.sim.tick

    def finished(self) -> bool:
        return self.sim.tick >= self.total or self.sim.extinct

    def prepare(self, say: Callable[[str], None]) -> float:
        seconds = compile_kernels(self.sim, say)
        self.metrics = CsvWriter(self.folder / "metrics.csv", metric_columns(self.config),
                                 append=True)
        if self.row_tick != self.sim.tick and self._on_row():
            self._record_row()  # interrupted between this tick's step and its row: write it now
        self._film()
        return seconds

    def advance(self, say: Callable[[str], None]) -> None:
        sim, every = self.sim, self.config.run.record_every
        if self.tracer is not None:
            sim.step(1)
            self.tracer.observe(sim)
        else:
            sim.step(min(every - sim.tick % every, self.total - sim.tick,
                         self.recorder.ticks_until_due(sim.tick)))
        self._film()
        self.peak = max(self.peak, sim.n_alive)
        if self._on_row():
            self._record_row()
            checkpoint_every = self.config.run.checkpoint_every
            if checkpoint_every and sim.tick % checkpoint_every == 0:
                self._checkpoint(periodic=True)

    def forward_stop(self) -> None:
        pass

    def cut_short(self) -> None:
        self.was_cut = True
        if self.row_tick == self.sim.tick:  # e.g. cut while a checkpoint was written
            self._checkpoint()
        else:  # before the last row takes the pending events
            self._checkpoint(row_written=False)
            if self.metrics is not None:
                self._record_row()

    def close(self) -> None:
        if self.metrics is not None:
            self.metrics.close()
        self._close_video()
        if self.tracer is not None:
            self.tracer.close()

    def finish(self, stopped: bool, compile_seconds: float) -> tuple[dict[str, Any], str]:
        sim, totals = self.sim, self.totals
        status = "interrupted" if stopped else "extinct" if sim.extinct else "completed"
        self._close_video()  # (a GIF is written now: its time counts as filming)
        if not self.was_cut:
            self._checkpoint()  # the end state: `alife resume --steps N` can extend the run
        wall = self.clock.total()
        summary = {
            "status": status,
            "ticks": sim.tick,
            "ticks_requested": self.total,
            "seed": self.config.seed,
            "final_population": sim.n_alive,
            "peak_population": self.peak,
            "births": int(totals["births"]),
            "deaths": int(totals["deaths_starved"] + totals["deaths_old_age"]),
            "food_eaten": totals["food_eaten"],
            "agent_steps": int(totals["agent_steps"]),
            "wall_seconds": round(wall, 3),
            "compile_seconds": round(compile_seconds, 3),
            "video_seconds": round(self.video_seconds, 3),  # filming, not counted in the rate below
            "agent_steps_per_second": (round(totals["agent_steps"] / (wall - self.video_seconds))
                                       if wall > self.video_seconds else None),
        }
        if status == "extinct":
            line = f"population extinct at tick {sim.tick}; run ended early, files in {self.folder}"
        elif status == "interrupted":
            line = (f"interrupted at tick {sim.tick}; files in {self.folder} are complete up to "
                    f"there; continue with: alife resume {self.folder}")
        else:
            line = (f"done: {sim.tick} ticks, {sim.n_alive} agents alive, "
                    f"{summary['agent_steps_per_second'] or 0:,} agent-steps/s; "
                    f"files in {self.folder}")
        return summary, line

    # ---- pieces ---------------------------------------------------------------------------
    def _on_row(self) -> bool:
        """This tick has a metrics row: on the recording grid, the last tick, or extinction."""
        sim = self.sim
        return sim.tick % self.config.run.record_every == 0 or sim.tick == self.total or sim.extinct

    def _record_row(self) -> None:  # events accumulate in the simulation until a row takes them
        events = self.sim.take_stats()
        for name in STAT_NAMES:
            self.totals[name] += events[name]
        self.metrics.write(collect(self.sim, events))
        self.row_tick = self.sim.tick

    def _film(self) -> None:  # the video's frames; their time is kept apart from the run's
        began = time.perf_counter()
        self.recorder.observe(self.sim)
        self.video_seconds += time.perf_counter() - began

    def _close_video(self) -> None:
        began = time.perf_counter()
        self.recorder.close()
        self.video_seconds += time.perf_counter() - began

    def _checkpoint(self, row_written: bool = True, periodic: bool = False) -> None:
        """row_written: the metrics row of this tick is already in the file (and its events
        counted); when a run is cut short before it, it is not, so a resume drops that row."""
        extra = {"totals": self.totals, "peak": self.peak, "wall_seconds": self.clock.total(),
                 "row_written": row_written, "first_tick": self.progress.get("first_tick", 0)}
        if self.tracer is not None:
            self.tracer.flush()  # the trace on disk reaches the checkpoint's tick
            extra["trace"] = self.tracer.state()
        self.sim.save(self.folder / CHECKPOINT, extra)
        if periodic and self.config.run.keep_checkpoints:
            keep_checkpoint(self.folder, self.sim.tick)


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
    config = load_config(sim.config, {"run.steps": max(sim.config.run.steps, sim.tick)})
    folder = make_run_folder(f"{config.run.name}-view", out, root)
    (folder / "config.yaml").write_text(config_to_yaml(config), encoding="utf-8")
    events = sim.take_stats()
    with CsvWriter(folder / "metrics.csv", metric_columns(config)) as metrics:
        metrics.write(collect(sim, events))
    state = {"totals": events, "peak": sim.n_alive, "wall_seconds": 0.0, "row_written": True,
             "first_tick": sim.tick}
    save_checkpoint(folder / CHECKPOINT, sim.checkpoint_arrays(lazy=True), config_to_yaml(config),
                    state)
    return folder

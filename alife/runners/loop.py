"""The one run loop of ``alife run``, ``alife evolve`` (both modes) and island runs.

A run is a :class:`Job`: it knows its folder, how much work was asked for and is done, and how
to do one *batch* of it (run: up to the next metrics row; evolve: up to the next row or the end
of a generation; islands: one epoch of generations). :func:`drive` does the rest, the same way
for every job: the progress bar, the kernels' compile, the wall clock, stopping, and the
summary with its closing line.

Stopping (one strategy for every job): SIGINT (Ctrl-C) and SIGTERM only *ask* the run to stop.
The batch in flight finishes, its rows are written, the job checkpoints, and the run ends
"interrupted" with complete files that ``alife resume`` continues exactly. A batch is short
(at most ``run.record_every`` ticks), so the stop is quick, and a simulation is never cut in
the middle of a tick. Two exceptions:

- before the first batch (the compile, minutes on a cold cache) nothing has been stepped yet,
  so a signal stops the run at once, and the job checkpoints where it started;
- a job whose batches only wait for other processes (islands) may be cut short by a second
  signal.

A ``KeyboardInterrupt`` that still reaches the loop (raised by code, or in a job cut short)
ends the run "interrupted" through :meth:`Job.cut_short`, which keeps the files consistent.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from alife.io.run_folder import write_json

CHECKPOINT = "checkpoint.npz"  # a run folder's latest checkpoint


class RunWriteError(RuntimeError):
    """The run could not write into its folder (a full disk, no permission): it stopped, and
    the folder keeps its last checkpoint."""


@dataclass
class RunResult:
    folder: Path
    status: str  # "completed", "extinct", "interrupted" or "failed" (an island failed)
    summary: dict[str, Any]


class Stopwatch:
    """Wall seconds of a run across its sessions: ``previous`` (from the checkpoint) plus the
    time since :meth:`start` (the compile is not counted)."""

    def __init__(self, previous: float = 0.0):
        self.previous = previous
        self._started = time.perf_counter()

    def start(self) -> None:
        self._started = time.perf_counter()

    def total(self) -> float:
        return self.previous + time.perf_counter() - self._started


class Job(Protocol):
    """What :func:`drive` needs of a run. ``total`` and :meth:`done` count ``unit``s (ticks or
    generations); ``clock`` times the run; ``cut_batches``: a second signal may interrupt a
    batch (only for batches that change no simulation in this process)."""

    folder: Path
    unit: str
    total: int
    clock: Stopwatch
    cut_batches: bool

    def done(self) -> int: ...

    def prepare(self, say: Callable[[str], None]) -> float:
        """Open the files and compile; returns the compile's seconds. Steps nothing."""

    def finished(self) -> bool:
        """True when nothing is left to do (all done, extinct, or an island failed)."""

    def advance(self, say: Callable[[str], None]) -> None:
        """One batch: step, write its rows, checkpoint when one is due."""

    def forward_stop(self) -> None:
        """A stop was asked for: pass it on to processes working for this job (islands)."""

    def cut_short(self) -> None:
        """A KeyboardInterrupt ended the loop: leave the folder resumable."""

    def finish(self, stopped: bool, compile_seconds: float) -> tuple[dict[str, Any], str]:
        """After the loop (``stopped``: asked to stop, or cut short, before the end): the final
        checkpoint and files; returns the summary (its "status" included) and the closing
        line."""

    def close(self) -> None:
        """Close what :meth:`prepare` opened; called after :meth:`finish`, and after an error.
        Safe to call twice."""


def drive(job: Job, progress: bool | None, log: Callable[[str], None]) -> RunResult:
    """Run ``job`` to its end or until asked to stop; write ``summary.json``; return it."""
    if progress is None:
        progress = sys.stderr.isatty()
    bar = progress_bar(job.total, job.unit, progress)
    bar.update(job.done())
    say = bar.write if progress else log
    stop = StopRequests(job.forward_stop, job.cut_batches)
    cut = False
    compile_seconds = 0.0
    try:
        with stop:
            try:
                with stop.at_once():  # nothing stepped yet
                    compile_seconds = job.prepare(say)
                job.clock.start()
                while not job.finished() and stop.signal is None:
                    before = job.done()
                    job.advance(say)
                    bar.update(job.done() - before)
            except KeyboardInterrupt:
                cut = True
                job.cut_short()
            except OSError as err:  # a full disk, a folder made read-only, a vanished mount
                raise RunWriteError(_cannot_write(job.folder, err)) from err
            finally:
                bar.close()
            summary, line = job.finish(cut or (stop.signal is not None and not job.finished()),
                                       compile_seconds)
    finally:
        job.close()
    write_json(job.folder / "summary.json", summary)
    log(line)
    return RunResult(folder=job.folder, status=summary["status"], summary=summary)


def _cannot_write(folder: Path, err: OSError) -> str:
    where = f": {err.filename}" if err.filename else ""
    if (folder / CHECKPOINT).is_file():
        then = (f"the folder keeps its last checkpoint: make room (or fix the folder), then "
                f"`alife resume {folder}` goes on from there")
    else:
        then = "no checkpoint was written yet: make room, then start the run again"
    return f"{folder}: cannot write ({err.strerror or err}{where}); {then}"


class StopRequests:
    """SIGINT and SIGTERM while a job runs (main thread only; elsewhere nothing is caught).

    The first signal sets :attr:`signal` and calls ``forward``; the loop stops at the next
    batch boundary. Inside :meth:`at_once`, or on a second signal when ``cut_batches``, the
    handler raises KeyboardInterrupt instead."""

    def __init__(self, forward: Callable[[], None] = lambda: None, cut_batches: bool = False):
        self.signal: int | None = None
        self._forward, self._cut_batches = forward, cut_batches
        self._at_once = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            self._previous = {s: signal.signal(s, self._handle)
                              for s in (signal.SIGINT, signal.SIGTERM)}
        return self

    def __exit__(self, *exc) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous = {}

    def at_once(self) -> _AtOnce:
        return _AtOnce(self)

    def _handle(self, signum, frame) -> None:
        again = self.signal is not None
        if self.signal is None:
            self.signal = signum
            self._forward()
        if self._at_once or (again and self._cut_batches):
            raise KeyboardInterrupt


class _AtOnce:
    """Within this block a stop request (also one that came before it) interrupts at once."""

    def __init__(self, stop: StopRequests):
        self.stop = stop

    def __enter__(self) -> None:
        if self.stop.signal is not None:
            raise KeyboardInterrupt
        self.stop._at_once = True

    def __exit__(self, *exc) -> None:
        self.stop._at_once = False


def progress_bar(total: int, unit: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, disable=not enabled, dynamic_ncols=True)


def stderr_log(message: str) -> None:
    print(message, file=sys.stderr)

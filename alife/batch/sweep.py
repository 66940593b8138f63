"""Run a sweep: plan, skip what is finished, execute the rest on an executor, write the tables.

The output folder (default ``sweeps/<name>``)::

    sweep.yaml        the sweep file as given (the latest invocation's)
    .sweep-token      identifies the folder (workers check that they see it)
    runs/<run_id>/    one folder per run, as ``alife run`` writes it, plus sweep_run.json
                      (status, error, wall time, attempt, host) and error.txt for a failure
    results.csv       one row per run (alife.batch.results)
    metrics.parquet   per-tick metrics of every run (metrics.csv without pyarrow)
    generations.parquet  evolve sweeps: every run's generations.csv (generations.csv without pyarrow)

Re-running the same sweep skips runs whose status is finished (completed, extinct), resumes
interrupted ones from their checkpoint and starts failed ones again. A run folder whose
config differs from the sweep's (the base or ``set`` changed) stops the sweep before anything
runs, so results of different settings are never mixed.
"""

from __future__ import annotations

import secrets
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alife.batch.commands import COMMANDS
from alife.batch.results import RUNS, run_folder, run_status, write_long, write_results
from alife.batch.spec import MAX_RUNS, PlannedRun, Sweep, SweepError, load_sweep
from alife.batch.worker import ERROR, RECORD, TOKEN, RunTask, execute, read_record
from alife.config import load_config
from alife.io.lock import LOCK, holding
from alife.io.run_folder import write_json
from alife.parallel import open_executor

DEFAULT_ROOT = Path("sweeps")


@dataclass
class SweepOutcome:
    out: Path
    counts: dict[str, int]      # status → number of runs (after this invocation)
    ran: int                    # runs executed by this invocation
    skipped: int                # runs already finished before it
    results: Path
    long: Path | None
    interrupted: bool


def run_sweep(
    sweep: Sweep | str | Path,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    log: Callable[[str], None] | None = None,
    parquet: bool | None = None,
    max_runs: int | None = MAX_RUNS,
) -> SweepOutcome:
    """Execute a sweep (a :class:`Sweep` or a sweep file path) into ``out``.

    workers, scheduler: see :func:`alife.parallel.open_executor`.
    progress: a progress bar over runs; None = only when stderr is a terminal.
    parquet: the long table as Parquet (default: when pyarrow is installed) or CSV.
    max_runs: a sweep file planning more runs is refused (None: no limit).
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep, max_runs)
    out = Path(out) if out is not None else DEFAULT_ROOT / sweep.name
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out}: a file, not a folder; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    with holding(out, "alife sweep"):
        token = _prepare(out, sweep)
        finished = COMMANDS[sweep.command].finished
        todo = []
        for planned in sweep.runs:
            folder = run_folder(out, planned.run_id)
            _check_same_config(folder, planned)
            if run_status(folder) not in finished:
                todo.append(planned)
        skipped = len(sweep.runs) - len(todo)
        if progress is None:
            progress = sys.stderr.isatty()
        interrupted = False
        if todo:
            with open_executor(workers, scheduler) as info:
                log(f"alife sweep: {len(sweep.runs)} runs, {skipped} already finished, {len(todo)} to run "
                    f"on a {info.description}; out {out}")
                options = sweep.options.model_dump(mode="json")
                futures: dict[Future, PlannedRun] = {}
                for planned in todo:
                    task = RunTask(planned.run_id, str(run_folder(out, planned.run_id)), token, sweep.command,
                                   options, planned.config.model_dump(mode="json"), info.slots)
                    futures[info.executor.submit(execute, task)] = planned
                with _sigterm_stops_the_runs(info.interrupt_runs):
                    interrupted = _collect(futures, out, len(sweep.runs), skipped, progress, log)
        else:
            log(f"alife sweep: all {len(sweep.runs)} runs already finished; out {out}")
        results = write_results(sweep, out)
        long = write_long(sweep, out, parquet)
        if sweep.command == "evolve":
            write_long(sweep, out, parquet, table="generations")
        counts = dict(Counter(run_status(run_folder(out, p.run_id)) for p in sweep.runs))
        log("done: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            + f"; results in {results}")
        return SweepOutcome(out, counts, len(todo), skipped, results, long, interrupted)


@contextmanager
def _sigterm_stops_the_runs(interrupt_runs: Callable[[], None]):
    """SIGTERM to the sweep (only this process, unlike a terminal's Ctrl-C, which reaches the
    workers too) asks the runs in progress to save their state, then stops the sweep as Ctrl-C
    does: no worker is left running on its own. Main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        interrupt_runs()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _collect(futures: dict[Future, PlannedRun], out: Path, total: int, skipped: int,
             progress: bool, log: Callable[[str], None]) -> bool:
    """Wait for the runs, record each as it ends, show progress; True if interrupted (Ctrl-C
    cancels the runs not started and waits for those in progress to save their state)."""
    from tqdm import tqdm

    bar = tqdm(total=total, initial=skipped, unit="run", disable=not progress, dynamic_ncols=True)
    say = bar.write if progress else log
    pending = set(futures)
    done_count = skipped
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                record = _record_of(future, run_folder(out, futures[future].run_id))
                done_count += 1
                bar.update(1)
                what = _describe(futures[future])
                if record["status"] == "failed":
                    say(f"run {record['run_id']} ({what}) failed: {record['error']}")
                elif not progress:
                    say(f"[{done_count}/{total}] {record['run_id']} ({what}) {record['status']} "
                        f"({record.get('wall_seconds', 0):.1f} s)")
        return False
    except KeyboardInterrupt:
        for future in pending:
            future.cancel()
        say("interrupted: runs in progress save their state; re-run the same command to go on")
        try:
            wait(pending, timeout=120)
        except KeyboardInterrupt:
            pass
        for future in pending:
            if future.done() and not future.cancelled():
                _record_of(future, run_folder(out, futures[future].run_id))
        return True
    finally:
        bar.close()


def _describe(planned: PlannedRun) -> str:
    """A run's condition in a few words: its swept parameters and seed."""
    params = ", ".join(f"{key.rsplit('.', 1)[-1]}={value}" for key, value in planned.params.items())
    return f"{params + ', ' if params else ''}seed {planned.seed}"


def _record_of(future: Future, folder: Path) -> dict[str, Any]:
    """The worker's record, or a failure record written here when the worker could not
    write one (its process died, it could not see the output folder, ...)."""
    try:
        return future.result()
    except Exception as err:  # the task itself raised, or the executor lost it
        previous = read_record(folder)
        record = {"run_id": folder.name, "status": "failed", "error": f"{type(err).__name__}: {err}",
                  "wall_seconds": 0.0, "attempt": int(previous.get("attempt", 0)) + 1}
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / RECORD, record)
        return record


def _prepare(out: Path, sweep: Sweep) -> str:
    """Create or reopen the output folder; returns its token."""
    marker = out / TOKEN
    if marker.is_file():
        token = marker.read_text(encoding="utf-8").strip()
    elif out.exists() and (not out.is_dir() or any(p.name != LOCK for p in out.iterdir())):
        raise SweepError(f"--out {out}: exists and is not a sweep folder (no {TOKEN}); "
                         "choose a new folder so nothing there is overwritten")
    else:
        token = secrets.token_hex(16)
        out.mkdir(parents=True, exist_ok=True)
        marker.write_text(token + "\n", encoding="utf-8")
    (out / RUNS).mkdir(exist_ok=True)
    (out / "sweep.yaml").write_text(sweep.text, encoding="utf-8")
    return token


def _check_same_config(folder: Path, planned: PlannedRun) -> None:
    """Refuse a run folder made with another config than the sweep's for that run."""
    path = folder / "config.yaml"
    if not path.is_file():
        return
    try:
        stored = load_config(path).model_dump(mode="json")
    except (ValueError, OSError):
        return  # unreadable: the run is started again
    wanted = planned.config.model_dump(mode="json")
    for data in (stored, wanted):
        data["run"].pop("threads")  # chosen per executor; no effect on results
    difference = _first_difference(stored, wanted)
    if difference is not None:
        key, there, here = difference
        raise SweepError(
            f"{path}: {key} is {there!r} there but {here!r} in this sweep (its base, set or options "
            "changed since that run); use a new --out, or delete that run folder")


def _first_difference(a: Any, b: Any, prefix: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            found = _first_difference(a.get(key), b.get(key), f"{prefix}{key}.")
            if found:
                return found
        return None
    return None if a == b else (prefix.rstrip("."), a, b)


__all__ = ["DEFAULT_ROOT", "ERROR", "SweepOutcome", "run_sweep"]

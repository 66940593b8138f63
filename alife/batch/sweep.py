"""Run a sweep: plan, skip what is finished, execute the rest on an executor, write the tables.

The output folder (default ``sweeps/<name>``)::

    sweep.yaml        the sweep file as given (the latest invocation's)
    .sweep-token      identifies the folder (workers check that they see it)
    .running/         <run_id>.json while a run goes on: its attempt, its worker's host and pid
    runs/<run_id>/    one folder per run, as ``alife run`` writes it, plus sweep_run.json
                      (status, error, wall time, attempt, host) and error.txt for a failure
    results.csv       one row per run (alife.batch.results)
    metrics.parquet   per-tick metrics of every run (metrics.csv without pyarrow)
    generations.parquet  evolve sweeps: every run's generations.csv (generations.csv
                         without pyarrow)

Re-running the same sweep skips runs whose status is finished (completed, extinct), resumes
interrupted ones from their checkpoint and starts failed ones again. A run folder whose
config differs from the sweep's (the base or ``set`` changed) stops the sweep before anything
runs, so results of different settings are never mixed.

A process pool whose worker process dies (SIGKILL, the out-of-memory killer) breaks: the runs
it had not finished go on in a fresh pool once its processes are gone, the one whose worker
died from its checkpoint, at most ``retries`` times (:data:`WORKER_RETRIES`), then recorded
as failed with the cause (:class:`_Execution`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from alife.batch.commands import COMMANDS
from alife.batch.results import (
    LONG_CSV,
    LONG_PARQUET,
    RESULTS,
    RUNS,
    run_folder,
    run_status,
    write_long,
    write_results,
)
from alife.batch.spec import MAX_RUNS, PlannedRun, Sweep, SweepError, load_sweep
from alife.batch.worker import (
    ERROR,
    NOT_STARTED,
    RECORD,
    RUNNING_DIR,
    TOKEN,
    RunTask,
    attempts,
    clear_marker,
    execute,
    read_marker,
    read_record,
)
from alife.config import load_config
from alife.io.lock import LOCK, holding
from alife.io.run_folder import write_json
from alife.parallel import ExecutorInfo, open_executor

DEFAULT_ROOT = Path("sweeps")
SWEEP_FILE = "sweep.yaml"
#: a run whose worker process died (SIGKILL, the out-of-memory killer, a crash) is run again
#: this many times in one invocation (process pool: each time in a fresh pool, from its last
#: checkpoint) before it is recorded as failed with the cause; ``alife sweep --retries N``
WORKER_RETRIES = 2
#: seconds the surviving workers of a broken pool get to save the state of their runs
SURVIVOR_GRACE = 60.0


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
    retries: int = WORKER_RETRIES,
) -> SweepOutcome:
    """Execute a sweep (a :class:`Sweep` or a sweep file path) into ``out``.

    workers, scheduler: see :func:`alife.parallel.open_executor`.
    progress: a progress bar over runs; None = only when stderr is a terminal.
    parquet: the long table as Parquet (default: when pyarrow is installed) or CSV.
    max_runs: a sweep file planning more runs is refused (None: no limit).
    retries: how many times a run whose worker process died is run again (process pool:
        each time in a fresh pool, from its checkpoint) before it is recorded as failed.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    if retries < 0:
        raise ValueError(f"--retries: must be >= 0, got {retries}")
    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep, max_runs)
    out = Path(out) if out is not None else DEFAULT_ROOT / sweep.name
    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out}: a file, not a folder; choose a new folder")
    out.mkdir(parents=True, exist_ok=True)
    with holding(out, "alife sweep"):
        token = _prepare(out, sweep, log)
        finished = COMMANDS[sweep.command].finished
        todo = [p for p in sweep.runs if run_status(run_folder(out, p.run_id)) not in finished]
        skipped = len(sweep.runs) - len(todo)
        if not (out / RESULTS).exists():  # a report made while the sweep runs finds its table
            write_results(sweep, out)
        if progress is None:
            progress = sys.stderr.isatty()
        interrupted = False
        if todo and scheduler is None:  # the pool's workers share this machine's numba cache
            from alife.runners import compiling

            # SIGTERM stops the compile as Ctrl-C does, and with it the helper process; at the
            # latest when the compile ends, if the interrupt was lost inside numba's compiler
            with _sigterm_stops_the_runs(lambda: None) as received:
                compiling.compile_for(todo[0].config,
                                      lambda message: log(f"alife sweep: {message.strip()}"))
                if received:
                    raise KeyboardInterrupt
        if todo:
            interrupted = _Execution(sweep, out, token, workers, scheduler, retries, progress,
                                     log, skipped).run(todo)
        else:
            log(f"alife sweep: all {len(sweep.runs)} runs already finished; out {out}")
        with contextlib.suppress(OSError):
            (out / RUNNING_DIR).rmdir()  # when empty: no run is going on
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
    does: no worker is left running on its own. Main thread only. Yields a list that holds
    the signal once one came (the KeyboardInterrupt can be lost: raised while numba's compiler
    is in a ctypes callback, it is printed and ignored)."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum, frame):
        received.append(signum)
        interrupt_runs()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield received
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Execution:
    """The runs of one invocation on an executor, in rounds: when a process pool breaks (one
    of its worker processes died), the runs it had not finished are sorted out once all its
    processes are gone, and handed to a fresh pool. The run whose worker died is charged a
    retry (at most ``retries``, then recorded as failed with the cause); the runs the broken
    pool stopped (they saved their state) and those it never started go on free. Every run
    is logged once, when it ends, with the status its folder and results.csv show."""

    def __init__(self, sweep: Sweep, out: Path, token: str, workers: int | None,
                 scheduler: str | None, retries: int, progress: bool,
                 log: Callable[[str], None], skipped: int):
        self.sweep, self.out, self.token = sweep, out, token
        self.workers, self.scheduler, self.retries = workers, scheduler, retries
        self.progress, self.log, self.skipped = progress, log, skipped
        self.total = len(sweep.runs)
        self.done = skipped
        self.deaths: Counter[str] = Counter()  # run id -> times its worker died under it
        self.idle_breaks = 0                   # breaks no run was charged for
        self.info: ExecutorInfo | None = None
        self.say = log

    def run(self, todo: list[PlannedRun]) -> bool:
        """Run ``todo`` to its end; True if interrupted (Ctrl-C, SIGTERM)."""
        from tqdm import tqdm

        self.bar = tqdm(total=self.total, initial=self.skipped, unit="run",
                        disable=not self.progress, dynamic_ncols=True)
        self.say = self.bar.write if self.progress else self.log
        queue, first = list(todo), True
        try:
            with _sigterm_stops_the_runs(lambda: self.info and self.info.interrupt_runs()):
                while queue:
                    before = {p.run_id: attempts(self._folder(p)) for p in queue}
                    with open_executor(self.workers, self.scheduler) as info:
                        self.info = info
                        if first:
                            self.log(f"alife sweep: {self.total} runs, {self.skipped} already "
                                     f"finished, {len(queue)} to run on a {info.description}; "
                                     f"out {self.out}")
                            first = False
                        else:
                            self.log(f"alife sweep: {len(queue)} runs go on in a fresh "
                                     f"{info.description}")
                        lost, broke, interrupted = self._round(queue, info)
                        stopped_here = (self._let_survivors_save(lost, before, info)
                                        if broke else set())
                    self.info = None
                    exits = info.worker_exits()
                    self._settle_dead_records(queue, before, exits, interrupted)
                    if interrupted:
                        return True
                    queue = self._after_break(lost, broke, before, exits, stopped_here)
            return False
        finally:
            self.bar.close()

    def _folder(self, planned: PlannedRun) -> Path:
        return run_folder(self.out, planned.run_id)

    def _round(self, queue: list[PlannedRun], info: ExecutorInfo
               ) -> tuple[list[PlannedRun], bool, bool]:
        """Submit ``queue`` and record each run as it ends. Returns the runs the executor lost
        (to a broken pool, or a worker that started none), whether the pool broke, and whether
        the sweep was interrupted (Ctrl-C cancels the runs not started and waits for those in
        progress to save)."""
        options = self.sweep.options.model_dump(mode="json")
        futures: dict[Future, PlannedRun] = {}
        lost: list[PlannedRun] = []
        for k, planned in enumerate(queue):
            task = RunTask(planned.run_id, str(self._folder(planned)), self.token,
                           self.sweep.command, options, planned.config.model_dump(mode="json"),
                           info.slots)
            try:
                futures[info.executor.submit(execute, task)] = planned
            except BrokenExecutor:  # a worker died already: these runs wait for the next pool
                lost = queue[k:]
                break
        pending, broke = set(futures), bool(lost)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    record = _outcome(future, self._folder(futures[future]))
                    if record is None:
                        lost.append(futures[future])
                        broke = broke or isinstance(future.exception(), BrokenExecutor)
                    else:
                        self._finished(futures[future], record)
            return lost, broke, False
        except KeyboardInterrupt:
            for future in pending:
                future.cancel()
            # a terminal's Ctrl-C reached the workers too, `kill -INT` only this process
            info.interrupt_runs()
            self.say("interrupted: runs in progress save their state; re-run the same command "
                     "to go on")
            try:
                wait(pending, timeout=120)
            except KeyboardInterrupt:
                pass
            for future in pending:
                if future.done() and not future.cancelled():
                    _outcome(future, self._folder(futures[future]))
            return [], False, True

    def _finished(self, planned: PlannedRun, record: dict[str, Any]) -> None:
        self.done += 1
        self.bar.update(1)
        what = _describe(planned)
        if record["status"] == "failed":
            self.say(f"run {planned.run_id} ({what}) failed: {record['error']}")
        elif not self.progress:
            notes = f"{record.get('wall_seconds', 0):.1f} s"
            if int(record.get("attempt", 1)) > 1:
                notes += f"; attempt {record['attempt']}"
            if record.get("resumed"):
                notes += ", resumed"
            self.say(f"[{self.done}/{self.total}] {planned.run_id} ({what}) {record['status']} "
                     f"({notes})")

    def _let_survivors_save(self, lost: list[PlannedRun], before: dict[str, int],
                            info: ExecutorInfo) -> set[int]:
        """The pool broke: its surviving workers were told to stop (SIGTERM; a run in progress
        saves its state). Wait until no lost run is still in progress on a living process
        (at most SURVIVOR_GRACE s), then kill the workers, which may be stuck on the broken
        pool's queues. Returns the pids still running a run when they were killed."""
        deadline = time.monotonic() + SURVIVOR_GRACE
        while True:
            markers = [(p, read_marker(self._folder(p))) for p in lost]
            going = {int(m["pid"]) for p, m in markers
                     if int(m.get("attempt", 0)) > before[p.run_id]
                     and _alive(m.get("pid"), m.get("host"))}
            if not going or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        info.kill_workers()
        return going

    def _after_break(self, lost: list[PlannedRun], broke: bool, before: dict[str, int],
                     exits: dict[int, int | None], stopped_here: set[int]) -> list[PlannedRun]:
        """Sort out the runs the executor lost, now that the pool's processes are gone;
        returns those to run again."""
        again, died = [], []
        for planned in lost:
            folder = self._folder(planned)
            record, marker = read_record(folder), read_marker(folder)
            recorded = int(record.get("attempt", 0))
            if max(recorded, int(marker.get("attempt", 0))) <= before[planned.run_id]:
                again.append(planned)                   # never started
            elif marker and int(marker.get("attempt", 0)) > recorded:
                died.append((planned, marker))          # its process died during the run
            else:                                       # it ended, and recorded how
                clear_marker(folder)
                if record.get("status") == "interrupted":
                    again.append(planned)               # stopped by the pool, state saved
                else:
                    self._finished(planned, record)     # only the answer was lost
        if not lost:
            return again
        for planned, _ in died:
            _drop_stale_lock(self._folder(planned), exits)

        def by_itself(record: dict[str, Any], ambiguous: bool) -> bool:
            pid = record.get("pid")
            return pid not in stopped_here and (ambiguous or exits.get(pid) != -signal.SIGTERM)

        # the pool stops its survivors with SIGTERM: a run whose worker ended otherwise caused
        # the break; only when none did, one ended by SIGTERM may have (an outside SIGTERM)
        charged = [d for d in died if by_itself(d[1], False)] or [
            d for d in died if by_itself(d[1], True)]
        stopped = [p for p, r in died if (p, r) not in charged]
        if stopped:
            self.say(f"{len(stopped)} other run{'s' * (len(stopped) != 1)} in progress stopped "
                     "with the pool; they go on from their last checkpoints")
        again += stopped
        for planned, marker in charged:
            folder = self._folder(planned)
            self.deaths[planned.run_id] += 1
            deaths = self.deaths[planned.run_id]
            cause = _death_cause(exits.get(marker.get("pid")))
            if deaths > self.retries:
                error = f"{cause} on each of its {deaths} attempts in this sweep"
                if exits.get(marker.get("pid")) == -signal.SIGKILL:
                    error += (" (SIGKILL: often the out-of-memory killer; try fewer --workers or "
                              "a smaller world)")
                self._finished(planned, _record_death(folder, marker, "failed", error))
            else:
                self.say(f"run {planned.run_id} ({_describe(planned)}): {cause}; running it "
                         f"again (retry {deaths} of {self.retries}) from its last checkpoint, "
                         "if any")
                again.append(planned)
        if broke and not charged:
            self.idle_breaks += 1
            if self.idle_breaks > self.retries:
                error = (f"the process pool broke {self.idle_breaks} times, a worker process "
                         "dying outside any run; the run did not get to go on")
                for planned in again:
                    folder = self._folder(planned)
                    marker = read_marker(folder) or {**read_record(folder), "run_id": folder.name}
                    self._finished(planned, _record_death(folder, marker, "failed", error))
                return []
        order = {p.run_id: i for i, p in enumerate(self.sweep.runs)}
        return sorted(again, key=lambda p: order[p.run_id])

    def _settle_dead_records(self, queue: list[PlannedRun], before: dict[str, int],
                             exits: dict[int, int | None], interrupted: bool) -> None:
        """An interrupted sweep does not retry: a run whose worker died or was stopped before
        it could record its end (still ``running`` by one of this pool's processes, all gone
        now) is recorded as interrupted, which the next invocation resumes."""
        if not interrupted:
            return
        for planned in queue:
            folder = self._folder(planned)
            marker = read_marker(folder)
            if (marker.get("pid") in exits
                    and int(marker.get("attempt", 0)) > int(read_record(folder).get("attempt", 0))):
                cause = _death_cause(exits[marker["pid"]])
                _record_death(folder, marker, "interrupted", f"{cause} while the sweep stopped")


def _outcome(future: Future, folder: Path) -> dict[str, Any] | None:
    """The worker's record; None when the executor lost the run (a broken process pool, or a
    worker that did not start it); a failure record written here when the worker could not
    write one (it could not see the output folder, a Dask worker died, ...)."""
    try:
        record = future.result()
    except BrokenExecutor:
        return None
    except Exception as err:  # the task itself raised, or the executor lost it
        error = f"{type(err).__name__}: {err}"
        marker = read_marker(folder)
        if type(err).__name__ == "KilledWorker":  # Dask gave up after its own retries
            marker = marker or {"run_id": folder.name, "attempt": attempts(folder)}
            return _record_death(folder, marker, "failed", f"worker process died (Dask: {error})")
        record = {"run_id": folder.name, "status": "failed", "error": error, "wall_seconds": 0.0,
                  "attempt": int(marker["attempt"]) if marker else attempts(folder) + 1}
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / RECORD, record)
        clear_marker(folder)
        return record
    return None if record.get("status") == NOT_STARTED else record


def _record_death(folder: Path, marker: dict[str, Any], status: str, error: str
                  ) -> dict[str, Any]:
    """Record the end of a run whose worker died before it could (``marker``: what the worker
    noted when it began); ``worker_died`` lets the next attempt go on from its checkpoint."""
    record = {"run_id": folder.name, "status": status, "error": error, "wall_seconds": 0.0,
              "attempt": int(marker.get("attempt", 0)), "resumed": False,
              "host": marker.get("host"), "pid": marker.get("pid"), "worker_died": True}
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / RECORD, record)
    if status == "failed":
        (folder / ERROR).write_text(error + "\n", encoding="utf-8")
    clear_marker(folder)
    return record


def _death_cause(code: int | None) -> str:
    """How a worker process ended, from its exit code (negative: a signal)."""
    if code is None:
        return "worker process died"
    if code < 0:
        return f"worker process died (signal {-code})"
    return f"worker process died (exit code {code})"


def _alive(pid: Any, host: Any) -> bool:
    """Whether ``pid`` on ``host`` is a living process (a zombie is not); another host's
    process counts as gone (the process pool runs on this one)."""
    if not isinstance(pid, int) or host != socket.gethostname():
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _drop_stale_lock(folder: Path, exits: dict[int, int | None]) -> None:
    """Remove the run folder's lock when a worker process of the broken pool held it (it is
    gone), so that a new worker, which might even get the same pid, can take the folder."""
    try:
        holder = json.loads((folder / LOCK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if holder.get("pid") in exits and holder.get("host") == socket.gethostname():
        (folder / LOCK).unlink(missing_ok=True)


def _describe(planned: PlannedRun) -> str:
    """A run's condition in a few words: its swept parameters and seed."""
    params = ", ".join(f"{key.rsplit('.', 1)[-1]}={value}" for key, value in planned.params.items())
    return f"{params + ', ' if params else ''}seed {planned.seed}"


def _prepare(out: Path, sweep: Sweep, log: Callable[[str], None]) -> str:
    """Create or reopen the output folder; returns its token. An earlier sweep's folder is
    reopened only for the same sweep (or one extended by more values, seeds or repeats): its
    files are rewritten only once every check has passed."""
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
    _check_same_sweep(out, sweep, log)
    for planned in sweep.runs:
        _check_same_config(run_folder(out, planned.run_id), planned)
    _check_table_paths(out)
    (out / RUNS).mkdir(exist_ok=True)
    (out / SWEEP_FILE).write_text(sweep.text, encoding="utf-8")
    return token


def _check_same_sweep(out: Path, sweep: Sweep, log: Callable[[str], None]) -> None:
    """Refuse a folder that holds another sweep's runs: runs of another command, or run
    folders this sweep does not plan when it is another sweep (another name, or other swept
    parameters), whose results.csv and sweep.yaml it would replace. The same sweep with values,
    seeds or repeats taken out goes on; the runs it no longer plans stay in their folders, and
    the log says so."""
    try:
        folders = sorted(p.name for p in (out / RUNS).iterdir() if p.is_dir())
    except OSError:
        folders = []
    if not folders:
        return
    earlier = _earlier_sweep(out)
    name = earlier.get("name") if isinstance(earlier.get("name"), str) else None
    where = f" (its sweep.yaml names '{name}')" if name else ""
    command = earlier.get("command", "run")
    if command != sweep.command:
        raise SweepError(f"--out {out}: holds the runs of a sweep with command: {command}{where}, "
                         f"this one is command: {sweep.command}; choose a new --out (nothing "
                         "there was changed)")
    planned = {p.run_id for p in sweep.runs}
    strays = [folder for folder in folders if folder not in planned]
    if not strays:
        return
    many = len(strays) != 1
    held = (f"holds {len(strays)} run folder{'s' * many} this sweep does not plan "
            f"(runs/{strays[0]}{', ...' * many})")
    swept = _swept_keys(earlier)
    if (name is not None and name != sweep.name) or (swept is not None
                                                     and swept != set(sweep.param_names)):
        what = (f"its sweep.yaml names '{name}', this sweep '{sweep.name}'"
                if name is not None and name != sweep.name else
                f"it sweeps {', '.join(sorted(swept)) or 'nothing'}, this one "
                f"{', '.join(sorted(sweep.param_names)) or 'nothing'}")
        raise SweepError(f"--out {out}: another sweep's folder ({what}) that {held}; choose a new "
                         "--out (nothing there was changed)")
    log(f"alife sweep: --out {out} {held}: values, seeds or repeats were taken out of the sweep; "
        f"{'they stay' if many else 'it stays'} in runs/ but not in results.csv")


def _swept_keys(data: dict[str, Any]) -> set[str] | None:
    """The parameters a sweep file's mapping sweeps (grid and cases keys); None if unclear."""
    grid, cases = data.get("grid") or {}, data.get("cases") or []
    if not isinstance(grid, dict) or not isinstance(cases, list):
        return None
    keys = set(grid)
    for case in cases:
        if not isinstance(case, dict):
            return None
        keys |= {k for k in case if k != "seed"}
    return keys


def _earlier_sweep(out: Path) -> dict[str, Any]:
    """What the folder's sweep.yaml (the last invocation's sweep file) says, {} if nothing."""
    try:
        data = yaml.safe_load((out / SWEEP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _check_table_paths(out: Path) -> None:
    """Refuse, before anything runs, a folder or other non-file where a table will be written."""
    for name in (RESULTS, SWEEP_FILE, LONG_CSV, LONG_PARQUET, "generations.csv",
                 "generations.parquet"):
        for path in (out / name, out / f"{name}.tmp"):
            if path.is_symlink() or (path.exists() and not path.is_file()):
                raise SweepError(f"{path}: not a file, but the sweep writes its "
                                 f"{'temporary ' * path.name.endswith('.tmp')}{name} there; move "
                                 "it away and run the same command again (nothing was run)")


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
            f"{path}: {key} is {there!r} there but {here!r} in this sweep (its base, set or "
            "options changed since that run); use a new --out, or delete that run folder")


def _first_difference(a: Any, b: Any, prefix: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            found = _first_difference(a.get(key), b.get(key), f"{prefix}{key}.")
            if found:
                return found
        return None
    return None if a == b else (prefix.rstrip("."), a, b)


__all__ = ["DEFAULT_ROOT", "ERROR", "WORKER_RETRIES", "SweepOutcome", "run_sweep"]

"""One run of a sweep, as executed in a worker (a pool process or a Dask worker).

:func:`execute` takes a :class:`RunTask` (plain data, picklable) and writes the run folder
through the command of :data:`alife.batch.commands.COMMANDS`, then ``sweep_run.json``: the
run's id, status (the command's, or "failed"), error, wall time, attempt number, host, pid and
numba thread count. While it runs, the sweep folder's ``.running/<run_id>.json`` names the
attempt and the worker's pid (removed once the record is written), so a run whose worker
process died is told apart from one that never started, and its attempts are counted. A run
that raises is recorded as failed (its traceback in ``error.txt``); the exception does not
leave the worker. An interrupted run (Ctrl-C, SIGTERM) or one whose worker died (its marker
left, or failed with ``worker_died``) is resumed by the next attempt when its command can
resume; a run that raised starts again from scratch. A run already finished is left as it is
(its record returned): Dask runs a task again when the worker holding its result died.

A process-pool worker whose run was interrupted starts no further run (it answers
:data:`NOT_STARTED` without touching the folder): it is being stopped, by a Ctrl-C or by the
pool itself when a sibling process died, and the sweep hands those runs out again.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORD = "sweep_run.json"
ERROR = "error.txt"
TOKEN = ".sweep-token"
RUNNING_DIR = ".running"     # <sweep>/.running/<run_id>.json: a worker runs that run
NOT_STARTED = "not started"  # a returned (never written) record: the worker did not run it
#: test-only hook: a file ``<sweep folder>/.test-kill-worker/<run_id>`` holding "TIMES TICK"
#: makes the worker that starts that run SIGKILL itself when the run reaches TICK (0: at
#: once), TIMES times in all (the file counts down); see :func:`_test_kill_hook`
KILL_HOOK = ".test-kill-worker"

_stopping = False  # a pool worker whose run was interrupted: it is being stopped


@dataclass(frozen=True)
class RunTask:
    """What a worker needs for one run; no live objects, so any executor can ship it.

    folder: absolute path of the run folder; ``folder/../../.sweep-token`` must hold ``token``
        (proof that the worker sees the sweep's output folder, e.g. on a shared filesystem).
    config: the resolved config (``Config.model_dump(mode="json")``).
    slots: runs executing at once per host name ("*": every host, e.g. the process pool), so
        that runs × numba threads do not exceed a host's cores.
    """

    run_id: str
    folder: str
    token: str
    command: str
    options: dict[str, Any]
    config: dict[str, Any]
    slots: dict[str, int] = field(default_factory=lambda: {"*": 1})


class OutputNotVisible(RuntimeError):
    """The worker cannot see the sweep's output folder (no shared filesystem at that path)."""


def execute(task: RunTask) -> dict[str, Any]:
    """Run one task to its end and return its record (also written to ``sweep_run.json``)."""
    from alife.batch.commands import COMMANDS
    from alife.config import load_config
    from alife.io.lock import FolderInUse
    from alife.io.run_folder import write_json
    from alife.parallel import in_pool_worker, thread_budget

    global _stopping
    folder = Path(task.folder)
    if _stopping and in_pool_worker():
        return {"run_id": task.run_id, "status": NOT_STARTED}
    _check_visible(folder, task.token)
    command = COMMANDS[task.command]
    options = command.options.model_validate(task.options)
    previous, died = read_record(folder), read_marker(folder)
    if previous.get("status") in command.finished and not died:
        return previous  # done already: a Dask worker that lost its result runs it again
    started = time.perf_counter()
    threads = thread_budget(task.slots)
    status, error, resumed = "failed", "", False
    record = {"run_id": task.run_id, "status": status, "error": error, "wall_seconds": 0.0,
              "attempt": attempts(folder) + 1, "resumed": resumed,
              "host": socket.gethostname(), "pid": os.getpid(), "threads": threads}
    _write_marker(folder, record)
    restore = _interruptible()
    undo_hook = _test_kill_hook(folder, task.run_id)
    try:
        summary = None
        # a run that raised starts again from scratch; one that was stopped, or whose worker
        # died, goes on from its checkpoint
        if (command.resume is not None and _has_files(folder)
                and (died or previous.get("status") != "failed" or previous.get("worker_died"))):
            try:
                summary = command.resume(folder, options)
                resumed = True
            except FolderInUse:  # another process writes there: never wipe its work
                raise
            except Exception:  # nothing usable to resume from: start again
                summary = None
        if summary is None:
            _empty(folder)
            config = load_config(task.config)
            if config.run.threads == 0:
                config = load_config(config, {"run.threads": threads})
            summary = command.start(config, folder, options)
        status = str(summary["status"])
    except KeyboardInterrupt:
        status, error = "interrupted", "KeyboardInterrupt"
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ERROR).write_text(traceback.format_exc(), encoding="utf-8")
    finally:
        undo_hook()
        restore()
    if status == "interrupted" and in_pool_worker():
        _stopping = True  # Ctrl-C, or the pool stops this worker: run nothing more here
    record.update(status=status, error=error, resumed=resumed,
                  wall_seconds=round(time.perf_counter() - started, 3))
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / RECORD, record)
    clear_marker(folder)
    return record


def read_record(folder: Path) -> dict[str, Any]:
    """The folder's ``sweep_run.json`` as a dict ({} when absent or unreadable)."""
    try:
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def marker_path(folder: Path) -> Path:
    """Where a worker notes that it runs the run in ``folder`` (its pid, its attempt): in the
    sweep folder, since the run folder must be empty when a run starts."""
    return folder.parent.parent / RUNNING_DIR / f"{folder.name}.json"


def read_marker(folder: Path) -> dict[str, Any]:
    """The run's marker ({} when none): an attempt that began and never recorded its end."""
    try:
        marker = json.loads(marker_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}


def clear_marker(folder: Path) -> None:
    marker_path(folder).unlink(missing_ok=True)


def attempts(folder: Path) -> int:
    """Attempts at the run so far: those that recorded their end and one that did not."""
    return max(int(read_record(folder).get("attempt", 0)),
               int(read_marker(folder).get("attempt", 0)))


def _write_marker(folder: Path, record: dict[str, Any]) -> None:
    from alife.io.run_folder import write_json

    marker_path(folder).parent.mkdir(exist_ok=True)
    write_json(marker_path(folder), {k: record[k] for k in ("run_id", "attempt", "host", "pid")})


def _interruptible():
    """Let Ctrl-C interrupt the run in this (main) thread; returns the undo function."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    return lambda: signal.signal(signal.SIGINT, previous)


def _check_visible(folder: Path, token: str) -> None:
    marker = folder.parent.parent / TOKEN
    try:
        seen = marker.read_text(encoding="utf-8").strip()
    except OSError:
        seen = None
    if seen != token:
        raise OutputNotVisible(
            f"{folder.parent.parent} is not the sweep's output folder on host "
            f"{socket.gethostname()} (its .sweep-token is missing or different): with workers on "
            "several machines, --out must be on a filesystem they all share, at the same path")


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.name not in (RECORD, ERROR) for p in folder.iterdir())


def _empty(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def _test_kill_hook(folder: Path, run_id: str):
    """Test-only (see :data:`KILL_HOOK`): when the sweep folder holds a kill request for this
    run, count it down and SIGKILL this process as the run reaches the requested tick, as the
    OOM killer would. Returns the undo function (restores ``Simulation.step``)."""
    path = folder.parent.parent / KILL_HOOK / run_id
    try:
        times, tick = (int(word) for word in path.read_text(encoding="utf-8").split())
    except (OSError, ValueError):
        return lambda: None
    if times <= 0:
        return lambda: None
    path.write_text(f"{times - 1} {tick}\n", encoding="utf-8")
    if tick <= 0:
        os.kill(os.getpid(), signal.SIGKILL)
    from alife.sim import Simulation

    step = Simulation.step

    def step_or_die(self, n=1):
        if self.tick >= tick:
            os.kill(os.getpid(), signal.SIGKILL)
        return step(self, n)

    Simulation.step = step_or_die
    return lambda: setattr(Simulation, "step", step)

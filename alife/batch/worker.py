"""One run of a sweep, as executed in a worker (a pool process or a Dask worker).

:func:`execute` takes a :class:`RunTask` (plain data, picklable) and writes the run folder
through the command of :data:`alife.batch.commands.COMMANDS`, then ``sweep_run.json``: the
run's id, status (the command's, or "failed"), error, wall time, attempt number, host, pid and
numba thread count. A run that raises is recorded as failed (its traceback in ``error.txt``);
the exception does not leave the worker. An interrupted run (Ctrl-C) is resumed by the next
attempt when its command can resume; a failed one starts again from scratch.
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
    from alife.io.run_folder import write_json
    from alife.parallel import thread_budget

    folder = Path(task.folder)
    _check_visible(folder, task.token)
    command = COMMANDS[task.command]
    options = command.options.model_validate(task.options)
    previous = read_record(folder)
    started = time.perf_counter()
    threads = thread_budget(task.slots)
    status, error, resumed = "failed", "", False
    restore = _interruptible()
    try:
        summary = None
        if command.resume is not None and previous.get("status") != "failed" and _has_files(folder):
            try:
                summary = command.resume(folder, options)
                resumed = True
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
        restore()
    record = {
        "run_id": task.run_id,
        "status": status,
        "error": error,
        "wall_seconds": round(time.perf_counter() - started, 3),
        "attempt": int(previous.get("attempt", 0)) + 1,
        "resumed": resumed,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "threads": threads,
    }
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / RECORD, record)
    return record


def read_record(folder: Path) -> dict[str, Any]:
    """The folder's ``sweep_run.json`` as a dict ({} when absent or unreadable)."""
    try:
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


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
            f"{folder.parent.parent} is not the sweep's output folder on host {socket.gethostname()} "
            "(its .sweep-token is missing or different): with workers on several machines, --out "
            "must be on a filesystem they all share, at the same path")


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(p.name not in (RECORD, ERROR) for p in folder.iterdir())


def _empty(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

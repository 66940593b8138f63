"""One writer per folder: a run, an evolution or a sweep holds ``FOLDER/.lock`` while it writes.

The lock file holds the writer's pid, host and command. A second writer (a resume while the
run goes on, two sweeps into one folder) is refused with a message naming the holder; a lock
whose process on this host has died (``kill -9``, a crash) is stale and taken over. A lock
from another host cannot be checked: the message says how to remove it by hand.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from alife.io.run_folder import RunFolderError

LOCK = ".lock"
_held: dict[Path, int] = {}  # locks this process holds, and how many times (re-entrant)


class FolderInUse(RunFolderError):
    """Another living process writes into the folder."""


def _alive(pid: int, started: int | None = None) -> bool:
    """Is process ``pid`` of this host alive, and (``started`` given, where /proc tells) the
    same process that took the lock, not a later one that got its pid?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        pass
    now = _start_time(pid)
    return started is None or now is None or now == started


def _start_time(pid: int) -> int | None:
    """When process ``pid`` started (clock ticks since boot, /proc/PID/stat), None where
    there is no /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[19])  # field 22: after the ")" of the name
    except (OSError, ValueError, IndexError):
        return None


def live_holder(folder: str | Path) -> dict | None:
    """The writer holding ``folder``'s lock while it lives (pid, host, what, since), else
    None (no lock, or a stale one; a lock of another host counts as held)."""
    held = _read(Path(folder) / LOCK)
    if held is None:
        return None
    if held.get("host") == socket.gethostname() and not _alive(int(held.get("pid", -1)),
                                                             held.get("started")):
        return None
    return held


def acquire(folder: str | Path, what: str) -> Path:
    """Take the lock of ``folder`` for ``what`` (e.g. "alife run"); returns the lock's path.
    Raises FolderInUse if a living process holds it."""
    if not Path(folder).is_dir():
        raise RunFolderError(f"{folder}: no such folder")
    path = (Path(folder) / LOCK).resolve()
    if _held.get(path):
        _held[path] += 1
        return path
    me = {"pid": os.getpid(), "started": _start_time(os.getpid()),
          "host": socket.gethostname(), "what": what,
          "since": _dt.datetime.now().isoformat(timespec="seconds"), "argv": sys.argv[:6]}
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read(path)
            if holder is None:
                continue  # being written or removed just now: look again
            if holder.get("host") == me["host"] and not _alive(int(holder.get("pid", -1)),
                                                              holder.get("started")):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # stale: its process is gone
                continue
            where = ("this host" if holder.get("host") == me["host"]
                     else f"host {holder.get('host')}")
            raise FolderInUse(
                f"{folder}: in use by {holder.get('what', 'another writer')} "
                f"(pid {holder.get('pid')} on {where}, since {holder.get('since')}); "
                f"wait for it to finish or stop it. If that process is gone, delete {path}"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(me, f)
        _held[path] = 1
        return path
    raise FolderInUse(f"{folder}: could not take {path}; another writer keeps taking it")


def release(path: Path) -> None:
    """Give the lock back (removed when this process's last holder lets go)."""
    count = _held.get(path, 0) - 1
    if count > 0:
        _held[path] = count
        return
    _held.pop(path, None)
    holder = _read(path)
    if holder is not None and holder.get("pid") == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def holding(folder: str | Path, what: str) -> Iterator[Path]:
    """``with holding(folder, "alife run"):`` the lock for the block's duration."""
    path = acquire(folder, what)
    try:
        yield path
    finally:
        release(path)


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None

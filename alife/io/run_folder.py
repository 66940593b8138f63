"""Run folders: ``runs/<name>-<timestamp>/`` by default, never overwriting an earlier run."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_ROOT = Path("runs")


class RunFolderError(ValueError):
    """The requested run folder cannot be used (it would overwrite another run)."""


def make_run_folder(name: str, out: str | Path | None = None,
                    root: str | Path = DEFAULT_ROOT) -> Path:
    """Create and return the folder for a new run.

    ``out`` given: that exact folder, which must not exist yet or be empty. Otherwise
    ``root/<name>-<YYYYmmdd-HHMMSS>``, with ``-2``, ``-3``, … added if that exists.
    """
    if out is not None:
        folder = Path(out)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise RunFolderError(
                f"--out {folder}: already exists and is not an empty folder; choose a new folder "
                "so no earlier results are overwritten"
            )
        _mkdir(folder, "--out", exist_ok=True)
        return folder
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{name}-{stamp}"
    folder, k = base, 1
    while True:
        try:
            _mkdir(folder, "run.name", exist_ok=False)
            return folder
        except FileExistsError:
            k += 1
            folder = base.with_name(f"{base.name}-{k}")


def _mkdir(folder: Path, what: str, exist_ok: bool) -> None:
    """mkdir -p, with a RunFolderError that says why a folder cannot be made (a file in the
    path, a name too long for the file system, no permission, a full disk)."""
    try:
        folder.mkdir(parents=True, exist_ok=exist_ok)
    except FileExistsError:
        if not exist_ok:
            raise
        raise RunFolderError(f"{what}: cannot make the folder {folder}: a file of that name is "
                             "in the way") from None
    except OSError as err:
        raise RunFolderError(f"{what}: cannot make the folder {folder}: "
                             f"{err.strerror or err}") from None


def write_genomes(path: Path, genomes: np.ndarray) -> None:
    """Write genomes float32 (m, G) as ``path`` (.npz, array 'genomes'), atomically: what a
    config's ``agents.founders`` reads."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez(f, genomes=np.ascontiguousarray(genomes, np.float32))
    tmp.replace(path)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically (temp file + rename)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)

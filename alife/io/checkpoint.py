"""Checkpoints: everything a simulation needs to continue exactly, in one file.

A checkpoint is an uncompressed ``.npz`` holding every array of the state (grid, agents with
their learned weights, affect, memories and random streams, counters), the event totals not
yet written to metrics, any runner state the caller adds, and a JSON ``meta`` record: the
format version, the resolved config and a SHA-256 of all arrays. It is written atomically
(temporary file, fsync, rename), so a crash or kill mid-write leaves the previous checkpoint
intact; a truncated, corrupt or foreign file is refused with a :class:`CheckpointError`.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from alife.world.memory import available_bytes

FORMAT = "alife-checkpoint"
VERSION = 2  # 2: the minds of issue 17 (reward head, error models, affect integral)


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message says which file and why."""


def save_checkpoint(path: str | Path, arrays: dict[str, np.ndarray], config_yaml: str,
                    extra: dict[str, Any] | None = None) -> Path:
    """Write ``arrays`` (name -> array) and ``config_yaml`` to ``path`` atomically."""
    path = Path(path)
    meta = {"format": FORMAT, "version": VERSION, "config": config_yaml,
            "sha256": _digest(arrays), "extra": extra or {}}
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        np.savez(f, meta=np.array(json.dumps(meta)), **arrays)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | Path) -> tuple[dict[str, np.ndarray], str, dict[str, Any]]:
    """Read a checkpoint: (arrays, config_yaml, extra). Raises CheckpointError if unusable."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    _check_unpacked_size(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            if "meta" not in data.files:
                raise CheckpointError(f"{path}: not an alife checkpoint (no meta record)")
            meta = json.loads(str(data["meta"]))
            arrays = {name: data[name] for name in data.files if name != "meta"}
    except CheckpointError:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as err:
        raise CheckpointError(f"{path}: corrupt or truncated checkpoint ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an alife checkpoint")
    if meta.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {meta.get('version')}, this alife reads version "
            f"{VERSION} (the agents' model changed between them: start the run again)")
    if _digest(arrays) != meta.get("sha256"):
        raise CheckpointError(f"{path}: corrupt checkpoint (its arrays do not match their checksum)")
    return arrays, meta["config"], meta.get("extra", {})


def _check_unpacked_size(path: Path) -> None:
    """Refuse a file whose arrays would not fit in memory unpacked (a zip bomb, or a checkpoint
    of a world too large for this machine) before reading any of them."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as err:
        raise CheckpointError(f"{path}: corrupt or truncated checkpoint ({err})") from None
    available = available_bytes()
    if available is not None and unpacked > available:
        raise CheckpointError(f"{path}: its arrays unpack to {unpacked / 2**30:.1f} GiB, more than the "
                              f"{available / 2**30:.1f} GiB available; refused before reading them")


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(name.encode())
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()

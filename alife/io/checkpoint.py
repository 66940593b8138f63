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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from alife.world.memory import available_bytes

FORMAT = "alife-checkpoint"
VERSION = 3  # 2: the minds of issue 17; 3: agents stored slot by slot (not in lanes)
READABLE = (2, 3)  # versions this alife loads (2's lane-layout arrays are converted on load)


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message says which file and why."""


def save_checkpoint(path: str | Path, arrays: Mapping[str, np.ndarray | Callable[[], np.ndarray]],
                    config_yaml: str, extra: dict[str, Any] | None = None) -> Path:
    """Write ``arrays`` (name -> array, or a function making it: called when it is written, so
    a checkpoint is made one array at a time) and ``config_yaml`` to ``path`` atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        _write(tmp, arrays, config_yaml, extra)
    except BaseException:  # a full disk, Ctrl-C: keep the previous checkpoint, leave no debris
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    return path


def _write(tmp: Path, arrays, config_yaml: str, extra: dict[str, Any] | None) -> None:
    digest = hashlib.sha256()
    with open(tmp, "wb") as f:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
            for name in sorted(arrays):  # the digest's order
                value = arrays[name]
                array = np.ascontiguousarray(value() if callable(value) else value)
                _add_to_digest(digest, name, array)
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)
                del array
            meta = {"format": FORMAT, "version": VERSION, "config": config_yaml,
                    "sha256": digest.hexdigest(), "extra": extra or {}}
            with archive.open("meta.npy", "w") as member:
                np.lib.format.write_array(member, np.array(json.dumps(meta)), allow_pickle=False)
        f.flush()
        os.fsync(f.fileno())


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
    if meta.get("version") not in READABLE:
        raise CheckpointError(
            f"{path}: checkpoint format version {meta.get('version')}, this alife reads versions "
            f"{READABLE[0]}-{READABLE[-1]} (the agents' model changed between them: "
            "start the run again)")
    if _digest(arrays) != meta.get("sha256"):
        raise CheckpointError(f"{path}: corrupt checkpoint "
                              "(its arrays do not match their checksum)")
    if not isinstance(meta.get("config"), str) or not isinstance(meta.get("extra", {}), dict):
        raise CheckpointError(f"{path}: the checkpoint's meta record lacks its config or runner "
                              "state (written by another program?)")
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
        raise CheckpointError(f"{path}: its arrays unpack to {unpacked / 2**30:.1f} GiB, "
                              f"more than the {available / 2**30:.1f} GiB available; "
                              "refused before reading them")


def _digest(arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.sha256()
    for name in sorted(arrays):
        _add_to_digest(digest, name, np.ascontiguousarray(arrays[name]))
    return digest.hexdigest()


def _add_to_digest(digest, name: str, array: np.ndarray) -> None:
    digest.update(name.encode())
    digest.update(str(array.dtype).encode() + str(array.shape).encode())
    digest.update(array.tobytes())

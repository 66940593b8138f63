"""Before a resume rewrites anything: do the folder's files belong to its checkpoint?

A run folder is continued from ``checkpoint.npz``; its other files are cut back to the
checkpoint's tick and written on. That is only right if they are that run's files: the same
config (``config.yaml`` as the checkpoint recorded it, apart from the length a resume may
extend), the same seed as ``summary.json`` says, every metrics row up to the checkpoint's
tick, and (evolution) every lineage row and genome the checkpoint counts. Any mismatch
refuses the resume with a message naming the file, and nothing has been touched.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from alife.config import Config, ConfigError, load_config
from alife.io.run_folder import RunFolderError

# fields a resume or the executor may change between the checkpoint and config.yaml
MAY_DIFFER = {("run", "steps"), ("run", "threads"), ("evolution", "generations")}


class FolderMismatch(RunFolderError):
    """The run folder's files do not belong to its checkpoint."""


def check_config(folder: Path, checkpointed: Config) -> Config:
    """config.yaml must be the config the checkpoint recorded (see MAY_DIFFER); returns it (a
    length it gives that differs from the checkpoint's is an extension asked for after that
    checkpoint, which the resume then carries out)."""
    path = folder / "config.yaml"
    try:
        written = load_config(path)
    except ConfigError as err:
        raise FolderMismatch(f"{path}: cannot be read ({err})") from None
    a, b = written.model_dump(mode="json"), checkpointed.model_dump(mode="json")
    for section in sorted(set(a) | set(b)):
        if isinstance(a.get(section), dict):
            for field in sorted(a[section]):
                if ((section, field) not in MAY_DIFFER
                        and a[section].get(field) != b[section].get(field)):
                    raise FolderMismatch(
                        f"{path}: {section}.{field} is {a[section].get(field)!r}, but the "
                        f"checkpoint was written with {b[section].get(field)!r}: the folder was "
                        "edited or mixed with another run's files; put back the run's own "
                        "config.yaml (or start a new run with the new settings)")
        elif a.get(section) != b.get(section):
            raise FolderMismatch(f"{path}: {section} is {a.get(section)!r}, but the checkpoint was "
                                 f"written with {b.get(section)!r}: another run's checkpoint "
                                 "or config")
    return written


def check_summary(folder: Path, checkpointed: Config) -> None:
    """summary.json, where there is one, names the checkpoint's seed."""
    path = folder / "summary.json"
    try:
        summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # none yet (the run was interrupted before its first summary)
    if "seed" in summary and summary["seed"] != checkpointed.seed:
        raise FolderMismatch(f"{folder / 'checkpoint.npz'}: written by a run with seed "
                             f"{checkpointed.seed}, but {path} is of seed {summary['seed']}: "
                             "another run's checkpoint was copied in")


def check_metrics(folder: Path, tick: int, every: int, last_row_written: bool,
                  first: int = 0) -> None:
    """metrics.csv holds a row for every recorded tick from ``first`` (the run's first row: 0,
    or the tick a viewer saved its world at) up to the checkpoint's tick."""
    path = folder / "metrics.csv"
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except OSError as err:
        raise FolderMismatch(
            f"{path}: cannot be read ({err}); the run's metrics are gone") from None
    if not rows or not rows[0] or rows[0][0] != "tick":
        raise FolderMismatch(f"{path}: no header row: not this run's metrics")
    ticks = set()
    for row in rows[1:]:
        try:
            ticks.add(int(row[0]))
        except (ValueError, IndexError):
            continue
    expected = {t for t in range(first, tick + 1) if t % every == 0 or t == first}
    if not last_row_written:
        expected.discard(tick)
    missing = sorted(expected - ticks)
    if missing:
        shown = ", ".join(map(str, missing[:5])) + (" …" if len(missing) > 5 else "")
        raise FolderMismatch(f"{path}: {len(missing)} rows before the checkpoint's tick {tick} are "
                             f"missing (ticks {shown}): the file was cut or edited; a resume "
                             "would leave the gap")


def check_lineage(folder: Path, rows: int, genes: int) -> None:
    """lineage.csv and lineage_genomes.f32 hold at least the rows the checkpoint counts."""
    table, genomes = folder / "lineage.csv", folder / "lineage_genomes.f32"
    try:
        with table.open(newline="", encoding="utf-8") as f:
            have = sum(1 for _ in csv.reader(f)) - 1
        size = genomes.stat().st_size
    except OSError as err:
        raise FolderMismatch(f"{folder}: the lineage files cannot be read ({err})") from None
    if have < rows:
        raise FolderMismatch(f"{table}: {have} rows, the checkpoint counts {rows}: rows were lost")
    if size < rows * genes * 4:
        raise FolderMismatch(f"{genomes}: {size} bytes, the checkpoint's {rows} genomes need "
                             f"{rows * genes * 4}: the file was cut short")


def check_run_folder(folder: Path, checkpointed: Config, tick: int, last_row_written: bool = True,
                     first_tick: int = 0) -> Config:
    """The checks every resume makes: config, summary and metrics against the checkpoint.
    Returns config.yaml's config (see :func:`check_config`)."""
    written = check_config(folder, checkpointed)
    check_summary(folder, checkpointed)
    check_metrics(folder, tick, checkpointed.run.record_every, last_row_written, first_tick)
    return written

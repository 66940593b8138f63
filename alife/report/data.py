"""Reading run and sweep folders into plain numpy columns (no pandas, no matplotlib).

A table is a ``dict[str, np.ndarray]``: a column whose every non-empty cell parses as a
number is float64 (empty cells and ``nan`` -> NaN), any other column is a str array.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from alife.world.state import from_lanes

Table = dict[str, np.ndarray]


class ReportError(ValueError):
    """Input a report cannot be made from; the message names the path and what is wrong."""


def read_table(path: str | Path) -> Table:
    """A CSV file as columns (see the module docstring). Raises ReportError if unreadable."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError) as err:
        raise ReportError(f"{path}: cannot read ({err})") from None
    if not rows:
        raise ReportError(f"{path}: empty file (no header)")
    header, body = rows[0], [r for r in rows[1:] if r]
    return {name: _column([r[k] if k < len(r) else "" for r in body])
            for k, name in enumerate(header)}


def _column(cells: list[str]) -> np.ndarray:
    try:
        return np.array([float(c) if c.strip() != "" else np.nan for c in cells], dtype=np.float64)
    except ValueError:
        return np.array(cells, dtype=str)


def read_parquet_table(path: str | Path) -> Table:
    """A Parquet file as columns (needs pyarrow: the ``parquet`` extra)."""
    path = Path(path)
    if importlib.util.find_spec("pyarrow") is None:
        raise ReportError(f"{path}: reading Parquet needs pyarrow: pip install -e \".[parquet]\"")
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    out: Table = {}
    for name in table.column_names:
        values = table.column(name).to_pylist()
        out[name] = _column(["" if v is None
                             else (json.dumps(v) if isinstance(v, (list, dict)) else str(v))
                             for v in values])
    return out


def numeric(table: Table, name: str) -> np.ndarray | None:
    """The column as float64, or None if it is missing or not numeric."""
    col = table.get(name)
    return col if col is not None and col.dtype.kind == "f" else None


@dataclass
class RunData:
    """What a report needs from one run folder. ``metrics`` from metrics.csv (always);
    ``generations`` (generations.csv) and ``lineage`` (lineage.csv) for evolution runs, else
    None; ``snapshot``: living agents' age, birth tick, surprise, slow error average and the
    tick, from checkpoint.npz (None without one)."""
    folder: Path
    summary: dict[str, Any]
    config: dict[str, Any]
    metrics: Table
    generations: Table | None = None
    lineage: Table | None = None
    snapshot: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """'run', 'generational' or 'open_ended'."""
        return self.summary.get("mode") or ("generational" if self.generations is not None
                                            else "run")

    @property
    def is_evolution(self) -> bool:
        return self.generations is not None


def is_sweep_folder(folder: str | Path) -> bool:
    return (Path(folder) / "results.csv").is_file()


def load_run(folder: str | Path) -> RunData:
    """Read a run folder (``alife run`` / ``alife evolve``). Raises ReportError naming the path
    when it is missing or is not a run folder."""
    folder = Path(folder)
    if not folder.exists():
        raise ReportError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise ReportError(f"{folder}: not a folder")
    if not (folder / "metrics.csv").is_file():
        raise ReportError(f"{folder}: not a run folder (no metrics.csv) "
                          "nor a sweep folder (no results.csv)")
    metrics = read_table(folder / "metrics.csv")
    if "tick" not in metrics or numeric(metrics, "tick") is None:
        raise ReportError(f"{folder / 'metrics.csv'}: no numeric 'tick' column; "
                          "not an alife metrics file")
    data = RunData(folder=folder, summary=read_json(folder / "summary.json"),
                   config=read_yaml(folder / "config.yaml"), metrics=metrics)
    if (folder / "generations.csv").is_file():
        data.generations = read_table(folder / "generations.csv")
    if (folder / "lineage.csv").is_file():
        data.lineage = read_table(folder / "lineage.csv")
    if metrics["tick"].size == 0:
        data.notes.append("metrics.csv has no rows yet: the time plots are empty")
    data.snapshot = _snapshot(folder / "checkpoint.npz", data.notes)
    return data


def read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ReportError(f"{path}: not valid JSON ({err})") from None
    return value if isinstance(value, dict) else {}


def read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    import yaml

    try:
        value = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ReportError(f"{path}: not valid YAML ({err})") from None
    return value if isinstance(value, dict) else {}


def _snapshot(path: Path, notes: list[str]) -> dict[str, Any] | None:
    """The living agents at the checkpoint: tick, age, birth_tick, surprise, err_slow (their
    running mean of prediction error, the surprise drive's running mean), learned (has
    learned at least once). Read straight from the npz (no checksum, no state rebuild)."""
    if not path.is_file():
        return None
    names = ("agents.alive", "agents.age", "agents.birth_tick", "agents.surprise",
             "agents.drive_mean", "agents.experience", "counters")
    try:
        with np.load(path, allow_pickle=False) as z:
            if any(n not in z.files for n in names):
                notes.append(f"{path.name}: lacks per-agent surprise arrays; "
                             "no surprise-by-age plot")
                return None
            a = {n: z[n] for n in names}
    except (OSError, ValueError, EOFError) as err:
        notes.append(f"{path.name}: unreadable ({err}); no surprise-by-age plot")
        return None
    alive = a["agents.alive"].astype(bool)
    mean = a["agents.drive_mean"]  # (n, D) slot by slot; checkpoints before version 3 kept lanes
    if mean.ndim == 3:
        mean = from_lanes(mean)
    learned = a["agents.experience"][alive] > 0
    return {
        "tick": int(a["counters"][0]),
        "age": a["agents.age"][alive].astype(np.int64),
        "birth_tick": a["agents.birth_tick"][alive].astype(np.int64),
        "surprise": a["agents.surprise"][alive].astype(np.float64),
        "err_slow": np.where(learned, mean[alive, 0].astype(np.float64), np.nan),
        "learned": learned,
    }


@dataclass
class SweepData:
    """A sweep folder: ``results`` (results.csv), the swept parameter names, and the long
    per-tick table (metrics.parquet or metrics.csv; None if absent or unreadable)."""
    folder: Path
    results: Table
    params: list[str]
    long: Table | None
    notes: list[str] = field(default_factory=list)


#: results.csv columns that are neither parameters nor metrics
ID_COLUMNS = ("run_id", "seed", "repetition", "status", "error", "attempt")
TIMING_COLUMNS = ("wall_seconds", "sim_seconds", "compile_seconds", "agent_steps_per_second")


def load_sweep(folder: str | Path) -> SweepData:
    """Read a sweep folder. The swept parameters are the results.csv columns between
    ``repetition`` and ``status`` (the sweep's own layout)."""
    folder = Path(folder)
    path = folder / "results.csv"
    results = read_table(path)
    for need in ("run_id", "status"):
        if need not in results:
            raise ReportError(f"{path}: no '{need}' column; not an alife sweep results table")
    names = list(results)
    start = names.index("repetition") + 1 if "repetition" in names else names.index("run_id") + 1
    if "seed" in names and names.index("seed") >= start:
        start = names.index("seed") + 1
    params = names[start:names.index("status")]
    notes: list[str] = []
    long = None
    if (folder / "metrics.parquet").is_file():
        try:
            long = read_parquet_table(folder / "metrics.parquet")
        except ReportError as err:
            notes.append(str(err))
    if long is None and (folder / "metrics.csv").is_file():
        long = read_table(folder / "metrics.csv")
    if long is None and not notes:
        notes.append("no long metrics table (metrics.parquet / metrics.csv): no time-series plots")
    return SweepData(folder=folder, results=results, params=params, long=long, notes=notes)

"""A sweep's tables, made from its run folders alone (so a re-run rebuilds them in full).

``results.csv``: one row per planned run, in sweep order. Columns: ``run_id``, ``seed``,
``repetition``, every swept parameter (dotted key; a list value as JSON text), ``status``
(completed / extinct / interrupted / failed / pending), ``error``, ``attempt``,
``wall_seconds`` (the whole run in its worker: loading, compiling, simulating, writing), the
run's ``summary.json`` fields (its own ``wall_seconds`` renamed ``sim_seconds``; a nested
record such as an evolution's ``last_generation`` as ``last_generation_<field>``), and
``final_<metric>`` for every column of the last row of its ``metrics.csv``.

``metrics.parquet`` (when pyarrow is installed; else ``metrics.csv``): the long table, every
row of every run's metrics.csv with ``run_id``, ``seed``, ``repetition`` and the swept
parameters in front. Runs that failed or never ran have no rows. Columns that exist only for
some runs (e.g. affect columns when ``affect.dims`` is swept) are empty for the others.
``generations.parquet`` (or ``.csv``), for sweeps of ``evolve``: the same for every run's
generations.csv, one row per generation.

Each table replaces its earlier version only once written whole (a reader never finds it
missing or cut). A run file that cannot be read raises :class:`DamagedRun`, naming it.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from alife.batch.spec import Sweep, SweepError
from alife.batch.worker import read_record

RESULTS = "results.csv"
LONG_PARQUET = "metrics.parquet"
LONG_CSV = "metrics.csv"
RUNS = "runs"

#: results.csv columns that measure time, so differ between otherwise identical runs
TIMING_COLUMNS = ("wall_seconds", "sim_seconds", "compile_seconds", "agent_steps_per_second")
#: statuses whose metrics go into the long table
WITH_METRICS = ("completed", "extinct", "interrupted")


def run_folder(out: Path, run_id: str) -> Path:
    return Path(out) / RUNS / run_id


def read_summary(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_status(folder: Path) -> str:
    """The run's status from its folder: the worker's record, else the summary, else pending."""
    return read_record(folder).get("status") or read_summary(folder).get("status") or "pending"


def results_rows(sweep: Sweep, out: Path) -> list[dict[str, Any]]:
    """One dict per planned run (see the module docstring)."""
    rows = []
    for planned in sweep.runs:
        folder = run_folder(out, planned.run_id)
        record, summary = read_record(folder), read_summary(folder)
        row: dict[str, Any] = {"run_id": planned.run_id, "seed": planned.seed,
                               "repetition": planned.repetition}
        row.update({name: cell(planned.params.get(name, "")) for name in sweep.param_names})
        status = record.get("status") or summary.get("status") or "pending"
        row.update(status=status, error=record.get("error", ""), attempt=record.get("attempt", 0),
                   wall_seconds=record.get("wall_seconds", ""))
        if status != "failed":
            for key, value in summary.items():
                if key in ("status", "seed"):
                    continue
                if isinstance(value, dict):  # e.g. an evolution's first/last generation
                    row.update({f"{key}_{k}": v for k, v in value.items()})
                else:
                    row["sim_seconds" if key == "wall_seconds" else key] = value
            last = _last_row(folder / "metrics.csv")
            row.update({f"final_{k}": v for k, v in last.items() if k != "tick"})
        rows.append(row)
    return rows


def write_results(sweep: Sweep, out: Path) -> Path:
    """Write ``results.csv``; returns its path."""
    rows = results_rows(sweep, out)
    path = Path(out) / RESULTS
    _write_csv(path, _columns(r.keys() for r in rows), rows)
    return path


def write_long(sweep: Sweep, out: Path, parquet: bool | None = None,
               table: str = "metrics") -> Path | None:
    """Write the long table of every run's ``<table>.csv`` (``metrics``: per tick;
    ``generations``: per generation, evolve sweeps) as ``<table>.parquet`` if ``parquet``
    (default: when pyarrow is installed), else ``<table>.csv``. Returns its path (None when no
    run has that file yet)."""
    out = Path(out)
    if parquet is None:
        parquet = importlib.util.find_spec("pyarrow") is not None
    parts = []
    for planned in sweep.runs:
        folder = run_folder(out, planned.run_id)
        if run_status(folder) in WITH_METRICS and (folder / f"{table}.csv").is_file():
            front = {"run_id": planned.run_id, "seed": planned.seed,
                     "repetition": planned.repetition}
            front.update({name: cell(planned.params.get(name)) for name in sweep.param_names})
            parts.append((front, folder / f"{table}.csv"))
    wanted, other = (out / f"{table}.parquet", out / f"{table}.csv")[::1 if parquet else -1]
    if not parts:
        wanted.unlink(missing_ok=True)
        other.unlink(missing_ok=True)
        return None
    # the earlier table stays in place until the new one replaces it (a report made meanwhile
    # reads it whole; a failure leaves it)
    written = _long_parquet(parts, wanted) if parquet else _long_csv(parts, wanted)
    other.unlink(missing_ok=True)
    return written


def cell(value: Any) -> Any:
    """A parameter value as a table cell: scalars as they are, lists and mappings as JSON."""
    return json.dumps(value) if isinstance(value, (list, dict)) else value


def _long_csv(parts, path: Path) -> Path:
    headers = []
    for _, metrics in parts:
        with _reading(metrics), metrics.open(newline="", encoding="utf-8") as f:
            headers.append(next(csv.reader(f), []))
    columns = _columns([list(parts[0][0])] + headers)
    tmp = path.with_name(path.name + ".tmp")
    with _replacing(tmp, path), tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        for front, metrics in parts:
            for row in _rows(metrics):
                writer.writerow({**front, **row})
    return path


def _rows(path: Path):
    """The rows of a run's table (a read error names the file; a write error of the caller
    is not mistaken for one)."""
    with _reading(path), path.open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def _long_parquet(parts, path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    tables = []
    for front, metrics in parts:
        with _reading(metrics):
            table = pacsv.read_csv(metrics)
        n = table.num_rows
        for i, (name, value) in enumerate(front.items()):
            table = table.add_column(i, name, pa.array([value] * n))
        tables.append(table)
    combined = pa.concat_tables(tables, promote_options="permissive")
    tmp = path.with_name(path.name + ".tmp")
    with _replacing(tmp, path):
        pq.write_table(combined, tmp)
    return path


def _last_row(path: Path) -> dict[str, str]:
    try:
        with _reading(path), path.open(newline="", encoding="utf-8") as f:
            last: dict[str, str] = {}
            for last in csv.DictReader(f):
                pass
            return last
    except FileNotFoundError:
        return {}


class DamagedRun(SweepError):
    """A finished run's file cannot be read: the tables are not rewritten (the earlier ones
    stay) until it is fixed or the run folder is deleted (then the run runs again)."""


@contextlib.contextmanager
def _reading(path: Path):
    """Name the file, and what to do, when a run's table cannot be read."""
    try:
        yield
    except FileNotFoundError:
        raise
    except (OSError, ValueError, csv.Error) as err:  # incl. decoding and pyarrow's errors
        raise DamagedRun(
            f"{path}: cannot be read ({type(err).__name__}: {err}); the run's files are damaged. "
            f"Delete its folder {path.parent} and run the same command again to run it again; "
            "results.csv and the long table were left as they were") from None


@contextlib.contextmanager
def _replacing(tmp: Path, path: Path):
    """Write ``tmp`` in the block, then move it over ``path``; on failure remove ``tmp``
    (``path`` is left as it was) and raise an OSError that names ``path``."""
    try:
        yield
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise OSError(err.errno, err.strerror or str(err), str(path)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _columns(key_lists: Iterable[Iterable[str]]) -> list[str]:
    columns: dict[str, None] = {}
    for keys in key_lists:
        columns.update(dict.fromkeys(keys))
    return list(columns)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with _replacing(tmp, path), tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)

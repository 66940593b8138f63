"""Write metrics rows as they come: a CSV file flushed after every row, so an interrupted or
extinct run still leaves a complete, readable file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class CsvWriter:
    """Write rows (dicts with the given columns) to ``path``, a new file with a header or, with
    ``append``, after the rows already there; use as a context manager."""

    def __init__(self, path: Path, columns: Sequence[str], append: bool = False):
        self.path = Path(path)
        self.columns = list(columns)
        self._file = self.path.open("a" if append else "w", newline="", encoding="utf-8")
        self._writer = csv.DictWriter(self._file, fieldnames=self.columns)
        if not append:
            self._writer.writeheader()
        self._file.flush()

    def write(self, row: dict[str, Any]) -> None:
        self._writer.writerow({k: _fmt(row[k]) for k in self.columns})
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "CsvWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def read_lines(path: Path) -> list[str]:
    """The lines of a text file exactly as written (line endings kept, none translated)."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        return f.read().splitlines(keepends=True)


def replace_lines(path: Path, lines: Sequence[str]) -> None:
    """Rewrite a text file with ``lines`` (as from :func:`read_lines`), atomically."""
    tmp = Path(path).with_name(Path(path).name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        f.write("".join(lines))
    tmp.replace(path)


def keep_rows(path: Path, n_rows: int) -> None:
    """Keep the header and the first ``n_rows`` complete rows of a CSV file (a resume rewrites
    what came after its checkpoint); refuses a file that holds fewer."""
    lines = read_lines(path)
    kept = [line for line in lines[: n_rows + 1] if line.endswith("\n")]
    if len(kept) < n_rows + 1:
        raise ValueError(f"{path}: holds {len(kept) - 1} rows, the checkpoint expects {n_rows}")
    replace_lines(path, kept)


def keep_rows_up_to_tick(path: Path, tick: int, every: int, keep_last: bool) -> None:
    """Rewind a metrics file (first column ``tick``) to a checkpoint at ``tick``: keep the rows
    before ``tick`` that lie on the recording grid (every ``every`` ticks), and the row at
    ``tick`` if ``keep_last``; drop later rows, an interruption's off-grid row, and a row cut
    short by a kill."""
    lines = read_lines(path)
    width = lines[0].count(",")

    def keep(line: str) -> bool:
        if not line.endswith("\n") or line.count(",") != width:
            return False
        row_tick = int(line.split(",", 1)[0])
        if row_tick == tick:
            return keep_last
        return row_tick < tick and row_tick % every == 0

    replace_lines(path, lines[:1] + [line for line in lines[1:] if keep(line)])

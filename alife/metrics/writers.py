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

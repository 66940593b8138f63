"""Reading a finished sweep for an analysis: per-run parameters, summaries and metrics."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from alife.batch.results import run_folder


@dataclass
class Run:
    """One run of the sweep: its parameters (dotted key → value), seed, status, summary and
    folder."""

    params: dict[str, Any]
    seed: int
    status: str
    summary: dict[str, Any]
    folder: Path

    def table(self, name: str) -> dict[str, np.ndarray]:
        """Columns of a CSV file of the run folder as float64 arrays (metrics.csv, generations.csv)."""
        with (self.folder / name).open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        if not rows:
            return {}
        return {k: np.array([_number(r[k]) for r in rows], np.float64) for k in rows[0]}


def runs_of(sweep, out: Path) -> list[Run]:
    """The sweep's runs that finished (completed or extinct), in sweep order."""
    runs = []
    for planned in sweep.runs:
        folder = run_folder(out, planned.run_id)
        try:
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if summary.get("status") in ("completed", "extinct"):
            runs.append(Run(dict(planned.params), planned.seed, summary["status"], summary, folder))
    return runs


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("nan")

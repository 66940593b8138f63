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
        """Columns of a CSV file of the run folder as float64 arrays (metrics.csv,
        generations.csv)."""
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


def compare_conditions(data: dict[str, dict[int, dict[str, float]]], conditions, reference: str,
                       metrics: dict[str, str], fmt) -> tuple[list[dict[str, Any]], list[str]]:
    """A table of conditions on matched seeds: ``data[condition][seed][metric]``. Returns
    rows (per condition: seeds, each metric's mean over seeds with its 95 % t interval, and
    its paired difference to the ``reference`` condition on the seeds both share) and the
    same as Markdown table lines; ``fmt`` formats a MeanCI."""
    from alife.report.stats import mean_ci, paired_difference

    base = data.get(reference, {})
    rows: list[dict[str, Any]] = []
    lines = ["| condition | seeds | " + " | ".join(metrics.values()) + " | "
             + " | ".join(f"Δ {m}" for m in metrics.values()) + " |",
             "| --- | ---: |" + " ---: |" * (2 * len(metrics))]
    for condition in conditions:
        per_seed = data.get(condition)
        if not per_seed:
            continue
        seeds = sorted(per_seed)
        row: dict[str, Any] = {"condition": condition, "seeds": len(seeds)}
        cells, deltas = [], []
        for metric in metrics:
            ci = mean_ci([per_seed[s][metric] for s in seeds])
            row.update({metric: ci.mean, f"{metric}_lo": ci.lo, f"{metric}_hi": ci.hi})
            cells.append(fmt(ci))
            common = [s for s in seeds if s in base]
            if condition != reference and common:
                diff = paired_difference([per_seed[s][metric] for s in common],
                                         [base[s][metric] for s in common])
                row.update({f"delta_{metric}": diff.mean, f"delta_{metric}_lo": diff.lo,
                            f"delta_{metric}_hi": diff.hi})
                deltas.append(fmt(diff))
            else:
                deltas.append("–")
        rows.append(row)
        lines.append(f"| {condition} | {len(seeds)} | " + " | ".join(cells) + " | "
                     + " | ".join(deltas) + " |")
    return rows, lines


def draw_bars(figure, rows: list[dict[str, Any]], metrics: dict[str, str], title: str,
              label: str = "condition") -> None:
    """One panel per metric: each row's mean as a bar with its 95 % interval."""
    axes = np.atleast_1d(figure.subplots(1, len(metrics)))
    figure.suptitle(title)
    x = np.arange(len(rows))
    for ax, (metric, name) in zip(axes, metrics.items()):
        mean = np.array([r[metric] for r in rows])
        err = np.array([[r[metric] - r[f"{metric}_lo"] for r in rows],
                        [r[f"{metric}_hi"] - r[metric] for r in rows]])
        ax.bar(x, mean, 0.6, yerr=np.nan_to_num(err), capsize=4)
        ax.set_xticks(x, [r[label] for r in rows], rotation=20, fontsize=8)
        ax.set_title(name, fontsize=9)


def paired_comparisons(data: dict[str, dict[int, dict[str, float]]],
                       comparisons: list[tuple[str, str]], metrics: dict[str, str], fmt
                       ) -> tuple[list[dict[str, Any]], list[str]]:
    """Paired differences a − b on the seeds both conditions share, per metric: rows (one
    per comparison: mean and 95 % interval of each metric's difference) and Markdown lines."""
    from alife.report.stats import paired_difference

    rows: list[dict[str, Any]] = []
    lines = ["| comparison | seeds | " + " | ".join(metrics.values()) + " |",
             "| --- | ---: |" + " ---: |" * len(metrics)]
    for a, b in comparisons:
        if a not in data or b not in data:
            continue
        seeds = sorted(set(data[a]) & set(data[b]))
        row: dict[str, Any] = {"comparison": f"{a} − {b}", "seeds": len(seeds)}
        cells = []
        for metric in metrics:
            diff = paired_difference([data[a][s][metric] for s in seeds],
                                     [data[b][s][metric] for s in seeds])
            row.update({metric: diff.mean, f"{metric}_lo": diff.lo, f"{metric}_hi": diff.hi})
            cells.append(fmt(diff))
        rows.append(row)
        lines.append(f"| {a} − {b} | {len(seeds)} | " + " | ".join(cells) + " |")
    return rows, lines


def summary_row(label: str, per_seed: dict[int, dict[str, float]], metrics, fmt
                ) -> tuple[dict[str, Any], str]:
    """One condition's means over seeds with 95 % t intervals: a row (``seeds`` and, per
    metric, its mean, ``_lo`` and ``_hi``) and its Markdown table line."""
    from alife.report.stats import mean_ci

    row: dict[str, Any] = {"seeds": len(per_seed)}
    cells = []
    for metric in metrics:
        ci = mean_ci([v[metric] for v in per_seed.values()])
        row.update({metric: ci.mean, f"{metric}_lo": ci.lo, f"{metric}_hi": ci.hi})
        cells.append(fmt(ci))
    return row, f"| {label} | {len(per_seed)} | " + " | ".join(cells) + " |"


def draw_generation_curves(ax, curves: dict[str, list[np.ndarray]], title: str) -> None:
    """One line per condition with its 95 % band over seeds: ``curves[condition]`` holds one
    float64 (G,) curve per seed, over generations 0..G-1."""
    from alife.report.stats import mean_ci_columns

    for condition, series in sorted(curves.items()):
        mean, lo, hi, _ = mean_ci_columns(np.array(series))
        g = np.arange(len(mean))
        ax.plot(g, mean, label=condition)
        ax.fill_between(g, lo, hi, alpha=0.25)
    ax.set_xlabel("generation")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)

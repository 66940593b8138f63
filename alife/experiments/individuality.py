"""Individuality: clones (one genome) in one world; does affect with memory make their
behaviour drift apart, and make the differences between them repeatable?

Per run, from the traces of all clones (alife.report.personality, windows of WINDOW ticks):
- divergence in window w: the standard deviation among the clones of each trait, divided by
  that trait's standard deviation over every window of every run of the experiment (one
  scale for all conditions), averaged over the traits that vary; its first and last window
  and the change between them;
- repeatability: each trait's ICC over the run's windows, and their mean.
Per condition (full mind, memory off, affect off): means over seeds with 95 % t intervals,
and paired differences to the full mind on matched seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from alife.experiments.common import compare_conditions, runs_of
from alife.experiments.runner import Findings, fmt_ci
from alife.metrics.traces import read_traces
from alife.report.personality import TRAITS, TraitWindows, icc, trait_windows
from alife.report.stats import mean_ci_columns

WINDOW = 100
CONDITIONS = ("affect + memory", "memory off", "affect off")
METRICS = {"divergence_first": "divergence, first window",
           "divergence_last": "divergence, last window",
           "divergence_change": "divergence, change", "icc_mean": "repeatability (mean ICC)",
           **{f"icc_{t}": f"ICC {t}" for t in TRAITS}}


def condition_of(params: dict) -> str:
    if not params.get("affect.enabled", True):
        return "affect off"
    return "memory off" if params.get("affect.memory_size", 8) == 0 else "affect + memory"


def analyse(sweep, out: Path) -> Findings:
    runs = runs_of(sweep, out)
    windows = {run.folder: trait_windows(read_traces(run.folder), WINDOW) for run in runs}
    pooled = (np.concatenate([tw.values for tw in windows.values()]) if windows
              else np.zeros((0, len(TRAITS))))
    scale = np.nanstd(pooled, axis=0) if len(pooled) else np.ones(len(TRAITS))
    varying = np.flatnonzero(scale > 0)
    data: dict[str, dict[int, dict[str, float]]] = {}
    curves: dict[str, list[np.ndarray]] = {}
    for run in runs:
        curve = _divergence(windows[run.folder], scale, varying)
        curves.setdefault(condition_of(run.params), []).append(curve)
        data.setdefault(condition_of(run.params), {})[run.seed] = (
            _measures(windows[run.folder], curve))
    main = {k: METRICS[k]
            for k in ("divergence_first", "divergence_last", "divergence_change", "icc_mean")}
    traits = {k: v for k, v in METRICS.items() if k not in main}
    rows, table = compare_conditions(data, CONDITIONS, "affect + memory", main, fmt_ci)
    trait_rows, trait_table = compare_conditions(data, CONDITIONS, "affect + memory", traits,
                                                 fmt_ci)
    for row, more in zip(rows, trait_rows):
        row.update(more)
    lines = ["# Individuality: do clones become individuals?", "",
             f"{len(runs)} runs, {sweep.runs[0].config.agents.initial_count} clones each, "
             f"traced for {sweep.runs[0].config.run.steps} ticks; windows of {WINDOW} ticks. "
             "Divergence = SD among clones per trait in units of its SD over the whole "
             "experiment, mean over the traits that vary; ICC = share of a trait's variance "
             "between individuals. Means over seeds with 95 % t intervals; Δ = paired "
             "difference to affect + memory.", "", *table, "", "Repeatability of each trait:",
             "", *trait_table, ""]
    return Findings(rows, "\n".join(lines), {"individuality": lambda fig: _draw(fig, curves)})


def _divergence(tw: TraitWindows, scale: np.ndarray, varying: np.ndarray) -> np.ndarray:
    """Divergence per window index 0..W-1 of a run, float64 (W,)."""
    last = int(tw.window.max()) + 1 if len(tw.window) else 0
    curve = np.full(last, np.nan)
    for w in range(last):
        rows = tw.window == w
        if rows.sum() >= 2:
            curve[w] = np.nanmean(np.nanstd(tw.values[rows][:, varying], axis=0) / scale[varying])
    return curve


def _measures(tw: TraitWindows, curve: np.ndarray) -> dict[str, float]:
    defined = curve[np.isfinite(curve)]
    out = {"divergence_first": float(defined[0]) if len(defined) else np.nan,
           "divergence_last": float(defined[-1]) if len(defined) else np.nan}
    out["divergence_change"] = out["divergence_last"] - out["divergence_first"]
    for k, name in enumerate(TRAITS):
        out[f"icc_{name}"] = icc(tw.values[:, k], tw.ids)
    out["icc_mean"] = float(np.nanmean([out[f"icc_{t}"] for t in TRAITS]))
    return out


def _draw(figure, curves: dict[str, list[np.ndarray]]) -> None:
    ax = figure.subplots(1, 1)
    for condition in CONDITIONS:
        series = curves.get(condition)
        if not series:
            continue
        n = min(len(s) for s in series)
        mean, lo, hi, _ = mean_ci_columns(np.array([s[:n] for s in series]))
        w = (np.arange(n) + 0.5) * WINDOW
        ax.plot(w, mean, label=condition)
        ax.fill_between(w, lo, hi, alpha=0.25)
    ax.set_xlabel("tick")
    ax.set_ylabel("divergence among clones")
    ax.set_title("Individuality: mean and 95 % CI over seeds")
    ax.legend(fontsize=8)




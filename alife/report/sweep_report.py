"""The plots of a sweep folder (``results.csv`` + the long per-tick table).

For every swept parameter: each metric against the parameter's values, mean ± 95% t-interval
over the runs (seeds) of each combination, one line per combination of the other parameters
(pooled over them when there are too many); and population and surprise over time per value.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from alife.report import stats
from alife.report.data import SweepData, Table, numeric
from alife.report.plotting import Figure, band, require_matplotlib, save

DEFAULT_METRICS = ("final_population", "peak_population", "births", "deaths", "food_eaten",
                   "final_mean_energy", "final_mean_surprise", "final_mean_progress",
                   "final_mean_reward", "final_explored_fraction")
TIME_METRICS = ("population", "mean_surprise")
USABLE = ("completed", "extinct")
MAX_LINES = 6


def usable_rows(results: Table) -> np.ndarray:
    """Boolean mask of the runs whose numbers count (completed or extinct)."""
    return np.isin(results["status"], USABLE)


def metric_names(sweep: SweepData, wanted: list[str] | None = None) -> list[str]:
    """The metrics to plot: ``wanted`` (each must be a numeric results.csv column), else the
    default ones present with at least one value."""
    if wanted:
        bad = [m for m in wanted if numeric(sweep.results, m) is None]
        if bad:
            from alife.report.data import ReportError

            raise ReportError(f"{sweep.folder / 'results.csv'}: no numeric column {', '.join(bad)}")
        return list(wanted)
    return [m for m in DEFAULT_METRICS
            if numeric(sweep.results, m) is not None and np.any(~np.isnan(sweep.results[m]))]


def values_of(column: np.ndarray) -> list:
    """The distinct values of a parameter column, sorted (numbers by value)."""
    if column.dtype.kind == "f":
        return sorted(float(v) for v in np.unique(column[~np.isnan(column)]))
    return sorted(set(column.tolist()))


def group_stats(results: Table, param: str, metric: str,
                mask: np.ndarray) -> list[tuple[object, stats.MeanCI]]:
    """(value, mean ± CI of ``metric`` over the rows in ``mask`` with that value) per value of
    ``param``."""
    col = results[param]
    return [(v, stats.mean_ci(results[metric][mask & (col == v)])) for v in values_of(col[mask])]


def other_combinations(results: Table, params: list[str], param: str,
                       mask: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(label, mask) for each combination of the other swept parameters; a single pooled
    group when there is none or more than MAX_LINES."""
    others = [p for p in params if p != param]
    if not others:
        return [("", mask)]
    keys = [tuple(_fmt(results[p][i]) for p in others) for i in range(mask.size)]
    combos = sorted({k for k, m in zip(keys, mask) if m})
    if len(combos) > MAX_LINES:
        return [(f"pooled over {len(combos)} combinations of the other parameters", mask)]
    return [(", ".join(f"{p}={v}" for p, v in zip(others, combo)),
             mask & np.array([k == combo for k in keys])) for combo in combos]


def _fmt(v) -> str:
    if isinstance(v, float | np.floating):
        return f"{float(v):g}"
    return str(v)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def sweep_figures(sweep: SweepData, out: Path,
                  metrics: list[str] | None = None) -> tuple[list[Figure], list[str], list[dict]]:
    """Write the sweep's plots into ``out``: (figures, notes, table rows for the page)."""
    notes = list(sweep.notes)
    res = sweep.results
    ok = usable_rows(res)
    if (~ok).any():
        counts = {s: int((res["status"] == s).sum())
                  for s in sorted(set(res["status"][~ok].tolist()))}
        notes.append("left out (not completed or extinct): "
                     + ", ".join(f"{n} {s}" for s, n in counts.items()))
    if not ok.any():
        notes.append("no completed runs: nothing to plot")
        return [], notes, []
    names = metric_names(sweep, metrics)
    if not sweep.params:
        notes.append("results.csv has no swept parameter columns: only the table is made")
    figures = []
    for param in sweep.params:
        figures.append(_metric_figure(sweep, param, names, ok, out))
        if sweep.long is not None:
            fig = _time_figure(sweep, param, out, notes)
            if fig is not None:
                figures.append(fig)
    return figures, notes, _table(sweep, names, ok)


def _metric_figure(sweep: SweepData, param: str, names: list[str], ok: np.ndarray,
                   out: Path) -> Figure:
    plt = require_matplotlib()
    res = sweep.results
    cols = min(3, max(1, len(names)))
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    numeric_x = res[param].dtype.kind == "f"
    allv = values_of(res[param][ok])
    lines = other_combinations(res, sweep.params, param, ok)
    span = (max(allv) - min(allv)) if numeric_x and len(allv) > 1 else 1.0
    for ax, metric in zip(axes.ravel(), names):
        for i, (label, mask) in enumerate(lines):
            groups = group_stats(res, param, metric, mask)
            x = np.array([v if numeric_x else allv.index(v) for v, _ in groups], np.float64)
            x = x + (i - (len(lines) - 1) / 2) * 0.015 * (span if numeric_x else 1.0) * 4  # dodge
            m = np.array([c.mean for _, c in groups])
            lo = np.array([c.lo for _, c in groups])
            hi = np.array([c.hi for _, c in groups])
            ax.errorbar(x, m, yerr=[np.nan_to_num(m - lo), np.nan_to_num(hi - m)], marker="o", ms=4,
                        capsize=3, label=label or None)
        ax.set_title(metric.replace("_", " "))
        if not numeric_x:
            ax.set_xticks(range(len(allv)), [str(v) for v in allv])
        elif len(allv) > 2 and min(allv) > 0 and max(allv) / min(allv) >= 20:
            ax.set_xscale("log")
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(param)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if labels:
        fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)),
                   bbox_to_anchor=(0.5, -0.02 - 0.03 * (len(labels) // 3)))
    n_seeds = ([int(c.n) for _, mask in lines for _, c in group_stats(res, param, names[0], mask)]
               if names else [])
    fig.suptitle(f"Metrics against {param}: mean ± 95% CI over seeds", y=1.0)
    fig.tight_layout()
    seeds = (f"{min(n_seeds)}–{max(n_seeds)}" if n_seeds and min(n_seeds) != max(n_seeds)
             else str(n_seeds[0]) if n_seeds else "0")
    cap = (f"Each point: the mean over the runs (seeds) of one setting, with a 95% t-interval "
           f"({seeds} runs per point; no bar where a point has one run). ")
    if len(lines) > 1:
        cap += ("One line per combination of the other swept parameters "
                "(points nudged sideways to stay apart). ")
    elif lines and lines[0][0]:
        cap += "Runs of all other settings pooled per value. "
    cap += "Metrics: final_* = the last metrics row of each run; the rest from summary.json."
    return save(fig, out / f"sweep_{_slug(param)}.png", f"Metrics against {param}", cap)


def _time_figure(sweep: SweepData, param: str, out: Path, notes: list[str]) -> Figure | None:
    long = sweep.long
    present = [m for m in TIME_METRICS if numeric(long, m) is not None]
    if param not in long or "tick" not in long or not present or "run_id" not in long:
        notes.append(f"the long metrics table lacks {param}, tick or {'/'.join(TIME_METRICS)}: "
                     f"no time plot for {param}")
        return None
    plt = require_matplotlib()
    ok_runs = set(sweep.results["run_id"][usable_rows(sweep.results)].tolist())
    keep = np.isin(long["run_id"], list(ok_runs))
    fig, axes = plt.subplots(1, len(present), figsize=(6 * len(present), 3.8), squeeze=False)
    col = long[param]
    vals = values_of(col[keep])
    for ax, metric in zip(axes[0], present):
        for v in vals:
            sel = keep & (col == v)
            runs = sorted(set(long["run_id"][sel].tolist()))
            ticks = np.unique(long["tick"][sel])
            grid = np.full((len(runs), ticks.size), np.nan)
            for r, run in enumerate(runs):
                rs = sel & (long["run_id"] == run)
                grid[r, np.searchsorted(ticks, long["tick"][rs])] = long[metric][rs]
            mean, lo, hi, _ = stats.mean_ci_columns(grid)
            band(ax, ticks, mean, lo, hi, label=f"{param}={_fmt(v)} ({len(runs)} runs)")
        ax.set_xlabel("tick")
        ax.set_ylabel(metric.replace("_", " "))
        ax.set_title(f"{metric.replace('_', ' ')} over time")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return save(fig, out / f"sweep_{_slug(param)}_time.png", f"Over time, by {param}",
                f"Mean over the runs with each value of {param} (all other settings pooled) at "
                "each recorded tick, shaded: 95% t-interval over those runs.")


def _table(sweep: SweepData, names: list[str], ok: np.ndarray) -> list[dict]:
    """One row per combination of the swept parameters: n runs and mean ± CI of each metric."""
    res, params = sweep.results, sweep.params
    keys = [tuple(_fmt(res[p][i]) for p in params) for i in range(ok.size)]
    rows = []
    for combo in sorted({k for k, m in zip(keys, ok) if m}):
        mask = ok & np.array([k == combo for k in keys])
        row: dict = dict(zip(params, combo))
        row["runs"] = int(mask.sum())
        for m in names:
            c = stats.mean_ci(res[m][mask])
            row[m] = (f"{c.mean:.4g} ± {c.half_width:.2g}" if c.n >= 2 else
                      f"{c.mean:.4g}" if c.n == 1 else "–")
        rows.append(row)
    return rows

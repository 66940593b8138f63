"""Personality: behavioural traits of traced agents in windows of time, and their
repeatability, as animal-personality research measures it (Bell, Hankison & Laskowski 2009;
Dingemanse et al. 2010).

From a run's traces (alife.metrics.traces), per agent and window of ``window`` ticks
(windows [w·W, (w+1)·W) of the run's clock, counted only where the agent was alive for the
whole window):
    activity        share of ticks on which it moved
    exploration     share of its moves into cells it had not stood on before (since its trace began)
    risk            share of ticks on a hazard or on food that is poison now
    sociality       mean crowding drive (how many others it had in view)
    responsiveness  correlation of its surprise on one tick with exploring (choosing other than
                    the best-scored action) on the next

Repeatability of a trait: the intraclass correlation ICC(1) of one-way random-effects ANOVA
(agents as groups, windows as repeated measures; unbalanced groups through the usual n0),
the share of its variance that lies between individuals; 95 % interval by bootstrap over
agents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TRAITS = ("activity", "exploration", "risk", "sociality", "responsiveness")


@dataclass
class TraitWindows:
    """Trait values per agent and window: ``ids`` int64 (m,), ``window`` int64 (m,) (its index
    w, ticks [w·W, (w+1)·W)), ``values`` float64 (m, len(TRAITS)) (NaN where undefined)."""

    ids: np.ndarray
    window: np.ndarray
    values: np.ndarray

    def trait(self, name: str) -> np.ndarray:
        return self.values[:, TRAITS.index(name)]


def trait_windows(trace: dict[str, np.ndarray], window: int) -> TraitWindows:
    """The traits of every traced agent in every whole window it lived (see the module)."""
    alive = trace["alive"] == 1
    t = {k: v[alive] for k, v in trace.items()}
    order = np.lexsort((t["tick"], t["id"]))
    t = {k: v[order] for k, v in t.items()}
    ids_out, windows_out, values_out = [], [], []
    starts = np.flatnonzero(np.r_[True, t["id"][1:] != t["id"][:-1]])
    ends = np.r_[starts[1:], len(t["id"])]
    for start, end in zip(starts, ends):  # per agent (traced agents: tens to hundreds)
        a = {k: v[start:end] for k, v in t.items()}
        ticks = a["tick"]
        moved = np.r_[False, (np.diff(a["x"]) != 0) | (np.diff(a["y"]) != 0)]
        cells = a["y"].astype(np.int64) * 1_000_003 + a["x"]
        _, first_seen = np.unique(cells, return_index=True)
        new_cell = np.zeros(len(cells), bool)
        new_cell[first_seen] = True
        risky = (a["hazard_here"] == 1) | ((a["worth_here"] < 0) & (a["food_here"] > 0))
        explored_next = np.r_[a["explored"][1:].astype(float), np.nan]
        w_of = ticks // window
        for w in np.unique(w_of):
            rows = w_of == w
            if rows.sum() < window:  # only whole windows
                continue
            moves = moved[rows]
            ids_out.append(a["id"][0])
            windows_out.append(w)
            values_out.append([
                moves.mean(),
                new_cell[rows][moves].mean() if moves.any() else np.nan,
                risky[rows].mean(),
                np.mean(a["crowding"][rows]),
                _correlation(a["surprise"][rows], explored_next[rows]),
            ])
    return TraitWindows(np.array(ids_out, np.int64), np.array(windows_out, np.int64),
                        np.array(values_out, np.float64).reshape(-1, len(TRAITS)))


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    if len(a) < 3 or a.std() == 0 or b.std() == 0:
        return np.nan
    return float(np.corrcoef(a, b)[0, 1])


def _group_stats(values: np.ndarray,
                 groups: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group with at least 2 finite measures: count, sum and sum of squares (float64 (k,))."""
    keep = np.isfinite(values)
    values, groups = values[keep], groups[keep]
    _, inverse = np.unique(groups, return_inverse=True)
    n = np.bincount(inverse).astype(np.float64)
    total = np.bincount(inverse, values)
    squares = np.bincount(inverse, values * values)
    several = n >= 2
    return n[several], total[several], squares[several]


def _icc_of_stats(n: np.ndarray, total: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """ICC(1) from groups' counts, sums and sums of squares (..., k): the last axis holds the
    groups; NaN where undefined."""
    k = n.shape[-1]
    count = n.sum(axis=-1)
    grand = total.sum(axis=-1) / count
    means = total / n
    between = np.sum(n * (means - grand[..., None]) ** 2, axis=-1) / (k - 1)
    within = np.sum(squares - total * means, axis=-1) / (count - k)
    n0 = (count - np.sum(n * n, axis=-1) / count) / (k - 1)
    denominator = between + (n0 - 1.0) * within
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, (between - within) / denominator, np.nan)


def icc(values: np.ndarray, groups: np.ndarray) -> float:
    """ICC(1) of ``values`` float (N,) measured repeatedly on ``groups`` (N,); NaN values and
    groups with fewer than 2 measures are left out. NaN if fewer than 2 groups remain."""
    n, total, squares = _group_stats(np.asarray(values, np.float64), np.asarray(groups))
    if len(n) < 2 or n.sum() <= len(n):
        return float("nan")
    return float(_icc_of_stats(n, total, squares))


@dataclass
class Repeatability:
    icc: float
    lo: float
    hi: float
    agents: int
    windows: int


def repeatability(values: np.ndarray, groups: np.ndarray, boot: int = 1000,
                  seed: int = 0) -> Repeatability:
    """ICC(1) with a 95 % percentile interval from ``boot`` resamples of the groups (with
    replacement), seeded; ``agents`` and ``windows`` count the groups and measures used."""
    n, total, squares = _group_stats(np.asarray(values, np.float64), np.asarray(groups))
    k = len(n)
    if k < 2:
        return Repeatability(float("nan"), float("nan"), float("nan"), k, int(n.sum()))
    estimate = float(_icc_of_stats(n, total, squares))
    picked = np.random.default_rng(seed).integers(0, k, (boot, k))
    draws = _icc_of_stats(n[picked], total[picked], squares[picked])
    lo, hi = np.nanpercentile(draws, [2.5, 97.5]) if np.isfinite(draws).any() else (np.nan, np.nan)
    return Repeatability(estimate, float(lo), float(hi), k, int(n.sum()))


def personality(trace: dict[str, np.ndarray], window: int, boot: int = 1000,
                seed: int = 0) -> dict[str, Repeatability]:
    """Repeatability of every trait of the traced agents (windows of ``window`` ticks)."""
    tw = trait_windows(trace, window)
    return {name: repeatability(tw.trait(name), tw.ids, boot, seed) for name in TRAITS}

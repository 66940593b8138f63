"""Statistics for reports and experiments: pure numpy (and ``math``), no scipy.

- :func:`t_quantile`: quantiles of Student's t distribution (exact, via the regularised
  incomplete beta function, inverted by bisection).
- :func:`mean_ci`: mean with a t-based confidence interval, e.g. over seeds.
- :func:`paired_difference`: mean difference of matched pairs (same seed, two conditions)
  with a t-based confidence interval.
- :func:`kaplan_meier`: the Kaplan–Meier survival curve with right-censoring and optional
  delayed entry (left truncation), Greenwood variance and log-log confidence band.
- :func:`binned_mean_ci`: mean ± CI of y in bins of x.

NaN values are dropped everywhere (a run that produced no number does not count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# ---------------------------------------------------------------- t distribution

def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` > 0 degrees of freedom."""
    if math.isinf(df):
        return 0.5 * math.erfc(-t / math.sqrt(2.0))
    tail = 0.5 * betainc(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t with ``df`` degrees of freedom (df = inf: the normal)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if df <= 0:
        raise ValueError(f"df must be > 0, got {df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if p == 0.5:
        return 0.0
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        hi *= 2.0
        if hi > 1e12:
            return math.inf
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------- means and differences

@dataclass(frozen=True)
class MeanCI:
    """A mean with its confidence interval: ``lo <= mean <= hi``; ``n`` values used,
    ``sd`` their sample standard deviation (ddof 1). With n < 2 the interval is NaN
    (with n = 0 the mean too)."""
    mean: float
    lo: float
    hi: float
    n: int
    sd: float

    @property
    def half_width(self) -> float:
        return (self.hi - self.lo) / 2.0


def mean_ci(values, level: float = 0.95) -> MeanCI:
    """Mean of ``values`` (any shape, flattened; NaN dropped) with the two-sided t interval
    ``mean ± t_{(1+level)/2, n-1} · sd / sqrt(n)``."""
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return MeanCI(math.nan, math.nan, math.nan, 0, math.nan)
    mean = float(x.mean())
    if n < 2:
        return MeanCI(mean, math.nan, math.nan, 1, math.nan)
    sd = float(x.std(ddof=1))
    half = t_quantile(0.5 + level / 2.0, n - 1) * sd / math.sqrt(n)
    return MeanCI(mean, mean - half, mean + half, n, sd)


def mean_ci_columns(
        matrix, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Column-wise :func:`mean_ci` of ``matrix`` (n, m) (e.g. seeds × ticks): mean, lo, hi
    float64 (m,) and n int64 (m,)."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"matrix must be 2-d (n, m), got shape {m.shape}")
    out = [mean_ci(m[:, j], level) for j in range(m.shape[1])]
    return (np.array([c.mean for c in out]), np.array([c.lo for c in out]),
            np.array([c.hi for c in out]), np.array([c.n for c in out], np.int64))


def paired_difference(a, b, level: float = 0.95, keys_a=None, keys_b=None) -> MeanCI:
    """Mean of ``a - b`` over matched pairs with its t interval (a paired t interval).

    Without keys, ``a`` and ``b`` (n,) are matched by position. With ``keys_a`` / ``keys_b``
    (e.g. seeds) they are matched by key; keys present on one side only are dropped, as are
    pairs with a NaN on either side. Keys must be unique on each side."""
    a = np.asarray(a, dtype=np.float64).ravel()
    b = np.asarray(b, dtype=np.float64).ravel()
    if (keys_a is None) != (keys_b is None):
        raise ValueError("give keys for both sides or for neither")
    if keys_a is not None:
        ka, kb = list(np.asarray(keys_a).ravel()), list(np.asarray(keys_b).ravel())
        if len(ka) != a.size or len(kb) != b.size:
            raise ValueError("each side needs one key per value")
        if len(set(ka)) != len(ka) or len(set(kb)) != len(kb):
            raise ValueError("keys must be unique on each side")
        where_b = {k: i for i, k in enumerate(kb)}
        pairs = [(i, where_b[k]) for i, k in enumerate(ka) if k in where_b]
        a = np.array([a[i] for i, _ in pairs], np.float64)
        b = np.array([b[j] for _, j in pairs], np.float64)
    elif a.size != b.size:
        raise ValueError(f"unmatched lengths {a.size} and {b.size}: give keys to match them")
    return mean_ci(a - b, level)


def binned_mean_ci(
        x, y, edges, level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean of ``y`` in the bins ``[edges[i], edges[i+1])`` of ``x`` (the last bin closed):
    mean, lo, hi float64 (B,) and count int64 (B,) for B = len(edges) - 1."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    edges = np.asarray(edges, dtype=np.float64)
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    inside = (x >= edges[0]) & (x <= edges[-1])
    out = [mean_ci(y[inside & (index == k)], level) for k in range(len(edges) - 1)]
    return (np.array([c.mean for c in out]), np.array([c.lo for c in out]),
            np.array([c.hi for c in out]), np.array([c.n for c in out], np.int64))


# ---------------------------------------------------------------- survival

@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan–Meier curve. At each distinct event time ``time[i]`` (float64 (m,), increasing)
    ``at_risk[i]`` individuals were at risk and ``events[i]`` died; ``survival[i]`` is S just
    after ``time[i]`` (S = 1 before the first event); ``lo``/``hi`` its pointwise log-log
    confidence band (Greenwood variance). ``n`` individuals, ``censored`` of them censored."""
    time: np.ndarray
    survival: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    n: int
    censored: int

    def at(self, t) -> np.ndarray:
        """S(t) for the times ``t`` (right-continuous step function)."""
        t = np.asarray(t, dtype=np.float64)
        k = np.searchsorted(self.time, t, side="right")
        return np.concatenate([[1.0], self.survival])[k]

    def median(self) -> float:
        """The smallest time with S <= 0.5 (NaN if the curve never gets there)."""
        below = np.flatnonzero(self.survival <= 0.5)
        return float(self.time[below[0]]) if below.size else math.nan

    def restricted_mean(self, tau: float) -> float:
        """Restricted mean survival time: the area under S from 0 to ``tau`` (the mean
        lifetime when every life is cut at ``tau``; defined even when most are censored)."""
        t = np.concatenate([[0.0], self.time[self.time < tau], [float(tau)]])
        s = np.concatenate([[1.0], self.survival[self.time < tau]])
        return float(np.sum(np.diff(t) * s))

    def steps(self) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) starting at (0 or the first time, 1), for ``plt.step(x, y, where="post")``."""
        start = min(0.0, float(self.time[0])) if self.time.size else 0.0
        return (np.concatenate([[start], self.time]), np.concatenate([[1.0], self.survival]))


def kaplan_meier(durations, observed, entry=None, level: float = 0.95) -> SurvivalCurve:
    """Kaplan–Meier estimate of the survival function.

    durations: (n,) time of death (``observed`` True) or of censoring (False: still alive
    when observation stopped); entry: (n,) optional delayed entry (left truncation): the time
    from which an individual was watched (e.g. a founder's age when the run started), default 0.
    At each distinct death time t, the risk set is every individual with
    ``entry <= t <= durations`` (censored at t count as at risk at t), and
    ``S(t) = prod_{t_i <= t} (1 - d_i / n_i)``."""
    d = np.asarray(durations, dtype=np.float64).ravel()
    obs = np.asarray(observed, dtype=bool).ravel()
    if obs.size != d.size:
        raise ValueError(f"durations ({d.size}) and observed ({obs.size}) differ in length")
    e = np.zeros_like(d) if entry is None else np.asarray(entry, dtype=np.float64).ravel()
    if e.size != d.size:
        raise ValueError(f"durations ({d.size}) and entry ({e.size}) differ in length")
    keep = ~np.isnan(d) & ~np.isnan(e)
    d, obs, e = d[keep], obs[keep], e[keep]
    if np.any(e > d):
        raise ValueError("an entry time is after its duration")
    times = np.unique(d[obs])
    d_sorted, e_sorted = np.sort(d), np.sort(e)
    # at risk at t: entered by t (e <= t) and not gone before t (d >= t)
    entered = np.searchsorted(e_sorted, times, side="right")
    gone = np.searchsorted(d_sorted, times, side="left")
    at_risk = (entered - gone).astype(np.int64)
    deaths = np.searchsorted(np.sort(d[obs]), times, side="right") - np.searchsorted(
        np.sort(d[obs]), times, side="left")
    deaths = deaths.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1.0 - deaths / at_risk
        survival = np.cumprod(factor)
        green = np.cumsum(np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)),
                                   np.inf))
        # log-log band: exp(-exp(log(-log S) ± z·se)), se = sqrt(green) / |log S|
        z = t_quantile(0.5 + level / 2.0, math.inf)
        log_s = np.log(survival)
        se = np.sqrt(green) / np.abs(log_s)
        lo = np.exp(-np.exp(np.log(-log_s) + z * se))
        hi = np.exp(-np.exp(np.log(-log_s) - z * se))
    ok = (survival > 0) & (survival < 1) & np.isfinite(se)
    lo = np.where(ok, lo, np.where(survival >= 1, 1.0, 0.0))
    hi = np.where(ok, hi, np.where(survival >= 1, 1.0, np.where(survival <= 0, 0.0, 1.0)))
    return SurvivalCurve(time=times, survival=survival, at_risk=at_risk, events=deaths,
                         lo=lo, hi=hi, n=int(d.size), censored=int((~obs).sum()))

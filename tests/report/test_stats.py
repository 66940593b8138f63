"""Statistics helpers on inputs whose answers are known by hand or from tables."""

import math

import numpy as np
import pytest

from alife.report.stats import (
    betainc,
    binned_mean_ci,
    kaplan_meier,
    mean_ci,
    mean_ci_columns,
    paired_difference,
    t_quantile,
)


@pytest.mark.parametrize("df, q", [(1, 12.7062), (2, 4.3027), (4, 2.7764), (5, 2.5706),
                                   (10, 2.2281), (30, 2.0423), (math.inf, 1.95996)])
def test_t_quantile_matches_tables(df, q):
    assert t_quantile(0.975, df) == pytest.approx(q, abs=1e-4)
    assert t_quantile(0.025, df) == pytest.approx(-q, abs=1e-4)


def test_t_quantile_other_levels():
    assert t_quantile(0.95, 9) == pytest.approx(1.8331, abs=1e-4)
    assert t_quantile(0.995, 3) == pytest.approx(5.8409, abs=1e-4)
    assert t_quantile(0.5, 7) == 0.0


def test_betainc_known_values():
    assert betainc(1, 1, 0.3) == pytest.approx(0.3)          # uniform
    assert betainc(2, 1, 0.5) == pytest.approx(0.25)         # x^2
    assert betainc(0.5, 0.5, 0.5) == pytest.approx(0.5)      # symmetric


def test_mean_ci_of_a_known_sample():
    x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]          # mean 5, sd (ddof 1) sqrt(32/7)
    ci = mean_ci(x)
    sd = math.sqrt(32 / 7)
    half = 2.364624 * sd / math.sqrt(8)                  # t_{0.975, 7}
    assert ci.mean == pytest.approx(5.0)
    assert ci.sd == pytest.approx(sd)
    assert (ci.lo, ci.hi) == pytest.approx((5 - half, 5 + half), abs=1e-5)
    assert ci.n == 8


def test_mean_ci_drops_nan_and_handles_tiny_samples():
    assert mean_ci([1.0, np.nan, 3.0]).n == 2
    assert mean_ci([1.0, np.nan, 3.0]).mean == 2.0
    one = mean_ci([4.0])
    assert one.mean == 4.0 and math.isnan(one.lo) and one.n == 1
    none = mean_ci([np.nan])
    assert none.n == 0 and math.isnan(none.mean)


def test_mean_ci_columns_is_columnwise():
    m = np.array([[1.0, 10.0], [3.0, np.nan], [5.0, 30.0]])
    mean, lo, hi, n = mean_ci_columns(m)
    assert mean.tolist() == [3.0, 20.0]
    assert n.tolist() == [3, 2]
    assert lo[0] == pytest.approx(mean_ci([1, 3, 5]).lo)


def test_paired_difference_removes_the_shared_seed_effect():
    seed_effect = np.array([0.0, 10.0, 20.0, 30.0])
    a = seed_effect + np.array([1.1, 0.9, 1.0, 1.0])
    b = seed_effect
    diff = paired_difference(a, b)
    assert diff.mean == pytest.approx(1.0)
    assert diff.lo > 0.5 and diff.hi < 1.5   # paired: tight, excludes 0
    unpaired_sd = math.sqrt(np.var(a, ddof=1) / 4 + np.var(b, ddof=1) / 4)
    assert diff.half_width < unpaired_sd      # far tighter than ignoring the pairing


def test_paired_difference_matches_by_key():
    diff = paired_difference([5.0, 7.0, 9.0], [1.0, 2.0, 3.0], keys_a=[3, 1, 2], keys_b=[1, 2, 4])
    # matched seeds 1 (7-1) and 2 (9-2); seed 3 and 4 have no partner
    assert diff.n == 2
    assert diff.mean == pytest.approx(6.5)
    with pytest.raises(ValueError):
        paired_difference([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        paired_difference([1.0], [1.0], keys_a=[1])


def test_kaplan_meier_hand_computed():
    # deaths at 1, 2, 3, 5; censored at 2 and 4
    km = kaplan_meier([1, 2, 2, 3, 4, 5], [1, 1, 0, 1, 0, 1])
    assert km.time.tolist() == [1, 2, 3, 5]
    assert km.at_risk.tolist() == [6, 5, 3, 1]
    assert km.events.tolist() == [1, 1, 1, 1]
    assert km.survival == pytest.approx([5 / 6, 2 / 3, 4 / 9, 0.0])
    assert km.censored == 2 and km.n == 6
    assert km.at([0, 1, 1.5, 2, 4.9, 5, 9]) == pytest.approx([1, 5 / 6, 5 / 6, 2 / 3, 4 / 9, 0, 0])
    assert km.median() == 3.0
    assert km.restricted_mean(4) == pytest.approx(1 + 5 / 6 + 2 / 3 + 4 / 9)
    assert km.restricted_mean(10) == pytest.approx(1 + 5 / 6 + 2 / 3 + 2 * 4 / 9)
    assert np.all(km.lo <= km.survival + 1e-12) and np.all(km.hi >= km.survival - 1e-12)
    # Greenwood at t=1: var = S^2 * 1/(6*5); log-log band contains S and is inside [0, 1]
    assert 0 < km.lo[0] < 5 / 6 < km.hi[0] < 1


def test_kaplan_meier_without_censoring_is_the_empirical_survival():
    rng = np.random.default_rng(1)
    d = rng.integers(1, 50, size=200)
    km = kaplan_meier(d, np.ones(200, bool))
    for t in (5, 20, 40):
        assert km.at(t) == pytest.approx(np.mean(d > t))


def test_kaplan_meier_all_censored_stays_at_one():
    km = kaplan_meier([3, 4, 5], [0, 0, 0])
    assert km.time.size == 0
    assert km.at([10]) == pytest.approx([1.0])
    assert math.isnan(km.median())


def test_kaplan_meier_delayed_entry():
    # the third individual is only watched from time 3 on: not at risk at t = 2
    km = kaplan_meier([2, 5, 6], [1, 1, 1], entry=[0, 0, 3])
    assert km.at_risk.tolist() == [2, 2, 1]
    assert km.survival == pytest.approx([0.5, 0.25, 0.0])
    with pytest.raises(ValueError):
        kaplan_meier([2], [1], entry=[3])


def test_binned_mean_ci():
    x = np.array([0, 1, 2, 3, 4, 5, 10])
    y = np.array([1.0, 3.0, 10.0, 12.0, 20.0, 22.0, 99.0])
    mean, lo, hi, n = binned_mean_ci(x, y, [0, 2, 4, 6])
    assert mean.tolist() == [2.0, 11.0, 21.0]
    assert n.tolist() == [2, 2, 2]     # x = 10 is outside the edges
    assert lo[0] < 2.0 < hi[0]

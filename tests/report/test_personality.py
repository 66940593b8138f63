"""Personality: traits per agent and window from traces, and their repeatability (ICC)."""

import numpy as np
import pytest

from alife.report.personality import TRAITS, icc, repeatability, trait_windows


@pytest.mark.parametrize("target", [0.0, 0.6])
def test_repeatability_recovers_a_known_icc(target):
    rng = np.random.default_rng(7)
    agents, measures = 2000, 5
    groups = np.repeat(np.arange(agents), measures)
    values = (rng.normal(0, np.sqrt(target), agents)[groups]
              + rng.normal(0, np.sqrt(1 - target), agents * measures))
    r = repeatability(values, groups, boot=300, seed=1)
    assert abs(r.icc - target) < 0.05
    assert r.lo <= r.icc <= r.hi and r.hi - r.lo < 0.1
    assert (r.agents, r.windows) == (agents, agents * measures)


def test_icc_is_the_share_of_variance_between_groups_in_an_exact_case():
    # two groups, means 0 and 2, within-group deviations ±1: MSB = 8, MSW = 4/3 (n0 = 3)
    values = np.array([-1.0, 0.0, 1.0, 1.0, 2.0, 3.0])
    groups = np.array([0, 0, 0, 1, 1, 1])
    assert icc(values, groups) == pytest.approx((8 - 4 / 3) / (8 + 2 * 4 / 3))
    assert np.isnan(icc(values[:3], groups[:3]))  # one group: undefined
    with_single = icc(np.r_[values, 9.0, np.nan], np.r_[groups, 5, 1])
    assert with_single == pytest.approx(icc(values, groups))  # single measures and NaN left out


def _trace(ticks, x, y, **columns):
    n = len(ticks)
    base = {"tick": np.asarray(ticks), "alive": np.ones(n, int), "id": np.full(n, 3),
            "x": np.asarray(x), "y": np.asarray(y), "hazard_here": np.zeros(n, int),
            "worth_here": np.ones(n), "food_here": np.zeros(n), "crowding": np.zeros(n),
            "surprise": np.zeros(n), "explored": np.zeros(n, int)}
    return {**base, **{k: np.asarray(v) for k, v in columns.items()}}


def test_traits_of_one_agent_in_a_window_follow_from_its_trace():
    # windows of 4 ticks: 0-3 and 4-7; the agent moves east, back west, then twice south
    trace = _trace(range(8), [0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1, 2, 2],
                   hazard_here=[0, 1, 1, 0, 0, 0, 0, 0], worth_here=[1, 1, 1, 1, -1, -1, 1, 1],
                   food_here=[0, 0, 0, 0, 5, 0, 0, 0], crowding=[0, 2, 4, 2, 1, 1, 1, 1],
                   surprise=[0, 1, 0, 1, 0, 1, 0, 1], explored=[0, 0, 1, 0, 1, 0, 1, 0])
    tw = trait_windows(trace, 4)
    assert tw.window.tolist() == [0, 1] and tw.ids.tolist() == [3, 3]
    first = dict(zip(TRAITS, tw.values[0]))
    assert first["activity"] == 0.5             # moves at ticks 1 and 2
    assert first["exploration"] == 0.5          # tick 1 onto a new cell, tick 2 back
    assert first["risk"] == 0.5                 # hazards at ticks 1, 2
    assert first["sociality"] == 2.0
    assert first["responsiveness"] == pytest.approx(1.0)  # each surprise followed by exploring
    second = dict(zip(TRAITS, tw.values[1]))
    assert second["activity"] == 0.5 and second["exploration"] == 1.0  # ticks 5, 6: new cells
    assert second["risk"] == 0.25               # poison food underfoot at tick 4


def test_only_whole_windows_lived_count():
    trace = _trace(range(2, 10), [0] * 8, [0] * 8)
    tw = trait_windows(trace, 4)
    assert tw.window.tolist() == [1]  # ticks 4-7; 2-3 and 8-9 are parts of windows

"""Parents are served in descending priority, also when only the top few are ordered."""

import numpy as np

from alife.kernels.life import highest_first, mth_largest


def test_top_m_equals_the_head_of_a_full_sort():
    keys = np.random.default_rng(0).integers(0, 2**64, size=500, dtype=np.uint64)
    full = np.argsort(keys)[::-1]
    for m in (1, 5, 37, 499, 500, 800):
        order, n = highest_first(keys, m)
        assert n == min(m, 500)
        np.testing.assert_array_equal(order[:n], full[:n])


def test_ties_at_the_cut_are_all_kept():
    keys = np.array([5, 9, 7, 7, 1], dtype=np.uint64)
    order, n = highest_first(keys, 2)
    assert n == 3 and order[0] == 1 and set(order[1:3]) == {2, 3}


def test_mth_largest_matches_a_sort():
    rng = np.random.default_rng(1)
    for k in (1, 2, 7, 300):
        keys = rng.integers(0, 2**64, size=k, dtype=np.uint64)
        keys[rng.integers(0, k, k // 3)] = keys[0]  # repeated keys as well
        ordered = np.sort(keys)[::-1]
        for m in sorted({1, 2, k // 2 + 1, k}):
            if m <= k:
                assert mth_largest(keys, m) == ordered[m - 1]

"""Parents are served in descending priority, also when only the top few are ordered."""

import numpy as np

from alife.kernels.life import highest_first


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

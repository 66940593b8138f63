"""The 8-lane vector operations equal the scalar float32 operations bit for bit."""

import math

import numpy as np
import pytest
from numba import njit

from alife.kernels.learner import clip
from alife.kernels.simd import (
    LANES,
    abs8,
    add8,
    and8,
    clip8,
    copysign8,
    div8,
    eq8,
    exp8,
    gt8,
    lane8,
    load8,
    lt8,
    max0_8,
    mul8,
    select8,
    splat8,
    sqrt8,
    store8,
    sub8,
    with_lane8,
)

f32 = np.float32


@njit
def _vector_ops(a, b, out):
    """Each row of out: one operation on a[0:8] and b[0:8]."""
    x = load8(a, 0)
    y = load8(b, 0)
    store8(out, 0 * LANES, add8(x, y))
    store8(out, 1 * LANES, sub8(x, y))
    store8(out, 2 * LANES, mul8(x, y))
    store8(out, 3 * LANES, div8(x, y))
    store8(out, 4 * LANES, sqrt8(abs8(x)))
    store8(out, 5 * LANES, select8(gt8(x, y), x, y))
    store8(out, 6 * LANES, select8(and8(lt8(x, y), eq8(x, x)), x, splat8(7.0)))
    store8(out, 7 * LANES, copysign8(y, x))
    store8(out, 8 * LANES, max0_8(x))
    store8(out, 9 * LANES, clip8(x, f32(1.5)))
    store8(out, 10 * LANES, exp8(y))
    v = with_lane8(splat8(0.0), 3, lane8(x, 5))
    store8(out, 11 * LANES, v)


@njit
def _scalar_ops(a, b, out):
    for k in range(LANES):
        x = a[k]
        y = b[k]
        out[0, k] = x + y
        out[1, k] = x - y
        out[2, k] = x * y
        out[3, k] = x / y
        out[4, k] = math.sqrt(abs(x))
        out[5, k] = x if x > y else y
        out[6, k] = x if (x < y and x == x) else f32(7.0)
        out[7, k] = math.copysign(y, x)
        out[8, k] = max(f32(0.0), x)
        out[9, k] = clip(x, f32(1.5))
        out[10, k] = math.exp(y)
        out[11, k] = 0.0
    out[11, 3] = a[5]


@pytest.mark.parametrize("seed", range(5))
def test_vector_ops_equal_scalar_ops_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(LANES) * 3).astype(f32)
    b = (rng.standard_normal(LANES) * 3).astype(f32)
    a[0], a[1], a[2], b[2] = -0.0, 0.0, 1.0, 1.0  # signed zeros and a tie
    vector = np.zeros((12, LANES), f32)
    scalar = np.zeros((12, LANES), f32)
    _vector_ops(a, b, vector)
    _scalar_ops(a, b, scalar)
    assert vector.tobytes() == scalar.tobytes()


def test_load_and_store_address_flat_elements():
    a = np.arange(24, dtype=f32).reshape(3, 8)
    out = np.zeros((3, 8), f32)

    @njit
    def copy_middle(a, out):
        store8(out, 4, load8(a, 12))

    copy_middle(a, out)
    assert out.ravel()[4:12].tolist() == list(range(12, 20))
    assert out.ravel()[:4].tolist() == [0, 0, 0, 0]


def test_load_rejects_other_dtypes():
    @njit
    def bad(a):
        return lane8(load8(a, 0), 0)

    with pytest.raises(Exception, match="float32"):
        bad(np.zeros(8, np.float64))

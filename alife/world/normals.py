"""numpy's float32 standard normals, compiled: the same numbers, several times faster.

``Generator.standard_normal(dtype=np.float32)`` spends ~10 ns per number here (an indirect
call to the bit generator for every draw); the founders of a world of 1M agents need ~600 M
of them. :func:`standard_normal_f32` draws exactly the numbers numpy draws, and leaves the
generator in exactly the state numpy leaves it, for numpy's default bit generator (PCG64,
``np.random.default_rng``): the PCG64 step and numpy's float32 ziggurat
(``random_standard_normal_f`` in numpy/random/src/distributions/distributions.c, its tables
as in ``numba.np.random._constants``) ported operation by operation, with the same libm
calls (``log1pf`` in the tail, double ``exp`` in the wedges: numpy 2.4's compiled code,
read off its ``libnpyrandom.a``). Any other bit generator, or a numpy whose numbers differ
from these (checked once per process on 65,536 draws, :func:`compiled_draws_agree`), gets
numpy's own draws. tests/world/test_build.py compares millions of draws (the wedges and
the tail included); the founders of 1M agents (~600 M draws) were compared too.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

try:  # numpy's tables (numba's copy, byte for byte the same)
    from numba.np.random._constants import (
        fi_float,
        ki_float,
        wi_float,
        ziggurat_nor_inv_r_f,
        ziggurat_nor_r_f,
    )
except ImportError:  # pragma: no cover - a numba without them: numpy's draws
    fi_float = ki_float = wi_float = None

_M64 = (1 << 64) - 1
_MULT_HI = np.uint64(0x2360ED051FC65DA4)  # PCG64's 128-bit multiplier
_MULT_LO = np.uint64(0x4385DF649FCCF645)
_U32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_S58 = np.uint64(58)
_S64 = np.uint64(64)
_S63 = np.uint64(63)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_TO_FLOAT = np.float32(1.0 / 16777216.0)


@intrinsic
def _mulhi(typingctx, a, b):
    """The high 64 bits of the 128-bit product of two uint64 (one ``mul``)."""
    if not (a == types.uint64 and b == types.uint64):
        return None

    def codegen(context, builder, signature, args):
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return types.uint64(types.uint64, types.uint64), codegen


@njit(cache=True, inline="always")
def _next_uint32(hi, lo, inc_hi, inc_lo, has, held):
    """numpy's pcg64_next32: the low half of a fresh 64-bit output of PCG64 (XSL-RR), then
    its high half. The state: (hi, lo) 128-bit LCG state, (inc_hi, inc_lo) its increment,
    has/held numpy's ``has_uint32``/``uinteger``. Returns (value, hi, lo, has, held)."""
    if has:
        return np.uint32(held), hi, lo, False, held
    new_lo = lo * _MULT_LO
    new_hi = _mulhi(lo, _MULT_LO) + lo * _MULT_HI + hi * _MULT_LO
    lo = new_lo + inc_lo
    hi = new_hi + inc_hi + (_ONE if lo < new_lo else _ZERO)
    xsl = hi ^ lo  # XSL-RR output of the new state
    rot = hi >> _S58
    out = (xsl >> rot) | (xsl << ((_S64 - rot) & _S63))
    return np.uint32(out & _U32), hi, lo, True, out >> _S32


@njit(cache=True, nogil=True)
def fill_standard_normal_f32(s, out, ki, wi, fi, r_f, inv_r_f):
    """out float32 (k,) = k float32 standard normals drawn as numpy draws them from the
    PCG64 state s uint64 (6,) [state hi, lo, inc hi, lo, has_uint32, uinteger], advanced
    in place."""
    hi, lo, inc_hi, inc_lo, has, held = s[0], s[1], s[2], s[3], s[4] != _ZERO, s[5]
    for i in range(out.shape[0]):
        while True:
            r, hi, lo, has, held = _next_uint32(hi, lo, inc_hi, inc_lo, has, held)
            idx = r & np.uint32(0xFF)
            rabs = (r >> np.uint32(9)) & np.uint32(0x007FFFFF)
            x = np.float32(rabs) * wi[idx]
            if (r >> np.uint32(8)) & np.uint32(1):
                x = -x
            if rabs < ki[idx]:
                out[i] = x
                break
            if idx == 0:
                while True:
                    u, hi, lo, has, held = _next_uint32(hi, lo, inc_hi, inc_lo, has, held)
                    uniform = np.float32(u >> np.uint32(8)) * _TO_FLOAT
                    xx = -inv_r_f * np.float32(math.log1p(-uniform))
                    u, hi, lo, has, held = _next_uint32(hi, lo, inc_hi, inc_lo, has, held)
                    yy = -np.float32(math.log1p(-(np.float32(u >> np.uint32(8)) * _TO_FLOAT)))
                    if yy + yy > xx * xx:
                        break
                tail = r_f + xx
                out[i] = -tail if (rabs >> np.uint32(8)) & np.uint32(1) else tail
                break
            u, hi, lo, has, held = _next_uint32(hi, lo, inc_hi, inc_lo, has, held)
            lhs = (fi[idx - 1] - fi[idx]) * (np.float32(u >> np.uint32(8)) * _TO_FLOAT) + fi[idx]
            xd = np.float64(x)
            if np.float64(lhs) < math.exp(-0.5 * xd * xd):
                out[i] = x
                break
    s[0], s[1], s[4], s[5] = hi, lo, _ONE if has else _ZERO, held


def _get_state(rng: np.random.Generator) -> np.ndarray | None:
    bits = rng.bit_generator
    if type(bits) is not np.random.PCG64 or fi_float is None:
        return None
    st = bits.state
    state, inc = st["state"]["state"], st["state"]["inc"]
    return np.array([state >> 64, state & _M64, inc >> 64, inc & _M64, st["has_uint32"],
                     st["uinteger"]], np.uint64)


def _set_state(rng: np.random.Generator, s: np.ndarray) -> None:
    rng.bit_generator.state = {
        "bit_generator": "PCG64",
        "state": {"state": (int(s[0]) << 64) | int(s[1]), "inc": (int(s[2]) << 64) | int(s[3])},
        "has_uint32": int(s[4]), "uinteger": int(s[5])}


def _compiled(rng: np.random.Generator, out: np.ndarray) -> bool:
    """Draw into out (flat, float32, contiguous) with the compiled port; False if it does not
    apply to rng."""
    with rng.bit_generator.lock:  # as numpy's own draws: one thread at a time
        s = _get_state(rng)
        if s is None:
            return False
        fill_standard_normal_f32(s, out, ki_float, wi_float, fi_float, ziggurat_nor_r_f,
                                 ziggurat_nor_inv_r_f)
        _set_state(rng, s)
    return True


_AGREE: bool | None = None


def compiled_draws_agree(count: int = 1 << 15) -> bool:
    """Whether the compiled draws are numpy's, bit for bit, here (asked once per process):
    ``count`` draws from each of two seeds, in two uneven pieces, and the generators'
    states after."""
    global _AGREE
    if _AGREE is None:
        agree = fi_float is not None
        for seed in (0, 12345):
            if not agree:
                break
            ours, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
            got = np.empty(count, np.float32)
            first = 3  # an odd piece first: numpy's half-used 64-bit output carries over
            agree = (_compiled(ours, got[:first]) and _compiled(ours, got[first:])
                     and np.array_equal(got.view(np.uint32),
                                        theirs.standard_normal(count, np.float32).view(np.uint32))
                     and ours.bit_generator.state == theirs.bit_generator.state)
        _AGREE = bool(agree)
    return _AGREE


def standard_normal_f32(rng: np.random.Generator, shape: int | tuple[int, ...],
                        out: np.ndarray | None = None) -> np.ndarray:
    """``rng.standard_normal(shape, dtype=np.float32)``: the same numbers, and rng in the same
    state after; in ``out`` (C-contiguous float32 of that shape) when given."""
    if out is None:
        out = np.empty(shape, np.float32)
    if (out.size and out.flags.c_contiguous and compiled_draws_agree()
            and _compiled(rng, out.reshape(-1))):
        return out
    return rng.standard_normal(shape, dtype=np.float32, out=out)

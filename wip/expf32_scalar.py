"""exp of a float32, inlined: the same bits as glibc's ``expf`` on a CPU with FMA.

``math.exp`` on a float32 compiles to a call into libm, and every call makes the compiler
save the vector registers around it. ``think`` takes 13 exps per agent and tick (softmax,
tanh, couplings), so it spent ~6 % of its time in calls. ``exp32`` is glibc's algorithm
(the FMA build of ``__expf``, glibc ≥ 2.28) written out with the same constants and the same
fused steps: tests/kernels/test_expf.py compares it with ``math.exp`` on every float32.
Arguments with |x| ≥ 88 (overflow, underflow, inf, nan) still go to ``math.exp``.

exp(x) = 2^(k/32) · 2^(r/32), with x·32/ln 2 = k + r, r in [-1/2, 1/2]: 2^(k/32) from a table
of 32 entries and the exponent bits, 2^(r/32) from a cubic in double precision.
"""

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

# tab[i] = bits of 2^(i/32) − (i << 47): 2^(k/32) = double(tab[k % 32] + (k << 47))
_TABLE = np.array([
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
], dtype=np.uint64)
_INV_LN2_N = float.fromhex("0x1.71547652b82fep+5")  # 32 / ln 2
_SHIFT = float.fromhex("0x1.8p+52")  # adding it rounds to an integer, kept in the low bits
_C0 = float.fromhex("0x1.c6af84b912394p-20")
_C1 = float.fromhex("0x1.ebfce50fac4f3p-13")
_C2 = float.fromhex("0x1.62e42ff0c52d6p-6")
_SLOW_TOP = 0x42B  # top 12 bits of |x| from 88.0 on (and inf, nan)
_U47 = np.uint64(47)
_U31 = np.uint64(31)


@intrinsic
def _fma(typingctx, a, b, c):
    """a·b + c with one rounding (float64)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        f64 = ir.DoubleType()
        fnty = ir.FunctionType(f64, [f64, f64, f64])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.fma.f64")
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def _bits64(typingctx, x):
    """The bits of a float64 as uint64."""
    sig = types.uint64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _double_of(typingctx, bits):
    """The float64 with these bits (uint64)."""
    sig = types.float64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@intrinsic
def _bits32(typingctx, x):
    """The bits of a float32 as uint32."""
    sig = types.uint32(types.float32)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))

    return sig, codegen


@njit(cache=True, inline="always")
def exp32(x):
    """exp(x) for a float32 x, as float32: bit for bit glibc's expf (FMA build)."""
    if (_bits32(x) >> 20) & 0x7FF >= _SLOW_TOP:  # |x| >= 88, inf or nan: rare
        return math.exp(x)
    xd = np.float64(x)
    shifted = _fma(_INV_LN2_N, xd, _SHIFT)  # k + SHIFT, k = round(x·32/ln 2)
    k = _bits64(shifted)
    kd = shifted - _SHIFT
    r = _fma(_INV_LN2_N, xd, -kd)
    scale = _double_of(_TABLE[k & _U31] + (k << _U47))  # 2^(k/32)
    z = _fma(r, _C0, _C1)
    y = _fma(r, _C2, 1.0)
    y = _fma(z, r * r, y)
    return np.float32(y * scale)

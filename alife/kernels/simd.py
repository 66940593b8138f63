"""Explicit 8-lane float32 vectors for the kernels that process agents eight at a time.

Numba vectorises simple loops by itself, but not loops over the lanes of an agent block
(their trip count is 8: LLVM unrolls them first, and numba leaves its SLP vectoriser off).
These types and intrinsics hand LLVM the vector operations directly:

    F32x8  <8 x float>  eight agents' values of one quantity (one per lane)
    Mask8  <8 x i1>     a per-lane condition, from the comparisons

Every operation is the IEEE float32 operation of the scalar code, lane by lane, so a kernel
written with them gives bit-identical results to its scalar twin (no fused multiply-add, no
reassociation). Arrays are addressed by flat element index into a C-contiguous float32
array: ``load8(a, k)`` reads a[k:k+8] of the flattened array.
"""

import math

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

LANES = 8

_V8 = ir.VectorType(ir.FloatType(), LANES)
_M8 = ir.VectorType(ir.IntType(1), LANES)


class F32x8Type(types.Type):
    def __init__(self):
        super().__init__(name="F32x8")


class Mask8Type(types.Type):
    def __init__(self):
        super().__init__(name="Mask8")


F32x8 = F32x8Type()
Mask8 = Mask8Type()


@register_model(F32x8Type)
class _F32x8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _V8)


@register_model(Mask8Type)
class _Mask8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _M8)


def _vector_pointer(context, builder, array_type, array, index, index_type):
    ary = context.make_array(array_type)(context, builder, array)
    offset = context.cast(builder, index, index_type, types.intp)
    return builder.bitcast(builder.gep(ary.data, [offset]), _V8.as_pointer())


def _check_float32_array(arr):
    if not (isinstance(arr, types.Array) and arr.dtype == types.float32 and arr.layout == "C"):
        raise TypeError(f"expected a C-contiguous float32 array, got {arr}")


@intrinsic
def load8(typingctx, arr, index):
    """Elements [index, index + 8) of the flattened C-contiguous float32 array ``arr``."""
    _check_float32_array(arr)
    sig = F32x8(arr, index)

    def codegen(context, builder, signature, args):
        ptr = _vector_pointer(context, builder, signature.args[0], args[0], args[1],
                              signature.args[1])
        return builder.load(ptr, align=4)

    return sig, codegen


@intrinsic
def store8(typingctx, arr, index, v):
    """Write ``v`` to elements [index, index + 8) of the flattened float32 array ``arr``."""
    _check_float32_array(arr)
    sig = types.void(arr, index, v)

    def codegen(context, builder, signature, args):
        ptr = _vector_pointer(context, builder, signature.args[0], args[0], args[1],
                              signature.args[1])
        builder.store(args[2], ptr, align=4)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def splat8(typingctx, x):
    """Every lane = float32(x)."""
    sig = F32x8(x)

    def codegen(context, builder, signature, args):
        value = context.cast(builder, args[0], signature.args[0], types.float32)
        v = builder.insert_element(ir.Constant(_V8, ir.Undefined), value,
                                   ir.Constant(ir.IntType(32), 0))
        zeros = ir.Constant(ir.VectorType(ir.IntType(32), LANES), [0] * LANES)
        return builder.shuffle_vector(v, v, zeros)

    return sig, codegen


def _binary(instruction):
    @intrinsic
    def op(typingctx, a, b):
        sig = F32x8(a, b)

        def codegen(context, builder, signature, args):
            return getattr(builder, instruction)(args[0], args[1])

        return sig, codegen

    return op


add8 = _binary("fadd")
sub8 = _binary("fsub")
mul8 = _binary("fmul")
div8 = _binary("fdiv")


def _compare(operator):
    @intrinsic
    def op(typingctx, a, b):
        sig = Mask8(a, b)

        def codegen(context, builder, signature, args):
            return builder.fcmp_ordered(operator, args[0], args[1])

        return sig, codegen

    return op


gt8 = _compare(">")  # false where either lane is NaN, as the scalar a > b
lt8 = _compare("<")
eq8 = _compare("==")


@intrinsic
def ugt8(typingctx, a, b):
    """a > b or either is NaN: the lanes where the scalar ``not (a <= b)`` holds."""
    sig = Mask8(a, b)

    def codegen(context, builder, signature, args):
        return builder.fcmp_unordered(">", args[0], args[1])

    return sig, codegen


@intrinsic
def and8(typingctx, a, b):
    """Lane-wise a and b of two masks."""
    sig = Mask8(a, b)

    def codegen(context, builder, signature, args):
        return builder.and_(args[0], args[1])

    return sig, codegen


@intrinsic
def select8(typingctx, mask, a, b):
    """a where mask else b, lane by lane."""
    sig = F32x8(mask, a, b)

    def codegen(context, builder, signature, args):
        return builder.select(args[0], args[1], args[2])

    return sig, codegen


def _unary_intrinsic(name):
    @intrinsic
    def op(typingctx, a):
        sig = F32x8(a)

        def codegen(context, builder, signature, args):
            fn = cgutils.get_or_insert_function(builder.module,
                                                ir.FunctionType(_V8, [_V8]), name)
            return builder.call(fn, [args[0]])

        return sig, codegen

    return op


sqrt8 = _unary_intrinsic("llvm.sqrt.v8f32")  # IEEE square root, as math.sqrt on float32
abs8 = _unary_intrinsic("llvm.fabs.v8f32")


@intrinsic
def copysign8(typingctx, magnitude, sign):
    sig = F32x8(magnitude, sign)

    def codegen(context, builder, signature, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_V8, [_V8, _V8]),
                                            "llvm.copysign.v8f32")
        return builder.call(fn, [args[0], args[1]])

    return sig, codegen


@intrinsic
def lane8(typingctx, v, k):
    """Lane k of v, a float32."""
    sig = types.float32(v, k)

    def codegen(context, builder, signature, args):
        index = context.cast(builder, args[1], signature.args[1], types.int32)
        return builder.extract_element(args[0], index)

    return sig, codegen


@intrinsic
def with_lane8(typingctx, v, k, x):
    """v with lane k replaced by float32(x)."""
    sig = F32x8(v, k, x)

    def codegen(context, builder, signature, args):
        index = context.cast(builder, args[1], signature.args[1], types.int32)
        value = context.cast(builder, args[2], signature.args[2], types.float32)
        return builder.insert_element(args[0], value, index)

    return sig, codegen


@njit(cache=True, inline="always")
def max0_8(v):
    """max(0, v) lane by lane, as numba's scalar max(0.0, v): v where v > 0, else +0."""
    zero = splat8(0.0)
    return select8(gt8(v, zero), v, zero)


@njit(cache=True, inline="always")
def clip8(v, limit):
    """v kept in [-limit, limit], as alife.kernels.learner.clip lane by lane."""
    low = splat8(-limit)
    high = splat8(limit)
    v = select8(gt8(v, low), v, low)
    return select8(lt8(v, high), v, high)


@njit(cache=True, inline="always")
def exp8(v):
    """math.exp lane by lane: libm's expf on each lane, exactly as the scalar code calls it."""
    out = v
    for k in range(LANES):
        out = with_lane8(out, k, math.exp(lane8(v, k)))
    return out

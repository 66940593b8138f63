"""Explicit 8-lane float32 vectors for numba (prototype)."""
import operator
import numpy as np
from llvmlite import ir
from numba import types, njit
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model, overload

class F32x8Type(types.Type):
    def __init__(self):
        super().__init__(name="f32x8")
f32x8 = F32x8Type()
V8 = ir.VectorType(ir.FloatType(), 8)

@register_model(F32x8Type)
class F32x8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, V8)

def _ptr(context, builder, arrty, arr, idx, idxty):
    ary = context.make_array(arrty)(context, builder, arr)
    i = context.cast(builder, idx, idxty, types.intp)
    return builder.gep(ary.data, [i])

@intrinsic
def vload(typingctx, arr, idx):
    """8 float32 at the flat element index idx of a C-contiguous float32 array."""
    sig = f32x8(arr, idx)
    def codegen(context, builder, sig, args):
        p = _ptr(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        return builder.load(builder.bitcast(p, V8.as_pointer()), align=4)
    return sig, codegen

@intrinsic
def vstore(typingctx, arr, idx, v):
    sig = types.void(arr, idx, v)
    def codegen(context, builder, sig, args):
        p = _ptr(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        builder.store(args[2], builder.bitcast(p, V8.as_pointer()), align=4)
        return context.get_dummy_value()
    return sig, codegen

@intrinsic
def vsplat(typingctx, x):
    sig = f32x8(x)
    def codegen(context, builder, sig, args):
        f = context.cast(builder, args[0], sig.args[0], types.float32)
        v = ir.Constant(V8, ir.Undefined)
        v = builder.insert_element(v, f, ir.Constant(ir.IntType(32), 0))
        return builder.shuffle_vector(v, v, ir.Constant(ir.VectorType(ir.IntType(32), 8), [0]*8))
    return sig, codegen

def _binop(name):
    @intrinsic
    def op(typingctx, a, b):
        sig = f32x8(a, b)
        def codegen(context, builder, sig, args):
            return getattr(builder, name)(args[0], args[1])
        return sig, codegen
    return op
vadd = _binop("fadd"); vsub = _binop("fsub"); vmul = _binop("fmul"); vdiv = _binop("fdiv")

@intrinsic
def vlane(typingctx, v, k):
    sig = types.float32(v, k)
    def codegen(context, builder, sig, args):
        k = context.cast(builder, args[1], sig.args[1], types.int32)
        return builder.extract_element(args[0], k)
    return sig, codegen

MASK8 = ir.VectorType(ir.IntType(1), 8)

class B8Type(types.Type):
    def __init__(self):
        super().__init__(name="b8")
b8 = B8Type()

@register_model(B8Type)
class B8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, MASK8)

def _cmp(opname):
    @intrinsic
    def op(typingctx, a, b):
        sig = b8(a, b)
        def codegen(context, builder, sig, args):
            return builder.fcmp_ordered(opname, args[0], args[1])
        return sig, codegen
    return op
vlt = _cmp("<"); vgt = _cmp(">"); veq = _cmp("==")

@intrinsic
def vand(typingctx, a, b):
    sig = b8(a, b)
    def codegen(context, builder, sig, args):
        return builder.and_(args[0], args[1])
    return sig, codegen

@intrinsic
def vsel(typingctx, m, a, b):
    """a where m else b."""
    sig = f32x8(m, a, b)
    def codegen(context, builder, sig, args):
        return builder.select(args[0], args[1], args[2])
    return sig, codegen

@intrinsic
def vsqrt(typingctx, a):
    sig = f32x8(a)
    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(V8, [V8]), "llvm.sqrt.v8f32")
        return builder.call(fn, [args[0]])
    return sig, codegen

@intrinsic
def vset(typingctx, v, k, x):
    sig = f32x8(v, k, x)
    def codegen(context, builder, sig, args):
        k = context.cast(builder, args[1], sig.args[1], types.int32)
        f = context.cast(builder, args[2], sig.args[2], types.float32)
        return builder.insert_element(args[0], f, k)
    return sig, codegen

@intrinsic
def vabs(typingctx, a):
    sig = f32x8(a)
    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(V8, [V8]), "llvm.fabs.v8f32")
        return builder.call(fn, [args[0]])
    return sig, codegen

@intrinsic
def vcopysign(typingctx, a, b):
    sig = f32x8(a, b)
    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(V8, [V8, V8]), "llvm.copysign.v8f32")
        return builder.call(fn, [args[0], args[1]])
    return sig, codegen

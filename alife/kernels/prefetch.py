"""Software prefetch: ask the CPU to start loading memory that the next agent will touch.

An agent's tick reads ~4 KB spread over a dozen per-agent arrays and the grid around it; at
10k agents that is mostly outside the caches, and one agent's work is too long for the CPU to
overlap the next agent's loads by itself. A prefetch never changes a result.
"""

from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def _prefetch(typingctx, arr, byte_offset):
    """Prefetch (for reading, into all cache levels) the line at arr's data + byte_offset."""
    sig = types.void(arr, byte_offset)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        i64 = ir.IntType(64)
        offset = context.cast(builder, args[1], signature.args[1], types.int64)
        addr = builder.add(builder.ptrtoint(ary.data, i64), offset)
        ptr = builder.inttoptr(addr, ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def prefetch_bytes(arr, i, lo, hi):
    """Prefetch bytes [lo, hi) (lo < hi) of row i of a C-contiguous array."""
    start = i * arr.strides[0]
    for offset in range(lo, hi, 64):
        _prefetch(arr, start + offset)
    _prefetch(arr, start + hi - 1)  # the span need not start on a line

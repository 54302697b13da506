# Tensor-engine kernels (gemm, conv): compute functions of the engine contract (engine.pxd).
from thead_isa.core.engine cimport EngineOp, Memories, Scratch, TrapInfo

cdef int gemm_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int conv_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil

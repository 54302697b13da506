# Memory-engine kernels (dma.ld, dma.st, dma.cp, dma.tr): compute functions of engine.pxd.
from thead_isa.core.engine cimport EngineOp, Memories, Scratch, TrapInfo

cdef int dma_copy_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int dma_tr_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil

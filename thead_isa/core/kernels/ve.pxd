# Vector-engine kernels: compute functions of the engine contract (engine.pxd).
from thead_isa.core.engine cimport EngineOp, Memories, Scratch, TrapInfo

cdef int vrq_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int vqadd_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int pool_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int vgap_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int vlut_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int reduce_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int vacc_ld_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int vacc_st_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil
cdef int eltwise_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil

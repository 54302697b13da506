# The cycle model's costs: CP issue cycles per opcode and engine durations from shapes (no data).
from libc.stdint cimport int32_t, int64_t, uint32_t

from .engine cimport EngineOp

cdef struct TimingParams:
    uint32_t cp_cost[256]       # issue cycles of each opcode (engine opcodes: the dispatch)
    uint32_t branch_penalty     # extra cycles of a taken branch (jumps have it in cp_cost)
    int32_t queue_depth
    int64_t te_rows
    int64_t te_cols
    int64_t te_overlap
    int64_t te_pipeline         # te_fold_pipeline: folds streamed back to back
    int64_t ve_lanes
    int64_t ve_pipeline
    int64_t dma_latency
    int64_t dma_row
    int64_t dma_gm_bw
    int64_t dma_lm_bw

cdef void fill_params(TimingParams* p, config) except *
cdef int64_t engine_cycles(const EngineOp* op, const TimingParams* p) noexcept nogil
cdef int64_t engine_macs(const EngineOp* op) noexcept nogil

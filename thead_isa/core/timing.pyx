# The cycle model's costs: CP issue cycles per opcode and engine durations from shapes (no data).
# cython: language_level=3, cdivision=True
# Every formula is documented in docs/timing.md; tests/core/test_timing.py pins them.
from libc.stdint cimport int64_t
from libc.string cimport memset

from ..isa.table import INSTRUCTIONS

from .engine cimport FLAG_ACC, FLAG_DW, FLAG_U
from .isa_tables cimport *

# timing class of a CP instruction -> the configuration parameter giving its issue cycles
CP_COST_PARAM = {"alu": "cp_alu_cycles", "csr": "cp_alu_cycles", "sync": "cp_alu_cycles",
                 "sem": "cp_alu_cycles", "halt": "cp_alu_cycles", "branch": "cp_alu_cycles",
                 "jump": "cp_alu_cycles", "mul": "cp_mul_cycles", "load": "cp_load_cycles",
                 "store": "cp_load_cycles"}


def cp_costs(config):
    """{mnemonic: issue cycles} (taken branches add cp_branch_penalty; jumps include it)."""
    costs = {}
    for insn in INSTRUCTIONS:
        if insn.engine == "cp":
            cost = getattr(config, CP_COST_PARAM[insn.timing])
            if insn.timing == "jump":
                cost += config.cp_branch_penalty
        else:
            cost = config.cp_dispatch_cycles
        costs[insn.mnemonic] = cost
    return costs


cdef void fill_params(TimingParams* p, config) except *:
    memset(p, 0, sizeof(TimingParams))
    costs = cp_costs(config)
    for insn in INSTRUCTIONS:
        p.cp_cost[insn.opcode] = costs[insn.mnemonic]
    p.branch_penalty = config.cp_branch_penalty
    p.queue_depth = config.queue_depth
    p.te_rows, p.te_cols = config.te_rows, config.te_cols
    p.te_overlap, p.te_pipeline = config.te_weight_overlap, config.te_fold_pipeline
    p.ve_lanes, p.ve_pipeline = config.ve_lanes, config.ve_pipeline_cycles
    p.dma_latency, p.dma_row = config.dma_latency_cycles, config.dma_row_cycles
    p.dma_gm_bw, p.dma_lm_bw = config.dma_gm_bytes_per_cycle, config.dma_lm_bytes_per_cycle


cdef inline int64_t cdiv(int64_t a, int64_t b) noexcept nogil:
    return (a + b - 1) // b


cdef inline int64_t out_size(int64_t n, int64_t pad, int64_t k, int64_t dil,
                             int64_t stride) noexcept nogil:
    return (n + pad - dil * (k - 1) - 1) // stride + 1


cdef inline void conv_out(const int64_t* c, int64_t* oh, int64_t* ow) noexcept nogil:
    """The output height and width of a conv from its CSRs (in Insn.csrs order)."""
    oh[0] = out_size(c[CONV_WIN_IH], c[CONV_WIN_PT] + c[CONV_WIN_PB], c[CONV_WIN_KH],
                     c[CONV_WIN_DH], c[CONV_WIN_SH])
    ow[0] = out_size(c[CONV_WIN_IW], c[CONV_WIN_PL] + c[CONV_WIN_PR], c[CONV_WIN_KW],
                     c[CONV_WIN_DW], c[CONV_WIN_SW])


cdef int64_t te_cycles(int64_t m, int64_t folds, const TimingParams* p) noexcept nogil:
    """Weight-stationary, F folds of M rows of A each (docs/timing.md, "TE").
    Per fold: R cycles of weight load, then M rows one per cycle, then R + C - 2 cycles of fill
    and drain. With te_weight_overlap the next fold's load is hidden behind the current fold, so
    only the first shows. With te_fold_pipeline the folds stream back to back: fill and drain
    once per instruction; with the overlap too, a fold starts max(M, R) cycles after the
    previous one (its weights must be loaded), and the last fold streams its M rows."""
    cdef int64_t r = p.te_rows, fill = p.te_rows + p.te_cols - 2
    cdef int64_t load
    if not p.te_pipeline:
        load = r if p.te_overlap else folds * r
        return folds * (m + fill) + load
    if folds == 0:                      # empty gemm: as without pipelining (R, or 0 -> 1)
        return r if p.te_overlap else 0
    if p.te_overlap:
        return r + (folds - 1) * (m if m > r else r) + m + fill
    return folds * (r + m) + fill


cdef int64_t engine_cycles(const EngineOp* op, const TimingParams* p) noexcept nogil:
    """Cycles from start to completion of an engine instruction whose kernel accepted it."""
    cdef const int64_t* c = op.cfg
    cdef int64_t rows, cols, nbytes, bw, oh, ow, ch, k, n, m, elems, cycles
    if OP_DMA_LD <= op.opcode <= OP_DMA_TR:
        rows, cols = c[DMA_LD_DMA_ROWS], c[DMA_LD_DMA_COLS]
        nbytes = rows * cols
        if op.opcode == OP_DMA_LD or op.opcode == OP_DMA_CP:       # padding is written too
            rows += c[DMA_LD_DMA_PT] + c[DMA_LD_DMA_PB]
            nbytes = rows * (cols + c[DMA_LD_DMA_PL] + c[DMA_LD_DMA_PR])
        elif op.opcode == OP_DMA_TR:
            rows = cols // op.esz                                  # destination rows
        bw = p.dma_gm_bw if op.opcode <= OP_DMA_ST else p.dma_lm_bw
        cycles = p.dma_latency + rows * p.dma_row + cdiv(nbytes, bw)
    elif op.opcode == OP_GEMM:
        m, n, k = c[GEMM_TE_M], c[GEMM_TE_N], c[GEMM_TE_K]
        cycles = te_cycles(m, cdiv(k, p.te_rows) * cdiv(n, p.te_cols), p)
    elif op.opcode == OP_CONV:
        conv_out(c, &oh, &ow)
        ch, k = c[CONV_WIN_C], c[CONV_WIN_KH] * c[CONV_WIN_KW]
        if op.flags & FLAG_DW:          # one group per channel: K = kh*kw, N = 1
            cycles = te_cycles(oh * ow, ch * cdiv(k, p.te_rows), p)
        else:
            cycles = te_cycles(oh * ow, cdiv(k * ch, p.te_rows) * cdiv(c[CONV_WIN_OC], p.te_cols), p)
    else:
        if op.opcode == OP_VMAXPOOL or op.opcode == OP_VAVGPOOL:
            oh = out_size(c[VMAXPOOL_WIN_IH], c[VMAXPOOL_WIN_PT] + c[VMAXPOOL_WIN_PB],
                          c[VMAXPOOL_WIN_KH], c[VMAXPOOL_WIN_DH], c[VMAXPOOL_WIN_SH])
            ow = out_size(c[VMAXPOOL_WIN_IW], c[VMAXPOOL_WIN_PL] + c[VMAXPOOL_WIN_PR],
                          c[VMAXPOOL_WIN_KW], c[VMAXPOOL_WIN_DW], c[VMAXPOOL_WIN_SW])
            elems = oh * ow * c[VMAXPOOL_WIN_C] * c[VMAXPOOL_WIN_KH] * c[VMAXPOOL_WIN_KW]
        else:                           # every other VE instruction: ve_rows x ve_cols
            elems = c[VGAP_VE_ROWS] * c[VGAP_VE_COLS]
        cycles = cdiv(elems, p.ve_lanes) + p.ve_pipeline
    return cycles if cycles > 0 else 1


cdef int64_t engine_macs(const EngineOp* op) noexcept nogil:
    """Multiply-accumulates of a TE instruction (0 for the other engines)."""
    cdef const int64_t* c = op.cfg
    cdef int64_t oh, ow, ch, k
    if op.opcode == OP_GEMM:
        return c[GEMM_TE_M] * c[GEMM_TE_N] * c[GEMM_TE_K]
    if op.opcode == OP_CONV:
        conv_out(c, &oh, &ow)
        ch, k = c[CONV_WIN_C], c[CONV_WIN_KH] * c[CONV_WIN_KW]
        return oh * ow * ch * k * (1 if op.flags & FLAG_DW else c[CONV_WIN_OC])
    return 0


def engine_timing(mnemonic, csrs, config, flags=(), esz=1):
    """(cycles, macs) of one engine instruction with the given CSR values (a dict by name;
    missing CSRs are 0), as the cycle model charges it. For tests and documentation."""
    from ..isa.table import BY_MNEMONIC
    bits = {"acc": FLAG_ACC, "u": FLAG_U, "dw": FLAG_DW}
    cdef EngineOp op
    cdef TimingParams p
    insn = BY_MNEMONIC[mnemonic]
    memset(&op, 0, sizeof(op))
    op.opcode, op.esz = insn.opcode, esz
    for f in flags:
        op.flags |= bits[f]
    for k, name in enumerate(insn.csrs):
        op.cfg[k] = csrs.get(name, 0)
    fill_params(&p, config)
    return engine_cycles(&op, &p), engine_macs(&op)

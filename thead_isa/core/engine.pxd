# The contract between the core framework and the engine data kernels (ME, TE, VE).
#
# An engine instruction is dispatched as an EngineOp: its register operands and configuration
# CSRs are snapshotted and range-checked by the framework. A kernel's compute function then does
# every remaining check (its own operand rules, alignment, bounds) and every read, and leaves the
# result in a Scratch: one dense 2-D block plus the region it is to be written to. Every engine
# instruction writes exactly one 2-D region, so one generic commit (framework) writes any result:
# at once in functional mode, at the instruction's completion time in cycle mode. The kernels
# know data, never time; the framework knows semaphores and time, never data.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

cdef enum:
    MAX_ENGINE_CSRS = 16
    MAX_READS = 4
    MEM_GM = 0
    MEM_LM = 1
    MEM_ACC = 2
    FLAG_ACC = 1            # gemm/conv accumulate
    FLAG_U = 2              # uint8 data
    FLAG_DW = 4             # depthwise conv

cdef struct Memories:
    uint8_t* gm
    int64_t gm_size         # bytes
    uint8_t* lm
    int64_t lm_size         # bytes
    int32_t* acc
    int64_t acc_words       # int32 words

cdef struct EngineOp:
    uint32_t pc             # address of the instruction (traps, traces)
    uint32_t opcode
    uint32_t flags          # FLAG_* bits
    uint32_t esz            # dma.tr element size: 1, 2 or 4
    int32_t wait            # semaphore waited on, -1 for none
    int32_t sig             # semaphore signalled, -1 for none
    uint32_t reg[4]         # values of the register operands, in syntax order
    int64_t cfg[MAX_ENGINE_CSRS]   # configuration CSRs in the order of Insn.csrs (isa_tables.pxd)

cdef struct Region:         # a 2-D region of one memory; ACC regions are in words
    int32_t mem             # MEM_*
    int64_t base
    int64_t rows
    int64_t cols
    int64_t stride

cdef struct Scratch:
    uint8_t* data           # the result: write.rows x write.cols elements, dense, row-major
    int64_t capacity        # bytes allocated at data
    Region write            # where commit writes it (elements of the memory: bytes, ACC words)
    Region reads[MAX_READS] # what compute read (for the race checker)
    int32_t nreads

cdef struct TrapInfo:
    int32_t cause           # thead_isa.isa.traps.Cause value; 0 = no trap
    uint64_t tval
    char message[256]

# compute: 0 on success (the result is in scratch), else a trap cause with trap filled in.
ctypedef int (*compute_fn)(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* trap) noexcept nogil

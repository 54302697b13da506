# Machine state of the compiled core and the program-order (functional) run loop.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

from .engine cimport Memories, Scratch, compute_fn
from .isa_tables cimport NUM_CONFIG_CSRS
from .predecode cimport Code, Insn

cdef enum:
    NUM_XREGS = 32
    NUM_SEMS = 16
    MAX_CONSTANT_CSRS = 16
    MSG_LEN = 256

cdef struct CoreState:
    uint32_t x[NUM_XREGS + 1]               # x[SINK] takes the writes to x0
    int64_t pc
    uint32_t csr[NUM_CONFIG_CSRS]           # writable configuration CSRs by SLOT_*
    uint32_t constant[MAX_CONSTANT_CSRS]    # read-only CSRs fixed by the configuration
    uint64_t instret
    int32_t sem[NUM_SEMS]
    int32_t halted
    uint32_t exit_code
    int32_t trap_cause                      # Cause value; 0 while the machine runs
    int64_t trap_pc
    uint64_t trap_word
    uint64_t trap_tval
    int32_t trap_aux                        # index into Code.messages, or -1: trap_message
    char trap_message[MSG_LEN]

cdef struct Env:                            # what the loops read besides the state
    const Insn* code
    uint64_t imem_bytes
    const uint8_t* imem
    Memories mem
    Scratch* scratch
    compute_fn kernels[256]

cdef uint64_t run_functional(CoreState* s, Env* env, uint64_t limit) noexcept nogil

cdef class Core:
    cdef CoreState s
    cdef Env env
    cdef Scratch scratch
    cdef readonly Code code
    cdef object trap_text
    cdef readonly object config, imem, gm, lm, acc

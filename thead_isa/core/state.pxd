# Machine state of the compiled core: registers, engine queues and time, counters, event buffer.
from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t

from .engine cimport MAX_READS, EngineOp, Memories, Region, Scratch, compute_fn
from .isa_tables cimport NUM_CONFIG_CSRS
from .predecode cimport Code, Insn
from .timing cimport TimingParams

cdef enum:
    NUM_XREGS = 32
    NUM_SEMS = 16
    MAX_CONSTANT_CSRS = 16
    MSG_LEN = 256
    NUM_ENGINES = 3             # ME, TE, VE: engine index = OpInfo.engine - 1
    MAX_QUEUE = 256             # the largest queue_depth the configuration allows
    # Event.kind (events.py mirrors these)
    EV_CP = 1
    EV_START = 2
    EV_END = 3
    # CP stall causes (Event.arg, Counters.cp_stall index)
    STALL_NONE = 0
    STALL_QUEUE = 1             # + engine index: queue full
    STALL_SEM = 4
    STALL_DRAIN = 5
    NUM_STALLS = 6

cdef struct CoreState:
    uint32_t x[NUM_XREGS + 1]               # x[SINK] takes the writes to x0
    int64_t pc
    uint32_t csr[NUM_CONFIG_CSRS]           # writable configuration CSRs by SLOT_*
    uint32_t constant[MAX_CONSTANT_CSRS]    # read-only CSRs fixed by the configuration
    uint64_t instret
    uint64_t now                            # cycle mode: the cycle the CP issues at next
    int32_t sem[NUM_SEMS]
    int32_t halted
    uint32_t exit_code
    int32_t trap_cause                      # Cause value; 0 while the machine runs
    int64_t trap_pc
    uint64_t trap_word
    uint64_t trap_tval
    int32_t trap_aux                        # index into Code.messages, or -1: trap_message
    char trap_message[MSG_LEN]

cdef struct Slot:                           # an engine instruction queued or in flight
    EngineOp op
    uint64_t word
    uint64_t seq                            # instret before its dispatch: program order
    uint64_t visible                        # first cycle the engine may start it
    uint64_t ready                          # cycle it reached the head of an idle engine
    uint64_t start
    uint64_t end

cdef struct EngineState:
    Slot queue[MAX_QUEUE]                   # ring buffer of queue_depth entries
    int32_t head
    int32_t count
    int32_t busy                            # `current` is in flight
    Slot current
    uint64_t free_at                        # the cycle its last instruction completed
    Scratch scratch                         # the result of `current` until it commits

cdef struct Counters:
    uint64_t cp_stall[NUM_STALLS]           # CP cycles stalled, by STALL_* cause
    uint64_t insns[NUM_ENGINES]
    uint64_t busy[NUM_ENGINES]
    uint64_t stall_sem[NUM_ENGINES]         # head ready, engine free, semaphore count 0
    uint64_t bytes_read[3]                  # by MEM_* (ACC in bytes)
    uint64_t bytes_written[3]
    uint64_t macs

cdef struct Event:                          # thead_isa/core/events.py: EVENT describes it
    uint64_t t0
    uint64_t t1
    uint64_t t2
    uint64_t word
    uint64_t seq
    uint32_t pc
    uint32_t value
    uint16_t op
    uint8_t kind
    uint8_t unit
    int8_t rd
    int8_t wait
    int8_t sig
    int8_t nreads
    int32_t arg
    int32_t pad
    Region write
    Region reads[MAX_READS]

cdef struct EventBuf:
    Event* ev
    int64_t n
    int64_t cap                             # the loops return to Python once n reaches it
    int64_t alloc                           # allocated: cap plus room for one instruction's events
    int64_t dropped                         # events lost because alloc was reached (never expected)

cdef struct Env:                            # what the loops read and keep besides CoreState
    const Insn* code
    uint64_t imem_bytes
    const uint8_t* imem
    Memories mem
    compute_fn kernels[256]
    EngineState eng[NUM_ENGINES]
    int32_t active                          # engines with an instruction queued or in flight
    int32_t engine_trapped                  # the trap came from an engine (pc, instret: its)
    uint64_t sem_since[NUM_SEMS]            # cycle each nonzero count last rose from 0
    uint64_t last_event                     # cycle of the last engine event processed
    uint64_t cycle_limit                    # cycle mode: no event at or after it is processed
    uint64_t horizon                        # min(cycle_limit, earliest pending engine event)
    TimingParams tp
    Counters cnt
    EventBuf* events                        # NULL unless the run is observed


# The engine framework: dispatch, checks, commit; in cycle mode queues, semaphores and time.
from libc.stdint cimport int64_t, uint32_t, uint64_t

from .predecode cimport Insn
from .state cimport CoreState, Env, Event

cdef enum:
    DONE = 0                    # the condition holds; the CP goes on
    TRAPPED = 1                 # CoreState records a trap
    LIMIT = 2                   # the next event lies at or after Env.cycle_limit

cdef void trap(CoreState* s, const Env* env, int cause, int64_t pc, uint64_t tval) noexcept nogil
cdef Event* emit(Env* env) noexcept nogil
cdef bint exec_engine(CoreState* s, Env* env, const Insn* i, int64_t pc, uint64_t t) noexcept nogil
cdef int dispatch(CoreState* s, Env* env, const Insn* i, int64_t pc, uint64_t seq,
                  uint64_t* now) noexcept nogil
cdef int settle(CoreState* s, Env* env, uint64_t now) noexcept nogil
cdef void update_horizon(const CoreState* s, Env* env) noexcept nogil
cdef uint32_t engine_status(const Env* env) noexcept nogil
cdef int wait_sem(CoreState* s, Env* env, int k, int64_t pc, uint64_t* now) noexcept nogil
cdef int signal_sem(CoreState* s, Env* env, int k, int64_t pc, uint64_t now) noexcept nogil
cdef int drain(CoreState* s, Env* env, uint32_t mask, int64_t pc, uint64_t* now) noexcept nogil

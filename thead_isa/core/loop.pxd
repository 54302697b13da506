# Core, the Python-facing object of the compiled loops (loop.pyx).
from .predecode cimport Code
from .state cimport CoreState, Env, EventBuf


cdef class Core:
    cdef CoreState s
    cdef Env env
    cdef EventBuf buf
    cdef readonly Code code
    cdef object trap_text
    cdef readonly object config, imem, gm, lm, acc, mode
    cdef readonly bint events_pending

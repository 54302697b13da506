# The observation record: what the observed loops emit, as a numpy dtype matching events.pxd.
from __future__ import annotations

import numpy as np

# Event.kind
EV_CP = 1          # a CP instruction retired (engine instructions: dispatched to their queue)
EV_START = 2       # an engine instruction started: semaphore taken, operands read
EV_END = 3         # an engine instruction completed: result written, semaphore signalled

# Event.unit
UNITS = ("cp", "me", "te", "ve")
UNIT_CP, UNIT_ME, UNIT_TE, UNIT_VE = range(4)

# Event.arg of an EV_CP event whose t1 > t0: why the CP waited (0: it did not)
STALL_NONE = 0
STALL_QUEUE_ME = 1     # the engine's queue was full
STALL_QUEUE_TE = 2
STALL_QUEUE_VE = 3
STALL_SEM = 4          # sem.wait on a zero count
STALL_DRAIN = 5        # sync or halt waiting for engines to finish
STALL_CAUSES = ("none", "queue_full_me", "queue_full_te", "queue_full_ve", "sem_wait", "drain")

MEM_NAMES = ("gm", "lm", "acc")      # Region.mem; ACC regions count int32 words

REGION = np.dtype([("mem", "<i4"), ("pad", "<i4"), ("base", "<i8"), ("rows", "<i8"),
                   ("cols", "<i8"), ("stride", "<i8")])
MAX_READS = 4

EVENT = np.dtype([
    ("t0", "<u8"),        # EV_CP: cycle the CP reached the instruction; EV_START: cycle the
                          #   engine was free and the instruction dispatched; EV_END: start cycle
    ("t1", "<u8"),        # EV_CP: issue cycle (t1 - t0 = stall); EV_START: start; EV_END: end
    ("t2", "<u8"),        # EV_CP: cycle the next instruction may issue; else unused (= t1)
    ("word", "<u8"),      # the instruction word
    ("seq", "<u8"),       # program-order number: instret before the instruction retired
    ("pc", "<u4"),
    ("value", "<u4"),     # EV_CP: value written to rd; sync/halt: engine mask waited for
    ("op", "<u2"),        # opcode (bits 7:0 of word)
    ("kind", "u1"),       # EV_*
    ("unit", "u1"),       # UNIT_*
    ("rd", "i1"),         # EV_CP: register written (1..31), -1 for none
    ("wait", "i1"),       # semaphore taken: engine wait=sN at EV_START, sem.wait at EV_CP; -1
    ("sig", "i1"),        # semaphore signalled: engine sig=sN at EV_END, sem.sig at EV_CP; -1
    ("nreads", "i1"),     # valid entries of reads
    ("arg", "<i4"),       # EV_CP: STALL_* cause of t1 - t0
    ("pad", "<i4"),
    ("write", REGION),    # EV_END (engines) and EV_CP stores: the region written (rows 0: none)
    ("reads", REGION, (MAX_READS,)),  # EV_START and EV_CP loads: the regions read
])

# Trap causes: part of the architecture, shared by the reference model and the core.
from __future__ import annotations

import enum


class Cause(enum.IntEnum):
    ILLEGAL_INSTRUCTION = 1    # unassigned opcode, reserved bits, unknown or read-only CSR
    FETCH_FAULT = 2            # pc outside IMEM
    MISALIGNED_FETCH = 3       # jump target not a multiple of 8
    GM_FAULT = 4               # access outside global memory
    LM_FAULT = 5               # access outside the local scratchpad
    ACC_FAULT = 6              # access outside the accumulator buffer
    MISALIGNED_ACCESS = 7      # scalar or int32 LM access not naturally aligned
    BAD_OPERAND = 8            # configuration CSR or parameter outside its documented range
    SEM_DEADLOCK = 9           # a wait that can never be satisfied
    SEM_OVERFLOW = 10          # semaphore count above SEM_MAX
    WATCHDOG = 11              # max_cycles / max_instructions exceeded (emulator only)

    @property
    def label(self) -> str:
        return self.name.lower()


SEM_MAX = 255

CAUSE_DOCS = {
    Cause.ILLEGAL_INSTRUCTION: "the word encodes no instruction, or names an unknown CSR or "
                               "writes a read-only one",
    Cause.FETCH_FAULT: "the pc lies outside IMEM",
    Cause.MISALIGNED_FETCH: "a jump target is not a multiple of 8",
    Cause.GM_FAULT: "a byte accessed lies outside global memory",
    Cause.LM_FAULT: "a byte accessed lies outside the local scratchpad",
    Cause.ACC_FAULT: "a word accessed lies outside the accumulator buffer",
    Cause.MISALIGNED_ACCESS: "a halfword/word access is not naturally aligned",
    Cause.BAD_OPERAND: "an operand or configuration CSR lies outside its documented range",
    Cause.SEM_DEADLOCK: "a semaphore wait can never be satisfied",
    Cause.SEM_OVERFLOW: f"a semaphore count would exceed {SEM_MAX}",
    Cause.WATCHDOG: "the run exceeded max_cycles or max_instructions (emulator only)",
}


class Trap(Exception):
    """Raised by instruction semantics; the machine records it with the pc and stops."""

    def __init__(self, cause: Cause, message: str, tval: int = 0):
        super().__init__(message)
        self.cause = cause
        self.message = message
        self.tval = tval

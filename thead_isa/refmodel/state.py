# Architectural state of one NPU core: registers, CSRs, memories, semaphores, halt and trap.
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..isa.config import HardwareConfig, preset
from ..isa.csrs import CSRS
from ..isa.operands import NUM_SEMS, NUM_XREGS
from ..isa.traps import Cause

MASK32 = 0xFFFFFFFF


def s32(v: int) -> int:
    v &= MASK32
    return v - (1 << 32) if v >> 31 else v


def u32(v: int) -> int:
    return v & MASK32


@dataclass(frozen=True)
class TrapRecord:
    cause: Cause
    pc: int
    word: int
    tval: int
    message: str

    def __str__(self) -> str:
        return f"{self.cause.label} at pc 0x{self.pc:x}: {self.message}"


class MachineState:
    """Everything an instruction can read or write. Registers hold unsigned 32-bit values."""

    def __init__(self, config: HardwareConfig | None = None):
        self.config = config or preset("default")
        c = self.config
        self.x = [0] * NUM_XREGS
        self.pc = 0
        self.csr = {r.number: r.reset for r in CSRS if r.writable}
        self.instret = 0
        self.imem = np.zeros(c.imem_bytes, np.uint8)
        self.gm = np.zeros(c.gm_bytes, np.uint8)
        self.lm = np.zeros(c.lm_bytes, np.uint8)
        self.acc = np.zeros(c.acc_words, np.int32)
        self.sem = [0] * NUM_SEMS
        self.halted = False
        self.exit_code: int | None = None
        self.trap: TrapRecord | None = None

    def get_x(self, i: int) -> int:
        return 0 if i == 0 else self.x[i]

    def set_x(self, i: int, value: int) -> None:
        if i:
            self.x[i] = value & MASK32

    @property
    def stopped(self) -> bool:
        return self.halted or self.trap is not None

    def snapshot(self) -> dict[str, Any]:
        """The complete architectural state, comparable with == (volatile CSRs excluded)."""
        return {
            "x": tuple(self.get_x(i) for i in range(NUM_XREGS)),
            "pc": self.pc,
            "csr": dict(sorted(self.csr.items())),
            "instret": self.instret,
            "imem": self.imem.tobytes(),
            "gm": self.gm.tobytes(),
            "lm": self.lm.tobytes(),
            "acc": self.acc.tobytes(),
            "sem": tuple(self.sem),
            "halted": self.halted,
            "exit_code": self.exit_code,
            "trap": None if self.trap is None else (self.trap.cause, self.trap.pc, self.trap.tval),
        }

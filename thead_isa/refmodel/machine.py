# The reference interpreter: fetch, decode, execute in program order, record halts and traps.
from __future__ import annotations

from typing import Iterable

import numpy as np

from ..isa.config import HardwareConfig
from ..isa.encoding import IllegalInstruction, decode, pack
from ..isa.fields import WORD_BYTES
from ..isa.traps import SEM_MAX, Cause, Trap
from .memory import engine_csrs
from .semantics import load_all
from .state import MachineState, TrapRecord

SEMANTICS = load_all()


class RefMachine:
    """Executable semantics of every instruction, in program order, without timing.

    Engine instructions complete at dispatch; a semaphore wait that finds a zero count can
    never be satisfied later in program order and traps (sem_deadlock).
    """

    def __init__(self, config: HardwareConfig | None = None, state: MachineState | None = None):
        self.state = state or MachineState(config)

    @property
    def config(self) -> HardwareConfig:
        return self.state.config

    def load_program(self, program: bytes | Iterable[int], at: int = 0) -> None:
        data = program if isinstance(program, (bytes, bytearray)) else pack(list(program))
        self.write("imem", at, data)

    def load(self, program) -> None:
        """Load an assembled program (thead_isa.assembler.program.Program): each section into
        its memory at its address; the pc starts at the entry."""
        for sec in program.sections.values():
            if not sec.nobits:
                self.write(sec.memory, sec.addr, bytes(sec.data))
        self.state.pc = program.entry

    def write(self, mem: str, addr: int, data: bytes | np.ndarray) -> None:
        buf = np.frombuffer(bytes(data), np.uint8) if not isinstance(data, np.ndarray) else data
        target = getattr(self.state, mem)
        raw = target.view(np.uint8)
        if addr < 0 or addr + buf.nbytes > raw.nbytes:
            raise ValueError(f"{buf.nbytes} bytes at 0x{addr:x} do not fit {mem.upper()} "
                             f"of {raw.nbytes} bytes")
        raw[addr:addr + buf.nbytes] = buf.view(np.uint8).reshape(-1)

    def read(self, mem: str, addr: int, n: int) -> bytes:
        raw = getattr(self.state, mem).view(np.uint8)
        if addr < 0 or addr + n > raw.nbytes:
            raise ValueError(f"{n} bytes at 0x{addr:x} do not fit {mem.upper()}")
        return raw[addr:addr + n].tobytes()

    def step(self) -> bool:
        """Execute one instruction; False once the machine has halted or trapped."""
        s = self.state
        if s.stopped:
            return False
        pc, word = s.pc, 0
        try:
            if pc + WORD_BYTES > len(s.imem):
                raise Trap(Cause.FETCH_FAULT, f"pc 0x{pc:x} outside IMEM of {len(s.imem)} bytes",
                           tval=pc)
            word = int.from_bytes(s.imem[pc:pc + WORD_BYTES].tobytes(), "little")
            try:
                d = decode(word)
            except IllegalInstruction as e:
                raise Trap(Cause.ILLEGAL_INSTRUCTION, e.reason, tval=word) from None
            fn = SEMANTICS[d.mnemonic]
            if d.insn.engine == "cp":
                nxt = fn(s, d)
            else:
                nxt = None
                _run_engine(s, d, fn)
            s.pc = pc + WORD_BYTES if nxt is None else nxt
            s.instret += 1
        except Trap as t:
            s.trap = TrapRecord(t.cause, pc, word, t.tval, t.message)
        return not s.stopped

    def run(self, max_instructions: int = 10_000_000) -> MachineState:
        """Run until halt or trap, or until max_instructions have executed (then not stopped)."""
        for _ in range(max_instructions):
            if not self.step():
                break
        return self.state


def _run_engine(s: MachineState, d, fn) -> None:
    commit = fn(s, d, engine_csrs(s, d.insn))
    wait, sig = d.values["wait"], d.values["sig"]
    if wait is not None and s.sem[wait] == 0:
        raise Trap(Cause.SEM_DEADLOCK, f"{d.mnemonic} waits on s{wait}, whose count is 0 and "
                                       f"no earlier instruction signals it", tval=wait)
    if sig is not None and s.sem[sig] - (wait == sig) + 1 > SEM_MAX:
        raise Trap(Cause.SEM_OVERFLOW, f"{d.mnemonic} signals s{sig} above {SEM_MAX}", tval=sig)
    commit()
    if wait is not None:
        s.sem[wait] -= 1
    if sig is not None:
        s.sem[sig] += 1

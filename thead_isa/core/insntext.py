# Shared by the observers: instruction text of event words, source lines, and opcode roles.
from __future__ import annotations

from functools import lru_cache

from ..isa.encoding import IllegalInstruction, decode, format_insn
from ..isa.table import BY_MNEMONIC, INSTRUCTIONS
from .events import UNITS

OP_SYNC = BY_MNEMONIC["sync"].opcode
OP_HALT = BY_MNEMONIC["halt"].opcode
OP_SEM_SIG = BY_MNEMONIC["sem.sig"].opcode
OP_SEM_WAIT = BY_MNEMONIC["sem.wait"].opcode
ENGINE_OF_OP = {i.opcode: UNITS.index(i.engine) for i in INSTRUCTIONS if i.engine != "cp"}
ALL_ENGINES = 0b111     # a halt drains every engine


@lru_cache(maxsize=4096)
def disassemble(word: int) -> tuple[str, str]:
    """(mnemonic, canonical text) of an instruction word; `.word 0x...` when it is illegal."""
    try:
        d = decode(int(word))
    except IllegalInstruction:
        return ".word", f".word 0x{int(word):016x}"
    return d.mnemonic, format_insn(d)


def source_of(program, pc: int) -> str | None:
    """'file:line' of the instruction at pc from the program's line table, or None."""
    entry = program.line_of(int(pc)) if program is not None else None
    return f"{entry.file}:{entry.line}" if entry else None

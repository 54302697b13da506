# Bit fields of the 64-bit instruction word: one name per bit range, like riscv-opcodes' arg_lut.
from __future__ import annotations

from dataclasses import dataclass

WORD_BITS = 64
WORD_BYTES = 8


@dataclass(frozen=True)
class Field:
    name: str
    msb: int
    lsb: int

    @property
    def width(self) -> int:
        return self.msb - self.lsb + 1

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    def insert(self, word: int, value: int) -> int:
        return (word & ~self.mask) | ((value << self.lsb) & self.mask)

    def extract(self, word: int) -> int:
        return (word >> self.lsb) & ((1 << self.width) - 1)


# name    msb lsb   role
_LAYOUT = [
    ("op",     7,  0),   # opcode: identifies the instruction
    ("r0",    12,  8),   # first register (rd of scalar instructions)
    ("r1",    17, 13),   # second register
    ("r2",    22, 18),   # third register
    ("r3",    27, 23),   # fourth register
    ("csr",   31, 20),   # CSR number (never used together with r2/r3)
    ("imm32", 63, 32),   # 32-bit immediate / offset of scalar instructions
    ("we",    32, 32),   # engine: wait-on-semaphore enable
    ("ws",    36, 33),   # engine: semaphore waited on (also sem.wait)
    ("se",    37, 37),   # engine: signal-on-completion enable
    ("ss",    41, 38),   # engine: semaphore signalled (also sem.sig)
    ("acc",   42, 42),   # TE: accumulate into ACC instead of overwriting
    ("u",     43, 43),   # TE: A/input operand is uint8; VE: int8 data are uint8
    ("dw",    44, 44),   # TE conv: depthwise
    ("esz",   46, 45),   # ME transpose: log2 of the element size in bytes
]

FIELDS: dict[str, Field] = {name: Field(name, msb, lsb) for name, msb, lsb in _LAYOUT}

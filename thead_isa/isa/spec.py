# Record types of the instruction table: an instruction row, a pseudo-instruction alias.
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .fields import FIELDS, WORD_BITS
from .operands import Operand

ENGINES = ("cp", "me", "te", "ve")
ENGINE_NAMES = {"cp": "command processor", "me": "memory engine",
                "te": "tensor engine", "ve": "vector engine"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Insn:
    mnemonic: str
    opcode: int
    engine: str                  # one of ENGINES
    iclass: str                  # instruction class, e.g. "alu", "dma", "requant"
    syntax: str                  # positional operands, e.g. "{rd}, {off}({rs1})"
    operands: tuple[Operand, ...]
    timing: str                  # timing class the cycle model charges
    semantics: str               # one paragraph, the normative text
    csrs: tuple[str, ...] = ()   # configuration CSRs an engine instruction reads at dispatch

    @property
    def positional(self) -> tuple[Operand, ...]:
        order = _PLACEHOLDER.findall(self.syntax)
        by_name = {o.name: o for o in self.operands}
        return tuple(by_name[n] for n in order)

    @property
    def options(self) -> tuple[Operand, ...]:
        return tuple(o for o in self.operands if o.option)

    def operand(self, name: str) -> Operand:
        for o in self.operands:
            if o.name == name:
                return o
        raise KeyError(f"{self.mnemonic} has no operand {name!r}")

    @property
    def operand_bits(self) -> int:
        """Bits that carry operand values (fields unknown to FIELDS are left to validation)."""
        m = 0
        for o in self.operands:
            for f in o.fields:
                m |= FIELDS[f].mask if f in FIELDS else 0
        return m

    @property
    def mask(self) -> int:
        """Bits fixed by this instruction: the opcode and every bit no operand uses (zero)."""
        return ((1 << WORD_BITS) - 1) & ~self.operand_bits

    @property
    def match(self) -> int:
        return FIELDS["op"].insert(0, self.opcode)

    def syntax_text(self) -> str:
        """The assembly syntax for documentation, options in brackets."""
        text = f"{self.mnemonic} {self.syntax}".rstrip()
        for o in self.options:
            opt = o.name if o.kind.name == "flag" else f"{o.name}=<{o.kind.name}>"
            text += f" [, {opt}]"
        return text


@dataclass(frozen=True)
class Alias:
    """A pseudo-instruction: its syntax and the real instruction it stands for.

    `expand` maps each operand of the target to an alias operand name (str) or a constant.
    The disassembler prints the alias when a decoded instruction matches every constant.
    """

    mnemonic: str
    syntax: str
    target: str
    expand: dict[str, Any] = field(default_factory=dict)
    doc: str = ""

    @property
    def operand_names(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.syntax))

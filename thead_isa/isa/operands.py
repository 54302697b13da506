# Operand kinds: the legal values of each operand, how they map to field bits and how they print.
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .fields import FIELDS, Field


class OperandError(ValueError):
    """A value that the operand kind does not accept; the message names the legal range."""


class IllegalField(Exception):
    """Field bits that encode no legal value of the operand kind."""


@dataclass(frozen=True)
class Kind:
    """A set of legal operand values and their encoding into one or more fields.

    Plain kinds use one field and store the value as the field's two's-complement bits.
    """

    name: str
    lo: int
    hi: int
    align: int = 1
    prefix: str = ""              # register syntax: "x" prints 5 as x5
    doc: str = ""
    nfields: int = 1

    def describe(self) -> str:
        rng = f"[{self.lo}, {self.hi}]"
        if self.prefix:
            return f"{self.prefix}{self.lo}..{self.prefix}{self.hi}"
        if self.align > 1:
            return f"a multiple of {self.align} in the range {rng}"
        return f"an integer in the range {rng}"

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise OperandError(f"{self.name} operand must be an integer, not {value!r}")
        if not self.lo <= value <= self.hi or value % self.align:
            raise OperandError(f"{self.name} operand must be {self.describe()}, not {value}")
        return value

    def encode(self, value: Any, widths: tuple[int, ...]) -> tuple[int, ...]:
        v = self.check(value)
        return (v & ((1 << widths[0]) - 1),)

    def decode(self, raws: tuple[int, ...], widths: tuple[int, ...]) -> Any:
        """Field bits -> value; raises IllegalField when the bits are no legal value."""
        raw, width = raws[0], widths[0]
        v = raw - (1 << width) if self.lo < 0 and raw >> (width - 1) else raw
        if not self.lo <= v <= self.hi or v % self.align:
            raise IllegalField(f"{self.name} field value {v} is not {self.describe()}")
        return v

    def format(self, value: Any) -> str:
        return f"{self.prefix}{value}" if self.prefix else str(value)

    def min_width(self) -> int:
        """Smallest field width that can hold every legal value."""
        if self.lo < 0:
            w = 1
            while not (-(1 << (w - 1)) <= self.lo and self.hi < (1 << w)):
                w += 1
            return w
        return max(1, self.hi.bit_length())


@dataclass(frozen=True)
class EnumKind(Kind):
    """A small set of values stored as their index (e.g. element sizes 1, 2, 4 as 0, 1, 2)."""

    values: tuple[int, ...] = ()

    def describe(self) -> str:
        return "one of " + ", ".join(str(v) for v in self.values)

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or value not in self.values:
            raise OperandError(f"{self.name} operand must be {self.describe()}, not {value!r}")
        return value

    def encode(self, value: Any, widths: tuple[int, ...]) -> tuple[int, ...]:
        return (self.values.index(self.check(value)),)

    def decode(self, raws: tuple[int, ...], widths: tuple[int, ...]) -> Any:
        if raws[0] >= len(self.values):
            raise IllegalField(f"{self.name} field value {raws[0]} is reserved")
        return self.values[raws[0]]

    def min_width(self) -> int:
        return max(1, (len(self.values) - 1).bit_length())


@dataclass(frozen=True)
class FlagKind(Kind):
    """A boolean option written as a bare word (`acc`) when set."""

    def describe(self) -> str:
        return "present or absent"

    def check(self, value: Any) -> int:
        if not isinstance(value, bool):
            raise OperandError(f"{self.name} option must be true or false, not {value!r}")
        return int(value)

    def decode(self, raws: tuple[int, ...], widths: tuple[int, ...]) -> Any:
        return bool(raws[0])

    def min_width(self) -> int:
        return 1


@dataclass(frozen=True)
class SemOptKind(Kind):
    """An optional semaphore (`wait=s3`): an enable bit plus the semaphore number."""

    nfields: int = 2

    def describe(self) -> str:
        return f"s{self.lo}..s{self.hi}"

    def check(self, value: Any) -> int | None:
        if value is None:
            return None
        return Kind.check(self, value)

    def encode(self, value: Any, widths: tuple[int, ...]) -> tuple[int, ...]:
        v = self.check(value)
        return (0, 0) if v is None else (1, v)

    def decode(self, raws: tuple[int, ...], widths: tuple[int, ...]) -> Any:
        enable, sem = raws
        if not enable and sem:
            raise IllegalField(f"{self.name} number s{sem} given without its enable bit")
        return sem if enable else None

    def format(self, value: Any) -> str:
        return f"s{value}"

    def min_width(self) -> int:
        return self.hi.bit_length()


@dataclass(frozen=True)
class CsrKind(Kind):
    """A CSR number; printed by name when the CSR table knows it."""

    names: Callable[[int], str | None] = field(default=lambda n: None, compare=False)

    def format(self, value: Any) -> str:
        return self.names(value) or f"0x{value:03x}"


NUM_XREGS = 32
NUM_SEMS = 16

XREG = Kind("register", 0, NUM_XREGS - 1, prefix="x", doc="general register x0..x31 (x0 reads 0)")
SREG = Kind("semaphore", 0, NUM_SEMS - 1, prefix="s", doc="counting semaphore s0..s15")
IMM32 = Kind("immediate", -(1 << 31), (1 << 31) - 1, doc="signed 32-bit immediate")
UIMM32 = Kind("immediate", -(1 << 31), (1 << 32) - 1,
              doc="any 32-bit constant, written signed or unsigned; stored as its low 32 bits")
SHAMT = Kind("shift amount", 0, 31, doc="shift amount 0..31")
PCREL = Kind("branch offset", -(1 << 31), (1 << 31) - 8, align=8,
             doc="byte offset from this instruction, a multiple of 8")
EMASK = Kind("engine mask", 0, 7, doc="bit 0 = ME, bit 1 = TE, bit 2 = VE")
FLAG = FlagKind("flag", 0, 1, doc="bare word, present or absent")
SEMOPT = SemOptKind("semaphore option", 0, NUM_SEMS - 1, doc="optional semaphore s0..s15")
ESZ = EnumKind("element size", 1, 4, values=(1, 2, 4), doc="element size in bytes: 1, 2 or 4")


@dataclass(frozen=True)
class Operand:
    """One operand of an instruction: a name used in the syntax, its kind and its field(s)."""

    name: str
    kind: Kind
    fields: tuple[str, ...]
    option: bool = False       # written as `name` / `name=value` after the positional operands
    default: Any = None        # value of an absent option

    @property
    def field_objs(self) -> tuple[Field, ...]:
        return tuple(FIELDS[f] for f in self.fields)

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(f.width for f in self.field_objs)

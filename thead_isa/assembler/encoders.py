# Per-form encoders compiled once from the instruction table: base words and operand bit tables.
"""isa.encoding.encode() looks every operand up again for each word it builds. For the fast path
of the assembler (fastmatch.py) each Form is compiled once into:

- a base word: the opcode, the values a pseudo-instruction fixes, and every option's default;
- for each operand, a `Put`: its kind, field widths and bit positions, so a value becomes word
  bits with one call of the table's own `Kind.encode`;
- for registers, semaphores, CSR names and flags, a dict from the operand's written text (`x5`,
  `s3`, `te_m`) to its word bits, built by encoding every legal value once.

Every bit comes from `Kind.encode` and the table's fields, so results equal isa.encode()'s; a
form whose operand fields overlap (where the order of inserts would matter) is not compiled and
takes the general path. tests/assembler/test_fastpath.py checks the equality for every form.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..isa.csrs import BY_NAME as CSR_BY_NAME
from ..isa.fields import FIELDS
from ..isa.operands import (SREG, CsrKind, FlagKind, Operand, OperandError, SemOptKind)

if TYPE_CHECKING:
    from .instructions import Form

REG, VALUE, CSR, MEM = "reg", "value", "csr", "mem"        # slot kinds
FLAG, SEM, OPTVALUE = "flag", "sem", "optvalue"            # option kinds


class Put:
    """How the value of one operand becomes bits of the word."""

    __slots__ = ("name", "kind", "widths", "fields", "mask")

    def __init__(self, op: Operand):
        fields = [FIELDS[f] for f in op.fields]
        self.name, self.kind = op.name, op.kind
        self.widths = tuple(f.width for f in fields)
        self.fields = tuple((f.lsb, f.mask) for f in fields)
        self.mask = 0
        for f in fields:
            self.mask |= f.mask

    def bits(self, value) -> int:
        """The operand's bits for value; raises OperandError as Kind.encode does."""
        word = 0
        for (lsb, mask), raw in zip(self.fields, self.kind.encode(value, self.widths)):
            word |= (raw << lsb) & mask
        return word


def _table(put: Put, names: dict[str, object]) -> dict[str, int]:
    """Written name -> bits, for every name whose value the operand accepts."""
    out = {}
    for text, value in names.items():
        try:
            out[text] = put.bits(value)
        except OperandError:
            pass
    return out


def _registers(put: Put, prefix: str, lo: int, hi: int) -> dict[str, int]:
    return _table(put, {f"{prefix}{i}": i for i in range(lo, hi + 1)})


class Slot:
    """One positional operand: REG (a register name), VALUE (an expression), CSR (a CSR name or
    an expression) or MEM (`off(base)`: `put` is the offset, `names` the base register's)."""

    __slots__ = ("kind", "put", "names", "zero")

    def __init__(self, kind: str, put: Put, names: dict[str, int] | None = None,
                 zero: int | None = None):
        self.kind, self.put, self.names, self.zero = kind, put, names, zero


class Option:
    """One option: FLAG (bare word), SEM (`key=sN`) or OPTVALUE (`key=expr`)."""

    __slots__ = ("kind", "put", "names", "default")

    def __init__(self, kind: str, put: Put, names: dict[str, int] | None, default: int):
        self.kind, self.put, self.names, self.default = kind, put, names, default


class Compiled:
    __slots__ = ("base", "slots", "options")

    def __init__(self, base: int, slots: tuple[Slot, ...], options: dict[str, Option]):
        self.base, self.slots, self.options = base, slots, options


def _value_slot(op: Operand) -> Slot:
    put = Put(op)
    if op.kind.prefix:
        return Slot(REG, put, _registers(put, op.kind.prefix, op.kind.lo, op.kind.hi))
    if isinstance(op.kind, CsrKind):
        return Slot(CSR, put, _table(put, {n: c.number for n, c in CSR_BY_NAME.items()}))
    return Slot(VALUE, put)


def _mem_slot(off: Operand, base: Operand) -> Slot | None:
    if not base.kind.prefix or off.kind.prefix or isinstance(off.kind, CsrKind):
        return None
    put, base_put = Put(off), Put(base)
    names = _registers(base_put, base.kind.prefix, base.kind.lo, base.kind.hi)
    try:
        zero = put.bits(0)                     # `(x2)` is `0(x2)`
    except OperandError:
        zero = None
    return Slot(MEM, put, names, zero)


def _option(op: Operand) -> Option:
    put = Put(op)
    default = put.bits(op.default)
    kind = op.kind
    if isinstance(kind, FlagKind):
        return Option(FLAG, put, {op.name: put.bits(True)}, default)
    if isinstance(kind, SemOptKind):              # written like a semaphore: s0..s15
        return Option(SEM, put, _registers(put, SREG.prefix, kind.lo, kind.hi), default)
    return Option(OPTVALUE, put, None, default)


def compile_form(form: Form) -> Compiled | None:
    """The compiled encoder of a form, or None when the form must take the general path."""
    insn = form.insn
    fields = [f for o in insn.operands for f in o.fields] + ["op"]
    if len(set(fields)) != len(fields) or any(
            FIELDS[a].mask & FIELDS[b].mask for i, a in enumerate(fields) for b in fields[i + 1:]):
        return None
    written = {form.operands[n].name for s in form.slots for n in s.names}
    if written | set(form.fixed) | set(form.options) != {o.name for o in insn.operands}:
        return None
    base = insn.match
    try:
        for name, value in form.fixed.items():
            base |= Put(insn.operand(name)).bits(value)
        options = {name: _option(op) for name, op in form.options.items()}
    except OperandError:
        return None
    for opt in options.values():
        base |= opt.default
    slots = []
    for s in form.slots:
        if s.mem:
            slot = _mem_slot(form.operands[s.names[0]], form.operands[s.names[1]])
            if slot is None:
                return None
        else:
            slot = _value_slot(form.operands[s.names[0]])
        slots.append(slot)
    return Compiled(base, tuple(slots), options)

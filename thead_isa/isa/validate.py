# Table validation in the manner of riscv-opcodes: fit, double-assigned bits, overlaps, kinds.
from __future__ import annotations

from typing import Iterable

from .csrs import BY_NAME as CSR_BY_NAME
from .fields import FIELDS, WORD_BITS, Field
from .operands import OperandError
from .spec import _PLACEHOLDER, ENGINES, Alias, Insn


class TableError(ValueError):
    """The instruction table is inconsistent; the message lists every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid instruction table:\n  " + "\n  ".join(problems))
        self.problems = problems


def check_fields(fields: Iterable[Field]) -> list[str]:
    out = []
    for f in fields:
        if not 0 <= f.lsb <= f.msb < WORD_BITS:
            out.append(f"field {f.name} [{f.msb}:{f.lsb}] does not fit a {WORD_BITS}-bit word")
    return out


def check_insn(i: Insn) -> list[str]:
    out = []
    where = f"{i.mnemonic}:"
    if i.engine not in ENGINES:
        out.append(f"{where} engine {i.engine!r} is not one of {', '.join(ENGINES)}")
    if not 0 <= i.opcode < 1 << FIELDS["op"].width:
        out.append(f"{where} opcode {i.opcode:#x} does not fit the op field")
    if i.opcode == 0:
        out.append(f"{where} opcode 0 is reserved so that a zero word is illegal")
    if not i.semantics.strip() or not i.timing or not i.iclass:
        out.append(f"{where} semantics, timing class and instruction class are all required")
    seen_bits = {b: "op" for b in range(FIELDS["op"].lsb, FIELDS["op"].msb + 1)}
    names = set()
    for o in i.operands:
        if o.name in names:
            out.append(f"{where} operand {o.name!r} declared twice")
        names.add(o.name)
        if len(o.fields) != o.kind.nfields:
            out.append(f"{where} operand {o.name} has {len(o.fields)} fields, its kind "
                       f"{o.kind.name!r} needs {o.kind.nfields}")
            continue
        for fname in o.fields:
            f = FIELDS.get(fname)
            if f is None:
                out.append(f"{where} operand {o.name} uses unknown field {fname!r}")
                continue
            for b in range(f.lsb, f.msb + 1):
                if b in seen_bits:
                    out.append(f"{where} bit {b} assigned twice ({seen_bits[b]} and {o.name})")
                    break
                seen_bits[b] = o.name
        if all(fn in FIELDS for fn in o.fields) and o.kind.min_width() > o.widths[-1]:
            out.append(f"{where} operand {o.name} ({o.kind.describe()}) needs "
                       f"{o.kind.min_width()} bits, field {o.fields[-1]} has {o.widths[-1]}")
        if o.option:
            try:
                o.kind.check(o.default)
            except OperandError as e:
                out.append(f"{where} option {o.name} default: {e}")
    placeholders = _PLACEHOLDER.findall(i.syntax)
    positional = [o.name for o in i.operands if not o.option]
    if sorted(placeholders) != sorted(positional):
        out.append(f"{where} syntax {i.syntax!r} must name each positional operand once "
                   f"({', '.join(positional) or 'none'})")
    for c in i.csrs:
        if c not in CSR_BY_NAME or not CSR_BY_NAME[c].writable:
            out.append(f"{where} reads {c!r}, which is not a configuration CSR")
    return out


def overlaps(a: Insn, b: Insn) -> bool:
    """True when some word matches both instructions' fixed bits."""
    common = a.mask & b.mask
    return (a.match ^ b.match) & common == 0


def check_alias(a: Alias, by_mnemonic: dict[str, Insn]) -> list[str]:
    where = f"alias {a.mnemonic}:"
    target = by_mnemonic.get(a.target)
    if target is None:
        return [f"{where} target {a.target!r} is not an instruction"]
    out = []
    if a.mnemonic in by_mnemonic:
        out.append(f"{where} shadows the instruction of the same name")
    required = {o.name for o in target.operands if not o.option}
    if not required <= set(a.expand) or not set(a.expand) <= {o.name for o in target.operands}:
        out.append(f"{where} must give every operand of {a.target} "
                   f"({', '.join(sorted(required))}) and no other")
    mapped = {v for v in a.expand.values() if isinstance(v, str)}
    if set(a.operand_names) != mapped:
        out.append(f"{where} syntax {a.syntax!r} and expansion name different operands")
    for k, v in a.expand.items():
        if isinstance(v, str) or k not in {o.name for o in target.operands}:
            continue
        try:
            target.operand(k).kind.check(v)
        except OperandError as e:
            out.append(f"{where} constant for {k}: {e}")
    return out


def validate(instructions: Iterable[Insn], aliases: Iterable[Alias] = (),
             fields: Iterable[Field] = ()) -> list[str]:
    """Every problem in the table, as readable lines; an empty list means the table is valid."""
    insns = list(instructions)
    out = check_fields(fields or FIELDS.values())
    by_mn: dict[str, Insn] = {}
    for i in insns:
        if i.mnemonic in by_mn:
            out.append(f"{i.mnemonic}: mnemonic defined twice")
        by_mn[i.mnemonic] = i
        out += check_insn(i)
    for n, a in enumerate(insns):
        for b in insns[n + 1:]:
            if overlaps(a, b):
                out.append(f"{a.mnemonic} and {b.mnemonic} overlap: a word can match both")
    for al in aliases:
        out += check_alias(al, by_mn)
    return out


def check_table() -> None:
    from .table import ALIASES, INSTRUCTIONS
    problems = validate(INSTRUCTIONS, ALIASES)
    if problems:
        raise TableError(problems)

# Instruction operands checked against the ISA table: positional slots from Insn.syntax, options.
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable

from ..isa.csrs import BY_NAME as CSR_BY_NAME
from ..isa.encoding import encode
from ..isa.operands import (PCREL, SREG, CsrKind, FlagKind, Kind, Operand, OperandError,
                            SemOptKind)
from ..isa.spec import Insn
from ..isa.table import ALIAS_BY_MNEMONIC, BY_MNEMONIC
from .diagnostics import suggest
from .expressions import Expr, Name, Num, Paren, Value
from .syntax import ExprOperand, MemOperand, OptionOperand
from .symbols import REGISTERS

_SINGLE = re.compile(r"\{(\w+)\}")
_MEM = re.compile(r"\{(\w+)\}\(\{(\w+)\}\)")


class MatchError(Exception):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.message, self.pos = message, pos


@dataclass(frozen=True)
class Slot:
    names: tuple[str, ...]     # ("rd",) or ("off", "rs1") for a memory operand off(rs1)

    @property
    def mem(self) -> bool:
        return len(self.names) == 2


@dataclass(frozen=True)
class Form:
    """How one mnemonic is written: an instruction, or a pseudo-instruction (table alias) of one."""

    mnemonic: str
    insn: Insn                 # the instruction that is encoded
    slots: tuple[Slot, ...]
    operands: dict[str, Operand]   # written operand name -> operand of insn (kind, fields)
    fixed: dict[str, Any]      # operand values of insn that an alias fixes
    options: dict[str, Operand]
    syntax: str                # for messages: "lw rd, off(rs1)"


def _slots(syntax: str) -> tuple[Slot, ...]:
    out = []
    for part in filter(None, (p.strip() for p in syntax.split(","))):
        m = _SINGLE.fullmatch(part) or _MEM.fullmatch(part)
        if m is None:
            raise ValueError(f"unsupported operand syntax {part!r} in the instruction table")
        out.append(Slot(m.groups()))
    return tuple(out)


def _form(mnemonic: str, insn: Insn, syntax: str, expand: dict[str, Any] | None) -> Form:
    slots = _slots(syntax)
    if expand is None:
        ops = {o.name: o for o in insn.operands if not o.option}
        fixed: dict[str, Any] = {}
        options = {o.name: o for o in insn.options}
    else:
        ops = {alias: insn.operand(target) for target, alias in expand.items()
               if isinstance(alias, str)}
        fixed = {t: v for t, v in expand.items() if not isinstance(v, str)}
        options = {o.name: o for o in insn.options if o.name not in expand}
    shown = _SINGLE.sub(r"\1", syntax)
    return Form(mnemonic, insn, slots, ops, fixed, options, f"{mnemonic} {shown}".rstrip())


def _forms() -> dict[str, Form]:
    forms = {m: _form(m, i, i.syntax, None) for m, i in BY_MNEMONIC.items()}
    for m, a in ALIAS_BY_MNEMONIC.items():
        forms[m] = _form(m, BY_MNEMONIC[a.target], a.syntax, a.expand)
    return forms


FORMS: dict[str, Form] = _forms()


def unknown_mnemonic(name: str) -> str:
    return f"unknown instruction '{name}'{suggest(name, FORMS)}"


@dataclass
class Pending:
    """An operand whose value is an expression, evaluated once every symbol is known."""

    name: str                  # operand name of the encoded instruction
    kind: Kind
    expr: Expr
    pos: int
    put: Any = None            # encoders.Put, when the fast path (fastmatch.py) made it


def _register(kind: Kind, e: Expr, pos: int) -> int:
    """A register or semaphore written as a bare name (x5, s3)."""
    if type(e) is Name:
        table = _NUMBERS.get((kind.prefix, kind.lo, kind.hi))
        if table is None:
            table = _NUMBERS[kind.prefix, kind.lo, kind.hi] = {
                f"{kind.prefix}{i}": i for i in range(kind.lo, kind.hi + 1)}
        number = table.get(e.name)
        if number is not None:
            return number
        raise MatchError(f"expected a {kind.name} {kind.describe()}, found '{e.name}'"
                         f"{suggest(e.name, table, 1)}", pos)
    if isinstance(e, Num):
        raise MatchError(f"expected a {kind.name} {kind.describe()}, found the number {e.value}",
                         pos)
    raise MatchError(f"expected a {kind.name} {kind.describe()}", pos)


_NUMBERS: dict[tuple[str, int, int], dict[str, int]] = {}


def _article(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _value_slot(name: str, op: Operand, e: Expr, pos: int, values: dict, pending: list,
                is_symbol: Callable[[str], bool]) -> None:
    kind = op.kind
    if kind.prefix:
        values[name] = _register(kind, e, pos)
        return
    if isinstance(e, Name) and e.name in REGISTERS:
        raise MatchError(f"expected {_article(kind.name)}, found register '{e.name}'", pos)
    if isinstance(kind, CsrKind) and isinstance(e, Name):
        if e.name in CSR_BY_NAME:
            values[name] = CSR_BY_NAME[e.name].number
            return
        if not is_symbol(e.name):
            raise MatchError(f"unknown CSR '{e.name}'{suggest(e.name, CSR_BY_NAME)}", pos)
    pending.append(Pending(name, kind, e, pos))


def match(form: Form, operands: tuple, name_pos: int,
          is_symbol: Callable[[str], bool]) -> tuple[dict[str, Any], list[Pending]]:
    """Operand values known now (registers, flags, CSR names) and the expressions still to
    evaluate; raises MatchError naming the operand and its legal values. A bare name in a CSR
    operand must be a CSR or a symbol defined before (is_symbol)."""
    values: dict[str, Any] = {}
    pending: list[Pending] = []
    nslots = len(form.slots)
    if len(operands) < nslots or any(isinstance(o, OptionOperand) for o in operands[:nslots]):
        at = next((o.pos for o in operands[:nslots] if isinstance(o, OptionOperand)), name_pos)
        raise MatchError(f"too few operands for '{form.mnemonic}' (expected: {form.syntax})", at)
    for slot, opnd in zip(form.slots, operands):
        if slot.mem:
            off_name, base_name = slot.names
            if isinstance(opnd, MemOperand):
                off, base = opnd.offset, opnd.base
            elif isinstance(opnd, ExprOperand) and isinstance(opnd.expr, Paren):
                off, base = Num(0, opnd.pos), opnd.expr.inner
            else:
                raise MatchError(f"expected a memory operand {off_name}({base_name})", opnd.pos)
            values[base_name] = _register(form.operands[base_name].kind, base, base.pos)
            _value_slot(off_name, form.operands[off_name], off, opnd.pos, values, pending,
                        is_symbol)
            continue
        name = slot.names[0]
        op = form.operands[name]
        if isinstance(opnd, MemOperand):
            raise MatchError(f"expected {_describe(op)}, found a memory operand", opnd.pos)
        if not isinstance(opnd, ExprOperand):
            raise MatchError(f"expected {_describe(op)}", opnd.pos)
        _value_slot(name, op, opnd.expr, opnd.pos, values, pending, is_symbol)
    _options(form, operands[nslots:], values, pending, is_symbol)
    return values, pending


def _describe(op: Operand) -> str:
    kind = op.kind
    if kind.prefix:
        return f"a {kind.name} {kind.describe()}"
    return f"{_article(kind.name)} ({op.name})"


def _option_syntax(name: str, op: Operand) -> str:
    if isinstance(op.kind, FlagKind):
        return name
    if isinstance(op.kind, SemOptKind):
        return f"{name}={op.kind.describe()}"
    return f"{name}=<{op.kind.name}>"


def _option_list(form: Form) -> str:
    return ", ".join(_option_syntax(n, o) for n, o in form.options.items())


def _options(form: Form, extra: tuple, values: dict, pending: list,
             is_symbol: Callable[[str], bool]) -> None:
    seen: set[str] = set()
    for opnd in extra:
        if isinstance(opnd, OptionOperand):
            key, value = opnd.key, opnd.value
        elif isinstance(opnd, ExprOperand) and isinstance(opnd.expr, Name):
            key, value = opnd.expr.name, None
        else:
            key = value = None
        if key is None or key not in form.options:
            if not form.options:
                raise MatchError(f"too many operands for '{form.mnemonic}' "
                                 f"(expected: {form.syntax})", opnd.pos)
            what = f"unknown option '{key}'" if key else "unexpected operand"
            hint = suggest(key, form.options) if key else ""
            raise MatchError(f"{what} for '{form.mnemonic}'{hint} "
                             f"(options: {_option_list(form)})", opnd.pos)
        if key in seen:
            raise MatchError(f"option '{key}' is given more than once", opnd.pos)
        seen.add(key)
        op = form.options[key]
        if isinstance(op.kind, FlagKind):
            if value is not None:
                raise MatchError(f"option '{key}' takes no value", opnd.pos)
            values[key] = True
        elif value is None:
            raise MatchError(f"option '{key}' needs a value: {_option_syntax(key, op)}", opnd.pos)
        elif isinstance(op.kind, SemOptKind):
            sem = replace(SREG, lo=op.kind.lo, hi=op.kind.hi)      # written like a semaphore
            values[key] = _register(sem, value, value.pos)
        else:
            _value_slot(key, op, value, value.pos, values, pending, is_symbol)


def encode_word(form: Form, values: dict[str, Any]) -> int:
    return encode(form.insn, **form.fixed, **values)


def resolve(p: Pending, v: Value, pc: int, address, code_memory: str) -> int:
    """The integer an operand gets from the value of its expression. Branch offsets (PCREL) follow
    LLVM: an absolute value is the offset itself, an address is a target (offset = target - pc).
    Other operands take absolute values, and an address is its location in its memory.
    `address(v)` -> (memory, absolute address). Raises OperandError (message names the range)."""
    if p.kind is PCREL:
        if v.section is None:
            return p.kind.check(v.value)
        memory, target = address(v)
        if memory != code_memory:
            raise OperandError(f"branch target is in section '{v.section}', not in code (IMEM)")
        return p.kind.check(target - pc)
    return p.kind.check(v.value if v.section is None else address(v)[1])

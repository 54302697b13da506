# Conditional assembly: .if/.ifdef/.ifndef/.ifeq.../.ifb/.ifc, .elseif, .else, .endif.
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .expressions import Name
from .syntax import ExprOperand
from .macros import split_args
from .source import Stmt

if TYPE_CHECKING:
    from .assemble import Assembler

_COMPARE = {
    ".if": lambda v: v != 0, ".ifne": lambda v: v != 0, ".ifeq": lambda v: v == 0,
    ".ifgt": lambda v: v > 0, ".ifge": lambda v: v >= 0, ".iflt": lambda v: v < 0,
    ".ifle": lambda v: v <= 0, ".elseif": lambda v: v != 0,
}
OPENERS = (frozenset(_COMPARE) - {".elseif"}) | {
    ".ifdef", ".ifndef", ".ifnotdef", ".ifb", ".ifnb", ".ifc", ".ifnc"}
CONDITIONALS = OPENERS | {".elseif", ".else", ".endif"}


@dataclass
class Cond:
    active: bool               # this branch is being assembled
    taken: bool                # some branch of this .if has been assembled (or must not be)
    outer: bool                # the enclosing region is being assembled
    has_else: bool
    stmt: Stmt
    name: str
    pos: int


def _condition(asm: Assembler, stmt: Stmt, name: str, pos: int, end: int) -> bool | None:
    """The truth of a conditional's operand (None after an error, which counts as false)."""
    rest = stmt.text[end:]
    if name in (".ifb", ".ifnb"):
        return (rest.strip() == "") == (name == ".ifb")
    if name in (".ifc", ".ifnc"):
        parts = split_args(rest, end)
        if len(parts) != 2:
            asm.error(stmt, pos, f"{name} needs two comma-separated strings")
            return None
        return (parts[0][0] == parts[1][0]) == (name == ".ifc")
    st = asm.parse(stmt)
    if st is None:
        return None
    if len(st.operands) != 1:
        asm.error(stmt, st.operands[1].pos if st.operands else pos,
                  f"{name} needs {'one operand' if not st.operands else 'exactly one operand'}")
        return None
    o = st.operands[0]
    if name in (".ifdef", ".ifndef", ".ifnotdef"):
        if not (isinstance(o, ExprOperand) and isinstance(o.expr, Name)):
            asm.error(stmt, o.pos, "expected a symbol name")
            return None
        return asm.symbols.is_defined(o.expr.name) == (name == ".ifdef")
    if not isinstance(o, ExprOperand):
        asm.error(stmt, o.pos, "expected an expression")
        return None
    v = asm.absolute(stmt, o.expr)
    return None if v is None else _COMPARE[name](v)


def handle(asm: Assembler, stmt: Stmt, name: str, pos: int, end: int) -> None:
    conds = asm.conds
    active = not conds or conds[-1].active
    if name in OPENERS:
        ok = _condition(asm, stmt, name, pos, end) if active else False
        conds.append(Cond(bool(ok), bool(ok) or not active, active, False, stmt, name, pos))
        return
    if not conds:
        asm.error(stmt, pos, f"'{name}' without '.if'")
        return
    top = conds[-1]
    if name == ".endif":
        conds.pop()
    elif top.has_else:
        asm.error(stmt, pos, f"'{name}' after '.else'")
        top.active = False
    elif name == ".else":
        top.has_else = True
        top.active = top.outer and not top.taken
        top.taken = True
    else:                                  # .elseif
        ok = _condition(asm, stmt, name, pos, end) if top.outer and not top.taken else False
        top.active = bool(ok)
        top.taken = top.taken or bool(ok)

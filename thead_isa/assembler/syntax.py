# Syntax nodes of one statement: labels, the mnemonic or directive, operands (offsets, not columns).
"""Parsed statements are remembered and shared (grammar.py, quickparse.py): nodes are never
modified after they are built. They are plain (not frozen) dataclasses because building frozen
ones costs four times as much, and the assembler builds one or more for every source line."""
from __future__ import annotations

from dataclasses import dataclass

from .expressions import Expr


@dataclass(slots=True)
class Label:
    name: str                  # "loop", or "1" for a local numeric label
    pos: int
    local: bool = False


@dataclass(slots=True)
class ExprOperand:
    expr: Expr
    pos: int
    end: int


@dataclass(slots=True)
class MemOperand:              # off(base)
    offset: Expr
    base: Expr
    pos: int
    end: int


@dataclass(slots=True)
class OptionOperand:           # key=value
    key: str
    value: Expr
    pos: int
    end: int


@dataclass(slots=True)
class StringOperand:
    value: bytes
    pos: int
    end: int


@dataclass(slots=True)
class TypeOperand:             # @nobits
    name: str
    pos: int
    end: int


Operand = ExprOperand | MemOperand | OptionOperand | StringOperand | TypeOperand


@dataclass(slots=True)
class Statement:
    labels: tuple[Label, ...]
    name: str | None           # mnemonic, directive, or the symbol of `sym = expr`
    name_pos: int
    operands: tuple[Operand, ...] = ()
    assign: Expr | None = None  # the expression of `sym = expr`

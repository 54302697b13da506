# A fast path for the commonest statement shapes; it must build exactly what the grammar builds.
"""Most lines are `[label:] mnemonic op, op, ...` with registers, numbers, symbols, `off(reg)`
and `key=value` operands. Lark's LALR parser costs about 0.3 ms per such line in CPython; this
recognizer costs a few microseconds. It returns None for anything else (and for every error), so
the grammar in grammar.py stays the definition of the syntax and the source of every message;
tests/assembler/test_grammar.py checks that both agree on random statements."""
from __future__ import annotations

import re

from .expressions import Dot, Expr, LocalRef, Name, Num, Paren, Unary
from .literals import LiteralError, int_value
from .syntax import ExprOperand, Label, MemOperand, OptionOperand, Statement

_WS = r"[ \t\f\v\r]*"
_NAME = r"[A-Za-z_.$][A-Za-z0-9_.$]*"
_INT = r"[0-9][A-Za-z0-9_]*"
_LABEL = re.compile(rf"{_WS}({_NAME}|{_INT}){_WS}:")
_HEAD = re.compile(rf"{_WS}({_NAME})")
_ATOM = rf"(-?){_WS}({_NAME}|{_INT})"
_PLAIN = re.compile(rf"{_WS}{_ATOM}{_WS}$")
_MEM = re.compile(rf"{_WS}(?:{_ATOM})?{_WS}(\(){_WS}({_NAME}){_WS}\){_WS}$")
_OPTION = re.compile(rf"{_WS}({_NAME}){_WS}=(?!=){_WS}({_NAME}|{_INT}){_WS}$")
_SIMPLE_CHARS = re.compile(r"[^\"'#;@~!|&^*/%<>+]*")


def _atom(text: str, pos: int) -> Expr | None:
    if text[0].isdigit():
        try:
            kind, value = int_value(text)
        except LiteralError:
            return None
        return Num(value, pos) if kind == "int" else LocalRef(value[0], value[1], pos)
    return Dot(pos) if text == "." else Name(text, pos)


def _signed(m: re.Match, sign: int, atom: int, base: int) -> Expr | None:
    node = _atom(m.group(atom), base + m.start(atom))
    if node is not None and m.group(sign):
        node = Unary("-", node, base + m.start(sign))
    return node


def _operand(text: str, base: int):
    m = _PLAIN.match(text)
    if m:
        e = _signed(m, 1, 2, base)
        return None if e is None else ExprOperand(e, e.pos, base + m.end(2))
    m = _MEM.match(text)
    if m:
        reg = _atom(m.group(4), base + m.start(4))
        if reg is None or (m.group(1) and not m.group(2)):
            return None
        end = base + m.end(4) + text[m.end(4):].index(")") + 1
        if m.group(2) is None:
            paren = Paren(reg, base + m.start(3))
            return ExprOperand(paren, paren.pos, end)
        off = _signed(m, 1, 2, base)
        return None if off is None else MemOperand(off, reg, off.pos, end)
    m = _OPTION.match(text)
    if m:
        value = _atom(m.group(2), base + m.start(2))
        if value is None:
            return None
        return OptionOperand(m.group(1), value, base + m.start(1), base + m.end(2))
    return None


def quick_parse(text: str):
    """The Statement the grammar would build for text, or None if text is not simple."""
    if not _SIMPLE_CHARS.fullmatch(text):
        return None
    labels = []
    pos = 0
    while True:
        m = _LABEL.match(text, pos)
        if m is None:
            break
        name = m.group(1)
        if name[0].isdigit():
            if not name.isdigit():
                return None
            labels.append(Label(str(int(name)), m.start(1), True))
        else:
            labels.append(Label(name, m.start(1)))
        pos = m.end()
    m = _HEAD.match(text, pos)
    if m is None:
        return Statement(tuple(labels), None, 0) if not text[pos:].strip(" \t\f\v\r") else None
    name, name_pos, rest_at = m.group(1), m.start(1), m.end()
    rest = text[rest_at:]
    if not rest.strip(" \t\f\v\r"):
        return Statement(tuple(labels), name, name_pos)
    if rest.lstrip(" \t\f\v\r").startswith(("=", ":")):
        return None
    operands = []
    at = rest_at
    for piece in rest.split(","):
        o = _operand(piece, at)
        if o is None:
            return None
        operands.append(o)
        at += len(piece) + 1
    return Statement(tuple(labels), name, name_pos, tuple(operands))

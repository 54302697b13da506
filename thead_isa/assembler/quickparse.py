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
_BLANK = " \t\f\v\r"
_NAME = r"[A-Za-z_.$][A-Za-z0-9_.$]*"
_INT = r"[0-9][A-Za-z0-9_]*"
_LABEL = re.compile(rf"{_WS}({_NAME}|{_INT}){_WS}:")
_HEAD = re.compile(rf"{_WS}({_NAME})")
_ATOM = rf"(-?){_WS}({_NAME}|{_INT})"
_PLAIN = re.compile(rf"{_WS}{_ATOM}{_WS}$")
_MEM = re.compile(rf"{_WS}(?:{_ATOM})?{_WS}(\(){_WS}({_NAME}){_WS}\){_WS}$")
_OPTION = re.compile(rf"{_WS}({_NAME}){_WS}=(?!=){_WS}({_NAME}|{_INT}){_WS}$")
_SIMPLE_CHARS = re.compile(r"[^\"'#;@~!|&^*/%<>+]*")
_NOT_SIMPLE = "\"'#;@~!|&^*/%<>+"
# no labels, a name, then nothing or simple operands (not `name = ...` / `name:`): the commonest
_WHOLE_NAME = r"[A-Za-z_.$][A-Za-z0-9_.$]*+"     # possessive: never a name's first part
_TAIL = rf"(?:{_WS}([^{_NOT_SIMPLE}=: \t\f\v\r][^{_NOT_SIMPLE}]*))?{_WS}"
_UNLABELLED = re.compile(rf"{_WS}({_WHOLE_NAME}){_TAIL}")
# one label (a name or decimal digits), then nothing or a statement as above
_LABELLED = re.compile(rf"{_WS}({_WHOLE_NAME}|[0-9]++){_WS}:{_WS}(?:({_WHOLE_NAME}){_TAIL})?")


def _atom(text: str, pos: int) -> Expr | None:
    if text[0] in "123456789" and len(text) < 19 and text.isdigit():
        return Num(int(text), pos)         # int_value's answer for a short decimal, sooner
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


_MEMO: dict[tuple[str, int], object] = {}       # (operand text, offset) -> operand or None
_MEMO_LIMIT = 1 << 16


def _cached_operand(piece: str, at: int):
    """_operand, remembered: nodes are never modified, and registers, small numbers and symbols
    recur at the same offsets from line to line."""
    key = (piece, at)
    try:
        return _MEMO[key]
    except KeyError:
        pass
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    o = _MEMO[key] = _operand(piece, at)
    return o


def clear_operands() -> None:
    _MEMO.clear()


def quick_parse(text: str):
    """The Statement the grammar would build for text, or None if text is not simple."""
    m = _UNLABELLED.fullmatch(text)
    if m is not None:                  # what the general code below finds for such text, sooner
        if m.group(2) is None:
            return Statement((), m.group(1), m.start(1))
        return _with_operands((), m.group(1), m.start(1), text, m.end(1))
    m = _LABELLED.fullmatch(text)
    if m is not None:                  # the same, after one label
        label = m.group(1)
        at = m.start(1)
        labels = (Label(str(int(label)), at, True) if label[0].isdigit() else Label(label, at),)
        if m.group(2) is None:
            return Statement(labels, None, 0)
        if m.group(3) is None:
            return Statement(labels, m.group(2), m.start(2))
        return _with_operands(labels, m.group(2), m.start(2), text, m.end(2))
    else:
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
            return Statement(tuple(labels), None, 0) if not text[pos:].strip(_BLANK) else None
        name, name_pos, rest_at = m.group(1), m.start(1), m.end()
    rest = text[rest_at:]
    if not rest.strip(_BLANK):
        return Statement(tuple(labels), name, name_pos)
    if rest.lstrip(_BLANK)[0] in "=:":
        return None
    return _with_operands(tuple(labels), name, name_pos, text, rest_at)


def _with_operands(labels: tuple, name: str, name_pos: int, text: str, at: int):
    """The Statement with the operands in text[at:] (comma-separated), or None."""
    operands = []
    memo = _MEMO
    for piece in text[at:].split(","):
        o = memo.get((piece, at), memo)                    # _cached_operand, inline
        if o is memo:
            o = _cached_operand(piece, at)
        if o is None:
            return None
        operands.append(o)
        at += len(piece) + 1
    return Statement(labels, name, name_pos, tuple(operands))

# A fast path for the commonest statement shapes; it must build exactly what the grammar builds.
"""Most lines are `[label:] mnemonic op, op, ...` with registers, numbers, symbols, `off(reg)`
and `key=value` operands. Lark's LALR parser costs about 0.3 ms per such line in CPython; this
recognizer costs a few microseconds. It returns None for anything else (and for every error), so
the grammar in grammar.py stays the definition of the syntax and the source of every message;
tests/assembler/test_grammar.py checks that both agree on random statements."""
from __future__ import annotations

import re

from .expressions import Binary, Dot, Expr, LocalRef, Name, Num, Paren, Unary
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
        labels = (Label(label.lstrip("0") or "0", at, True) if label[0].isdigit()
                  else Label(label, at),)
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
                labels.append(Label(name.lstrip("0") or "0", m.start(1), True))
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


# ---- statements whose operands are expressions with operators ------------------------------------
# `.equ SIZE, 4 * 8 + 2`, `x = a - b`, `li x1, K << 2`: without this, each costs 0.2-0.3 ms in
# Lark's LALR driver (its layered expression rules mean several reductions per token). The parser
# below accepts a subset of the grammar (grammar.py) -- a name, then expression operands or
# `= expr` -- whose expressions use atoms, unary + - ~, parentheses and the binary operators
# + - | & ^ * / % << >>, and builds exactly the nodes the grammar's transformer builds (same
# precedence levels, left-associative, same offsets). Anything else, and every error, gives None
# and the grammar runs (and reports). tests/assembler/test_fastpath.py checks it against Lark.

_XTOKEN = re.compile(rf"{_WS}(?:({_NAME})|({_INT})|(<<|>>|[-+*/%&|^~(),=]))")
_XLEVEL = {"+": 1, "-": 1, "|": 2, "&": 2, "^": 2, "*": 3, "/": 3, "%": 3, "<<": 3, ">>": 3}
_XUNARY = frozenset("+-~")
_XMAX_TOKENS = 100             # far below grammar.MAX_DEPTH: no depth error can arise here


class _NotQuick(Exception):
    pass


def _xtokens(text: str) -> list | None:
    """(kind, text, start, end) tokens: kind "N" (name), "I" (integer) or the operator itself."""
    out = []
    pos, n = 0, len(text)
    match = _XTOKEN.match
    while True:
        m = match(text, pos)
        if m is None:
            return out if not text[pos:].strip(_BLANK) else None
        if m.lastindex == 1:
            out.append(("N", m.group(1), m.start(1), m.end(1)))
        elif m.lastindex == 2:
            out.append(("I", m.group(2), m.start(2), m.end(2)))
        else:
            op, end = m.group(3), m.end(3)
            if end < n and ((op == "|" and text[end] == "|") or (op == "&" and text[end] == "&")
                            or (op == "=" and text[end] == "=")):
                return None                    # || && ==: operators this parser leaves alone
            out.append((op, op, m.start(3), end))
        pos = m.end()
        if len(out) > _XMAX_TOKENS:
            return None


class _XParser:
    __slots__ = ("toks", "i")

    def __init__(self, toks: list):
        self.toks, self.i = toks, 0

    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def binary(self, level: int) -> tuple[Expr, int]:
        """An expression of precedence `level` or tighter: (node, offset after its last token)."""
        if level > 3:
            return self.unary()
        left, end = self.binary(level + 1)
        toks = self.toks
        while self.i < len(toks) and _XLEVEL.get(toks[self.i][0]) == level:
            op, _, pos, _ = toks[self.i]
            self.i += 1
            right, end = self.binary(level + 1)
            left = Binary(op, left, right, pos)
        return left, end

    def unary(self) -> tuple[Expr, int]:
        if self.i >= len(self.toks):
            raise _NotQuick
        kind, text, start, end = self.toks[self.i]
        self.i += 1
        if kind in _XUNARY:
            arg, end = self.unary()
            return Unary(kind, arg, start), end
        if kind == "N" or kind == "I":
            node = _atom(text, start)
            if node is None:
                raise _NotQuick
            return node, end
        if kind == "(":
            inner, _ = self.binary(1)
            if self.peek() != ")":
                raise _NotQuick
            end = self.toks[self.i][3]
            self.i += 1
            return Paren(inner, start), end
        raise _NotQuick


def _xstart(e: Expr) -> int:
    while type(e) is Binary:
        e = e.left
    return e.pos


def quick_expression_statement(text: str):
    """The Statement the grammar would build for `name expr, expr, ...` or `name = expr` whose
    expressions the parser above accepts, else None (no labels, strings, options, memory
    operands, comparisons or logical operators)."""
    toks = _xtokens(text)
    if not toks or len(toks) < 2 or toks[0][0] != "N":
        return None
    name, name_pos = toks[0][1], toks[0][2]
    p = _XParser(toks)
    p.i = 1
    try:
        if toks[1][0] == "=":
            p.i = 2
            expr, _ = p.binary(1)
            if p.i != len(toks):
                return None
            return Statement((), name, name_pos, (), expr)
        operands = []
        while True:
            expr, end = p.binary(1)
            operands.append(ExprOperand(expr, _xstart(expr), end))
            if p.i == len(toks):
                break
            if toks[p.i][0] != "," or p.i + 1 == len(toks):
                return None
            p.i += 1
    except _NotQuick:
        return None
    except RecursionError:                     # not expected: at most _XMAX_TOKENS tokens
        return None
    return Statement((), name, name_pos, tuple(operands))

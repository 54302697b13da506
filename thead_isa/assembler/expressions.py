# Expression trees and their evaluation with GNU as semantics: 64-bit wrapping, section addresses.
from __future__ import annotations

from typing import Callable, NamedTuple

BITS = 64
MASK = (1 << BITS) - 1


def wrap(v: int) -> int:
    """v reduced to a signed 64-bit value (two's complement wrap-around)."""
    v &= MASK
    return v - (1 << BITS) if v >> (BITS - 1) else v


class Value(NamedTuple):
    value: int                 # absolute value, or the offset from the start of `section`
    section: str | None = None  # None: absolute; else relative to that section (an address)


class ExprError(Exception):
    """An expression that cannot be evaluated; pos is the 0-based offset in the statement text."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.message, self.pos = message, pos


class Undefined(ExprError):
    """A symbol without a value (yet): an error in final evaluation, a deferral before it."""


class Reported(ExprError):
    """An error already reported elsewhere (e.g. at a symbol's definition): report nothing more."""

    def __init__(self, pos: int = 0):
        super().__init__("", pos)


# ---- nodes: pos is the 0-based offset of the node's first character (operators: the operator) ----

class Expr:
    __slots__ = ("pos",)


class Num(Expr):
    __slots__ = ("value",)

    def __init__(self, value: int, pos: int):
        self.value, self.pos = value, pos


class Name(Expr):
    __slots__ = ("name",)

    def __init__(self, name: str, pos: int):
        self.name, self.pos = name, pos


class Dot(Expr):
    """`.`, the address of the current statement (or data item)."""
    __slots__ = ()

    def __init__(self, pos: int):
        self.pos = pos


class LocalRef(Expr):
    """`1b` / `1f`: the nearest earlier / later definition of local label `1:`."""
    __slots__ = ("label", "forward")

    def __init__(self, label: int, forward: bool, pos: int):
        self.label, self.forward, self.pos = label, forward, pos


class Paren(Expr):
    __slots__ = ("inner",)

    def __init__(self, inner: Expr, pos: int):
        self.inner, self.pos = inner, pos


class Unary(Expr):
    __slots__ = ("op", "arg")

    def __init__(self, op: str, arg: Expr, pos: int):
        self.op, self.arg, self.pos = op, arg, pos


class Binary(Expr):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Expr, right: Expr, pos: int):
        self.op, self.left, self.right, self.pos = op, left, right, pos


class Const(Expr):
    """A value fixed when the statement was read (a bound `.`)."""
    __slots__ = ("value",)

    def __init__(self, value: Value, pos: int):
        self.value, self.pos = value, pos


class Ref(Expr):
    """A symbol reference bound to one symbol-table entry (see symbols.py)."""
    __slots__ = ("entry",)

    def __init__(self, entry, pos: int):
        self.entry, self.pos = entry, pos


Resolver = Callable[[Expr], Value]     # the value of a leaf: Name, Dot, LocalRef, Const or Ref


def _where(v: Value) -> str:
    return f"an address in '{v.section}'"


def _absolute(op: str, v: Value, pos: int) -> int:
    if v.section is not None:
        raise ExprError(f"operator '{op}' needs absolute operands, not {_where(v)}", pos)
    return v.value


def _div(a: int, b: int, pos: int) -> int:
    if b == 0:
        raise ExprError("division by zero", pos)
    q = abs(a) // abs(b)
    return wrap(-q if (a < 0) != (b < 0) else q)          # C: truncates toward zero


def _shift(b: int, pos: int) -> int:
    if not 0 <= b < BITS:
        raise ExprError(f"shift count must be an integer in the range [0, {BITS - 1}], not {b}",
                        pos)
    return b


_ARITH: dict[str, Callable[[int, int, int], int]] = {
    "*": lambda a, b, p: wrap(a * b),
    "/": _div,
    "%": lambda a, b, p: wrap(a - b * _div(a, b, p)),
    "<<": lambda a, b, p: wrap(a << _shift(b, p)),
    ">>": lambda a, b, p: wrap((a & MASK) >> _shift(b, p)),       # logical, as GNU as
    "|": lambda a, b, p: a | b,
    "&": lambda a, b, p: a & b,
    "^": lambda a, b, p: a ^ b,
    "!": lambda a, b, p: a | ~b,                                     # or-not
    "==": lambda a, b, p: -(a == b),
    "!=": lambda a, b, p: -(a != b),
    "<>": lambda a, b, p: -(a != b),
    "<": lambda a, b, p: -(a < b),
    "<=": lambda a, b, p: -(a <= b),
    ">": lambda a, b, p: -(a > b),
    ">=": lambda a, b, p: -(a >= b),
    "&&": lambda a, b, p: int(a != 0 and b != 0),
    "||": lambda a, b, p: int(a != 0 or b != 0),
}
BINARY_OPS = tuple(_ARITH) + ("+", "-")


def binary(op: str, a: Value, b: Value, pos: int) -> Value:
    """a op b; only + and - accept section-relative operands."""
    if op == "+":
        if a.section is not None and b.section is not None:
            raise ExprError(f"cannot add two addresses ('{a.section}' and '{b.section}')", pos)
        return Value(wrap(a.value + b.value), a.section or b.section)
    if op == "-":
        if b.section is None:
            return Value(wrap(a.value - b.value), a.section)
        if a.section is None:
            raise ExprError(f"cannot subtract {_where(b)} from an absolute value", pos)
        if a.section != b.section:
            raise ExprError(f"cannot subtract addresses in different sections "
                            f"('{a.section}' - '{b.section}')", pos)
        return Value(wrap(a.value - b.value))
    return Value(_ARITH[op](_absolute(op, a, pos), _absolute(op, b, pos), pos))


def unary(op: str, a: Value, pos: int) -> Value:
    if op == "+":
        return a
    v = _absolute(op, a, pos)
    if op == "-":
        return Value(wrap(-v))
    if op == "~":
        return Value(wrap(~v))
    return Value(int(v == 0))                                        # "!"


def evaluate(e: Expr, resolve: Resolver) -> Value:
    """The value of e; leaves other than numbers are asked of resolve. Raises ExprError."""
    t = type(e)
    if t is Num:
        return Value(e.value)
    if t is Binary:
        return binary(e.op, evaluate(e.left, resolve), evaluate(e.right, resolve), e.pos)
    if t is Unary:
        return unary(e.op, evaluate(e.arg, resolve), e.pos)
    if t is Paren:
        return evaluate(e.inner, resolve)
    if t is Const:
        return e.value
    return resolve(e)


def names(e: Expr):
    """Every Name node of e (for checks before binding)."""
    t = type(e)
    if t is Name:
        yield e
    elif t is Binary:
        yield from names(e.left)
        yield from names(e.right)
    elif t is Unary:
        yield from names(e.arg)
    elif t is Paren:
        yield from names(e.inner)

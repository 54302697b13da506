# Expressions: the evaluator against an independent precedence-climbing reference of GNU as rules.
import re

import pytest
from hypothesis import given, strategies as st

from thead_isa.assembler import AssemblyError, assemble
from thead_isa.assembler.grammar import ParseError, parse_expression
from thead_isa.assembler.literals import LiteralError, int_value

# ---- the reference: GNU as (gas/expr.c op_rank, LLVM getGNUBinOpPrecedence) ---------------------

PREC = {"||": 1, "&&": 2,
        "==": 3, "!=": 3, "<>": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
        "+": 4, "-": 4,
        "|": 5, "&": 5, "^": 5, "!": 5,
        "*": 6, "/": 6, "%": 6, "<<": 6, ">>": 6}
TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|\d+|'(?:\\.|[^\\'])'|[A-Z]\w*|"
                   r"<<|>>|<=|>=|==|!=|<>|&&|\|\||[-+*/%|&^!~<>()])")
TWO64 = 1 << 64


class RefError(Exception):
    pass


def s64(v: int) -> int:
    """Signed 64-bit value of v, via the unsigned residue (a different route from wrap())."""
    u = v % TWO64
    return u - TWO64 if u >= 1 << 63 else u


def number(tok: str) -> int:
    t = tok.lower()
    if t.startswith("'"):
        body = tok[1:-1]
        return {"\\n": 10, "\\t": 9, "\\\\": 92, "\\'": 39}.get(body, None) or ord(body)
    if t.startswith("0x"):
        return s64(int(t, 16))
    if t.startswith("0b"):
        return s64(int(t[2:], 2))
    if t.startswith("0o"):
        return s64(int(t[2:], 8))
    if len(t) > 1 and t[0] == "0":
        return s64(int(t, 8))
    return s64(int(t))


def apply(op: str, a: int, b: int) -> int:
    if op in ("/", "%"):
        if b == 0:
            raise RefError("division by zero")
        q = a // b if (a >= 0) == (b >= 0) else -(-a // b)
        return s64(q) if op == "/" else s64(a - b * q)
    if op in ("<<", ">>"):
        if not 0 <= b <= 63:
            raise RefError("shift count")
        return s64(a << b) if op == "<<" else s64((a % TWO64) >> b)
    table = {"*": lambda: a * b, "+": lambda: a + b, "-": lambda: a - b,
             "|": lambda: a | b, "&": lambda: a & b, "^": lambda: a ^ b, "!": lambda: a | ~b,
             "==": lambda: -1 if a == b else 0, "!=": lambda: -1 if a != b else 0,
             "<>": lambda: -1 if a != b else 0, "<": lambda: -1 if a < b else 0,
             "<=": lambda: -1 if a <= b else 0, ">": lambda: -1 if a > b else 0,
             ">=": lambda: -1 if a >= b else 0,
             "&&": lambda: 1 if a and b else 0, "||": lambda: 1 if a or b else 0}
    return s64(table[op]())


def reference(text: str, symbols: dict[str, int]) -> int:
    toks = [m.group(1) for m in TOKEN.finditer(text)]
    assert "".join(toks) == text.replace(" ", ""), text
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else None

    def unary() -> int:
        nonlocal pos
        t = toks[pos]
        pos += 1
        if t == "(":
            v = climb(1)
            assert toks[pos] == ")"
            pos += 1
            return v
        if t in ("-", "~", "!", "+"):
            v = unary()
            return {"-": lambda: s64(-v), "~": lambda: s64(~v), "!": lambda: int(v == 0),
                    "+": lambda: v}[t]()
        if t[0].isalpha():
            return symbols[t]
        return number(t)

    def climb(min_prec: int) -> int:
        nonlocal pos
        lhs = unary()
        while peek() in PREC and PREC[peek()] >= min_prec:
            op = toks[pos]
            pos += 1
            rhs = climb(PREC[op] + 1)
            lhs = apply(op, lhs, rhs)
        return lhs

    v = climb(1)
    assert pos == len(toks)
    return v


# ---- random expressions: flat text, so the structure comes from precedence ---------------------

SYMBOLS = {"A": 7, "B": -3, "BIG": (1 << 63) - 1}


def literal(v: int):
    return st.sampled_from([str(v), hex(v), bin(v), f"0o{v:o}", f"0{v:o}" if v else "0"])


atoms = st.one_of(
    st.integers(0, 20).flatmap(literal),
    st.integers(0, (1 << 64) - 1).flatmap(literal),
    st.sampled_from(list(SYMBOLS)),
    st.sampled_from(["'a'", "'\\n'", "'0'"]),
)


def extend(children):
    binary = st.tuples(children, st.sampled_from(sorted(PREC)), children).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}")
    unary = st.tuples(st.sampled_from(["-", "~", "!", "+"]), children).map(
        lambda t: f"{t[0]} {t[1]}")
    paren = children.map(lambda c: f"({c})")
    return binary | unary | paren


expressions = st.recursive(atoms, extend, max_leaves=12)


def assembled(text: str) -> int:
    p = assemble(f".dword {text}\n", defines=SYMBOLS)
    return int.from_bytes(p.sections[".text"].data, "little", signed=True)


@given(expressions)
def test_evaluator_agrees_with_reference(text):
    try:
        want = reference(text, SYMBOLS)
    except RefError as e:
        with pytest.raises(AssemblyError) as info:
            assembled(text)
        kind = "division by zero" if "division" in str(e) else "shift count"
        assert kind in info.value.diagnostics[0].message
        return
    assert assembled(text) == want


@pytest.mark.parametrize("text, value", [
    ("2 == 1 + 1", -1), ("1 || 0 && 0", 1), ("1 << 2 + 1", 5), ("6 & 3 + 1", 3),
    ("-1 >> 60", 15), ("-7 / 2", -3), ("-7 % 2", -1), ("5 ! 2", -3), ("!7", 0),
    ("0x7fffffffffffffff + 1", -(1 << 63)), ("010", 8), ("0o10", 8), ("0b11", 3),
])
def test_known_values(text, value):
    assert reference(text, SYMBOLS) == value
    assert assembled(text) == value


def test_literals():
    assert int_value("0") == ("int", 0)
    assert int_value("0b") == ("local", (0, False))
    assert int_value("12f") == ("local", (12, True))
    assert int_value("0xFFFFFFFFFFFFFFFF") == ("int", -1)
    for bad in ("08", "0x", "0b2", "1a", "0o9", "18446744073709551616"):
        with pytest.raises(LiteralError):
            int_value(bad)


def test_positions_of_nodes():
    e = parse_expression("1 + foo * (2)")
    assert (e.op, e.pos) == ("+", 2)
    assert (e.right.op, e.right.pos, e.right.left.name, e.right.left.pos) == ("*", 8, "foo", 4)
    with pytest.raises(ParseError) as info:
        parse_expression("1 + ")
    assert info.value.pos == 3

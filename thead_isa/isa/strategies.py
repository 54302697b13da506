# Hypothesis strategies derived from the table: valid operand values, instructions and words.
from __future__ import annotations

from hypothesis import strategies as st

from .csrs import CSRS
from .encoding import encode
from .operands import CsrKind, EnumKind, FlagKind, Kind, Operand, SemOptKind
from .spec import Insn
from .table import INSTRUCTIONS


def kind_values(kind: Kind) -> st.SearchStrategy:
    """Every legal value of a kind, with its boundaries weighted in."""
    if isinstance(kind, FlagKind):
        return st.booleans()
    if isinstance(kind, EnumKind):
        return st.sampled_from(kind.values)
    if isinstance(kind, SemOptKind):
        return st.none() | st.integers(kind.lo, kind.hi)
    if isinstance(kind, CsrKind):          # mostly CSRs that exist, sometimes any number
        return st.sampled_from([c.number for c in CSRS]) | st.integers(kind.lo, kind.hi)
    lo, hi, a = -(-kind.lo // kind.align), kind.hi // kind.align, kind.align
    edges = sorted({lo, hi, min(max(0, lo), hi), min(max(1, lo), hi), min(max(-1, lo), hi)})
    return (st.sampled_from(edges) | st.integers(lo, hi)).map(lambda v: v * a)


def operand_values(op: Operand) -> st.SearchStrategy:
    return kind_values(op.kind)


def instruction_values(insn: Insn) -> st.SearchStrategy:
    """A dict of values for every operand of insn (options included)."""
    return st.fixed_dictionaries({o.name: operand_values(o) for o in insn.operands})


def instructions(table: tuple[Insn, ...] = INSTRUCTIONS) -> st.SearchStrategy:
    """(insn, values) pairs over the whole table."""
    return st.sampled_from(table).flatmap(
        lambda i: st.tuples(st.just(i), instruction_values(i)))


def words(table: tuple[Insn, ...] = INSTRUCTIONS) -> st.SearchStrategy:
    """Valid encoded instruction words."""
    return instructions(table).map(lambda iv: encode(iv[0], **iv[1]))

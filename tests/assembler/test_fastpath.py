# The assembler's fast paths give exactly what the general paths give: operands, words, programs.
import importlib
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from thead_isa.assembler import AssemblyError, assemble
from thead_isa.assembler.fastmatch import COMPILED, finish, quick_match
from thead_isa.assembler.grammar import ParseError, clear_caches, lark_statement
from thead_isa.assembler.instructions import FORMS, MatchError, encode_word, match
from thead_isa.isa.csrs import BY_NAME as CSR_BY_NAME
from thead_isa.isa.encoding import EncodingError
from thead_isa.isa.operands import OperandError

ASSEMBLE = importlib.import_module("thead_isa.assembler.assemble")
ROOT = Path(__file__).parents[2]
GOLDEN = Path(__file__).parent / "golden"

OPERANDS = st.sampled_from([
    "x0", "x5", "x31", "x32", "s0", "s15", "s16", "0", "1", "-1", "5", "31", "32", "-8", "16",
    "0x7fffffff", "0x80000000", "-0x80000000", "4294967295", "017", "foo", "1b", "2f", ".",
    "te_m", "dma_rows", "nosuch", "4(x2)", "-8(x3)", "(x4)", "foo(x5)", "8(s1)", "1 + 2",
    "acc", "u", "dw", "wait=s1", "sig=s15", "wait=s16", "wait=x1", "sig", "acc=1", "esz=4",
    "esz=3", "esz=foo", "mask=3", "k=1",
])


@pytest.mark.parametrize("mnemonic", sorted(FORMS))
def test_every_form_is_compiled(mnemonic):
    assert COMPILED[mnemonic] is not None


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(sorted(FORMS)), st.lists(OPERANDS, max_size=6))
def test_quick_match_agrees_with_match_and_encode(mnemonic, ops):
    form = FORMS[mnemonic]
    try:
        statement = lark_statement(f"{mnemonic} {', '.join(ops)}")
    except ParseError:
        return
    quick = quick_match(form, statement.operands)
    try:
        values, pending = match(form, statement.operands, 0, lambda name: False)
    except MatchError:
        assert quick is None
        return
    if quick is None:
        return                                    # the general path handles it: always allowed
    word, quick_pending = quick
    assert [(p.name, p.kind, p.expr, p.pos) for p in quick_pending] == \
        [(p.name, p.kind, p.expr, p.pos) for p in pending if p.put is None and
         _number(p.expr) is None]
    for p, value in zip(quick_pending, (8, -16, 24, 32, 40, 48)):
        try:
            values[p.name] = p.kind.check(value)
        except OperandError:
            return
        word = finish(word, p, values[p.name])
    for p in pending:                               # numbers: the value match() leaves pending
        if p.name not in values:
            try:
                values[p.name] = p.kind.check(_number(p.expr))
            except OperandError:
                raise AssertionError("quick_match accepted a number out of range") from None
    try:
        want = encode_word(form, values)
    except EncodingError:
        raise AssertionError("quick_match accepted operands the encoder rejects") from None
    assert word == want


def _number(e):
    """The value of a number or a negated number, else None."""
    from thead_isa.assembler.expressions import Num, Unary, wrap
    if type(e) is Num:
        return e.value
    if type(e) is Unary and e.op == "-" and type(e.arg) is Num:
        return wrap(-e.arg.value)
    return None


def test_csr_names_encode_like_the_table():
    for name, csr in CSR_BY_NAME.items():
        st_ = lark_statement(f"csrwi {name}, 3")
        word, pending = quick_match(FORMS["csrwi"], st_.operands)
        assert not pending
        assert word == encode_word(FORMS["csrwi"], {"csr": csr.number, "imm": 3})


def _result(source, **kw):
    """Everything a run gives: program contents or the diagnostics."""
    clear_caches()
    try:
        p = assemble(source, **kw)
    except AssemblyError as e:
        return "errors", [(d.format(), d.notes) for d in e.diagnostics]
    return ("program", {n: (s.memory, s.addr, bytes(s.data), s.nobits, s.size)
                        for n, s in p.sections.items()},
            p.symbols, p.lines, p.listing, p.entry, [d.format() for d in p.warnings])


def _slow(monkeypatch):
    """The general paths only: the Lark grammar for every statement, match() for every
    instruction, head() for every dispatch."""
    monkeypatch.setattr(ASSEMBLE, "quick_match", lambda form, operands: None)
    monkeypatch.setattr(ASSEMBLE, "quick_statement", lambda text: None)
    monkeypatch.setattr(ASSEMBLE, "parse_statement", lark_statement)


SOURCES = sorted(GOLDEN.glob("*.s")) + sorted((ROOT / "programs").glob("*.s"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_programs_assemble_the_same_both_ways(path, monkeypatch):
    monkeypatch.chdir(path.parent)
    fast = _result(Path(path.name), include_dirs=["include"])
    with monkeypatch.context() as m:
        _slow(m)
        slow = _result(Path(path.name), include_dirs=["include"])
    clear_caches()
    assert fast == slow


def test_benchmark_program_assembles_the_same_both_ways(monkeypatch):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        bench = importlib.import_module("bench_assembler")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    source = bench.generate(bench.NPU_BLOCK, bench.NPU_EXTRA, 2_000)
    fast = _result(source, filename="bench.s")
    with monkeypatch.context() as m:
        _slow(m)
        slow = _result(source, filename="bench.s")
    clear_caches()
    assert fast[0] == "program" and fast == slow

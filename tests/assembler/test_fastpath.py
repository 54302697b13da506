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
    instruction, head() for every dispatch, source.read_lines for every line (no fast lane)."""
    monkeypatch.setattr(ASSEMBLE, "FASTLANE", None)
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
    with monkeypatch.context() as m:
        m.setattr(ASSEMBLE, "FASTLANE", None)          # the Python fast paths, not the lane
        no_lane = _result(Path(path.name), include_dirs=["include"])
    clear_caches()
    assert fast == no_lane
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


# ---- the compiled fast lane (fastlane.pyx) against the general path -----------------------------

def test_the_lane_is_built_and_takes_the_common_lines():
    assert ASSEMBLE.FASTLANE is not None, "thead_isa/assembler/fastlane.pyx is not compiled"
    asm = ASSEMBLE.Assembler()
    asm.run_text("start: add x1, x2, x3  # c\n\n  lw x4, 8(x5)\n  j start\n.data\n.word 1, start\n",
                 "t.s", None)
    assert [type(r).__name__ for r in asm.records] == ["LaneRun"]


LANE_LINES = st.sampled_from([
    "", "   ", "# comment", "\t# comment with 'quotes' and /* and ; and \u00b5",
    "start:", "loop:", "1:", "2:", "x1:", ".:", "007:", "1a:", "a: b:", "loop :",
    ".text", ".data", ".bss", ".text 1", ".section .data", ".section .foo, \"x\"",
    ".word 1, -2, 0x10, loop, 1b, 2f, .", ".word 4294967296", ".byte 255, -129", ".quad -1",
    ".dword 0x7fffffffffff", ".half 1, 2", ".word x1", ".word", ".word 1 + 2",
    ".equ K, 5", ".equ K, 3 * 4", "K = 7", ".set loop, 1", ".globl loop", ".balign 8",
    ".if 0", ".else", ".endif", ".rept 2", ".endr", ".macro m a", ".endm", "m x5",
    "nop", "halt x0", "add x1, x2, x3", "add x1,x2,x3", "add x1, x2", "add x1, x2, 5",
    "addi x1, x2, -2048", "addi x1, x2, 99999999999", "addi x1, x2, -0x10", "addi x1, x2, K",
    "addi x1, x2, 010", "addi x1, x2, 0b101", "li x3, 0xffffffff", "li x3, -1", "li x3, loop",
    "lw x4, 8(x5)", "lw x4, (x5)", "lw x4, -8 (x5)", "sw x4, loop(x5)", "lw x4, 8(s5)",
    "lw x4, 8(.)", "lw x4, x5", "beqz x1, 1f", "beqz x1, 1b", "bne x1, x2, loop", "j 2f",
    "j .", "j -8", "j x3", "j -x3", "la x6, buf", "csrwi te_m, 3", "csrwi nosuch, 3",
    "csrwi 0x7c0, 1", "gemm x5, x10, x15, acc, wait=s0, sig=s3", "gemm x5, x10, x15, acc, acc",
    "gemm x5, x10, x15, wait=s16", "gemm x5, x10, x15, wait==s1", "gemm x5, x10, x15, acc=1",
    "dma.ld x1, x2, wait=s3, sig=s2", "nosuch x1", "add x1, x2, x3 ; nop", "add x1, x2, x3 /* c */",
    "loop: add x1, x2, x3", "1: bne x1, x2, 1b", "buf: .word 3, -1, loop", "next: .text",
    "add x1, x2, 'a'", "add\tx1,\tx2,\tx3\t", "add x1, x2, x3\r", "add x1\x00, x2, x3",
    "\u00b5: nop", "add x1, x2, x3 # \u00b5", "li-5", "add(x1)", "li x1, 1f2", "li x1, 12345678901234567890",
])


def _program(lines):
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(st.lists(LANE_LINES, max_size=30), st.booleans())
def test_the_lane_agrees_with_the_general_path_on_random_programs(lines, crlf):
    source = _program(lines)
    if crlf:
        source = source.replace("\n", "\r\n")
    lane = _result(source, filename="r.s")
    saved = ASSEMBLE.FASTLANE
    ASSEMBLE.FASTLANE = None
    try:
        general = _result(source, filename="r.s")
    finally:
        ASSEMBLE.FASTLANE = saved
    assert lane == general


@pytest.mark.parametrize("data", [
    b"", b"\n", b"nop", b"nop\r", b"\r\n", b"\x00\n", b"nop\x00\n", b"\xff\xfe\n",
    b"a" * 100_000 + b":\n", b"add x1, " + b"x2, " * 50_000 + b"x3\n", b"/* open\nnop\n",
    b"\t" * 1000 + b"nop\n", b"1" * 4000 + b":\n", b"li x1, " + b"9" * 4000 + b"\n",
    "nop # \u00b5\n\u00b5: nop\n".encode(), b"x:" * 1000 + b"\n", b",\n(\n)\n=\n:\n-\n",
])
def test_the_lane_never_crashes_and_agrees(data):
    lane = _result(data, filename="b.s")
    saved = ASSEMBLE.FASTLANE
    ASSEMBLE.FASTLANE = None
    try:
        general = _result(data, filename="b.s")
    finally:
        ASSEMBLE.FASTLANE = saved
    assert lane == general

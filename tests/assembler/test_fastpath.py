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


# ---- operator expressions without Lark (quickparse.quick_expression_statement) ------------------

def _dump(node):
    """A comparable structure of syntax nodes (expression nodes have no __eq__)."""
    from thead_isa.assembler.expressions import Expr
    if isinstance(node, Expr):
        return (type(node).__name__,) + tuple(_dump(getattr(node, s)) for s in
                                              ("pos",) + type(node).__slots__)
    if isinstance(node, tuple):
        return tuple(_dump(x) for x in node)
    if hasattr(node, "__dataclass_fields__"):
        return (type(node).__name__,) + tuple(_dump(getattr(node, f))
                                              for f in node.__dataclass_fields__)
    return node


EXPR_TOKENS = st.sampled_from([
    "a", "K", "x5", ".", "_b.c$", "1", "42", "0x1f", "0b101", "017", "08", "0x", "1b", "2f",
    "18446744073709551615", "18446744073709551616", "1x", "+", "-", "*", "/", "%", "<<", ">>",
    "&", "|", "^", "~", "!", "&&", "||", "==", "!=", "<", ">", "<=", "<>", "<<<", "=", "(", ")",
    "(", ")", ",", ",", "'c'", '"s"', "@t", ":", "=",
])
EXPR_HEADS = st.sampled_from([".equ", ".set", "li", "x", ".", ".word", "1", ""])


@st.composite
def expression_statements(draw):
    head = draw(EXPR_HEADS)
    toks = draw(st.lists(EXPR_TOKENS, max_size=14))
    seps = draw(st.lists(st.sampled_from(["", " ", "\t", "  "]), min_size=len(toks) + 1,
                         max_size=len(toks) + 1))
    return head + "".join(s + t for s, t in zip(seps, toks)) + draw(st.sampled_from(["", " "]))


@st.composite
def valid_expressions(draw, depth=0):
    """Expressions the fast parser should take (mostly): atoms, unary, binary, parentheses."""
    atom = st.sampled_from(["a", "K", ".", "1", "42", "0x1f", "017", "1b", "2f", "x.y"])
    if depth > 3 or draw(st.booleans()):
        return draw(atom)
    kind = draw(st.sampled_from(["bin", "bin", "un", "paren"]))
    sp = draw(st.sampled_from(["", " "]))
    if kind == "un":
        return draw(st.sampled_from(["-", "+", "~"])) + sp + draw(valid_expressions(depth + 1))
    if kind == "paren":
        return "(" + sp + draw(valid_expressions(depth + 1)) + sp + ")"
    op = draw(st.sampled_from(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"]))
    return draw(valid_expressions(depth + 1)) + sp + op + sp + draw(valid_expressions(depth + 1))


def _expr_agrees(text):
    from thead_isa.assembler.quickparse import quick_expression_statement
    quick = quick_expression_statement(text)
    try:
        reference = lark_statement(text)
    except ParseError:
        assert quick is None, text
        return None
    if quick is not None:
        assert _dump(quick) == _dump(reference), text
    return quick


@settings(max_examples=1500, deadline=None)
@given(expression_statements())
def test_quick_expressions_agree_with_the_grammar_on_random_token_strings(text):
    _expr_agrees(text)


@settings(max_examples=800, deadline=None)
@given(st.sampled_from([".equ K, ", "x = ", "li x1, ", ".word 1, "]), valid_expressions(),
       st.sampled_from(["", ", 3", ",a-1"]))
def test_quick_expressions_agree_with_the_grammar_and_take_operator_expressions(head, e, tail):
    quick = _expr_agrees(head + e + tail)
    if not (head == "x = " and tail):
        assert quick is not None, head + e + tail


@pytest.mark.parametrize("text", [
    ".equ    SIZE4, 5 * 4 + 8", "x = 1 + 2*3 - -4", "li x1, (a + b) << 2 | ~c & 3 ^ d % 5 / 1b",
    ".word a-b, .+4, -(-(3))", "x=1", ". = . + 8", "foo-1", "a - b - c", "li x1, a | b + c & d",
])
def test_operator_expressions_skip_lark(text):
    assert _expr_agrees(text) is not None


@pytest.mark.parametrize("text", [
    "foo (1)(x2)", "x == 1", "a || b", "a && b", "x = 1,", "li x1, a <= b", "li x1, !a",
    "a: x = 1", ".equ K, 'c' + 1", "x = (1", "x = 1)", "li x1, 08 + 1", "li , 1+2", "x = = 1",
    "li x1, wait=1+2", "1 = 2", "li x1, a <<< b",
])
def test_other_expression_statements_go_to_the_grammar(text):
    from thead_isa.assembler.quickparse import quick_expression_statement
    assert quick_expression_statement(text) is None


# ---- the ELF writer's bulk paths (line table from the compact rows, symbol table) ----------------

def _elf_both_ways(program_of):
    """write_elf of a fresh program (line table in bulk, p.lines never built) and of one whose
    p.lines was built first (the list path), and the symbol table in bulk and one by one."""
    from thead_isa.assembler import elf
    p = program_of()
    bulk = elf.write_elf(p)
    q = program_of()
    assert len(q.lines) >= 0                               # builds the list: the list path
    listed = elf.write_elf(q)
    assert bulk == listed
    shndx = {s: i + 1 for i, s in enumerate(p.sections)}
    a, b = elf._Strings(), elf._Strings()
    syms = sorted(p.symbols.items(), key=lambda kv: kv[1].binding != "local")
    assert elf._symtab(p, shndx, a) == elf._symtab_each(syms, shndx, b)
    assert (a.data, a.index) == (b.data, b.index)
    return bulk


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_elf_bulk_paths_agree(path, monkeypatch):
    monkeypatch.chdir(path.parent)
    try:
        assemble(Path(path.name), include_dirs=["include"])
    except AssemblyError:
        return
    _elf_both_ways(lambda: assemble(Path(path.name), include_dirs=["include"]))


def test_elf_bulk_paths_agree_across_files_and_paths(tmp_path):
    (tmp_path / "b.s").write_text("bb: add x1, x2, x3 ; nop\n  nop\n.data\n.word 1\n.text\n")
    (tmp_path / "a.s").write_text("  .include \"b.s\"\naa: nop\n")
    src = ("  j 1f\n.include \"a.s\"\n1: nop\n  .rept 3\n  addi x1, x1, 1\n  .endr\n"
           "sym: nop\n.globl g\ng: li x3, -5\n.equ NEG, -7\n.set BIG, 0x123456789\n"
           ".section .t2, \"x\"\n  nop\n  add x1, x2, x3 ; nop\n.text\n  halt x0\n")
    _elf_both_ways(lambda: assemble(src, filename=str(tmp_path / "m.s"),
                                    include_dirs=[str(tmp_path)]))


@settings(max_examples=150, deadline=None)
@given(st.lists(LANE_LINES, max_size=30))
def test_elf_bulk_paths_agree_on_random_programs(lines):
    source = _program(lines)
    try:
        assemble(source, filename="r.s")
    except AssemblyError:
        return
    _elf_both_ways(lambda: assemble(source, filename="r.s"))


def test_symtab_irregular_symbols_go_one_by_one():
    from thead_isa.assembler import elf
    from thead_isa.assembler.program import Program, Symbol
    p = assemble("a: nop\n.equ K, -1\n")
    p.symbols["bad"] = Symbol("bad", 1 << 40, ".text")
    with pytest.raises(elf.ObjectFormatError, match="value of symbol bad"):
        elf.write_elf(p)
    p.symbols["bad"] = Symbol("bad", 4, ".text", "weird")
    with pytest.raises(elf.ObjectFormatError, match="unknown binding"):
        elf.write_elf(p)
    p.symbols["bad"] = Symbol("b\0d", 4, ".text")
    with pytest.raises(elf.ObjectFormatError):
        elf.write_elf(p)
    del p.symbols["bad"]
    p.symbols["z"] = Symbol("z", 4, ".text", "global")
    p.symbols["\u00e9t\u00e9"] = Symbol("\u00e9t\u00e9", -3, None)     # not ASCII, negative
    assert elf.read_elf(elf.write_elf(p)).symbols["\u00e9t\u00e9"].value == (1 << 32) - 3
    assert elf.read_elf(elf.write_elf(p)).symbols.keys() == p.symbols.keys()
    _elf_both_ways(lambda: p)

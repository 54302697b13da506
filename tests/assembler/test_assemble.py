# The assemble() API: inputs, defines, include search, limits, diagnostics text, listing, lines.
import importlib

import pytest
from hypothesis import given, settings, strategies as st

from thead_isa.assembler import AssemblyError, Diagnostic, assemble
from thead_isa.assembler.program import GM, IMEM
from thead_isa.isa import encode

inputs = importlib.import_module("thead_isa.assembler.inputs")
expansion = importlib.import_module("thead_isa.assembler.expansion")
driver = importlib.import_module("thead_isa.assembler.assemble")


def errors(source, **kw) -> list[Diagnostic]:
    with pytest.raises(AssemblyError) as info:
        assemble(source, **kw)
    return info.value.diagnostics


def word(p, i=0) -> int:
    return int.from_bytes(p.sections[".text"].data[8 * i:8 * i + 8], "little")


def test_diagnostic_format_has_caret_and_notes():
    d = errors("  .macro m\n\tadd x1, x2, q\n  .endm\n  m\n", filename="a.s")[0]
    assert (d.severity, d.file, d.line, d.col) == ("error", "a.s", 2, 14)
    assert d.notes == ("in expansion of macro 'm' from a.s:4",)
    assert d.format() == ("a.s:2:14: error: expected a register x0..x31, found 'q'\n"
                          "\tadd x1, x2, q\n"
                          "\t            ^\n"
                          "note: in expansion of macro 'm' from a.s:4")
    assert str(d) == d.format()


def test_all_errors_are_reported_in_source_order():
    diags = errors("j nowhere\naddd x1\n.data; .byte 300; .text\nli x1, 1/0\n")
    assert [(d.line, d.message.split(";")[0]) for d in diags] == [
        (1, "undefined symbol 'nowhere'"), (2, "unknown instruction 'addd'"),
        (3, "value 300 does not fit in 1 byte (range [-128, 255])"), (4, "division by zero")]
    with pytest.raises(AssemblyError, match=r"<input>:1:3: error: undefined symbol 'nowhere' "
                                            r"\(and 3 more errors\)"):
        assemble("j nowhere\naddd x1\n.byte 300\nli x1, 1/0\n")


def test_warnings_are_returned_with_the_program_and_kept_with_errors():
    p = assemble('.warning "w"\nnop\n')
    assert [(d.severity, d.message) for d in p.warnings] == [("warning", "w")]
    diags = errors('.warning "w"\naddd\n')
    assert [d.severity for d in diags] == ["warning", "error"]


def test_path_input_include_dirs_and_search_order(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "inc").mkdir()
    (tmp_path / "src" / "main.s").write_text('.include "defs.s"\nli x1, V\n')
    (tmp_path / "src" / "defs.s").write_text(".equ V, 1\n")          # next to main.s: wins
    (tmp_path / "inc" / "defs.s").write_text(".equ V, 2\n")
    p = assemble(tmp_path / "src" / "main.s", include_dirs=[tmp_path / "inc"])
    assert word(p) == encode("addi", rd=1, rs1=0, imm=1)
    (tmp_path / "src" / "defs.s").unlink()
    p = assemble(tmp_path / "src" / "main.s", include_dirs=[tmp_path / "inc"])
    assert word(p) == encode("addi", rd=1, rs1=0, imm=2)
    assert p.lines[0].file == str(tmp_path / "src" / "main.s")


def test_unreadable_and_non_utf8_input(tmp_path):
    d = errors(tmp_path / "missing.s")[0]
    assert d.file == str(tmp_path / "missing.s") and "cannot read" in d.message
    d = errors(b"nop\n  .ascii \"\xc3\x28\"\n", filename="b.s")[0]
    assert (d.line, d.col, d.message) == (2, 11, "source is not valid UTF-8 (byte 0xc3)")


def test_bom_crlf_and_bytes_input():
    p = assemble(b"\xef\xbb\xbfli x1, 1\r\nli x2, 2\r\n")
    assert word(p, 1) == encode("addi", rd=2, rs1=0, imm=2)


def test_defines():
    p = assemble("li x1, N\nli x2, M\n", defines={"N": 0x2A, "M": -1})
    assert (word(p, 0), word(p, 1)) == (encode("addi", rd=1, rs1=0, imm=42),
                                        encode("addi", rd=2, rs1=0, imm=-1))
    assert p.symbols["N"].value == 42 and p.symbols["N"].section is None
    p = assemble(".set N, N + 1\nli x1, N\n", defines={"N": 1})     # redefinable like .set
    assert word(p) == encode("addi", rd=1, rs1=0, imm=2)
    diags = errors("nop\n", defines={"x1": 1, "9a": 2, "K": "3"})
    assert [d.format() for d in diags] == [
        "<command line>: error: --defsym x1: 'x1' is a register name and cannot be used as a "
        "symbol", "<command line>: error: --defsym: invalid symbol name '9a'",
        "<command line>: error: --defsym K: value must be a 64-bit integer, not '3'"]
    assert errors(".equiv N, 2\n", defines={"N": 1})[0].message == "symbol 'N' is already defined"


def test_placement_and_entry():
    p = assemble(".data\n.byte 1\n.bss\nb: .space 4\n.text\nnop\n_start: nop\n")
    assert (p.sections[".text"].memory, p.sections[".data"].memory) == (IMEM, GM)
    assert p.sections[".bss"].addr == 8 and p.symbols["b"].value == 8
    assert p.entry == 8
    assert assemble("nop\n").entry == 0
    assert list(assemble("nop\n").sections) == [".text"]


def test_line_table_and_listing_follow_expansions():
    src = (".macro two\nnop\nnop\n.endm\n"      # lines 1-4
           "two\n"                               # 5: both words are attributed here
           ".rept 2\nhalt x0\n.endr\n")          # 6-8: the body line, once per iteration
    p = assemble(src, filename="p.s")
    assert [(e.addr, e.line) for e in p.lines] == [(0, 5), (8, 5), (16, 7), (24, 7)]
    rows = [(e.line, e.source, len(e.data)) for e in p.listing if e.data]
    assert rows == [(5, "+ nop", 8), (5, "+ nop", 8), (7, "+ halt x0", 8), (7, "+ halt x0", 8)]
    assert [e.line for e in p.listing if not e.data][:6] == [1, 2, 3, 4, 5, 6]


def test_end_stops_reading():
    p = assemble("nop\n.end\nthis is not assembled\n")
    assert len(p.sections[".text"].data) == 8


def test_include_depth_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_INCLUDE_DEPTH", 3)
    for i in range(5):
        (tmp_path / f"f{i}.s").write_text(f'.include "f{i + 1}.s"\n')
    (tmp_path / "f5.s").write_text("nop\n")
    d = errors(tmp_path / "f0.s")[0]
    assert d.message == ".include nested too deeply (more than 3 levels)"
    assert d.file == str(tmp_path / "f3.s") and len(d.notes) == 3


def test_expansion_budget(monkeypatch):
    monkeypatch.setattr(expansion, "MAX_EXPANDED", 50)
    src = ".macro m\n.rept 4\nnop\n.endr\n.endm\n.rept 20\nm\n.endr\n"
    diags = errors(src)
    assert [d.message for d in diags] == [
        "too many statements from macro and .rept expansions (limit 50); assembly stopped"]


def test_expansion_text_budget_is_charged_before_the_line_is_built(monkeypatch):
    """Each expanded line (its column's worth of indentation included) is charged to the text
    budget before it is built: a line of many `;`-separated statements would otherwise build
    lines whose total length is quadratic in the line's, and `m \\a\\a` doubles its text at
    each level."""
    monkeypatch.setattr(expansion, "MAX_EXPANDED_TEXT", 1000)
    src = ".macro m\n" + ";".join(["nop"] * 40) + "\n.endm\nm\nm\n"
    diags = errors(src, filename="t.s")
    assert [(d.line, d.col, d.message) for d in diags] == [
        (4, 1, "too much text from macro and .rept expansions (limit 1000 characters); "
               "assembly stopped")]
    src = ".macro m a\nm \\a\\a\n.endm\nm x\n"
    diags = errors(src, filename="t.s")
    assert [(d.line, d.col, d.message, len(d.source)) for d in diags] == [
        (2, 1, "too much text from macro and .rept expansions (limit 1000 characters); "
               "assembly stopped", 2 + 256)]
    assert len(diags[0].notes) == 8           # m x -> m xx -> ... -> m x*256: 8 levels


def test_nesting_error_abandons_the_outermost_expansion_only():
    """After the error, nothing more of the statement that started the expansion is assembled
    (not the other invocations of a recursion, nor the rest of its bodies, whose open
    conditionals are dropped silently); the statements after it are."""
    src = (".macro m\n.if 1\nm\nm\nnop\n.endif\n.endm\n"      # 1-7
           "m\n"                                                 # 8
           "bogus\n"                                             # 9: still reported
           ".macro w\n.rept 2\nw\n.endr\n.endm\nw\n")           # 10-15: once
    diags = errors(src, filename="t.s")
    assert [(d.line, d.col, d.message.split(";")[0]) for d in diags] == [
        (3, 1, "macro and .rept expansion nested too deeply (more than 64 levels)"),
        (9, 1, "unknown instruction 'bogus'"),
        (12, 1, "macro and .rept expansion nested too deeply (more than 64 levels)")]
    assert diags[0].notes[-1] == "in expansion of macro 'm' from t.s:8"
    assert diags[2].notes[-1] == "in expansion of macro 'w' from t.s:15"


def test_nesting_error_leaves_a_conditional_outside_the_expansion_open():
    diags = errors(".if 1\n.macro m\nm\n.endm\nm\n")
    assert [(d.line, d.message) for d in diags] == [
        (1, "'.if' without '.endif'"),
        (3, "macro and .rept expansion nested too deeply (more than 64 levels)")]


def test_abandoned_expansion_through_an_include_keeps_the_output_count(tmp_path, monkeypatch):
    """An expansion abandoned inside a file included by a macro unwinds through that file's
    reader: the bytes emitted before the error still count towards the output limit."""
    monkeypatch.setattr(driver, "MAX_OUTPUT", 100)
    (tmp_path / "inc.s").write_text("r\n")
    src = (".data\n.macro r\n.byte 1\nr\n.endm\n"
           f'.macro m\n.include "{tmp_path / "inc.s"}"\n.endm\n'
           "m\n.space 40\n")
    diags = errors(src, filename="t.s")
    assert [(d.line, d.message) for d in diags] == [
        (4, "macro and .rept expansion nested too deeply (more than 64 levels)"),
        (10, "output too large: more than 0 MiB of section contents")]


def test_rept_with_an_empty_body_is_not_iterated():
    p = assemble(".rept 1 << 62\n.endr\n.rept 0x7fffffffffffffff\n# only comments\n\n.endr\n"
                 ".irp x, 1, 2\n.endr\nnop\n")
    assert len(p.sections[".text"].data) == 8


def test_duplicate_parameter_check_is_linear():
    """Regression (tests/fuzz/regressions/asm-macro-many-params.s): the check was quadratic."""
    params = ",".join(f"a{i}" for i in range(100_000))
    p = assemble(f".macro m {params}\nnop\n.endm\nm\n")
    assert len(p.sections[".text"].data) == 8
    d = errors(f".macro m {params},a99999\n.endm\n")[0]
    assert (d.line, d.col, d.message) == (1, 10 + len(params) + 1,
                                          "duplicate macro parameter 'a99999'")


def test_listing_and_lines_for_included_files(tmp_path):
    (tmp_path / "inc.s").write_text("nop\n")
    p = assemble(f'.include "{tmp_path / "inc.s"}"\nnop\n', filename="m.s")
    assert [(e.file, e.line) for e in p.lines] == [(str(tmp_path / "inc.s"), 1), ("m.s", 2)]


def test_labels_before_macros_and_rept_are_defined():
    p = assemble(".macro m\nnop\n.endm\na: m\nb: .rept 1\nnop\n.endr\nj a\n")
    assert (p.symbols["a"].value, p.symbols["b"].value) == (0, 8)
    assert word(p, 2) == encode("jal", rd=0, off=-16)


TOKENS = ["add", "x1", ",", " ", "\n", ";", ":", "(", ")", "=", "-", "+", "*", "/", "0", "8", "0x",
          "'", '"', "\\", "#", "/*", "*/", "@", ".", "1b", "1f", "a", ".macro", ".endm", ".rept",
          ".endr", ".irp", ".if", ".else", ".endif", ".word", ".byte", ".org", ".balign", ".set",
          ".section", ".data", ".bss", ".include", ".exitm", "\\@", "\\a", "lw", "j", "gemm",
          "acc", "wait=s1", "csrr", "dma_rows", "\t", "é", "\x00", "<<", ">>", "!", "~", "%"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_any_input_gives_a_program_or_diagnostics(text):
    try:
        p = assemble(text, filename="fuzz.s")
    except AssemblyError as e:
        assert e.diagnostics and all(d.format() for d in e.diagnostics)
    else:
        assert all(len(s.data) <= 1 << 26 for s in p.sections.values())


@pytest.mark.parametrize("source, col, message", [
    ("9" * 5000 + ": nop\n", 1, "local label number '99999999999999999999...' has more than 30 digits"),
    ("j " + "9" * 5001 + "b\n", 3, "local label number '99999999999999999999...' has more than 30 digits"),
    ("li x1, " + "9" * 5000 + "\n", 8, "integer constant '" + "9" * 5000 + "' does not fit in 64 bits"),
])
def test_huge_numbers_are_diagnosed(source, col, message):
    """Regression: numbers beyond Python's 4300-digit int() limit raised ValueError."""
    with pytest.raises(AssemblyError) as e:
        assemble(source)
    d = e.value.diagnostics[0]
    assert (d.col, d.message) == (col, message)

# Disassembler and thead-objdump: canonical text, labels, targets, source lines, garbage input.
import re

import pytest
from hypothesis import given, strategies as st

from thead_isa.assembler.disassemble import (Labels, SourceLines, disassemble, disassemble_program,
                                             disassemble_word, format_line)
from thead_isa.assembler.elf import write_elf
from thead_isa.assembler.program import GM, IMEM, LineEntry, Program, Section, Symbol
from thead_isa.cli.objdump_main import main
from thead_isa.isa import decode, encode, format_insn
from thead_isa.isa.encoding import pack
from thead_isa.isa.strategies import words

WORDS = [encode("addi", rd=1, rs1=0, imm=5),             # 0  start: li x1, 5
         encode("bne", rs1=1, rs2=2, off=16),            # 8  loop:  bne x1, x2, done
         encode("jal", rd=0, off=-8),                    # 16         j loop
         encode("halt", rs1=0)]                          # 24 done:  halt x0


def program() -> Program:
    p = Program()
    p.sections[".text"] = Section(".text", IMEM, 0, bytearray(pack(WORDS)))
    p.sections[".data"] = Section(".data", GM, 0, bytearray(b"\x01\x02hi"))
    for s in [Symbol("start", 0, ".text", "global"), Symbol("loop", 8, ".text"),
              Symbol("done", 24, ".text"), Symbol("end", 32, ".text"), Symbol("tbl", 0, ".data"),
              Symbol("K", 7, None)]:
        p.symbols[s.name] = s
    p.lines = [LineEntry(0, "prog.s", 2), LineEntry(8, "prog.s", 3), LineEntry(16, "prog.s", 3),
               LineEntry(24, "prog.s", 5)]
    return p


DISASSEMBLY_LINE = re.compile(r"\s*[0-9a-f]+:  (?:[0-9a-f]{2} ){7}[0-9a-f]{2}  (.*?)(?:\s+# .*)?")
SOURCE = "# demo\nstart: li x1, 5\nloop: bne x1, x2, done\n\ndone: halt x0\n"


@given(words())
def test_every_valid_word_prints_canonically(w):
    line = disassemble_word(w, 0x40)
    assert line.text == format_insn(decode(w)) and line.data == w.to_bytes(8, "little")
    assert not line.comment.startswith("illegal")


def test_branch_targets_and_labels():
    labels = Labels.of_code(program())
    lines = list(disassemble(pack(WORDS), 0, labels))
    assert [(l.text, l.comment, l.target) for l in lines] == [
        ("li x1, 5", "", None),
        ("bne x1, x2, 16", "0x18 <done>", 24),
        ("j -8", "0x8 <loop>", 8),
        ("halt x0", "", None)]
    assert labels.describe(28) == "<done+0x4>" and labels.describe(0) == "<start>"
    assert Labels().describe(8) == ""


def test_illegal_and_partial_words():
    lines = list(disassemble(bytes(8) + b"\xff\xff\xff", 0x100))
    assert lines[0].text == ".dword 0x0000000000000000"
    assert lines[0].comment == "illegal: unassigned opcode 0x00"
    assert (lines[1].addr, lines[1].text) == (0x108, ".byte 0xff, 0xff, 0xff")
    assert lines[1].comment == "partial word: 3 trailing bytes"


def test_format_line():
    line = disassemble_word(WORDS[1], 8, Labels.of_code(program()))
    assert format_line(line) == \
        "       8:  21 20 08 00 10 00 00 00  bne x1, x2, 16                # 0x18 <done>"
    assert format_line(line, words=True).startswith("       8:  0000001000082021  bne x1, x2, 16")


@given(st.binary(max_size=200), st.integers(0, 1 << 20).map(lambda a: a * 8))
def test_random_bytes_never_raise(data, base):
    lines = list(disassemble(data, base, Labels([(base, "x")])))
    assert len(lines) == -(-len(data) // 8)
    assert b"".join(l.data for l in lines) == data
    for l in lines:
        format_line(l)


def test_program_text_with_source(tmp_path):
    (tmp_path / "prog.s").write_text(SOURCE)
    text = "\n".join(disassemble_program(program(), SourceLines([str(tmp_path)])))
    assert text == """
Disassembly of section .text:

00000000 <start>:
# prog.s:2:  start: li x1, 5
       0:  10 01 00 00 05 00 00 00  li x1, 5

00000008 <loop>:
# prog.s:3:  loop: bne x1, x2, done
       8:  21 20 08 00 10 00 00 00  bne x1, x2, 16                # 0x18 <done>
      10:  26 00 00 00 f8 ff ff ff  j -8                          # 0x8 <loop>

00000018 <done>:
# prog.s:5:  done: halt x0
      18:  3f 00 00 00 00 00 00 00  halt x0

00000020 <end>:"""
    bare = "\n".join(disassemble_program(program(), SourceLines([str(tmp_path / "nowhere")])))
    assert "# prog.s:2\n" in bare and "li x1, 5" in bare


def test_label_inside_a_word_is_shown():
    p = program()
    p.symbols["mid"] = Symbol("mid", 12, ".text")
    text = list(disassemble_program(p))
    word_at_10 = next(t for t in text if t.startswith("      10:"))
    assert text.index("0000000c <mid>:") < text.index(word_at_10)


# ---- thead-objdump -------------------------------------------------------------------------------

@pytest.fixture
def elf_file(tmp_path):
    path = tmp_path / "prog.elf"
    path.write_bytes(write_elf(program()))
    (tmp_path / "prog.s").write_text(SOURCE)
    return path


def run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_objdump_d(elf_file, capsys):
    rc, out, err = run(capsys, "-d", elf_file)
    assert rc == 0 and err == ""
    assert f"{elf_file}:     file format elf32-thead" in out
    assert "00000008 <loop>:\n       8:  21 20 08 00 10 00 00 00  bne x1, x2, 16" in out
    assert "# prog.s" not in out


def test_objdump_S_finds_source_next_to_the_elf(elf_file, capsys):
    rc, out, _ = run(capsys, "-S", elf_file)
    assert rc == 0 and "# prog.s:3:  loop: bne x1, x2, done" in out


def test_objdump_t_h_s(elf_file, capsys):
    rc, out, _ = run(capsys, "-t", "-h", "-s", elf_file)
    assert rc == 0
    assert "SYMBOL TABLE:\n00000000 g  .text    start\n00000008 l  .text    loop\n" in out
    assert "00000007 l  *ABS*    K" in out and "00000000 l  .data    tbl" in out
    assert "  0 .text    00000020  00000000  IMEM    PROGBITS" in out
    assert "  1 .data    00000004  00000000  GM      PROGBITS" in out
    assert "Contents of section .data (GM):\n 00000000 01026869" in out


def test_objdump_raw(tmp_path, capsys):
    path = tmp_path / "x.bin"
    path.write_bytes(pack(WORDS) + b"\x01")
    rc, out, _ = run(capsys, "-d", "--raw", "--base", "0x100", path)
    assert rc == 0 and "file format binary" in out
    assert "     108:  21 20 08 00 10 00 00 00  bne x1, x2, 16                # 0x118" in out
    assert "     120:  01                       .byte 0x01" in out


def test_objdump_usage_errors(elf_file, capsys):
    for argv in ([elf_file], ["-d"], ["-d", "--bogus", elf_file],
                 ["-d", "--raw", "--base", "3", elf_file]):
        with pytest.raises(SystemExit) as e:
            main([str(a) for a in argv])
        assert e.value.code == 2
    capsys.readouterr()


@pytest.mark.parametrize("content, message", [
    (None, "cannot read '.*missing.elf': No such file or directory"),
    (b"", "not an ELF file"),
    (b"\x7fELF\x01\x01\x01" + bytes(20), "truncated: ELF header"),
])
def test_objdump_bad_input(tmp_path, capsys, content, message):
    path = tmp_path / "missing.elf"
    if content is not None:
        path.write_bytes(content)
    rc, out, err = run(capsys, "-d", path)
    assert rc == 1
    assert re.fullmatch(f"thead-objdump: error: .*{message}.*\n", err)
    assert "Traceback" not in err


def test_objdump_directory_and_partial_failure(tmp_path, elf_file, capsys):
    rc, out, err = run(capsys, "-t", tmp_path, elf_file)
    assert rc == 1 and "it is a directory" in err and "SYMBOL TABLE" in out


@given(st.binary(max_size=300))
def test_objdump_random_files_never_crash(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("g") / "g.bin"
    path.write_bytes(data)
    for raw in ([], ["--raw"]):
        rc = main(["-d", "-t", "-h", "-s", "-S", *raw, str(path)])
        assert rc in (0, 1)
        if raw:
            assert rc == 0


@given(st.lists(words(), min_size=1, max_size=12))
def test_disassembly_text_reassembles_to_the_same_words(ws):
    """objdump -d text of any valid words, fed back to the assembler, gives the same bytes."""
    from thead_isa.assembler import assemble
    p = Program(sections={".text": Section(".text", IMEM, 0, bytearray(pack(ws)))})
    text = [m[1] for m in map(DISASSEMBLY_LINE.fullmatch, disassemble_program(p)) if m]
    again = assemble("\n".join(text) + "\n", filename="dis.s")
    assert bytes(again.sections[".text"].data) == pack(ws)

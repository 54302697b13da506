# Golden files in the LLVM MC style: expected encodings and diagnostics next to the source lines.
"""Conventions (also in docs/assembler.md), in `#` comments of golden/*.s and the files they
include:

  # CHECK: encoding: 0x<16 hex digits>[, 0x...]   the 64-bit word(s) this line emits
  # CHECK: bytes: 01 02 ff                         exactly the bytes this line emits (may be empty)
  # CHECK-SYM: <name> <section|*ABS*> <value> [<binding>]
  # CHECK-SECTION: <name> <imem|gm> <address> <size> [nobits]
  # CHECK-ENTRY: <address>
  # CHECK-ERROR: :[[@LINE]]:<col>: <error|warning>: <message>      ([[@LINE+n]], [[@LINE-n]])
  # CHECK-ERROR: <file>:<line>:<col>: <error|warning>: <message>   (a diagnostic in another file)
  # CHECK-ERROR-COUNT-<n>: ...                     the same diagnostic n times (FileCheck's
                                                   CHECK-COUNT-<n>), e.g. from a .rept
  # CHECK-NOTE: <note text>                        a note of the CHECK-ERROR just before it

A line "emits" what the listing attributes to it: its own bytes, alignment padding, and the
output of macros it invokes. `*-valid.s` files must assemble (their warnings must all be expected);
`*-invalid.s` files must fail with exactly the expected diagnostics, in any order.
"""
import os
import re
from pathlib import Path

import pytest

from thead_isa.assembler import AssemblyError, assemble
from thead_isa.assembler.elf import read_elf, write_elf

GOLDEN = Path(__file__).parent / "golden"
CHECK = re.compile(r"#\s*(CHECK(?:-ERROR(?:-COUNT-\d+)?|-NOTE|-SYM|-SECTION|-ENTRY)?):\s?(.*?)\s*$")
AT_LINE = re.compile(r"^:\[\[@LINE([+-]\d+)?\]\]:")
INCLUDE = re.compile(r'^\s*\.include\s+"([^"]+)"', re.M)
VALID = sorted(p.name for p in GOLDEN.glob("*-valid.s"))
INVALID = sorted(p.name for p in GOLDEN.glob("*-invalid.s"))


def checks(file: str):
    """(line number, kind, text) of every CHECK comment of a file (relative to golden/)."""
    text = (GOLDEN / file).read_bytes().decode("utf-8", errors="replace")
    for n, line in enumerate(text.split("\n"), 1):
        m = CHECK.search(line)
        if m:
            yield n, m[1], m[2]


def included(file: str, seen=None) -> list[str]:
    seen = seen if seen is not None else [file]
    text = (GOLDEN / file).read_bytes().decode("utf-8", errors="replace")
    for name in INCLUDE.findall(text):
        path = os.path.normpath(os.path.join(os.path.dirname(file), name))
        if path not in seen and (GOLDEN / path).is_file():
            seen.append(path)
            included(path, seen)
    return seen


def expected_diagnostics(files: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, list[str], int]] = []
    for f in files:
        for n, kind, text in checks(f):
            if kind.startswith("CHECK-ERROR"):
                m = AT_LINE.match(text)
                if m:
                    text = f"{f}:{n + int(m[1] or 0)}:" + text[m.end():]
                count = int(kind.rsplit("-", 1)[1]) if "-COUNT-" in kind else 1
                out.append((text, [], count))
            elif kind == "CHECK-NOTE":
                out[-1][1].append(text)
    return sorted((t, tuple(notes)) for t, notes, count in out for _ in range(count))


def actual(diags) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((d.format().splitlines()[0], d.notes) for d in diags)


@pytest.fixture
def in_golden(monkeypatch):
    monkeypatch.chdir(GOLDEN)


def line_bytes(program, file: str) -> dict[int, bytes]:
    out: dict[int, bytes] = {}
    for e in program.listing:
        if e.file == file:
            out[e.line] = out.get(e.line, b"") + e.data
    return out


@pytest.mark.parametrize("name", VALID)
def test_valid(name, in_golden):
    try:
        program = assemble(Path(name), include_dirs=["include"])
    except AssemblyError as e:
        pytest.fail("\n".join(d.format() for d in e.diagnostics))
    files = included(name) + sorted({e.file for e in program.listing} - set(included(name)))
    assert actual(program.warnings) == expected_diagnostics(files)
    count = 0
    for f in files:
        emitted = line_bytes(program, f)
        for n, kind, text in checks(f):
            count += 1
            where = f"{f}:{n}"
            if kind == "CHECK" and text.startswith("encoding:"):
                words = [int(w, 16) for w in text[len("encoding:"):].split(",")]
                want = b"".join(w.to_bytes(8, "little") for w in words)
                got = emitted.get(n, b"")
                assert got == want, f"{where}: emitted {got.hex(' ', 8)}"
            elif kind == "CHECK" and text.startswith("bytes:"):
                want = bytes.fromhex(text[len("bytes:"):])
                got = emitted.get(n, b"")
                assert got == want, f"{where}: emitted {got.hex(' ')}"
            elif kind == "CHECK-SYM":
                sym_name, section, value, *binding = text.split()
                sym = program.symbols.get(sym_name)
                assert sym is not None, f"{where}: no symbol {sym_name}"
                assert (sym.section or "*ABS*", sym.value) == (section, int(value, 0)), where
                assert sym.binding == (binding[0] if binding else "local"), where
            elif kind == "CHECK-SECTION":
                sec_name, memory, addr, size, *nobits = text.split()
                s = program.sections.get(sec_name)
                assert s is not None, f"{where}: no section {sec_name}"
                assert (s.memory, s.addr, s.length, s.nobits) == \
                    (memory, int(addr, 0), int(size, 0), bool(nobits)), where
            elif kind == "CHECK-ENTRY":
                assert program.entry == int(text, 0), where
            elif kind == "CHECK":
                pytest.fail(f"{where}: unknown CHECK form {text!r}")
    assert count, f"{name} has no CHECK lines"
    again = read_elf(write_elf(program))          # the object writer accepts every program
    assert [(s.name, s.addr, s.length) for s in again.sections.values()] == \
        [(s.name, s.addr, s.length) for s in program.sections.values()]
    assert again.lines == program.lines and again.entry == program.entry


@pytest.mark.parametrize("name", INVALID)
def test_invalid(name, in_golden):
    with pytest.raises(AssemblyError) as info:
        assemble(Path(name), include_dirs=["include"])
    diags = info.value.diagnostics
    files = included(name) + sorted({d.file for d in diags if d.file != "<command line>"}
                                    - set(included(name)))
    want = expected_diagnostics(files)
    assert want, f"{name} has no CHECK-ERROR lines"
    assert actual(diags) == want

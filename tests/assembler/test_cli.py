# thead-as command line (stub front-end): outputs, formats, listing, errors, usage, atomic writes.
import io
import os
import re
import subprocess
import sys

import pytest

import thead_isa.assembler as assembler_pkg
from thead_isa.assembler.elf import read_elf
from thead_isa.assembler.program import GM, IMEM, ListingEntry, Program, Section, Symbol
from thead_isa.cli import as_main, write_outputs, CliError
from thead_isa.cli.as_main import main
from thead_isa.cli.objdump_main import main as objdump_main
from thead_isa.isa import encode
from thead_isa.isa.encoding import pack

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CODE = pack([encode("addi", rd=1, rs1=0, imm=5), encode("halt", rs1=0)])


class StubDiagnostic:
    def __init__(self, text):
        self.text = text

    def format(self):
        return self.text


class StubError(Exception):
    def __init__(self, diagnostics):
        super().__init__("assembly failed")
        self.diagnostics = diagnostics


LIMITS = []                    # the error_limit of each stub_assemble call


def stub_assemble(source, *, filename, include_dirs, defines, error_limit):
    """A stand-in front-end: `error` lines are errors, the rest gives a fixed two-word program."""
    LIMITS.append(error_limit)
    errors = [StubDiagnostic(f"{filename}:{n}:1: error: bad line")
              for n, line in enumerate(source.splitlines(), 1) if line.startswith("error")]
    if errors:
        raise StubError(errors)
    p = Program()
    p.sections[".text"] = Section(".text", IMEM, 0, bytearray(CODE))
    p.sections[".data"] = Section(".data", GM, 0, bytearray(b"\x07"))
    p.symbols["start"] = Symbol("start", 0, ".text", "global")
    for name, value in defines.items():
        p.symbols[name] = Symbol(name, value, None)
    p.listing = [ListingEntry(filename, 1, ".text", 0, CODE[:8], "start: li x1, 5"),
                 ListingEntry(filename, 2, ".text", 8, CODE[8:], "halt x0")]
    return p


@pytest.fixture
def stub(monkeypatch):
    monkeypatch.setattr(assembler_pkg, "assemble", stub_assemble, raising=False)
    monkeypatch.setattr(assembler_pkg, "AssemblyError", StubError, raising=False)


@pytest.fixture
def src(tmp_path):
    path = tmp_path / "prog.s"
    path.write_text("start: li x1, 5\nhalt x0\n")
    return path


def run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_default_output_is_elf_next_to_the_source(stub, src, capsys):
    rc, out, err = run(capsys, src, "--defsym", "N=0x10", "--defsym", "M=-010")
    assert (rc, out, err) == (0, "", "")
    p = read_elf((src.parent / "prog.elf").read_bytes())
    assert bytes(p.sections[".text"].data) == CODE
    assert p.symbols["N"].value == 16 and p.symbols["M"].value == (-8) % (1 << 32)


@pytest.mark.parametrize("fmt, suffix, expect", [
    ("binary", ".bin", CODE),
    ("hex", ".hex", b"0000000500000110\n000000000000003f\n"),
])
def test_binary_and_hex(stub, src, capsys, fmt, suffix, expect):
    rc, _, _ = run(capsys, src, "-O", fmt)
    assert rc == 0 and (src.parent / f"prog{suffix}").read_bytes() == expect


def test_listing_to_file_and_stdout(stub, src, tmp_path, capsys):
    rc, out, _ = run(capsys, src, "-o", tmp_path / "x.elf", f"-a={tmp_path / 'x.lst'}")
    assert rc == 0 and out == ""
    text = (tmp_path / "x.lst").read_text()
    assert "     1  .text   00000000  10 01 00 00 05 00 00 00  start: li x1, 5" in text
    assert "SYMBOLS" in text and "00000000  global  .text    start" in text
    for flag in ("-a", "--listing", "-ahls"):
        rc, out, _ = run(capsys, src, "-o", tmp_path / "x.elf", flag)
        assert rc == 0 and out == text


def test_stdout_output(stub, src):
    r = subprocess.run([sys.executable, "-c", "import sys, thead_isa.assembler as a; "
                        "from tests.assembler.test_cli import stub_assemble, StubError; "
                        "a.assemble, a.AssemblyError = stub_assemble, StubError; "
                        "from thead_isa.cli.as_main import main; sys.exit(main(sys.argv[1:]))",
                        str(src), "-o", "-", "-O", "hex"], capture_output=True,
                       cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"0000000500000110\n000000000000003f\n" and r.stderr == b""
    assert not (src.parent / "prog.hex").exists()


def test_stdin_input(stub, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"nop\nerror\n")))
    rc, _, err = run(capsys, "-", "-o", tmp_path / "x.elf")
    assert rc == 1 and err == "<stdin>:2:1: error: bad line\n"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"nop\n")))
    assert run(capsys, "-", "-O", "binary")[0] == 0
    assert (tmp_path / "a.bin").read_bytes() == CODE


def test_errors_exit_1_and_leave_no_file(stub, tmp_path, capsys):
    bad = tmp_path / "bad.s"
    bad.write_text("nop\nerror here\nerror again\n")
    out_path = tmp_path / "bad.elf"
    out_path.write_bytes(b"stale")                         # removed, as GNU as does
    rc, out, err = run(capsys, bad, "-o", out_path, "-a=" + str(tmp_path / "bad.lst"))
    assert rc == 1 and out == ""
    assert err == f"{bad}:2:1: error: bad line\n{bad}:3:1: error: bad line\n"
    assert not out_path.exists() and not (tmp_path / "bad.lst").exists()
    assert os.listdir(tmp_path) == ["bad.s"]


@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "cannot read '.*nope.s': No such file or directory"),
    (lambda d: (d / "nope.s").mkdir(), "cannot read '.*nope.s': it is a directory"),
    (lambda d: (d / "nope.s").write_bytes(b"li x1, 1 # \xff\n"),
     "'.*nope.s' is not UTF-8 text \\(byte 0xff at offset 11\\)"),
])
def test_bad_input_is_one_line(stub, tmp_path, capsys, setup, message):
    setup(tmp_path)
    rc, out, err = run(capsys, tmp_path / "nope.s", "-o", tmp_path / "o.elf")
    assert rc == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("thead-as: error: ")
    assert __import__("re").search(message, err), err
    assert not (tmp_path / "o.elf").exists()


def test_unreadable_input(stub, src, capsys, monkeypatch):
    real_open = open

    def deny(path, *a, **kw):
        if str(path) == str(src):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **kw)
    monkeypatch.setattr("builtins.open", deny)          # chmod 0 does not stop root
    rc, _, err = run(capsys, src)
    assert rc == 1 and err == f"thead-as: error: cannot read '{src}': Permission denied\n"


def test_output_into_missing_directory(stub, src, tmp_path, capsys):
    rc, _, err = run(capsys, src, "-o", tmp_path / "no" / "x.elf")
    assert rc == 1 and err.startswith("thead-as: error: cannot write") and err.count("\n") == 1


def test_output_may_not_overwrite_the_input(stub, src, capsys):
    rc, _, err = run(capsys, src, "-o", src)
    assert rc == 1 and "is the input file" in err
    assert src.read_text().startswith("start:")


@pytest.mark.parametrize("argv", [
    [], ["a.s", "b.s"], ["a.s", "-O", "srec"], ["a.s", "--defsym", "N"], ["a.s", "--defsym", "N=x"],
    ["a.s", "--defsym", "1N=1"], ["a.s", "--bogus"], ["a.s", "-o", "-", "-a"], ["a.s", "-a="],
    ["a.s", "--error-limit"], ["a.s", "--error-limit", "-1"], ["a.s", "--error-limit=x"],
    ["a.s", "--error-limit", "1.5"], ["a.s", "--error-limit="], ["a.s", "--error-limit", "0x10"],
    ["a.s", "--error-limit", " 3"],
])
def test_usage_errors_exit_2(stub, capsys, argv):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert "usage: thead-as" in capsys.readouterr().err


def test_atomic_write_failure_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "out.elf"
    target.write_bytes(b"old")

    class Boom(OSError):
        pass

    def failing_replace(a, b):
        raise Boom(28, "No space left on device")
    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(CliError, match="cannot write .*No space left on device"):
        write_outputs([(str(target), b"new" * 1000)])
    assert target.read_bytes() == b"old"
    assert sorted(os.listdir(tmp_path)) == ["out.elf"]


def test_atomic_write_interrupted_mid_write(tmp_path, monkeypatch):
    real_fdopen = os.fdopen

    class Half:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[:10])
            raise KeyboardInterrupt

        def fileno(self):
            return self.f.fileno()
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Half(real_fdopen(fd, mode)))
    with pytest.raises(KeyboardInterrupt):
        write_outputs([(str(tmp_path / "x.elf"), bytes(100))])
    assert os.listdir(tmp_path) == []


def test_output_file_mode_follows_umask(stub, src):
    old = os.umask(0o027)
    try:
        assert main([str(src)]) == 0
    finally:
        os.umask(old)
    assert (src.parent / "prog.elf").stat().st_mode & 0o777 == 0o640


def test_fatal_warnings(stub, src, capsys, monkeypatch):
    def warn(source, **kw):
        p = stub_assemble(source, **kw)
        p.warnings = [StubDiagnostic("prog.s:1:1: warning: careful")]
        return p
    monkeypatch.setattr(assembler_pkg, "assemble", warn)
    rc, _, err = run(capsys, src)
    assert rc == 0 and err == "prog.s:1:1: warning: careful\n"
    rc, _, err = run(capsys, src, "--fatal-warnings")
    assert rc == 1 and "careful" in err and not (src.parent / "prog.elf").exists()
    assert as_main.SUFFIX["elf"] == ".elf"


@pytest.mark.parametrize("argv, limit", [
    ([], 100), (["--error-limit", "5"], 5), (["--error-limit=0"], 0), (["--error-limit", "007"], 7),
    (["--error-limit", "3", "--error-limit", "4"], 4),
])
def test_error_limit_is_passed_to_the_assembler(stub, src, capsys, argv, limit):
    LIMITS.clear()
    rc, _, err = run(capsys, src, *argv)
    assert (rc, err, LIMITS) == (0, "", [limit])


def test_error_limit_usage_message(stub, capsys):
    with pytest.raises(SystemExit):
        main(["a.s", "--error-limit", "-1"])
    err = capsys.readouterr().err
    assert "[--error-limit N]" in err
    assert err.endswith("thead-as: error: argument --error-limit: '-1' is not a number of errors "
                        "(an integer >= 0; 0 for no limit)\n")


# ---- with the real front-end ---------------------------------------------------------------------

def real_assemble():
    try:
        from thead_isa.assembler import AssemblyError, assemble
    except ImportError:
        pytest.skip("the assembler front-end (thead_isa.assembler.assemble) is not available")
    return assemble, AssemblyError


PROGRAM = """\
# a small program with forward and backward branches, data and an absolute symbol
        .equ    COUNT, 3
        .text
        .globl  start
start:  li      x1, COUNT
        li      x2, 0
loop:   addi    x2, x2, 1
        bne     x2, x1, loop
        beq     x0, x0, done
        nop
done:   la      x3, table
        lw      x4, 4(x3)
        halt    x0
        .data
table:  .word   1, 2, 3
"""

DISASSEMBLY_LINE = re.compile(r"\s*[0-9a-f]+:  (?:[0-9a-f]{2} ){7}[0-9a-f]{2}  (.*?)(?:\s+# .*)?")


def test_end_to_end_objdump_reassembles_identically(tmp_path, capsys):
    assemble, _ = real_assemble()
    src = tmp_path / "prog.s"
    src.write_text(PROGRAM)
    assert main([str(src), "-o", str(tmp_path / "prog.elf")]) == 0
    p = read_elf((tmp_path / "prog.elf").read_bytes())
    assert objdump_main(["-d", str(tmp_path / "prog.elf")]) == 0
    text = capsys.readouterr().out
    insns = [m[1] for m in map(DISASSEMBLY_LINE.fullmatch, text.splitlines()) if m]
    assert len(insns) * 8 == len(p.sections[".text"].data)
    again = assemble("\n".join(insns) + "\n", filename="dis.s", include_dirs=[], defines={})
    assert again.sections[".text"].data == p.sections[".text"].data
    assert "<loop>" in text and "# 0x" in text


def test_real_errors_exit_1_with_diagnostics(tmp_path, capsys):
    real_assemble()
    src = tmp_path / "bad.s"
    src.write_text("        addd x1, x2, x3\n        addi x1, x2\n")
    rc, out, err = run(capsys, src, "-o", tmp_path / "bad.elf")
    assert rc == 1 and out == ""
    assert f"{src}:1:9: error:" in err and f"{src}:2:" in err
    assert "Traceback" not in err and not (tmp_path / "bad.elf").exists()


@pytest.mark.parametrize("argv, shown", [([], 100), (["--error-limit", "3"], 3),
                                         (["--error-limit", "0"], 250)])
def test_real_error_limit(tmp_path, capsys, argv, shown):
    """The limit's message comes last; no output (nor the stale one, nor the listing) is left."""
    real_assemble()
    src = tmp_path / "many.s"
    src.write_text("        .warning \"not counted\"\n        .rept 250\n        nop; foo\n"
                   "        .endr\n")
    out_path = tmp_path / "many.elf"
    out_path.write_bytes(b"stale")
    rc, out, err = run(capsys, src, "-o", out_path, "-a=" + str(tmp_path / "many.lst"), *argv)
    assert rc == 1 and out == ""
    firsts = [line for line in err.splitlines() if line.startswith(str(src))]
    assert firsts[0] == f"{src}:1:9: warning: not counted"
    assert firsts[1:shown + 1] == [f"{src}:3:14: error: unknown instruction 'foo'"] * shown
    if shown == 250:
        assert len(firsts) == 251 and "too many errors" not in err
    else:
        assert firsts[shown + 1:] == [f"{src}:3:14: error: too many errors emitted (limit "
                                      f"{shown}); stopping now"]
        assert err.endswith("             foo\n             ^\n"      # the expanded line
                            f"note: in .rept expansion from {src}:2\n")
    assert os.listdir(tmp_path) == ["many.s"]


def test_real_listing_and_defsym(tmp_path, capsys):
    real_assemble()
    src = tmp_path / "p.s"
    src.write_text("start: li x1, N\n  halt x0\n")
    rc, out, err = run(capsys, src, "--defsym", "N=0x2a", "-a", "-O", "hex")
    assert rc == 0, err
    first = (tmp_path / "p.hex").read_text().splitlines()[0]
    assert first == f"{encode('addi', rd=1, rs1=0, imm=42):016x}"
    assert "start: li x1, N" in out and "SYMBOLS" in out


def test_console_entry_point_runs(tmp_path):
    real_assemble()
    src = tmp_path / "p.s"
    src.write_text("halt x0\n")
    r = subprocess.run([sys.executable, "-m", "thead_isa.cli.as_main", str(src), "-o", "-"],
                       capture_output=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith(b"\x7fELF") and r.stderr == b""

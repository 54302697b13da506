# Self-checking conformance programs (tests/conformance/*.s, macros in asm/conformance.inc):
# each must halt with exit code 0 on the reference model and on the core in functional and cycle
# mode (small and default presets), race-free, and through thead-run. Together they must contain
# every instruction of the table.
from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

import conformance_coverage as cov
from thead_isa.assembler import assemble
from thead_isa.core import Machine
from thead_isa.core.races import RaceChecker
from thead_isa.isa import INSTRUCTIONS, IllegalInstruction, decode
from thead_isa.isa.config import preset
from thead_isa.refmodel.machine import RefMachine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ASM = ROOT / "asm"
SOURCES = sorted(p.name for p in HERE.glob("*.s"))
CONFIGS = ("small", "default")
MODES = ("functional", "cycle")
MAX_INSTRUCTIONS = 2_000_000

# Known disagreements, (file, implementation) -> reason; implementation is "ref" or
# "<config>-<mode>". Each is xfail(strict=True), so a fix makes the test fail until removed here.
XFAIL: dict[tuple[str, str], str] = {}


@functools.lru_cache(maxsize=None)
def program(name: str):
    path = HERE / name
    return assemble(path.read_text(), filename=f"tests/conformance/{name}",
                    include_dirs=[str(ASM)])


def text_words(prog) -> list[tuple[int, int]]:
    """(address, word) of every 8-byte word of the program's code sections."""
    out = []
    for sec in prog.sections.values():
        if sec.memory != "imem" or sec.nobits:
            continue
        data = bytes(sec.data)
        out += [(sec.addr + i, int.from_bytes(data[i:i + 8], "little"))
                for i in range(0, len(data) - 7, 8)]
    return out


def _source_line(prog, addr: int) -> str:
    entry = prog.line_of(addr)
    if entry is None:
        return f"pc 0x{addr:x}"
    where = f"{entry.file}:{entry.line}"
    path = ROOT / entry.file if not os.path.isabs(entry.file) else Path(entry.file)
    try:
        text = path.read_text().splitlines()[entry.line - 1].strip()
    except (OSError, IndexError):
        text = ""
    return f"{where}: {text}"


def describe_exit(prog, code: int) -> str:
    """What a nonzero exit code of a conformance program means, with the failing case's line."""
    if code == 254:
        return "exit 254: PASS reached without running the last case (control flow skipped cases)"
    if code == 255:
        return "exit 255: the fail handler was entered outside any case"
    for addr, word in text_words(prog):          # the `li x31, N` TEST_BEGIN emitted
        try:
            d = decode(word)
        except IllegalInstruction:
            continue
        if d.mnemonic == "addi" and d.rd == 31 and d.rs1 == 0 and d.imm == code:
            return f"test {code} failed at {_source_line(prog, addr)}"
    return f"exit code {code}, which names no case"


def _check(name: str, impl: str, prog, exit_code, trap, trap_pc=None) -> None:
    if trap is not None:
        where = _source_line(prog, trap_pc) if trap_pc is not None else ""
        pytest.fail(f"{name} on {impl}: trap {trap} [{where}]", pytrace=False)
    if exit_code != 0:
        pytest.fail(f"{name} on {impl}: {describe_exit(prog, exit_code)}", pytrace=False)


def _params(impls):
    out = []
    for name in SOURCES:
        for impl in impls:
            marks = ()
            if (name, impl) in XFAIL:
                marks = pytest.mark.xfail(strict=True, reason=XFAIL[(name, impl)])
            out.append(pytest.param(name, impl, marks=marks, id=f"{name}-{impl}"))
    return out


@pytest.mark.parametrize("name, impl", _params(["ref"]))
def test_reference_model(name, impl):
    prog = program(name)
    m = RefMachine(preset("default"))
    m.load(prog)
    cov.run_ref(m, MAX_INSTRUCTIONS)
    s = m.state
    assert s.stopped, f"{name}: no halt within {MAX_INSTRUCTIONS} instructions"
    _check(name, impl, prog, s.exit_code, s.trap, s.trap.pc if s.trap else None)


@pytest.mark.parametrize("name, impl", _params([f"{c}-{m}" for c in CONFIGS for m in MODES]))
def test_core(name, impl):
    config, mode = impl.split("-")
    prog = program(name)
    m = Machine(config, mode)
    m.load(prog)
    coverage, races = cov.EventCoverage(mode), RaceChecker(prog)
    r = m.run(max_instructions=MAX_INSTRUCTIONS, observers=[coverage, races])
    coverage.close()
    races.close()
    _check(name, impl, prog, r.exit_code, r.trap, r.trap.pc if r.trap else None)
    assert not races.races, f"{name} on {impl} races:\n{races.report()}"


def test_thead_run_cli(tmp_path):
    """One program through the real command line, in cycle mode: exit status 0."""
    name = "te_conv.s"
    proc = subprocess.run(      # outside the checkout: the installed package, not the sources
        [sys.executable, "-m", "thead_isa.cli.run_main", str(HERE / name), "--mode", "cycle",
         "--config", "small", "-I", str(ASM), "--check-races"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, (
        f"thead-run {name}: status {proc.returncode}: "
        f"{describe_exit(program(name), proc.returncode)}\n{proc.stderr}")


def test_every_instruction_has_a_case():
    """Every mnemonic of the table is assembled into some conformance program (decoded from the
    code words, so instructions that macros emit count)."""
    seen = set()
    for name in SOURCES:
        for _, word in text_words(program(name)):
            try:
                seen.add(decode(word).mnemonic)
            except IllegalInstruction:
                pass
    missing = sorted(i.mnemonic for i in INSTRUCTIONS if i.mnemonic not in seen)
    assert not missing, f"instructions in no conformance program: {', '.join(missing)}"


FAILING = """\
        .include "conformance.inc"
        TEST_START
        TEST_RR 1, add, 3, 1, 2
        TEST_RR 7, add, 4, 1, 2        # wrong on purpose
        TEST_RR 9, add, 5, 2, 3
        PASS
"""


@pytest.mark.parametrize("mode", MODES)
def test_failure_reports_the_case(mode):
    """The harness itself: a wrong expectation exits with its number, mapped to its line."""
    prog = assemble(FAILING, filename="failing.s", include_dirs=[str(ASM)])
    m = Machine("small", mode)
    m.load(prog)
    r = m.run(max_instructions=10_000)
    assert r.trap is None and r.exit_code == 7
    assert describe_exit(prog, 7).startswith("test 7 failed at failing.s:4")

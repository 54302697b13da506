# thead-run: exit statuses, one-line errors, --load/--dump, .s and ELF inputs, observers, stats.
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from thead_isa.assembler import assemble
from thead_isa.assembler.elf import write_elf
from thead_isa.cli import run_main
from thead_isa.cli.run_main import (EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPT, EXIT_RACE,
                                    EXIT_TRAP, EXIT_USAGE, EXIT_WATCHDOG, main)

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "programs"
DATA = PROGRAMS / "data"
MLP_LOADS = [f"--load={n}={DATA / f'mlp_{n}.npy'}" for n in ("x", "w1", "p1", "w2", "p2")]

# adds 1 to each of the 4 int32 words at `inp` and stores them at `out`
ADD1 = """\
        .text
        .globl  _start
_start: la      x1, inp
        la      x2, out
        li      x3, 4
1:      lw      x4, 0(x1)
        addi    x4, x4, 1
        sw      x4, 0(x2)
        addi    x1, x1, 4
        addi    x2, x2, 4
        addi    x3, x3, -1
        bnez    x3, 1b
        halt    x0
        .equ    CONST, 12
        .data
inp:    .word   1, 2, 3, 4
out:    .space  16
"""


def src(tmp_path: Path, text: str, name: str = "t.s") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def halt_with(tmp_path, value: int) -> str:
    return src(tmp_path, f"        .globl _start\n_start: li x1, {value}\n        halt x1\n")


def one_line_error(err: str, *needles: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])


# ---- exit statuses ----
@pytest.mark.parametrize("mode", ["functional", "cycle"])
def test_success_is_exit_0(mode, capsys):
    assert main([str(PROGRAMS / "sum_loop.s"), "--mode", mode]) == 0
    out, err = capsys.readouterr()
    assert out == "" and err == ""


@pytest.mark.parametrize("value,status", [(0, 0), (42, 42), (255, 255), (300, 44), (-1, 255)])
def test_program_exit_code(tmp_path, capsys, value, status):
    assert main([halt_with(tmp_path, value), "--mode", "functional"]) == status
    err = capsys.readouterr().err
    if 0 <= value <= 255:
        assert err == ""
    else:
        one_line_error(err, "low 8 bits")


@pytest.mark.parametrize("mode", ["functional", "cycle"])
def test_trap(tmp_path, capsys, mode):
    path = src(tmp_path, "        .globl _start\n_start: li x1, 0x7ffffff0\n"
                         "        lw x2, 0(x1)\n        halt x0\n")
    assert main([path, "--mode", mode, "--config", "small"]) == EXIT_TRAP
    out, err = capsys.readouterr()
    one_line_error(err, "trap: gm_fault", "pc 0x8", f"{path}:3", "lw x2, 0(x1)")


def test_trap_illegal_instruction(tmp_path, capsys):
    path = src(tmp_path, "        .globl _start\n_start: .dword 0\n")
    assert main([path, "--mode", "functional"]) == EXIT_TRAP
    one_line_error(capsys.readouterr().err, "illegal_instruction", "pc 0x0")


@pytest.mark.parametrize("mode,limit", [("functional", "--max-instructions"),
                                        ("functional", "--max-cycles"),
                                        ("cycle", "--max-instructions"),
                                        ("cycle", "--max-cycles")])
def test_watchdog(tmp_path, capsys, mode, limit):
    path = src(tmp_path, "        .globl _start\n_start: j _start\n")
    assert main([path, "--mode", mode, limit, "1000"]) == EXIT_WATCHDOG
    one_line_error(capsys.readouterr().err, "watchdog", f"{path}:2", "j")


def test_semaphore_deadlock_is_a_trap(tmp_path, capsys):
    path = src(tmp_path, "        .globl _start\n_start: sem.wait s3\n        halt x0\n")
    for mode in ("functional", "cycle"):
        assert main([path, "--mode", mode]) == EXIT_TRAP
        one_line_error(capsys.readouterr().err, "sem_deadlock")


@pytest.mark.parametrize("argv,needle", [
    ([], "PROGRAM"),
    (["x.s", "--mode", "fast"], "--mode"),
    (["x.s", "--bogus"], "--bogus"),
    (["x.s", "--max-cycles", "ten"], "not an integer"),
    (["x.s", "--max-instructions", "-5"], "negative"),
    (["x.s", "--max-cycles", str(2**64)], "larger than"),
    (["x.s", "--load", "x"], "SYMBOL=FILE.npy"),
    (["x.s", "--load", "1x=a.npy"], "symbol name"),
    (["x.s", "--dump", "y=out.npy:int9"], "dtype"),
    (["x.s", "--dump", "y=out.npy:object"], "dtype"),
    (["x.s", "--dump", "y=out.npy:>i4"], "little-endian"),
    (["x.s", "--dump", "y=out.npy:int8:4;10"], "shape"),
    (["x.s", "--dump", "y=out.npy:int8:4,0"], "zero"),
    (["x.s", "--json", "--log"], "stdout"),
])
def test_usage_errors(argv, needle, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == EXIT_USAGE
    one_line_error(capsys.readouterr().err, "thead-run: error:", needle)


@pytest.mark.parametrize("extra", [["--dump", "inp={prog}"], ["--trace", "{prog}"],
                                   ["--log={prog}"], ["--log={o}", "--trace", "{o}"],
                                   ["--dump", "inp={o}", "--dump", "out={o}"]])
def test_outputs_never_overwrite_inputs(tmp_path, capsys, extra):
    prog = src(tmp_path, ADD1)
    before = Path(prog).read_text()
    argv = [prog, "--mode", "functional"] + [e.format(prog=prog, o=tmp_path / "o") for e in extra]
    assert main(argv) == EXIT_USAGE
    one_line_error(capsys.readouterr().err, "thead-run: error:")
    assert Path(prog).read_text() == before and not (tmp_path / "o").exists()


def test_help(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "--load" in out and "125" in out


# ---- input errors ----
def test_missing_program(tmp_path, capsys):
    assert main([str(tmp_path / "nope.s")]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, "cannot read", "nope.s")


def test_not_elf_nor_source(tmp_path, capsys):
    path = tmp_path / "prog.bin"
    path.write_bytes(b"\x00" * 16)
    assert main([str(path)]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, "neither an ELF")


def test_corrupt_elf(tmp_path, capsys):
    data = bytearray(write_elf(assemble(ADD1)))
    data[18] ^= 0xFF                                     # e_machine
    path = tmp_path / "bad.elf"
    path.write_bytes(bytes(data))
    assert main([str(path)]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, "machine")


def test_assembly_errors_print_diagnostics(tmp_path, capsys):
    path = src(tmp_path, "        .globl _start\n_start: addd x1, x2, x3\n        halt x0\n")
    assert main([path]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"{path}:2:9: error: unknown instruction 'addd'" in err
    assert "Traceback" not in err and "thead-run: error" not in err


@pytest.mark.parametrize("config,needle", [("huge", "unknown preset"),
                                           ("missing.toml", "cannot read")])
def test_bad_config(config, needle, capsys):
    assert main([str(PROGRAMS / "sum_loop.s"), "--config", config]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, "--config", needle)


def test_program_too_big_for_the_config(tmp_path, capsys):
    path = src(tmp_path, "        .globl _start\n_start: halt x0\n        .data\n"
                         "        .space 2 * 1024 * 1024\n")
    assert main([path, "--config", "small"]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, "cannot load", "small")


def _npy(tmp_path, arr, name="a.npy") -> str:
    path = tmp_path / name
    np.save(path, arr)
    return str(path)


@pytest.mark.parametrize("spec,needle", [
    ("inpt={npy}", "did you mean 'inp'?"),
    ("CONST={npy}", "absolute symbol"),
    ("_start={npy}", "in code"),
    ("inp={big}", "does not fit"),
    ("inp={missing}", "cannot read"),
    ("inp={garbage}", "not a valid .npy"),
    ("inp={npz}", ".npz"),
    ("inp={objects}", "not a valid .npy"),
])
def test_load_errors(tmp_path, capsys, spec, needle):
    garbage = tmp_path / "garbage.npy"
    garbage.write_bytes(b"not numpy")
    npz = tmp_path / "a.npz"
    np.savez(npz, a=np.zeros(2))
    objects = tmp_path / "objects.npy"
    np.save(objects, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    spec = spec.format(npy=_npy(tmp_path, np.zeros(4, np.int32)),
                       big=_npy(tmp_path, np.zeros(5, np.int32), "big.npy"),
                       missing=tmp_path / "missing.npy", garbage=garbage, npz=npz,
                       objects=objects)
    assert main([src(tmp_path, ADD1), "--load", spec, "--mode", "functional"]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, "thead-run: error:", needle)


@pytest.mark.parametrize("spec,needle", [
    ("outt=o.npy", "did you mean 'out'?"),
    ("out=o.npy:int32:5", "room for 16 bytes"),
    ("out=o.npy:int64:2,2", "room for 16 bytes"),
])
def test_dump_errors_before_the_run(tmp_path, capsys, spec, needle):
    assert main([src(tmp_path, ADD1), "--dump", spec, "--mode", "functional"]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, needle)
    assert not (tmp_path / "o.npy").exists()


def test_dump_to_unwritable_path(tmp_path, capsys):
    spec = f"out={tmp_path / 'no' / 'dir' / 'o.npy'}:int32"
    assert main([src(tmp_path, ADD1), "--dump", spec, "--mode", "functional"]) == EXIT_INPUT
    one_line_error(capsys.readouterr().err, "cannot write")


# ---- --load / --dump ----
@pytest.mark.parametrize("mode", ["functional", "cycle"])
def test_load_dump_round_trip(tmp_path, capsys, mode):
    arr = np.array([10, -20, 1 << 30, 7], np.int32)
    out = tmp_path / "out.npy"
    inp = tmp_path / "inp.npy"
    status = main([src(tmp_path, ADD1), "--mode", mode, "--load", f"inp={_npy(tmp_path, arr)}",
                   "--dump", f"out={out}:int32:2,2", "--dump", f"inp={inp}"])
    assert status == 0, capsys.readouterr().err
    got = np.load(out)
    assert got.dtype == np.int32 and got.shape == (2, 2)
    np.testing.assert_array_equal(got, (arr + 1).reshape(2, 2))
    raw = np.load(inp)                                   # default: uint8, the symbol's extent
    assert raw.dtype == np.uint8 and raw.shape == (16,)
    assert raw.tobytes() == arr.tobytes()


def test_load_smaller_than_the_symbol_and_big_endian(tmp_path, capsys):
    arr = np.array([5, 6], ">i4")                        # stored big-endian: converted
    out = tmp_path / "out.npy"
    assert main([src(tmp_path, ADD1), "--mode", "functional", "--load",
                 f"inp={_npy(tmp_path, arr)}", "--dump", f"out={out}:int32"]) == 0
    np.testing.assert_array_equal(np.load(out), [6, 7, 4, 5])


def test_dump_after_a_trap(tmp_path, capsys):
    path = src(tmp_path, "        .globl _start\n_start: la x1, v\n        li x2, 99\n"
                         "        sw x2, 0(x1)\n        .dword 0\n        .data\nv: .word 0\n")
    out = tmp_path / "v.npy"
    assert main([path, "--mode", "functional", "--dump", f"v={out}:int32"]) == EXIT_TRAP
    assert np.load(out).tolist() == [99]


# ---- inputs: .s and ELF ----
@pytest.mark.parametrize("mode", ["functional", "cycle"])
def test_mlp_from_source_and_from_elf(tmp_path, capsys, mode):
    elf = tmp_path / "mlp.elf"
    elf.write_bytes(write_elf(assemble(PROGRAMS / "mlp.s")))
    expect = np.load(DATA / "mlp_y.npy")
    for prog in (str(PROGRAMS / "mlp.s"), str(elf)):
        y = tmp_path / "y.npy"
        assert main([prog, "--mode", mode, *MLP_LOADS, "--dump", f"y={y}:int8:4,10"]) == 6
        np.testing.assert_array_equal(np.load(y), expect)
        y.unlink()


def test_source_from_stdin(monkeypatch, capsys):
    import io
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(
        b"        .globl _start\n_start: li x1, 9\n        halt x1\n")))
    assert main(["-", "--mode", "functional"]) == 9


def test_include_path(tmp_path, capsys):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "code.inc").write_text(".equ CODE, 17\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    path = src(sub, '        .include "code.inc"\n        .globl _start\n'
                    '_start: li x1, CODE\n        halt x1\n')
    assert main([path, "--mode", "functional"]) == EXIT_INPUT
    capsys.readouterr()
    assert main([path, "--mode", "functional", "-I", str(tmp_path / "inc")]) == 17


@pytest.mark.parametrize("name,status", [("sum_loop", 0), ("gemm_requant", 0),
                                         ("gemm_tiled", 0), ("conv_relu", 0)])
def test_documented_program_runs(name, status, capsys):
    for mode in ("functional", "cycle"):
        assert main([str(PROGRAMS / f"{name}.s"), "--mode", mode, "--stats"]) == status
        out = capsys.readouterr().out
        assert f"{name}.s: exit code 0" in out and "instructions" in out


# ---- stats, observers ----
def test_stats_json(capsys):
    assert main([str(PROGRAMS / "gemm_tiled.s"), "--mode", "cycle", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["outcome"] == "halted" and doc["exit_status"] == 0 and doc["trap"] is None
    assert doc["mode"] == "cycle" and doc["cycles"] > doc["instructions"] > 0
    assert doc["stats"]["macs"] == 16 * 256 * 32


def test_stats_json_trap(tmp_path, capsys):
    path = src(tmp_path, "        .globl _start\n_start: .dword 0\n")
    assert main([path, "--mode", "functional", "--stats", "--json"]) == EXIT_TRAP
    doc = json.loads(capsys.readouterr().out)
    assert doc["outcome"] == "trap" and doc["trap"]["cause"] == "illegal_instruction"
    assert doc["exit_code"] is None


def test_log_and_trace(tmp_path, capsys):
    log, trace = tmp_path / "log.txt", tmp_path / "trace.json"
    assert main([str(PROGRAMS / "gemm_requant.s"), "--mode", "cycle", f"--log={log}",
                 "--trace", str(trace)]) == 0
    lines = log.read_text().splitlines()
    assert any("halt" in line and "gemm_requant.s:" in line for line in lines)
    doc = json.loads(trace.read_text())
    from thead_isa.core.trace import validate_trace
    assert validate_trace(doc) == []


def test_log_to_stdout(capsys):
    assert main([str(PROGRAMS / "sum_loop.s"), "--mode", "functional", "--log"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 308 and "halt" in out[-1]


RACY = """\
        .globl  _start
_start: li      x1, 0
        la      x2, a
        csrwi   dma_cols, 16
        dma.ld  x1, x2                  # no sig: the TE below may read LM before it is written
        csrwi   te_k, 16
        li      x3, 0
        gemm    x3, x1, x1
        halt    x0
        .data
a:      .space  16
"""


def test_check_races(tmp_path, capsys):
    assert main([str(PROGRAMS / "gemm_tiled.s"), "--mode", "cycle", "--check-races"]) == 0
    assert "no races" in capsys.readouterr().err
    assert main([src(tmp_path, RACY), "--mode", "cycle", "--check-races"]) == EXIT_RACE
    err = capsys.readouterr().err
    assert "race" in err and "dma.ld" in err and "gemm" in err and "t.s:5" in err


# ---- robustness ----
def test_interrupt(monkeypatch, capsys):
    def boom(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(run_main, "execute", boom)
    assert main([str(PROGRAMS / "sum_loop.s")]) == EXIT_INTERRUPT
    one_line_error(capsys.readouterr().err, "interrupted")


def test_internal_error_is_one_line(monkeypatch, capsys):
    def boom(args):
        raise RuntimeError("kaputt\nsecond line")
    monkeypatch.delenv("THEAD_RUN_DEBUG", raising=False)
    monkeypatch.setattr(run_main, "execute", boom)
    assert main([str(PROGRAMS / "sum_loop.s")]) == EXIT_INTERNAL
    one_line_error(capsys.readouterr().err, "internal error", "RuntimeError", "kaputt")


def test_subprocess_statuses(tmp_path):
    """The real process: exit statuses and stderr without a traceback."""
    def run(*argv):      # outside the checkout: the installed package, not the source tree
        return subprocess.run([sys.executable, "-m", "thead_isa.cli.run_main", *argv],
                              capture_output=True, text=True, cwd=tmp_path, timeout=300)
    sum_loop = str(PROGRAMS / "sum_loop.s")
    r = run(sum_loop, "--mode", "functional")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = run(halt_with(tmp_path, 7), "--mode", "functional")
    assert r.returncode == 7
    r = run(str(PROGRAMS / "missing.s"))
    assert r.returncode == EXIT_INPUT
    one_line_error(r.stderr, "missing.s")
    r = run(sum_loop, "--load", "nothing")
    assert r.returncode == EXIT_USAGE
    one_line_error(r.stderr, "SYMBOL=FILE.npy")

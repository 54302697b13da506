# Every programs/*.s example assembles and, on the reference model, exits 0 on each preset.
from pathlib import Path

import pytest

from thead_isa.assembler import assemble
from thead_isa.isa.config import preset
from thead_isa.refmodel.machine import RefMachine

PROGRAMS = sorted((Path(__file__).resolve().parents[2] / "programs").glob("*.s"))


def test_there_are_examples():
    assert {p.name for p in PROGRAMS} >= {"sum_loop.s", "gemm_requant.s"}


@pytest.mark.parametrize("config", ["small", "default"])
@pytest.mark.parametrize("path", PROGRAMS, ids=lambda p: p.name)
def test_example_runs_to_exit_0(path, config):
    m = RefMachine(preset(config))
    m.load(assemble(path))
    s = m.run(1_000_000)
    assert s.trap is None, str(s.trap)
    assert (s.halted, s.exit_code) == (True, 0)


def test_gemm_example_detects_a_wrong_result():
    """The self-check is real: corrupt one expected byte and the program exits 1."""
    path = next(p for p in PROGRAMS if p.name == "gemm_requant.s")
    program = assemble(path)
    m = RefMachine(preset("small"))
    m.load(program)
    expect = program.symbols["expect"].value
    m.write("gm", expect, bytes([m.read("gm", expect, 1)[0] ^ 1]))
    assert m.run(1_000_000).exit_code == 1

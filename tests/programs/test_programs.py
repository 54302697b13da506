# The example programs give the results numpy computes, on the reference model and on the core in
# both modes, with identical memories, no races, and exit codes as their headers document.
from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from thead_isa.assembler import assemble
from thead_isa.isa.config import preset
from thead_isa.refmodel.machine import RefMachine
from thead_isa.refmodel.quant import requant_fx

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "programs"
DATA = PROGRAMS / "data"
BACKENDS = ("ref", "functional", "cycle")
CONFIGS = ("small", "default")
MLP_INPUTS = ("x", "w1", "p1", "w2", "p2")
NEW = ("sum_loop", "gemm_tiled", "conv_relu", "mlp")


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, PROGRAMS / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _bin(name: str, dtype, shape) -> np.ndarray:
    return np.fromfile(DATA / name, dtype=dtype).reshape(shape)


def mlp_inputs() -> dict[str, np.ndarray]:
    return {n: np.load(DATA / f"mlp_{n}.npy") for n in MLP_INPUTS}


@dataclass
class Outcome:
    halted: bool
    exit_code: int | None
    trap: object
    memories: dict[str, bytes]
    read: object                       # read(symbol, dtype, shape) -> np.ndarray


_PROGRAMS: dict[str, object] = {}


def program(name: str):
    if name not in _PROGRAMS:
        _PROGRAMS[name] = assemble(PROGRAMS / f"{name}.s")
    return _PROGRAMS[name]


def run(name: str, backend: str, config: str, loads: dict[str, np.ndarray] | None = None,
        patch=None, observers=()) -> Outcome:
    """Run programs/<name>.s; loads: symbol -> array written (raw bytes) before the run."""
    p = program(name)
    loads = loads or {}
    if backend == "ref":
        m = RefMachine(preset(config))
        m.load(p)
        for sym, arr in loads.items():
            m.write("gm", p.symbols[sym].value, arr.tobytes())
        if patch:
            patch(lambda sym, data: m.write("gm", p.symbols[sym].value, data))
        s = m.run(10_000_000)
        mems = {k: getattr(s, k).tobytes() for k in ("gm", "lm", "acc")}

        def read(sym, dtype, shape):
            n = np.dtype(dtype).itemsize * int(np.prod(shape))
            return np.frombuffer(m.read("gm", p.symbols[sym].value, n), dtype).reshape(shape)
        return Outcome(s.halted, s.exit_code, s.trap, mems, read)
    from thead_isa.core.machine import Machine
    try:
        m = Machine(config, backend)
    except NotImplementedError as e:
        pytest.skip(f"{backend} mode not available: {e}")
    m.load(p)
    for sym, arr in loads.items():
        m.write(sym, arr)
    if patch:
        patch(lambda sym, data: m.write(sym, data))
    r = m.run(max_instructions=10_000_000, observers=observers)
    mems = {k: getattr(m, k).tobytes() for k in ("gm", "lm", "acc")}
    return Outcome(r.halted, r.exit_code, r.trap, mems,
                   lambda sym, dtype, shape: np.array(m.read(sym, dtype, shape)))


def requant(acc: np.ndarray, params: np.ndarray, zp: int, qmin: int) -> np.ndarray:
    bias, mult, shift = (np.broadcast_to(r, acc.shape) for r in params.astype(np.int64))
    return requant_fx(acc, bias, mult, shift, zp, qmin, 127).astype(np.int8)


# ---- expected results, computed here from the inputs with numpy integer arithmetic ----
def expect_gemm_tiled() -> np.ndarray:
    a = _bin("gemm_tiled_a.bin", np.int8, (16, 256)).astype(np.int64)
    b = _bin("gemm_tiled_b.bin", np.int8, (256, 32)).astype(np.int64)
    params = _bin("gemm_tiled_params.bin", "<i4", (3, 32))
    return requant(a @ b, params, zp=-3, qmin=-128)


def expect_conv_relu() -> np.ndarray:
    x = _bin("conv_relu_x.bin", np.int8, (8, 8, 8)).astype(np.int64)
    w = _bin("conv_relu_w.bin", np.int8, (3, 3, 8, 16)).astype(np.int64)
    params = _bin("conv_relu_params.bin", "<i4", (3, 16))
    xp = np.full((10, 10, 8), -3, np.int64)          # padding 1 with the input zero point
    xp[1:9, 1:9] = x
    acc = np.zeros((8, 8, 16), np.int64)
    for oy in range(8):
        for ox in range(8):
            acc[oy, ox] = np.einsum("ijc,ijco->o", xp[oy:oy + 3, ox:ox + 3], w)
    y = requant(acc.reshape(64, 16), params, zp=-20, qmin=-20)     # qmin = zp: ReLU
    return y.reshape(8, 8, 16)


def expect_mlp(inputs: dict[str, np.ndarray]) -> np.ndarray:
    h = requant(inputs["x"].astype(np.int64) @ inputs["w1"].astype(np.int64), inputs["p1"],
                zp=-128, qmin=-128)
    return requant(h.astype(np.int64) @ inputs["w2"].astype(np.int64), inputs["p2"],
                   zp=0, qmin=-128)


# ---- the examples ----
def test_examples_exist_with_headers():
    for name in NEW:
        text = (PROGRAMS / f"{name}.s").read_text()
        header = text.split("\n\n")[0] if name != "mlp" else text[:3000]
        assert re.search(rf"thead-run programs/{name}\.s", text), name
        assert "--stats" in text and "Expected:" in header, name
    assert (ROOT / "asm" / "npu.inc").exists()


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_sum_loop(backend, config):
    out = run("sum_loop", backend, config)
    assert (out.halted, out.exit_code, out.trap) == (True, 0, None)
    assert out.read("result", np.int32, 1)[0] == sum(range(1, 101))


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_gemm_tiled(backend, config):
    out = run("gemm_tiled", backend, config)
    assert (out.halted, out.exit_code, out.trap) == (True, 0, None)
    y = out.read("y", np.int8, (16, 32))
    np.testing.assert_array_equal(y, expect_gemm_tiled())
    assert len(np.unique(y)) > 50                    # not a degenerate (saturated) result


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_conv_relu(backend, config):
    out = run("conv_relu", backend, config)
    assert (out.halted, out.exit_code, out.trap) == (True, 0, None)
    y = out.read("y", np.int8, (8, 8, 16))
    expect = expect_conv_relu()
    np.testing.assert_array_equal(y, expect)
    assert y.min() == -20 and (y == -20).mean() > 0.2 and (y > -20).mean() > 0.2   # ReLU bites


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_mlp(backend, config):
    inputs = mlp_inputs()
    out = run("mlp", backend, config, loads=inputs)
    y = expect_mlp(inputs)
    pred = y.argmax(axis=1)
    assert (out.halted, out.trap) == (True, None)
    assert out.exit_code == pred[0] == np.load(DATA / "mlp_pred.npy")[0] == 6   # as documented
    np.testing.assert_array_equal(out.read("y", np.int8, (4, 10)), y)
    np.testing.assert_array_equal(out.read("y", np.int8, (4, 10)), np.load(DATA / "mlp_y.npy"))
    np.testing.assert_array_equal(out.read("pred", np.uint8, 4), pred)


@pytest.mark.parametrize("backend", BACKENDS)
def test_mlp_without_inputs_exits_0(backend):
    out = run("mlp", backend, "small")
    assert (out.halted, out.exit_code) == (True, 0)
    assert not out.read("y", np.int8, (4, 10)).any()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["gemm_tiled", "conv_relu"])
def test_self_check_is_real(name, backend):
    """Corrupt one expected byte and the program exits 1."""
    def corrupt(write):
        write("expect", bytes([0x55]) * 3)
    out = run(name, backend, "small", patch=corrupt)
    assert (out.halted, out.exit_code) == (True, 1)


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("name", NEW + ("gemm_requant",))
def test_identical_memories_in_every_backend(name, config):
    """Race-free programs leave GM, LM and ACC identical on the reference model and in both
    modes of the core."""
    loads = mlp_inputs() if name == "mlp" else None
    ref = run(name, "ref", config, loads)
    for backend in ("functional", "cycle"):
        out = run(name, backend, config, loads)
        assert out.exit_code == ref.exit_code
        for mem in ("gm", "lm", "acc"):
            assert out.memories[mem] == ref.memories[mem], (backend, mem)


@pytest.mark.parametrize("name", NEW + ("gemm_requant",))
def test_race_free(name):
    try:
        from thead_isa.core.races import RaceChecker
    except ImportError:
        pytest.skip("thead_isa.core.races is not available")
    checker = RaceChecker(program(name))
    loads = mlp_inputs() if name == "mlp" else None
    out = run(name, "cycle", "default", loads, observers=[checker])
    assert out.halted
    assert checker.races == [], checker.report()


def test_shipped_data_is_current(capsys):
    """The data files are what the documented scripts generate (fixed seeds)."""
    assert _module("make_data").main(["--check"]) == 0, capsys.readouterr().out
    assert _module("make_mlp_data").main(["--check"]) == 0, capsys.readouterr().out


def test_generators_agree_with_the_tests():
    g = _module("make_data")
    np.testing.assert_array_equal(g.gemm_data()["expect"], expect_gemm_tiled())
    np.testing.assert_array_equal(g.conv_data()["expect"], expect_conv_relu())
    arrays, info = _module("make_mlp_data").make()
    np.testing.assert_array_equal(arrays["y"], expect_mlp(arrays))
    assert info["float_argmax_agrees"] == 1.0 and info["max_abs_err_lsb"] < 2

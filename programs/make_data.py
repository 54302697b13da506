# Generates the input and expected-output files of programs/gemm_tiled.s and programs/conv_relu.s.
"""Writes programs/data/{gemm_tiled,conv_relu}_*.bin, the raw little-endian arrays that the two
programs `.incbin` (inputs, requantization parameters and the expected output they check
themselves against). Deterministic: a fixed seed per program, so rerunning reproduces the files
byte for byte (tests/programs/test_programs.py checks that the shipped files are current).

    python programs/make_data.py            # rewrite the files
    python programs/make_data.py --check    # exit 1 if a shipped file differs

The expected outputs are computed here with numpy integer arithmetic and the bit-exact
requantization of thead_isa.refmodel.quant (docs/quantization.md). The shapes and zero points
must match the constants at the top of each .s file.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from thead_isa.refmodel.quant import quantize_multiplier, requant_fx

DATA = Path(__file__).resolve().parent / "data"

# programs/gemm_tiled.s: C[M][N] = A[M][K] @ B[K][N], K split into tiles of KT.
GEMM = dict(M=16, K=256, N=32, KT=32, ZP=-3)
# programs/conv_relu.s: 3x3 convolution, stride 1, padding 1, NHWC, then requant + ReLU.
CONV = dict(IH=8, IW=8, C=8, OC=16, KH=3, KW=3, PAD=1, ZP_IN=-3, ZP_OUT=-20)


def requant_params(scales: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """The [3][cols] int32 block vrq.fx reads from LM: bias, mult, shift per column."""
    mult, shift = zip(*(quantize_multiplier(float(s)) for s in scales))
    return np.stack([bias, np.array(mult), np.array(shift)]).astype("<i4")


def requantize(acc: np.ndarray, params: np.ndarray, zp: int, qmin: int, qmax: int) -> np.ndarray:
    """vrq.fx on an int32 [rows][cols] tile with a [3][cols] parameter block."""
    bias, mult, shift = (np.broadcast_to(p, acc.shape) for p in params.astype(np.int64))
    return requant_fx(acc, bias, mult, shift, zp, qmin, qmax).astype(np.int8)


def gemm_data() -> dict[str, np.ndarray]:
    g = GEMM
    rng = np.random.default_rng(4001)
    a = rng.integers(-128, 128, (g["M"], g["K"]), dtype=np.int8)
    b = rng.integers(-128, 128, (g["K"], g["N"]), dtype=np.int8)
    bias = rng.integers(-20000, 20000, g["N"])
    # acc has a standard deviation of about sqrt(K) * 74^2 = 87600: map +-2 sigma to about +-100.
    scales = 100 / (2 * np.sqrt(g["K"]) * 74.0 ** 2) * rng.uniform(0.7, 1.3, g["N"])
    params = requant_params(scales, bias)
    acc = a.astype(np.int64) @ b.astype(np.int64)
    y = requantize(acc, params, g["ZP"], -128, 127)
    return {"a": a, "b": b, "params": params, "expect": y}


def conv_data() -> dict[str, np.ndarray]:
    c = CONV
    rng = np.random.default_rng(4002)
    x = rng.integers(-128, 128, (c["IH"], c["IW"], c["C"]), dtype=np.int8)
    w = rng.integers(-127, 128, (c["KH"], c["KW"], c["C"], c["OC"]), dtype=np.int8)
    bias = rng.integers(-5000, 5000, c["OC"])
    # The conv has no input zero point: fold it into the bias (bias' = bias - zp_in * sum(w)).
    # Padding reads win_padval = zp_in, so the fold is exact at the borders too.
    folded = bias - c["ZP_IN"] * w.astype(np.int64).sum(axis=(0, 1, 2))
    n = c["KH"] * c["KW"] * c["C"]
    scales = 120 / (2 * np.sqrt(n) * 74.0 ** 2) * rng.uniform(0.7, 1.3, c["OC"])
    params = requant_params(scales, folded)
    acc = conv_reference(x, w, c["PAD"], c["ZP_IN"])
    y = requantize(acc.reshape(-1, c["OC"]), params, c["ZP_OUT"], c["ZP_OUT"], 127)
    return {"x": x, "w": w, "params": params, "expect": y.reshape(acc.shape)}


def conv_reference(x: np.ndarray, w: np.ndarray, pad: int, padval: int) -> np.ndarray:
    """Stride-1 NHWC convolution in int64 with `pad` rows/columns of padval on every side."""
    kh, kw, _, oc = w.shape
    xp = np.pad(x.astype(np.int64), ((pad, pad), (pad, pad), (0, 0)), constant_values=padval)
    oh, ow = xp.shape[0] - kh + 1, xp.shape[1] - kw + 1
    out = np.zeros((oh, ow, oc), np.int64)
    for i in range(kh):
        for j in range(kw):
            out += xp[i:i + oh, j:j + ow, :] @ w[i, j].astype(np.int64)
    return out


def files() -> dict[str, bytes]:
    out = {}
    for prog, arrays in (("gemm_tiled", gemm_data()), ("conv_relu", conv_data())):
        for name, arr in arrays.items():
            out[f"{prog}_{name}.bin"] = np.ascontiguousarray(arr).tobytes()
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, data in files().items():
        path = DATA / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            DATA.mkdir(exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(DATA.parent.parent)} ({len(data)} bytes)")
    if stale:
        print(f"stale: {', '.join(stale)} (run python programs/make_data.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

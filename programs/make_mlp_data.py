# Generates the weights, input and expected output of programs/mlp.s (an int8 two-layer MLP).
"""A small float MLP (64 -> 32 -> ReLU -> 10) with random weights from a fixed seed, quantized
the TFLite way, written as .npy files that `thead-run --load` places at the symbols of mlp.s:

    programs/data/mlp_x.npy    int8  [4][64]   input batch, zero point ZP_X (folded into p1)
    programs/data/mlp_w1.npy   int8  [64][32]  layer-1 weights, symmetric per output channel
    programs/data/mlp_p1.npy   int32 [3][32]   layer-1 vrq.fx block: bias, mult, shift
    programs/data/mlp_w2.npy   int8  [32][10]  layer-2 weights
    programs/data/mlp_p2.npy   int32 [3][10]   layer-2 vrq.fx block
    programs/data/mlp_y.npy    int8  [4][10]   expected output (integer reference, bit-exact)
    programs/data/mlp_pred.npy uint8 [4]       expected predicted class per sample (argmax of y)

    python programs/make_mlp_data.py            # rewrite the files
    python programs/make_mlp_data.py --check    # exit 1 if a shipped file differs

The zero points of the hidden and output activations are constants of mlp.s (ZP_H = -128,
ZP_Y = 0), because the program writes them into ve_zp / ve_qmin; the input zero point and the
hidden zero point are folded into the biases (bias' = bias - zp_in * sum(w), docs/isa.md), as
gemm has no zero-point operand. The expected output is computed with numpy integer arithmetic
and thead_isa.refmodel.quant, the bit-exact definition of vrq.fx (docs/quantization.md).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from thead_isa.refmodel.quant import quantize_multiplier, requant_fx

DATA = Path(__file__).resolve().parent / "data"
SEED = 20260404
B, D_IN, H, D_OUT = 4, 64, 32, 10
ZP_H, ZP_Y = -128, 0                     # must match programs/mlp.s


def quantize_weights(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-output-channel int8: w ~= q * scale[o]."""
    scale = np.abs(w).max(axis=0) / 127
    return np.clip(np.round(w / scale), -127, 127).astype(np.int8), scale


def layer_params(bias: np.ndarray, wq: np.ndarray, s_in: float, zp_in: int,
                 s_w: np.ndarray, s_out: float) -> np.ndarray:
    """The [3][cols] int32 vrq.fx block of a dense layer: the float bias in units of s_in * s_w
    with the input zero point folded in, and the (mult, shift) of s_in * s_w / s_out."""
    qbias = np.round(bias / (s_in * s_w)).astype(np.int64) - zp_in * wq.astype(np.int64).sum(0)
    mult, shift = zip(*(quantize_multiplier(float(s)) for s in s_in * s_w / s_out))
    return np.stack([qbias, np.array(mult), np.array(shift)]).astype("<i4")


def dense(xq: np.ndarray, wq: np.ndarray, p: np.ndarray, zp: int, qmin: int) -> np.ndarray:
    """gemm + vrq.fx: int8 [rows][k] x int8 [k][cols] -> int8 [rows][cols]."""
    acc = xq.astype(np.int64) @ wq.astype(np.int64)
    bias, mult, shift = (np.broadcast_to(r, acc.shape) for r in p.astype(np.int64))
    return requant_fx(acc, bias, mult, shift, zp, qmin, 127).astype(np.int8)


def make() -> tuple[dict[str, np.ndarray], dict[str, float]]:
    rng = np.random.default_rng(SEED)
    w1 = rng.normal(0, 1 / np.sqrt(D_IN), (D_IN, H))
    b1 = rng.normal(0, 0.1, H)
    w2 = rng.normal(0, 1 / np.sqrt(H), (H, D_OUT))
    b2 = rng.normal(0, 0.1, D_OUT)
    x = rng.uniform(-1.0, 1.5, (B, D_IN))

    # float model, also the calibration of the activation ranges
    h = np.maximum(x @ w1 + b1, 0)
    y = h @ w2 + b2

    s_x = (x.max() - x.min()) / 255
    zp_x = int(np.round(-128 - x.min() / s_x))
    xq = np.clip(np.round(x / s_x) + zp_x, -128, 127).astype(np.int8)
    w1q, s_w1 = quantize_weights(w1)
    w2q, s_w2 = quantize_weights(w2)
    s_h = h.max() / 255                          # [0, max] onto [-128, 127]: ZP_H = -128
    s_y = np.abs(y).max() / 127                  # symmetric: ZP_Y = 0

    p1 = layer_params(b1, w1q, s_x, zp_x, s_w1, s_h)
    p2 = layer_params(b2, w2q, s_h, ZP_H, s_w2, s_y)
    hq = dense(xq, w1q, p1, ZP_H, ZP_H)          # qmin = ZP_H: ReLU
    yq = dense(hq, w2q, p2, ZP_Y, -128)
    pred = yq.argmax(axis=1).astype(np.uint8)    # first maximum, as the program's loop

    arrays = {"x": xq, "w1": w1q, "p1": p1, "w2": w2q, "p2": p2, "y": yq, "pred": pred}
    info = {"float_argmax_agrees": float((y.argmax(1) == pred).mean()),
            "max_abs_err_lsb": float(np.abs((yq.astype(float) - ZP_Y) - y / s_y).max())}
    return arrays, info


def main(argv: list[str]) -> int:
    arrays, info = make()
    check = "--check" in argv
    stale = []
    for name, arr in arrays.items():
        path = DATA / f"mlp_{name}.npy"
        if check:
            if not path.exists() or not _same(np.load(path, allow_pickle=False), arr):
                stale.append(path.name)
        else:
            DATA.mkdir(exist_ok=True)
            np.save(path, arr, allow_pickle=False)
            print(f"wrote programs/data/{path.name} {arr.dtype} {list(arr.shape)}")
    if not check:
        print(f"predicted classes {arrays['pred'].tolist()} (exit code of mlp.s: "
              f"{arrays['pred'][0]}); float model agrees on {info['float_argmax_agrees']:.0%}; "
              f"largest output error {info['max_abs_err_lsb']:.2f} LSB")
    if stale:
        print(f"stale: {', '.join(stale)} (run python programs/make_mlp_data.py)")
        return 1
    return 0


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

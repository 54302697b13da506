# Demo: an int8 GEMM with fused bias + requantize + ReLU, run on the reference model, checked with numpy.
"""Runs on the `default` configuration (or the preset named on the command line).

The program is built with the encoder (thead-as is not written yet). Data flow:
GM --dma.ld--> LM --gemm--> ACC --vrq.fx--> LM --dma.st--> GM, synchronized by semaphores:
the last load signals s0, gemm waits on s0 and signals s1, the requantization waits on s1 and
signals s2, the store waits on s2 and signals s3, and the CP waits on s3 before it halts.
"""
from __future__ import annotations

import sys

import numpy as np

from thead_isa.core.requant import requant_fx
from thead_isa.isa import encode, decode, format_insn
from thead_isa.isa.config import load_config
from thead_isa.isa.csrs import BY_NAME
from thead_isa.refmodel.machine import RefMachine
from thead_isa.refmodel.quant import quantize_multiplier

M, K, N = 16, 64, 32
GM_A, GM_B, GM_P, GM_OUT = 0x0000, 0x1000, 0x2000, 0x3000
LM_A, LM_B, LM_P, LM_OUT = 0x0000, 0x1000, 0x2000, 0x3000
S_IN, S_W, S_OUT, ZP_OUT = 0.05, 0.02, 0.8, -5


def csrwi(name, value):
    return encode("csrwi", csr=BY_NAME[name].number, imm=value)


def li(rd, value):
    return encode("addi", rd=rd, rs1=0, imm=value)


def dma_shape(rows, cols, sstride, dstride):
    return [csrwi("dma_rows", rows), csrwi("dma_cols", cols),
            csrwi("dma_sstride", sstride), csrwi("dma_dstride", dstride)]


def program() -> list[int]:
    return [
        li(1, GM_A), li(2, LM_A), li(3, GM_B), li(4, LM_B), li(5, GM_P), li(6, LM_P),
        li(7, 0), li(8, LM_OUT), li(9, GM_OUT),
        *dma_shape(M, K, K, K), encode("dma.ld", lm=2, gm=1),
        *dma_shape(1, 3 * 4 * N, 0, 0), encode("dma.ld", lm=6, gm=5),
        *dma_shape(K, N, N, N), encode("dma.ld", lm=4, gm=3, sig=0),
        csrwi("te_m", M), csrwi("te_n", N), csrwi("te_k", K),
        csrwi("te_lda", K), csrwi("te_ldb", N), csrwi("te_ldc", N),
        encode("gemm", c=7, a=2, b=4, wait=0, sig=1),
        csrwi("ve_rows", M), csrwi("ve_cols", N), csrwi("ve_zp", ZP_OUT),
        csrwi("ve_qmin", ZP_OUT), csrwi("ve_qmax", 127),              # fused ReLU
        encode("vrq.fx", dst=8, src=7, p=6, wait=1, sig=2),
        *dma_shape(M, N, N, N), encode("dma.st", gm=9, lm=8, wait=2, sig=3),
        encode("sem.wait", sem=3),
        encode("halt", rs1=0),
    ]


def main(preset: str = "default") -> int:
    rng = np.random.default_rng(2026)
    a = rng.integers(-128, 128, (M, K), dtype=np.int8)
    b = rng.integers(-128, 128, (K, N), dtype=np.int8)
    bias = rng.integers(-2000, 2000, N, dtype=np.int32)
    mult, shift = (np.array(v, np.int32) for v in
                   zip(*[quantize_multiplier(S_IN * S_W * (1 + c / N) / S_OUT) for c in range(N)]))
    params = np.concatenate([bias, mult, shift]).astype("<i4")

    cfg = load_config(preset)
    words = program()
    m = RefMachine(cfg)
    m.load_program(words)
    for addr, arr in ((GM_A, a), (GM_B, b), (GM_P, params)):
        m.write("gm", addr, arr.tobytes())
    state = m.run()
    if not state.halted:
        print(f"program stopped: {state.trap}")
        return 1
    got = np.frombuffer(m.read("gm", GM_OUT, M * N), np.int8).reshape(M, N)

    acc = a.astype(np.int32) @ b.astype(np.int32)
    expect = requant_fx(acc.reshape(-1), np.tile(bias, M), np.tile(mult, M), np.tile(shift, M),
                        ZP_OUT, ZP_OUT, 127).astype(np.int8).reshape(M, N)
    real = np.maximum(0.0, (acc + bias) * S_IN * S_W * (1 + np.arange(N) / N))
    lsb_err = np.abs((got.astype(np.float64) - ZP_OUT) * S_OUT - real) / S_OUT

    print(f"configuration {cfg.name}: TE {cfg.te_rows}x{cfg.te_cols}, LM {cfg.lm_bytes >> 10} KiB")
    print(f"program: {len(words)} instructions; the engine instructions and the end:")
    for w in words:
        d = decode(w)
        if d.insn.engine != "cp" or d.insn.iclass in ("sync", "halt"):
            print(f"  {format_insn(d)}")
    print(f"retired {state.instret} instructions, exit code {state.exit_code}")
    print(f"output [{M}x{N}] int8, first row: {got[0, :8].tolist()} ...")
    exact = np.array_equal(got, expect)
    print(f"bit-exact against the numpy/Cython integer reference: {'yes' if exact else 'NO'}")
    unsaturated = got < 127
    print(f"error against the real-valued result: max {lsb_err[unsaturated].max():.2f} LSB "
          f"over {unsaturated.sum()} unsaturated outputs ({(~unsaturated).sum()} saturated)")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))

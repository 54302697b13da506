# Semantics of the tensor engine: int8 GEMM and 2-D convolution (dense, depthwise) into ACC.
# Check order: the window geometry (bad_operand), then the regions in syntax order: the ACC tile
# c, then the LM inputs (gemm a, b; conv x, w). Products and sums are exact, then wrap to int32.
from __future__ import annotations

import math

import numpy as np

from ..memory import read2d, write2d
from ..quant import wrap32
from ..state import MachineState
from ..window import out_size
from . import defines


def _values(raw: np.ndarray, unsigned: bool) -> np.ndarray:
    """LM bytes as int64 values of int8, or of uint8 when unsigned."""
    return (raw if unsigned else raw.view(np.int8)).astype(np.int64)


@defines("gemm")
def _gemm(s: MachineState, d, csrs):
    m, n, k = csrs.te_m, csrs.te_n, csrs.te_k
    if m == 0 or n == 0:                   # an empty tile: nothing is read or written
        return lambda: None
    c, ldc = s.get_x(d.c), csrs.te_ldc
    old = read2d(s, "acc", c, m, n, ldc, "gemm c").astype(np.int64)
    a = _values(read2d(s, "lm", s.get_x(d.a), m, k, csrs.te_lda, "gemm a"), d.u)
    b = _values(read2d(s, "lm", s.get_x(d.b), k, n, csrs.te_ldb, "gemm b"), False)
    out = wrap32(a @ b + (old if d.acc else 0))
    return lambda: write2d(s, "acc", c, ldc, out)


@defines("conv")
def _conv(s: MachineState, d, csrs):
    ih, iw, ch = csrs.win_ih, csrs.win_iw, csrs.win_c
    kh, kw, pt, pl = csrs.win_kh, csrs.win_kw, csrs.win_pt, csrs.win_pl
    sh, sw, dil_h, dil_w = csrs.win_sh, csrs.win_sw, csrs.win_dh, csrs.win_dw
    oh = out_size("conv", ih, pt, csrs.win_pb, kh, dil_h, sh, "height")
    ow = out_size("conv", iw, pl, csrs.win_pr, kw, dil_w, sw, "width")
    oc = ch if d.dw else csrs.win_oc
    wshape = (kh, kw, ch) if d.dw else (kh, kw, ch, oc)
    c = s.get_x(d.c)

    old = read2d(s, "acc", c, 1, oh * ow * oc, 0, "conv c").astype(np.int64)
    x = _values(read2d(s, "lm", s.get_x(d.x), 1, ih * iw * ch, 0, "conv x"), d.u)
    w = _values(read2d(s, "lm", s.get_x(d.w), 1, math.prod(wshape), 0, "conv w"), False)
    w = w.reshape(wshape)

    pad = _values(np.array([csrs.win_padval & 0xFF], np.uint8), d.u)[0]
    padded = np.full((pt + ih + csrs.win_pb, pl + iw + csrs.win_pr, ch), pad, np.int64)
    padded[pt:pt + ih, pl:pl + iw] = x.reshape(ih, iw, ch)
    out = np.zeros((oh, ow, oc), np.int64)
    for i in range(kh):
        for j in range(kw):
            # patch[y][x] = padded[y*sh + i*dil_h][x*sw + j*dil_w], the input under tap (i, j)
            patch = padded[i * dil_h:i * dil_h + (oh - 1) * sh + 1:sh,
                           j * dil_w:j * dil_w + (ow - 1) * sw + 1:sw]
            out += patch * w[i, j] if d.dw else patch @ w[i, j]
    result = wrap32(out.reshape(1, -1) + (old if d.acc else 0))
    return lambda: write2d(s, "acc", c, 0, result)

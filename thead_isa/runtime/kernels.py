# Kernel code generation: a layer's tiling plan turned into steps of the asm/kernels macros.
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import pipeline
from .device import DeviceError
from .pipeline import Step
from .tiling import (ConvGeom, ConvPlan, DensePlan, Fold, Regions, fold_geom, param_bytes,
                     plan_conv, plan_dense, split_rows)


@dataclass
class Segment:
    """Assembly for one layer, run between two halts; GM addresses of its tensors are given to
    it in x10 (input), x11 (output) and x12 (second input)."""
    kernel: str
    lines: list[str]
    macs: int


def _rq(mode: str, uout: bool, acc: int, p: int, y: int, rows: int, cols: int,
        zp: int, qmin: int, qmax: int) -> str:
    return f"rq      {mode}, {int(uout)}, {acc}, {p}, {y}, {rows}, {cols}, {zp}, {qmin}, {qmax}"


def _ld_const(lm: int, gm: int, nbytes: int, row: int) -> list[str]:
    rows, cols = split_rows(nbytes, row)
    return [f"ld_const {lm}, {gm}, {rows}, {cols}"]


def _flags(uin: bool, depthwise: bool = False) -> str:
    if depthwise:
        return "dw_u" if uin else "dw"
    return "u" if uin else "none"


@dataclass(frozen=True)
class Epilogue:
    """Where the requantization parameters live and how the output is clamped."""
    mode: str               # fx or fp
    params_gm: int          # GM address of the tile-major parameter blocks
    zp: int
    qmin: int
    qmax: int
    uout: bool


def dense_weights(w: np.ndarray, nt: int) -> np.ndarray:
    """[K][N] int8 weights in the kernel's tile-major order: [N/nt][K][nt] (last tile narrower)."""
    return np.concatenate([np.ascontiguousarray(w[:, j:j + nt]).reshape(-1)
                           for j in range(0, w.shape[1], nt)])


def param_tiles(arrays: list[np.ndarray], tiles: list[tuple[int, int]]) -> bytes:
    """Per-column parameter arrays (bias, mult, shift, or bias, scale) regrouped per column tile
    (first column, width), in kernel order: for each tile, every array's slice in turn."""
    out = bytearray()
    for c0, cols in tiles:
        for arr in arrays:
            dt = "<f4" if arr.dtype.kind == "f" else "<i4"
            out += np.ascontiguousarray(arr[c0:c0 + cols]).astype(dt).tobytes()
    return bytes(out)


def dense_segment(cfg, m: int, k: int, n: int, weights_gm: int, ep: Epilogue, uin: bool,
                  pipelined: bool = True, plan: DensePlan | None = None) -> Segment:
    """Y[m][n] = requant(X[m][k] @ W[k][n]): X at GM x10 (row stride k), Y at x11 (row stride n);
    weights tile-major (dense_weights) at weights_gm, parameters tile-major at ep.params_gm."""
    plan = plan or plan_dense(cfg, m, k, n, ep.mode, pipelined)
    bufs, mt, nt = plan.bufs, plan.mt, plan.nt
    lm, acc = Regions(cfg.lm_bytes, "LM"), Regions(cfg.acc_words, "ACC", 1)
    pb = param_bytes(ep.mode)
    xbufs = 1 if mt == m else bufs
    x_lm = [lm.take(mt * k) for _ in range(xbufs)]
    w_lm = [lm.take(k * nt) for _ in range(bufs)]
    p_lm = [lm.take(pb * nt) for _ in range(bufs)]
    y_lm = [lm.take(mt * nt) for _ in range(bufs)]
    acc_b = [acc.take(mt * nt) for _ in range(bufs)]
    steps = []
    s = 0
    ntiles = [(j, min(nt, n - j)) for j in range(0, n, nt)]
    mtiles = [(i, min(mt, m - i)) for i in range(0, m, mt)]
    n_outer = len(mtiles) == 1 or len(ntiles) == 1 or k * n <= m * k
    order = ([(mi, ni) for ni in range(len(ntiles)) for mi in range(len(mtiles))] if n_outer
             else [(mi, ni) for mi in range(len(mtiles)) for ni in range(len(ntiles))])
    last_m = last_n = None
    for mi, ni in order:
        i0, rows = mtiles[mi]
        j0, cols = ntiles[ni]
        b = s % bufs
        xb, wb = mi % xbufs, ni % bufs
        loads = []
        if mi != last_m:
            loads.append([f"ld_rows {x_lm[xb]}, x10, {i0 * k}, {rows}, {k}, {k}"])
        if ni != last_n:
            loads.append(_ld_const(w_lm[wb], weights_gm + j0 * k, k * cols, cols))
            loads.append(_ld_const(p_lm[wb], ep.params_gm + j0 * pb, pb * cols, cols * 4))
        last_m, last_n = mi, ni
        steps.append(Step(
            loads,
            [f"mm      {acc_b[b]}, {x_lm[xb]}, {w_lm[wb]}, {rows}, {cols}, {k}, {_flags(uin)}"],
            [_rq(ep.mode, ep.uout, acc_b[b], p_lm[wb], y_lm[b], rows, cols, ep.zp, ep.qmin,
                 ep.qmax)],
            [f"st_rows {y_lm[b]}, x11, {i0 * n + j0}, {rows}, {cols}, {n}"]))
        s += 1
    _check(lm, acc)
    lines = ["        dma_pad 0, 0, 0, 0"] + pipeline.emit(steps, pipelined)
    return Segment("dense" if pipelined else "dense_naive", lines, m * n * k)


def conv_weights(w: np.ndarray, g: ConvGeom, nt: int) -> np.ndarray:
    """Weights [kh][kw][cin/groups][cout] (depthwise: [kh][kw][1][c]) in the kernel's order:
    for each group, for each tile of nt output channels, [kh][kw][cin_g][nt] (depthwise
    [kh][kw][nt])."""
    parts = []
    cout_g = g.cout // g.groups
    if g.depthwise:
        w2 = w.reshape(g.kh, g.kw, g.cin)
        return np.concatenate([np.ascontiguousarray(w2[:, :, j:j + nt]).reshape(-1)
                               for j in range(0, g.cin, nt)])
    for gi in range(g.groups):
        for j in range(0, cout_g, nt):
            c0 = gi * cout_g + j
            parts.append(np.ascontiguousarray(w[:, :, :, c0:c0 + min(nt, cout_g - j)]).reshape(-1))
    return np.concatenate(parts)


def conv_column_tiles(g: ConvGeom, nt: int) -> list[tuple[int, int, int]]:
    """(group, first output channel, channels) of every output-channel tile, in kernel order."""
    if g.depthwise:
        return [(j // nt, j, min(nt, g.cin - j)) for j in range(0, g.cin, nt)]
    cout_g = g.cout // g.groups
    return [(gi, gi * cout_g + j, min(nt, cout_g - j))
            for gi in range(g.groups) for j in range(0, cout_g, nt)]


def conv_segment(cfg, g: ConvGeom, batch: int, weights_gm: int, ep: Epilogue, uin: bool,
                 padval: int, pipelined: bool = True, plan: ConvPlan | None = None) -> Segment:
    """NHWC conv2d of `batch` images at GM x10 into NHWC outputs at x11, with the fused
    requantization epilogue; weights in conv_weights order at weights_gm, parameters per
    column tile (param_tiles with the same tile width) at ep.params_gm."""
    plan = plan or plan_conv(cfg, g, ep.mode, pipelined, batch=batch)
    if plan.fold:
        return _conv_folded(cfg, g, batch, weights_gm, ep, uin, padval, pipelined, plan)
    bufs, nt, oht, cin_t = plan.bufs, plan.nt, plan.oht, plan.cin_t
    lm, acc = Regions(cfg.lm_bytes, "LM"), Regions(cfg.acc_words, "ACC", 1)
    pb = param_bytes(ep.mode)
    xbufs = 1 if g.groups == 1 else bufs
    x_lm = [lm.take(g.h * g.w * cin_t) for _ in range(xbufs)]
    wt_elems = g.kh * g.kw * (1 if g.depthwise else cin_t)
    w_lm = [lm.take(wt_elems * nt) for _ in range(bufs)]
    p_lm = [lm.take(pb * nt) for _ in range(bufs)]
    y_lm = [lm.take(oht * g.ow * nt) for _ in range(bufs)]
    acc_b = [acc.take(oht * g.ow * nt) for _ in range(bufs)]
    _check(lm, acc)
    (sh, sw), (dh, dw) = g.stride, g.dilation
    _, _, pl, pr = g.padding
    steps, s, w_off, p_off, last_x = [], 0, 0, 0, None
    bands = [(r, min(oht, g.oh - r)) for r in range(0, g.oh, oht)]
    for ti, (gi, c0, cols) in enumerate(conv_column_tiles(g, nt)):
        xt = gi if not g.depthwise else ti
        xb, wb = xt % xbufs, ti % bufs
        for bi, (r0, rows) in enumerate(bands):
            b = s % bufs
            loads = []
            if xt != last_x:
                if g.groups == 1:
                    loads.append([f"ld_rows {x_lm[xb]}, x10, 0, {g.h}, {g.w * g.cin}, "
                                  f"{g.w * g.cin}"])
                else:                   # the tile's channel slice, dense in LM
                    ch0, width = (c0, cols) if g.depthwise else (gi * cin_t, cin_t)
                    loads.append([f"ld_rows {x_lm[xb]}, x10, {ch0}, {g.h * g.w}, {width}, "
                                  f"{g.cin}"])
                last_x = xt
            if bi == 0:
                loads.append(_ld_const(w_lm[wb], weights_gm + w_off, wt_elems * cols, cols))
                loads.append(_ld_const(p_lm[wb], ep.params_gm + p_off, pb * cols, cols * 4))
            a, ih, pt, pb_ = g.band_input(r0, r0 + rows)
            xc = cin_t if not g.depthwise else cols
            compute = [f"win_input {ih}, {g.w}, {xc}, {cols}",
                       f"win_kernel {g.kh}, {g.kw}, {sh}, {sw}, {dh}, {dw}",
                       f"win_pad {pt}, {pb_}, {pl}, {pr}, {padval}",
                       f"cv      {acc_b[b]}, {x_lm[xb] + a * g.w * xc}, {w_lm[wb]}, "
                       f"{_flags(uin, g.depthwise)}"]
            steps.append(Step(
                loads, compute,
                [_rq(ep.mode, ep.uout, acc_b[b], p_lm[wb], y_lm[b], rows * g.ow, cols, ep.zp,
                     ep.qmin, ep.qmax)],
                [f"st_rows {y_lm[b]}, x11, {r0 * g.ow * g.cout + c0}, {rows * g.ow}, {cols}, "
                 f"{g.cout}"]))
            s += 1
        w_off += wt_elems * cols
        p_off += pb * cols
    body = pipeline.emit(steps, pipelined)
    lines = ["        dma_pad 0, 0, 0, 0"] + batch_loop(body, batch, g.h * g.w * g.cin,
                                                       g.oh * g.ow * g.cout)
    k = g.kh * g.kw * (1 if g.depthwise else g.cin // g.groups)
    return Segment("conv" if pipelined else "conv_naive", lines,
                   batch * g.oh * g.ow * g.cout * k)


def ld_stack(lm: int, off: int, n: int, fg: Fold, padval: int) -> list[str]:
    """Load n images from GM x10+off (contiguous, h * row bytes each) as a stack (Fold): one
    DMA row per image framed by its padding rows, or (not fg.framed) one DMA per image with
    its padding rows above and below; the padding stays on for the next stack."""
    size = fg.h * fg.row
    if not fg.above and not fg.below and fg.framed:
        return [f"ld_rows {lm}, x10, {off}, {n}, {size}, {size}"]
    if fg.framed:
        return [f"ld_frame {lm}, x10, {off}, {n}, {size}, {fg.above * fg.row}, "
                f"{fg.below * fg.row}, {padval}"]
    lines = [f"dma_shape {fg.h}, {fg.row}, {fg.row}, {fg.row}",
             f"dma_pad {fg.above}, {fg.below}, 0, 0, {padval}"]
    for i in range(n):
        lines += [f"li      x20, {lm + i * fg.period * fg.row}",
                  f"addi    x21, x10, {off + i * size}", "dma.ld  x20, x21"]
    return lines


def st_stack(lm: int, off: int, n: int, fg: Fold, ow: int, c: int) -> list[str]:
    """Store the valid output rows of a stack of n images (row pitch ow * c bytes in LM) to
    GM x11+off as n contiguous images, skipping the rows that straddle two images."""
    size = fg.oh * ow * c
    return [f"st_skip {lm}, x11, {off}, {n}, {size}, {fg.out_period * ow * c}, {size}"]


def _conv_folded(cfg, g: ConvGeom, batch: int, weights_gm: int, ep: Epilogue, uin: bool,
                 padval: int, pipelined: bool, plan: ConvPlan) -> Segment:
    """The batch-folded conv: each step runs one conv over a stack of plan.fold images (the
    last step over the rest), every output channel at once; weights and parameters load once."""
    fg = fold_geom(g, pad_rows=True)
    f, bufs, nt = plan.fold, plan.bufs, plan.nt
    lm, acc = Regions(cfg.lm_bytes, "LM"), Regions(cfg.acc_words, "ACC", 1)
    pb = param_bytes(ep.mode)
    wt_elems = g.kh * g.kw * (1 if g.depthwise else g.cin) * nt
    x_lm = [lm.take(fg.tile_bytes(f)) for _ in range(bufs)]
    w_lm, p_lm = lm.take(wt_elems), lm.take(pb * nt)
    rows = fg.out_rows(f)
    y_lm = [lm.take(rows * g.ow * nt) for _ in range(bufs)]
    acc_b = [acc.take(rows * g.ow * nt) for _ in range(bufs)]
    _check(lm, acc)
    (sh, sw), (dh, dw) = g.stride, g.dilation
    _, _, pl, pr = g.padding
    in_img, out_img = g.h * g.w * g.cin, g.oh * g.ow * g.cout
    nfull, rest = divmod(batch, f)

    def step(s: int, base: int) -> Step:
        b = s % bufs
        n = f if s < nfull else rest
        return Step(
            [ld_stack(x_lm[b], (s - base) * f * in_img, n, fg, padval)],
            [f"win_input {fg.in_rows(n)}, {g.w}, {g.cin}, {nt}",
             f"win_kernel {g.kh}, {g.kw}, {sh}, {sw}, {dh}, {dw}",
             f"win_pad 0, 0, {pl}, {pr}, {padval}",
             f"cv      {acc_b[b]}, {x_lm[b]}, {w_lm}, {_flags(uin, g.depthwise)}"],
            [_rq(ep.mode, ep.uout, acc_b[b], p_lm, y_lm[b], fg.out_rows(n) * g.ow, nt, ep.zp,
                 ep.qmin, ep.qmax)],
            st_stack(y_lm[b], (s - base) * f * out_img, n, fg, g.ow, nt))

    def loop(body: list[str], count: int, steps: int) -> list[str]:
        return batch_loop(body, count, steps * f * in_img, steps * f * out_img)

    lines = ["        dma_pad 0, 0, 0, 0",
             "        " + _ld_const(w_lm, weights_gm, wt_elems, nt)[0],
             "        " + _ld_const(p_lm, ep.params_gm, pb * nt, nt * 4)[0]]
    lines += pipeline.emit_batched(step, nfull + (1 if rest else 0), nfull, pipelined, loop)
    k = g.kh * g.kw * (1 if g.depthwise else g.cin)
    return Segment("conv_folded" if pipelined else "conv_folded_naive", lines,
                   batch * g.oh * g.ow * g.cout * k)


def batch_loop(body: list[str], batch: int, in_stride: int, out_stride: int,
               in2_stride: int = 0) -> list[str]:
    """The body once per image, advancing x10 / x11 (/ x12) by the per-image strides."""
    if batch == 1:
        return body
    tail = [f"        addi    x10, x10, {in_stride}", f"        addi    x11, x11, {out_stride}"]
    if in2_stride:
        tail.append(f"        addi    x12, x12, {in2_stride}")
    return ([f"        li      x9, {batch}", "1:"] + body + tail +
            ["        addi    x9, x9, -1", "        bnez    x9, 1b"])


def _check(lm: Regions, acc: Regions) -> None:
    for r in (lm, acc):
        if not r.fits():
            raise DeviceError(f"internal tiling error: {r.what} needs {r.top} of {r.size}")

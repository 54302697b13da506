# VE-only kernels: pooling, global average pooling, quantized add and table lookup, per image.
from __future__ import annotations

from .device import DeviceError
from .kernels import Segment, batch_loop
from .tiling import DMA_MAX, Regions, split_rows


def _opt(line: str, opts: str) -> str:
    return f"        {line}, {opts}"


def _vec_shape(n: int) -> tuple[int, int]:
    """ve_rows x ve_cols covering n elements."""
    return split_rows(n, 1) if n > DMA_MAX else (1, n)


def vector_segment(cfg, n, batch: int, consts: dict[str, int]) -> Segment:
    """One image at a time: the ME loads it (s0), the VE op runs (waits s0, signals s2), the ME
    stores the result (waits s2). Constants (the vqadd parameter block, the vlut table) are
    loaded once before the loop; the ME's queue order puts them before the first image."""
    x = n.inputs[0]
    lm = Regions(cfg.lm_bytes, "LM")
    u = ", u" if x.q.unsigned else ""
    pre: list[str] = []
    body: list[str] = []
    isize, osize = x.size, n.size
    a_lm = lm.take(isize)
    y_lm = lm.take(osize)
    rows, cols = split_rows(isize, 1)
    body.append(f"        ld_rows {a_lm}, x10, 0, {rows}, {cols}, {cols}, sig=s0")
    in2 = 0
    if n.op in ("maxpool", "avgpool"):
        g = n.params["geom"]
        body += [f"        win_input {g.h}, {g.w}, {g.cin}, {g.cin}",
                 f"        win_kernel {g.kh}, {g.kw}, {g.stride[0]}, {g.stride[1]}, 1, 1",
                 f"        win_pad {g.padding[0]}, {g.padding[1]}, {g.padding[2]}, "
                 f"{g.padding[3]}, 0",
                 f"        li      x22, {y_lm}", f"        li      x23, {a_lm}",
                 _opt(f"v{n.op[:3]}pool x22, x23{u}", "wait=s0, sig=s2")]
    elif n.op == "gap":
        c = x.shape[-1]
        if x.size // c > DMA_MAX:
            raise DeviceError(f"{n.name}: {x.size // c} positions exceed ve_rows ({DMA_MAX})")
        body += [f"        ve_shape {x.size // c}, {c}", f"        li      x22, {y_lm}",
                 f"        li      x23, {a_lm}", _opt(f"vgap    x22, x23{u}", "wait=s0, sig=s2")]
    elif n.op == "add":
        b_lm, p_lm = lm.take(isize), lm.take(36)
        arq = n.params["arq"]
        pre += [f"        ld_const {p_lm}, {consts['p']}, 1, 36"]
        body.insert(0, f"        ld_rows {b_lm}, x12, 0, {rows}, {cols}, {cols}")
        vr, vc = _vec_shape(isize)
        body += [f"        ve_shape {vr}, {vc}", f"        ve_quant {arq.zp}, {arq.qmin}, {arq.qmax}",
                 f"        li      x22, {y_lm}", f"        li      x23, {a_lm}",
                 f"        li      x24, {b_lm}", f"        li      x25, {p_lm}",
                 _opt(f"vqadd   x22, x23, x24, x25{u}", "wait=s0, sig=s2")]
        in2 = isize
    elif n.op == "lut":
        t_lm = lm.take(256)
        pre += [f"        ld_const {t_lm}, {consts['table']}, 1, 256"]
        vr, vc = _vec_shape(isize)
        body += [f"        ve_shape {vr}, {vc}", f"        li      x22, {y_lm}",
                 f"        li      x23, {a_lm}", f"        li      x24, {t_lm}",
                 _opt("vlut    x22, x23, x24", "wait=s0, sig=s2")]
    else:
        raise AssertionError(n.op)
    if not lm.fits():
        raise DeviceError(f"{n.name}: one image ({isize} bytes in, {osize} out) does not fit LM "
                          f"({cfg.lm_bytes} bytes)")
    orows, ocols = split_rows(osize, 1)
    body.append(f"        st_rows {y_lm}, x11, 0, {orows}, {ocols}, {ocols}, wait=s2")
    lines = ["        dma_pad 0, 0, 0, 0"] + pre + batch_loop(body, batch, isize, osize, in2)
    return Segment(n.op, lines, 0)

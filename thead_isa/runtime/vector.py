# VE-only kernels: pooling, global average pooling, quantized add and table lookup, per image.
from __future__ import annotations

from .device import DeviceError
from .kernels import Segment, batch_loop, ld_stack, st_stack
from .tiling import DMA_MAX, Fold, Regions, _align, fold_geom, split_rows


def _opt(line: str, opts: str) -> str:
    return f"        {line}, {opts}"


def _vec_shape(n: int) -> tuple[int, int]:
    """ve_rows x ve_cols covering n elements."""
    return split_rows(n, 1) if n > DMA_MAX else (1, n)


def vector_segment(cfg, n, batch: int, consts: dict[str, int],
                   max_fold: int | None = None) -> Segment:
    """One image at a time: the ME loads it (s0), the VE op runs (waits s0, signals s2), the ME
    stores the result (waits s2). Constants (the vqadd parameter block, the vlut table) are
    loaded once before the loop; the ME's queue order puts them before the first image.
    Pooling, add and lookup fold the batch where they can (_folded): the same three steps over
    up to max_fold images at once."""
    folded = _folded(cfg, n, batch, consts, max_fold)
    if folded is not None:
        return folded
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


def _fold_size(cfg, n, batch: int, max_fold: int | None) -> tuple[int, Fold | None]:
    """(images per step, the pooling stack) of a folded VE op; (0, None) when it does not fold.
    Pooling stacks images as a conv does (tiling.Fold) when no vertical padding is involved
    (padded positions are excluded from a pooling window, so they cannot be written as data);
    add and lookup are elementwise: f images are f rows of one image's bytes."""
    x = n.inputs[0]
    top = min(batch, max_fold or batch, DMA_MAX)
    if top < 2 or n.op not in ("maxpool", "avgpool", "add", "lut"):
        return 0, None
    isize, osize = x.size, n.size
    if n.op in ("maxpool", "avgpool"):
        g = n.params["geom"]
        fg = fold_geom(g, pad_rows=False)
        if fg is None or osize > DMA_MAX:
            return 0, None
        def fits(f: int) -> bool:
            return (_align(fg.tile_bytes(f)) + fg.out_rows(f) * g.ow * g.cin <= cfg.lm_bytes
                    and fg.in_rows(f) <= DMA_MAX)
        per = fg.period * fg.row + fg.out_period * g.ow * g.cin
        f = min(top, cfg.lm_bytes // per + 1, (DMA_MAX - fg.span) // fg.period + 1)
        while f >= 2 and not fits(f):
            f -= 1
        return (f, fg) if f >= 2 else (0, None)
    if isize > DMA_MAX:
        return 0, None
    ins = 2 if n.op == "add" else 1
    const = 64 if n.op == "add" else 256
    f = min(top, max(0, cfg.lm_bytes - const - 3 * 64) // (ins * isize + osize))
    while f >= 2 and ins * _align(f * isize) + _align(f * osize) + const > cfg.lm_bytes:
        f -= 1
    return (f, None) if f >= 2 else (0, None)


def _folded(cfg, n, batch: int, consts: dict[str, int], max_fold: int | None) -> Segment | None:
    f, fg = _fold_size(cfg, n, batch, max_fold)
    if not f:
        return None
    x = n.inputs[0]
    lm = Regions(cfg.lm_bytes, "LM")
    u = ", u" if x.q.unsigned else ""
    isize, osize = x.size, n.size
    pool = n.op in ("maxpool", "avgpool")
    a_lm = lm.take(fg.tile_bytes(f) if pool else f * isize)
    y_lm = lm.take(fg.out_rows(f) * n.params["geom"].ow * x.shape[-1] if pool else f * osize)
    pre: list[str] = []
    b_lm = p_lm = t_lm = 0
    if n.op == "add":
        b_lm, p_lm = lm.take(f * isize), lm.take(36)
        pre.append(f"        ld_const {p_lm}, {consts['p']}, 1, 36")
    elif n.op == "lut":
        t_lm = lm.take(256)
        pre.append(f"        ld_const {t_lm}, {consts['table']}, 1, 256")
    if not lm.fits():
        raise DeviceError(f"{n.name}: internal tiling error: {lm.what} needs {lm.top} of "
                          f"{lm.size}")

    def body(k: int, at: int) -> list[str]:
        """k images at image offset `at` from x10 / x11 / x12."""
        if pool:
            g = n.params["geom"]
            *load, last = ld_stack(a_lm, at * isize, k, fg, 0)
            return ["        " + line for line in load] + [_opt(last, "sig=s0"),
                    f"        win_input {fg.in_rows(k)}, {g.w}, {g.cin}, {g.cin}",
                    f"        win_kernel {g.kh}, {g.kw}, {g.stride[0]}, {g.stride[1]}, 1, 1",
                    f"        win_pad 0, 0, {g.padding[2]}, {g.padding[3]}, 0",
                    f"        li      x22, {y_lm}", f"        li      x23, {a_lm}",
                    _opt(f"v{n.op[:3]}pool x22, x23{u}", "wait=s0, sig=s2"),
                    _opt(st_stack(y_lm, at * osize, k, fg, g.ow, g.cin)[0], "wait=s2")]
        lines = []
        if n.op == "add":
            lines.append(f"        ld_rows {b_lm}, x12, {at * isize}, {k}, {isize}, {isize}")
        lines += [_opt(f"ld_rows {a_lm}, x10, {at * isize}, {k}, {isize}, {isize}", "sig=s0"),
                  f"        ve_shape {k}, {isize}", f"        li      x22, {y_lm}",
                  f"        li      x23, {a_lm}"]
        if n.op == "add":
            arq = n.params["arq"]
            lines += [f"        ve_quant {arq.zp}, {arq.qmin}, {arq.qmax}",
                      f"        li      x24, {b_lm}", f"        li      x25, {p_lm}",
                      _opt(f"vqadd   x22, x23, x24, x25{u}", "wait=s0, sig=s2")]
        else:
            lines += [f"        li      x24, {t_lm}",
                      _opt("vlut    x22, x23, x24", "wait=s0, sig=s2")]
        lines.append(_opt(f"st_rows {y_lm}, x11, {at * osize}, {k}, {osize}, {osize}", "wait=s2"))
        return lines

    nfull, rest = divmod(batch, f)
    in2 = f * isize if n.op == "add" else 0
    lines = ["        dma_pad 0, 0, 0, 0"] + pre
    if nfull >= 2:          # the loop leaves x10 / x11 / x12 at the rest
        lines += batch_loop(body(f, 0), nfull, f * isize, f * osize, in2)
        after = 0
    else:
        lines += body(f, 0)
        after = f
    if rest:
        lines += body(rest, after)
    return Segment(f"{n.op}_folded", lines, 0)

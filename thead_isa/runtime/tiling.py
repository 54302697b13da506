# Tiling: how a dense or conv layer is cut into steps that fit the configuration's LM and ACC.
from __future__ import annotations

from dataclasses import dataclass

from .device import DeviceError

LM_ALIGN = 64          # bytes: every LM region starts on this boundary
DMA_MAX = 65535        # largest dma_rows / dma_cols


def _align(n: int, a: int = LM_ALIGN) -> int:
    return -(-n // a) * a


class Regions:
    """Bump allocation of LM (bytes) or ACC (words) for one kernel."""

    def __init__(self, size: int, what: str, align: int = LM_ALIGN):
        self.size, self.what, self.align, self.top = size, what, align, 0

    def take(self, n: int) -> int:
        start = self.top
        self.top = start + _align(max(n, 1), self.align)
        return start

    def fits(self) -> bool:
        return self.top <= self.size


def param_bytes(mode: str) -> int:
    """Bytes of a requantization parameter block per output column (fx: bias, mult, shift;
    fp: bias, scale)."""
    return 12 if mode == "fx" else 8


def split_rows(nbytes: int, row: int) -> tuple[int, int]:
    """(rows, cols) with rows * cols = nbytes and cols <= DMA_MAX, cols a multiple of `row`
    (a natural row length) where possible."""
    if nbytes <= DMA_MAX:
        return 1, nbytes
    cols = row
    while cols * 2 <= DMA_MAX and nbytes % (cols * 2) == 0:
        cols *= 2
    if cols > DMA_MAX or nbytes % cols:
        raise DeviceError(f"cannot cut a {nbytes}-byte block into DMA rows of <= {DMA_MAX}")
    return nbytes // cols, cols


def _col_tiles(n: int, unit: int) -> list[int]:
    """Candidate column-tile widths, widest first: n itself, then multiples of `unit`."""
    cands = {n} | {unit * j for j in range(1, n // unit + 1)}
    return sorted((c for c in cands if 0 < c <= n), reverse=True)


@dataclass(frozen=True)
class DensePlan:
    m: int
    k: int
    n: int
    mt: int              # rows of A per step
    nt: int              # columns of B per step
    bufs: int            # 1 (naive) or 2 (double buffered)


def _cycles(cfg, mnemonic: str, csrs: dict, flags=()) -> int:
    """One engine instruction's duration from the core's timing model (shapes only)."""
    from ..core.timing import engine_timing
    return engine_timing(mnemonic, csrs, cfg, flags)[0]


def _dma(cfg, nbytes: int) -> int:
    rows, cols = split_rows(nbytes, 1) if nbytes else (1, 0)
    return _cycles(cfg, "dma.ld", {"dma_rows": rows, "dma_cols": cols})


def _estimate(te_steps: list[int], me_steps: list[int], head: int, tail: int,
              pipelined: bool) -> int:
    """Cycles of a step sequence: overlapped, the busier of TE and ME plus the first load and
    the last epilogue; naive, everything in sequence."""
    if pipelined:
        return max(sum(te_steps), sum(me_steps)) + head + tail
    return sum(te_steps) + sum(me_steps) + head + tail


def plan_dense(cfg, m: int, k: int, n: int, mode: str, pipelined: bool,
               choose: str = "cost") -> DensePlan:
    """Column tiles of multiples of te_cols (or all of N) and row tiles, each fitting half of LM
    and ACC when double buffered. choose="cost": the least time estimated with the core's own
    timing model (docs/runtime.md, "Tiling"); "widest": the widest column tile, then the most
    rows (the naive rule)."""
    bufs = 2 if pipelined else 1
    acc_cap = cfg.acc_words // bufs
    pb = param_bytes(mode)
    best = None
    for mt in sorted({m} | {-(-m // j) for j in range(1, min(m, 64) + 1)}, reverse=True):
        xbufs = 1 if mt == m else bufs
        for nt in _col_tiles(n, cfg.te_cols):
            lm = xbufs * _align(mt * k) + bufs * (_align(k * nt) + _align(pb * nt) +
                                                  _align(mt * nt))
            if mt * nt > acc_cap or lm > cfg.lm_bytes or mt > DMA_MAX:
                continue
            cost = (_dense_cost(cfg, m, k, n, mt, nt, pb, pipelined) if choose == "cost"
                    else (-nt, -mt))
            if best is None or cost < best[0]:
                best = (cost, DensePlan(m, k, n, mt, nt, bufs))
    if best is None:
        raise DeviceError(f"dense {m}x{k}x{n}: even one row and one column tile do not fit LM "
                          f"({cfg.lm_bytes} bytes) and ACC ({cfg.acc_words} words)")
    return best[1]


def _dense_cost(cfg, m, k, n, mt, nt, pb, pipelined) -> int:
    te, me = [], []
    mts = [min(mt, m - i) for i in range(0, m, mt)]
    nts = [min(nt, n - j) for j in range(0, n, nt)]
    for r in mts:
        for c in nts:
            te.append(_cycles(cfg, "gemm", {"te_m": r, "te_n": c, "te_k": k}))
            me.append(_dma(cfg, k * c + pb * c) + _dma(cfg, r * c))
    me += [_dma(cfg, r * k) for r in mts]
    head = _dma(cfg, mts[0] * k) + _dma(cfg, k * nts[0])
    tail = _cycles(cfg, "vrq.fx", {"ve_rows": mts[-1], "ve_cols": nts[-1]}) + _dma(cfg, mts[-1] * nts[-1])
    return _estimate(te, me, head, tail, pipelined)


@dataclass(frozen=True)
class ConvGeom:
    h: int
    w: int
    cin: int
    cout: int
    kh: int
    kw: int
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)      # top, bottom, left, right
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1

    @property
    def oh(self) -> int:
        pt, pb, _, _ = self.padding
        return (self.h + pt + pb - self.dilation[0] * (self.kh - 1) - 1) // self.stride[0] + 1

    @property
    def ow(self) -> int:
        _, _, pl, pr = self.padding
        return (self.w + pl + pr - self.dilation[1] * (self.kw - 1) - 1) // self.stride[1] + 1

    @property
    def depthwise(self) -> bool:
        return self.groups > 1 and self.groups == self.cin == self.cout

    def check(self) -> None:
        g = self.groups
        if g < 1 or self.cin % g or self.cout % g:
            raise DeviceError(f"conv2d: groups {g} must divide the input channels {self.cin} "
                              f"and the output channels {self.cout}")
        if self.oh < 1 or self.ow < 1:
            raise DeviceError(f"conv2d: a {self.kh}x{self.kw} window (dilation "
                              f"{self.dilation}) does not fit the padded {self.h}x{self.w} input")

    def band_input(self, r0: int, r1: int) -> tuple[int, int, int, int]:
        """(first input row, rows, pad above, pad below) feeding output rows [r0, r1)."""
        sh, dh, pt = self.stride[0], self.dilation[0], self.padding[0]
        i0 = r0 * sh - pt
        i1 = (r1 - 1) * sh - pt + dh * (self.kh - 1)
        a, b = max(0, i0), min(self.h - 1, i1)
        return a, b - a + 1, a - i0, i1 - b


@dataclass(frozen=True)
class ConvPlan:
    geom: ConvGeom
    cin_t: int           # channels of the LM input tile
    nt: int              # output channels per step
    oht: int             # output rows per step
    bufs: int


def plan_conv(cfg, g: ConvGeom, mode: str, pipelined: bool, choose: str = "cost") -> ConvPlan:
    """Output-channel tiles (multiples of te_cols within a group, or all of them) and
    output-row bands, each fitting half of LM and ACC when double buffered; the input tile (the
    whole image, or its channel slice for grouped and depthwise convs) stays in LM. choose as
    for plan_dense."""
    g.check()
    bufs = 2 if pipelined else 1
    acc_cap = cfg.acc_words // bufs
    pb = param_bytes(mode)
    cout_g = g.cout // g.groups
    cands = _col_tiles(g.cin if g.depthwise else cout_g, cfg.te_cols)
    best = None
    for nt in cands:
        cin_t = nt if g.depthwise else g.cin // g.groups
        xbufs = 1 if g.groups == 1 else bufs
        wt = g.kh * g.kw * (1 if g.depthwise else cin_t) * nt
        fixed = xbufs * _align(g.h * g.w * cin_t) + bufs * (_align(wt) + _align(pb * nt))
        top = min(g.oh, acc_cap // max(1, g.ow * nt), DMA_MAX // g.ow)
        for rows in sorted({-(-g.oh // j) for j in range(1, g.oh + 1)}, reverse=True):
            if rows > top or fixed + bufs * _align(rows * g.ow * nt) > cfg.lm_bytes:
                continue
            cost = (_conv_cost(cfg, g, nt, rows, cin_t, pb, pipelined) if choose == "cost"
                    else (-nt, -rows))
            if best is None or cost < best[0]:
                best = (cost, ConvPlan(g, cin_t, nt, rows, bufs))
    if best is None:
        raise DeviceError(f"conv2d {g.h}x{g.w}x{g.cin} -> {g.cout} ({g.kh}x{g.kw}): the input "
                          f"tile and one output row do not fit LM ({cfg.lm_bytes} bytes) and "
                          f"ACC ({cfg.acc_words} words)")
    return best[1]


def _conv_cost(cfg, g: ConvGeom, nt: int, rows: int, cin_t: int, pb: int, pipelined) -> int:
    bands = [min(rows, g.oh - r) for r in range(0, g.oh, rows)]
    width = g.cin if g.depthwise else g.cout // g.groups
    tiles = [min(nt, width - j) for j in range(0, width, nt)] * (1 if g.depthwise else g.groups)
    flags = ("dw",) if g.depthwise else ()
    te, me, memo = [], [], {}
    for c in tiles:
        k = g.kh * g.kw * (1 if g.depthwise else cin_t)
        me.append(_dma(cfg, k * c + pb * c))
        for r in bands:
            key = (c, r)
            if key not in memo:
                a, ih, pt, pb_ = g.band_input(0, r) if r == rows else g.band_input(g.oh - r, g.oh)
                memo[key] = _cycles(cfg, "conv", {
                    "win_ih": ih, "win_iw": g.w, "win_c": c if g.depthwise else cin_t,
                    "win_oc": c, "win_kh": g.kh, "win_kw": g.kw, "win_sh": g.stride[0],
                    "win_sw": g.stride[1], "win_dh": g.dilation[0], "win_dw": g.dilation[1],
                    "win_pt": pt, "win_pb": pb_, "win_pl": g.padding[2],
                    "win_pr": g.padding[3]}, flags)
            te.append(memo[key])
            me.append(_dma(cfg, r * g.ow * c))
    head = _dma(cfg, g.h * g.w * cin_t) + me[0]
    tail = _cycles(cfg, "vrq.fx", {"ve_rows": bands[-1] * g.ow, "ve_cols": tiles[-1]})
    return _estimate(te, me, head, tail + _dma(cfg, bands[-1] * g.ow * tiles[-1]), pipelined)

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


PAD_MAX = 255          # largest dma_pl / dma_pr


@dataclass(frozen=True)
class Fold:
    """Batch folding: images stacked vertically in one LM tile, so that one conv or pooling
    instruction covers several images (docs/runtime.md, "Batch folding").

    Image i of a stack occupies input rows [i * period, (i + 1) * period): `above` rows of the
    padding value, its h rows, then `below` rows of the padding value (its bottom padding plus
    rows that make the period a multiple of the vertical stride). A window over the stack with
    no vertical padding then gives image i's output rows at i * out_period + [0, oh), exactly
    the outputs of the image alone with its own padding; the rows between (out_period - oh per
    image) straddle two images and are not stored. The load writes the padding rows on the
    fly: each image is one DMA row of h * w * c bytes, framed by dma_pl = above * w * c and
    dma_pr = below * w * c bytes of the padding value (`framed`); where those exceed the DMA's
    255 bytes, one DMA per image with dma_pt = above and dma_pb = below rows."""
    h: int
    row: int             # bytes of one input row: w * c
    sh: int
    span: int            # input rows one window covers: dh * (kh - 1) + 1
    oh: int              # output rows of one image
    above: int
    below: int

    @property
    def framed(self) -> bool:
        """One DMA loads the whole stack (else one per image)."""
        return (self.above * self.row <= PAD_MAX and self.below * self.row <= PAD_MAX
                and self.h * self.row <= DMA_MAX)

    @property
    def period(self) -> int:
        return self.above + self.h + self.below

    @property
    def out_period(self) -> int:
        return self.period // self.sh

    def in_rows(self, f: int) -> int:
        """Input rows the window reads for a stack of f images (win_ih)."""
        return (f - 1) * self.period + (self.oh - 1) * self.sh + self.span

    def out_rows(self, f: int) -> int:
        """Output rows of a stack of f images, the straddling ones included."""
        return (f - 1) * self.out_period + self.oh

    def tile_bytes(self, f: int) -> int:
        """LM bytes the load writes for f images."""
        return f * self.period * self.row


def fold_geom(g: ConvGeom, pad_rows: bool) -> Fold | None:
    """The stacking of g's images, or None where it cannot be exact or expressed: vertical
    padding needs pad_rows (a conv reads the padding value there; a pooling window excludes
    padding, so it cannot be written as data), and the padding rows of one image and the image
    itself must fit a DMA: one row of the stack's (dma_pl/pr <= 255 bytes, dma_cols <= 65,535),
    or one DMA of its own (dma_pt/pb <= 255 rows, dma_rows and dma_cols <= 65,535)."""
    pt, pb = g.padding[0], g.padding[1]
    if (pt or pb) and not pad_rows:
        return None
    sh, span = g.stride[0], g.dilation[0] * (g.kh - 1) + 1
    below = pb + (-(pt + g.h + pb)) % sh
    fg = Fold(g.h, g.w * g.cin, sh, span, g.oh, pt, below)
    if not fg.framed and (pt > PAD_MAX or below > PAD_MAX or fg.row > DMA_MAX):
        return None
    return fg


@dataclass(frozen=True)
class ConvPlan:
    geom: ConvGeom
    cin_t: int           # channels of the LM input tile
    nt: int              # output channels per step
    oht: int             # output rows per step (folded: of the whole stack)
    bufs: int
    fold: int = 0        # images per step when batch-folded (then nt is every channel), else 0


def _fold_fits(cfg, g: ConvGeom, fg: Fold, f: int, pb: int, bufs: int) -> bool:
    """A stack of f images fits: bufs input stacks and output tiles, the weights and parameters
    once in LM; bufs ACC tiles; the shapes within the CSRs' ranges."""
    rows, nt = fg.out_rows(f), g.cout
    wt = g.kh * g.kw * (1 if g.depthwise else g.cin) * nt
    lm = bufs * (_align(fg.tile_bytes(f)) + _align(rows * g.ow * nt)) + _align(wt) + _align(pb * nt)
    return (lm <= cfg.lm_bytes and bufs * rows * g.ow * nt <= cfg.acc_words
            and rows * g.ow <= DMA_MAX and fg.in_rows(f) <= DMA_MAX and f <= DMA_MAX
            and g.oh * g.ow * nt <= DMA_MAX)


def fold_candidates(batch: int, top: int) -> list[int]:
    """Images per step worth trying: top, and the sizes that cut the batch into 1..64 equal
    stacks (at most top images each)."""
    return sorted({top} | {-(-batch // j) for j in range(1, 65)} & set(range(1, top + 1)),
                  reverse=True)


def plan_conv(cfg, g: ConvGeom, mode: str, pipelined: bool, choose: str = "cost",
              batch: int = 1, max_fold: int | None = None) -> ConvPlan:
    """Output-channel tiles (multiples of te_cols within a group, or all of them) and
    output-row bands, each fitting half of LM and ACC when double buffered; the input tile (the
    whole image, or its channel slice for grouped and depthwise convs) stays in LM. choose as
    for plan_dense. With batch > 1 the plan may fold: a step covers up to max_fold (None: any
    number of) whole images stacked in one tile (Fold), with every output channel in one tile."""
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
            cost = (batch * _conv_cost(cfg, g, nt, rows, cin_t, pb, pipelined)
                    if choose == "cost" else (0, -nt, -rows))
            if best is None or cost < best[0]:
                best = (cost, ConvPlan(g, cin_t, nt, rows, bufs))
    # folded: one tile of every output channel (so not for grouped convs), whole images
    fg = fold_geom(g, pad_rows=True) if g.groups == 1 or g.depthwise else None
    top = min(batch, max_fold or batch)
    if fg is not None and top > 1:
        fits = [f for f in fold_candidates(batch, top) if _fold_fits(cfg, g, fg, f, pb, bufs)]
        if choose != "cost":            # widest: the most images, if that is more than one
            fits = [f for f in fits[:1] if f > 1]
        for f in fits:
            cost = (_fold_cost(cfg, g, fg, f, batch, pb, pipelined) if choose == "cost"
                    else (-1, -f))
            if best is None or cost < best[0]:
                best = (cost, ConvPlan(g, g.cin, g.cout, fg.out_rows(f), bufs, f))
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


def _fold_cost(cfg, g: ConvGeom, fg: Fold, f: int, batch: int, pb: int, pipelined) -> int:
    """Estimated cycles of the folded kernel: one step per stack of f images (the last stack
    holds the rest), pipelined across the whole batch; weights load once."""
    sizes = [f] * (batch // f) + ([batch % f] if batch % f else [])
    flags = ("dw",) if g.depthwise else ()
    te, me, memo = [], [], {}
    for n in sizes:
        if n not in memo:
            conv = _cycles(cfg, "conv", {
                "win_ih": fg.in_rows(n), "win_iw": g.w, "win_c": g.cin, "win_oc": g.cout,
                "win_kh": g.kh, "win_kw": g.kw, "win_sh": g.stride[0], "win_sw": g.stride[1],
                "win_dh": g.dilation[0], "win_dw": g.dilation[1], "win_pl": g.padding[2],
                "win_pr": g.padding[3]}, flags)
            if fg.framed:
                load = _cycles(cfg, "dma.ld", {"dma_rows": n, "dma_cols": fg.h * fg.row,
                                               "dma_pl": fg.above * fg.row,
                                               "dma_pr": fg.below * fg.row})
            else:
                load = n * _cycles(cfg, "dma.ld", {"dma_rows": fg.h, "dma_cols": fg.row,
                                                   "dma_pt": fg.above, "dma_pb": fg.below})
            store = _cycles(cfg, "dma.st", {"dma_rows": n, "dma_cols": g.oh * g.ow * g.cout})
            memo[n] = conv, load, store
        conv, load, store = memo[n]
        te.append(conv)
        me += [load, store]
    wt = g.kh * g.kw * (1 if g.depthwise else g.cin) * g.cout
    head = _dma(cfg, wt + pb * g.cout) + me[0]
    tail = (_cycles(cfg, "vrq.fx", {"ve_rows": fg.out_rows(sizes[-1]) * g.ow,
                                    "ve_cols": g.cout}) + me[-1])
    return _estimate(te, me, head, tail, pipelined)

# Semantics of the memory engine: 2-D DMA between GM and LM with padding, LM copy and transpose.
# Check order: operand checks (bad_operand), then the destination region, then the source region
# (the syntax order: every ME instruction names its destination first).
from __future__ import annotations

import numpy as np

from ...isa.traps import Cause, Trap
from ..memory import check, read2d, write2d
from ..state import MachineState
from . import defines

# mnemonic: (destination memory, source memory, padding CSRs apply)
_COPY = {"dma.ld": ("lm", "gm", True), "dma.st": ("gm", "lm", False), "dma.cp": ("lm", "lm", True)}


def _addresses(s: MachineState, d) -> tuple[tuple[str, int], tuple[str, int]]:
    """(operand name, register value) of the destination and the source."""
    dst, src = ((o.name, s.get_x(d.values[o.name])) for o in d.insn.positional)
    return dst, src


@defines(*_COPY)
def _copy(s: MachineState, d, csrs):
    dst_mem, src_mem, pad = _COPY[d.mnemonic]
    (dst_name, dst), (src_name, src) = _addresses(s, d)
    rows, cols = csrs.dma_rows, csrs.dma_cols
    pt, pb, pl, pr = (csrs.dma_pt, csrs.dma_pb, csrs.dma_pl, csrs.dma_pr) if pad else (0, 0, 0, 0)
    frame = np.full((pt + rows + pb, pl + cols + pr),
                    csrs.dma_padval & 0xFF if pad else 0, np.uint8)
    check(s, dst_mem, dst, *frame.shape, csrs.dma_dstride, f"{d.mnemonic} {dst_name}")
    frame[pt:pt + rows, pl:pl + cols] = read2d(s, src_mem, src, rows, cols, csrs.dma_sstride,
                                               f"{d.mnemonic} {src_name}")
    return lambda: write2d(s, dst_mem, dst, csrs.dma_dstride, frame)


@defines("dma.tr")
def _transpose(s: MachineState, d, csrs):
    esz, rows, cols = d.esz, csrs.dma_rows, csrs.dma_cols
    if cols % esz:
        raise Trap(Cause.BAD_OPERAND,
                   f"dma.tr: dma_cols = {cols} is not a multiple of esz = {esz}", tval=cols)
    (dst_name, dst), (src_name, src) = _addresses(s, d)
    n = cols // esz                        # elements per source row = destination rows
    check(s, "lm", dst, n, rows * esz, csrs.dma_dstride, f"dma.tr {dst_name}")
    elems = read2d(s, "lm", src, rows, cols, csrs.dma_sstride,
                   f"dma.tr {src_name}").reshape(rows, n, esz)
    out = elems.transpose(1, 0, 2).reshape(n, rows * esz)   # out row j: element j of each row
    return lambda: write2d(s, "lm", dst, csrs.dma_dstride, out)

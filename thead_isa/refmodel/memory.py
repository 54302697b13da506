# Bounds-checked access to GM, LM and ACC, and range-checked reads of configuration CSRs.
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..isa.csrs import BY_NAME as CSR_BY_NAME
from ..isa.spec import Insn
from ..isa.traps import Cause, Trap
from .state import MachineState, s32

FAULT = {"gm": Cause.GM_FAULT, "lm": Cause.LM_FAULT, "acc": Cause.ACC_FAULT}
UNIT = {"gm": "byte", "lm": "byte", "acc": "word"}


def first_fault(base: int, rows: int, cols: int, stride: int, size: int) -> int | None:
    """Lowest out-of-range address of a 2-D region (rows x cols at base, row stride), or None.

    Addresses are exact integers: nothing wraps.
    """
    if rows == 0 or cols == 0:
        return None
    if base + (rows - 1) * stride + cols <= size:
        return None
    if base + cols > size or stride == 0:
        return max(base, size)
    r = max(0, -(-(size - cols + 1 - base) // stride))
    return max(base + r * stride, size)


def check(s: MachineState, mem: str, base: int, rows: int, cols: int, stride: int,
          what: str) -> None:
    size = len(getattr(s, mem))
    bad = first_fault(base, rows, cols, stride, size)
    if bad is not None:
        last = base + (rows - 1) * stride + cols - 1
        raise Trap(FAULT[mem], f"{what}: {mem.upper()} {UNIT[mem]}s 0x{base:x}..0x{last:x} "
                               f"outside {mem.upper()} of {size} {UNIT[mem]}s", tval=bad)


def check_aligned(addr: int, align: int, what: str) -> None:
    if addr % align:
        raise Trap(Cause.MISALIGNED_ACCESS, f"{what}: address 0x{addr:x} is not "
                                            f"{align}-byte aligned", tval=addr)


def _index(base: int, rows: int, cols: int, stride: int) -> np.ndarray:
    return base + np.arange(rows, dtype=np.int64)[:, None] * stride + np.arange(cols, dtype=np.int64)


def read2d(s: MachineState, mem: str, base: int, rows: int, cols: int, stride: int,
           what: str) -> np.ndarray:
    """A copy of the region as a rows x cols array of the memory's element type."""
    check(s, mem, base, rows, cols, stride, what)
    return getattr(s, mem)[_index(base, rows, cols, stride)]


def write2d(s: MachineState, mem: str, base: int, stride: int, data: np.ndarray) -> None:
    """Write a rows x cols array row by row in increasing order, so that where rows overlap
    (stride < cols) the later row wins. The caller has checked the region (check or read2d)."""
    target = getattr(s, mem)
    for r, row in enumerate(data):
        target[base + r * stride:base + r * stride + len(row)] = row


def lm_i32(s: MachineState, addr: int, n: int, what: str) -> np.ndarray:
    """n little-endian int32 values from 4-byte aligned LM (a copy)."""
    check_aligned(addr, 4, what)
    raw = read2d(s, "lm", addr, 1, 4 * n, 0, what)
    return raw.reshape(-1).view("<i4").astype(np.int32)


def lm_i32_bytes(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype="<i4").view(np.uint8)


def engine_csrs(s: MachineState, insn: Insn) -> SimpleNamespace:
    """The configuration CSRs an engine instruction reads, each checked against its range."""
    out = {}
    for name in insn.csrs:
        c = CSR_BY_NAME[name]
        raw = s.csr[c.number]
        v = s32(raw) if c.signed else raw
        lo, hi = c.use
        if not lo <= v <= hi:
            raise Trap(Cause.BAD_OPERAND, f"{insn.mnemonic}: {name} = {v} outside [{lo}, {hi}]",
                       tval=raw)
        out[name] = v
    return SimpleNamespace(**out)

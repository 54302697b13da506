# Semantics of the vector engine: requantization, add, pooling, lookup, reductions, moves, eltwise.
# The quantization arithmetic lives in ../quant.py.
# Check order: operand checks that need only CSRs (bad_operand), then the memory operands in
# syntax order (for int32 LM data: alignment, then bounds), then the values of parameters read
# from LM (bad_operand). An empty region is never out of range; alignment is always checked.
from __future__ import annotations

import functools

import numpy as np

from ...isa.traps import Cause, Trap
from .. import quant
from ..memory import check, check_aligned, lm_i32, lm_i32_bytes, read2d, write2d
from ..state import MachineState, s32, u32
from ..window import out_size
from . import defines


def _bad(d, message: str, value: int):
    raise Trap(Cause.BAD_OPERAND, f"{d.mnemonic}: {message}", tval=u32(value))


def _check_param(d, name: str, value: int, lo: int, hi: int) -> None:
    if not lo <= value <= hi:
        _bad(d, f"{name} = {value} outside [{lo}, {hi}]", value)


def _check_columns(d, name: str, values: np.ndarray, lo: int, hi: int) -> None:
    """Trap on the lowest column whose parameter lies outside [lo, hi]."""
    bad = np.flatnonzero((values < lo) | (values > hi))
    if bad.size:
        _check_param(d, f"{name}[{bad[0]}]", int(values[bad[0]]), lo, hi)


def _check_clamp(d, csrs) -> None:
    if csrs.ve_qmin > csrs.ve_qmax:
        _bad(d, f"ve_qmin = {csrs.ve_qmin} > ve_qmax = {csrs.ve_qmax}", csrs.ve_qmin)


def _region(s: MachineState, d, name: str, mem: str, n: int, int32_lm: bool = False) -> int:
    """Check the dense destination region of n elements (int32 in LM: 4n aligned bytes) at
    operand `name`; returns its address."""
    addr, what = s.get_x(d.values[name]), f"{d.mnemonic} {name}"
    if int32_lm:
        check_aligned(addr, 4, what)
        n *= 4
    check(s, mem, addr, 1, n, 0, what)
    return addr


def _raw(s: MachineState, d, name: str, mem: str, n: int) -> np.ndarray:
    """The n raw elements (LM bytes or ACC words) at operand `name`."""
    return read2d(s, mem, s.get_x(d.values[name]), 1, n, 0, f"{d.mnemonic} {name}").reshape(-1)


def _bytes(s: MachineState, d, name: str, n: int, unsigned: bool) -> np.ndarray:
    """n LM bytes as int64 values of int8, or of uint8 when unsigned."""
    raw = _raw(s, d, name, "lm", n)
    return (raw if unsigned else raw.view(np.int8)).astype(np.int64)


def _words(s: MachineState, d, name: str, n: int) -> np.ndarray:
    return _raw(s, d, name, "acc", n).astype(np.int64)


def _lm_words(s: MachineState, d, name: str, n: int) -> np.ndarray:
    """n little-endian int32 values from 4-byte aligned LM."""
    return lm_i32(s, s.get_x(d.values[name]), n, f"{d.mnemonic} {name}")


def _commit(s: MachineState, mem: str, addr: int, data: np.ndarray):
    """The write of a flat array of the memory's element type (uint8 for LM, int32 for ACC)."""
    return lambda: write2d(s, mem, addr, 0, data.reshape(1, -1))


def _lm8(values: np.ndarray) -> np.ndarray:
    """int8 or uint8 values as LM bytes."""
    return (values & 0xFF).astype(np.uint8)


@defines("vrq.fx", "vrq.fp")
def _requant(s: MachineState, d, csrs):
    _check_clamp(d, csrs)
    rows, cols, fx = csrs.ve_rows, csrs.ve_cols, d.mnemonic == "vrq.fx"
    dst = _region(s, d, "dst", "lm", rows * cols)
    acc = _words(s, d, "src", rows * cols).reshape(rows, cols)
    nparams = 3 if fx else 2
    params = _lm_words(s, d, "p", nparams * cols).reshape(nparams, cols)
    out = (csrs.ve_zp, csrs.ve_qmin, csrs.ve_qmax, d.u)
    if fx:
        bias, mult, shift = params
        _check_columns(d, "shift", shift, -31, 31)
        y = quant.requant_fx(acc, bias, mult, shift, *out)
    else:
        bias, scale = params[0], params[1].view(np.float32)
        bad = np.flatnonzero(~np.isfinite(scale))
        if bad.size:
            _bad(d, f"scale[{bad[0]}] = {scale[bad[0]]} is not finite", int(params[1][bad[0]]))
        y = quant.requant_fp(acc, bias, scale, *out)
    return _commit(s, "lm", dst, _lm8(y))


@defines("vqadd")
def _qadd(s: MachineState, d, csrs):
    _check_clamp(d, csrs)
    n = csrs.ve_rows * csrs.ve_cols
    dst = _region(s, d, "dst", "lm", n)
    a, b = _bytes(s, d, "a", n, d.u), _bytes(s, d, "b", n, d.u)
    p = quant.AddParams(*(int(v) for v in _lm_words(s, d, "p", len(quant.AddParams._fields))))
    _check_param(d, "left_shift", p.left_shift, 0, 20)
    for name in ("a_shift", "b_shift", "out_shift"):
        _check_param(d, name, getattr(p, name), -31, 31)
    y = quant.quantized_add(a, b, p, csrs.ve_zp, csrs.ve_qmin, csrs.ve_qmax, d.u)
    return _commit(s, "lm", dst, _lm8(y))


@defines("vmaxpool", "vavgpool")
def _pool(s: MachineState, d, csrs):
    c = csrs
    mn = d.mnemonic
    oh = out_size(mn, c.win_ih, c.win_pt, c.win_pb, c.win_kh, c.win_dh, c.win_sh, "height")
    ow = out_size(mn, c.win_iw, c.win_pl, c.win_pr, c.win_kw, c.win_dw, c.win_sw, "width")
    inner = (slice(c.win_pt, c.win_pt + c.win_ih), slice(c.win_pl, c.win_pl + c.win_iw))
    shape = (c.win_pt + c.win_ih + c.win_pb, c.win_pl + c.win_iw + c.win_pr)

    def over_window(op, padded):
        """op-reduction over the kernel taps: out[y][x] = op of padded[y*sh + i*dh][x*sw + j*dw]."""
        return functools.reduce(op, (
            padded[i * c.win_dh:i * c.win_dh + (oh - 1) * c.win_sh + 1:c.win_sh,
                   j * c.win_dw:j * c.win_dw + (ow - 1) * c.win_sw + 1:c.win_sw]
            for i in range(c.win_kh) for j in range(c.win_kw)))

    valid = np.zeros(shape, np.int64)
    valid[inner] = 1
    count = over_window(np.add, valid)       # valid (non-padded) positions of each window
    empty = np.flatnonzero(count == 0)
    if empty.size:
        y, x = divmod(int(empty[0]), ow)
        _bad(d, f"the window of output ({y}, {x}) covers only padding", int(empty[0]))

    dst = _region(s, d, "dst", "lm", oh * ow * c.win_c)
    x = _bytes(s, d, "src", c.win_ih * c.win_iw * c.win_c, d.u)
    is_max = d.mnemonic == "vmaxpool"
    padded = np.full(shape + (c.win_c,), np.iinfo(np.int64).min if is_max else 0, np.int64)
    padded[inner] = x.reshape(c.win_ih, c.win_iw, c.win_c)
    if is_max:
        y = over_window(np.maximum, padded)
    else:
        y = quant.rounding_div(over_window(np.add, padded), count[:, :, None])
    return _commit(s, "lm", dst, _lm8(y))


@defines("vgap")
def _gap(s: MachineState, d, csrs):
    rows, cols = csrs.ve_rows, csrs.ve_cols
    if rows == 0:
        _bad(d, "ve_rows = 0: the average of no rows is undefined", 0)
    dst = _region(s, d, "dst", "lm", cols)
    x = _bytes(s, d, "src", rows * cols, d.u).reshape(rows, cols)
    return _commit(s, "lm", dst, _lm8(quant.rounding_div(x.sum(axis=0), rows)))


@defines("vlut")
def _lut(s: MachineState, d, csrs):
    n = csrs.ve_rows * csrs.ve_cols
    dst = _region(s, d, "dst", "lm", n)
    index = _raw(s, d, "src", "lm", n)
    table = _raw(s, d, "table", "lm", 256)
    return _commit(s, "lm", dst, table[index])


@defines("vrmax.b", "vrsum.b", "vrmax.w", "vrsum.w")
def _reduce(s: MachineState, d, csrs):
    rows, cols = csrs.ve_rows, csrs.ve_cols
    is_max, words = d.mnemonic.startswith("vrmax"), d.mnemonic.endswith(".w")
    if is_max and cols == 0:
        _bad(d, "ve_cols = 0: the maximum of an empty row is undefined", 0)
    dst = _region(s, d, "dst", "acc" if words else "lm", rows, int32_lm=not (is_max or words))
    x = (_words(s, d, "src", rows * cols) if words
         else _bytes(s, d, "src", rows * cols, d.u)).reshape(rows, cols)
    y = x.max(axis=1) if is_max else x.sum(axis=1)     # a byte row sum is below 2^24: exact
    if words:
        return _commit(s, "acc", dst, quant.wrap32(y).astype(np.int32))
    return _commit(s, "lm", dst, _lm8(y) if is_max else lm_i32_bytes(y))


@defines("vacc.ld")
def _acc_load(s: MachineState, d, csrs):
    n = csrs.ve_rows * csrs.ve_cols
    dst = _region(s, d, "dst", "acc", n)
    return _commit(s, "acc", dst, _lm_words(s, d, "src", n))


@defines("vacc.st")
def _acc_store(s: MachineState, d, csrs):
    n = csrs.ve_rows * csrs.ve_cols
    dst = _region(s, d, "dst", "lm", n, int32_lm=True)
    return _commit(s, "lm", dst, lm_i32_bytes(_raw(s, d, "src", "acc", n)))


# op: f(a, b, shift mask); shift amounts are b & 31 on words, b & 7 on bytes
_EW = {
    "add": lambda a, b, m: a + b,
    "sub": lambda a, b, m: a - b,
    "mul": lambda a, b, m: a * b,
    "max": lambda a, b, m: np.maximum(a, b),
    "min": lambda a, b, m: np.minimum(a, b),
    "sra": lambda a, b, m: a >> (b & m),     # arithmetic; a uint8 is never negative
    "sll": lambda a, b, m: a << (b & m),
}


@defines(*(f"v{op}.{form}" for op in _EW for form in ("w", "wx", "b", "bx")))
def _eltwise(s: MachineState, d, csrs):
    op, form = d.mnemonic[1:].split(".")
    n = csrs.ve_rows * csrs.ve_cols
    words = form[0] == "w"
    dst = _region(s, d, "dst", "acc" if words else "lm", n)

    def load(name):
        return _words(s, d, name, n) if words else _bytes(s, d, name, n, d.u)

    a = load("a")
    b = s32(s.get_x(d.b)) if form.endswith("x") else load("b")
    y = _EW[op](a, b, 31 if words else 7)    # exact in int64: |a * b| <= 2^62, |a << 31| too
    if words:
        return _commit(s, "acc", dst, quant.wrap32(y).astype(np.int32))
    return _commit(s, "lm", dst, _lm8(quant.saturate(y, d.u)))

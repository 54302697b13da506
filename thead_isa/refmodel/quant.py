# Bit-exact quantization arithmetic: the single implementation of docs/quantization.md.
"""Pure functions over int64 numpy arrays or scalars, shared by the VE semantics and the
runtime's numpy reference (gemmlowp / TFLite arithmetic).

Integer arguments are array-likes whose values lie in the int32 range unless a docstring says
otherwise; results are int64 arrays (numpy int64 scalars for scalar arguments). Nothing here
wraps silently: every int32 wrap is an explicit `wrap32`.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def _i64(x) -> np.ndarray:
    return np.asarray(x, dtype=np.int64)


def wrap32(x):
    """Exact integers reduced modulo 2^32 into the int32 range (two's complement wrap)."""
    return ((_i64(x) + (1 << 31)) % (1 << 32) - (1 << 31))[()]


def type_range(unsigned: bool) -> tuple[int, int]:
    """(min, max) of int8, or of uint8 when unsigned."""
    return (0, 255) if unsigned else (-128, 127)


def saturate(x, unsigned: bool = False):
    """Clip to the int8 (uint8) range."""
    return np.clip(x, *type_range(unsigned))[()]


def clamp(x, qmin: int, qmax: int, unsigned: bool = False):
    """The output clamp: clip to [qmin, qmax], then to the type's range.

    When [qmin, qmax] overlaps the type's range this is clip(x, max(qmin, type min),
    min(qmax, type max)); when it does not, the result is the type's bound nearest to it.
    """
    return saturate(np.clip(x, qmin, qmax), unsigned)


def saturating_rounding_doubling_high_mul(a, b):
    """gemmlowp SaturatingRoundingDoublingHighMul: the high word of 2*a*b, rounded.

    (a*b + nudge) / 2^31 truncated toward zero, nudge = 2^30 if a*b >= 0 else 1 - 2^30, which
    equals floor(a*b / 2^31 + 1/2) (ties toward +infinity). The one overflowing case,
    INT32_MIN * INT32_MIN, saturates to INT32_MAX.
    """
    a, b = _i64(a), _i64(b)
    ab = a * b                                        # |ab| <= 2^62: exact in int64
    t = ab + np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    q = np.where(t >= 0, t >> 31, -((-t) >> 31))      # C division: truncate toward zero
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, q)[()]


def rounding_divide_by_pot(x, exponent):
    """gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero, 0 <= exponent
    <= 31."""
    x, e = _i64(x), _i64(exponent)
    mask = (np.int64(1) << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return ((x >> e) + (remainder > threshold))[()]


def mulq(x, mult, shift):
    """TFLite MultiplyByQuantizedMultiplier: about x * mult * 2^shift / 2^31, -31 <= shift <= 31.

    left = max(shift, 0), right = max(-shift, 0); x * 2^left is SATURATED to int32 (in TFLite
    that int32 multiplication overflows, which is undefined behaviour), then
    RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^left, mult), right).
    """
    shift = _i64(shift)
    left, right = np.maximum(shift, 0), np.maximum(-shift, 0)
    shifted = np.clip(_i64(x) << left, INT32_MIN, INT32_MAX)   # |x << 31| <= 2^62: exact
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, mult), right)


def requant_fx(acc, bias, mult, shift, zp: int, qmin: int, qmax: int, unsigned: bool = False):
    """Fixed-point requantization: clamp(mulq(wrap32(acc + bias), mult, shift) + zp)."""
    return clamp(mulq(wrap32(_i64(acc) + _i64(bias)), mult, shift) + zp, qmin, qmax, unsigned)


def requant_fp(acc, bias, scale, zp: int, qmin: int, qmax: int, unsigned: bool = False):
    """fp32-scale requantization: clamp(round_half_even(f32(f32(wrap32(acc + bias)) * scale))
    + zp). The product is a float32 multiplication (it may overflow to +-inf, which the clamp
    handles); scale must be finite."""
    scale = np.asarray(scale, np.float32)
    if not np.isfinite(scale).all():
        raise ValueError("requantization scales must be finite")
    t = wrap32(_i64(acc) + _i64(bias)).astype(np.float32)       # exact int32 -> f32, half-even
    with np.errstate(over="ignore"):
        product = t * scale                                      # float32 * float32 -> float32
    r = np.rint(product).astype(np.float64) + zp                 # rint: round half to even
    return clamp(r, qmin, qmax, unsigned).astype(np.int64)[()]


def quantize_multiplier(real_scale: float) -> tuple[int, int]:
    """(mult, shift) with real_scale ~= mult * 2^shift / 2^31, as TFLite's QuantizeMultiplier.

    frexp gives real_scale = q * 2^shift with 0.5 <= |q| < 1; mult = round(q * 2^31) rounding
    half away from zero (std::round); mult == 2^31 becomes 2^30 with shift + 1; shift < -31
    flushes to (0, 0). The shift may exceed 31 for scales of 2^31 or more (the VE rejects it).
    """
    if not math.isfinite(real_scale):
        raise ValueError(f"scale {real_scale} is not finite")
    if real_scale == 0:
        return 0, 0
    q, shift = math.frexp(real_scale)
    v = q * (1 << 31)                          # exact; |v| < 2^31, so v + 0.5 is exact too
    mult = int(math.copysign(math.floor(abs(v) + 0.5), v))
    if mult == 1 << 31:
        mult //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return mult, shift


def rounding_div(num, den):
    """num / den rounded half away from zero, den > 0 (TFLite's reference average pool)."""
    num, den = _i64(num), _i64(den)
    return (np.sign(num) * ((np.abs(num) + den // 2) // den))[()]


class AddParams(NamedTuple):
    """The int32 parameters of a quantized add, in their LM order (vqadd's block at p)."""

    left_shift: int
    a_zp: int
    a_mult: int
    a_shift: int
    b_zp: int
    b_mult: int
    b_shift: int
    out_mult: int
    out_shift: int


def add_params(a_scale: float, a_zp: int, b_scale: float, b_zp: int, out_scale: float,
               left_shift: int = 20) -> AddParams:
    """TFLite's add preparation: inputs are rescaled to 2 * max(a_scale, b_scale) after a left
    shift (20 for 8-bit), the sum back to out_scale."""
    twice_max = 2 * max(a_scale, b_scale)
    return AddParams(left_shift, a_zp, *quantize_multiplier(a_scale / twice_max),
                     b_zp, *quantize_multiplier(b_scale / twice_max),
                     *quantize_multiplier(twice_max / ((1 << left_shift) * out_scale)))


def quantized_add(a, b, p: AddParams, zp: int, qmin: int, qmax: int, unsigned: bool = False):
    """TFLite's reference quantized add on int8 (uint8) values a, b.

    s = mulq(wrap32((a - a_zp) << left_shift), a_mult, a_shift)
      + mulq(wrap32((b - b_zp) << left_shift), b_mult, b_shift)    (wrapping, as int32)
    y = clamp(mulq(s, out_mult, out_shift) + zp). The int32 wraps stand where TFLite's int32
    arithmetic would overflow (undefined behaviour there); with 8-bit inputs, zero points in
    [-255, 255] and left_shift <= 20 nothing wraps.
    """
    sa = mulq(wrap32((_i64(a) - p.a_zp) << p.left_shift), p.a_mult, p.a_shift)
    sb = mulq(wrap32((_i64(b) - p.b_zp) << p.left_shift), p.b_mult, p.b_shift)
    return clamp(mulq(wrap32(sa + sb), p.out_mult, p.out_shift) + zp, qmin, qmax, unsigned)

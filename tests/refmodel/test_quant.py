# Quantization arithmetic (refmodel/quant.py): hand-computed cases and independent slow references.
import math
import struct
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from thead_isa.refmodel import quant as q
from thead_isa.refmodel.quant import INT32_MAX, INT32_MIN

I32 = st.integers(INT32_MIN, INT32_MAX)
SHIFT = st.integers(-31, 31)
HALF = Fraction(1, 2)


def round_half_away(v: Fraction) -> int:
    return math.floor(v + HALF) if v >= 0 else -math.floor(-v + HALF)


def mulq_ref(x: int, mult: int, shift: int) -> int:
    """MultiplyByQuantizedMultiplier from its definition, in exact rationals: the doubling high
    multiply is floor(t * mult / 2^31 + 1/2), the final shift rounds half away from zero."""
    t = min(max(x * 2 ** max(shift, 0), INT32_MIN), INT32_MAX)
    if t == mult == INT32_MIN:
        high = INT32_MAX
    else:
        high = math.floor(Fraction(t * mult, 2 ** 31) + HALF)
    return round_half_away(Fraction(high, 2 ** max(-shift, 0)))


def f32(v: float) -> float:
    """Round a double to float32 (to nearest, ties to even), overflowing to infinity."""
    try:
        return struct.unpack("<f", struct.pack("<f", v))[0]
    except OverflowError:
        return math.copysign(math.inf, v)


def requant_fp_ref(acc: int, bias: int, scale: float, zp: int, lo: int, hi: int) -> int:
    t = (acc + bias + 2 ** 31) % 2 ** 32 - 2 ** 31
    product = f32(f32(float(t)) * scale)          # a double product of two floats is exact
    if math.isinf(product):
        return hi if product > 0 else lo
    return min(max(round(product) + zp, lo), hi)  # Python's round(): half to even


# --- saturating_rounding_doubling_high_mul ----------------------------------------------------

@pytest.mark.parametrize("a, b, expect", [
    (INT32_MIN, INT32_MIN, INT32_MAX),            # the only overflow: saturates
    (INT32_MIN, INT32_MAX, -INT32_MAX),           # -(2^31 - 1) exactly
    (INT32_MAX, INT32_MAX, INT32_MAX - 1),        # (2^31-1)^2 / 2^31 = 2^31 - 2 + 2^-31
    (1 << 30, 1, 1),                              # 0.5 -> 1
    (-(1 << 30), 1, 0),                           # -0.5 -> 0: ties go toward +infinity
    (3 << 30, 1, 2),                              # 1.5 -> 2
    (-(3 << 30), 1, -1),                          # -1.5 -> -1
    ((1 << 30) - 1, 1, 0),                        # just below 0.5
    (-(1 << 30) - 1, 1, -1),                      # just below -0.5
    (1 << 30, 1 << 30, 1 << 29),                  # 0.5 * 0.5 * 2^31
])
def test_srdhm_hand_values(a, b, expect):
    assert q.saturating_rounding_doubling_high_mul(a, b) == expect


def test_srdhm_vectorised_matches_scalar():
    a = np.array([INT32_MIN, -(3 << 30), 7, INT32_MAX])
    b = np.array([INT32_MIN, 1, -(1 << 30), 3])
    out = q.saturating_rounding_doubling_high_mul(a, b)
    assert out.dtype == np.int64
    assert out.tolist() == [q.saturating_rounding_doubling_high_mul(x, y) for x, y in zip(a, b)]


# --- rounding_divide_by_pot -------------------------------------------------------------------

@pytest.mark.parametrize("x, e, expect", [
    (5, 1, 3), (-5, 1, -3),                       # 2.5 -> 3, -2.5 -> -3: half away from zero
    (6, 2, 2), (-6, 2, -2),                       # 1.5 -> 2, -1.5 -> -2
    (7, 1, 4), (-7, 1, -4),
    (1, 2, 0), (-1, 2, 0), (3, 2, 1), (-3, 2, -1),
    (-123, 0, -123),
    (INT32_MIN, 31, -1), (INT32_MAX, 31, 1), (1 << 30, 31, 1), (-(1 << 30), 31, -1),
])
def test_rounding_divide_by_pot(x, e, expect):
    assert q.rounding_divide_by_pot(x, e) == expect


# --- mulq -------------------------------------------------------------------------------------

@pytest.mark.parametrize("x, mult, shift, expect", [
    (3, 1 << 30, 0, 2),                           # 1.5: the high multiply rounds ties up
    (-3, 1 << 30, 0, -1),                         # -1.5 -> -1 (not away from zero)
    (10, 1 << 30, -1, 3),                         # 5 exact, then 2.5 -> 3
    (-10, 1 << 30, -1, -3),                       # -5, then -2.5 -> -3 (away from zero)
    (5, 1 << 30, -1, 2),                          # double rounding: 2.5 -> 3, 1.5 -> 2 (1.25 exact)
    (2, 1, 31, 1),                                # 2 << 31 saturates to 2^31 - 1, then 0.99.. -> 1
    (-1, 1, 31, -1),                              # -1 << 31 = INT32_MIN exactly: -1
    (INT32_MIN, INT32_MIN, 31, INT32_MAX),
    (INT32_MAX, INT32_MAX, -31, 1),
    (INT32_MIN, INT32_MAX, -31, -1),
    (INT32_MIN, INT32_MAX, 0, -INT32_MAX),
    (1000, (1 << 31) - 1, 0, 1000),
    (1 << 20, 1 << 30, 1, 1 << 20),               # 0.5 * 2
    (12345, 0, 7, 0),
])
def test_mulq_hand_values(x, mult, shift, expect):
    assert q.mulq(x, mult, shift) == expect
    assert mulq_ref(x, mult, shift) == expect


@given(st.lists(st.tuples(I32, I32, SHIFT), min_size=1, max_size=64))
def test_mulq_matches_exact_reference(cases):
    x, mult, shift = (np.array(c) for c in zip(*cases))
    assert q.mulq(x, mult, shift).tolist() == [mulq_ref(*c) for c in cases]


@given(I32, st.integers(1 << 30, INT32_MAX), st.integers(-31, 0))
def test_mulq_is_within_one_of_the_real_product(x, mult, shift):
    real = Fraction(x * mult, 2 ** (31 - shift))
    assert abs(q.mulq(x, mult, shift) - real) <= 1


# --- requantization ---------------------------------------------------------------------------

def test_requant_fx_ties_per_rounding_stage():
    acc = [5, 7, -5, -7]
    assert q.requant_fx(acc, 0, 1 << 30, 0, 0, -128, 127).tolist() == [3, 4, -2, -3]    # x 0.5
    acc = [10, 14, -10, -14]
    assert q.requant_fx(acc, 0, 1 << 30, -1, 0, -128, 127).tolist() == [3, 4, -3, -4]   # x 0.25


def test_requant_fp_ties_round_half_to_even():
    acc = [5, 7, -5, -7, 1, -1, 3]
    assert q.requant_fp(acc, 0, 0.5, 0, -128, 127).tolist() == [2, 4, -2, -4, 0, 0, 2]


def test_requant_bias_wraps_before_scaling():
    # (2^31 - 1) + 1 wraps to INT32_MIN: the result is the negative bound, not the positive one
    assert q.requant_fx(INT32_MAX, 1, INT32_MAX, 0, 0, -128, 127) == -128
    assert q.requant_fp(INT32_MAX, 1, 1.0, 0, -128, 127) == -128


@pytest.mark.parametrize("unsigned, lo, hi", [(False, -128, 127), (True, 0, 255)])
def test_requant_saturates_to_the_type(unsigned, lo, hi):
    acc = [INT32_MIN, -1000, 1000, INT32_MAX]
    full = (INT32_MIN, INT32_MAX)
    assert q.requant_fx(acc, 0, 1 << 30, 0, 0, *full, unsigned).tolist() == [lo, lo, hi, hi]
    assert q.requant_fp(acc, 0, 0.5, 0, *full, unsigned).tolist() == [lo, lo, hi, hi]


def test_requant_relu_and_relu6_clamps():
    # output scale 0.05, zero point -10: ReLU is qmin = -10, ReLU6 adds qmax = -10 + 6/0.05
    zp, relu6 = -10, -10 + round(6 / 0.05)
    acc = [-400, -2, 0, 60, 2000, 3000]           # x 0.0625 -> -25, -0.125, 0, 3.75, 125, 187.5
    mult, shift = q.quantize_multiplier(0.0625)
    assert q.requant_fx(acc, 0, mult, shift, zp, zp, relu6).tolist() == [-10, -10, -10, -6, 110,
                                                                          110]
    assert q.requant_fp(acc, 0, 0.0625, zp, zp, 127).tolist() == [-10, -10, -10, -6, 115, 127]


def test_clamp_outside_the_type_range_gives_the_nearest_type_bound():
    assert q.clamp(np.array([-5, 0, 5]), 200, 300).tolist() == [127, 127, 127]
    assert q.clamp(np.array([-5, 0, 5]), -300, -200).tolist() == [-128, -128, -128]
    assert q.clamp(np.array([-5, 0, 5]), -300, -200, unsigned=True).tolist() == [0, 0, 0]


def test_requant_fp_rounds_the_accumulator_to_float32_first():
    # 41943041 = 2.5 * 2^24 + 1 becomes 41943040 in float32; times 2^-24 that is exactly 2.5 -> 2
    assert q.requant_fp(41943041, 0, 2.0 ** -24, 0, -128, 127) == 2


def test_requant_fp_multiplies_in_float32():
    # 3 * 0.833333373 = 2.50000012 exactly: float32 rounds it to 2.5, then half to even gives 2
    # (a float64 product would give 3); 3 * 1.83333325 = 5.49999976 -> 5.5 -> 6 (float64: 5)
    assert q.requant_fp(3, 0, np.uint32(0x3F555556).view(np.float32), 0, -128, 127) == 2
    assert q.requant_fp(3, 0, np.uint32(0x3FEAAAAA).view(np.float32), 0, -128, 127) == 6


def test_requant_fp_overflow_to_infinity_clamps_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = q.requant_fp([INT32_MAX, INT32_MIN], 0, 3e38, 0, -128, 127)
    assert out.tolist() == [127, -128]


@pytest.mark.parametrize("scale", [np.inf, -np.inf, np.nan])
def test_requant_fp_rejects_non_finite_scales(scale):
    with pytest.raises(ValueError):
        q.requant_fp([1], [0], [scale], 0, -128, 127)


@given(st.lists(st.tuples(I32, I32, st.floats(-1e4, 1e4, width=32)), min_size=1, max_size=32),
       st.integers(-200, 200), st.booleans())
def test_requant_fp_matches_exact_reference(cases, zp, unsigned):
    acc, bias, scale = (np.array(c) for c in zip(*cases))
    lo, hi = q.type_range(unsigned)
    expect = [requant_fp_ref(a, b, s, zp, lo, hi) for a, b, s in cases]
    assert q.requant_fp(acc, bias, scale.astype(np.float32), zp, INT32_MIN, INT32_MAX,
                        unsigned).tolist() == expect


@given(st.lists(st.tuples(I32, I32, I32, SHIFT), min_size=1, max_size=32),
       st.integers(-200, 200), st.booleans())
def test_requant_fx_matches_exact_reference(cases, zp, unsigned):
    acc, bias, mult, shift = (np.array(c) for c in zip(*cases))
    lo, hi = q.type_range(unsigned)
    expect = [min(max(mulq_ref((a + b + 2 ** 31) % 2 ** 32 - 2 ** 31, m, s) + zp, lo), hi)
              for a, b, m, s in cases]
    assert q.requant_fx(acc, bias, mult, shift, zp, INT32_MIN, INT32_MAX, unsigned).tolist() \
        == expect


# --- quantize_multiplier ----------------------------------------------------------------------

@pytest.mark.parametrize("scale, expect", [
    (0.5, (1 << 30, 0)),
    (0.25, (1 << 30, -1)),
    (1.0, (1 << 30, 1)),
    (0.75, (3 << 29, 0)),
    (0.0, (0, 0)),
    (1e-10, (0, 0)),                              # frexp exponent -33 < -31: flushed to zero
    (2.0 ** -32, (1 << 30, -31)),                 # the smallest scale that survives
    (2.0 ** -33, (0, 0)),
    (1 - 2.0 ** -40, (1 << 30, 1)),               # mantissa rounds up to 2^31: halved, shift + 1
    (0.5 + 2.0 ** -32, ((1 << 30) + 1, 0)),       # q * 2^31 = 2^30 + 0.5: half away from zero
    (-(0.5 + 2.0 ** -32), (-(1 << 30) - 1, 0)),
    (0.1, (1717986918, -3)),                      # 0.8 * 2^31 = 1717986918.4
    (3.0, (3 << 29, 2)),
])
def test_quantize_multiplier_known_scales(scale, expect):
    assert q.quantize_multiplier(scale) == expect


@given(st.floats(2.0 ** -31, 2.0 ** 30))
def test_quantize_multiplier_is_the_nearest_q31_mantissa(scale):
    mult, shift = q.quantize_multiplier(scale)
    assert 1 << 30 <= mult < 1 << 31 and -31 <= shift <= 31
    assert abs(Fraction(mult) - Fraction(scale) * 2 ** (31 - shift)) <= HALF


@pytest.mark.parametrize("scale", [math.inf, -math.inf, math.nan])
def test_quantize_multiplier_rejects_non_finite(scale):
    with pytest.raises(ValueError):
        q.quantize_multiplier(scale)


# --- rounding_div -----------------------------------------------------------------------------

@pytest.mark.parametrize("num, den, expect", [
    (5, 2, 3), (-5, 2, -3), (7, 3, 2), (-7, 3, -2), (8, 3, 3), (-8, 3, -3), (6, 4, 2),
    (-6, 4, -2), (2, 4, 1), (-2, 4, -1), (1, 4, 0), (0, 9, 0), (-128 * 9, 9, -128),
])
def test_rounding_div(num, den, expect):
    assert q.rounding_div(num, den) == expect


@given(st.lists(st.tuples(st.integers(-(1 << 40), 1 << 40), st.integers(1, 1 << 20)),
                min_size=1, max_size=64))
def test_rounding_div_matches_exact_reference(cases):
    num, den = (np.array(c) for c in zip(*cases))
    assert q.rounding_div(num, den).tolist() == [round_half_away(Fraction(n, d))
                                                 for n, d in cases]


# --- quantized add ----------------------------------------------------------------------------

EXAMPLE_ADD = q.AddParams(20, 1, 1 << 30, 0, -3, 1 << 30, -1, 1431655765, -19)


def test_add_params_follow_tflite():
    # scales 0.5, 0.25 -> twice the max is 1.0; 1.0 / (2^20 * 0.75) = (2/3) * 2^-19
    assert q.add_params(0.5, 1, 0.25, -3, 0.75) == EXAMPLE_ADD


@pytest.mark.parametrize("a, b, expect", [
    (9, 5, 10),            # 0.5 * 8 + 0.25 * 8 = 6.0 = 8 * 0.75, plus zp 2
    (1, -3, 2),            # both inputs at their zero point: the output zero point
    (127, 127, 127),       # 63 + 32.5 = 95.5 / 0.75 = 127.3: saturates
    (-128, -128, -126),    # -64.5 - 31.25 = -95.75 / 0.75 = -127.67 -> -128 + 2
    (2, -3, 3),            # 0.5 / 0.75 = 0.667 -> 1, + 2
    (0, -1, 2),            # -0.5 + 0.5 = 0
])
def test_quantized_add_hand_values(a, b, expect):
    assert q.quantized_add(a, b, EXAMPLE_ADD, 2, -128, 127) == expect


def test_quantized_add_is_within_one_of_the_real_sum():
    a, b = (v.reshape(-1) for v in np.meshgrid(np.arange(-128, 128), np.arange(-128, 128)))
    got = q.quantized_add(a, b, EXAMPLE_ADD, 2, INT32_MIN, INT32_MAX)
    real = (0.5 * (a - 1) + 0.25 * (b + 3)) / 0.75 + 2
    assert np.abs(got - np.clip(real, -128, 127)).max() <= 1


def test_quantized_add_wraps_like_int32():
    # a - a_zp = 0 - INT32_MIN = 2^31 wraps to INT32_MIN: scaled by 0.5 and 2^-28 that is -2
    p = q.AddParams(0, INT32_MIN, 1 << 30, 0, 0, 1 << 30, 0, 1 << 30, -28)
    assert q.quantized_add(0, 0, p, 0, -128, 127) == -2

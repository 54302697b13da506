# The compiled requantization primitives agree bit for bit with the reference model's quant.py.
import numpy as np
from hypothesis import given, strategies as st

from thead_isa.core import requant as core
from thead_isa.refmodel import quant

I32 = st.integers(-(1 << 31), (1 << 31) - 1)
EDGE_I32 = st.sampled_from([-(1 << 31), -(1 << 31) + 1, -1, 0, 1, (1 << 31) - 1]) | I32
TYPES = st.sampled_from([(-128, 127, False), (0, 255, True)])


def _bounds(qmin, qmax, tmin, tmax):
    """The caller's clamp bounds: [qmin, qmax] clipped into the output type."""
    return min(max(qmin, tmin), tmax), min(max(qmax, tmin), tmax)


@given(st.lists(st.tuples(EDGE_I32, EDGE_I32, EDGE_I32, st.integers(-31, 31)), min_size=1,
                max_size=16), I32, st.tuples(I32, I32).map(sorted), TYPES)
def test_fixed_point_mode(rows, zp, clamp, typ):
    acc, bias, mult, shift = (np.array(c, np.int64) for c in zip(*rows))
    lo, hi = _bounds(*clamp, typ[0], typ[1])
    got = core.requant_fx(acc, bias, mult, shift, zp, lo, hi)
    want = quant.requant_fx(acc, bias, mult, shift, zp, clamp[0], clamp[1], typ[2])
    np.testing.assert_array_equal(got, want)


SCALES = st.floats(width=32, allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.5, 1.5, 2.5, 1e-10, 3.4e38, -3.4e38, np.float32(2.5 / 3)])


@given(st.lists(st.tuples(EDGE_I32, EDGE_I32, SCALES), min_size=1, max_size=16),
       st.integers(-300, 300), st.tuples(I32, I32).map(sorted), TYPES)
def test_fp32_mode(rows, zp, clamp, typ):
    acc, bias, scale = (np.array(c) for c in zip(*rows))
    lo, hi = _bounds(*clamp, typ[0], typ[1])
    got = core.requant_fp(acc.astype(np.int64), bias.astype(np.int64), scale.astype(np.float32),
                          zp, lo, hi)
    want = quant.requant_fp(acc.astype(np.int64), bias.astype(np.int64), scale.astype(np.float32),
                            zp, clamp[0], clamp[1], typ[2])
    np.testing.assert_array_equal(got, want)


def test_pinned_ties():
    # 5 * 2^30 / 2^31 = 2.5: SRDHM rounds the tie up to 3; fp32 mode rounds 2.5 to even 2
    assert core.requant_fx([5], [0], [1 << 30], [0], 0, -128, 127).tolist() == [3]
    assert core.requant_fp([5], [0], [0.5], 0, -128, 127).tolist() == [2]
    assert core.requant_fp([7], [0], [0.5], 0, -128, 127).tolist() == [4]


@st.composite
def _near_rounding_boundary(draw):
    """(a, b) whose doubled high product a*b + 2^30 lies just below a multiple of 2^31, with
    |a*b| far above 2^53: where a floating-point division would round the wrong way."""
    b = draw(st.integers(1 << 28, (1 << 31) - 1).map(lambda v: v | 1))
    below = draw(st.integers(1, 1 << 12))
    a = ((-below - (1 << 30)) * pow(b, -1, 1 << 31)) % (1 << 31)
    a = draw(st.sampled_from([a, a - (1 << 31)]))
    assert (a * b + (1 << 30)) % (1 << 31) == (1 << 31) - below
    return a, b


@given(_near_rounding_boundary())
def test_doubling_high_mul_is_exact_near_rounding_boundaries(ab):
    """Regression: the core once divided a*b + nudge by 2^31 in double precision and was one
    too high for a = 707478007, b = 1073754169 (and every pair like it)."""
    a, b = ab
    expected = quant.mulq(a, b, 0)
    got = core.requant_fx(np.array([a]), np.array([0]), np.array([b]), np.array([0]), 0,
                          -(1 << 31), (1 << 31) - 1)
    assert int(got[0]) == int(expected)


def test_doubling_high_mul_pinned_case():
    assert int(quant.mulq(707478007, 1073754169, 0)) == 353743070
    assert int(core.requant_fx(np.array([707478007]), np.array([0]), np.array([1073754169]),
                               np.array([0]), 0, -(1 << 31), (1 << 31) - 1)[0]) == 353743070

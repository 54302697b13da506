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

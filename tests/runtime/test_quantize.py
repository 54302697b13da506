# Runtime quantization parameters (runtime/quantize.py): round trips, TFLite choices, VE blocks.
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from thead_isa.refmodel import quant
from thead_isa.runtime import quantize as Q
from thead_isa.runtime.quantize import QParams, Requant

DTYPE = st.sampled_from(["int8", "uint8"])
SCALE = st.floats(1e-4, 10.0)


@st.composite
def qparams(draw, dtype=DTYPE):
    d = draw(dtype)
    lo, hi = quant.type_range(d == "uint8")
    return QParams(draw(SCALE), draw(st.integers(lo, hi)), d)


# --- QParams -----------------------------------------------------------------------------------

@given(qparams(), st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_round_trip_within_half_a_step(q, fractions):
    lo, hi = q.dequantize(q.qrange[0]), q.dequantize(q.qrange[1])
    x = lo + (hi - lo) * np.array(fractions)
    y = q.quantize(x)
    assert y.dtype == q.np_dtype
    assert np.all(np.abs(q.dequantize(y) - x) <= q.scale / 2 * (1 + 1e-9))


@given(qparams())
def test_integers_round_trip_exactly(q):
    v = np.arange(*q.qrange, dtype=np.int64)
    assert np.array_equal(q.quantize(q.dequantize(v)), v)
    assert q.quantize(0.0) == q.zero_point and q.dequantize(q.zero_point) == 0.0


def test_quantize_rounds_half_to_even_and_saturates():
    q = QParams(0.5, 0)
    assert q.quantize([0.25, 0.75, -0.25, -0.75, 1.25, 1000.0, -1e9, np.inf]).tolist() == [
        0, 2, 0, -2, 2, 127, -128, 127]
    u = QParams(1.0, 10, "uint8")
    assert u.quantize([-10.5, -11.0, 245.0, 246.0, 2.5]).tolist() == [0, 0, 255, 255, 12]


@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_per_channel_quantizes_along_the_axis(rows, cols, seed):
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.01, 1.0, cols)
    x = rng.uniform(-100, 100, (rows, cols))
    q = QParams(scale)
    assert q.per_channel and not QParams(0.5).per_channel
    assert np.array_equal(q.quantize(x), np.clip(np.rint(x / scale), -128, 127))
    q0 = QParams(scale[:1].repeat(rows), axis=0)
    assert np.array_equal(q0.quantize(x), np.clip(np.rint(x / scale[0]), -128, 127))
    assert np.allclose(q.dequantize(q.quantize(x)), np.clip(x, -128 * scale, 127 * scale),
                       atol=scale.max() / 2)


@pytest.mark.parametrize("kwargs", [
    dict(scale=0.0), dict(scale=-1.0), dict(scale=math.inf), dict(scale=math.nan),
    dict(scale=np.ones((2, 2))), dict(scale=1.0, dtype="int16"),
    dict(scale=1.0, zero_point=128), dict(scale=1.0, zero_point=-1, dtype="uint8"),
    dict(scale=1.0, zero_point=0.5),
])
def test_qparams_validation(kwargs):
    with pytest.raises(ValueError):
        QParams(**kwargs)


def test_qparams_equality_and_hash():
    a, b = QParams(np.array([0.1, 0.2])), QParams(np.array([0.1, 0.2]))
    assert a == b and hash(a) == hash(b) and a != QParams(np.array([0.1, 0.3]))
    assert QParams(0.5, 3) == QParams(0.5, 3) and QParams(0.5, 3) != QParams(0.5, 3, "uint8")
    with pytest.raises(ValueError):
        a.scale[0] = 1.0                              # read-only
    with pytest.raises(ValueError):
        QParams(1.0).quantize(np.nan)


# --- choose_qparams, weight_qparams ------------------------------------------------------------

@pytest.mark.parametrize("xmin, xmax, dtype, scale, zp", [
    (-1.0, 1.0, "uint8", 2 / 255, 128),      # zero point 127.5 from the min end, rounded away
    (-1.0, 1.0, "int8", 2 / 255, -1),        # -0.5 from the max end (smaller error), away
    (0.0, 2.55, "uint8", 0.01, 0),
    (0.0, 2.55, "int8", 0.01, -128),
    (-2.55, 0.0, "uint8", 0.01, 255),
    (0.5, 2.55, "uint8", 0.01, 0),           # the range is extended to contain 0
    (0.0, 0.0, "int8", 1.0, 0),
    (0.0, 0.0, "uint8", 1.0, 0),
])
def test_choose_qparams_by_hand(xmin, xmax, dtype, scale, zp):
    q = Q.choose_qparams(xmin, xmax, dtype)
    assert (q.zero_point, q.dtype, q.per_channel) == (zp, dtype, False)
    assert math.isclose(q.scale, scale)


@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), DTYPE)
def test_choose_qparams_covers_the_range_with_an_exact_zero(a, b, dtype):
    xmin, xmax = min(a, b), max(a, b)
    q = Q.choose_qparams(xmin, xmax, dtype)
    assert q.quantize(0.0) == q.zero_point and q.dequantize(q.zero_point) == 0.0
    lo, hi = q.dequantize(q.qrange[0]), q.dequantize(q.qrange[1])
    assert lo <= min(xmin, 0) + q.scale / 2 * (1 + 1e-9)
    assert hi >= max(xmax, 0) - q.scale / 2 * (1 + 1e-9)


@given(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4), DTYPE)
def test_choose_qparams_symmetric(a, b, dtype):
    q = Q.choose_qparams(min(a, b), max(a, b), dtype, symmetric=True)
    assert q.zero_point == (128 if dtype == "uint8" else 0)
    amax = max(abs(a), abs(b))
    assert math.isclose(q.scale, amax / 127) if amax else q.scale == 1.0


@pytest.mark.parametrize("xmin, xmax", [(1.0, 0.0), (math.nan, 1.0), (0.0, math.inf)])
def test_choose_qparams_rejects_bad_ranges(xmin, xmax):
    with pytest.raises(ValueError):
        Q.choose_qparams(xmin, xmax)


@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 6))
def test_weight_qparams_per_channel(seed, k, cout):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((k, k, 2, cout)) * rng.uniform(0.01, 10, cout)
    w[..., rng.random(cout) < 0.3] = 0.0                       # some all-zero channels
    q = Q.weight_qparams(w)
    assert q.per_channel and q.dtype == "int8" and q.zero_point == 0
    wq = q.quantize(w)
    zero = ~w.any(axis=(0, 1, 2))
    assert np.all(q.scale[zero] == 1.0) and not wq[..., zero].any()
    amax = np.abs(wq).max(axis=(0, 1, 2))
    assert np.all(amax[~zero] == 127) and np.abs(wq).max() <= 127
    assert np.all(np.abs(q.dequantize(wq) - w) <= q.scale / 2 * (1 + 1e-9))


def test_weight_qparams_other_axes():
    w = np.array([[0.0, 0.0], [1.27, -2.54], [0.5, 0.0]])
    q0 = Q.weight_qparams(w, axis=0)
    assert q0.scale.tolist() == [1.0, 0.02, 0.5 / 127] and q0.axis == -2
    assert q0.quantize(w).tolist() == [[0, 0], [64, -127], [127, 0]]
    qt = Q.weight_qparams(w, axis=None)
    assert not qt.per_channel and math.isclose(qt.scale, 0.02)
    assert Q.weight_qparams(np.zeros((3, 3)), axis=None).scale == 1.0


# --- Requant -----------------------------------------------------------------------------------

def _requant(**kw):
    base = dict(bias=[1, -2], mult=[1 << 30, 3], shift=[-1, 5], scale=[0.5, -2.0], zp=-3,
                qmin=-100, qmax=100)
    return Requant(**{**base, **kw})


def test_param_blocks():
    rq = _requant()
    fx = np.frombuffer(rq.param_block(), "<i4").tolist()
    assert fx == [1, -2, 1 << 30, 3, -1, 5]
    fp = rq.with_mode("fp").param_block()
    assert np.frombuffer(fp[:8], "<i4").tolist() == [1, -2]
    assert np.frombuffer(fp[8:], "<f4").tolist() == [0.5, -2.0]
    assert rq.cols == 2 and rq.bias.dtype == np.int32 and rq.scale.dtype == np.float32
    assert rq == _requant() and hash(rq) == hash(_requant()) and rq != rq.with_mode("fp")


@pytest.mark.parametrize("kw", [
    dict(shift=[0, 32]), dict(qmin=5, qmax=4), dict(mode="int"), dict(bias=[0, 1 << 31]),
    dict(mult=[1, 2, 3]), dict(bias=[0.5, 1.0]), dict(mode="fp", scale=[1.0, math.inf]),
])
def test_requant_validation(kw):
    with pytest.raises(ValueError):
        _requant(**kw)


def test_requant_fp_allows_any_shift():
    assert _requant(shift=[0, 40], mode="fp").mode == "fp"


# --- requant_for -------------------------------------------------------------------------------

@given(qparams(), qparams(), st.integers(0, 2**32 - 1), st.sampled_from(["fx", "fp"]))
def test_requant_for_dense(xq, oq, seed, mode):
    rng = np.random.default_rng(seed)
    w = rng.integers(-127, 128, (5, 3)).astype(np.int8)
    wq = QParams(rng.uniform(1e-3, 0.1, 3))
    real = xq.scale * wq.scale / oq.scale
    assume(real.max() < 2**30)
    bias = rng.standard_normal(3)
    rq = Q.requant_for(xq, wq, oq, w, bias, mode=mode)
    for c in range(3):
        assert (rq.mult[c], rq.shift[c]) == quant.quantize_multiplier(real[c])
    assert np.array_equal(rq.scale, real.astype(np.float32))
    bias_q = np.rint(bias / (xq.scale * wq.scale)).astype(np.int64)
    want = quant.wrap32(bias_q - xq.zero_point * w.astype(np.int64).sum(axis=0))
    assert np.array_equal(rq.bias, want)
    assert (rq.zp, rq.qmin, rq.qmax, rq.unsigned, rq.mode) == (
        oq.zero_point, *oq.qrange, oq.unsigned, mode)


def test_requant_for_folds_over_conv_and_depthwise_layouts():
    xq, oq = QParams(0.1, 3), QParams(0.2, -1)
    w4 = np.arange(2 * 2 * 3 * 4).reshape(2, 2, 3, 4).astype(np.int8) - 20
    rq = Q.requant_for(xq, QParams(0.5), oq, w4)             # per-tensor weight scale
    assert rq.bias.tolist() == (-3 * w4.astype(int).sum(axis=(0, 1, 2))).tolist()
    w3 = np.array([[[1, -2, 3]], [[4, 5, -6]]], np.int8)     # depthwise [2, 1, 3]
    rq = Q.requant_for(xq, QParams(np.array([0.1, 0.2, 0.3])), oq, w3, [0.01, 0.0, -0.03])
    # bias / (0.1 * w_scale) = [1, 0, -1]; w sums [5, 3, -3]
    assert rq.bias.tolist() == [1 - 15, 0 - 9, -1 + 9]
    wt = w4.reshape(12, 4).T                                 # [Cout, K]: reduce axis 1
    rq_t = Q.requant_for(xq, QParams(0.5), oq, wt, reduce_axes=(1,))
    assert rq_t.bias.tolist() == (-3 * wt.astype(int).sum(axis=1)).tolist()


@pytest.mark.parametrize("act, out, expect", [
    ("none", QParams(0.05, -10), (-128, 127)),
    (None, QParams(0.05, 10, "uint8"), (0, 255)),
    ("relu", QParams(0.05, -10), (-10, 127)),
    ("relu6", QParams(0.05, -10), (-10, 110)),
    ("relu6", QParams(0.01, -10), (-10, 127)),               # 6.0 beyond the type: saturated
    ("relu6", QParams(0.05, 0, "uint8"), (0, 120)),
    (("clamp", -1.0, 1.0), QParams(0.05, -10), (-30, 10)),
    (("clamp", -100.0, 0.5), QParams(0.05, 100, "uint8"), (0, 110)),
])
def test_activation_clamps(act, out, expect):
    assert Q.activation_range(act, out) == expect
    rq = Q.requant_for(QParams(0.1), QParams(0.1), out, np.ones((1, 1), np.int8), act=act)
    assert (rq.qmin, rq.qmax) == expect


@pytest.mark.parametrize("act", ["gelu", ("clamp", 1.0), ("clamp", 2.0, 1.0)])
def test_unknown_activation(act):
    with pytest.raises(ValueError):
        Q.activation_range(act, QParams(1.0))


def test_requant_for_rejects():
    w = np.ones((2, 2), np.int8)
    with pytest.raises(ValueError):                          # weights with a zero point
        Q.requant_for(QParams(1.0), QParams(1.0, 1), QParams(1.0), w)
    with pytest.raises(ValueError):                          # per-channel activations
        Q.requant_for(QParams(np.ones(2)), QParams(1.0), QParams(1.0), w)
    with pytest.raises(ValueError):                          # multiplier 2^31
        Q.requant_for(QParams(2.0**16), QParams(2.0**15), QParams(1.0), w)
    with pytest.raises(ValueError):                          # bias beyond int32
        Q.requant_for(QParams(1e-5), QParams(1e-5), QParams(1.0), w, [1e5, 0])
    with pytest.raises(ValueError):                          # values outside int8
        Q.requant_for(QParams(1.0), QParams(1.0), QParams(1.0), np.full((2, 2), 200))


def test_tiny_multiplier_flushes_to_zero():
    rq = Q.requant_for(QParams(1e-6), QParams(1e-6), QParams(1.0), np.ones((1, 1), np.int8))
    assert (rq.mult[0], rq.shift[0]) == (0, 0)


def test_rescale_requant():
    rq = Q.rescale_requant(QParams(0.02, -7), QParams(0.04, 100, "uint8"), 3, act="relu")
    assert rq.bias.tolist() == [7] * 3 and rq.unsigned and (rq.zp, rq.qmin) == (100, 100)
    assert (rq.mult[0], rq.shift[0]) == quant.quantize_multiplier(0.5)


# --- add_requant -------------------------------------------------------------------------------

def test_add_requant_worked_example():
    arq = Q.add_requant(QParams(0.02, -10), QParams(0.03, 5), QParams(0.04, 3), act="relu")
    assert arq.params == (20, -10, 1431655765, -1, 5, 1 << 30, 0, 1610612736, -19)
    assert arq.params == quant.add_params(0.02, -10, 0.03, 5, 0.04)
    assert (arq.zp, arq.qmin, arq.qmax, arq.unsigned) == (3, 3, 127, False)
    assert np.frombuffer(arq.param_block(), "<i4").tolist() == list(arq.params)


def test_add_requant_rejects():
    with pytest.raises(ValueError):                          # mixed types
        Q.add_requant(QParams(0.1), QParams(0.1, 0, "uint8"), QParams(0.1))
    with pytest.raises(ValueError):                          # out_shift beyond 31
        Q.add_requant(QParams(1.0), QParams(1.0), QParams(1e-18))


# --- lut_table ---------------------------------------------------------------------------------

def test_lut_index_convention():
    # vlut indexes with the raw byte: entry i is for int8 value i - 256 when i >= 128
    q = QParams(1.0)
    t = Q.lut_table(lambda x: x, q, q)
    assert t.dtype == np.int8 and t.view(np.uint8).tolist() == list(range(256))
    assert t[0xFF] == -1 and t[0x80] == -128 and t[0x7F] == 127
    neg = Q.lut_table(lambda x: -x, q, QParams(1.0, 0, "uint8"))
    assert neg.dtype == np.uint8 and neg[0xFF] == 1 and neg[1] == 0 and neg[0x80] == 128
    u = Q.lut_table(lambda x: x / 2, QParams(1.0, 0, "uint8"), QParams(1.0, 0, "uint8"))
    assert u[255] == 128 and u[3] == 2 and u[5] == 2        # 127.5 -> 128, 1.5 -> 2, 2.5 -> 2


@given(qparams(), qparams())
def test_lut_table_is_the_float_function(in_q, out_q):
    fn = lambda x: 3 * np.sin(x)                             # noqa: E731
    t = Q.lut_table(fn, in_q, out_q)
    v = np.arange(256, dtype=np.uint8).view(in_q.np_dtype)
    assert np.array_equal(t, out_q.quantize(fn(in_q.dequantize(v))))


def test_sigmoid_and_tanh_tables():
    for dtype, zp in (("int8", 0), ("uint8", 128)):
        in_q = QParams(0.1, zp, dtype)
        s, t = Q.sigmoid_table(in_q), Q.tanh_table(in_q)
        zero = zp & 0xFF                                     # the byte of input 0.0
        assert s[zero] == Q.sigmoid_qparams(dtype).quantize(0.5)
        assert t[zero] == Q.tanh_qparams(dtype).zero_point
        order = np.argsort(np.arange(256, dtype=np.uint8).view(in_q.np_dtype), kind="stable")
        assert np.all(np.diff(s[order].astype(int)) >= 0)   # monotone in the input value
        assert np.all(np.diff(t[order].astype(int)) >= 0)
    big = Q.sigmoid_table(QParams(10.0))                     # no overflow warnings at +-1280
    assert big[0x80] == -128 and big[0x7F] == 127
    assert Q.sigmoid_qparams("int8") == QParams(1 / 256, -128)
    assert Q.tanh_qparams("uint8") == QParams(1 / 128, 128, "uint8")


def test_requant_for_checks_the_channel_axis():
    w, q = np.ones((2, 3, 4), np.int8), QParams(1.0, 2)
    for axes in [(0,), (0, 1, 2)]:
        with pytest.raises(ValueError):
            Q.requant_for(q, QParams(1.0), QParams(1.0), w, reduce_axes=axes)
    with pytest.raises(ValueError):                          # scales on the last axis, Cout on 0
        Q.requant_for(q, QParams(np.ones(2)), QParams(1.0), w, reduce_axes=(1, 2))
    rq = Q.requant_for(q, QParams(np.ones(2), axis=0), QParams(1.0), w, reduce_axes=(-2, -1))
    assert rq.bias.tolist() == [-24, -24]

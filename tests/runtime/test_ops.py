# Every runtime op on the NPU equals the numpy integer reference, bit for bit, in both modes on
# the small and default configurations, with the pipelined and the naive kernels.
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from thead_isa.runtime import ops, reference as ref
from thead_isa.runtime.device import Device
from thead_isa.runtime.graph import Graph
from thead_isa.runtime.quantize import (QParams, add_requant, requant_for, tanh_table,
                                        weight_qparams)
from thead_isa.runtime.tiling import ConvGeom, fold_geom, plan_conv

COMBOS = [(c, m) for c in ("small", "default") for m in ("functional", "cycle")]
_DEVICES = {}


def device(config, mode):
    if (config, mode) not in _DEVICES:
        _DEVICES[config, mode] = Device(config, mode)
    return _DEVICES[config, mode]


def _examples(fraction):
    return max(5, int(settings().max_examples * fraction))


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])


@st.composite
def qparams(draw, dtype=None):
    dtype = dtype or draw(st.sampled_from(["int8", "uint8"]))
    lo, hi = (-128, 127) if dtype == "int8" else (0, 255)
    scale = draw(st.floats(1e-3, 0.5))
    return QParams(scale, draw(st.integers(lo, hi)), dtype)


def _tensor(draw, shape, q):
    lo, hi = q.qrange
    seed = draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).integers(lo, hi + 1, size=shape).astype(q.np_dtype)


def _floats(draw, shape, scale=1.0):
    seed = draw(st.integers(0, 2**32 - 1))
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(np.float32)


acts = st.sampled_from(["none", "relu", "relu6", ("clamp", -0.5, 0.75)])


def _layer_ok(x_q, w, out_q, mode):
    """Reject parameter draws the quantizer itself refuses (multiplier >= 2^31, clamp empty)."""
    try:
        w_q = weight_qparams(w)
        requant_for(x_q, w_q, out_q, w_q.quantize(w), None, "none", mode)
    except ValueError:
        return False
    return True


def _each(fn, expect):
    for config, mode in COMBOS:
        for pipelined in (True, False):
            got = fn(device(config, mode), pipelined)
            assert got.dtype == expect.dtype and got.shape == expect.shape, (config, mode)
            np.testing.assert_array_equal(got, expect, err_msg=f"{config} {mode} "
                                          f"pipelined={pipelined}")


@settings(max_examples=_examples(0.25), **SETTINGS)
@given(st.data())
def test_dense(data):
    draw = data.draw
    n, k, m = draw(st.integers(1, 5)), draw(st.integers(1, 70)), draw(st.integers(1, 40))
    x_q, out_q = draw(qparams()), draw(qparams())
    mode, act = draw(st.sampled_from(["fx", "fp"])), draw(acts)
    w, b = _floats(draw, (k, m), 0.2), _floats(draw, (m,))
    assume(_layer_ok(x_q, w, out_q, mode))
    x = _tensor(draw, (n, k), x_q)
    w_q = weight_qparams(w)
    expect = ref.dense(x, w_q.quantize(w), requant_for(x_q, w_q, out_q, w_q.quantize(w), b, act,
                                                        mode))
    _each(lambda d, p: ops.dense(d, x, x_q, w, b, out_q, act, mode, p), expect)


@st.composite
def conv_case(draw):
    kind = draw(st.sampled_from(["dense", "depthwise", "grouped"]))
    groups = 1
    if kind == "dense":
        cin, cout = draw(st.integers(1, 6)), draw(st.integers(1, 40))
    elif kind == "depthwise":
        cin = cout = groups = draw(st.integers(2, 9))
    else:
        groups = draw(st.integers(2, 3))
        cin, cout = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 4))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pad = tuple(draw(st.integers(0, 2)) for _ in range(4))
    h = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - pad[0] - pad[1]), 9))
    w = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - pad[2] - pad[3]), 9))
    return dict(h=h, w=w, cin=cin, cout=cout, kh=kh, kw=kw, stride=stride, dilation=dilation,
                padding=pad, groups=groups)


def _conv_layer(draw, case, n):
    """A random conv layer for `case` on n images: inputs, parameters and the reference."""
    x_q, out_q = draw(qparams()), draw(qparams())
    mode, act = draw(st.sampled_from(["fx", "fp"])), draw(acts)
    g = case["groups"]
    w = _floats(draw, (case["kh"], case["kw"], case["cin"] // g, case["cout"]), 0.3)
    b = _floats(draw, (case["cout"],))
    assume(_layer_ok(x_q, w, out_q, mode))
    x = _tensor(draw, (n, case["h"], case["w"], case["cin"]), x_q)
    w_q = weight_qparams(w)
    w8 = w_q.quantize(w)
    geo = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"],
               groups=g)
    expect = ref.conv2d(x, w8, requant_for(x_q, w_q, out_q, w8, b, act, mode), x_q.zero_point,
                        **geo)
    return x, x_q, out_q, w, b, mode, act, geo, expect


@settings(max_examples=_examples(0.35), **SETTINGS)
@given(conv_case(), st.data())
def test_conv2d(case, data):
    x, x_q, out_q, w, b, mode, act, geo, expect = _conv_layer(data.draw, case,
                                                              data.draw(st.integers(1, 3)))
    _each(lambda d, p: ops.conv2d(d, x, x_q, w, b, out_q, act=act, mode=mode, pipelined=p,
                                  **geo), expect)


@st.composite
def pool_case(draw):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = (draw(st.integers(0, k[0] - 1)), draw(st.integers(0, k[0] - 1)),
           draw(st.integers(0, k[1] - 1)), draw(st.integers(0, k[1] - 1)))
    h, w = draw(st.integers(k[0], 8)), draw(st.integers(k[1], 8))
    return k, s, pad, (draw(st.integers(1, 3)), h, w, draw(st.integers(1, 6)))


@settings(max_examples=_examples(0.2), **SETTINGS)
@given(pool_case(), st.sampled_from(["maxpool", "avgpool"]), st.data())
def test_pooling(case, which, data):
    k, s, pad, shape = case
    x_q = data.draw(qparams())
    x = _tensor(data.draw, shape, x_q)
    expect = getattr(ref, f"{which}2d")(x, k, s, pad)
    fn = getattr(ops, which)
    _each(lambda d, p: fn(d, x, x_q, k, s, pad), expect)


@settings(max_examples=_examples(0.15), **SETTINGS)
@given(st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.integers(1, 9)),
       st.data())
def test_global_avgpool(shape, data):
    x_q = data.draw(qparams())
    x = _tensor(data.draw, shape, x_q)
    _each(lambda d, p: ops.global_avgpool(d, x, x_q), ref.global_avgpool(x))


@settings(max_examples=_examples(0.2), **SETTINGS)
@given(st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 5), st.integers(1, 7)),
       st.sampled_from(["int8", "uint8"]), acts, st.data())
def test_add(shape, dtype, act, data):
    a_q, b_q, o_q = (data.draw(qparams(dtype)) for _ in range(3))
    try:
        arq = add_requant(a_q, b_q, o_q, act)
    except ValueError:
        assume(False)
    a, b = _tensor(data.draw, shape, a_q), _tensor(data.draw, shape, b_q)
    _each(lambda d, p: ops.add(d, a, a_q, b, b_q, o_q, act), ref.qadd(a, b, arq))


@settings(max_examples=_examples(0.15), **SETTINGS)
@given(st.tuples(st.integers(1, 3), st.integers(1, 40)), st.sampled_from(["sigmoid", "tanh"]),
       st.data())
def test_lut(shape, fn, data):
    x_q = data.draw(qparams())
    out_q = QParams(1 / 128, 0, "int8") if fn == "tanh" else QParams(1 / 256, -128, "int8")
    x = _tensor(data.draw, shape, x_q)
    from thead_isa.runtime.quantize import sigmoid_table, tanh_table
    table = (sigmoid_table if fn == "sigmoid" else tanh_table)(x_q, out_q)
    _each(lambda d, p: ops.lut(d, x, x_q, fn, out_q), ref.lut(x, table))


@settings(max_examples=_examples(0.15), **SETTINGS)
@given(st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 6)),
       acts, st.data())
def test_requantize(shape, act, data):
    x_q, out_q = data.draw(qparams()), data.draw(qparams())
    assume(_layer_ok(x_q, np.ones((1, 1, 1, shape[-1]), np.float32), out_q, "fx"))
    assume(x_q.scale / out_q.scale < 2**30)
    x = _tensor(data.draw, shape, x_q)
    _each(lambda d, p: ops.requantize(d, x, x_q, out_q, act), ref.requantize(x, x_q, out_q, act))


def test_sigmoid_table_matches_float():
    x_q = QParams(0.05, 0, "int8")
    out_q = QParams(1 / 256, -128, "int8")
    x = np.arange(-128, 128, dtype=np.int8).reshape(1, -1)
    y = ops.lut(device("small", "functional"), x, x_q, "sigmoid", out_q)
    real = out_q.dequantize(y)
    lo, hi = out_q.dequantize(np.array([-128, 127], np.int8))
    want = np.clip(1 / (1 + np.exp(-x_q.dequantize(x))), lo, hi)     # 1.0 is not representable
    assert np.abs(real - want).max() <= 0.5 / 256 + 1e-9
    assert (np.diff(y.astype(int)) >= 0).all()


@pytest.mark.parametrize("config,mode", COMBOS)
def test_relu_clamps_at_the_zero_point(config, mode):
    x_q, out_q = QParams(0.1, 0, "int8"), QParams(0.1, -20, "int8")
    x = np.array([[-100, -1, 0, 1, 100]], np.int8)
    w = np.eye(5, dtype=np.float32)
    y = ops.dense(device(config, mode), x, x_q, w, None, out_q, act="relu")
    assert y.min() == -20
    assert y.tolist() == [[-20, -20, -20, -19, 80]]


# ---- batch folding: several images per conv / pooling / elementwise instruction ----------------


def _graph_run(dev, build, inputs, pipelined, fold):
    """Run the one-layer graph build(g, *input nodes) on inputs [(array, QParams)]; returns the
    output and the layer's kernel name."""
    (x, x_q), more = inputs[0], inputs[1:]
    g = Graph(x.shape[1:], x_q)
    extra = [g.new_input(a.shape[1:], q) for a, q in more]
    g.output(build(g, g.input, *extra))
    compiled = g.compile(dev, batch=x.shape[0], pipelined=pipelined, fold=fold)
    try:
        (out,), records = compiled.run(x, *(a for a, _ in more))
    finally:
        compiled.free()
    return out, records[0].kernel


def _each_fold(build, inputs, expect, folds):
    """Every configuration, mode and kernel kind with each fold cap; returns the kernels used."""
    kernels = set()
    for config, mode in COMBOS:
        for pipelined in (True, False):
            for fold in folds:
                got, kernel = _graph_run(device(config, mode), build, inputs, pipelined, fold)
                kernels.add(kernel)
                np.testing.assert_array_equal(got, expect, err_msg=f"{config} {mode} pipelined="
                                              f"{pipelined} fold={fold} ({kernel})")
    return kernels


FOLDS = st.sampled_from([None, 1, 2, 3, 4])


@settings(max_examples=_examples(0.35), **SETTINGS)
@given(conv_case(), st.integers(1, 9), FOLDS, st.data())
def test_conv2d_folded(case, n, fold, data):
    """Stacks of images (their own padding rows between them, per-image padding that differs
    above and below, strides that do not divide the padded height) against the reference, for
    batches that are and are not multiples of the fold."""
    x, x_q, out_q, w, b, mode, act, geo, expect = _conv_layer(data.draw, case, n)
    _each_fold(lambda gr, node: gr.conv2d(node, w, b, out_q, geo["stride"], geo["padding"],
                                          geo["dilation"], geo["groups"], act, mode=mode),
               [(x, x_q)], expect, [fold])


@settings(max_examples=_examples(0.2), **SETTINGS)
@given(pool_case(), st.integers(1, 9), FOLDS, st.sampled_from(["maxpool", "avgpool"]),
       st.data())
def test_pooling_folded(case, n, fold, which, data):
    k, s, pad, shape = case
    if data.draw(st.booleans()):
        pad = (0, 0, pad[2], pad[3])            # no vertical padding: the stack applies
    x_q = data.draw(qparams())
    x = _tensor(data.draw, (n,) + shape[1:], x_q)
    expect = getattr(ref, f"{which}2d")(x, k, s, pad)
    _each_fold(lambda g, node: getattr(g, which)(node, k, s, pad), [(x, x_q)], expect, [fold])


@settings(max_examples=_examples(0.1), **SETTINGS)
@given(st.tuples(st.integers(1, 9), st.integers(1, 5), st.integers(1, 5), st.integers(1, 7)),
       FOLDS, st.data())
def test_add_and_lut_folded(shape, fold, data):
    a_q, b_q, o_q = (data.draw(qparams("int8")) for _ in range(3))
    try:
        arq = add_requant(a_q, b_q, o_q, "relu")
    except ValueError:
        assume(False)
    a, b = _tensor(data.draw, shape, a_q), _tensor(data.draw, shape, b_q)
    _each_fold(lambda g, m, k: g.add(m, k, o_q, "relu"), [(a, a_q), (b, b_q)],
               ref.qadd(a, b, arq), [fold])
    t_q = QParams(1 / 128, 0, "int8")
    _each_fold(lambda g, m: g.lut(m, "tanh", t_q), [(a, a_q)],
               ref.lut(a, tanh_table(a_q, t_q)), [fold])


def _digits_conv(n, cin, cout, seed=0, h=8):
    rng = np.random.default_rng(seed)
    x_q, out_q = QParams(0.05, -7, "int8"), QParams(0.1, -128, "int8")
    w = (rng.normal(size=(3, 3, cin, cout)) * 0.3).astype(np.float32)
    b = rng.normal(size=cout).astype(np.float32)
    x = rng.integers(-128, 128, (n, h, 8, cin)).astype(np.int8)
    w_q = weight_qparams(w)
    w8 = w_q.quantize(w)
    expect = ref.conv2d(x, w8, requant_for(x_q, w_q, out_q, w8, b, "relu", "fx"), -7, (1, 1),
                        (1, 1, 1, 1), (1, 1), 1)
    return (lambda g, node: g.conv2d(node, w, b, out_q, 1, 1, act="relu")), [(x, x_q)], expect


@pytest.mark.parametrize("n,fold,cin,h", [(1, None, 2, 8), (2, None, 2, 8), (7, 2, 2, 8),
                                          (11, 2, 2, 7), (12, 3, 2, 8), (13, 4, 2, 8),
                                          (40, None, 2, 8), (5, None, 40, 5), (9, 2, 40, 7)])
def test_fold_boundaries(n, fold, cin, h):
    """Batch 1, batches that are and are not multiples of the fold, and enough steps for the
    folded kernel's loop (with its unrolled tail) in every configuration; 40 channels make
    rows of 320 bytes, too wide for the stack's one-DMA frame: one DMA per image."""
    build, inputs, expect = _digits_conv(n, cin, 5, h=h)
    kernels = _each_fold(build, inputs, expect, [fold])
    assert any("folded" in k for k in kernels) == (n > 1), kernels
    pool = ref.maxpool2d(inputs[0][0], (2, 2), (2, 2), (0, 0, 0, 0))
    kernels = _each_fold(lambda g, node: g.maxpool(node, 2), inputs, pool, [fold])
    assert any("folded" in k for k in kernels) == (n > 1), kernels


@pytest.mark.parametrize("config", ["small", "default"])
@pytest.mark.parametrize("pipelined", [True, False])
@pytest.mark.parametrize("cin,h", [(2, 7), (40, 5)])
def test_folded_kernels_are_race_free(config, pipelined, cin, h):
    """The folded conv (its loop included) and pooling in cycle mode under the race checker:
    no two units touch a common element unordered."""
    from thead_isa.core.races import RaceChecker
    build, inputs, expect = _digits_conv(11, cin, 5, h=h)
    (x, x_q), = inputs
    g = Graph(x.shape[1:], x_q)
    g.output(g.maxpool(build(g, g.input), 2))
    dev = Device(config, "cycle")
    compiled = g.compile(dev, batch=len(x), pipelined=pipelined, fold=2)
    dev.upload(x, compiled.buffers[id(g.input)])
    dev.machine.load(compiled.program)
    checker, pc = RaceChecker(compiled.program), compiled.program.entry
    for _ in compiled.segments:
        dev.machine.restart(pc)
        assert dev.machine.run(observers=[checker]).trap is None
        pc = dev.machine.pc + 8
    checker.close()
    assert checker.report() == "no races"
    kernels = [k for _, k in compiled.segments]
    assert kernels[0].startswith("conv_folded") and kernels[1] == "maxpool_folded", kernels
    out = dev.download(compiled.buffers[id(g.nodes[-1])], np.int8, (len(x),) + g.nodes[-1].shape)
    np.testing.assert_array_equal(out, g.reference(x)[0])
    np.testing.assert_array_equal(out, ref.maxpool2d(expect, (2, 2), (2, 2), (0, 0, 0, 0)))


def test_fold_one_means_one_image_per_instruction():
    build, inputs, expect = _digits_conv(5, 1, 8)
    assert _each_fold(build, inputs, expect, [1]) <= {"conv", "conv_naive"}


def test_fold_geometry():
    # 8x8x1, pad 1: each image is framed by one padding row above and below (8 bytes each)
    fg = fold_geom(ConvGeom(8, 8, 1, 8, 3, 3, padding=(1, 1, 1, 1)), pad_rows=True)
    assert (fg.period, fg.out_period, fg.above, fg.below) == (10, 10, 1, 1)
    assert (fg.in_rows(3), fg.out_rows(3)) == (30, 28)
    # stride 2 over a padded height of 1 + 6 + 0 = 7: one more padding row makes the period 8
    fg = fold_geom(ConvGeom(6, 4, 2, 3, 3, 3, (2, 1), (1, 0, 0, 0)), pad_rows=True)
    assert (fg.period, fg.out_period, fg.oh, fg.above, fg.below) == (8, 4, 3, 1, 1)
    # pooling never writes padding as data
    assert fold_geom(ConvGeom(8, 8, 4, 4, 2, 2, (2, 2), (1, 0, 0, 0)), pad_rows=False) is None
    # a padding row of 512 bytes is wider than the DMA's 255-byte frame: one DMA per image
    assert not fold_geom(ConvGeom(8, 32, 16, 4, 3, 3, padding=(1, 1, 1, 1)), True).framed
    # ... whose padding rows are at most 255
    assert fold_geom(ConvGeom(8, 8, 1, 1, 1, 1, padding=(256, 0, 0, 0)), True) is None
    # ACC bounds the stack: on `small` (4,096 words, two buffers) two stacked 8x8x16 outputs
    # would need 2 x (18 x 8 x 16) words, so at most one image per step
    cfg = device("small", "functional").config
    plan = plan_conv(cfg, ConvGeom(8, 8, 8, 16, 3, 3, padding=(1, 1, 1, 1)), "fx", True,
                     batch=40)
    assert plan.fold <= 1
    plan = plan_conv(device("default", "functional").config,
                     ConvGeom(8, 8, 8, 16, 3, 3, padding=(1, 1, 1, 1)), "fx", True, batch=40)
    assert plan.fold > 1 and plan.nt == 16 and plan.oht == (plan.fold - 1) * 10 + 8

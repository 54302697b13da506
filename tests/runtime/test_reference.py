# Runtime numpy reference (runtime/reference.py): bit-exact against RefMachine running each NPU op.
import numpy as np
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

from thead_isa.isa import encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME
from thead_isa.isa.traps import Cause
from thead_isa.refmodel import quant
from thead_isa.refmodel.machine import RefMachine
from thead_isa.runtime import reference as R
from thead_isa.runtime.quantize import (QParams, Requant, add_requant, requant_for,
                                        rescale_requant, weight_qparams)

I32MIN, I32MAX = quant.INT32_MIN, quant.INT32_MAX
SEED = st.integers(0, 2**32 - 1)


class Npu:
    """One RefMachine program: operands placed in LM/ACC at increasing addresses, instructions
    with their CSRs, then a single run."""

    def __init__(self):
        self.m = RefMachine(preset("small"))
        self.prog, self.lm_top, self.acc_top = [], 0, 0

    def lm(self, data) -> int:
        """Place bytes (or an array's raw bytes) in LM, 4-byte aligned; returns the address."""
        data = data.tobytes() if isinstance(data, np.ndarray) else bytes(data)
        addr, self.lm_top = self.lm_top, -(-(self.lm_top + len(data)) // 4) * 4
        self.m.write("lm", addr, data)
        return addr

    def acc(self, n: int) -> int:
        addr, self.acc_top = self.acc_top, self.acc_top + n
        return addr

    def insn(self, mn, regs, csrs, **flags):
        self.prog += [encode("addi", rd=i + 1, rs1=0, imm=v) for i, v in enumerate(regs.values())]
        self.prog += [encode("csrwi", csr=BY_NAME[k].number, imm=int(v)) for k, v in csrs.items()]
        self.prog.append(encode(mn, **{k: i + 1 for i, k in enumerate(regs)}, **flags))

    def run(self):
        self.m.load_program(self.prog + [encode("halt", rs1=0)])
        return self.m.run(100_000)

    def result(self):
        s = self.run()
        assert s.trap is None and s.halted, s.trap
        return self

    def read_lm(self, addr, n, dtype):
        return np.frombuffer(self.m.read("lm", addr, n * np.dtype(dtype).itemsize), dtype)

    def read_acc(self, addr, n):
        return np.frombuffer(self.m.read("acc", 4 * addr, 4 * n), "<i4")


def act_array(rng, shape, unsigned, extreme=False):
    lo, hi = quant.type_range(unsigned)
    values = rng.choice([lo, hi], shape) if extreme else rng.integers(lo, hi + 1, shape)
    return values.astype(np.uint8 if unsigned else np.int8)


def w_array(rng, shape, extreme=False):
    return act_array(rng, shape, False, extreme)


def win_csrs(ih, iw, c, kernel, stride, padding, dilation, **extra):
    pt, pb, pl, pr = padding
    return dict(win_ih=ih, win_iw=iw, win_c=c, win_kh=kernel[0], win_kw=kernel[1],
                win_sh=stride[0], win_sw=stride[1], win_dh=dilation[0], win_dw=dilation[1],
                win_pt=pt, win_pb=pb, win_pl=pl, win_pr=pr, **extra)


def ve_csrs(rows, cols, zp=0, qmin=I32MIN, qmax=I32MAX):
    return dict(ve_rows=rows, ve_cols=cols, ve_zp=zp, ve_qmin=qmin, ve_qmax=qmax)


# --- NPU executions of the primitives ----------------------------------------------------------


def npu_matmul(a, b):
    npu = Npu()
    (m, k), n = a.shape, b.shape[1]
    c = npu.acc(m * n)
    npu.insn("gemm", dict(c=c, a=npu.lm(a), b=npu.lm(b)),
             dict(te_m=m, te_n=n, te_k=k, te_lda=k, te_ldb=n, te_ldc=n), u=a.dtype == np.uint8)
    return npu.result().read_acc(c, m * n).reshape(m, n)


def npu_conv(x, w, stride, padding, dilation, groups, padval):
    """conv per image and group (dense slices of x and w); a 3-D w runs as one dw conv."""
    n, ih, iw, cin = x.shape
    dw = w.ndim == 3
    kernel, cout = w.shape[:2], w.shape[-1]
    oh = R.out_size(ih, padding[0], padding[1], kernel[0], dilation[0], stride[0])
    ow = R.out_size(iw, padding[2], padding[3], kernel[1], dilation[1], stride[1])
    cin_g, cout_g = (1, 1) if dw else (cin // groups, cout // groups)
    npu, parts = Npu(), []
    for img in range(n):
        for g in range(1 if dw else groups):
            xg = x[img] if dw else x[img, :, :, g * cin_g:(g + 1) * cin_g]
            wg = w if dw else w[..., g * cout_g:(g + 1) * cout_g]
            c = npu.acc(oh * ow * (cin if dw else cout_g))
            parts.append((img, g, c))
            csrs = win_csrs(ih, iw, cin if dw else cin_g, kernel, stride, padding, dilation,
                            win_oc=cout_g, win_padval=padval)
            npu.insn("conv", dict(c=c, x=npu.lm(np.ascontiguousarray(xg)),
                                  w=npu.lm(np.ascontiguousarray(wg))),
                     csrs, u=x.dtype == np.uint8, dw=dw)
    npu.result()
    out = np.zeros((n, oh, ow, cout), np.int32)
    for img, g, c in parts:
        width = cout if dw else cout_g
        out[img, ..., g * width:(g + 1) * width] = npu.read_acc(c, oh * ow * width).reshape(
            oh, ow, width)
    return out


def npu_requant(acc, rq: Requant):
    rows, cols = acc.shape
    npu = Npu()
    src = npu.acc(rows * cols)
    npu.m.write("acc", 4 * src, acc.astype("<i4"))
    dst = npu.lm(bytes(rows * cols))
    npu.insn(f"vrq.{rq.mode}", dict(dst=dst, src=src, p=npu.lm(rq.param_block())),
             ve_csrs(rows, cols, rq.zp, rq.qmin, rq.qmax), u=rq.unsigned)
    return npu.result().read_lm(dst, rows * cols, np.uint8 if rq.unsigned else np.int8).reshape(
        rows, cols)


def npu_pool(mn, x, kernel, stride, padding, dilation):
    """vmaxpool/vavgpool per image; None when the machine traps bad_operand."""
    n, ih, iw, c = x.shape
    npu, dsts = Npu(), []
    try:
        oh = R.out_size(ih, padding[0], padding[1], kernel[0], dilation[0], stride[0])
        ow = R.out_size(iw, padding[2], padding[3], kernel[1], dilation[1], stride[1])
    except ValueError:
        return None
    for img in range(n):
        dsts.append(npu.lm(bytes(oh * ow * c)))
        npu.insn(mn, dict(dst=dsts[-1], src=npu.lm(x[img])),
                 win_csrs(ih, iw, c, kernel, stride, padding, dilation), u=x.dtype == np.uint8)
    s = npu.run()
    if s.trap is not None:
        assert s.trap.cause == Cause.BAD_OPERAND, s.trap
        return None
    return np.stack([npu.read_lm(d, oh * ow * c, x.dtype).reshape(oh, ow, c) for d in dsts])


# --- primitives against the machine ------------------------------------------------------------

@given(SEED, st.integers(1, 6), st.integers(0, 9), st.integers(1, 6), st.booleans(),
       st.booleans())
def test_matmul_acc_matches_gemm(seed, m, k, n, unsigned, extreme):
    rng = np.random.default_rng(seed)
    a, b = act_array(rng, (m, k), unsigned, extreme), w_array(rng, (k, n), extreme)
    got = R.matmul_acc(a, b)
    assert got.dtype == np.int32
    assert np.array_equal(got, npu_matmul(a, b))


def test_matmul_acc_wraps_past_int32():
    # 70000 products of 255 * 127: 2266950000 >= 2^31 wraps (beyond one gemm's te_k)
    a, b = np.full((1, 70000), 255, np.uint8), np.full((70000, 1), 127, np.int8)
    assert R.matmul_acc(a, b)[0, 0] == 70000 * 255 * 127 - 2**32


CONV_SHAPES = st.fixed_dictionaries(dict(
    n=st.integers(1, 2), ih=st.integers(1, 6), iw=st.integers(1, 6),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(*[st.integers(0, 2)] * 4),
    groups=st.integers(1, 3), cin_g=st.integers(1, 3), cout_g=st.integers(1, 3),
    depthwise=st.booleans(), unsigned=st.booleans(), extreme=st.booleans()))


def _conv_case(seed, p):
    """(x, w, geometry kwargs) for one drawn conv; depthwise uses the 3-D dw layout."""
    rng = np.random.default_rng(seed)
    span = [d * (k - 1) + 1 for d, k in zip(p["dilation"], p["kernel"])]
    pads = p["padding"]
    assume(p["ih"] + pads[0] + pads[1] >= span[0] and p["iw"] + pads[2] + pads[3] >= span[1])
    cin = p["groups"] * p["cin_g"]
    x = act_array(rng, (p["n"], p["ih"], p["iw"], cin), p["unsigned"], p["extreme"])
    if p["depthwise"]:
        w, groups = w_array(rng, (*p["kernel"], cin), p["extreme"]), cin
    else:
        w = w_array(rng, (*p["kernel"], p["cin_g"], p["groups"] * p["cout_g"]), p["extreme"])
        groups = p["groups"]
    geo = dict(stride=p["stride"], padding=pads, dilation=p["dilation"], groups=groups,
               padval=int(rng.integers(-128, 256)))           # win_padval's range: a raw byte
    return x, w, geo


@given(SEED, CONV_SHAPES)
def test_conv2d_acc_matches_conv(seed, p):
    x, w, geo = _conv_case(seed, p)
    got = R.conv2d_acc(x, w, **geo)
    assert np.array_equal(got, npu_conv(x, w, **geo))


@given(SEED, st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.booleans())
def test_depthwise_channel_multiplier_is_grouped_conv(seed, c, mult, k, unsigned):
    # groups == Cin with several outputs per channel: per-group convs with cin_g = 1
    rng = np.random.default_rng(seed)
    x, w = act_array(rng, (1, 4, 4, c), unsigned), w_array(rng, (k, k, 1, c * mult))
    geo = dict(stride=(1, 1), padding=(1, 0, 0, 1), dilation=(1, 1), groups=c, padval=3)
    assert np.array_equal(R.conv2d_acc(x, w, **geo), npu_conv(x, w, **geo))


I32_OR_SMALL = st.one_of(st.integers(I32MIN, I32MAX), st.integers(-3000, 3000))


@given(SEED, st.integers(1, 4), st.integers(1, 5), st.sampled_from(["fx", "fp"]), st.booleans(),
       st.integers(-300, 300), st.tuples(st.integers(-300, 300), st.integers(-300, 300)))
def test_requantize_acc_matches_vrq(seed, rows, cols, mode, unsigned, zp, clamp):
    rng = np.random.default_rng(seed)
    big = rng.integers(0, 2, cols).astype(bool)            # per column: full range or small
    acc = np.where(big, rng.integers(I32MIN, I32MAX, (rows, cols), endpoint=True),
                   rng.integers(-5000, 5000, (rows, cols)))
    bias = np.where(big, rng.integers(I32MIN, I32MAX, cols, endpoint=True),
                    rng.integers(-100, 100, cols))
    mult = rng.integers(-(1 << 31), 1 << 31, cols)
    shift = rng.integers(-31, 32, cols)
    scale = (rng.standard_normal(cols) * 10.0 ** rng.integers(-6, 3, cols)).astype(np.float32)
    rq = Requant(bias, mult, shift, scale, zp, min(clamp), max(clamp), unsigned, mode)
    got = R.requantize_acc(acc, rq)
    assert got.dtype == (np.uint8 if unsigned else np.int8)
    assert np.array_equal(got, npu_requant(acc, rq))


@st.composite
def pool_cases(draw):
    """Pool geometry with padding below the window span per side (every window sees a valid
    position), except that sometimes one side's padding equals the span (top/left: a window of
    only padding, which the VE traps)."""
    p = draw(st.fixed_dictionaries(dict(
        n=st.integers(1, 2), ih=st.integers(1, 6), iw=st.integers(1, 6), c=st.integers(1, 4),
        kernel=st.tuples(st.integers(1, 3), st.integers(1, 3)),
        stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
        dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
        unsigned=st.booleans(), extreme=st.booleans())))
    span = [d * (k - 1) + 1 for d, k in zip(p["dilation"], p["kernel"])]
    padding = [draw(st.integers(0, span[axis] - 1)) for axis in (0, 0, 1, 1)]
    side = draw(st.sampled_from([None] * 12 + [0, 1, 2, 3]))
    if side is not None:
        padding[side] = span[side // 2]
    p["padding"] = tuple(padding)
    return p


POOL = pool_cases()


@pytest.mark.parametrize("mn, fn", [("vmaxpool", R.maxpool2d), ("vavgpool", R.avgpool2d)])
@given(seed=SEED, p=POOL)
def test_pool_matches_ve(mn, fn, seed, p):
    rng = np.random.default_rng(seed)
    x = act_array(rng, (p["n"], p["ih"], p["iw"], p["c"]), p["unsigned"], p["extreme"])
    geo = dict(kernel=p["kernel"], stride=p["stride"], padding=p["padding"],
               dilation=p["dilation"])
    want = npu_pool(mn, x, **geo)
    event("traps" if want is None else "runs")
    if want is None:                                       # the VE traps bad_operand
        with pytest.raises(ValueError):
            fn(x, **geo)
    else:
        got = fn(x, **geo)
        assert got.dtype == x.dtype and np.array_equal(got, want)


@given(SEED, st.integers(1, 3), st.integers(1, 4), st.integers(1, 4), st.integers(1, 5),
       st.booleans(), st.booleans())
def test_global_avgpool_matches_vgap(seed, n, h, w, c, unsigned, extreme):
    x = act_array(np.random.default_rng(seed), (n, h, w, c), unsigned, extreme)
    npu, dsts = Npu(), []
    for img in range(n):
        dsts.append(npu.lm(bytes(c)))
        npu.insn("vgap", dict(dst=dsts[-1], src=npu.lm(x[img])), ve_csrs(h * w, c),
                 u=unsigned)
    npu.result()
    assert np.array_equal(R.global_avgpool(x), np.stack([npu.read_lm(d, c, x.dtype)
                                                         for d in dsts]))


SCALE = st.floats(1e-3, 1.0)


def qparams(unsigned):
    lo, hi = quant.type_range(unsigned)
    return st.builds(QParams, SCALE, st.integers(lo, hi), st.just("uint8" if unsigned else "int8"))


ACT = st.sampled_from(["none", "relu", "relu6", ("clamp", -0.5, 0.75)])


@given(SEED, st.integers(1, 4), st.integers(1, 6), st.data())
def test_qadd_matches_vqadd(seed, rows, cols, data):
    unsigned = data.draw(st.booleans())
    aq, bq, oq = (data.draw(qparams(unsigned)) for _ in range(3))
    arq = add_requant(aq, bq, oq, data.draw(ACT))
    rng = np.random.default_rng(seed)
    a, b = act_array(rng, (rows, cols), unsigned), act_array(rng, (rows, cols), unsigned)
    npu = Npu()
    dst = npu.lm(bytes(rows * cols))
    npu.insn("vqadd", dict(dst=dst, a=npu.lm(a), b=npu.lm(b), p=npu.lm(arq.param_block())),
             ve_csrs(rows, cols, arq.zp, arq.qmin, arq.qmax), u=unsigned)
    want = npu.result().read_lm(dst, rows * cols, a.dtype).reshape(rows, cols)
    assert np.array_equal(R.qadd(a, b, arq), want)
    assert np.array_equal(R.add(a, b, arq), want)


@given(SEED, st.integers(1, 40), st.booleans(), st.booleans())
def test_lut_matches_vlut(seed, n, unsigned_in, unsigned_table):
    rng = np.random.default_rng(seed)
    x, table = act_array(rng, (n,), unsigned_in), act_array(rng, (256,), unsigned_table)
    npu = Npu()
    dst = npu.lm(bytes(n))
    npu.insn("vlut", dict(dst=dst, src=npu.lm(x), table=npu.lm(table)), ve_csrs(1, n))
    got = R.lut(x, table)
    assert got.dtype == table.dtype
    assert np.array_equal(got, npu.result().read_lm(dst, n, table.dtype))


# --- ops: NPU programs of a whole layer --------------------------------------------------------

@given(SEED, st.integers(1, 4), st.integers(1, 8), st.integers(1, 5), st.booleans(),
       st.sampled_from(["fx", "fp"]), ACT, st.data())
def test_dense_matches_gemm_then_vrq(seed, m, k, n, unsigned, mode, act, data):
    rng = np.random.default_rng(seed)
    xq, oq = data.draw(qparams(unsigned)), data.draw(qparams(data.draw(st.booleans())))
    wf = rng.standard_normal((k, n)) * (rng.random(n) < 0.8)         # some zero channels
    wq = weight_qparams(wf)
    w = wq.quantize(wf)
    rq = requant_for(xq, wq, oq, w, rng.standard_normal(n), act, mode)
    x = act_array(rng, (m, k), unsigned)
    assert np.array_equal(R.dense(x, w, rq), npu_requant(npu_matmul(x, w), rq))


@given(SEED, CONV_SHAPES, st.sampled_from(["fx", "fp"]), ACT, st.data())
def test_conv2d_matches_conv_then_vrq(seed, p, mode, act, data):
    x, w, geo = _conv_case(seed, p)
    xq = data.draw(qparams(p["unsigned"]))
    geo["padval"] = xq.zero_point
    wq = QParams(np.linspace(0.001, 0.01, w.shape[-1]))
    rq = requant_for(xq, wq, QParams(0.05, -3), w, np.linspace(-1, 1, w.shape[-1]), act, mode)
    acc = npu_conv(x, w, **geo)
    want = npu_requant(acc.reshape(-1, acc.shape[-1]), rq).reshape(acc.shape)
    geo.pop("padval")
    assert np.array_equal(R.conv2d(x, w, rq, xq.zero_point, **geo), want)


@given(SEED, st.integers(1, 6), st.booleans(), st.booleans(), st.data())
def test_requantize_is_unit_depthwise_conv_then_vrq(seed, c, unsigned_in, unsigned_out, data):
    # the documented definition: x as accumulators via a 1x1 dw conv of weight 1, then vrq
    inq, outq = data.draw(qparams(unsigned_in)), data.draw(qparams(unsigned_out))
    act, mode = data.draw(ACT), data.draw(st.sampled_from(["fx", "fp"]))
    x = act_array(np.random.default_rng(seed), (1, 3, 2, c), unsigned_in)
    ones = np.ones((1, 1, c), np.int8)
    acc = npu_conv(x, ones, (1, 1), (0, 0, 0, 0), (1, 1), c, 0)
    want = npu_requant(acc.reshape(-1, c), rescale_requant(inq, outq, c, act, mode))
    assert np.array_equal(R.requantize(x, inq, outq, act, mode), want.reshape(x.shape))


# --- hand-computed cases -----------------------------------------------------------------------

def test_2x2_conv_by_hand():
    # x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel [[1, 2], [3, 4]]
    x = np.arange(1, 10, dtype=np.int8).reshape(1, 3, 3, 1)
    w = np.array([1, 2, 3, 4], np.int8).reshape(2, 2, 1, 1)
    assert R.conv2d_acc(x, w)[0, :, :, 0].tolist() == [[37, 47], [67, 77]]
    # padded by one row above with padval 10: the first row sees [10, 10] over [1, 2]
    assert R.conv2d_acc(x, w, padding=(1, 0, 0, 0), padval=10)[0, 0, :, 0].tolist() == [41, 48]
    # int8 zp 1, w scale 0.5 on all ones, out scale 1 zp 0: ((1+2+4+5) - 4 * 1) * 0.5 = 4
    rq = requant_for(QParams(1.0, 1), QParams(0.5), QParams(1.0), np.ones((2, 2, 1, 1), np.int8))
    assert R.conv2d(x, np.ones((2, 2, 1, 1), np.int8), rq, 1)[0, :, :, 0].tolist() == [[4, 6],
                                                                                       [10, 12]]


@pytest.mark.parametrize("mode, xs, expect", [
    ("fx", [3, -3, 5, -5, 1, -1], [2, -1, 3, -2, 1, 0]),    # MulQ: ties toward +infinity
    ("fp", [3, -3, 5, -5, 1, -1], [2, -2, 2, -2, 0, 0]),    # fp32: ties to even
])
def test_rounding_ties(mode, xs, expect):
    # real multiplier 1 * 0.5 / 1 = 0.5: x * 0.5 is a tie for every odd x
    rq = requant_for(QParams(1.0), QParams(np.array([0.5])), QParams(1.0),
                     np.ones((1, 1), np.int8), mode=mode)
    assert (int(rq.mult[0]), int(rq.shift[0])) == (1 << 30, 0)
    got = R.dense(np.array(xs, np.int8)[:, None], np.ones((1, 1), np.int8), rq)
    assert got[:, 0].tolist() == expect


def test_relu6_clamps_by_hand():
    # docs/quantization.md: out scale 0.05, zp -10 -> ReLU6 = [-10, 110]; M = 0.0625
    rq = requant_for(QParams(0.25), QParams(np.array([0.0125])), QParams(0.05, -10),
                     np.ones((1, 1), np.int8), act="relu6")
    assert (rq.qmin, rq.qmax, int(rq.mult[0]), int(rq.shift[0])) == (-10, 110, 1 << 30, -3)
    acc = np.array([-400, -2, 0, 60, 2000, 3000])[:, None]
    assert R.requantize_acc(acc, rq)[:, 0].tolist() == [-10, -10, -10, -6, 110, 110]


def test_qadd_worked_example():
    # docs/quantization.md: a (0.02, -10), b (0.03, 5), out (0.04, 3)
    arq = add_requant(QParams(0.02, -10), QParams(0.03, 5), QParams(0.04, 3))
    a, b = np.array([20, 0, 127, -128, -10], np.int8), np.array([35, 0, 127, -128, 5], np.int8)
    assert R.qadd(a, b, arq).tolist() == [41, 4, 127, -128, 3]


def test_pool_by_hand():
    # 3x3 input, 2x2 window, stride 2, one padded row/column on every side: 1, 2 or 4 values
    x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 10], np.int8).reshape(1, 3, 3, 1)
    avg = R.avgpool2d(x, (2, 2), (2, 2), (1, 1, 1, 1))[0, :, :, 0]
    assert avg.tolist() == [[1, 3], [6, 7]]                 # 1, 5/2, 11/2, 29/4 rounded away
    assert R.maxpool2d(x, (2, 2), (2, 2), (1, 1, 1, 1))[0, :, :, 0].tolist() == [[1, 3], [7, 10]]
    assert R.global_avgpool(-x).tolist() == [[-5]]           # -46 / 9 = -5.1
    with pytest.raises(ValueError):
        R.maxpool2d(x, (1, 1), (1, 1), (1, 0, 0, 0))        # the first row is only padding


@given(SEED, st.integers(1, 4), st.integers(1, 8), st.integers(1, 5), st.booleans(), st.data())
def test_zero_point_folding_identity(seed, m, k, n, unsigned, data):
    # dense through the folded bias == requant of (x - zx) @ w + bias_q with the bias unfolded
    rng = np.random.default_rng(seed)
    xq, oq = data.draw(qparams(unsigned)), data.draw(qparams(False))
    wf, bf = rng.standard_normal((k, n)), rng.standard_normal(n)
    wq = weight_qparams(wf)
    w, x = wq.quantize(wf), act_array(rng, (m, k), unsigned)
    rq = requant_for(xq, wq, oq, w, bf, "relu")
    bias_q = np.rint(bf / (xq.scale * wq.scale)).astype(np.int64)
    acc = (x.astype(np.int64) - xq.zero_point) @ w.astype(np.int64) + bias_q
    want = quant.requant_fx(acc, 0, rq.mult, rq.shift, oq.zero_point, oq.zero_point, 127)
    assert np.array_equal(R.dense(x, w, rq), want)


def test_requantize_same_params_is_identity():
    for dtype, zp in (("int8", -7), ("uint8", 130)):
        q = QParams(0.037, zp, dtype)
        x = np.arange(256, dtype=np.uint8).view(np.int8 if dtype == "int8" else np.uint8)
        for mode in ("fx", "fp"):
            assert np.array_equal(R.requantize(x[:, None], q, q, mode=mode)[:, 0], x)


def test_flatten_and_reshape_are_nhwc_order():
    x = np.arange(2 * 2 * 2 * 3, dtype=np.int8).reshape(2, 2, 2, 3)
    assert R.flatten(x)[1].tolist() == list(range(12, 24))
    assert R.reshape(x, (4, 6)).shape == (4, 6)


def test_type_errors():
    with pytest.raises(TypeError):
        R.matmul_acc(np.zeros((1, 1), np.int32), np.zeros((1, 1), np.int8))
    with pytest.raises(TypeError):
        R.conv2d_acc(np.zeros((1, 1, 1, 1), np.int8), np.zeros((1, 1, 1, 1), np.uint8))
    with pytest.raises(ValueError):
        R.conv2d_acc(np.zeros((1, 2, 2, 3), np.int8), np.zeros((1, 1, 2, 4), np.int8), groups=2)
    with pytest.raises(ValueError):
        R.conv2d_acc(np.zeros((1, 2, 2, 1), np.int8), np.zeros((3, 1, 1, 1), np.int8))


def test_same_padding():
    assert R.same_padding((8, 8), (3, 3)) == (1, 1, 1, 1)
    assert R.same_padding((8, 7), (3, 2), (2, 2)) == (0, 1, 0, 1)
    assert R.same_padding((5, 5), (3, 3), (1, 1), (2, 2)) == (2, 2, 2, 2)

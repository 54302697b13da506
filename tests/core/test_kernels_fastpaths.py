# The fast paths of the engine kernels against the reference model: narrow GEMMs and convolutions
# (the 16-column VNNI kernel, kernel rows gathered as one run), and the vectorised vrq.fx with
# the parameters at its edges (and just beyond them, where the generic loop takes over).
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tests.core.test_kernels_large import BIG, PATHS, big_memories, reference_vs_kernel
from thead_isa.core.kernels import te

I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


@pytest.fixture
def gemm_path(request):
    previous = te.set_gemm_path(request.param)
    yield request.param
    te.set_gemm_path(previous)


@pytest.mark.parametrize("gemm_path", PATHS, indirect=True)
@pytest.mark.parametrize("window, flags", [
    # the digits CNN's layers as batch-folded stacks (one channel; eight channels, 16 outputs)
    (dict(win_ih=40, win_iw=8, win_c=1, win_oc=8, win_kh=3, win_kw=3, win_pl=1, win_pr=1,
          win_padval=-128), {}),
    (dict(win_ih=30, win_iw=8, win_c=8, win_oc=16, win_kh=3, win_kw=3, win_pl=1, win_pr=1,
          win_padval=-128), {"acc": True}),
    # partial runs at both edges, vertical padding, strides, dilation, uint8
    (dict(win_ih=17, win_iw=11, win_c=3, win_oc=13, win_kh=3, win_kw=4, win_sh=2, win_sw=3,
          win_dh=2, win_pt=2, win_pb=1, win_pl=3, win_pr=2, win_padval=7), {"u": True}),
    (dict(win_ih=9, win_iw=21, win_c=5, win_oc=1, win_kh=1, win_kw=5, win_dw=2, win_pl=4,
          win_pr=4, win_padval=-1), {}),
    (dict(win_ih=12, win_iw=7, win_c=2, win_oc=16, win_kh=4, win_kw=1, win_pt=3, win_pb=3,
          win_padval=255), {"u": True, "acc": True}),
])
def test_narrow_convolutions(gemm_path, window, flags):
    flags = {"acc": False, "u": False, "dw": False} | flags
    reference_vs_kernel(BIG, "conv", [100, 64, 0x80000], window, flags, big_memories(7))


@pytest.mark.parametrize("gemm_path", PATHS, indirect=True)
@pytest.mark.parametrize("m, n, k", [(77, 16, 9), (9, 1, 130), (40, 15, 1029), (8, 8, 3)])
@pytest.mark.parametrize("u", [False, True])
def test_narrow_gemms(gemm_path, m, n, k, u):
    csr = dict(te_m=m, te_n=n, te_k=k, te_lda=k + 1, te_ldb=n, te_ldc=n + 2)
    reference_vs_kernel(BIG, "gemm", [40, 0, 0x40000], csr, {"acc": True, "u": u},
                        big_memories(m + n + k))


def _vrq_memories(seed, rows, cols, bias, mult, shift, edge_acc):
    mems = big_memories(seed)
    n = rows * cols
    acc = mems["acc"]
    if edge_acc:                        # int32 extremes and values around them
        acc[:n] = np.random.default_rng(seed).choice(
            np.array([I32_MIN, I32_MIN + 1, -1, 0, 1, I32_MAX - 1, I32_MAX, 1 << 30, -(1 << 30)],
                     np.int32), n)
    block = np.concatenate([np.asarray(v, np.int64) for v in (bias, mult, shift)])
    mems["lm"][0x10000:0x10000 + 12 * cols] = block.astype("<i4").view(np.uint8)
    return mems


@st.composite
def vrq_fast_cases(draw):
    rows, cols = draw(st.integers(1, 40)), draw(st.integers(1, 35))
    i32 = st.integers(I32_MIN, I32_MAX)
    bias = draw(st.lists(i32 | st.sampled_from([I32_MIN, I32_MAX, 0]), min_size=cols,
                         max_size=cols))
    mult = draw(st.lists(st.integers(I32_MIN + 1, I32_MAX) | st.sampled_from(
        [I32_MAX, 1, -1, 1 << 30, I32_MIN + 1]), min_size=cols, max_size=cols))
    shift = draw(st.lists(st.integers(-31, 0), min_size=cols, max_size=cols))
    if draw(st.integers(0, 5)) == 0:            # beyond the fast path: the generic loop
        j = draw(st.integers(0, cols - 1))
        if draw(st.booleans()):
            mult[j] = I32_MIN
        else:
            shift[j] = draw(st.integers(1, 31))
    zp = draw(st.integers(-300, 300) | st.sampled_from([-65536, 65536, -65537, 65537, I32_MIN,
                                                          I32_MAX]))
    qmin, qmax = sorted(draw(st.tuples(st.integers(-200, 300), st.integers(-200, 300))))
    return (rows, cols, bias, mult, shift, zp, qmin, qmax, draw(st.booleans()),
            draw(st.booleans()), draw(st.integers(0, 1000)))


@settings(max_examples=40)
@given(vrq_fast_cases())
def test_vectorised_requantization(case):
    rows, cols, bias, mult, shift, zp, qmin, qmax, u, edge_acc, seed = case
    mems = _vrq_memories(seed, rows, cols, bias, mult, shift, edge_acc)
    csr = dict(ve_rows=rows, ve_cols=cols, ve_zp=zp, ve_qmin=qmin, ve_qmax=qmax)
    assert reference_vs_kernel(BIG, "vrq.fx", [0x20000, 0, 0x10000], csr, {"u": u},
                               mems) is None

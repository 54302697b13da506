# Engine kernels on large and hostile shapes: pinned GEMMs on every path (beyond one K block),
# bigger convolutions against the reference model, overlapping results, reported regions.
import time

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from thead_isa.core.kernels import registry, te
from thead_isa.isa import INSTRUCTIONS, decode, encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME as CSR
from thead_isa.isa.table import BY_MNEMONIC
from thead_isa.isa.traps import Cause, Trap
from thead_isa.refmodel.machine import SEMANTICS, _run_engine
from thead_isa.refmodel.state import MachineState

PATHS = te.gemm_paths() + ["auto"]
ENGINE = [i for i in INSTRUCTIONS if i.engine != "cp"]
U32 = 0xFFFFFFFF
MEM_GM, MEM_LM, MEM_ACC = 0, 1, 2


@pytest.fixture
def gemm_path(request):
    previous = te.set_gemm_path(request.param)
    yield request.param
    te.set_gemm_path(previous)


def wrap32(x):
    return ((np.asarray(x, np.int64) + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)


def gemm_memories(rng, m, n, k, a_unsigned):
    a = rng.integers(0, 256, (m, k), dtype=np.uint8)
    b = rng.integers(-128, 128, (k, n), dtype=np.int64).astype(np.int8)
    b[0, :] = -128                         # extremes in the first row and column
    a[:, 0] = 255 if a_unsigned else 0x80
    lm = np.zeros(m * k + k * n + 64, np.uint8)
    lm[:m * k] = a.reshape(-1)
    lm[m * k:m * k + k * n] = b.view(np.uint8).reshape(-1)
    av = a.astype(np.int64) if a_unsigned else a.view(np.int8).astype(np.int64)
    return lm, av, b.astype(np.int64)


_ORACLE = {}


def int64_product(key, a, b):
    """numpy int64 matmul (slow on this host: cached across paths)."""
    if key not in _ORACLE:
        _ORACLE[key] = a @ b
    return _ORACLE[key]


@pytest.mark.parametrize("gemm_path", PATHS, indirect=True)
@pytest.mark.parametrize("u", [False, True])
def test_pinned_gemm_300x700x1100(gemm_path, u):
    """K beyond every path's K block; the ACC tile accumulates onto int32 extremes (wraps)."""
    m, n, k = 300, 700, 1100
    rng = np.random.default_rng(42)
    lm, a, b = gemm_memories(rng, m, n, k, u)
    acc = rng.integers(-(1 << 31), 1 << 31, m * n + 8, dtype=np.int64).astype(np.int32)
    acc[:4] = [-(1 << 31), (1 << 31) - 1, -1, (1 << 31) - 1]
    old = acc.copy()
    cfg = dict(te_m=m, te_n=n, te_k=k, te_lda=k, te_ldb=n, te_ldc=n)
    assert registry.run_op("gemm", [0, 0, m * k], cfg, ["acc"] + (["u"] if u else []), lm=lm,
                           acc=acc) is None
    want = wrap32(int64_product(u, a, b).reshape(-1) + old[:m * n])
    np.testing.assert_array_equal(acc[:m * n], want)
    np.testing.assert_array_equal(acc[m * n:], old[m * n:])


@pytest.mark.parametrize("gemm_path", PATHS, indirect=True)
@pytest.mark.parametrize("u", [False, True])
@pytest.mark.parametrize("m, n, k", [(37, 75, 2100), (9, 33, 1029), (130, 1100, 70)])
def test_gemm_beyond_one_block(gemm_path, u, m, n, k):
    """K beyond every path's K block (512, 1024) and N beyond the N block, odd edges; float64
    products are exact here (|sum| < 2^53), which keeps the oracle fast."""
    rng = np.random.default_rng(m * n * k)
    lm, a, b = gemm_memories(rng, m, n, k, u)
    acc = np.full(m * n + 3, 7, np.int32)
    cfg = dict(te_m=m, te_n=n, te_k=k, te_lda=k, te_ldb=n, te_ldc=n)
    assert registry.run_op("gemm", [0, 0, m * k], cfg, ["u"] if u else [], lm=lm, acc=acc) is None
    want = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    np.testing.assert_array_equal(acc[:m * n], wrap32(want.reshape(-1)))
    assert acc[m * n:].tolist() == [7, 7, 7]


@pytest.mark.parametrize("gemm_path", PATHS, indirect=True)
def test_gemm_strided_and_overlapping_tiles(gemm_path):
    m, n, k, lda, ldb = 45, 70, 99, 130, 77
    rng = np.random.default_rng(7)
    lm = rng.integers(0, 256, 1 << 16, dtype=np.uint8)
    a = lm[:m * lda].reshape(m, lda)[:, :k].view(np.int8).astype(np.int64)
    b = lm[0x8000:0x8000 + k * ldb].reshape(k, ldb)[:, :n].view(np.int8).astype(np.int64)
    prod = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.int64)
    for ldc in (n + 3, n, n - 1, 17, 1, 0):
        acc = rng.integers(-1000, 1000, 8192, dtype=np.int64).astype(np.int32)
        want = acc.copy()
        old = [want[5 + i * ldc:5 + i * ldc + n].astype(np.int64) for i in range(m)]
        for i in range(m):                 # the reference: old tile read first, rows in order
            want[5 + i * ldc:5 + i * ldc + n] = wrap32(prod[i] + old[i])
        cfg = dict(te_m=m, te_n=n, te_k=k, te_lda=lda, te_ldb=ldb, te_ldc=ldc)
        info = {}
        assert registry.run_op("gemm", [5, 0, 0x8000], cfg, ["acc"], lm=lm, acc=acc,
                               info=info) is None
        np.testing.assert_array_equal(acc, want, err_msg=f"ldc {ldc}")
        if ldc < n:                         # overlapping rows: committed as the span they cover
            assert info["write"] == (MEM_ACC, 5, 1, (m - 1) * ldc + n, 0)
        else:
            assert info["write"] == (MEM_ACC, 5, m, n, ldc)
        assert info["reads"] == [(MEM_ACC, 5, m, n, ldc), (MEM_LM, 0, m, k, lda),
                                 (MEM_LM, 0x8000, k, n, ldb)]


def reference_vs_kernel(config, mnemonic, regs, csr, flags, mems, esz=None):
    """Run one instruction on the reference model and through run_op from the same memories."""
    insn = BY_MNEMONIC[mnemonic]
    s = MachineState(config)
    for name in ("gm", "lm", "acc"):
        getattr(s, name)[:] = mems[name]
    values = dict(flags) | ({} if esz is None else {"esz": esz})
    for i, (o, v) in enumerate(zip(insn.positional, regs)):
        s.x[i + 1] = v
        values[o.name] = i + 1
    for name, v in csr.items():
        s.csr[CSR[name].number] = v & 0xFFFFFFFF
    try:
        _run_engine(s, decode(encode(insn, **values)), SEMANTICS[mnemonic])
        want = None
    except Trap as t:
        want = (int(t.cause), t.tval)
    got = {k: v.copy() for k, v in mems.items()}
    r = registry.run_op(mnemonic, regs, csr, [k for k, v in flags.items() if v], esz or 1,
                        gm=got["gm"], lm=got["lm"], acc=got["acc"])
    assert (None if r is None else r[:2]) == want, r
    for name in ("gm", "lm", "acc"):
        np.testing.assert_array_equal(got[name], getattr(s, name), err_msg=name)
    return r


BIG = preset("small").replace(lm_bytes=1 << 20, acc_words=1 << 18, name="big")


def big_memories(seed):
    rng = np.random.default_rng(seed)
    return {"gm": rng.integers(0, 256, BIG.gm_bytes, dtype=np.uint8),
            "lm": rng.integers(0, 256, BIG.lm_bytes, dtype=np.uint8),
            "acc": rng.integers(-(1 << 31), 1 << 31, BIG.acc_words,
                                dtype=np.int64).astype(np.int32)}


@pytest.mark.parametrize("gemm_path", PATHS, indirect=True)
@pytest.mark.parametrize("window, flags", [
    (dict(win_ih=20, win_iw=17, win_c=35, win_oc=70, win_kh=3, win_kw=3, win_pt=1, win_pb=1,
          win_pl=1, win_pr=1, win_padval=-3), {"acc": True}),
    (dict(win_ih=23, win_iw=19, win_c=9, win_oc=33, win_kh=5, win_kw=3, win_sh=2, win_sw=3,
          win_dh=2, win_pt=2, win_pl=4, win_pr=1, win_padval=200), {"u": True}),
    (dict(win_ih=14, win_iw=14, win_c=600, win_oc=40, win_kh=2, win_kw=2), {}),
    (dict(win_ih=30, win_iw=30, win_c=64, win_kh=3, win_kw=3, win_sh=2, win_sw=2, win_pt=1,
          win_pl=1, win_padval=-128), {"dw": True, "acc": True}),
    (dict(win_ih=9, win_iw=40, win_c=3, win_kh=1, win_kw=7, win_dw=3, win_pl=9, win_pr=9,
          win_padval=255), {"dw": True, "u": True}),
])
def test_larger_convolutions(gemm_path, window, flags):
    flags = {"acc": False, "u": False, "dw": False} | flags
    reference_vs_kernel(BIG, "conv", [100, 64, 0x80000], window, flags, big_memories(5))


def test_larger_pooling_and_transpose():
    mems = big_memories(11)
    for mn in ("vmaxpool", "vavgpool"):
        for u in (False, True):
            reference_vs_kernel(BIG, mn, [0x80000, 3], dict(
                win_ih=31, win_iw=29, win_c=24, win_kh=3, win_kw=3, win_sh=2, win_sw=2,
                win_pt=1, win_pb=1, win_pl=1, win_pr=1), {"u": u}, mems)
    for esz in (1, 2, 4):
        for dstride in (300 * esz + 2, 100):    # gapped, then overlapping destination rows
            reference_vs_kernel(BIG, "dma.tr", [0x80000, 1], dict(
                dma_rows=300, dma_cols=200 * esz, dma_sstride=200 * esz + 5,
                dma_dstride=dstride), {}, mems, esz=esz)


def test_hostile_overlapping_shapes_are_cheap():
    """Rows that all land on the same bytes: only the surviving bytes are computed, so shapes
    the reference model could not even allocate finish at once."""
    gm = np.arange(1 << 20, dtype=np.uint32).astype(np.uint8)
    lm = np.zeros(1 << 16, np.uint8)
    t = time.perf_counter()
    info = {}
    r = registry.run_op("dma.ld", [0, 0], dict(dma_rows=0xFFFF, dma_cols=0xFFFF, dma_sstride=0,
                                               dma_dstride=0, dma_pt=255, dma_pb=0,
                                               dma_pl=1, dma_padval=-1), gm=gm, lm=lm, info=info)
    assert r is None
    # the last frame row is a data row: padding byte, then GM[0..65534]
    assert lm[0] == 0xFF and np.array_equal(lm[1:], gm[:0xFFFF])
    assert info["write"] == (MEM_LM, 0, 1, 0x10000, 0)
    acc = np.zeros(4096, np.int32)
    lm[:] = 1
    r = registry.run_op("gemm", [0, 0, 0], dict(te_m=0xFFFF, te_n=4096, te_k=3, te_lda=0,
                                                te_ldb=0, te_ldc=0), ["acc"], lm=lm, acc=acc)
    assert r is None and acc.tolist() == [3] * 4096
    assert time.perf_counter() - t < 5


def test_traps_leave_memories_alone_and_name_the_operand():
    lm = np.arange(1 << 16, dtype=np.uint32).astype(np.uint8)
    acc = np.arange(4096, dtype=np.int32)
    before = lm.copy(), acc.copy()
    cases = [
        ("gemm", [4090, 0, 0], dict(te_m=2, te_n=4, te_ldc=4, te_k=1), Cause.ACC_FAULT, 4096,
         "gemm c: ACC words 0xffa..0x1001 outside ACC of 4096 words"),
        ("conv", [0, 0, 0], dict(win_ih=2, win_kh=3), Cause.BAD_OPERAND, 3, "conv: window"),
        ("vrq.fx", [0, 0, 2], dict(ve_rows=1, ve_cols=1), Cause.MISALIGNED_ACCESS, 2,
         "vrq.fx p: address 0x2"),
        ("vqadd", [0, 0, 0, 0xFFFC], dict(ve_rows=1, ve_cols=1), Cause.LM_FAULT, 0x10000,
         "vqadd p: LM bytes 0xfffc..0x1001f"),
        ("dma.tr", [0, 0], dict(dma_rows=1, dma_cols=3), Cause.BAD_OPERAND, 3,
         "dma.tr: dma_cols = 3 is not a multiple of esz = 2"),
        ("gemm", [0, 0, 0], dict(te_m=0x10000), Cause.BAD_OPERAND, 0x10000,
         "gemm: te_m = 65536 outside [0, 65535]"),
        ("vmaxpool", [0, 0], dict(win_pt=1), Cause.BAD_OPERAND, 0,
         "vmaxpool: the window of output (0, 0) covers only padding"),
    ]
    for mn, regs, cfg, cause, tval, text in cases:
        r = registry.run_op(mn, regs, cfg, esz=2, lm=lm, acc=acc)
        assert r is not None and r[:2] == (cause, tval) and r[2].startswith(text), (mn, r)
    assert np.array_equal(lm, before[0]) and np.array_equal(acc, before[1])


def test_run_op_rejects_cp_instructions_and_bad_arrays():
    with pytest.raises(ValueError):
        registry.run_op("add", [], [])
    with pytest.raises(TypeError):
        registry.run_op("vlut", [0, 0, 0], {}, lm=np.zeros(16, np.int8))
    with pytest.raises(ValueError):
        registry.run_op("gemm", [0, 0, 0], {"nope": 1})


@pytest.mark.parametrize("mnemonic", [i.mnemonic for i in ENGINE])
def test_hostile_operands_on_tiny_memories(mnemonic):
    """Any register values and any accepted CSR values (extremes weighted) on memories of 0 to
    64 elements: a trap or an in-bounds result (run_op checks the region), never a crash."""
    insn = BY_MNEMONIC[mnemonic]

    def csr(name):
        lo, hi = CSR[name].use
        return st.sampled_from([lo, hi, 0 if lo <= 0 <= hi else lo, min(hi, 1)]) | st.integers(
            lo, hi)

    @settings(max_examples=150)
    @given(st.lists(st.sampled_from([0, 1, 4, 63, 64, U32]) | st.integers(0, U32), min_size=4,
                    max_size=4),
           st.fixed_dictionaries({n: csr(n) for n in insn.csrs}),
           st.sets(st.sampled_from(["acc", "u", "dw"])), st.sampled_from([1, 2, 4]),
           st.tuples(*[st.integers(0, 64)] * 3))
    def prop(regs, cfg, flags, esz, sizes):
        gm, lm = np.full(sizes[0], 0x81, np.uint8), np.full(sizes[1], 0x7F, np.uint8)
        acc = np.full(sizes[2], -(1 << 31), np.int32)
        r = registry.run_op(mnemonic, regs[:len(insn.positional)], cfg, list(flags), esz,
                            gm=gm, lm=lm, acc=acc)
        assert r is None or (r[0] in {int(c) for c in Cause} and r[2])

    prop()


SMALL = preset("small")
EDGES32 = [-(1 << 31), -(1 << 31) + 1, -70000, -513, -512, -511, -257, -256, -255, -130, -129,
           -128, -127, -9, -8, -7, -1, 0, 1, 2, 7, 8, 9, 31, 32, 127, 128, 129, 255, 256, 257,
           511, 512, 513, 70000, (1 << 31) - 1]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "max", "min", "sra", "sll"])
def test_byte_eltwise_register_forms_exhaustively(op):
    """Every byte value against register values at every saturation boundary."""
    mems = {"gm": np.zeros(SMALL.gm_bytes, np.uint8), "lm": np.zeros(SMALL.lm_bytes, np.uint8),
            "acc": np.zeros(SMALL.acc_words, np.int32)}
    mems["lm"][:256] = np.arange(256)
    mems["lm"][256:512] = np.arange(256)[::-1]
    for u in (False, True):
        reference_vs_kernel(SMALL, f"v{op}.b", [1024, 0, 256], dict(ve_rows=2, ve_cols=256),
                            {"u": u}, mems)
        for y in EDGES32:
            reference_vs_kernel(SMALL, f"v{op}.bx", [1024, 0, y & U32],
                                dict(ve_rows=2, ve_cols=256), {"u": u}, mems)

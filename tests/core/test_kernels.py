# The compiled engine kernels against the reference model: every ME, TE and VE instruction from
# random states (memories, registers, CSRs, parameters), compared on all memories and the trap.
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, strategies as st

from thead_isa.core.kernels import common, registry, te
from thead_isa.isa import INSTRUCTIONS, decode, encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME as CSR
from thead_isa.isa.table import BY_MNEMONIC
from thead_isa.isa.traps import Cause, Trap
from thead_isa.refmodel.machine import SEMANTICS, _run_engine
from thead_isa.refmodel.memory import first_fault
from thead_isa.refmodel.state import MachineState, s32

SMALL = preset("small")
GM, LM, ACC = SMALL.gm_bytes, SMALL.lm_bytes, SMALL.acc_words
ENGINE = [i for i in INSTRUCTIONS if i.engine != "cp"]
U32 = 0xFFFFFFFF
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1
SIZE = {"gm": GM, "lm": LM, "acc": ACC}
PALETTE8 = np.array([0x00, 0x01, 0x7F, 0x80, 0x81, 0xFE, 0xFF], np.uint8)
PALETTE32 = np.array([I32_MIN, I32_MIN + 1, -1, 0, 1, I32_MAX - 1, I32_MAX], np.int32)


@dataclass
class Case:
    mnemonic: str
    regs: list                      # register operand values in syntax order
    csr: dict                       # raw 32-bit values of (some of) the CSRs the insn reads
    flags: dict = field(default_factory=dict)
    esz: int = 1
    seed: int = 0
    palette: bool = False
    writes: list = field(default_factory=list)   # (memory, address, uint8 array) placed first


def memories(case):
    rng = np.random.default_rng(case.seed)
    if case.palette:
        gm, lm = rng.choice(PALETTE8, GM), rng.choice(PALETTE8, LM)
        acc = rng.choice(PALETTE32, ACC)
    else:
        gm = rng.integers(0, 256, GM, dtype=np.uint8)
        lm = rng.integers(0, 256, LM, dtype=np.uint8)
        acc = rng.integers(I32_MIN, I32_MAX + 1, ACC, dtype=np.int64).astype(np.int32)
    mems = {"gm": gm, "lm": lm, "acc": acc}
    for mem, addr, data in case.writes:
        raw = mems[mem].view(np.uint8)
        if 0 <= addr and addr + len(data) <= raw.size:
            raw[addr:addr + len(data)] = data
    return mems


def csr_values(case):
    """Raw values of every CSR the instruction reads (reset values where the case says none)."""
    insn = BY_MNEMONIC[case.mnemonic]
    return {n: case.csr.get(n, CSR[n].reset) & U32 for n in insn.csrs}


def reference(case):
    insn = BY_MNEMONIC[case.mnemonic]
    s = MachineState(SMALL)
    mems = memories(case)
    s.gm[:], s.lm[:], s.acc[:] = mems["gm"], mems["lm"], mems["acc"]
    values = {}
    for k, (o, v) in enumerate(zip(insn.positional, case.regs)):
        s.x[k + 1] = v & U32
        values[o.name] = k + 1
    for name, raw in csr_values(case).items():
        s.csr[CSR[name].number] = raw
    values.update(case.flags)
    if any(o.name == "esz" for o in insn.operands):
        values["esz"] = case.esz
    d = decode(encode(insn, **values))
    try:
        _run_engine(s, d, SEMANTICS[case.mnemonic])
        trap = None
    except Trap as t:
        trap = (int(t.cause), t.tval)
    return {"gm": s.gm, "lm": s.lm, "acc": s.acc}, trap


def compiled(case, info=None):
    mems = memories(case)
    cfg = {n: (s32(v) if CSR[n].signed else v) for n, v in csr_values(case).items()}
    flags = [n for n, v in case.flags.items() if v]
    r = registry.run_op(case.mnemonic, case.regs, cfg, flags, case.esz, mems["gm"], mems["lm"],
                        mems["acc"], info)
    return mems, r


def assert_same(case):
    want, want_trap = reference(case)
    got, r = compiled(case)
    got_trap = None if r is None else r[:2]
    assert got_trap == want_trap, (case, r)
    if r is not None:
        assert r[2].startswith(case.mnemonic), r
    for mem in ("gm", "lm", "acc"):
        if not np.array_equal(got[mem], want[mem]):
            bad = np.flatnonzero(got[mem] != want[mem])
            raise AssertionError(f"{mem} differs at {bad[:8].tolist()} ({bad.size} elements): "
                                 f"got {got[mem][bad[:8]].tolist()}, "
                                 f"want {want[mem][bad[:8]].tolist()}; {case}")
    return want_trap


# ---- strategies ----------------------------------------------------------------------------

def chance(draw, percent):
    """True with about the given probability (hypothesis favours the ends of a range, which
    therefore select the common cases here and below)."""
    return 40 <= draw(st.integers(0, 99)) < 40 + percent


@st.composite
def dim(draw, hi=8):
    """A size: small mostly, zero often, sometimes larger, rarely the CSR maximum."""
    roll = draw(st.integers(0, 99))
    if roll < 60 or roll == 99:
        return draw(st.integers(1, hi))
    if roll < 70:
        return 0
    if roll < 97:
        return draw(st.integers(0, 4 * hi))
    return 0xFFFF


@st.composite
def stride(draw, width):
    """A row stride for rows of `width` elements: dense, overlapping, gapped or wild."""
    roll = draw(st.integers(0, 99))
    if roll < 40 or roll == 99:
        return width
    if roll < 60:
        return draw(st.sampled_from(sorted({0, 1, width + 1, max(width - 1, 0)})))
    if roll < 97:
        return draw(st.integers(0, 3 * width + 8))
    return draw(st.sampled_from([U32, 1 << 20]))


@st.composite
def address(draw, size, extent, align=1):
    """An address for a region of `extent` elements in a memory of `size`: fitting (often at
    the very end), just past the end, or anywhere in 32 bits."""
    top = size - extent
    roll = draw(st.integers(0, 99))
    if roll == 99:
        roll = 0
    if top >= 0 and roll < 60:
        a = draw(st.integers(0, top))
    elif top >= 0 and roll < 75:
        a = top
    elif top >= 0 and roll < 85:
        a = top + draw(st.integers(1, 8))
    elif roll < 93:
        a = draw(st.sampled_from([0, size, size - 1, U32]))
    else:
        a = draw(st.integers(0, U32))
    if align > 1 and draw(st.integers(0, 5)):
        a -= a % align
    return a & U32


def extent(rows, cols, stride_):
    return 0 if rows == 0 or cols == 0 else (rows - 1) * stride_ + cols


def wild(draw, csr):
    """Rarely, one CSR of the case set to any 32-bit value, usually outside its range."""
    if chance(draw, 12):
        name = draw(st.sampled_from(sorted(csr)))
        c = CSR[name]
        csr[name] = draw(st.integers(0, U32) | st.sampled_from([c.use[1] + 1, c.use[0] - 1]))
    return {k: v & U32 for k, v in csr.items()}


COMMON = dict(seed=st.integers(0, 2**32 - 1), palette=st.booleans())


@st.composite
def dma_cases(draw, mnemonic):
    pad = mnemonic in ("dma.ld", "dma.cp")
    rows, cols = draw(dim()), draw(dim())
    p = [draw(st.integers(0, 3)) if pad and draw(st.booleans()) else 0 for _ in range(4)]
    fr, fc = p[0] + rows + p[1], p[2] + cols + p[3]
    ss, ds = draw(stride(cols)), draw(stride(fc))
    dst_mem, src_mem = {"dma.ld": ("lm", "gm"), "dma.st": ("gm", "lm"),
                        "dma.cp": ("lm", "lm")}[mnemonic]
    dst = draw(address(SIZE[dst_mem], extent(fr, fc, ds)))
    src = draw(address(SIZE[src_mem], extent(rows, cols, ss)))
    if mnemonic == "dma.cp" and draw(st.booleans()):
        src = (dst + draw(st.integers(-12, 12))) & U32      # overlapping source and destination
    csr = {"dma_rows": rows, "dma_cols": cols, "dma_sstride": ss, "dma_dstride": ds}
    if pad:
        csr.update(zip(("dma_pt", "dma_pb", "dma_pl", "dma_pr"), p))
        csr["dma_padval"] = draw(st.sampled_from([-128, -1, 0, 127, 255])
                                 | st.integers(-128, 255))
    return Case(mnemonic, [dst, src], wild(draw, csr), seed=draw(COMMON["seed"]))


@st.composite
def dma_tr_cases(draw):
    esz = draw(st.sampled_from([1, 2, 4]))
    rows, n = draw(dim()), draw(dim())
    cols = n * esz if draw(st.integers(0, 7)) else draw(dim(12))
    width = rows * esz
    ss, ds = draw(stride(cols)), draw(stride(width))
    dst = draw(address(LM, extent(cols // esz, width, ds)))
    src = draw(address(LM, extent(rows, cols, ss)))
    if draw(st.booleans()):
        src = (dst + draw(st.integers(-12, 12))) & U32
    csr = {"dma_rows": rows, "dma_cols": cols, "dma_sstride": ss, "dma_dstride": ds}
    return Case("dma.tr", [dst, src], wild(draw, csr), esz=esz, seed=draw(COMMON["seed"]),
                palette=draw(COMMON["palette"]))


@st.composite
def gemm_cases(draw, big=False):
    hi = 40 if big else 8
    m, n, k = draw(dim(hi)), draw(dim(hi)), draw(dim(hi))
    if big and draw(st.booleans()):
        k = draw(st.integers(0, 300))
    lda = draw(stride(k))
    ldb = draw(stride(n))
    ldc = draw(stride(n))
    c = draw(address(ACC, extent(m, n, ldc)))
    a = draw(address(LM, extent(m, k, lda)))
    b = draw(address(LM, extent(k, n, ldb)))
    csr = {"te_m": m, "te_n": n, "te_k": k, "te_lda": lda, "te_ldb": ldb, "te_ldc": ldc}
    flags = {"acc": draw(st.booleans()), "u": draw(st.booleans())}
    return Case("gemm", [c, a, b], wild(draw, csr), flags, seed=draw(COMMON["seed"]),
                palette=draw(COMMON["palette"]))


@st.composite
def window(draw, big=False):
    """Window CSRs: mostly inputs at least as large as the dilated kernel, sometimes smaller."""
    hi = 6 if big else 3
    w = {"win_c": draw(st.integers(1, 12 if big else 4))}
    for axis, size, k, stride_, dil in (("h", "win_ih", "win_kh", "win_sh", "win_dh"),
                                        ("w", "win_iw", "win_kw", "win_sw", "win_dw")):
        w[k] = draw(st.integers(1, 3))
        w[stride_] = draw(st.integers(1, 3))
        w[dil] = draw(st.integers(2, 3)) if chance(draw, 25) else 1
        span = w[dil] * (w[k] - 1) + 1
        w[size] = max(1, span + draw(st.integers(-3 if chance(draw, 15) else 0, hi)))
    for k in ("win_pt", "win_pb", "win_pl", "win_pr"):
        w[k] = draw(st.integers(1, 2)) if chance(draw, 30) else (4 if chance(draw, 5) else 0)
    return w


def _out(ins, before, after, k, dil, stride_):
    span = dil * (k - 1) + 1
    return max(0, (ins + before + after - span) // stride_ + 1)


def out_hw(w):
    return (_out(w["win_ih"], w["win_pt"], w["win_pb"], w["win_kh"], w["win_dh"], w["win_sh"]),
            _out(w["win_iw"], w["win_pl"], w["win_pr"], w["win_kw"], w["win_dw"], w["win_sw"]))


@st.composite
def conv_cases(draw, big=False):
    w = draw(window(big))
    dw = draw(st.booleans())
    w["win_oc"] = draw(st.integers(1, 40 if big else 5))
    w["win_padval"] = draw(st.sampled_from([-128, -1, 0, 127, 255]) | st.integers(-128, 255))
    oh, ow = out_hw(w)
    oc = w["win_c"] if dw else w["win_oc"]
    wsize = w["win_kh"] * w["win_kw"] * w["win_c"] * (1 if dw else oc)
    c = draw(address(ACC, oh * ow * oc))
    x = draw(address(LM, w["win_ih"] * w["win_iw"] * w["win_c"]))
    wt = draw(address(LM, wsize))
    flags = {"acc": draw(st.booleans()), "u": draw(st.booleans()), "dw": dw}
    return Case("conv", [c, x, wt], wild(draw, w), flags, seed=draw(COMMON["seed"]),
                palette=draw(COMMON["palette"]))


I32 = st.one_of(st.integers(I32_MIN, I32_MAX), st.sampled_from(PALETTE32.tolist()),
                st.integers(-1000, 1000))


def ve_shape(draw):
    return wild(draw, {"ve_rows": draw(dim(6)), "ve_cols": draw(dim(6))})


def clamp_csrs(draw):
    zp = draw(st.integers(-300, 300) | I32)
    qmin, qmax = draw(I32 | st.integers(-200, 300)), draw(I32 | st.integers(-200, 300))
    if draw(st.integers(0, 4)):
        qmin, qmax = min(qmin, qmax), max(qmin, qmax)
    return {"ve_zp": zp & U32, "ve_qmin": qmin & U32, "ve_qmax": qmax & U32}


def i32_bytes(values):
    return np.array(values, "<i4").view(np.uint8)


@st.composite
def vrq_cases(draw, mnemonic):
    csr = ve_shape(draw) | clamp_csrs(draw)
    rows, cols = min(csr["ve_rows"], 0xFFFF), min(csr["ve_cols"], 0xFFFF)
    n = rows * cols
    fx = mnemonic == "vrq.fx"
    dst = draw(address(LM, n))
    src = draw(address(ACC, n))
    p = draw(address(LM, 4 * (3 if fx else 2) * cols, align=4))
    k = min(cols, 64)
    bias = draw(st.lists(I32, min_size=k, max_size=k))
    if fx:
        mult = draw(st.lists(I32 | st.integers(1 << 29, I32_MAX), min_size=k, max_size=k))
        shift = draw(st.lists(st.integers(-31, 31) | st.sampled_from([-32, 32, I32_MIN]),
                              min_size=k, max_size=k))
        if draw(st.integers(0, 3)):
            shift = [s if -31 <= s <= 31 else 0 for s in shift]
        block = [bias, mult, shift]
        data = np.concatenate([i32_bytes(v + [0] * (cols - k)) for v in block]) if cols else []
    else:
        finite = st.floats(width=32, allow_nan=False, allow_infinity=False)
        scales = draw(st.lists(finite | st.sampled_from([0.5, 2.5, 1e-6, 3.4e38]) | st.floats(
            width=32), min_size=k, max_size=k))
        if draw(st.integers(0, 3)):
            scales = [s if np.isfinite(s) else 1.0 for s in scales]
        data = (np.concatenate([i32_bytes(bias + [0] * (cols - k)),
                                np.array(scales + [1.0] * (cols - k), "<f4").view(np.uint8)])
                if cols else [])
    return Case(mnemonic, [dst, src, p], csr, {"u": draw(st.booleans())},
                seed=draw(COMMON["seed"]), palette=draw(COMMON["palette"]),
                writes=[("lm", p, np.asarray(data, np.uint8))])


@st.composite
def vqadd_cases(draw):
    csr = ve_shape(draw) | clamp_csrs(draw)
    n = min(csr["ve_rows"], 0xFFFF) * min(csr["ve_cols"], 0xFFFF)
    dst, a, b = (draw(address(LM, n)) for _ in range(3))
    p = draw(address(LM, 36, align=4))
    zp = st.integers(-255, 255) | I32
    shift = st.integers(-31, 31) | st.sampled_from([-32, 32])
    params = [draw(st.integers(0, 20) | st.sampled_from([-1, 21, 31])), draw(zp), draw(I32),
              draw(shift), draw(zp), draw(I32), draw(shift), draw(I32), draw(shift)]
    if draw(st.integers(0, 3)):
        params[0] = min(max(params[0], 0), 20)
        for i in (3, 6, 8):
            params[i] = min(max(params[i], -31), 31)
    return Case("vqadd", [dst, a, b, p], csr, {"u": draw(st.booleans())},
                seed=draw(COMMON["seed"]), palette=draw(COMMON["palette"]),
                writes=[("lm", p, i32_bytes(params))])


@st.composite
def pool_cases(draw, mnemonic):
    w = draw(window())
    if chance(draw, 50):              # padding makes windows of padding only likely
        w.update(win_pt=0, win_pb=0, win_pl=0, win_pr=0)
    oh, ow = out_hw(w)
    dst = draw(address(LM, oh * ow * w["win_c"]))
    src = draw(address(LM, w["win_ih"] * w["win_iw"] * w["win_c"]))
    return Case(mnemonic, [dst, src], wild(draw, w), {"u": draw(st.booleans())},
                seed=draw(COMMON["seed"]), palette=draw(COMMON["palette"]))


# per mnemonic: (memory, elements, int32 in LM) of each register operand, given rows and cols
VE_OPERANDS = {
    "vgap": lambda r, c: [("lm", c, False), ("lm", r * c, False)],
    "vlut": lambda r, c: [("lm", r * c, False), ("lm", r * c, False), ("lm", 256, False)],
    "vrmax.b": lambda r, c: [("lm", r, False), ("lm", r * c, False)],
    "vrsum.b": lambda r, c: [("lm", r, True), ("lm", r * c, False)],
    "vrmax.w": lambda r, c: [("acc", r, False), ("acc", r * c, False)],
    "vrsum.w": lambda r, c: [("acc", r, False), ("acc", r * c, False)],
    "vacc.ld": lambda r, c: [("acc", r * c, False), ("lm", r * c, True)],
    "vacc.st": lambda r, c: [("lm", r * c, True), ("acc", r * c, False)],
}


def _eltwise_operands(mnemonic):
    mem = "acc" if mnemonic.split(".")[1][0] == "w" else "lm"
    nb = 2 if mnemonic.endswith("x") else 3
    return lambda r, c: [(mem, r * c, False)] * nb


@st.composite
def simple_ve_cases(draw, mnemonic):
    csr = ve_shape(draw)
    rows, cols = min(csr["ve_rows"], 0xFFFF), min(csr["ve_cols"], 0xFFFF)
    ops = (VE_OPERANDS.get(mnemonic) or _eltwise_operands(mnemonic))(rows, cols)
    regs = []
    for mem, n, word in ops:
        regs.append(draw(address(SIZE[mem], 4 * n if word else n, align=4 if word else 1)))
    if len(regs) > 1 and draw(st.integers(0, 3)) == 0:
        regs[1] = (regs[0] + draw(st.integers(-3, 3))) & U32     # overlapping dst and source
    if mnemonic.endswith("x"):
        regs.append(draw(st.integers(0, U32) | st.sampled_from(
            [0, 1, 7, 8, 31, 32, 255, 256, 0x7FFFFFFF, 0x80000000, U32, U32 - 7])))
    has_u = any(o.name == "u" for o in BY_MNEMONIC[mnemonic].operands)
    flags = {"u": draw(st.booleans())} if has_u else {}
    return Case(mnemonic, regs, csr, flags, seed=draw(COMMON["seed"]),
                palette=draw(COMMON["palette"]))


def cases_for(mnemonic):
    if mnemonic in ("dma.ld", "dma.st", "dma.cp"):
        return dma_cases(mnemonic)
    if mnemonic == "dma.tr":
        return dma_tr_cases()
    if mnemonic == "gemm":
        return gemm_cases() | gemm_cases(big=True)
    if mnemonic == "conv":
        return conv_cases() | conv_cases(big=True)
    if mnemonic in ("vrq.fx", "vrq.fp"):
        return vrq_cases(mnemonic)
    if mnemonic == "vqadd":
        return vqadd_cases()
    if mnemonic in ("vmaxpool", "vavgpool"):
        return pool_cases(mnemonic)
    return simple_ve_cases(mnemonic)


# ---- tests ---------------------------------------------------------------------------------

def test_every_engine_instruction_has_a_kernel():
    missing = [i.mnemonic for i in ENGINE if not registry.has_kernel(i.opcode)]
    assert not missing, f"no kernel for {missing}"
    extra = [i.mnemonic for i in INSTRUCTIONS if i.engine == "cp" and registry.has_kernel(i.opcode)]
    assert not extra
    assert not any(registry.has_kernel(op) for op in range(256)
                   if op not in {i.opcode for i in ENGINE})


def test_cause_numbers_match_the_isa():
    assert common.causes() == {c.name: int(c) for c in Cause
                               if c.name in common.causes()}
    assert len(common.causes()) >= 6


EDGE = st.sampled_from([0, 1, 2, 3, 4, 255, 256, 0xFFFF, 0x10000, U32 - 1, U32])


@given(EDGE | st.integers(0, U32), EDGE | st.integers(0, 0x10000 + 510),
       EDGE | st.integers(0, 70000), EDGE | st.integers(0, U32), EDGE | st.integers(0, 1 << 30))
def test_first_fault_is_the_reference(base, rows, cols, stride_, size):
    assert common.first_fault_py(base, rows, cols, stride_, size) == first_fault(
        base, rows, cols, stride_, size)


def test_cfg_ranges_come_from_the_csr_table():
    for insn in ENGINE:
        assert common.cfg_ranges(insn.opcode) == [(n, *CSR[n].use) for n in insn.csrs]


@pytest.mark.parametrize("mnemonic", [i.mnemonic for i in ENGINE])
def test_kernel_matches_reference(mnemonic):
    traps = {}

    @given(cases_for(mnemonic))
    def prop(case):
        t = assert_same(case)
        traps[None if t is None else t[0]] = traps.get(None if t is None else t[0], 0) + 1

    prop()
    assert traps.get(None, 0) > 0, f"{mnemonic}: no example ran without a trap: {traps}"


@pytest.mark.parametrize("path", te.gemm_paths())
@pytest.mark.parametrize("mnemonic", ["gemm", "conv"])
def test_tensor_kernels_on_every_gemm_path(mnemonic, path):
    previous = te.set_gemm_path(path)
    try:
        @given(gemm_cases(big=True) if mnemonic == "gemm" else conv_cases(big=True))
        def prop(case):
            assert_same(case)
        prop()
    finally:
        te.set_gemm_path(previous)


def test_gemm_path_reports_the_resolved_path():
    previous = te.set_gemm_path("auto")
    try:
        assert te.gemm_path() in te.gemm_paths()
        for path in te.gemm_paths():
            te.set_gemm_path(path)
            assert te.gemm_path() == path
    finally:
        te.set_gemm_path(previous)

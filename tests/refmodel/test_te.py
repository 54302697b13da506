# Reference model: tensor-engine semantics (gemm, conv), their traps, and naive-loop properties.
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from thead_isa.isa import encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME
from thead_isa.isa.traps import Cause
from thead_isa.refmodel.machine import RefMachine

LM_SIZE, ACC_WORDS = 0x10000, 4096            # the small preset: 64 KiB LM, 4096 ACC words
I32_MIN, I32_MAX = -(1 << 31), (1 << 31) - 1


def li(rd, value):
    return encode("addi", rd=rd, rs1=0, imm=value)


def csrs(prefix, values):
    return [encode("csrwi", csr=BY_NAME[prefix + k].number, imm=v) for k, v in values.items()]


def gemm(c, a, b, acc=False, u=False, **te):
    """Set the given te_* CSRs, x1 = c, x2 = a, x3 = b, then gemm x1, x2, x3."""
    return [li(1, c), li(2, a), li(3, b), *csrs("te_", te),
            encode("gemm", c=1, a=2, b=3, acc=acc, u=u)]


def conv(out, x, w, acc=False, u=False, depthwise=False, **win):
    """Set the given win_* CSRs (dw is the dilation), x1 = out, x2 = x, x3 = w, then conv."""
    return [li(1, out), li(2, x), li(3, w), *csrs("win_", win),
            encode("conv", c=1, x=2, w=3, acc=acc, u=u, dw=depthwise)]


def i8(values):
    return bytes(v & 0xFF for v in values)


def machine(program, lm=None, acc=None):
    m = RefMachine(preset("small"))
    m.load_program(program + [encode("halt", rs1=0)])
    for addr, data in (lm or {}).items():
        m.write("lm", addr, i8(data))
    for addr, words in (acc or {}).items():
        m.write("acc", 4 * addr, np.array(words, np.int32))
    return m


def run(program, lm=None, acc=None):
    s = machine(program, lm, acc).run(10_000)
    assert s.trap is None and s.halted, s.trap
    return s


def acc_words(s, addr, n):
    return s.acc[addr:addr + n].tolist()


# A = [[1, 2, 3], [4, 5, 6]], B = [[1, -1], [2, 0], [-3, 2]]: A @ B = [[-4, 5], [-4, 8]]
GEMM_LM = {0: [1, 2, 3, 4, 5, 6], 0x100: [1, -1, 2, 0, -3, 2]}
GEMM_2X2X3 = dict(m=2, n=2, k=3, lda=3, ldb=2, ldc=2)


def test_gemm_overwrites():
    s = run(gemm(0, 0, 0x100, **GEMM_2X2X3), GEMM_LM, acc={0: [99] * 5})
    assert acc_words(s, 0, 5) == [-4, 5, -4, 8, 99]


def test_gemm_accumulates():
    s = run(gemm(0, 0, 0x100, acc=True, **GEMM_2X2X3), GEMM_LM, acc={0: [10, 20, 30, 40]})
    assert acc_words(s, 0, 4) == [6, 25, 26, 48]


@pytest.mark.parametrize("u, expect", [(True, 255 * 2 + 128 * -1), (False, -1 * 2 + -128 * -1)])
def test_gemm_unsigned_a(u, expect):
    # A = [0xff, 0x80] (uint8 with u), B = [[2], [0xff]] (always int8: 0xff is -1)
    s = run(gemm(7, 0, 0x10, u=u, m=1, n=1, k=2), {0: [0xFF, 0x80], 0x10: [2, 0xFF]})
    assert acc_words(s, 7, 1) == [expect]


def test_gemm_strided():
    # A = [[1, 2], [3, 4]] (lda 4), B = [[5, 6], [7, 8]] (ldb 3); 0xee bytes lie between rows.
    lm = {0: [1, 2, 0xEE, 0xEE, 3, 4], 0x100: [5, 6, 0xEE, 7, 8]}
    s = run(gemm(10, 0, 0x100, m=2, n=2, k=2, lda=4, ldb=3, ldc=3), lm, acc={10: [99] * 7})
    assert acc_words(s, 10, 7) == [19, 22, 99, 43, 50, 99, 99]


@pytest.mark.parametrize("acc, expect", [(False, [0, 0, 9]), (True, [7, 8, 9])])
def test_gemm_k0_reads_nothing(acc, expect):
    s = run(gemm(0, 0xFFFFFFFF, 0xFFFFFFFF, acc=acc, m=1, n=2, k=0), acc={0: [7, 8, 9]})
    assert acc_words(s, 0, 3) == expect


@pytest.mark.parametrize("m, n", [(0, 3), (3, 0)])
def test_gemm_empty_tile_accesses_nothing(m, n):
    s = run(gemm(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, m=m, n=n, k=3), acc={0: [5]})
    assert acc_words(s, 0, 2) == [5, 0]


@pytest.mark.parametrize("old, a, expect", [(I32_MAX, 1, I32_MIN), (I32_MIN, -1, I32_MAX)])
def test_gemm_accumulate_wraps(old, a, expect):
    s = run(gemm(0, 0, 1, acc=True, m=1, n=1, k=1), {0: [a, 1]}, acc={0: [old]})
    assert acc_words(s, 0, 1) == [expect]


@pytest.mark.parametrize("acc, expect", [(False, [1, 2, 20]), (True, [101, 202, 320])])
def test_gemm_overlapping_acc_rows(acc, expect):
    # ldc 1 < N 2: C = [[1, 10], [2, 20]]; the old tile is read first, rows written in order.
    s = run(gemm(0, 0, 2, acc=acc, m=2, n=2, k=1, lda=1, ldb=1, ldc=1), {0: [1, 2, 1, 10]},
            acc={0: [100, 200, 300]})
    assert acc_words(s, 0, 3) == expect


X3X3 = list(range(1, 10))                     # [[1, 2, 3], [4, 5, 6], [7, 8, 9]]


@pytest.mark.parametrize("x, w, win, expect", [
    # 2x2 kernel [[1, 2], [3, 4]], stride 1, no padding
    (X3X3, [1, 2, 3, 4], dict(ih=3, iw=3, kh=2, kw=2), [37, 47, 67, 77]),
    # strides: vertical 2, horizontal 1, kernel [1, 10]
    (X3X3, [1, 10], dict(ih=3, iw=3, kh=1, kw=2, sh=2, sw=1), [21, 32, 87, 98]),
    (X3X3, [2], dict(ih=3, iw=3, sh=2, sw=2), [2, 6, 14, 18]),
    # padding top/left with padval 10: padded [[10, 10, 10], [10, 1, 2], [10, 3, 4]]
    ([1, 2, 3, 4], [1] * 4, dict(ih=2, iw=2, kh=2, kw=2, pt=1, pl=1, padval=10),
     [31, 23, 24, 10]),
    # padding bottom/right: padded [[1, 2, 10], [3, 4, 10], [10, 10, 10]]
    ([1, 2, 3, 4], [1] * 4, dict(ih=2, iw=2, kh=2, kw=2, pb=1, pr=1, padval=10),
     [10, 26, 27, 34]),
    # dilation 2 both ways: X[0][0] + 2 X[0][2] + 3 X[2][0] + 4 X[2][2]
    (X3X3, [1, 2, 3, 4], dict(ih=3, iw=3, kh=2, kw=2, dh=2, dw=2), [64]),
    # horizontal dilation 2 only: X[y][0] + 10 X[y][2]
    (X3X3, [1, 10], dict(ih=3, iw=3, kw=2, dw=2), [31, 64, 97]),
    # window exactly the padded input column [-1, 1, 2]: oh = ow = 1
    ([1, 2], [1, 2, 3], dict(ih=2, iw=1, kh=3, pt=1, padval=-1), [7]),
    # 2 channels -> 2 output channels, 1x1 kernel W[ch][o] = [[1, -1], [2, 1]]
    ([1, 2, 3, 4], [1, -1, 2, 1], dict(ih=1, iw=2, c=2, oc=2), [5, 1, 11, 1]),
    # channels X and -X, weights 1 and -2: 3 times the 2x2 window sums of X
    ([v for p in X3X3 for v in (p, -p)], [1, -2] * 4, dict(ih=3, iw=3, c=2, kh=2, kw=2),
     [36, 48, 72, 84]),
])
def test_conv(x, w, win, expect):
    s = run(conv(0, 0, 0x100, **win), {0: x, 0x100: w}, acc={0: [99] * (len(expect) + 1)})
    assert acc_words(s, 0, len(expect) + 1) == expect + [99]


def test_conv_accumulates():
    s = run(conv(0, 0, 0x100, acc=True, ih=3, iw=3, kh=2, kw=2), {0: X3X3, 0x100: [1, 2, 3, 4]},
            acc={0: [1, 2, 3, -4]})
    assert acc_words(s, 0, 4) == [38, 49, 70, 73]


def test_conv_depthwise_ignores_win_oc():
    # X [1][3][2] = [[1, 10], [2, 20], [3, 30]], W [1][2][2] = [[1, 2], [-1, 1]] in the last
    # 4 bytes of LM (dense weights for oc = 5 would not fit)
    s = run(conv(0, 0, LM_SIZE - 4, depthwise=True, ih=1, iw=3, c=2, kw=2, oc=5),
            {0: [1, 10, 2, 20, 3, 30], LM_SIZE - 4: [1, 2, -1, 1]}, acc={0: [99] * 5})
    assert acc_words(s, 0, 5) == [1 - 2, 20 + 20, 2 - 3, 40 + 30, 99]


@pytest.mark.parametrize("u, padval, expect", [
    (True, 255, 255 + 254), (True, -1, 255 + 254), (True, -128, 128 + 254),
    (False, 255, -1 - 2), (False, -1, -1 - 2), (False, -128, -128 - 2),
])
def test_conv_unsigned_input_and_padval(u, padval, expect):
    # X = [0xfe], one padding column on the left, W = [1, 1]: out = pad + X
    s = run(conv(0, 0, 0x100, u=u, iw=1, kw=2, pl=1, padval=padval), {0: [0xFE], 0x100: [1, 1]})
    assert acc_words(s, 0, 1) == [expect]


# memory traps: (program, cause, tval) -- the lowest out-of-range address (ACC: word address)
TRAPS = [
    (gemm(0, LM_SIZE - 5, 0, m=2, n=1, k=3, lda=3), Cause.LM_FAULT, LM_SIZE),
    (gemm(0, 0, LM_SIZE - 2, m=1, n=2, k=2, ldb=8), Cause.LM_FAULT, LM_SIZE + 6),
    (gemm(ACC_WORDS - 3, 0, 0, m=2, n=2, ldc=2), Cause.ACC_FAULT, ACC_WORDS),
    # several bad regions: syntax order, c (ACC) then a then b
    (gemm(ACC_WORDS + 2, LM_SIZE, LM_SIZE), Cause.ACC_FAULT, ACC_WORDS + 2),
    (gemm(0, LM_SIZE + 3, LM_SIZE + 1), Cause.LM_FAULT, LM_SIZE + 3),
    (conv(0, LM_SIZE - 8, 0, ih=3, iw=3), Cause.LM_FAULT, LM_SIZE),
    (conv(0, 0, LM_SIZE - 3, kh=2, kw=2, ih=2, iw=2, c=1, oc=1), Cause.LM_FAULT, LM_SIZE),
    (conv(0, 0, LM_SIZE - 3, depthwise=True, c=4), Cause.LM_FAULT, LM_SIZE),
    (conv(ACC_WORDS - 3, 0, 0, ih=2, iw=2), Cause.ACC_FAULT, ACC_WORDS),
    (conv(ACC_WORDS + 1, LM_SIZE, LM_SIZE), Cause.ACC_FAULT, ACC_WORDS + 1),  # c, x, then w
    (conv(0, LM_SIZE + 5, LM_SIZE + 7), Cause.LM_FAULT, LM_SIZE + 5),
    # bad operands: the window check precedes the (also out-of-range) memory operands
    (conv(ACC_WORDS, LM_SIZE, LM_SIZE, ih=2, kh=3), Cause.BAD_OPERAND, 3),
    (conv(0, 0, 0, iw=4, kw=2, dw=4), Cause.BAD_OPERAND, 5),
    (conv(0, 0, 0, sh=0), Cause.BAD_OPERAND, 0),
    (conv(0, 0, 0, padval=-129), Cause.BAD_OPERAND, 0xFFFFFF7F),
    (gemm(0, 0, 0, m=0x10000), Cause.BAD_OPERAND, 0x10000),
]


@pytest.mark.parametrize("program, cause, tval", TRAPS)
def test_traps_change_nothing(program, cause, tval):
    m = machine(program)
    m.state.lm[:] = np.arange(LM_SIZE) * 7 + 3
    m.state.acc[:] = np.arange(ACC_WORDS) * 1001 - 5
    before = (m.state.lm.tobytes(), m.state.acc.tobytes())
    s = m.run(10_000)
    assert s.trap is not None and (s.trap.cause, s.trap.tval) == (cause, tval), s.trap
    assert s.trap.pc == 8 * (len(program) - 1)
    assert (s.lm.tobytes(), s.acc.tobytes()) == before


def test_window_trap_message():
    s = machine(conv(0, 0, 0, ih=2, kh=3)).run(100)
    assert s.trap.message == ("conv: window larger than padded input: the height window spans 3 "
                              "(kernel 3, dilation 1) but the padded input height is 2")


def wrap(v):
    return (v - I32_MIN) % (1 << 32) + I32_MIN


def s8(byte):
    return byte - 256 * (byte > 127)


@given(st.data())
def test_gemm_matches_naive_loops(data):
    m, n, k = (data.draw(st.integers(0, 4)) for _ in range(3))
    lda, ldb, ldc = (data.draw(st.integers(0, 5)) for _ in range(3))
    u, acc = data.draw(st.booleans()), data.draw(st.booleans())
    a, b = (data.draw(st.binary(min_size=32, max_size=32)) for _ in range(2))
    old = data.draw(st.lists(st.integers(I32_MIN, I32_MAX), min_size=32, max_size=32))
    expect = list(old)
    aval = (lambda byte: byte) if u else s8
    tile = [[sum(aval(a[i * lda + kk]) * s8(b[kk * ldb + j]) for kk in range(k))
             + (old[i * ldc + j] if acc else 0) for j in range(n)] for i in range(m)]
    for i in range(m):                        # rows written in order: a later row wins
        for j in range(n):
            expect[i * ldc + j] = wrap(tile[i][j])
    s = run(gemm(0, 0, 0x100, acc=acc, u=u, m=m, n=n, k=k, lda=lda, ldb=ldb, ldc=ldc),
            {0: a, 0x100: b}, acc={0: old})
    assert acc_words(s, 0, 32) == expect


@given(st.data())
def test_conv_matches_naive_loops(data):
    g = {name: data.draw(st.integers(lo, hi)) for name, lo, hi in [
        ("ih", 1, 5), ("iw", 1, 5), ("c", 1, 3), ("oc", 1, 3), ("kh", 1, 3), ("kw", 1, 3),
        ("sh", 1, 3), ("sw", 1, 3), ("dh", 1, 2), ("dw", 1, 2), ("pt", 0, 2), ("pb", 0, 2),
        ("pl", 0, 2), ("pr", 0, 2), ("padval", -128, 255)]}
    u, acc, depthwise = (data.draw(st.booleans()) for _ in range(3))
    num_h = g["ih"] + g["pt"] + g["pb"] - g["dh"] * (g["kh"] - 1) - 1
    num_w = g["iw"] + g["pl"] + g["pr"] - g["dw"] * (g["kw"] - 1) - 1
    assume(num_h >= 0 and num_w >= 0)
    oh, ow = num_h // g["sh"] + 1, num_w // g["sw"] + 1
    ch, oc = g["c"], g["c"] if depthwise else g["oc"]
    x = data.draw(st.binary(min_size=g["ih"] * g["iw"] * ch, max_size=g["ih"] * g["iw"] * ch))
    nw = g["kh"] * g["kw"] * ch * (1 if depthwise else oc)
    w = data.draw(st.binary(min_size=nw, max_size=nw))
    old = data.draw(st.lists(st.integers(I32_MIN, I32_MAX), min_size=oh * ow * oc,
                             max_size=oh * ow * oc))
    xval = (lambda byte: byte) if u else s8
    expect = []
    for y in range(oh):
        for xo in range(ow):
            for o in range(oc):
                total = old[len(expect)] if acc else 0
                for i in range(g["kh"]):
                    for j in range(g["kw"]):
                        r = y * g["sh"] + i * g["dh"] - g["pt"]
                        col = xo * g["sw"] + j * g["dw"] - g["pl"]
                        for cin in ([o] if depthwise else range(ch)):
                            inside = 0 <= r < g["ih"] and 0 <= col < g["iw"]
                            v = xval(x[(r * g["iw"] + col) * ch + cin] if inside
                                     else g["padval"] & 0xFF)
                            wi = ((i * g["kw"] + j) * ch + cin) * (1 if depthwise else oc)
                            total += v * s8(w[wi if depthwise else wi + o])
                expect.append(wrap(total))
    s = run(conv(0x100, 0, 0x800, acc=acc, u=u, depthwise=depthwise, **g), {0: x, 0x800: w},
            acc={0x100: old})
    assert acc_words(s, 0x100, len(expect)) == expect

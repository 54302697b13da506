# Reference model: every VE instruction run through RefMachine against hand-computed results.
import numpy as np
import pytest

from thead_isa.isa import encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME
from thead_isa.isa.traps import Cause
from thead_isa.refmodel.machine import RefMachine

CONFIG = preset("small")
LM, ACC = CONFIG.lm_bytes, CONFIG.acc_words
I32MIN, I32MAX = -(1 << 31), (1 << 31) - 1


def i8(*v):
    return np.array(v, np.int8)


def u8(*v):
    return np.array(v, np.uint8)


def i32(*v):
    return np.array(v, "<i4")


def f32(*v):
    return np.array(v, "<f4")


def _machine(mn, ops, csr, lm, acc, flags):
    """A program that loads each operand's value into its own register (x1, x2, ... in order),
    writes the CSRs, runs mn and halts; LM and ACC preloaded (ACC addresses in words)."""
    m = RefMachine(CONFIG)
    regs = {name: i + 1 for i, name in enumerate(ops)}
    prog = [encode("addi", rd=regs[name], rs1=0, imm=v) for name, v in ops.items()]
    prog += [encode("csrwi", csr=BY_NAME[name].number, imm=v) for name, v in csr.items()]
    prog += [encode(mn, **regs, **flags), encode("halt", rs1=0)]
    m.load_program(prog)
    for addr, data in lm.items():
        m.write("lm", addr, data)
    for addr, data in acc.items():
        m.write("acc", 4 * addr, np.asarray(data, np.int32))
    return m, 8 * (len(ops) + len(csr))


def execute(mn, ops, csr=None, lm=None, acc=None, **flags) -> RefMachine:
    m, _ = _machine(mn, ops, csr or {}, lm or {}, acc or {}, flags)
    m.run(100)
    assert m.state.trap is None, str(m.state.trap)
    assert m.state.halted
    return m


def trap(mn, ops, csr=None, lm=None, acc=None, **flags):
    """Run an instruction that must trap; checks that it changed no memory."""
    m, pc = _machine(mn, ops, csr or {}, lm or {}, acc or {}, flags)
    lm0, acc0 = m.state.lm.copy(), m.state.acc.copy()
    m.run(100)
    t = m.state.trap
    assert t is not None and t.pc == pc, t
    assert np.array_equal(m.state.lm, lm0) and np.array_equal(m.state.acc, acc0)
    return t


def lm_read(m, addr, n, dtype=np.int8):
    dtype = np.dtype(dtype)
    return np.frombuffer(m.read("lm", addr, n * dtype.itemsize), dtype).tolist()


def acc_read(m, addr, n):
    return np.frombuffer(m.read("acc", 4 * addr, 4 * n), "<i4").tolist()


def fp_params(bias, scale):
    """vrq.fp's parameter block: int32 bias[cols], then float32 scale[cols]."""
    return np.concatenate([i32(*bias).view(np.uint8), f32(*scale).view(np.uint8)])


def shape(rows, cols, **extra):
    return {"ve_rows": rows, "ve_cols": cols, **extra}


# --- vrq.fx -----------------------------------------------------------------------------------

RQ = {"dst": 0, "src": 0, "p": 64}


def test_vrq_fx_per_column_scale_and_zero_point():
    # column 0: (acc + 1) * 0.5, column 1: acc * 0.25; zp -1
    # 11 * 0.5 = 5.5 -> 6 -> 5;   -6 * 0.5 = -3 -> -4;   10 * 0.25 = 2.5 -> 3 -> 2;   7.5 -> 8 -> 7
    m = execute("vrq.fx", RQ, shape(2, 2, ve_zp=-1), acc={0: [10, 10, -7, 30]},
                lm={64: i32(1, 0, 1 << 30, 1 << 30, 0, -1)})
    assert lm_read(m, 0, 4) == [5, 2, -4, 7]


def test_vrq_fx_unsigned_relu_and_saturation():
    # x 0.5, zp 128, clamp [128 (ReLU), 255]: -500, 1, 150, 500 -> 128, 129, 255, 255
    m = execute("vrq.fx", RQ, shape(1, 4, ve_zp=128, ve_qmin=128, ve_qmax=255),
                acc={0: [-1000, 2, 300, 1000]},
                lm={64: i32(0, 0, 0, 0, *[1 << 30] * 4, 0, 0, 0, 0)}, u=True)
    assert lm_read(m, 0, 4, np.uint8) == [128, 129, 255, 255]


def test_vrq_fx_wraps_the_bias_and_saturates_the_left_shift():
    # (2^31-1) + 1 wraps to INT32_MIN -> -128;  2 << 31 saturates to 2^31-1, times 1/2^31 -> 1;
    # -1 << 31 = INT32_MIN exactly -> -1
    m = execute("vrq.fx", RQ, shape(1, 3), acc={0: [I32MAX, 2, -1]},
                lm={64: i32(1, 0, 0, I32MAX, 1, 1, 0, 31, 31)})
    assert lm_read(m, 0, 3) == [-128, 1, -1]


@pytest.mark.parametrize("bad_shift", [32, -32])
def test_vrq_fx_shift_out_of_range(bad_shift):
    t = trap("vrq.fx", RQ, shape(1, 2), lm={64: i32(0, 0, 1, 1, 0, bad_shift)})
    assert (t.cause, t.tval) == (Cause.BAD_OPERAND, bad_shift & 0xFFFFFFFF)
    assert "shift[1]" in t.message


def test_vrq_qmin_above_qmax():
    t = trap("vrq.fx", RQ, shape(1, 1, ve_qmin=5, ve_qmax=4), lm={64: i32(0, 1, 0)})
    assert (t.cause, t.tval) == (Cause.BAD_OPERAND, 5)


@pytest.mark.parametrize("ops, cause, tval", [
    ({"dst": LM - 2, "src": 0, "p": 64}, Cause.LM_FAULT, LM),           # 4 bytes at LM - 2
    ({"dst": 0, "src": ACC - 1, "p": 64}, Cause.ACC_FAULT, ACC),        # 4 words at ACC - 1
    ({"dst": 0, "src": 0, "p": 66}, Cause.MISALIGNED_ACCESS, 66),
    ({"dst": 0, "src": 0, "p": LM - 16}, Cause.LM_FAULT, LM),           # 24 parameter bytes
    ({"dst": LM, "src": ACC, "p": 66}, Cause.LM_FAULT, LM),             # syntax order: dst first
    ({"dst": 0, "src": ACC, "p": 66}, Cause.ACC_FAULT, ACC),
])
def test_vrq_fx_memory_traps(ops, cause, tval):
    t = trap("vrq.fx", ops, shape(2, 2))
    assert (t.cause, t.tval) == (cause, tval)


# --- vrq.fp -----------------------------------------------------------------------------------

def test_vrq_fp_rounds_half_to_even_in_float32():
    # 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, -3.5 -> -4; 41943041 is 41943040 in float32, times 2^-24
    # exactly 2.5 -> 2; 3 * 0.833333373 = 2.50000012 rounds to 2.5 in float32 -> 2 (float64: 3)
    acc = [5, 7, -5, -7, 41943041, 3]
    scale = [0.5, 0.5, 0.5, 0.5, 2.0 ** -24, np.uint32(0x3F555556).view(np.float32)]
    m = execute("vrq.fp", RQ, shape(1, 6), acc={0: acc}, lm={64: fp_params([0] * 6, scale)})
    assert lm_read(m, 0, 6) == [2, 4, -2, -4, 2, 2]


def test_vrq_fp_unsigned_with_bias_and_negative_scale():
    # (-100) * 1 + 10 -> 0;  (100 + 5) * 0.5 = 52.5 -> 52 -> 62;  (-100) * -1 + 10 = 110
    m = execute("vrq.fp", RQ, shape(1, 3, ve_zp=10), acc={0: [-100, 100, -100]},
                lm={64: fp_params([0, 5, 0], [1.0, 0.5, -1.0])}, u=True)
    assert lm_read(m, 0, 3, np.uint8) == [0, 62, 110]


@pytest.mark.parametrize("bad, bits", [(np.inf, 0x7F800000), (-np.inf, 0xFF800000),
                                       (np.nan, 0x7FC00000)])
def test_vrq_fp_non_finite_scale(bad, bits):
    t = trap("vrq.fp", RQ, shape(1, 2), lm={64: fp_params([0, 0], [1.0, bad])})
    assert (t.cause, t.tval) == (Cause.BAD_OPERAND, bits)
    assert "scale[1]" in t.message


def test_vrq_fp_parameter_block_is_two_words_per_column():
    execute("vrq.fp", {"dst": 0, "src": 0, "p": LM - 16}, shape(2, 2))      # scales 0.0
    t = trap("vrq.fp", {"dst": 0, "src": 0, "p": LM - 12}, shape(2, 2))   # needs 16 bytes
    assert (t.cause, t.tval) == (Cause.LM_FAULT, LM)


# --- vqadd ------------------------------------------------------------------------------------

QA = {"dst": 0, "a": 16, "b": 32, "p": 64}
# a: scale 0.5, zp 1; b: scale 0.25, zp -3; output scale 0.75 (TFLite's add preparation)
ADD = i32(20, 1, 1 << 30, 0, -3, 1 << 30, -1, 1431655765, -19)


def test_vqadd_int8():
    # 0.5*8 + 0.25*8 = 6 = 8*0.75 -> 10;  both at zero point -> 2;  95.5/0.75 = 127.3 -> 129 -> 127;
    # -95.75/0.75 = -127.67 -> -128 + 2 = -126;  0.5/0.75 = 0.67 -> 1 -> 3;  -0.5 + 0.5 -> 2
    m = execute("vqadd", QA, shape(2, 3, ve_zp=2),
                lm={16: i8(9, 1, 127, -128, 2, 0), 32: i8(5, -3, 127, -128, -3, -1), 64: ADD})
    assert lm_read(m, 0, 6) == [10, 2, 127, -126, 3, 2]


def test_vqadd_uint8_rounds_half_away_from_zero():
    # zero points 128, scales 0.5 and 0.5, output scale 1, output zp 128: y = (a + b)/2 - 128 + 128
    p = i32(20, 128, 1 << 30, 0, 128, 1 << 30, 0, 1 << 30, -19)
    m = execute("vqadd", QA, shape(1, 5, ve_zp=128),
                lm={16: u8(200, 255, 0, 129, 127), 32: u8(100, 255, 0, 128, 128), 64: p}, u=True)
    assert lm_read(m, 0, 5, np.uint8) == [150, 255, 0, 129, 127]      # 0.5 -> 1, -0.5 -> -1


def test_vqadd_clamps_to_qmin_qmax():
    m = execute("vqadd", QA, shape(1, 3, ve_zp=2, ve_qmin=0, ve_qmax=6),
                lm={16: i8(9, -128, 1), 32: i8(5, -128, -3), 64: ADD})
    assert lm_read(m, 0, 3) == [6, 0, 2]


@pytest.mark.parametrize("index, value", [(0, 21), (0, -1), (3, 32), (6, -32), (8, 40)])
def test_vqadd_shift_out_of_range(index, value):
    p = ADD.copy()
    p[index] = value
    t = trap("vqadd", QA, shape(1, 1), lm={64: p})
    assert (t.cause, t.tval) == (Cause.BAD_OPERAND, value & 0xFFFFFFFF)


@pytest.mark.parametrize("ops, cause, tval", [
    ({"dst": 0, "a": 16, "b": LM - 1, "p": 64}, Cause.LM_FAULT, LM),
    ({"dst": 0, "a": 16, "b": 32, "p": 62}, Cause.MISALIGNED_ACCESS, 62),
    ({"dst": 0, "a": LM - 1, "b": LM + 10, "p": 62}, Cause.LM_FAULT, LM),    # a before b, p
])
def test_vqadd_memory_traps(ops, cause, tval):
    t = trap("vqadd", ops, shape(1, 2), lm={64: ADD})
    assert (t.cause, t.tval) == (cause, tval)


# --- vmaxpool / vavgpool ----------------------------------------------------------------------

POOL = {"dst": 100, "src": 0}
# 3x3 input, 2x2 window, stride 1, one padding position on every side: a 4x4 output whose
# output (y, x) covers input rows y-1..y and columns x-1..x
PAD1 = dict(win_ih=3, win_iw=3, win_c=1, win_kh=2, win_kw=2, win_pt=1, win_pb=1, win_pl=1,
            win_pr=1)


def test_vmaxpool_ignores_padding():
    m = execute("vmaxpool", POOL, PAD1, lm={0: i8(-1, -2, -3, -4, -5, -6, -7, -8, -9)})
    assert lm_read(m, 100, 16) == [-1, -1, -2, -3,
                                   -1, -1, -2, -3,
                                   -4, -4, -5, -6,
                                   -7, -7, -8, -9]


def test_vmaxpool_uint8_channels_stride_and_dilation():
    # 5x5x2, kernel 2x2 dilated by 2 (span 3), stride 2: output (y, x) sees rows {2y, 2y+2} and
    # columns {2x, 2x+2}. Channel 0 holds 5r + c, channel 1 holds 255 - (5r + c).
    v = np.arange(25)
    src = np.stack([v, 255 - v], axis=1).astype(np.uint8).reshape(-1)
    csr = dict(win_ih=5, win_iw=5, win_c=2, win_kh=2, win_kw=2, win_dh=2, win_dw=2, win_sh=2,
               win_sw=2)
    m = execute("vmaxpool", POOL, csr, lm={0: src}, u=True)
    assert lm_read(m, 100, 8, np.uint8) == [12, 255, 14, 253, 22, 245, 24, 243]


def test_vavgpool_divides_by_valid_positions_rounding_half_away():
    # rows: {1} {1,4}=2.5 {4,-5}=-0.5 {-5} / {1,2}=1.5 {1,4,2,0}=1.75 {4,-5,0,-1}=-0.5 {-5,-1}
    # / {2,-3}=-0.5 {2,0,-3,6}=1.25 {0,-1,6,7}=3 {-1,7}=3 / {-3} {-3,6}=1.5 {6,7}=6.5 {7}
    m = execute("vavgpool", POOL, PAD1, lm={0: i8(1, 4, -5, 2, 0, -1, -3, 6, 7)})
    assert lm_read(m, 100, 16) == [1, 3, -1, -5,
                                   2, 2, -1, -3,
                                   -1, 1, 3, 3,
                                   -3, 2, 7, 7]


def test_vavgpool_uint8():
    csr = dict(win_ih=1, win_iw=4, win_kw=2, win_sw=2)
    m = execute("vavgpool", POOL, csr, lm={0: u8(255, 254, 1, 2)}, u=True)
    assert lm_read(m, 100, 2, np.uint8) == [255, 2]                   # 254.5 -> 255, 1.5 -> 2


@pytest.mark.parametrize("mn", ["vmaxpool", "vavgpool"])
@pytest.mark.parametrize("csr, tval", [
    (dict(win_ih=2, win_kh=3), 3),                                     # window spans 3 > 2
    (dict(win_iw=4, win_kw=2, win_dw=4), 5),                           # dilated span 5 > 4
    (dict(win_ih=2, win_iw=2, win_pr=1), 2),                           # output (0, 2): padding only
    (dict(win_ih=2, win_iw=2, win_pt=2, win_kh=2), 0),                 # output (0, 0): padding only
])
def test_pool_bad_geometry(mn, csr, tval):
    t = trap(mn, POOL, csr)
    assert (t.cause, t.tval) == (Cause.BAD_OPERAND, tval)


@pytest.mark.parametrize("ops, tval", [
    ({"dst": LM - 15, "src": 0}, LM),                                  # 16 output bytes
    ({"dst": 100, "src": LM - 8}, LM),                                 # 9 input bytes
])
def test_pool_bounds(ops, tval):
    t = trap("vmaxpool", ops, PAD1)
    assert (t.cause, t.tval) == (Cause.LM_FAULT, tval)


# --- vgap -------------------------------------------------------------------------------------

def test_vgap_int8():
    m = execute("vgap", POOL, shape(4, 2), lm={0: i8(1, -1, 2, -2, 3, -3, 4, -4)})
    assert lm_read(m, 100, 2) == [3, -3]                               # 2.5 -> 3, -2.5 -> -3


def test_vgap_uint8():
    m = execute("vgap", POOL, shape(4, 2), lm={0: u8(255, 0, 255, 1, 254, 2, 0, 0)}, u=True)
    assert lm_read(m, 100, 2, np.uint8) == [191, 1]                    # 764/4, 3/4 -> 1


def test_vgap_zero_rows():
    t = trap("vgap", POOL, shape(0, 2))
    assert t.cause == Cause.BAD_OPERAND


# --- vlut -------------------------------------------------------------------------------------

def test_vlut_indexes_with_unsigned_bytes():
    table = ((np.arange(256) * 7 + 3) & 0xFF).astype(np.uint8)
    m = execute("vlut", {"dst": 300, "src": 0, "table": 1000}, shape(1, 5),
                lm={0: u8(0, 1, 128, 255, 200), 1000: table})
    assert lm_read(m, 300, 5, np.uint8) == [3, 10, 131, 252, 123]        # (7i + 3) mod 256


def test_vlut_table_bounds():
    t = trap("vlut", {"dst": 300, "src": 0, "table": LM - 100}, shape(1, 5))
    assert (t.cause, t.tval) == (Cause.LM_FAULT, LM)


# --- row reductions ---------------------------------------------------------------------------

RED = {"dst": 100, "src": 0}


@pytest.mark.parametrize("u, src, vmax, vsum", [
    (False, i8(-5, 3, -128, -1, -2, -3), [3, -1], [-130, -6]),
    (True, u8(255, 3, 0, 128, 127, 1), [255, 128], [258, 256]),
])
def test_byte_row_reductions(u, src, vmax, vsum):
    m = execute("vrmax.b", RED, shape(2, 3), lm={0: src}, u=u)
    assert lm_read(m, 100, 2, np.uint8 if u else np.int8) == vmax
    m = execute("vrsum.b", RED, shape(2, 3), lm={0: src}, u=u)
    assert lm_read(m, 100, 2, "<i4") == vsum


def test_vrsum_b_misaligned_destination():
    t = trap("vrsum.b", {"dst": 102, "src": 0}, shape(2, 3))
    assert (t.cause, t.tval) == (Cause.MISALIGNED_ACCESS, 102)


def test_vrsum_b_destination_bounds():
    t = trap("vrsum.b", {"dst": LM - 4, "src": 0}, shape(2, 3))       # 8 bytes
    assert (t.cause, t.tval) == (Cause.LM_FAULT, LM)


def test_word_row_reductions_wrap():
    acc = {0: [I32MAX, 1, -5, -7]}
    m = execute("vrmax.w", RED, shape(2, 2), acc=acc)
    assert acc_read(m, 100, 2) == [I32MAX, -5]
    m = execute("vrsum.w", RED, shape(2, 2), acc=acc)
    assert acc_read(m, 100, 2) == [I32MIN, -12]


@pytest.mark.parametrize("mn", ["vrmax.b", "vrmax.w"])
def test_row_max_of_empty_rows(mn):
    t = trap(mn, RED, shape(2, 0))
    assert t.cause == Cause.BAD_OPERAND


def test_row_sums_of_empty_rows_are_zero():
    m = execute("vrsum.b", RED, shape(2, 0), lm={100: i32(7, 7)})
    assert lm_read(m, 100, 2, "<i4") == [0, 0]
    m = execute("vrsum.w", RED, shape(2, 0), acc={100: [7, 7]})
    assert acc_read(m, 100, 2) == [0, 0]


def test_vrmax_w_destination_bounds():
    t = trap("vrmax.w", {"dst": ACC - 1, "src": 0}, shape(2, 2))
    assert (t.cause, t.tval) == (Cause.ACC_FAULT, ACC)


# --- vacc.ld / vacc.st ------------------------------------------------------------------------

def test_vacc_load_and_store():
    values = [1, -2, I32MAX, I32MIN]
    m = execute("vacc.ld", {"dst": 10, "src": 8}, shape(2, 2), lm={8: i32(*values)})
    assert acc_read(m, 10, 4) == values
    m = execute("vacc.st", {"dst": 12, "src": 10}, shape(2, 2), acc={10: values})
    assert lm_read(m, 12, 4, "<i4") == values


@pytest.mark.parametrize("mn, ops, cause, tval", [
    ("vacc.ld", {"dst": 0, "src": 6}, Cause.MISALIGNED_ACCESS, 6),
    ("vacc.ld", {"dst": ACC - 3, "src": 6}, Cause.ACC_FAULT, ACC),    # dst is checked first
    ("vacc.ld", {"dst": 0, "src": LM - 12}, Cause.LM_FAULT, LM),
    ("vacc.st", {"dst": 6, "src": 0}, Cause.MISALIGNED_ACCESS, 6),
    ("vacc.st", {"dst": LM - 12, "src": 0}, Cause.LM_FAULT, LM),
    ("vacc.st", {"dst": 0, "src": ACC - 2}, Cause.ACC_FAULT, ACC),
])
def test_vacc_traps(mn, ops, cause, tval):
    t = trap(mn, ops, shape(2, 2))
    assert (t.cause, t.tval) == (cause, tval)


# --- elementwise ------------------------------------------------------------------------------

EW = {"dst": 200, "a": 0, "b": 100}
W_A, W_B = [I32MAX, -5, 7, I32MIN], [1, 3, -2, -1]
WORDS = {
    "add": [I32MIN, -2, 5, I32MAX],
    "sub": [I32MAX - 1, -8, 9, I32MIN + 1],
    "mul": [I32MAX, -15, -14, I32MIN],
    "max": [I32MAX, 3, 7, -1],
    "min": [1, -5, -2, I32MIN],
    "sra": [(1 << 30) - 1, -1, 0, -1],                 # shifts 1, 3, 30, 31
    "sll": [-2, -40, -(1 << 30), 0],                   # 7 << 30 = 3 * 2^30 mod 2^32
}
WORDS_X = {                                            # b = x[b] = -3; shifts by -3 & 31 = 29
    "add": [I32MAX - 3, -8, 4, I32MAX - 2],
    "sub": [I32MIN + 2, -2, 10, I32MIN + 3],
    "mul": [I32MIN + 3, 15, -21, I32MIN],
    "max": [I32MAX, -3, 7, -3],
    "min": [-3, -5, -3, I32MIN],
    "sra": [3, -1, 0, -4],
    "sll": [-(1 << 29), 3 << 29, -(1 << 29), 0],
}
B_A, B_B = i8(100, -100, 7, -128, 5), i8(100, 100, -3, -1, 9)
BYTES = {
    "add": [127, 0, 4, -128, 14],
    "sub": [0, -128, 10, -127, -4],
    "mul": [127, -128, -21, 127, 45],
    "max": [100, 100, 7, -1, 9],
    "min": [100, -100, -3, -128, 5],
    "sra": [6, -7, 0, -1, 2],                          # shifts 4, 4, 5, 7, 1
    "sll": [127, -128, 127, -128, 10],
}
U_A, U_B = u8(200, 10, 255, 0, 128), u8(100, 20, 1, 0, 9)
UBYTES = {
    "add": [255, 30, 255, 0, 137],
    "sub": [100, 0, 254, 0, 119],
    "mul": [255, 200, 255, 0, 255],
    "max": [200, 20, 255, 0, 128],
    "min": [100, 10, 1, 0, 9],
    "sra": [12, 0, 127, 0, 64],                        # logical: 200 >> 4 = 12
    "sll": [255, 160, 255, 0, 255],
}
BYTES_X = {                                            # b = x[b] = -123; shifts by 5
    "add": [-23, -128, -116, -128, -118],
    "sub": [127, 23, 127, -5, 127],
    "mul": [-128, 127, -128, 127, -128],
    "max": [100, -100, 7, -123, 5],
    "min": [-123, -123, -123, -128, -123],
    "sra": [3, -4, 0, -4, 0],
    "sll": [127, -128, 127, -128, 127],
}


@pytest.mark.parametrize("op", WORDS)
def test_eltwise_words(op):
    m = execute(f"v{op}.w", EW, shape(2, 2), acc={0: W_A, 100: W_B})
    assert acc_read(m, 200, 4) == WORDS[op]
    m = execute(f"v{op}.wx", {**EW, "b": -3}, shape(2, 2), acc={0: W_A})
    assert acc_read(m, 200, 4) == WORDS_X[op]


@pytest.mark.parametrize("op", BYTES)
def test_eltwise_bytes(op):
    m = execute(f"v{op}.b", EW, shape(1, 5), lm={0: B_A, 100: B_B})
    assert lm_read(m, 200, 5) == BYTES[op]
    m = execute(f"v{op}.b", EW, shape(1, 5), lm={0: U_A, 100: U_B}, u=True)
    assert lm_read(m, 200, 5, np.uint8) == UBYTES[op]
    m = execute(f"v{op}.bx", {**EW, "b": -123}, shape(1, 5), lm={0: B_A})
    assert lm_read(m, 200, 5) == BYTES_X[op]


def test_eltwise_bx_register_is_signed_in_unsigned_mode():
    m = execute("vadd.bx", {**EW, "b": -1}, shape(1, 3), lm={0: u8(255, 0, 7)}, u=True)
    assert lm_read(m, 200, 3, np.uint8) == [254, 0, 6]
    m = execute("vmul.bx", {**EW, "b": 1 << 20}, shape(1, 3), lm={0: u8(0, 1, 7)}, u=True)
    assert lm_read(m, 200, 3, np.uint8) == [0, 255, 255]


def test_eltwise_in_place():
    m = execute("vadd.w", {"dst": 0, "a": 0, "b": 0}, shape(1, 2), acc={0: [3, -4]})
    assert acc_read(m, 0, 2) == [6, -8]


@pytest.mark.parametrize("mn, ops, cause, tval", [
    ("vadd.w", {"dst": ACC - 1, "a": ACC, "b": ACC}, Cause.ACC_FAULT, ACC),
    ("vadd.w", {"dst": 0, "a": ACC - 3, "b": 0}, Cause.ACC_FAULT, ACC),
    ("vadd.w", {"dst": 0, "a": 0, "b": ACC + 5}, Cause.ACC_FAULT, ACC + 5),
    ("vadd.wx", {"dst": ACC - 3, "a": 0, "b": ACC}, Cause.ACC_FAULT, ACC),
    ("vsub.b", {"dst": 0, "a": LM - 1, "b": LM}, Cause.LM_FAULT, LM),
    ("vsub.bx", {"dst": 0, "a": LM - 3, "b": LM}, Cause.LM_FAULT, LM),
])
def test_eltwise_bounds(mn, ops, cause, tval):
    t = trap(mn, ops, shape(2, 2))
    assert (t.cause, t.tval) == (cause, tval)

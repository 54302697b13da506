# The instruction table: one row per instruction, the single source of truth for the ISA.
from __future__ import annotations

from .csrs import csr_name
from .operands import (EMASK, ESZ, FLAG, IMM32, PCREL, SEMOPT, SHAMT, SREG, UIMM32, XREG,
                       CsrKind, Operand)
from .spec import Alias, Insn

CSR = CsrKind("csr", 0, 0xFFF, doc="CSR name or number 0..0xfff", names=csr_name)


def _x(name, fld):
    return Operand(name, XREG, (fld,))


def _imm(name, kind=IMM32):
    return Operand(name, kind, ("imm32",))


_SYNC = (Operand("wait", SEMOPT, ("we", "ws"), option=True),
         Operand("sig", SEMOPT, ("se", "ss"), option=True))


def _flag(name):
    return Operand(name, FLAG, (name,), option=True, default=False)


def cp(mn, op, iclass, syntax, operands, timing, text):
    return Insn(mn, op, "cp", iclass, syntax, tuple(operands), timing, text)


def eng(engine, mn, op, iclass, syntax, operands, timing, text, csrs=(), flags=()):
    ops = tuple(operands) + tuple(flags) + _SYNC
    return Insn(mn, op, engine, iclass, syntax, ops, timing, text, tuple(csrs))


RD, RS1, RS2 = _x("rd", "r0"), _x("rs1", "r1"), _x("rs2", "r2")
_RRR = ("{rd}, {rs1}, {rs2}", (RD, RS1, RS2))
_RRI = ("{rd}, {rs1}, {imm}", (RD, RS1, _imm("imm", UIMM32)))
_RRSH = ("{rd}, {rs1}, {shamt}", (RD, RS1, _imm("shamt", SHAMT)))
_BR = ("{rs1}, {rs2}, {off}", (RS1, RS2, _imm("off", PCREL)))
_LD = ("{rd}, {off}({rs1})", (RD, RS1, _imm("off")))
_ST = ("{rs2}, {off}({rs1})", (RS2, RS1, _imm("off")))

_ALU_RR = [
    ("add",  0x01, "alu", "x[rd] = x[rs1] + x[rs2], wrapping modulo 2^32."),
    ("sub",  0x02, "alu", "x[rd] = x[rs1] - x[rs2], wrapping modulo 2^32."),
    ("and",  0x03, "alu", "x[rd] = x[rs1] & x[rs2]."),
    ("or",   0x04, "alu", "x[rd] = x[rs1] | x[rs2]."),
    ("xor",  0x05, "alu", "x[rd] = x[rs1] ^ x[rs2]."),
    ("sll",  0x06, "alu", "x[rd] = x[rs1] << (x[rs2] & 31)."),
    ("srl",  0x07, "alu", "x[rd] = x[rs1] >> (x[rs2] & 31), logical (zero-filling)."),
    ("sra",  0x08, "alu", "x[rd] = x[rs1] >> (x[rs2] & 31), arithmetic (sign-filling)."),
    ("slt",  0x09, "alu", "x[rd] = 1 if x[rs1] < x[rs2] as signed integers, else 0."),
    ("sltu", 0x0A, "alu", "x[rd] = 1 if x[rs1] < x[rs2] as unsigned integers, else 0."),
    ("mul",  0x0B, "mul", "x[rd] = low 32 bits of x[rs1] * x[rs2]."),
    ("mulh", 0x0C, "mul", "x[rd] = high 32 bits of the 64-bit product of x[rs1] and x[rs2], "
                          "both signed."),
    ("mulhu", 0x0D, "mul", "x[rd] = high 32 bits of the 64-bit product of x[rs1] and x[rs2], "
                           "both unsigned."),
]
_ALU_RI = [
    ("addi", 0x10, _RRI, "x[rd] = x[rs1] + imm, wrapping modulo 2^32."),
    ("andi", 0x11, _RRI, "x[rd] = x[rs1] & imm."),
    ("ori",  0x12, _RRI, "x[rd] = x[rs1] | imm."),
    ("xori", 0x13, _RRI, "x[rd] = x[rs1] ^ imm."),
    ("slli", 0x14, _RRSH, "x[rd] = x[rs1] << shamt."),
    ("srli", 0x15, _RRSH, "x[rd] = x[rs1] >> shamt, logical."),
    ("srai", 0x16, _RRSH, "x[rd] = x[rs1] >> shamt, arithmetic."),
    ("slti", 0x17, _RRI, "x[rd] = 1 if x[rs1] < imm as signed integers, else 0."),
    ("sltiu", 0x18, _RRI, "x[rd] = 1 if x[rs1] < imm as unsigned integers (imm sign-extended "
                          "to 32 bits first), else 0."),
]
_BRANCH = [
    ("beq",  0x20, "equal"),
    ("bne",  0x21, "not equal"),
    ("blt",  0x22, "less than, signed"),
    ("bge",  0x23, "greater than or equal, signed"),
    ("bltu", 0x24, "less than, unsigned"),
    ("bgeu", 0x25, "greater than or equal, unsigned"),
]
_LOADS = [
    ("lb",  0x28, "a byte, sign-extended"),
    ("lbu", 0x29, "a byte, zero-extended"),
    ("lh",  0x2A, "a 16-bit halfword (2-byte aligned), sign-extended"),
    ("lhu", 0x2B, "a 16-bit halfword (2-byte aligned), zero-extended"),
    ("lw",  0x2C, "a 32-bit word (4-byte aligned)"),
]
_STORES = [
    ("sb", 0x2D, "the low byte of x[rs2]"),
    ("sh", 0x2E, "the low 16 bits of x[rs2] (2-byte aligned)"),
    ("sw", 0x2F, "x[rs2] (4-byte aligned)"),
]

_CP_ROWS = (
    [cp(mn, op, cls, *_RRR, cls, text) for mn, op, cls, text in _ALU_RR]
    + [cp(mn, op, "alu", *syn, "alu", text) for mn, op, syn, text in _ALU_RI]
    + [cp(mn, op, "branch", *_BR, "branch",
          f"If x[rs1] and x[rs2] compare {cond}, jump to pc + off (modulo 2^32); otherwise "
          f"continue at pc + 8.")
       for mn, op, cond in _BRANCH]
    + [
        cp("jal", 0x26, "jump", "{rd}, {off}", (RD, _imm("off", PCREL)), "jump",
           "x[rd] = pc + 8; jump to pc + off (modulo 2^32)."),
        cp("jalr", 0x27, "jump", "{rd}, {off}({rs1})", (RD, RS1, _imm("off")), "jump",
           "t = x[rs1] + off (modulo 2^32); x[rd] = pc + 8; jump to t. A target that is not a "
           "multiple of 8 traps (misaligned_fetch) with tval = t and changes nothing."),
    ]
    + [cp(mn, op, "load", *_LD, "load",
          f"x[rd] = {what} read from GM at address x[rs1] + off. The address is computed "
          f"without wrapping; an access outside GM traps (gm_fault), a misaligned one traps "
          f"(misaligned_access).") for mn, op, what in _LOADS]
    + [cp(mn, op, "store", *_ST, "store",
          f"Write {what} to GM at address x[rs1] + off. Out-of-range and misaligned accesses "
          f"trap as for loads.") for mn, op, what in _STORES]
    + [
        cp("csrr", 0x30, "csr", "{rd}, {csr}", (RD, Operand("csr", CSR, ("csr",))), "csr",
           "x[rd] = the CSR's value. An unknown CSR number traps (illegal_instruction)."),
        cp("csrw", 0x31, "csr", "{csr}, {rs1}", (Operand("csr", CSR, ("csr",)), RS1), "csr",
           "CSR = x[rs1]. A read-only or unknown CSR traps (illegal_instruction). Configuration "
           "CSRs store any 32-bit value; the engine instruction that reads one checks its range."),
        cp("csrwi", 0x32, "csr", "{csr}, {imm}",
           (Operand("csr", CSR, ("csr",)), _imm("imm", UIMM32)),
           "csr", "CSR = imm (its low 32 bits). Traps as csrw."),
        cp("sync", 0x38, "sync", "{mask}", (_imm("mask", EMASK),), "sync",
           "Wait until every engine selected by mask (bit 0 ME, bit 1 TE, bit 2 VE) has an empty "
           "queue and no instruction in flight. In program-order execution every engine "
           "instruction is already complete, so sync changes no state."),
        cp("sem.sig", 0x39, "sync", "{sem}", (Operand("sem", SREG, ("ss",)),), "sem",
           "Increment semaphore sem. A count above 255 traps (sem_overflow)."),
        cp("sem.wait", 0x3A, "sync", "{sem}", (Operand("sem", SREG, ("ws",)),), "sem",
           "Wait until semaphore sem is non-zero, then decrement it. In program-order execution "
           "a zero count can never become non-zero, so it traps (sem_deadlock)."),
        cp("halt", 0x3F, "halt", "{rs1}", (RS1,), "halt",
           "Wait until all engines drain, then stop the machine with exit code x[rs1]; the pc "
           "stays at the halt."),
    ]
)

_ME_TEXT = {
    "dma.ld": (0x40, "{lm}, {gm}",
               "Copy dma_rows rows of dma_cols bytes from GM at gm (row stride dma_sstride) to LM "
               "at lm (row stride dma_dstride), inserting padding on the fly: the destination is "
               "(dma_pt + dma_rows + dma_pb) rows of (dma_pl + dma_cols + dma_pr) bytes, data at "
               "row dma_pt and byte dma_pl, every other byte dma_padval."),
    "dma.st": (0x41, "{gm}, {lm}",
               "Copy dma_rows rows of dma_cols bytes from LM at lm (row stride dma_sstride) to GM "
               "at gm (row stride dma_dstride). Padding CSRs are ignored."),
    "dma.cp": (0x42, "{dst}, {src}",
               "As dma.ld with LM as both source and destination. Overlapping regions copy as if "
               "the whole source were read before any byte is written."),
    "dma.tr": (0x43, "{dst}, {src}",
               "2-D transpose within LM: the source holds dma_rows rows of dma_cols / esz elements "
               "of esz bytes (row stride dma_sstride); destination row j (row stride dma_dstride) "
               "holds element j of every source row, dma_rows * esz bytes. dma_cols must be a "
               "multiple of esz (else bad_operand). Padding CSRs are ignored."),
}
_DMA_CSRS = ("dma_rows", "dma_cols", "dma_sstride", "dma_dstride")
_PAD_CSRS = ("dma_pt", "dma_pb", "dma_pl", "dma_pr", "dma_padval")


def _me_row(mn):
    op, syntax, text = _ME_TEXT[mn]
    a, b = (n.strip("{}") for n in syntax.split(", "))
    csrs = _DMA_CSRS + (_PAD_CSRS if mn in ("dma.ld", "dma.cp") else ())
    extra = (Operand("esz", ESZ, ("esz",), option=True, default=1),) if mn == "dma.tr" else ()
    mems = "gm_fault, lm_fault" if mn in ("dma.ld", "dma.st") else "lm_fault"
    text += (f" Every byte read or written must lie inside its memory ({mems}); a configuration "
             f"CSR outside its range traps (bad_operand).")
    return eng("me", mn, op, "dma", syntax, (_x(a, "r1"), _x(b, "r2")), "dma", text, csrs, extra)


_ME_ROWS = [_me_row(mn) for mn in _ME_TEXT]

_GEMM_CSRS = ("te_m", "te_n", "te_k", "te_lda", "te_ldb", "te_ldc")
_WIN = ("win_ih", "win_iw", "win_c", "win_kh", "win_kw", "win_sh", "win_sw", "win_dh", "win_dw",
        "win_pt", "win_pb", "win_pl", "win_pr")
_TE_FLAGS = (_flag("acc"), _flag("u"))
_TE_ROWS = [
    eng("te", "gemm", 0x50, "gemm", "{c}, {a}, {b}", (_x("c", "r1"), _x("a", "r2"), _x("b", "r3")),
        "gemm",
        "ACC[c + i*te_ldc + j] (+)= sum over k < te_k of A[i][k] * B[k][j] for i < te_m, j < te_n, "
        "where A[i][k] is the LM byte at a + i*te_lda + k (int8, or uint8 with u) and B[k][j] the "
        "int8 LM byte at b + k*te_ldb + j. Products and sums are exact and wrap modulo 2^32 "
        "into int32. Without acc the ACC tile is overwritten, with acc it is added to. "
        "Bounds: lm_fault, acc_fault; CSR ranges: bad_operand.",
        _GEMM_CSRS, _TE_FLAGS),
    eng("te", "conv", 0x51, "conv", "{c}, {x}, {w}", (_x("c", "r1"), _x("x", "r2"), _x("w", "r3")),
        "conv",
        "2-D convolution of the dense NHWC tile X[win_ih][win_iw][win_c] at LM x (int8, or uint8 "
        "with u) with weights W[win_kh][win_kw][win_c][win_oc] (int8) at LM w, into the dense "
        "ACC tile [oh*ow][oc] at c: out[p][q][o] (+)= sum over i, j, ch of "
        "X[p*sh + i*dh - pt][q*sw + j*dw - pl][ch] * W[i][j][ch][o], where an input position "
        "outside the tile reads win_padval. "
        "oh = (ih + pt + pb - dh*(kh-1) - 1) / sh + 1 and likewise ow; a window that fits no "
        "output traps (bad_operand). With dw (depthwise) the weights are W[kh][kw][win_c], "
        "oc = win_c, and channel ch only sees its own weights. acc and u as for gemm.",
        _WIN + ("win_oc", "win_padval"), (_flag("acc"), _flag("u"), _flag("dw"))),
]

_VE_CSR = ("ve_rows", "ve_cols")
_Q_CSR = ("ve_zp", "ve_qmin", "ve_qmax")
_U = (_flag("u"),)


def ve(mn, op, iclass, syntax, names, text, csrs=_VE_CSR, flags=_U):
    regs = tuple(_x(n, f) for n, f in zip(names, ("r1", "r2", "r3", "r0")))
    return eng("ve", mn, op, iclass, syntax, regs, "ve_" + iclass, text, csrs, flags)


_EW_OPS = [
    ("add", "a + b"), ("sub", "a - b"), ("mul", "a * b"), ("max", "max(a, b)"),
    ("min", "min(a, b)"), ("sra", "a >> (b & S), arithmetic"),
    ("sll", "a << (b & S)"),
]


def _ew_rows():
    rows = []
    for i, (name, expr) in enumerate(_EW_OPS):
        for t, (mem, typ, s, rng) in enumerate([   # int32 max and min cannot overflow
                ("ACC", "int32", "31", "exact" if name in ("max", "min") else
                 "wrapping modulo 2^32"),
                ("LM", "int8 (uint8 with u)", "7", "saturated to the type's range"
                 + (" (a uint8 shift is logical)" if name == "sra" else ""))]):
            suffix = "wb"[t]
            for form in (0, 1):
                b_text = ("b the element of the second vector at b" if form == 0
                          else "b the value of register b (read at dispatch)")
                mn = f"v{name}.{suffix}{'x' if form else ''}"
                text = (f"Elementwise on {mem} {typ} vectors of ve_rows * ve_cols dense elements: "
                        f"dst[e] = {expr.replace('S', s)}, {rng}; a is the element of the vector "
                        f"at a, {b_text}. Addresses are {'words' if t == 0 else 'bytes'}.")
                flags = () if t == 0 else _U
                rows.append(ve(mn, 0x70 + 4 * i + 2 * t + form, "eltwise", "{dst}, {a}, {b}",
                               ("dst", "a", "b"), text, flags=flags))
    return rows


_VE_ROWS = [
    ve("vrq.fx", 0x60, "requant", "{dst}, {src}, {p}", ("dst", "src", "p"),
       "Fixed-point requantization of the ACC tile [ve_rows][ve_cols] at src to int8 (uint8 "
       "with u) at LM dst. LM p holds int32 bias[cols], mult[cols], shift[cols] (4-byte aligned). "
       "Per element of column c: t = acc + bias[c] (wrapping); t = MulQ(t, mult[c], shift[c]) "
       "(docs/quantization.md: saturating rounding doubling high multiply, then rounding right "
       "shift); y = clamp(t + ve_zp, max(ve_qmin, type min), min(ve_qmax, type max)). A shift "
       "outside [-31, 31] or ve_qmin > ve_qmax traps (bad_operand).",
       _VE_CSR + _Q_CSR),
    ve("vrq.fp", 0x61, "requant", "{dst}, {src}, {p}", ("dst", "src", "p"),
       "fp32-scale requantization, as vrq.fx but LM p holds int32 bias[cols] then float32 "
       "scale[cols]: y = clamp(round_half_even(f32(f32(acc + bias[c]) * scale[c])) + ve_zp, ...) "
       "with the same clamp. A scale that is not finite traps (bad_operand).",
       _VE_CSR + _Q_CSR),
    ve("vqadd", 0x62, "qadd", "{dst}, {a}, {b}, {p}", ("dst", "a", "b", "p"),
       "Quantized add of two int8 (uint8 with u) LM tensors of ve_rows * ve_cols elements, as "
       "TFLite's reference add: LM p holds int32 [left_shift, a_zp, a_mult, a_shift, b_zp, "
       "b_mult, b_shift, out_mult, out_shift]; s = MulQ((a - a_zp) << left_shift, a_mult, "
       "a_shift) + MulQ((b - b_zp) << left_shift, b_mult, b_shift); y = clamp(MulQ(s, out_mult, "
       "out_shift) + ve_zp) as for vrq.fx. left_shift outside [0, 20] or a shift outside "
       "[-31, 31] traps (bad_operand).",
       _VE_CSR + _Q_CSR),
    ve("vmaxpool", 0x63, "pool", "{dst}, {src}", ("dst", "src"),
       "Max pooling over the dense NHWC int8 (uint8 with u) tile [win_ih][win_iw][win_c] at LM "
       "src with the window geometry CSRs (as conv); padded positions are ignored, a window with "
       "no valid position traps (bad_operand). Writes the dense [oh][ow][win_c] tile at dst.",
       _WIN),
    ve("vavgpool", 0x64, "pool", "{dst}, {src}", ("dst", "src"),
       "Average pooling, as vmaxpool but each output is the sum of the n valid positions divided "
       "by n, rounded half away from zero (TFLite's reference average pool).",
       _WIN),
    ve("vgap", 0x65, "pool", "{dst}, {src}", ("dst", "src"),
       "Global average pooling: dst[c] = sum of src[r][c] over r < ve_rows, divided by ve_rows "
       "and rounded half away from zero, for c < ve_cols; int8 (uint8 with u) in LM. ve_rows = 0 "
       "traps (bad_operand)."),
    ve("vlut", 0x66, "lut", "{dst}, {src}, {table}", ("dst", "src", "table"),
       "Table lookup over ve_rows * ve_cols bytes in LM: dst[e] = table[src[e]], the source byte "
       "read as an unsigned index into the 256-byte table at LM table.",
       flags=()),
    ve("vrmax.b", 0x67, "reduce", "{dst}, {src}", ("dst", "src"),
       "Row maximum of the int8 (uint8 with u) LM matrix [ve_rows][ve_cols] at src: dst[r] (one "
       "byte per row) = max over c of src[r][c]."),
    ve("vrsum.b", 0x68, "reduce", "{dst}, {src}", ("dst", "src"),
       "Row sum of the int8 (uint8 with u) LM matrix [ve_rows][ve_cols] at src: dst[r] = sum "
       "over c, written as a little-endian int32 per row at 4-byte aligned LM dst."),
    ve("vrmax.w", 0x69, "reduce", "{dst}, {src}", ("dst", "src"),
       "Row maximum of the int32 ACC matrix [ve_rows][ve_cols] at src into ACC dst[r].", flags=()),
    ve("vrsum.w", 0x6A, "reduce", "{dst}, {src}", ("dst", "src"),
       "Row sum (wrapping modulo 2^32) of the int32 ACC matrix [ve_rows][ve_cols] at src into "
       "ACC dst[r].", flags=()),
    ve("vacc.ld", 0x6B, "move", "{dst}, {src}", ("dst", "src"),
       "Copy ve_rows * ve_cols little-endian int32 values from 4-byte aligned LM src into ACC "
       "at dst (e.g. to preload a bias).", flags=()),
    ve("vacc.st", 0x6C, "move", "{dst}, {src}", ("dst", "src"),
       "Copy ve_rows * ve_cols int32 values from ACC at src to 4-byte aligned LM dst, little-"
       "endian.", flags=()),
] + _ew_rows()

INSTRUCTIONS: tuple[Insn, ...] = tuple(_CP_ROWS + _ME_ROWS + _TE_ROWS + _VE_ROWS)
BY_MNEMONIC: dict[str, Insn] = {i.mnemonic: i for i in INSTRUCTIONS}

ALIASES: tuple[Alias, ...] = (
    Alias("nop", "", "addi", {"rd": 0, "rs1": 0, "imm": 0}, "do nothing"),
    Alias("li", "{rd}, {imm}", "addi", {"rd": "rd", "rs1": 0, "imm": "imm"},
          "load any 32-bit constant"),
    Alias("la", "{rd}, {imm}", "addi", {"rd": "rd", "rs1": 0, "imm": "imm"},
          "load an address (GM addresses are absolute 32-bit values)"),
    Alias("mv", "{rd}, {rs1}", "addi", {"rd": "rd", "rs1": "rs1", "imm": 0}, "copy a register"),
    Alias("not", "{rd}, {rs1}", "xori", {"rd": "rd", "rs1": "rs1", "imm": -1}, "bitwise not"),
    Alias("neg", "{rd}, {rs2}", "sub", {"rd": "rd", "rs1": 0, "rs2": "rs2"}, "negate"),
    Alias("j", "{off}", "jal", {"rd": 0, "off": "off"}, "jump"),
    Alias("call", "{off}", "jal", {"rd": 1, "off": "off"}, "call, return address in x1"),
    Alias("ret", "", "jalr", {"rd": 0, "rs1": 1, "off": 0}, "return to x1"),
    Alias("jr", "{rs1}", "jalr", {"rd": 0, "rs1": "rs1", "off": 0}, "jump to a register"),
    Alias("beqz", "{rs1}, {off}", "beq", {"rs1": "rs1", "rs2": 0, "off": "off"}, "branch if zero"),
    Alias("bnez", "{rs1}, {off}", "bne", {"rs1": "rs1", "rs2": 0, "off": "off"},
          "branch if not zero"),
    Alias("fence", "", "sync", {"mask": 7}, "wait for all engines to drain"),
)
ALIAS_BY_MNEMONIC: dict[str, Alias] = {a.mnemonic: a for a in ALIASES}

INSTRUCTION_CLASSES: dict[str, tuple[str, ...]] = {}
for _i in INSTRUCTIONS:
    key = f"{_i.engine}.{_i.iclass}"
    INSTRUCTION_CLASSES[key] = INSTRUCTION_CLASSES.get(key, ()) + (_i.mnemonic,)

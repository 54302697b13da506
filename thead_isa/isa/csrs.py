# The CSR table: numbers, access, reset values and the range an engine instruction accepts.
from __future__ import annotations

from dataclasses import dataclass

U16 = (0, 0xFFFF)
U32 = (0, 0xFFFFFFFF)
I32 = (-(1 << 31), (1 << 31) - 1)
U8 = (0, 255)
BYTEVAL = (-128, 255)


@dataclass(frozen=True)
class Csr:
    name: str
    number: int
    writable: bool
    reset: int                 # value after reset (as a 32-bit register value)
    use: tuple[int, int]       # range an engine instruction accepts when it reads this CSR
    signed: bool               # engine instructions read the 32-bit value as signed
    volatile: bool             # value depends on timing: differs between modes, not compared
    group: str
    doc: str


def _cfg(name, number, reset, use, doc, signed=False, group=""):
    return Csr(name, number, True, reset & 0xFFFFFFFF, use, signed, False, group, doc)


def _ro(name, number, doc, volatile=False, group="status"):
    return Csr(name, number, False, 0, U32, False, volatile, group, doc)


# name            number  reset  use-range  meaning
CSRS: tuple[Csr, ...] = (
    _ro("cycle",     0xC00, "cycles since reset, low 32 bits (functional mode and the reference "
                            "model count one cycle per retired instruction)", volatile=True),
    _ro("instret",   0xC02, "instructions retired by the CP (an engine instruction retires when "
                            "dispatched), low 32 bits"),
    _ro("cycleh",    0xC80, "cycles since reset, high 32 bits", volatile=True),
    _ro("instreth",  0xC82, "instructions retired, high 32 bits"),
    _ro("estat",     0xC10, "engine status: bit e set while engine e (0 ME, 1 TE, 2 VE) has queued "
                            "or running work; always 0 in program-order execution", volatile=True),
    _ro("cfg_te_rows",   0xCC0, "TE systolic array rows R", group="configuration"),
    _ro("cfg_te_cols",   0xCC1, "TE systolic array columns C", group="configuration"),
    _ro("cfg_ve_lanes",  0xCC2, "VE lanes L", group="configuration"),
    _ro("cfg_lm_bytes",  0xCC3, "LM size in bytes", group="configuration"),
    _ro("cfg_acc_words", 0xCC4, "ACC size in int32 words", group="configuration"),
    _ro("cfg_gm_bytes",  0xCC5, "GM size in bytes", group="configuration"),
    _ro("cfg_imem_bytes", 0xCC6, "IMEM size in bytes", group="configuration"),

    _cfg("dma_rows",    0x800, 1, U16, "rows of a 2-D transfer", group="ME"),
    _cfg("dma_cols",    0x801, 1, U16, "bytes per row of a 2-D transfer", group="ME"),
    _cfg("dma_sstride", 0x802, 0, U32, "source row stride in bytes", group="ME"),
    _cfg("dma_dstride", 0x803, 0, U32, "destination row stride in bytes", group="ME"),
    _cfg("dma_pt",      0x804, 0, U8, "padding rows inserted above", group="ME"),
    _cfg("dma_pb",      0x805, 0, U8, "padding rows inserted below", group="ME"),
    _cfg("dma_pl",      0x806, 0, U8, "padding bytes inserted left of every row", group="ME"),
    _cfg("dma_pr",      0x807, 0, U8, "padding bytes inserted right of every row", group="ME"),
    _cfg("dma_padval",  0x808, 0, BYTEVAL, "padding byte value (e.g. the input zero point)",
         signed=True, group="ME"),

    _cfg("te_m",   0x810, 1, U16, "gemm rows M of A and ACC", group="TE"),
    _cfg("te_n",   0x811, 1, U16, "gemm columns N of B and ACC", group="TE"),
    _cfg("te_k",   0x812, 1, U16, "gemm depth K", group="TE"),
    _cfg("te_lda", 0x813, 1, U32, "row stride of A in LM bytes", group="TE"),
    _cfg("te_ldb", 0x814, 1, U32, "row stride of B in LM bytes", group="TE"),
    _cfg("te_ldc", 0x815, 1, U32, "row stride of the ACC tile in words", group="TE"),

    _cfg("win_ih",  0x820, 1, (1, 0xFFFF), "input height of conv/pool", group="window"),
    _cfg("win_iw",  0x821, 1, (1, 0xFFFF), "input width", group="window"),
    _cfg("win_c",   0x822, 1, (1, 0xFFFF), "input channels", group="window"),
    _cfg("win_oc",  0x823, 1, (1, 0xFFFF), "conv output channels (ignored by depthwise conv "
                                           "and pooling, whose output channels are win_c)",
         group="window"),
    _cfg("win_kh",  0x824, 1, (1, 255), "kernel height", group="window"),
    _cfg("win_kw",  0x825, 1, (1, 255), "kernel width", group="window"),
    _cfg("win_sh",  0x826, 1, (1, 255), "vertical stride", group="window"),
    _cfg("win_sw",  0x827, 1, (1, 255), "horizontal stride", group="window"),
    _cfg("win_dh",  0x828, 1, (1, 255), "vertical dilation", group="window"),
    _cfg("win_dw",  0x829, 1, (1, 255), "horizontal dilation", group="window"),
    _cfg("win_pt",  0x82A, 0, U8, "padding rows above", group="window"),
    _cfg("win_pb",  0x82B, 0, U8, "padding rows below", group="window"),
    _cfg("win_pl",  0x82C, 0, U8, "padding columns left", group="window"),
    _cfg("win_pr",  0x82D, 0, U8, "padding columns right", group="window"),
    _cfg("win_padval", 0x82E, 0, BYTEVAL, "conv padding value (raw byte, e.g. the input zero "
                                          "point); pooling ignores padded positions",
         signed=True, group="window"),

    _cfg("ve_rows", 0x840, 1, U16, "rows of a VE operation", group="VE"),
    _cfg("ve_cols", 0x841, 1, U16, "columns (channels) of a VE operation", group="VE"),
    _cfg("ve_zp",   0x842, 0, I32, "output zero point of requantization", signed=True, group="VE"),
    _cfg("ve_qmin", 0x843, -(1 << 31), I32, "lower clamp of requantized outputs (ReLU: the zero "
                                           "point)", signed=True, group="VE"),
    _cfg("ve_qmax", 0x844, (1 << 31) - 1, I32, "upper clamp of requantized outputs (ReLU6: the "
                                              "quantized 6.0)", signed=True, group="VE"),
)

BY_NAME: dict[str, Csr] = {c.name: c for c in CSRS}
BY_NUMBER: dict[int, Csr] = {c.number: c for c in CSRS}


def csr_name(number: int) -> str | None:
    c = BY_NUMBER.get(number)
    return c.name if c else None

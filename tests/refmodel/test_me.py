# Reference model: memory-engine DMA semantics (dma.ld/st/cp/tr), their traps, and semaphores.
import numpy as np
import pytest

from thead_isa.isa import BY_MNEMONIC, encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME
from thead_isa.isa.traps import Cause
from thead_isa.refmodel.machine import RefMachine

GM_SIZE, LM_SIZE = 0x100000, 0x10000          # the small preset: 1 MiB GM, 64 KiB LM
AA, CC = 0xAA, 0xCC                           # background bytes that must stay untouched


def li(rd, value):
    return encode("addi", rd=rd, rs1=0, imm=value)


def dma(mn, dst, src, wait=None, sig=None, esz=1, **csrs):
    """Set the given dma_* CSRs, x1 = dst, x2 = src, then `mn x1, x2` (destination first)."""
    dst_name, src_name = (o.name for o in BY_MNEMONIC[mn].positional)
    opts = dict(wait=wait, sig=sig) | (dict(esz=esz) if mn == "dma.tr" else {})
    return [li(1, dst), li(2, src),
            *(encode("csrwi", csr=BY_NAME[f"dma_{k}"].number, imm=v) for k, v in csrs.items()),
            encode(mn, **{dst_name: 1, src_name: 2}, **opts)]


def machine(*programs, gm=None, lm=None):
    m = RefMachine(preset("small"))
    m.load_program([w for p in programs for w in p] + [encode("halt", rs1=0)])
    for mem, init in (("gm", gm), ("lm", lm)):
        for addr, data in (init or {}).items():
            m.write(mem, addr, bytes(data))
    return m


def run(*programs, gm=None, lm=None):
    s = machine(*programs, gm=gm, lm=lm).run(10_000)
    assert s.trap is None and s.halted, s.trap
    return s


def assert_traps(program, cause, tval):
    """Run over patterned memories: the trap is as expected and GM, LM and ACC are unchanged."""
    m = machine(program)
    m.state.gm[:] = np.arange(GM_SIZE) * 13 + 5
    m.state.lm[:] = np.arange(LM_SIZE) * 7 + 3
    m.state.acc[:] = np.arange(len(m.state.acc)) - 100
    before = {k: m.state.snapshot()[k] for k in ("gm", "lm", "acc", "sem")}
    s = m.run(10_000)
    assert s.trap is not None and (s.trap.cause, s.trap.tval) == (cause, tval), s.trap
    assert s.trap.pc == 8 * (len(program) - 1)
    assert {k: s.snapshot()[k] for k in before} == before
    return s.trap


def test_ld_strided_with_padding():
    gm = {0x100: [1, 2, 3, 0xEE, 0xEE, 4, 5, 6]}
    s = run(dma("dma.ld", 0x40, 0x100, rows=2, cols=3, sstride=5, dstride=8,
                pt=1, pb=0, pl=1, pr=2, padval=-1), gm=gm, lm={0x40: [AA] * 32})
    assert list(s.lm[0x40:0x60]) == [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, AA, AA,
        0xFF, 1, 2, 3, 0xFF, 0xFF, AA, AA,
        0xFF, 4, 5, 6, 0xFF, 0xFF, AA, AA,
        AA, AA, AA, AA, AA, AA, AA, AA]


@pytest.mark.parametrize("padval, byte", [(7, 7), (-1, 0xFF), (255, 0xFF), (-128, 0x80)])
def test_ld_padding_below_and_padval_byte(padval, byte):
    s = run(dma("dma.ld", 0x10, 0x200, rows=1, cols=2, dstride=2, pb=2, padval=padval),
            gm={0x200: [9, 8]}, lm={0x10: [AA] * 8})
    assert list(s.lm[0x10:0x18]) == [9, 8, byte, byte, byte, byte, AA, AA]


def test_ld_zero_rows_still_writes_the_padding_frame():
    # The source is never read, so its out-of-range address does not trap.
    s = run(dma("dma.ld", 0x10, 0xFFFFFFFF, rows=0, cols=2, dstride=4, pt=1, pb=1, pl=1,
                padval=5), lm={0x10: [AA] * 8})
    assert list(s.lm[0x10:0x18]) == [5, 5, 5, AA, 5, 5, 5, AA]


@pytest.mark.parametrize("shape", [dict(rows=0, cols=3, pl=1), dict(rows=2, cols=0, pt=1)])
def test_ld_empty_padded_frame_accesses_nothing(shape):
    s = run(dma("dma.ld", 0xFFFFFFF0, 0xFFFFFFF0, **shape))
    assert not s.lm.any()


def test_ld_overlapping_destination_rows_later_row_wins():
    s = run(dma("dma.ld", 0, 0x100, rows=3, cols=2, sstride=2, dstride=1),
            gm={0x100: [1, 2, 3, 4, 5, 6]}, lm={0: [AA] * 5})
    assert list(s.lm[0:5]) == [1, 3, 5, 6, AA]


def test_st_strided_ignores_padding():
    s = run(dma("dma.st", 0x200, 0x20, rows=3, cols=2, sstride=4, dstride=3,
                pt=1, pl=1, pr=1, padval=9),
            lm={0x20: range(1, 13)}, gm={0x200: [CC] * 10})
    assert list(s.gm[0x200:0x20A]) == [1, 2, CC, 5, 6, CC, 9, 10, CC, CC]


@pytest.mark.parametrize("dst, src, expect", [
    (2, 0, [1, 2, 1, 2, 3, 4, 5, 6, 9]),     # forward overlap: not a byte-by-byte smear
    (0, 2, [3, 4, 5, 6, 7, 8, 7, 8, 9]),
])
def test_cp_overlapping_reads_all_before_writing(dst, src, expect):
    s = run(dma("dma.cp", dst, src, cols=6), lm={0: range(1, 10)})
    assert list(s.lm[0:9]) == expect


def test_cp_2d_with_padding_overlapping_source():
    # Row 0 of the destination (bytes 2..4) overwrites byte 4, which row 1 of the source reads.
    s = run(dma("dma.cp", 2, 0, rows=2, cols=2, sstride=4, dstride=4, pl=1, padval=0),
            lm={0: range(1, 10)})
    assert list(s.lm[0:9]) == [1, 2, 0, 1, 2, 6, 0, 5, 6]


@pytest.mark.parametrize("esz, rows, cols, sstride, dstride, src, expect", [
    (1, 2, 3, 4, 3, [1, 2, 3, 0xEE, 4, 5, 6],
     [1, 4, AA, 2, 5, AA, 3, 6]),
    (2, 2, 4, 4, 4, [1, 2, 3, 4, 5, 6, 7, 8],
     [1, 2, 5, 6, 3, 4, 7, 8]),
    (4, 3, 8, 8, 12, list(range(1, 25)),
     [1, 2, 3, 4, 9, 10, 11, 12, 17, 18, 19, 20, 5, 6, 7, 8, 13, 14, 15, 16, 21, 22, 23, 24]),
])
def test_tr(esz, rows, cols, sstride, dstride, src, expect):
    s = run(dma("dma.tr", 0x200, 0x100, esz=esz, rows=rows, cols=cols, sstride=sstride,
                dstride=dstride, pt=1, padval=1),
            lm={0x100: src, 0x200: [AA] * 32})
    assert list(s.lm[0x200:0x200 + len(expect) + 1]) == expect + [AA]


def test_tr_empty_writes_nothing():
    s = run(dma("dma.tr", 0xFFFFFFFF, 0xFFFFFFFF, esz=4, rows=0, cols=8))
    assert not s.lm.any()


def test_tr_cols_not_multiple_of_esz():
    # bad_operand is checked before the (also out-of-range) memory operands.
    t = assert_traps(dma("dma.tr", LM_SIZE, LM_SIZE, esz=4, rows=1, cols=6), Cause.BAD_OPERAND, 6)
    assert t.message == "dma.tr: dma_cols = 6 is not a multiple of esz = 4"


@pytest.mark.parametrize("program, cause, tval", [
    # dma.ld: GM source; the lowest out-of-range byte, which a stride can skip past GM's end
    (dma("dma.ld", 0, GM_SIZE - 14, rows=3, cols=4, sstride=6), Cause.GM_FAULT, GM_SIZE),
    (dma("dma.ld", 0, GM_SIZE - 16, rows=2, cols=4, sstride=0x20), Cause.GM_FAULT, GM_SIZE + 16),
    (dma("dma.ld", 0, 0x200000, rows=1, cols=1), Cause.GM_FAULT, 0x200000),
    # dma.ld: LM destination, made too large by padding
    (dma("dma.ld", LM_SIZE - 16, 0, rows=1, cols=4, dstride=16, pb=1), Cause.LM_FAULT, LM_SIZE),
    (dma("dma.ld", LM_SIZE - 4, 0, rows=1, cols=4, pr=1), Cause.LM_FAULT, LM_SIZE),
    (dma("dma.ld", LM_SIZE - 4, GM_SIZE, cols=5), Cause.LM_FAULT, LM_SIZE),   # lm before gm
    # dma.st
    (dma("dma.st", 0, LM_SIZE - 2, cols=4), Cause.LM_FAULT, LM_SIZE),
    (dma("dma.st", GM_SIZE - 2, 0, cols=4), Cause.GM_FAULT, GM_SIZE),
    (dma("dma.st", GM_SIZE - 2, LM_SIZE, cols=4), Cause.GM_FAULT, GM_SIZE),   # gm before lm
    # dma.cp
    (dma("dma.cp", 0, LM_SIZE, cols=1), Cause.LM_FAULT, LM_SIZE),
    (dma("dma.cp", LM_SIZE - 3, 0, cols=2, pl=1, pr=1), Cause.LM_FAULT, LM_SIZE),
    (dma("dma.cp", LM_SIZE + 5, LM_SIZE + 1, cols=2), Cause.LM_FAULT, LM_SIZE + 5),  # dst first
    # dma.tr: destination is cols/esz rows of rows*esz bytes
    (dma("dma.tr", LM_SIZE - 8, 0, esz=2, rows=2, cols=4, dstride=8), Cause.LM_FAULT, LM_SIZE),
    (dma("dma.tr", 0, LM_SIZE - 6, esz=2, rows=2, cols=4, sstride=8), Cause.LM_FAULT, LM_SIZE + 2),
    (dma("dma.tr", LM_SIZE + 9, LM_SIZE + 1), Cause.LM_FAULT, LM_SIZE + 9),
    # configuration CSRs outside their range (tval: the raw CSR value)
    (dma("dma.ld", 0, 0, rows=0x10000), Cause.BAD_OPERAND, 0x10000),
    (dma("dma.cp", 0, 0, padval=256), Cause.BAD_OPERAND, 256),
    (dma("dma.ld", 0, 0, pt=256), Cause.BAD_OPERAND, 256),
])
def test_traps_change_nothing(program, cause, tval):
    assert_traps(program, cause, tval)


def test_fault_message_names_instruction_and_operand():
    t = assert_traps(dma("dma.ld", LM_SIZE - 4, 0, cols=5), Cause.LM_FAULT, LM_SIZE)
    assert t.message.startswith("dma.ld lm: LM bytes 0xfffc..0x10000 outside LM")


def test_signal_then_wait():
    s = machine(dma("dma.ld", 0x10, 0x100, cols=4, sig=3),
                [encode("sem.sig", sem=4)],
                dma("dma.st", 0x200, 0x10, cols=4, wait=3, sig=4),
                [encode("sem.wait", sem=4)],
                gm={0x100: [1, 2, 3, 4]}).run(10_000)
    assert s.halted and list(s.gm[0x200:0x204]) == [1, 2, 3, 4]
    assert s.sem[3] == 0 and s.sem[4] == 1


def test_wait_on_zero_deadlocks_without_effect():
    assert_traps(dma("dma.ld", 0, 0x100, cols=4, wait=5, sig=6), Cause.SEM_DEADLOCK, 5)


def test_bounds_fault_precedes_deadlock():
    assert_traps(dma("dma.ld", 0, GM_SIZE, wait=5), Cause.GM_FAULT, GM_SIZE)

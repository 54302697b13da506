# The cycle model pinned by hand: every expectation below is worked out from docs/timing.md (the
# specification), with the arithmetic next to it, and checked against Machine(config, "cycle") and
# thead_isa.core.timing.engine_timing. Nothing here was taken from the implementation.
#
# Conventions of the programs: the configuration CSRs and the address registers are set through
# the Machine API before the run (no CP cycles spent on them), so that the cycle numbers stay
# small. A lone engine instruction dispatched at cycle 0 followed by `halt` is visible and starts
# at cp_dispatch_cycles, when the halt issues; it completes d cycles later, so
#   cycles = dispatch + d + alu (the halt's own cost), and the halt's drain stall is d.
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from thead_isa.assembler import assemble
from thead_isa.core.machine import Machine
from thead_isa.core.timing import engine_timing
from thead_isa.isa.config import preset

SMALL = preset("small")      # alu 1, mul 3, branch penalty 2, load 4, dispatch 1, queue 2,
#                              DMA 8 + 1/row, GM 8 B/c, LM 16 B/c, TE 4x4 no overlap, folds not
#                              pipelined, VE 4 lanes + 4
DEFAULT = preset("default")  # TE 32x32, weight overlap and fold pipelining on
# distinct CP costs, so that no two classes can be confused
CP = SMALL.replace(cp_alu_cycles=2, cp_mul_cycles=5, cp_branch_penalty=3, cp_load_cycles=7,
                   cp_dispatch_cycles=4)


def run(src: str, config=SMALL, csrs: dict | None = None, regs: dict | None = None,
        sems: dict | None = None):
    m = Machine(config, mode="cycle")
    m.load(assemble(src, filename="t.s"))
    for k, v in (csrs or {}).items():
        m.csr[k] = v
    for k, v in (regs or {}).items():
        m.x[k] = v
    for k, v in (sems or {}).items():
        m.sem[k] = v
    r = m.run(max_cycles=1_000_000)
    assert r.trap is None, r.trap
    assert r.halted
    return m, r, m.stats.as_dict()["counters"]


def ceil(a: int, b: int) -> int:
    return -(-a // b)


# ---------------------------------------------------------------------------------------------
# The command processor: cost per timing class
# ---------------------------------------------------------------------------------------------

ALU, MUL, PEN, LOAD, DISP = 2, 5, 3, 7, 4       # the costs of CP


@pytest.mark.parametrize("insn, cost", [
    ("add x1, x2, x3", ALU),
    ("sltu x1, x2, x3", ALU),
    ("addi x1, x2, -5", ALU),
    ("srai x1, x2, 3", ALU),
    ("nop", ALU),
    ("mul x1, x2, x3", MUL),
    ("mulh x1, x2, x3", MUL),
    ("mulhu x1, x2, x3", MUL),
    ("lw x1, 0x100(x0)", LOAD),
    ("lb x1, 0x101(x0)", LOAD),
    ("lhu x1, 0x102(x0)", LOAD),
    ("sw x2, 0x100(x0)", LOAD),
    ("sb x2, 0x103(x0)", LOAD),
    ("csrr x1, instret", ALU),
    ("csrw dma_rows, x2", ALU),
    ("csrwi te_m, 9", ALU),
    ("sync 7", ALU),                 # idle engines: no drain
    ("sync 0", ALU),
    ("sem.sig s4", ALU),
    ("sem.wait s5", ALU),            # s5 preset to 1: no wait
    ("bne x0, x0, 8", ALU),          # not taken
    ("beq x0, x2, 8", ALU),          # x2 = 7: not taken
    ("beq x0, x0, 8", ALU + PEN),    # taken (to the next instruction)
    ("bltu x0, x2, 8", ALU + PEN),   # taken
    ("bge x2, x0, 8", ALU + PEN),    # taken
    ("jal x0, 8", ALU + PEN),
    ("jal x1, 8", ALU + PEN),
    ("jalr x0, 8(x0)", ALU + PEN),   # at address 0: target 8, the halt
    ("jalr x1, 4(x3)", ALU + PEN),   # x3 = 4: target 8
])
def test_cp_cost_per_class(insn, cost):
    m, r, c = run(f"{insn}\nhalt x0\n", CP, regs={2: 7, 3: 4}, sems={5: 1})
    expected = cost + ALU            # the halt issues at `cost` and the run ends at cost + alu
    assert r.cycles == expected
    assert c["cycles"] == expected
    assert c["instructions"] == 2    # the halt counts as retired (timing.md does not say; instret
    #                                   counts it too)
    assert c["cp_stall_drain"] == 0 and c["cp_stall_sem"] == 0


def test_cp_costs_add_up():
    src = """
        mul x1, x2, x3          # 0
        lw x4, 0x100(x0)        # 5
        beq x0, x0, 8           # 12 (taken)
        bne x0, x0, 8           # 17 (not taken)
        addi x5, x5, 1          # 19
        jal x0, 8               # 21
        sw x4, 0x104(x0)        # 26
        halt x0                 # 33
    """
    m, r, c = run(src, CP)
    assert r.cycles == MUL + LOAD + (ALU + PEN) + ALU + ALU + (ALU + PEN) + LOAD + ALU  # 35
    assert r.cycles == 35
    assert c["instructions"] == 8


def test_doc_loop_example_default():
    # timing.md: add; xor; addi; bne (taken) costs 1 + 1 + 1 + (1 + 2) = 6 on `default`
    src = """
        li x3, 3
    1:  add x1, x1, x2
        xor x4, x1, x2
        addi x3, x3, -1
        bne x3, x0, 1b
        halt x0
    """
    m, r, c = run(src, DEFAULT)
    # li 1; two taken iterations of 6; the last one not taken, 1 + 1 + 1 + 1; halt 1
    assert r.cycles == 1 + 6 + 6 + 4 + 1
    assert c["instructions"] == 1 + 3 * 4 + 1


def test_csrr_cycle_is_the_issue_cycle():
    src = """
        mul x1, x1, x1          # 0
        lw x2, 0x100(x0)        # 5
        beq x0, x0, 8           # 12, taken
        csrr x5, cycle          # 17
        csrr x6, cycle          # 19
        csrr x7, cycleh         # 21
        halt x0                 # 23
    """
    m, r, c = run(src, CP)
    assert m.x[5] == MUL + LOAD + ALU + PEN == 17
    assert m.x[6] == 17 + ALU == 19
    assert m.x[7] == 0
    assert r.cycles == 19 + ALU + ALU + ALU == 25


# ---------------------------------------------------------------------------------------------
# Dispatch, visibility, queues
# ---------------------------------------------------------------------------------------------

# dma.ld of 1 row x 8 bytes on small: d = 8 + 1 * 1 + ceil(8 / 8) = 10
DMA8 = dict(dma_rows=1, dma_cols=8, dma_sstride=8, dma_dstride=8)
D_DMA8 = 8 + 1 * 1 + ceil(8, 8)


@pytest.mark.parametrize("dispatch", [1, 3, 6])
def test_dispatch_visibility(dispatch):
    cfg = SMALL.replace(cp_dispatch_cycles=dispatch)
    src = """
        dma.ld x1, x2, sig=s0   # issues 0, visible at `dispatch`, starts then
        sem.wait s0             # issues at `dispatch`, waits for the completion
        csrr x5, cycle
        halt x0
    """
    m, r, c = run(src, cfg, csrs=DMA8, regs={1: 0, 2: 0x100})
    done = dispatch + D_DMA8
    assert m.x[5] == done + 1                     # sem.wait issues at `done`, csrr one later
    assert r.cycles == done + 1 + 1 + 1
    assert c["cp_stall_sem"] == done - dispatch == D_DMA8
    assert c["me_busy"] == D_DMA8 and c["me_instructions"] == 1
    assert c["me_stall_sem"] == 0
    assert c["instructions"] == 4


def test_dispatch_cost_on_cp():
    # CP config: dispatch 4, alu 2: the dma.ld (10 cycles on small's ME) is visible at 4
    src = """
        dma.ld x1, x2           # 0, visible 4, starts 4, completes 14
        csrr x5, cycle          # 4
        halt x0                 # 6, drains until 14
    """
    m, r, c = run(src, CP, csrs=DMA8, regs={1: 0, 2: 0x100})
    assert m.x[5] == DISP
    assert r.cycles == DISP + D_DMA8 + ALU == 16
    assert c["cp_stall_drain"] == (DISP + D_DMA8) - (DISP + ALU) == 8


# one engine instruction per engine, each of a known duration on small
ENGINE_INSN = {
    # dma.ld 1 x 8: 8 + 1 + 1 = 10
    "me": ("dma.ld x1, x2", D_DMA8),
    # gemm 4 x 4 x 4: F = 1, d = 1 * (4 + 4 + 4 + 4 - 2) = 14
    "te": ("gemm x3, x1, x4", 1 * (4 + 4 + 4 + 4 - 2)),
    # vadd.b on 1 x 8: ceil(8 / 4) + 4 = 6
    "ve": ("vadd.b x6, x1, x4", ceil(8, 4) + 4),
}
ENGINE_CSRS = dict(DMA8, te_m=4, te_n=4, te_k=4, te_lda=4, te_ldb=4, te_ldc=4,
                   ve_rows=1, ve_cols=8)
ENGINE_REGS = {1: 0, 2: 0x100, 3: 0, 4: 0x200, 6: 0x300}


@pytest.mark.parametrize("engine", ["me", "te", "ve"])
def test_queue_full_depth_1(engine):
    insn, D = ENGINE_INSN[engine]
    src = f"""
        {insn}          # A: issues 0, visible 1, starts 1, completes 1 + D
        nop             # 1
        {insn}          # B: issues 2 (A has left the queue), visible 3, starts 1 + D
        {insn}          # C: at 3 the queue holds B: waits for B's start at 1 + D, issues then
        csrr x5, cycle  # 1 + D + 1
        halt x0         # 3 + D, drains until C completes at 1 + 3D
    """
    cfg = SMALL.replace(queue_depth=1)
    m, r, c = run(src, cfg, csrs=ENGINE_CSRS, regs=ENGINE_REGS)
    assert m.x[5] == 1 + D + 1
    assert c[f"cp_stall_queue_{engine}"] == (1 + D) - 3
    assert c["cp_stall_drain"] == (1 + 3 * D) - (3 + D)
    assert r.cycles == 1 + 3 * D + 1
    assert c[f"{engine}_busy"] == 3 * D and c[f"{engine}_instructions"] == 3
    for other in {"me", "te", "ve"} - {engine}:
        assert c[f"cp_stall_queue_{other}"] == 0


@pytest.mark.parametrize("engine", ["me", "te", "ve"])
def test_queue_full_depth_2(engine):
    insn, D = ENGINE_INSN[engine]
    src = f"""
        {insn}          # A: 0, visible 1, starts 1, completes 1 + D
        nop             # 1
        {insn}          # B: 2, queued; starts 1 + D
        {insn}          # C: 3, queued (B, C); starts 1 + 2D
        {insn}          # E: at 4 the queue is full: waits for B's start at 1 + D; starts 1 + 3D
        csrr x5, cycle  # 2 + D
        halt x0         # 3 + D, drains until 1 + 4D
    """
    m, r, c = run(src, SMALL, csrs=ENGINE_CSRS, regs=ENGINE_REGS)
    assert SMALL.queue_depth == 2
    assert m.x[5] == 1 + D + 1
    assert c[f"cp_stall_queue_{engine}"] == (1 + D) - 4
    assert c["cp_stall_drain"] == (1 + 4 * D) - (3 + D)
    assert r.cycles == 1 + 4 * D + 1
    assert c[f"{engine}_busy"] == 4 * D


def test_queue_full_wait_ends_at_the_start_cycle():
    # Depth 1: B comes at cycle 1, when A (visible at 1) is still in the queue, because starts come
    # after the CP's instruction in a cycle. B waits for A's start, at cycle 1, and "then issues at
    # that cycle": B issues at 1 (a stall of 0 cycles) and the csrr after it at 2.
    src = """
        dma.ld x1, x2           # A: 0, visible 1, starts 1, completes 11
        dma.ld x1, x2           # B: 1 (waits for A's start at 1), visible 2, starts 11, done 21
        csrr x5, cycle          # 2
        halt x0                 # 3, drains until 21
    """
    cfg = SMALL.replace(queue_depth=1)
    m, r, c = run(src, cfg, csrs=DMA8, regs={1: 0, 2: 0x100})
    assert m.x[5] == 2
    assert c["cp_stall_queue_me"] == 0
    assert r.cycles == 1 + 2 * D_DMA8 + 1 == 22


# ---------------------------------------------------------------------------------------------
# Engines: in order, back to back, semaphores
# ---------------------------------------------------------------------------------------------

def test_engine_back_to_back_at_completion_cycle():
    # CSRs are snapshotted at dispatch: A is 1 x 8 (10 cycles), B 1 x 64:
    # 8 + 1 + ceil(64 / 8) = 17 cycles.
    src = """
        dma.ld x1, x2           # A: 0, visible 1, starts 1, completes 11
        csrwi dma_cols, 64      # 1
        dma.ld x1, x2, sig=s0   # B: 2, visible 3, starts 11 (A's completion cycle), done 28
        sem.wait s0             # 3, waits until 28
        csrr x5, cycle          # 29
        halt x0                 # 30
    """
    m, r, c = run(src, csrs=DMA8, regs={1: 0, 2: 0x100})
    d_b = 8 + 1 + ceil(64, 8)
    assert m.x[5] == 1 + D_DMA8 + d_b + 1 == 29
    assert r.cycles == 31
    assert c["me_busy"] == D_DMA8 + d_b
    assert c["cp_stall_sem"] == 28 - 3
    assert c["gm_read"] == 8 + 64 and c["lm_written"] == 8 + 64


def test_engine_in_order_behind_a_waiting_head():
    # B needs no semaphore but cannot pass A, which waits for s0 from the CP.
    src = """
        dma.ld x1, x2, wait=s0  # A: 0, visible 1; waits for s0
        dma.ld x1, x2, sig=s1   # B: 1, visible 2
        nop                     # 2
        nop                     # 3
        sem.sig s0              # 4: A starts at 4 (CP before starts), completes 14
        sem.wait s1             # 5: B starts 14, completes 24
        csrr x5, cycle          # 25
        halt x0                 # 26
    """
    m, r, c = run(src, csrs=DMA8, regs={1: 0, 2: 0x100})
    assert m.x[5] == 4 + 2 * D_DMA8 + 1 == 25
    assert r.cycles == 27
    assert c["me_stall_sem"] == 4 - 1          # A ready (free, visible) from 1, s0 > 0 at 4
    assert c["cp_stall_sem"] == 24 - 5
    assert c["me_instructions"] == 2


def test_cp_sem_sig_starts_engine_same_cycle():
    src = """
        gemm x3, x1, x4, wait=s2, sig=s3    # 0, visible 1, waits for s2
        addi x9, x9, 1                      # 1
        mul x9, x9, x9                      # 2
        sem.sig s2                          # 5: the gemm starts at 5
        sem.wait s3                         # 6: gemm (14 cycles) completes at 19
        csrr x5, cycle                      # 20
        halt x0                             # 21
    """
    m, r, c = run(src, csrs=ENGINE_CSRS, regs=ENGINE_REGS)
    d = 1 * (4 + 4 + 4 + 4 - 2)
    assert m.x[5] == 1 + 1 + 3 + d + 1 == 20
    assert r.cycles == 22
    assert c["te_stall_sem"] == 5 - 1
    assert c["cp_stall_sem"] == 19 - 6


def test_cp_beats_an_engine_for_one_semaphore():
    # At cycle 29 the gemm's completion signals s3; the CP's sem.wait and the ME's dma.ld both wait
    # for it. The CP comes first and takes it; the dma.ld starts only at the CP's later sem.sig.
    src = """
        gemm x3, x1, x4, wait=s0, sig=s3    # 0, visible 1
        dma.ld x1, x2, wait=s3              # 1, visible 2
        sem.sig s0                          # 2: the gemm starts at 2
        sem.wait s3                         # 3, waits for the gemm's completion
        csrr x5, cycle
        sem.sig s3
        csrr x6, cycle
        halt x0
    """
    # gemm starts at 2 (sem.sig s0 issues at 2, CP before starts), d = 28 (4 x 4 x 8: F = 2,
    # 2 * (4 + 4 + 4 + 4 - 2)); completes at 30. sem.wait (issued at 3) takes s3 at 30;
    # csrr x5 at 31; sem.sig s3 at 32: the dma.ld starts at 32, completes 42; csrr x6 at 33;
    # halt at 34, drains until 42: 43 cycles.
    csrs = dict(ENGINE_CSRS, te_k=8)
    m, r, c = run(src, csrs=csrs, regs=ENGINE_REGS)
    d_g = 2 * (4 + 4 + 4 + 4 - 2)
    assert m.x[5] == 2 + d_g + 1 == 31
    assert m.x[6] == 33
    assert r.cycles == 32 + D_DMA8 + 1 == 43
    assert c["me_stall_sem"] == 32 - 2           # visible at 2, s3 taken by the CP at 30
    assert c["te_stall_sem"] == 2 - 1
    assert c["cp_stall_sem"] == 30 - 3
    assert c["cp_stall_drain"] == 42 - 34
    assert m.sem[3] == 0 and m.sem[0] == 0


def test_starts_in_engine_order_for_one_semaphore():
    # The gemm (earlier in program order) and the dma.ld both wait for s0; one sem.sig gives it
    # to the ME, whose start comes first in the cycle (starts: ME, TE, VE).
    src = """
        gemm x3, x1, x4, wait=s0    # 0, visible 1
        dma.ld x1, x2, wait=s0      # 1, visible 2
        nop                         # 2
        sem.sig s0                  # 3: the dma.ld starts at 3 (10 cycles: completes 13)
        sem.sig s0                  # 4: the gemm starts at 4 (14 cycles: completes 18)
        halt x0                     # 5, drains until 18
    """
    m, r, c = run(src, csrs=ENGINE_CSRS, regs=ENGINE_REGS)
    assert r.cycles == 4 + 14 + 1 == 19
    assert c["me_stall_sem"] == 3 - 2
    assert c["te_stall_sem"] == 4 - 1
    assert c["cp_stall_drain"] == 18 - 5


def test_semaphore_chain_me_te_ve_me():
    src = """
        dma.ld x1, x2, sig=s0               # 0, vis 1, starts 1, d 16, done 17
        gemm x3, x1, x4, wait=s0, sig=s1    # 1, vis 2, starts 17, d 28, done 45
        vrq.fx x5, x3, x6, wait=s1, sig=s2  # 2, vis 3, starts 45, d 8, done 53
        csrwi dma_cols, 4                   # 3
        dma.st x7, x5, wait=s2, sig=s3      # 4, vis 5, starts 53, d 14, done 67
        sem.wait s3                         # 5, waits until 67
        csrr x8, cycle                      # 68
        halt x0                             # 69
    """
    csrs = dict(dma_rows=4, dma_cols=8, dma_sstride=8, dma_dstride=8,
                te_m=4, te_n=4, te_k=8, te_lda=8, te_ldb=4, te_ldc=4, ve_rows=4, ve_cols=4)
    regs = {1: 0, 2: 0x100, 3: 0, 4: 0x40, 5: 0x100, 6: 0x200, 7: 0x400}
    m, r, c = run(src, csrs=csrs, regs=regs)
    d_ld = 8 + 4 * 1 + ceil(4 * 8, 8)             # 16
    d_g = 2 * 1 * (4 + 4 + 4 + 4 - 2)             # F = ceil(8/4) * ceil(4/4) = 2: 28
    d_rq = ceil(4 * 4, 4) + 4                     # 8
    d_st = 8 + 4 * 1 + ceil(4 * 4, 8)             # 14
    done = 1 + d_ld + d_g + d_rq + d_st           # 67
    assert done == 67
    assert m.x[8] == done + 1
    assert r.cycles == done + 1 + 1 + 1
    assert c["te_stall_sem"] == 17 - 2
    assert c["ve_stall_sem"] == 45 - 3
    assert c["me_stall_sem"] == 53 - 17          # visible at 5, but the ME is busy until 17
    assert c["cp_stall_sem"] == done - 5
    assert (c["me_busy"], c["te_busy"], c["ve_busy"]) == (d_ld + d_st, d_g, d_rq)
    assert c["macs"] == 4 * 4 * 8


@pytest.mark.parametrize("nops, x5, stall", [
    (8, 11 + 1, 11 - 9),        # sem.wait at 9 waits until the completion at 11
    (9, 11 + 1, 11 - 10),
    (10, 11 + 1, 0),            # sem.wait at 11, the completion's cycle: no wait
    (12, 13 + 1, 0),
])
def test_cp_sees_a_completion_of_its_cycle(nops, x5, stall):
    # dma.ld (10 cycles) visible at 1, completes at 11 and signals s0; sem.wait issues at
    # 1 + nops. Completions come before the CP's instruction in a cycle.
    src = "dma.ld x1, x2, sig=s0\n" + "nop\n" * nops + """
        sem.wait s0
        csrr x5, cycle
        halt x0
    """
    m, r, c = run(src, csrs=DMA8, regs={1: 0, 2: 0x100})
    assert m.x[5] == x5
    assert c["cp_stall_sem"] == stall
    assert r.cycles == x5 + 2


@pytest.mark.parametrize("nops, new", [(9, False), (10, True)])
def test_cp_load_sees_a_dma_store_completed_in_its_cycle(nops, new):
    # dma.st of 4 bytes: 8 + 1 + ceil(4 / 8) = 10 cycles, visible 1, writes GM at its completion,
    # 11. A lw issues at 1 + nops and reads GM at its issue cycle: at 10 the old word, at 11 the
    # new one (completions before the CP's instruction).
    src = "dma.st x2, x1\n" + "nop\n" * nops + "lw x5, 0(x2)\nhalt x0\n"
    m = Machine(SMALL, mode="cycle")
    m.load(assemble(src))
    for k, v in dict(dma_rows=1, dma_cols=4, dma_sstride=4, dma_dstride=4).items():
        m.csr[k] = v
    m.x[1], m.x[2] = 0x40, 0x100
    m.lm[0x40:0x44] = [1, 2, 3, 4]
    m.gm[0x100:0x104] = [9, 9, 9, 9]
    r = m.run()
    assert r.trap is None and r.halted
    assert m.x[5] == (0x04030201 if new else 0x09090909)
    assert r.cycles == (1 + nops) + 4 + 1              # the halt finds the ME idle


def test_queue_full_wait_for_a_start_released_by_a_semaphore():
    # queue depth 1: the second dma.ld waits for the first one's start, which waits for s0 from
    # the gemm (4 x 4 x 4: 14 cycles, visible 1, completes 15).
    src = """
        gemm x3, x1, x4, sig=s0     # 0
        dma.ld x1, x2, wait=s0      # 1, visible 2, starts 15 (completes 25)
        dma.ld x1, x2               # 2: the queue is full until 15; issues 15, visible 16,
        csrr x5, cycle              # 16                            starts 25, completes 35
        halt x0                     # 17, drains until 35
    """
    cfg = SMALL.replace(queue_depth=1)
    m, r, c = run(src, cfg, csrs=ENGINE_CSRS, regs=ENGINE_REGS)
    assert m.x[5] == 1 + 14 + 1 == 16
    assert c["cp_stall_queue_me"] == 15 - 2
    assert c["me_stall_sem"] == 15 - 2
    assert c["cp_stall_drain"] == 35 - 17
    assert r.cycles == 36


@pytest.mark.parametrize("mask", [2, 3, 6])
def test_sync_waits_only_for_selected_engines(mask):
    # ME: dma.ld 1 x 128: 8 + 1 + 16 = 25, visible 1, done 26
    # TE: gemm 4 x 4 x 4 (14), visible 2, done 16
    src = f"""
        dma.ld x1, x2           # 0
        gemm x3, x5, x4         # 1
        sync 4                  # 2: the VE is idle, no wait
        sync {mask}             # 3: waits
        csrr x5, cycle
        halt x0
    """
    csrs = dict(ENGINE_CSRS, dma_cols=128, dma_sstride=128, dma_dstride=128)
    m, r, c = run(src, csrs=csrs, regs={**ENGINE_REGS, 5: 0x1000})
    d_me, d_te = 8 + 1 + ceil(128, 8), 14
    me_done, te_done = 1 + d_me, 2 + d_te          # 26, 16
    sync_issue = max(te_done, me_done if mask & 1 else 0)
    assert m.x[5] == sync_issue + 1
    halt_issue = max(sync_issue + 2, me_done)      # the halt waits for the ME in any case
    assert r.cycles == halt_issue + 1
    assert c["cp_stall_drain"] == (sync_issue - 3) + (halt_issue - (sync_issue + 2))


def test_halt_drains_every_engine():
    src = """
        vadd.b x6, x1, x4       # 0, visible 1, 6 cycles: done 7
        gemm x3, x1, x4         # 1, visible 2, 14 cycles: done 16
        dma.ld x1, x2           # 2, visible 3, 10 cycles: done 13
        halt x0                 # 3, drains until 16
    """
    m, r, c = run(src, csrs=ENGINE_CSRS, regs=ENGINE_REGS)
    assert r.cycles == 16 + 1
    assert c["cp_stall_drain"] == 16 - 3
    assert c["instructions"] == 4
    assert (c["me_instructions"], c["te_instructions"], c["ve_instructions"]) == (1, 1, 1)


# ---------------------------------------------------------------------------------------------
# The worked program of docs/timing.md
# ---------------------------------------------------------------------------------------------

def test_worked_program():
    src = """
        dma.ld x1, x2, sig=s0
        gemm x3, x1, x4, wait=s0
        halt x0
    """
    csrs = dict(dma_rows=4, dma_cols=8, dma_sstride=8, dma_dstride=8,
                te_m=4, te_n=4, te_k=8, te_lda=8, te_ldb=4, te_ldc=4)
    m, r, c = run(src, csrs=csrs, regs={1: 0, 2: 0x100, 3: 0, 4: 0x40})
    d_ld = 8 + 4 * 1 + ceil(32, 8)                                     # 16
    d_g = ceil(8, 4) * ceil(4, 4) * (4 + 4 + 4 + 4 - 2)                # 28
    assert (d_ld, d_g) == (16, 28)
    assert r.cycles == 1 + d_ld + d_g + 1 == 46
    assert c["cp_stall_drain"] == 45 - 2 == 43
    assert c["te_stall_sem"] == 17 - 2 == 15
    assert c["me_busy"] == 16 and c["te_busy"] == 28
    assert c["macs"] == 4 * 4 * 8
    assert c["instructions"] == 3


# ---------------------------------------------------------------------------------------------
# Engine durations run on the machine (one instruction + halt: cycles = 1 + d + 1)
# ---------------------------------------------------------------------------------------------

def one(insn: str, csrs: dict, config=SMALL, regs: dict | None = None):
    base = {1: 0x0, 2: 0x100, 3: 0x800, 4: 0x1000, 5: 0x2000, 6: 0x400}
    m, r, c = run(f"{insn}\nhalt x0\n", config, csrs=csrs, regs={**base, **(regs or {})})
    d = r.cycles - 2
    assert c["cp_stall_drain"] == d
    return d, c


def test_dma_ld_with_padding():
    csrs = dict(dma_rows=3, dma_cols=5, dma_sstride=5, dma_dstride=9,
                dma_pt=1, dma_pb=2, dma_pl=3, dma_pr=1)
    d, c = one("dma.ld x1, x2", csrs)
    rows = 1 + 3 + 2                                    # 6
    nbytes = rows * (3 + 5 + 1)                         # 54
    assert d == 8 + rows * 1 + ceil(nbytes, 8) == 21
    assert c["me_busy"] == 21
    assert c["gm_read"] == 3 * 5 and c["lm_written"] == 54


def test_dma_st_ignores_padding():
    csrs = dict(dma_rows=3, dma_cols=5, dma_sstride=5, dma_dstride=5,
                dma_pt=1, dma_pb=2, dma_pl=3, dma_pr=1)
    d, c = one("dma.st x2, x1", csrs)
    assert d == 8 + 3 * 1 + ceil(3 * 5, 8) == 13
    assert c["lm_read"] == 15 and c["gm_written"] == 15


def test_dma_cp_uses_lm_bandwidth():
    csrs = dict(dma_rows=3, dma_cols=5, dma_sstride=5, dma_dstride=9,
                dma_pt=1, dma_pb=2, dma_pl=3, dma_pr=1)
    d, c = one("dma.cp x3, x1", csrs)
    assert d == 8 + 6 * 1 + ceil(54, 16) == 18
    assert c["lm_read"] == 15 and c["lm_written"] == 54
    assert c["gm_read"] == 0 and c["gm_written"] == 0


@pytest.mark.parametrize("esz, expected", [
    (1, 8 + (12 // 1) * 1 + ceil(3 * 12, 16)),          # 23
    (2, 8 + (12 // 2) * 1 + ceil(3 * 12, 16)),          # 17
    (4, 8 + (12 // 4) * 1 + ceil(3 * 12, 16)),          # 14
])
def test_dma_tr(esz, expected):
    csrs = dict(dma_rows=3, dma_cols=12, dma_sstride=12, dma_dstride=3 * esz,
                dma_pt=1, dma_pl=2)                     # padding ignored
    d, c = one(f"dma.tr x3, x1, esz={esz}", csrs)
    assert d == expected
    assert c["lm_read"] == 36 and c["lm_written"] == 36


def test_dma_row_cycles_and_latency_parameters():
    cfg = SMALL.replace(dma_latency_cycles=20, dma_row_cycles=3, dma_gm_bytes_per_cycle=5)
    csrs = dict(dma_rows=4, dma_cols=7, dma_sstride=7, dma_dstride=7)
    d, c = one("dma.ld x1, x2", csrs, cfg)
    assert d == 20 + 4 * 3 + ceil(28, 5) == 38


GEMM_CASES = [
    # (config changes, M, N, K, {(te_weight_overlap, te_fold_pipeline): d})
    # Folds one after another: F * (R + M + R + C - 2) without overlap,
    # R + F * (M + R + C - 2) with it. Pipelined: F * (R + M) + (R + C - 2) without overlap,
    # R + (F - 1) * max(M, R) + M + (R + C - 2) with it. R = C = 4 unless changed: fill and
    # drain R + C - 2 = 6.
    # F = ceil(8/4) * ceil(4/4) = 2, M = R: 2 * (4 + 4 + 6) = 28; 4 + 2 * (4 + 6) = 24;
    # pipelined 2 * (4 + 4) + 6 = 22; 4 + 1 * 4 + 4 + 6 = 18
    ({}, 4, 4, 8, {(0, 0): 28, (1, 0): 24, (0, 1): 22, (1, 1): 18}),
    # F = ceil(9/4) * ceil(6/4) = 3 * 2 = 6: 6 * (4 + 5 + 6) = 90; 4 + 6 * (5 + 6) = 70;
    # pipelined 6 * (4 + 5) + 6 = 60; 4 + 5 * 5 + 5 + 6 = 40
    ({}, 5, 6, 9, {(0, 0): 90, (1, 0): 70, (0, 1): 60, (1, 1): 40}),
    # F = 1, M = 3 < R: 4 + 3 + 6 = 13; 4 + 1 * (3 + 6) = 13; pipelined 1 * (4 + 3) + 6 = 13;
    # 4 + 0 * 4 + 3 + 6 = 13 (one fold: nothing to pipeline, the same d in all four)
    ({}, 3, 1, 1, {(0, 0): 13, (1, 0): 13, (0, 1): 13, (1, 1): 13}),
    # F = ceil(13/4) * ceil(9/4) = 4 * 3 = 12: 12 * (4 + 7 + 6) = 204; 4 + 12 * 13 = 160;
    # pipelined 12 * (4 + 7) + 6 = 138; 4 + 11 * 7 + 7 + 6 = 94
    ({}, 7, 9, 13, {(0, 0): 204, (1, 0): 160, (0, 1): 138, (1, 1): 94}),
    # R = 3, C = 5 (fill and drain 6): F = ceil(7/3) * ceil(11/5) = 3 * 3 = 9:
    # 9 * (3 + 6 + 3 + 5 - 2) = 135; 3 + 9 * (6 + 3 + 5 - 2) = 111;
    # pipelined 9 * (3 + 6) + 6 = 87; 3 + 8 * 6 + 6 + 6 = 63
    (dict(te_rows=3, te_cols=5), 6, 11, 7, {(0, 0): 135, (1, 0): 111, (0, 1): 87, (1, 1): 63}),
    # R = 8, C = 2 (fill and drain 8): F = ceil(5/8) * ceil(3/2) = 2: 2 * (8 + 10 + 8) = 52;
    # 8 + 2 * (10 + 8) = 44; pipelined 2 * (8 + 10) + 8 = 44; 8 + 1 * 10 + 10 + 8 = 36
    (dict(te_rows=8, te_cols=2), 10, 3, 5, {(0, 0): 52, (1, 0): 44, (0, 1): 44, (1, 1): 36}),
    # M = 2 < R = 4, so max(M, R) = R: F = ceil(8/4) * ceil(8/4) = 4: 4 * (4 + 2 + 6) = 48;
    # 4 + 4 * (2 + 6) = 36; pipelined 4 * (4 + 2) + 6 = 30; 4 + 3 * 4 + 2 + 6 = 24
    ({}, 2, 8, 8, {(0, 0): 48, (1, 0): 36, (0, 1): 30, (1, 1): 24}),
    # M = 3 < R = 8, C = 3 (fill and drain 9): F = ceil(20/8) * ceil(7/3) = 3 * 3 = 9:
    # 9 * (8 + 3 + 9) = 180; 8 + 9 * (3 + 9) = 116; pipelined 9 * (8 + 3) + 9 = 108;
    # 8 + 8 * 8 + 3 + 9 = 84
    (dict(te_rows=8, te_cols=3), 3, 7, 20, {(0, 0): 180, (1, 0): 116, (0, 1): 108, (1, 1): 84}),
]


@pytest.mark.parametrize("pipeline", [False, True])
@pytest.mark.parametrize("overlap", [False, True])
@pytest.mark.parametrize("changes, M, N, K, ds", GEMM_CASES)
def test_gemm(changes, M, N, K, ds, overlap, pipeline):
    cfg = SMALL.replace(te_weight_overlap=overlap, te_fold_pipeline=pipeline, **changes)
    csrs = dict(te_m=M, te_n=N, te_k=K, te_lda=K, te_ldb=N, te_ldc=N)
    d, c = one("gemm x3, x1, x2", csrs, cfg, regs={3: 0})
    assert d == ds[overlap, pipeline]
    assert c["te_busy"] == d and c["te_instructions"] == 1
    assert c["macs"] == M * N * K
    assert c["lm_read"] == M * K + K * N and c["acc_written"] == 4 * M * N


WIN_KEYS = ("win_ih", "win_iw", "win_c", "win_oc", "win_kh", "win_kw", "win_sh", "win_sw",
            "win_dh", "win_dw", "win_pt", "win_pb", "win_pl", "win_pr")


def win(ih, iw, c, oc, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr):
    return dict(zip(WIN_KEYS, (ih, iw, c, oc, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr)))


CONV_CASES = [
    # (geometry, dw, d without overlap, d with overlap, pipelined d without / with overlap, macs)
    # (the formulas of GEMM_CASES, R = C = 4)
    # OH = (5 + 1 + 0 - 1*2 - 1) // 2 + 1 = 2, OW = (6 + 1 + 1 - 2*1 - 1) // 1 + 1 = 6: M = 12;
    # K = 3*2*3 = 18, N = 5: F = ceil(18/4) * ceil(5/4) = 10;
    # 10 * (4 + 12 + 6) = 220; 4 + 10 * (12 + 6) = 184; MACs 12 * 18 * 5 = 1080;
    # pipelined 10 * (4 + 12) + 6 = 166; 4 + 9 * 12 + 12 + 6 = 130
    (win(5, 6, 3, 5, 3, 2, 2, 1, 1, 2, 1, 0, 1, 1), False, 220, 184, 166, 130, 1080),
    # OH = (9 + 0 + 1 - 3*1 - 1) // 2 + 1 = 4, OW = (4 - 0 - 1) // 3 + 1 = 2: M = 8;
    # K = 2*1*5 = 10, N = 3: F = 3 * 1 = 3; 3 * (4 + 8 + 6) = 54; 4 + 3 * 14 = 46; MACs 240;
    # pipelined 3 * (4 + 8) + 6 = 42; 4 + 2 * 8 + 8 + 6 = 34
    (win(9, 4, 5, 3, 2, 1, 2, 3, 3, 1, 0, 1, 0, 0), False, 54, 46, 42, 34, 240),
    # depthwise: OH = (6 + 2 - 2 - 1) // 1 + 1 = 6, OW = (5 - 2 - 1) // 2 + 1 = 2: M = 12;
    # F = 6 * ceil(9/4) = 18 (win_oc ignored); 18 * (4 + 12 + 6) = 396; 4 + 18 * 18 = 328;
    # MACs 12 * 6 * 9 = 648; pipelined 18 * (4 + 12) + 6 = 294; 4 + 17 * 12 + 12 + 6 = 226
    (win(6, 5, 6, 7, 3, 3, 1, 2, 1, 1, 1, 1, 0, 0), True, 396, 328, 294, 226, 648),
    # depthwise, dilated 2 x 2 kernel: OH = (4 + 0 + 0 - 2*1 - 1) // 1 + 1 = 2,
    # OW = (4 + 1 + 1 - 2*1 - 1) // 2 + 1 = 2: M = 4; F = 3 * ceil(4/4) = 3;
    # 3 * (4 + 4 + 6) = 42; 4 + 3 * 10 = 34; MACs 4 * 3 * 4 = 48;
    # pipelined 3 * (4 + 4) + 6 = 30; 4 + 2 * 4 + 4 + 6 = 22
    (win(4, 4, 3, 1, 2, 2, 1, 2, 2, 2, 0, 0, 1, 1), True, 42, 34, 30, 22, 48),
    # depthwise with M < R: OH = (2 - 1 - 1) // 1 + 1 = 1, OW = (3 - 1 - 1) // 1 + 1 = 2: M = 2;
    # F = 2 * ceil(4/4) = 2; 2 * (4 + 2 + 6) = 24; 4 + 2 * (2 + 6) = 20;
    # pipelined 2 * (4 + 2) + 6 = 18; 4 + 1 * max(2, 4) + 2 + 6 = 16; MACs 2 * 2 * 4 = 16
    (win(2, 3, 2, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0), True, 24, 20, 18, 16, 16),
    # conv with M < R: OH = (2 - 1 - 1) // 1 + 1 = 1, OW = (3 - 1 - 1) // 1 + 1 = 2: M = 2;
    # K = 2*2*3 = 12, N = 5: F = ceil(12/4) * ceil(5/4) = 3 * 2 = 6; 6 * (4 + 2 + 6) = 72;
    # 4 + 6 * (2 + 6) = 52; pipelined 6 * (4 + 2) + 6 = 42; 4 + 5 * 4 + 2 + 6 = 32;
    # MACs 2 * 12 * 5 = 120
    (win(2, 3, 3, 5, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0), False, 72, 52, 42, 32, 120),
]


@pytest.mark.parametrize("pipeline", [False, True])
@pytest.mark.parametrize("overlap", [False, True])
@pytest.mark.parametrize("geom, dw, d_off, d_on, dp_off, dp_on, macs", CONV_CASES)
def test_conv(geom, dw, d_off, d_on, dp_off, dp_on, macs, overlap, pipeline):
    cfg = SMALL.replace(te_weight_overlap=overlap, te_fold_pipeline=pipeline)
    d, c = one("conv x3, x1, x2" + (", dw" if dw else ""), geom, cfg, regs={3: 0})
    assert d == {(0, 0): d_off, (1, 0): d_on, (0, 1): dp_off, (1, 1): dp_on}[overlap, pipeline]
    assert c["macs"] == macs and c["te_busy"] == d


VE_CASES = [
    # (instruction, CSRs, d): d = ceil(elements / 4) + 4
    ("vrq.fx x1, x3, x4", dict(ve_rows=3, ve_cols=5), ceil(15, 4) + 4),            # 8
    ("vrq.fp x1, x3, x4", dict(ve_rows=3, ve_cols=5), ceil(15, 4) + 4),            # 8
    ("vqadd x1, x2, x5, x4", dict(ve_rows=4, ve_cols=5), ceil(20, 4) + 4),         # 9
    ("vadd.b x1, x2, x5", dict(ve_rows=2, ve_cols=9), ceil(18, 4) + 4),            # 9
    ("vmul.bx x1, x2, x5", dict(ve_rows=2, ve_cols=9), ceil(18, 4) + 4),           # 9
    ("vsra.w x1, x3, x6", dict(ve_rows=6, ve_cols=7), ceil(42, 4) + 4),            # 15
    ("vmax.wx x1, x3, x5", dict(ve_rows=1, ve_cols=1), ceil(1, 4) + 4),            # 5
    ("vrsum.b x4, x2", dict(ve_rows=7, ve_cols=3), ceil(21, 4) + 4),               # 10
    ("vrmax.w x1, x3", dict(ve_rows=7, ve_cols=3), ceil(21, 4) + 4),               # 10
    ("vlut x1, x2, x5", dict(ve_rows=3, ve_cols=3), ceil(9, 4) + 4),               # 7
    ("vacc.ld x3, x4", dict(ve_rows=1, ve_cols=8), ceil(8, 4) + 4),                # 6
    ("vacc.st x4, x3", dict(ve_rows=2, ve_cols=8), ceil(16, 4) + 4),               # 8
    # vgap is not vmaxpool/vavgpool: ve_rows x ve_cols (the window CSRs are ignored)
    ("vgap x1, x2", dict(ve_rows=10, ve_cols=3, **win(9, 9, 9, 1, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0)),
     ceil(30, 4) + 4),                                                              # 12
    # OH = (5 + 0 + 1 - 1 - 1) // 2 + 1 = 3, OW = (5 + 1 + 1 - 2 - 1) // 1 + 1 = 5:
    # elements = 3 * 5 * 3 * 2 * 3 = 270: ceil(270 / 4) + 4 = 72
    ("vmaxpool x1, x2", dict(ve_rows=1, ve_cols=1, **win(5, 5, 3, 1, 2, 3, 2, 1, 1, 1, 0, 1, 1, 1)),
     ceil(3 * 5 * 3 * 2 * 3, 4) + 4),
    # dilation 2: OH = (5 + 0 + 1 - 2 - 1) // 2 + 1 = 2, OW = 5: 2 * 5 * 3 * 6 = 180: 45 + 4
    ("vavgpool x1, x2", dict(**win(5, 5, 3, 1, 2, 3, 2, 1, 2, 1, 0, 1, 1, 1)),
     ceil(2 * 5 * 3 * 2 * 3, 4) + 4),
]


@pytest.mark.parametrize("insn, csrs, expected", VE_CASES, ids=[c[0].split()[0] for c in VE_CASES])
def test_ve(insn, csrs, expected):
    # x1 LM 0 / ACC 0, x2 LM 0x100, x3 ACC 0x800, x4 LM 0x1000, x5 LM 0x2000, x6 ACC 0x400
    # (zeros: valid parameters)
    d, c = one(insn, csrs)
    assert d == expected
    assert c["ve_busy"] == d and c["ve_instructions"] == 1


@pytest.mark.parametrize("insn, csrs, counters", [
    # each operand byte once, at the start; results at the completion (ACC in bytes)
    # vrq.fx 3 x 5: ACC 15 words; params bias, mult, shift: 3 * 4 * 5 bytes; 15 bytes out
    ("vrq.fx x1, x3, x4", dict(ve_rows=3, ve_cols=5),
     dict(acc_read=4 * 15, lm_read=3 * 4 * 5, lm_written=15)),
    # vqadd 4 x 5: two 20-byte inputs and 9 int32 parameters; 20 bytes out
    ("vqadd x1, x2, x5, x4", dict(ve_rows=4, ve_cols=5),
     dict(acc_read=0, lm_read=2 * 20 + 9 * 4, lm_written=20)),
    # vlut 3 x 3: 9 source bytes and the 256-byte table
    ("vlut x1, x2, x5", dict(ve_rows=3, ve_cols=3), dict(lm_read=9 + 256, lm_written=9)),
    # vgap 10 x 3: 30 bytes in, 3 out
    ("vgap x1, x2", dict(ve_rows=10, ve_cols=3), dict(lm_read=30, lm_written=3)),
    # vmaxpool: the 5 x 5 x 3 input tile (each byte counted once, although the timing charges
    # every window element), 3 x 5 x 3 out
    ("vmaxpool x1, x2", win(5, 5, 3, 1, 2, 3, 2, 1, 1, 1, 0, 1, 1, 1),
     dict(lm_read=75, lm_written=45)),
    # conv: the 5 x 6 x 3 tile and 3 x 2 x 3 x 5 weights (padding is no LM byte); OH * OW * OC
    # = 12 * 5 words out
    ("conv x3, x1, x2", win(5, 6, 3, 5, 3, 2, 2, 1, 1, 2, 1, 0, 1, 1),
     dict(lm_read=90 + 90, acc_read=0, acc_written=4 * 60)),
    # gemm with acc reads its 2 x 3 ACC tile
    ("gemm x3, x1, x2, acc", dict(te_m=2, te_n=3, te_k=4, te_lda=4, te_ldb=3, te_ldc=3),
     dict(lm_read=8 + 12, acc_read=4 * 6, acc_written=4 * 6)),
])
def test_memory_counters(insn, csrs, counters):
    d, c = one(insn, csrs, regs={3: 0} if insn.startswith(("conv", "gemm")) else None)
    assert {k: c[k] for k in counters} == counters
    assert c["gm_read"] == 0 and c["gm_written"] == 0


def test_ve_lanes_and_pipeline_parameters():
    cfg = SMALL.replace(ve_lanes=7, ve_pipeline_cycles=11)
    d, c = one("vadd.w x1, x3, x6", dict(ve_rows=5, ve_cols=3), cfg)
    assert d == ceil(15, 7) + 11 == 14


@pytest.mark.parametrize("insn, csrs, cfg", [
    # ceil(0 / 4) + 0 = 0 -> 1
    ("vadd.b x1, x2, x5", dict(ve_rows=0, ve_cols=8), SMALL.replace(ve_pipeline_cycles=0)),
    # 0 + 0 * 1 + 0 = 0 -> 1
    ("dma.ld x1, x2", dict(dma_rows=0, dma_cols=8), SMALL.replace(dma_latency_cycles=0)),
    # 0 + (8 / 1) * 0 + ceil(0 / 16) = 0 -> 1 (dma_rows 0)
    ("dma.tr x3, x1", dict(dma_rows=0, dma_cols=8), SMALL.replace(dma_latency_cycles=0,
                                                                  dma_row_cycles=0)),
    # F = ceil(0/4) * ceil(4/4) = 0: 0 cycles without overlap -> 1
    ("gemm x3, x1, x2", dict(te_m=4, te_n=4, te_k=0), SMALL),
    # pipelined, no overlap, F = ceil(4/4) * ceil(0/4) = 0: d = 0 (no fill and drain) -> 1
    ("gemm x3, x1, x2", dict(te_m=4, te_n=0, te_k=4), SMALL.replace(te_fold_pipeline=True)),
])
def test_minimum_duration_is_one(insn, csrs, cfg):
    d, c = one(insn, csrs, cfg, regs={3: 0} if insn.startswith("gemm") else None)
    assert d == 1
    assert sum(c[f"{e}_busy"] for e in ("me", "te", "ve")) == 1


@pytest.mark.parametrize("pipeline", [False, True])
@pytest.mark.parametrize("csrs", [dict(te_m=4, te_n=4, te_k=0), dict(te_m=4, te_n=0, te_k=4),
                                  dict(te_m=0, te_n=0, te_k=0)])
def test_empty_gemm_with_overlap_is_one_weight_load(csrs, pipeline):
    # F = 0 with the overlap: d = R, pipelined or not (R = 6 here, to tell it from other values)
    cfg = SMALL.replace(te_rows=6, te_weight_overlap=True, te_fold_pipeline=pipeline)
    d, c = one("gemm x3, x1, x2", csrs, cfg, regs={3: 0})
    assert d == 6
    assert c["te_busy"] == 6 and c["macs"] == 0


PIPE = SMALL.replace(te_weight_overlap=True, te_fold_pipeline=True)


def test_pipelined_program():
    # small with both TE switches on (R = C = 4: fill and drain 4 + 4 - 2 = 6). Two gemms of
    # M = 4, N = 8, K = 8 back to back: F = ceil(8/4) * ceil(8/4) = 4, M = R:
    # d = R + (F - 1) * max(M, R) + M + (R + C - 2) = 4 + 3 * 4 + 4 + 6 = 26 each (without the
    # pipelining 4 + 4 * (4 + 6) = 44). The second gemm cannot overlap the first: instructions
    # are not pipelined into each other, it starts at the first one's completion.
    src = """
        dma.ld x1, x2, sig=s0               # 0, vis 1, starts 1, d 16, done 17
        gemm x3, x1, x4, wait=s0            # 1, vis 2, starts 17 (takes s0), d 26, done 43
        gemm x3, x1, x4, acc, sig=s1        # 2, vis 3, starts 43, d 26, done 69
        vrq.fx x5, x3, x6, wait=s1, sig=s2  # 3, vis 4, starts 69, d 12, done 81
        sem.wait s2                         # 4, waits until 81, issues at 81
        csrr x8, cycle                      # 82
        halt x0                             # 83: the run ends at 84
    """
    csrs = dict(dma_rows=4, dma_cols=8, dma_sstride=8, dma_dstride=8,
                te_m=4, te_n=8, te_k=8, te_lda=8, te_ldb=8, te_ldc=8, ve_rows=4, ve_cols=8)
    regs = {1: 0, 2: 0x100, 3: 0, 4: 0x40, 5: 0x100, 6: 0x200}
    m, r, c = run(src, PIPE, csrs=csrs, regs=regs)
    d_ld = 8 + 4 * 1 + ceil(4 * 8, 8)                     # 16
    d_g = 4 + (4 - 1) * max(4, 4) + 4 + (4 + 4 - 2)       # 26
    d_rq = ceil(4 * 8, 4) + 4                             # 12
    assert (d_ld, d_g, d_rq) == (16, 26, 12)
    done = 1 + d_ld + 2 * d_g + d_rq                      # 81
    assert done == 81
    assert m.x[8] == done + 1 == 82
    assert r.cycles == done + 1 + 1 + 1 == 84
    assert c["te_busy"] == 2 * d_g == 52 and c["te_instructions"] == 2
    assert c["te_stall_sem"] == 17 - 2
    assert c["ve_stall_sem"] == 69 - 4
    assert c["cp_stall_sem"] == 81 - 4
    assert c["macs"] == 2 * 4 * 8 * 8
    assert c["instructions"] == 7


# ---------------------------------------------------------------------------------------------
# engine_timing against the doc's formulas (examples of the doc, then a Python model)
# ---------------------------------------------------------------------------------------------

def test_doc_examples_default():
    # dma.ld 32 rows x 64 bytes: 64 + 32 + 32 = 128
    assert engine_timing("dma.ld", dict(dma_rows=32, dma_cols=64), DEFAULT)[0] == 128
    # gemm 64^3: F = ceil(64/32) * ceil(64/32) = 4, M = 64 >= R = 32, fill and drain 62.
    # default (overlap and fold pipelining): 32 + 3 * max(64, 32) + 64 + 62 = 350;
    # pipelined without overlap 4 * (32 + 64) + 62 = 446;
    # folds one after another: with overlap 32 + 4 * (64 + 62) = 536, without 4 * (32 + 126) = 632
    g = dict(te_m=64, te_n=64, te_k=64)
    serial = DEFAULT.replace(te_fold_pipeline=False)
    assert engine_timing("gemm", g, DEFAULT) == (350, 64 ** 3)
    assert engine_timing("gemm", g, DEFAULT.replace(te_weight_overlap=False)) == (446, 64 ** 3)
    assert engine_timing("gemm", g, serial) == (536, 64 ** 3)
    assert engine_timing("gemm", g, serial.replace(te_weight_overlap=False)) == (632, 64 ** 3)
    # utilizations 262,144 / (1024 * d): 73.1, 57.4, 47.8, 40.5 %
    assert [round(100 * 64 ** 3 / (1024 * d), 1) for d in (350, 446, 536, 632)] == \
        [73.1, 57.4, 47.8, 40.5]
    # gemm 512^3: F = 16 * 16 = 256; pipelined 32 + 256 * 512 + 62 = 131,166 cycles:
    # 134,217,728 / (1024 * 131,166) = 99.9 %; folds one after another
    # 32 + 256 * (512 + 62) = 146,976 cycles, 89.2 %
    d, macs = engine_timing("gemm", dict(te_m=512, te_n=512, te_k=512), DEFAULT)
    assert d == 32 + 255 * 512 + 512 + 62 == 32 + 256 * 512 + 62 == 131_166
    assert macs == 134_217_728
    assert round(100 * macs / (1024 * d), 1) == 99.9
    d, macs = engine_timing("gemm", dict(te_m=512, te_n=512, te_k=512), serial)
    assert d == 32 + 256 * 574 == 146_976
    assert round(100 * macs / (1024 * d), 1) == 89.2
    # vrq.fx on 32 x 64: 32 + 4 = 36
    assert engine_timing("vrq.fx", dict(ve_rows=32, ve_cols=64), DEFAULT) == (36, 0)


def out_dim(i, p0, p1, d, k, s):
    return (i + p0 + p1 - d * (k - 1) - 1) // s + 1


def model(mn: str, c: dict, cfg, flags=(), esz=1):
    """docs/timing.md, "Engine durations" and the MACs statistic, transcribed."""
    g = lambda k: c.get(k, 0)  # noqa: E731
    macs = 0
    if mn.startswith("dma."):
        if mn == "dma.tr":
            rows, nbytes, bw = g("dma_cols") // esz, g("dma_rows") * g("dma_cols"), \
                cfg.dma_lm_bytes_per_cycle
        elif mn == "dma.st":
            rows, nbytes, bw = g("dma_rows"), g("dma_rows") * g("dma_cols"), \
                cfg.dma_gm_bytes_per_cycle
        else:
            rows = g("dma_pt") + g("dma_rows") + g("dma_pb")
            nbytes = rows * (g("dma_pl") + g("dma_cols") + g("dma_pr"))
            bw = cfg.dma_gm_bytes_per_cycle if mn == "dma.ld" else cfg.dma_lm_bytes_per_cycle
        d = cfg.dma_latency_cycles + rows * cfg.dma_row_cycles + ceil(nbytes, bw)
    elif mn in ("gemm", "conv"):
        R, C = cfg.te_rows, cfg.te_cols
        if mn == "gemm":
            M, N, K = g("te_m"), g("te_n"), g("te_k")
            F = ceil(K, R) * ceil(N, C)
            macs = M * N * K
        else:
            oh = out_dim(g("win_ih"), g("win_pt"), g("win_pb"), g("win_dh"), g("win_kh"),
                         g("win_sh"))
            ow = out_dim(g("win_iw"), g("win_pl"), g("win_pr"), g("win_dw"), g("win_kw"),
                         g("win_sw"))
            M = oh * ow
            if "dw" in flags:
                F = g("win_c") * ceil(g("win_kh") * g("win_kw"), R)
                macs = M * g("win_c") * g("win_kh") * g("win_kw")
            else:
                K, N = g("win_kh") * g("win_kw") * g("win_c"), g("win_oc")
                F = ceil(K, R) * ceil(N, C)
                macs = M * K * N
        if not cfg.te_fold_pipeline:
            if cfg.te_weight_overlap:
                d = R + F * (M + R + C - 2)
            else:
                d = F * (R + M + R + C - 2)
        elif F == 0:
            d = R if cfg.te_weight_overlap else 0
        elif cfg.te_weight_overlap:
            d = R + (F - 1) * max(M, R) + M + (R + C - 2)
        else:
            d = F * (R + M) + (R + C - 2)
    else:
        if mn in ("vmaxpool", "vavgpool"):
            oh = out_dim(g("win_ih"), g("win_pt"), g("win_pb"), g("win_dh"), g("win_kh"),
                         g("win_sh"))
            ow = out_dim(g("win_iw"), g("win_pl"), g("win_pr"), g("win_dw"), g("win_kw"),
                         g("win_sw"))
            elements = oh * ow * g("win_c") * g("win_kh") * g("win_kw")
        else:
            elements = g("ve_rows") * g("ve_cols")
        d = ceil(elements, cfg.ve_lanes) + cfg.ve_pipeline_cycles
    return max(d, 1), macs


configs = st.builds(
    lambda **kw: SMALL.replace(**kw),
    te_rows=st.integers(1, 40), te_cols=st.integers(1, 40), te_weight_overlap=st.booleans(),
    te_fold_pipeline=st.booleans(),
    ve_lanes=st.integers(1, 100), ve_pipeline_cycles=st.integers(0, 20),
    dma_latency_cycles=st.integers(0, 200), dma_row_cycles=st.integers(0, 5),
    dma_gm_bytes_per_cycle=st.integers(1, 100), dma_lm_bytes_per_cycle=st.integers(1, 200))
size = st.integers(0, 300) | st.integers(0, 65535)      # the CSRs' full range too
small_dim = st.integers(1, 12)


@st.composite
def window(draw):
    w = {k: draw(st.integers(1, 9)) for k in ("win_kh", "win_kw", "win_sh", "win_sw", "win_dh",
                                               "win_dw")}
    w.update({k: draw(st.integers(0, 4)) for k in ("win_pt", "win_pb", "win_pl", "win_pr")})
    for i, (p0, p1, d, k) in (("win_ih", ("win_pt", "win_pb", "win_dh", "win_kh")),
                              ("win_iw", ("win_pl", "win_pr", "win_dw", "win_kw"))):
        span = w[d] * (w[k] - 1) + 1 - w[p0] - w[p1]            # the input must fit one window
        w[i] = draw(st.integers(max(1, span), max(1, span) + 40))
    w["win_c"] = draw(st.integers(1, 40))
    w["win_oc"] = draw(st.integers(1, 40))
    return w


@given(cfg=configs, mn=st.sampled_from(["dma.ld", "dma.st", "dma.cp", "dma.tr"]),
       rows=size, cols=size, pads=st.lists(st.integers(0, 255), min_size=4, max_size=4),
       esz=st.sampled_from([1, 2, 4]))
def test_engine_timing_dma(cfg, mn, rows, cols, pads, esz):
    if mn == "dma.tr":
        cols -= cols % esz
    else:
        esz = 1
    c = dict(dma_rows=rows, dma_cols=cols, **dict(zip(("dma_pt", "dma_pb", "dma_pl", "dma_pr"),
                                                      pads)))
    assert engine_timing(mn, c, cfg, esz=esz) == model(mn, c, cfg, esz=esz)


@given(cfg=configs, m=size, n=size, k=size)
def test_engine_timing_gemm(cfg, m, n, k):
    c = dict(te_m=m, te_n=n, te_k=k)
    got = engine_timing("gemm", c, cfg)
    if (k == 0 or n == 0) and cfg.te_weight_overlap:
        # F = 0 with the overlap: the formula gives R (the first weight load), not 1
        assert got == (cfg.te_rows, 0)
    assert got == model("gemm", c, cfg)


@given(cfg=configs, w=window(), dw=st.booleans())
def test_engine_timing_conv(cfg, w, dw):
    flags = ("dw",) if dw else ()
    assert engine_timing("conv", w, cfg, flags=flags) == model("conv", w, cfg, flags)


@given(cfg=configs, w=window(), mn=st.sampled_from(["vmaxpool", "vavgpool", "vgap", "vrq.fx",
                                                    "vqadd", "vadd.b", "vrsum.w", "vlut",
                                                    "vacc.st"]),
       rows=size, cols=size)
def test_engine_timing_ve(cfg, w, mn, rows, cols):
    c = dict(w, ve_rows=rows, ve_cols=cols)
    assert engine_timing(mn, c, cfg) == model(mn, c, cfg)


@pytest.mark.parametrize("mn, c, flags, esz, d, macs", [
    # small; the hand values of the machine tests above
    ("dma.ld", dict(dma_rows=3, dma_cols=5, dma_pt=1, dma_pb=2, dma_pl=3, dma_pr=1), (), 1, 21, 0),
    ("dma.st", dict(dma_rows=3, dma_cols=5, dma_pt=1, dma_pb=2, dma_pl=3, dma_pr=1), (), 1, 13, 0),
    ("dma.cp", dict(dma_rows=3, dma_cols=5, dma_pt=1, dma_pb=2, dma_pl=3, dma_pr=1), (), 1, 18, 0),
    ("dma.tr", dict(dma_rows=3, dma_cols=12), (), 2, 17, 0),
    ("gemm", dict(te_m=5, te_n=6, te_k=9), (), 1, 90, 270),
    ("conv", win(5, 6, 3, 5, 3, 2, 2, 1, 1, 2, 1, 0, 1, 1), (), 1, 220, 1080),
    ("conv", win(6, 5, 6, 7, 3, 3, 1, 2, 1, 1, 1, 1, 0, 0), ("dw",), 1, 396, 648),
    ("vmaxpool", win(5, 5, 3, 1, 2, 3, 2, 1, 1, 1, 0, 1, 1, 1), (), 1, 72, 0),
    ("vgap", dict(ve_rows=10, ve_cols=3), (), 1, 12, 0),
])
def test_engine_timing_hand_values(mn, c, flags, esz, d, macs):
    assert engine_timing(mn, c, SMALL, flags=flags, esz=esz) == (d, macs)


@pytest.mark.parametrize("mn, c, flags, d, macs", [
    # 66,045 destination rows of 66,045 bytes: 4,361,942,025 bytes (more than 32 bits)
    # d = 8 + 66045 + ceil(4361942025 / 8) = 8 + 66045 + 545242754
    ("dma.ld", dict(dma_rows=65535, dma_cols=65535, dma_pt=255, dma_pb=255, dma_pl=255,
                    dma_pr=255), (), 8 + 66045 + 545_242_754, 0),
    # gemm 65535^3: F = 16384 * 16384 = 268,435,456; d = F * (4 + 65535 + 4 + 4 - 2)
    ("gemm", dict(te_m=65535, te_n=65535, te_k=65535), (), 268_435_456 * 65545, 65535 ** 3),
    # conv, OH = OW = 1, K = 255 * 255 * 65535 = 4,261,413,375, N = 65535:
    # F = ceil(K / 4) * 16384 = 1,065,353,344 * 16384; d = F * (4 + 1 + 4 + 4 - 2)
    ("conv", dict(win(255, 255, 65535, 65535, 255, 255, 1, 1, 1, 1, 0, 0, 0, 0)), (),
     1_065_353_344 * 16384 * 11, 4_261_413_375 * 65535),
    # vmaxpool, 1 x 1 windows over 65535 x 65535 x 65535: ceil(65535^3 / 4) + 4
    ("vmaxpool", dict(win(65535, 65535, 65535, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0)), (),
     ceil(65535 ** 3, 4) + 4, 0),
    ("vadd.w", dict(ve_rows=65535, ve_cols=65535), (), ceil(65535 ** 2, 4) + 4, 0),
])
def test_engine_timing_large_shapes(mn, c, flags, d, macs):
    assert engine_timing(mn, c, SMALL, flags=flags) == (d, macs)


@pytest.mark.parametrize("overlap, d", [
    # gemm 65535^3 on small, pipelined: F = 16384 * 16384 = 268,435,456, M = 65535 >= R:
    # 4 + (F - 1) * 65535 + 65535 + 6 = 4 + F * 65535 + 6; without overlap F * (4 + 65535) + 6
    (True, 4 + 268_435_456 * 65535 + 6),
    (False, 268_435_456 * 65539 + 6),
])
def test_engine_timing_large_shapes_pipelined(overlap, d):
    cfg = SMALL.replace(te_weight_overlap=overlap, te_fold_pipeline=True)
    assert engine_timing("gemm", dict(te_m=65535, te_n=65535, te_k=65535), cfg) \
        == (d, 65535 ** 3)

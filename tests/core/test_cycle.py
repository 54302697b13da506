# Cycle-mode semantics against docs/timing.md and docs/isa.md: every trap cause in both modes
# (cause, pc, source line, message), the cycle-mode trap rules (precise dispatch checks, imprecise
# engine traps at start, CP traps after the drain, deadlocks, overflow at completion, watchdogs,
# resumption, step()), races giving old data exactly as documented, and functional == cycle
# architectural state on race-free programs (programs/*.s and generated ones).
# Observer output (traces, commit logs, determinism) is in tests/core/test_observe.py.
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thead_isa.assembler import assemble
from thead_isa.core.events import EV_CP, EV_END, EV_START
from thead_isa.core.machine import Machine
from thead_isa.core.races import RaceChecker
from thead_isa.isa import encode
from thead_isa.isa.traps import Cause

MODES = ("functional", "cycle")


def machine(text: str, mode: str, config: str = "small", sems: dict | None = None):
    p = assemble(text, filename="t.s")
    m = Machine(config, mode=mode)
    m.load(p)
    m.gm[0x100:0x120] = np.arange(1, 33, dtype=np.uint8)      # the DMA source below
    for k, v in (sems or {}).items():
        m.sem[k] = v
    return m


def run(text: str, mode: str, **kw):
    sems = kw.pop("sems", None)
    m = machine(text, mode, sems=sems)
    return m, m.run(**kw)


def pc_of(text: str, line: int) -> int:
    """The pc of the instruction on `line` of text (1-based), from the line table."""
    p = assemble(text, filename="t.s")
    return next(e.addr for e in p.lines if e.line == line)


def line_of(text: str, needle: str) -> int:
    lines = text.split("\n")
    hits = [n + 1 for n, s in enumerate(lines) if s.strip() == needle]
    assert len(hits) == 1, needle
    return hits[0]


# small preset: a dma.ld of 4 rows x 8 bytes takes 8 + 4 + 32/8 = 16 cycles. SETUP is 4 CP
# instructions (cycles 0..3), so a dma.ld right after it issues at 4, starts at 5, completes at 21.
SETUP = """\
 csrwi dma_rows, 4
 csrwi dma_cols, 8
 li x1, 0x40
 li x2, 0x100
"""
DMA_DONE = 21
LM_DST = slice(0x40, 0x48)                      # first destination row of that dma.ld


# ---------------------------------------------------------------------------------------------
# every trap cause, both modes: (cause, trapping line, message, tval) identical in both modes
# ---------------------------------------------------------------------------------------------
BOTH = {
    "illegal_unknown_csr": (" nop\n csrr x5, 0x7ff\n halt x0\n", " csrr x5, 0x7ff",
                            Cause.ILLEGAL_INSTRUCTION, "unknown CSR 0x7ff", None),
    "illegal_read_only_csr": (" nop\n csrw instret, x1\n halt x0\n", " csrw instret, x1",
                              Cause.ILLEGAL_INSTRUCTION, "CSR instret is read-only", None),
    "misaligned_fetch": (" li x5, 12\n li x1, 77\n jalr x1, 0(x5)\n halt x0\n",
                         " jalr x1, 0(x5)", Cause.MISALIGNED_FETCH,
                         "jump target 0xc is not a multiple of 8", 0xC),
    "gm_fault_cp": (" li x1, -4\n lw x5, 0(x1)\n halt x0\n", " lw x5, 0(x1)", Cause.GM_FAULT,
                    "lw: GM bytes 0xfffffffc..0xffffffff outside GM of 1048576 bytes",
                    0xFFFFFFFC),
    "gm_fault_dma": (" csrwi dma_rows, 2\n csrwi dma_cols, 3\n li x2, 0x100000\n"
                     " dma.ld x1, x2\n halt x0\n", " dma.ld x1, x2", Cause.GM_FAULT,
                     "dma.ld gm: GM bytes 0x100000..0x100002 outside GM of 1048576 bytes",
                     0x100000),
    "lm_fault": (SETUP + " li x4, 0x10000\n dma.ld x4, x2\n halt x0\n", " dma.ld x4, x2",
                 Cause.LM_FAULT,
                 "dma.ld lm: LM bytes 0x10000..0x10007 outside LM of 65536 bytes", 0x10000),
    "acc_fault": (" li x1, 0x1000\n gemm x1, x0, x0\n halt x0\n", " gemm x1, x0, x0",
                  Cause.ACC_FAULT, "gemm c: ACC words 0x1000..0x1000 outside ACC of 4096 words",
                  0x1000),
    "misaligned_access_cp": (" li x1, 2\n lw x5, 0(x1)\n halt x0\n", " lw x5, 0(x1)",
                             Cause.MISALIGNED_ACCESS, "lw: address 0x2 is not 4-byte aligned", 2),
    "misaligned_access_ve": (" csrwi ve_rows, 2\n csrwi ve_cols, 2\n li x1, 2\n"
                             " vacc.st x1, x0\n halt x0\n", " vacc.st x1, x0",
                             Cause.MISALIGNED_ACCESS,
                             "vacc.st dst: address 0x2 is not 4-byte aligned", 2),
    "bad_operand_csr": (" li x3, 70000\n csrw dma_rows, x3\n dma.ld x1, x2\n halt x0\n",
                        " dma.ld x1, x2", Cause.BAD_OPERAND,
                        "dma.ld: dma_rows = 70000 outside [0, 65535]", 70000),
    "bad_operand_operand": (" csrwi dma_rows, 2\n csrwi dma_cols, 3\n dma.tr x1, x0, esz=2\n"
                            " halt x0\n", " dma.tr x1, x0, esz=2", Cause.BAD_OPERAND,
                            "dma.tr: dma_cols = 3 is not a multiple of esz = 2", 3),
    "sem_overflow_cp": (" li x1, 0\n1: sem.sig s2\n addi x1, x1, 1\n j 1b\n", "1: sem.sig s2",
                        Cause.SEM_OVERFLOW, "sem.sig s2 above 255", 2),
    # a blocked engine instruction with bad operands reports its own check, not the deadlock
    "deadlock_after_operand_checks": (" li x1, 0x10000\n gemm x1, x1, x1, wait=s1\n halt x0\n",
                                      " gemm x1, x1, x1, wait=s1", Cause.ACC_FAULT,
                                      "gemm c: ACC words 0x10000..0x10000 outside ACC of 4096 "
                                      "words", 0x10000),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(BOTH))
def test_trap_both_modes(name, mode):
    text, insn, cause, message, tval = BOTH[name]
    line = line_of(text, insn.strip())
    pc = pc_of(text, line)
    m, r = run(text, mode)
    t = r.trap
    assert (t.cause, t.pc, t.source, t.message) == (cause, pc, f"t.s:{line}", message)
    assert tval is None or t.tval == tval
    assert t.word == int(m.imem[pc:pc + 8].view("<u8")[0])
    assert not r.halted and r.exit_code is None and m.trap == t and m.stopped
    # straight-line code: instret = index; the overflow loop retired 1 + 255 x 3 instructions
    assert m.pc == pc and m.instret == (766 if name == "sem_overflow_cp" else pc // 8)
    assert str(t) == f"{cause.label} at pc 0x{pc:x} (t.s:{line}): {message}"


def test_every_cause_has_a_test_here():
    covered = {v[2] for v in BOTH.values()} | {
        Cause.ILLEGAL_INSTRUCTION,          # test_illegal_word
        Cause.FETCH_FAULT,                  # test_fetch_fault
        Cause.SEM_OVERFLOW,                 # test_sem_overflow_engine
        Cause.SEM_DEADLOCK,                 # test_sem_deadlock_cp, ..._blocked_engine
        Cause.WATCHDOG}                     # test_max_cycles_..., test_max_instructions_...
    assert covered == set(Cause)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("word, message", [
    (0, "unassigned opcode 0x00"), (0xFF, "unassigned opcode 0xff"),
    (encode("halt", rs1=0) | 1 << 8, "reserved bits of halt are not zero")])
def test_illegal_word(mode, word, message):
    """A word that decodes to nothing, written over an instruction that has a source line."""
    m = machine(" li x5, 1\n nop\n li x5, 2\n halt x5\n", mode)
    m.write(8, word.to_bytes(8, "little"), mem="imem")
    r = m.run()
    assert (r.trap.cause, r.trap.pc, r.trap.source, r.trap.message, r.trap.word) == (
        Cause.ILLEGAL_INSTRUCTION, 8, "t.s:2", message, word)
    assert (m.pc, m.instret, m.x[5]) == (8, 1, 1)


@pytest.mark.parametrize("mode", MODES)
def test_fetch_fault(mode):
    m, r = run(" li x1, 0x100000\n jr x1\n", mode)
    assert (r.trap.cause, r.trap.pc, r.trap.source, r.trap.word, r.trap.tval) == (
        Cause.FETCH_FAULT, 0x100000, None, 0, 0x100000)
    assert r.trap.message == "pc 0x100000 outside IMEM of 65536 bytes"
    assert (m.pc, m.instret) == (0x100000, 2)


@pytest.mark.parametrize("mode", MODES)
def test_trapping_instruction_changes_no_state(mode):
    text = " li x5, 12\n li x1, 77\n jalr x1, 0(x5)\n halt x0\n"
    m, r = run(text, mode)
    assert r.trap.cause == Cause.MISALIGNED_FETCH and m.x[1] == 77       # rd not written
    m, r = run(" li x5, 9\n li x1, -4\n lw x5, 0(x1)\n halt x0\n", mode)
    assert r.trap.cause == Cause.GM_FAULT and m.x[5] == 9
    m, r = run(" sem.sig s1\n li x1, 0x1000\n gemm x1, x0, x0, wait=s1\n halt x0\n", mode)
    assert r.trap.cause == Cause.ACC_FAULT and m.sem[1] == 1          # the wait not taken


@pytest.mark.parametrize("mode", MODES)
def test_sem_overflow_engine(mode):
    """sem_overflow of an engine's sig; its wait is given back; LM is untouched."""
    text = SETUP + " sem.sig s3\n dma.ld x1, x2, wait=s3, sig=s2\n li x5, 5\n halt x0\n"
    m, r = run(text, mode, sems={2: 255})
    line = line_of(text, "dma.ld x1, x2, wait=s3, sig=s2")
    assert (r.trap.cause, r.trap.pc, r.trap.source, r.trap.tval, r.trap.message) == (
        Cause.SEM_OVERFLOW, pc_of(text, line), f"t.s:{line}", 2, "dma.ld signals s2 above 255")
    assert (m.sem[2], m.sem[3], m.pc, m.instret) == (255, 1, pc_of(text, line), 5)
    assert not m.lm[LM_DST].any()
    # imprecise in cycle mode: the li after the dma.ld issued before the completion trapped
    assert m.x[5] == (5 if mode == "cycle" else 0)


@pytest.mark.parametrize("mode", MODES)
def test_sem_overflow_wait_and_sig_on_one_semaphore(mode):
    """The decrement of the wait comes first: 255 - 1 + 1 does not overflow."""
    m, r = run(SETUP + " dma.ld x1, x2, wait=s2, sig=s2\n halt x0\n", mode, sems={2: 255})
    assert r.halted and r.trap is None and m.sem[2] == 255
    assert m.lm[LM_DST].tolist() == list(range(1, 9))


def test_sem_overflow_engine_stops_at_completion_cycle():
    text = SETUP + " sem.sig s3\n dma.ld x1, x2, wait=s3, sig=s2\n li x5, 5\n halt x0\n"
    # sem.sig at 4, dma.ld issues at 5, starts at 6, completes (traps) at 6 + 16 = 22
    m, r = run(text, "cycle", sems={2: 255})
    assert r.trap.cause == Cause.SEM_OVERFLOW and r.cycles == 22


@pytest.mark.parametrize("mode", MODES)
def test_sem_deadlock_cp(mode):
    text = " nop\n sem.wait s3\n halt x0\n"
    m, r = run(text, mode)
    expect = {"functional": "sem.wait s3 with count 0 and no earlier signal",
              "cycle": "sem.wait s3: the count is 0 and every engine is idle or blocked "
                       "(deadlock)"}[mode]
    assert (r.trap.cause, r.trap.pc, r.trap.source, r.trap.tval, r.trap.message) == (
        Cause.SEM_DEADLOCK, 8, "t.s:2", 3, expect)
    assert (m.pc, m.instret, m.sem[3]) == (8, 1, 0)


ENGINE_DEADLOCK = {
    "functional": "gemm waits on s1, whose count is 0 and no earlier instruction signals it",
    "cycle": "gemm waits on s1, whose count is 0, and every unit is blocked (deadlock)"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("blocker", [
    " halt x0\n",                                              # halt drains: blocked forever
    " sync 2\n sem.sig s1\n halt x0\n",                        # sync before the signal
    " gemm x0, x0, x0\n gemm x0, x0, x0\n sem.sig s1\n halt x0\n",   # queue full (depth 2)
    " sem.wait s2\n sem.sig s1\n halt x0\n",  # CP sem.wait too: the earlier engine is reported
])
def test_sem_deadlock_blocked_engine(mode, blocker):
    text = " li x1, 0\n gemm x1, x1, x1, wait=s1, sig=s2\n" + blocker
    m, r = run(text, mode)
    assert (r.trap.cause, r.trap.pc, r.trap.source, r.trap.tval) == (
        Cause.SEM_DEADLOCK, 8, "t.s:2", 1)
    assert r.trap.message == ENGINE_DEADLOCK[mode]
    assert (m.pc, m.instret) == (8, 1)


@pytest.mark.parametrize("mode", MODES)
def test_later_cp_signal_is_a_deadlock_only_in_program_order(mode):
    """Not well-formed (the wait precedes its signal in program order): a deadlock in functional
    mode, while in cycle mode the engine simply waits for the CP's sem.sig."""
    text = " li x1, 0\n gemm x1, x1, x1, wait=s1\n nop\n sem.sig s1\n halt x0\n"
    m, r = run(text, mode)
    if mode == "functional":
        assert (r.trap.cause, r.trap.pc, r.trap.source) == (Cause.SEM_DEADLOCK, 8, "t.s:2")
        assert r.trap.message == ENGINE_DEADLOCK["functional"]
    else:
        # sem.sig issues at 3, the gemm (te_* at reset: 1 x 1 x 1) starts at 3 (visible at 2),
        # d = 1 fold x (4 + 1 + 4 + 4 - 2) = 11; halt issues at 14
        assert (r.trap, r.halted, r.exit_code, m.instret, m.sem[1]) == (None, True, 0, 5, 0)
        assert r.stats.as_dict()["engines"]["te"]["stall_cycles"]["sem_wait"] == 1
        assert r.cycles == 3 + 11 + 1


# ---------------------------------------------------------------------------------------------
# cycle-mode trap rules (docs/timing.md, "Traps in cycle mode")
# ---------------------------------------------------------------------------------------------
def test_csr_range_at_dispatch_is_precise():
    text = SETUP + " dma.ld x1, x2\n li x3, 70000\n csrw dma_rows, x3\n dma.ld x1, x2\n" \
                   " li x5, 42\n halt x0\n"
    states = {}
    for mode in MODES:
        m, r = run(text, mode)
        assert (r.trap.cause, r.trap.pc, r.trap.source) == (Cause.BAD_OPERAND, 0x38, "t.s:8")
        assert (m.pc, m.instret, m.x[5]) == (0x38, 7, 0)               # nothing after it ran
        assert m.lm[LM_DST].tolist() == list(range(1, 9))   # earlier engine work completed
        states[mode] = m.snapshot()
        if mode == "cycle":
            assert r.cycles == DMA_DONE
    assert states["functional"] == states["cycle"]


def test_engine_trap_at_start_is_imprecise():
    """The second dma.ld traps at its start (cycle 21, after the first completes); pc and
    instret go back to it; the li x5/x6 issued after its dispatch keep their effect."""
    text = SETUP + " dma.ld x1, x2\n li x4, 0x10000\n dma.ld x4, x2\n li x5, 42\n li x6, 43\n" \
                   " halt x0\n"
    for mode in MODES:
        m, r = run(text, mode)
        assert (r.trap.cause, r.trap.pc, r.trap.source) == (Cause.LM_FAULT, 0x30, "t.s:7")
        assert (m.pc, m.instret) == (0x30, 6)
        assert m.lm[LM_DST].tolist() == list(range(1, 9))
        if mode == "cycle":
            assert (m.x[5], m.x[6], r.cycles) == (42, 43, DMA_DONE)
        else:
            assert (m.x[5], m.x[6]) == (0, 0)


def test_engine_trap_at_start_stops_the_cp_at_that_cycle():
    # dma.ld #2 starts (traps) at 21; the addi k issues at 7 + k: k = 0..14 issue at <= 21
    # (the CP's instruction comes before starts in a cycle), so 15 of them ran.
    text = SETUP + " dma.ld x1, x2\n li x4, 0x10000\n dma.ld x4, x2\n" + \
        " addi x5, x5, 1\n" * 40 + " halt x0\n"
    m, r = run(text, "cycle")
    assert (r.trap.cause, r.trap.pc, m.instret) == (Cause.LM_FAULT, 0x30, 6)
    assert (m.x[5], r.cycles) == (15, DMA_DONE)


@pytest.mark.parametrize("insn, cause", [(" li x3, -4\n lw x5, 0(x3)\n", Cause.GM_FAULT),
                                         (" csrr x5, 0x7ff\n", Cause.ILLEGAL_INSTRUCTION),
                                         (" nop\n sem.wait s9\n", Cause.SEM_DEADLOCK)])
def test_cp_trap_waits_for_earlier_engine_work(insn, cause):
    text = SETUP + " dma.ld x1, x2\n" + insn + " halt x0\n"
    states = {}
    for mode in MODES:
        m, r = run(text, mode)
        assert r.trap.cause == cause and m.pc == 8 * (len(text.splitlines()) - 2)
        assert m.lm[LM_DST].tolist() == list(range(1, 9))    # the dma.ld result is in LM
        states[mode] = m.snapshot()
        if mode == "cycle":
            assert r.cycles == DMA_DONE
    assert states["functional"] == states["cycle"]


def test_engine_trap_during_the_drain_wins():
    """The lw faults, but first the engines drain; the second dma.ld traps at its start during
    that drain and is reported (it comes earlier in program order)."""
    text = SETUP + " dma.ld x1, x2\n li x4, 0x10000\n dma.ld x4, x2\n li x3, -4\n" \
                   " lw x5, 0(x3)\n halt x0\n"
    for mode in MODES:
        m, r = run(text, mode)
        assert (r.trap.cause, r.trap.pc, r.trap.source) == (Cause.LM_FAULT, 0x30, "t.s:7")
        assert (m.pc, m.instret) == (0x30, 6)
        assert r.trap.message == "dma.ld lm: LM bytes 0x10000..0x10007 outside LM of 65536 bytes"
        assert m.lm[LM_DST].tolist() == list(range(1, 9))
        assert m.x[3] == (0xFFFFFFFC if mode == "cycle" else 0)     # imprecise in cycle mode
        if mode == "cycle":
            assert r.cycles == DMA_DONE


# ---------------------------------------------------------------------------------------------
# watchdogs, resumption, step()
# ---------------------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[2]
_ASSEMBLED: dict[str, object] = {}


def example(name: str):
    if name not in _ASSEMBLED:
        _ASSEMBLED[name] = assemble(ROOT / "programs" / f"{name}.s")
    return _ASSEMBLED[name]


def example_machine(name: str, mode: str, config: str = "small") -> Machine:
    m = Machine(config, mode=mode)
    m.load(example(name))
    if name == "mlp":
        for sym in ("x", "w1", "p1", "w2", "p2"):
            m.write(sym, np.load(ROOT / "programs" / "data" / f"mlp_{sym}.npy"))
    return m


class Collect:
    def __init__(self):
        self.batches = []

    def feed(self, batch):
        self.batches.append(batch.copy())

    @property
    def events(self):
        return np.concatenate(self.batches) if self.batches else None


def final(m: Machine, r):
    return m.snapshot(), r.cycles, r.stats.as_dict()


@pytest.fixture(scope="module")
def tiled_reference():
    m = example_machine("gemm_tiled", "cycle")
    r = m.run()
    assert r.halted and r.exit_code == 0
    return final(m, r)


# limits at which the CP is issuing (not stalled): 1, the last halt, ...
@pytest.mark.parametrize("limit", [1, 15749, 15750])
def test_max_cycles_stops_before_the_limit_and_resumes(limit, tiled_reference):
    m = example_machine("gemm_tiled", "cycle")
    c = Collect()
    r = m.run(max_cycles=limit, observers=[c])
    ev = c.events
    # nothing at or after the limit happened: no issue, start or completion
    assert not (ev["t1"] >= limit).any()
    if limit < tiled_reference[1]:
        assert r.watchdog and not r.halted and m.trap is None and not m.stopped
        assert (r.trap.cause, r.trap.pc, r.trap.tval) == (Cause.WATCHDOG, m.pc, limit)
        assert r.trap.message == (f"watchdog: cycle {limit} reached (max_cycles={limit}) without "
                                  "halt or trap; the machine can continue")
        assert r.trap.source == m.source_of(m.pc) and "gemm_tiled.s:" in r.trap.source
        r = m.run()
    assert r.halted and r.exit_code == 0 and final(m, r) == tiled_reference


@pytest.mark.parametrize("limit", [100, 333, 700, 3000])
def test_max_cycles_resumes_to_the_same_state(limit, tiled_reference):
    m = example_machine("gemm_tiled", "cycle")
    m.run(max_cycles=limit)
    r = m.run()
    assert r.halted and final(m, r) == tiled_reference


@pytest.mark.parametrize("wait", [" sem.wait s0\n", " sync 1\n", ""])
def test_max_cycles_inside_a_cp_stall_is_a_watchdog(wait):
    text = SETUP + " dma.ld x1, x2, sig=s0\n" + wait + " li x5, 1\n halt x0\n"
    m, r = run(text, "cycle", max_cycles=10)
    assert r.watchdog and r.trap.tval == 10 and not r.halted
    r = m.run()
    assert r.halted and m.x[5] == 1


@pytest.mark.parametrize("mode", MODES)
def test_max_instructions_counts_cp_instructions(mode, tiled_reference):
    m = example_machine("gemm_tiled", mode)
    r = m.run(max_instructions=100)
    assert r.watchdog and (r.instructions, m.instret, r.trap.tval) == (100, 100, 100)
    assert r.trap.message == ("watchdog: 100 instructions retired (max_instructions=100) without "
                              "halt or trap; the machine can continue")
    assert (r.trap.pc, r.trap.source) == (m.pc, m.source_of(m.pc))
    r = m.run()
    assert r.halted and r.instructions == 1047 - 100
    if mode == "cycle":
        assert final(m, r) == tiled_reference
    else:
        assert m.snapshot() == tiled_reference[0]


def test_max_cycles_in_functional_mode_is_an_instruction_limit(tiled_reference):
    m = example_machine("gemm_tiled", "functional")
    r = m.run(max_cycles=100)
    assert r.watchdog and (r.instructions, m.instret, r.cycles, r.trap.tval) == (100, 100, 100, 100)
    assert r.trap.message == ("watchdog: cycle 100 reached (max_cycles=100) without halt or "
                              "trap; the machine can continue")
    assert m.run(max_cycles=100).watchdog and m.instret == 100        # counted from reset
    r = m.run()
    assert r.halted and m.snapshot() == tiled_reference[0]


def test_step_in_cycle_mode(tiled_reference):
    m = example_machine("gemm_tiled", "cycle")
    cycles, n = [], 0
    while not m.stopped:
        s = m.step()
        assert s.instructions == (0 if m.stopped and not m.halted else 1)
        cycles.append(s.cycles)
        n += s.instructions
    assert n == 1047 and cycles == sorted(cycles) and m.halted
    assert (m.snapshot(), m.cycles, m.stats.as_dict()) == tiled_reference
    assert m.step().instructions == 0 and m.cycles == tiled_reference[1]


def test_step_reaches_an_engine_trap():
    text = SETUP + " dma.ld x1, x2\n li x4, 0x10000\n dma.ld x4, x2\n li x5, 42\n halt x0\n"
    ran = machine(text, "cycle")
    ran.run()
    m = machine(text, "cycle")
    for _ in range(20):
        m.step()
    assert m.trap == ran.trap and m.trap.cause == Cause.LM_FAULT
    assert m.snapshot() == ran.snapshot() and m.cycles == ran.cycles == DMA_DONE


# ---------------------------------------------------------------------------------------------
# timing rules that the trap rules above rely on
# ---------------------------------------------------------------------------------------------
def worked(text: str):
    """docs/timing.md, 'A worked program': small preset, CSRs already set."""
    m = Machine("small", mode="cycle")
    m.load(assemble(text, filename="w.s"))
    for k, v in dict(dma_rows=4, dma_cols=8, te_m=4, te_n=4, te_k=8).items():
        m.csr[k] = v
    m.x[2], m.x[4] = 0x100, 0x100
    c = Collect()
    r = m.run(observers=[c])
    d = r.stats.as_dict()
    ev = c.events
    eng = sorted((int(e["unit"]), int(e["kind"]), int(e["t0"]), int(e["t1"]))
                 for e in ev if e["kind"] != EV_CP)
    return r, d, eng


def test_worked_program():
    r, d, eng = worked("dma.ld x1, x2, sig=s0\ngemm x3, x1, x4, wait=s0\nhalt x0\n")
    assert r.halted and r.cycles == 46
    assert d["cp"]["stall_cycles"]["drain"] == 43
    assert d["engines"]["te"]["stall_cycles"]["sem_wait"] == 15
    assert (d["engines"]["me"]["busy_cycles"], d["engines"]["te"]["busy_cycles"]) == (16, 28)
    # EV_START: (ready, start); EV_END: (start, end)
    assert eng == [(1, EV_START, 1, 1), (1, EV_END, 1, 17), (2, EV_START, 2, 17),
                   (2, EV_END, 17, 45)]


def test_cp_takes_a_semaphore_before_an_engine_in_the_same_cycle():
    """The dma.ld signals s0 at 17; the CP's sem.wait and the TE's gemm both wait on it: the CP
    takes it, and the gemm starts only after the CP's sem.sig at 18."""
    r, d, eng = worked("dma.ld x1, x2, sig=s0\ngemm x3, x1, x4, wait=s0\nsem.wait s0\n"
                       "sem.sig s0\nhalt x0\n")
    assert r.halted and r.cycles == 47
    assert eng[2:] == [(2, EV_START, 2, 18), (2, EV_END, 18, 46)]
    assert d["cp"]["stall_cycles"]["sem_wait"] == 15 and d["cp"]["stall_cycles"]["drain"] == 27


def test_csrr_cycle_reads_the_issue_cycle():
    text = " li x1, 3\n mul x2, x1, x1\n csrr x7, cycle\n csrr x8, instret\n halt x0\n"
    m, r = run(text, "cycle")
    assert (m.x[7], m.x[8], r.cycles) == (4, 3, 7)      # li at 0, mul at 1 (3 cycles)
    m, r = run(text, "functional")
    assert (m.x[7], m.x[8], r.cycles) == (2, 3, 5)      # functional: cycle counts instructions


def test_estat_in_cycle_mode():
    text = SETUP + " dma.ld x1, x2\n csrr x6, estat\n" + " nop\n" * 30 + " csrr x5, estat\n" \
        " halt x0\n"
    m, r = run(text, "functional")
    assert (m.x[6], m.x[5]) == (0, 0)           # always 0 in program order
    m, r = run(text, "cycle")
    assert (m.x[6], m.x[5]) == (1, 0)           # the dma.ld runs from 5 to 21


# ---------------------------------------------------------------------------------------------
# races: old data in cycle mode, exactly as documented; the race checker finds the pair
# ---------------------------------------------------------------------------------------------
RNG = np.random.default_rng(7)
A_OLD = RNG.integers(-128, 128, (4, 8)).astype(np.int8)
A_NEW = RNG.integers(-128, 128, (4, 8)).astype(np.int8)
B = RNG.integers(-128, 128, (8, 4)).astype(np.int8)
GEMM_SETUP = """\
        .equ LM_A, 0x000
        .equ LM_B, 0x100
        .equ LM_Z, 0x200
        .text
        csrwi dma_rows, 4
        csrwi dma_cols, 8
        csrwi dma_sstride, 8
        csrwi dma_dstride, 8
        csrwi te_n, 4
        csrwi te_k, 8
        csrwi te_lda, 8
        csrwi te_ldb, 4
        csrwi te_ldc, 4
        li x1, LM_A
        la x2, a_new
        li x3, LM_B
        li x4, 0
        li x5, LM_Z
        li x6, 64
"""
GEMM_DATA = "        .data\na_new:  .byte " + ", ".join(map(str, A_NEW.ravel())) + "\n"


def product(a):
    return a.astype(np.int32) @ B.astype(np.int32)


def race_run(body: str, mode: str):
    text = GEMM_SETUP + body + "        halt x0\n" + GEMM_DATA
    p = assemble(text, filename="race.s")
    m = Machine("small", mode=mode)
    m.load(p)
    m.lm[0x000:0x020] = A_OLD.view(np.uint8).ravel()
    m.lm[0x100:0x120] = B.view(np.uint8).ravel()
    rc = RaceChecker(p)
    r = m.run(observers=[rc])
    rc.close()
    assert r.halted and r.exit_code == 0
    races = {frozenset([(a.unit, a.kind, a.source) for a in (x.first, x.second)]) | {x.memory}
             for x in rc.races}
    return m, m.acc[:16].reshape(4, 4), races, p


# read after write: the gemm reads LM_A while the dma.ld that writes it is still running
RAW = {False: "        csrwi te_m, 4\n        dma.ld x1, x2\n        gemm x4, x1, x3\n",
       True: "        csrwi te_m, 4\n        dma.ld x1, x2, sig=s0\n"
             "        gemm x4, x1, x3, wait=s0\n"}
# write after read: a long gemm keeps the TE busy, the second gemm (queued behind it) reads LM_A,
# and a dma.ld overwrites LM_A before that gemm has started
WAR = {False: "        csrwi te_m, 64\n        gemm x6, x5, x3\n        csrwi te_m, 4\n"
              "        gemm x4, x1, x3\n        dma.ld x1, x2\n",
       True: "        csrwi te_m, 64\n        gemm x6, x5, x3\n        csrwi te_m, 4\n"
             "        gemm x4, x1, x3, sig=s1\n        dma.ld x1, x2, wait=s1\n"}


@pytest.mark.parametrize("mode", MODES)
def test_read_after_write_race(mode):
    m, c, races, p = race_run(RAW[False], mode)
    ld = next(f"race.s:{n}" for n, s in enumerate((GEMM_SETUP + RAW[False]).split("\n"), 1)
              if "dma.ld" in s)
    gm = next(f"race.s:{n}" for n, s in enumerate((GEMM_SETUP + RAW[False]).split("\n"), 1)
              if "gemm" in s)
    # program order: the new data; cycle mode: the gemm started at its dispatch + 1, before the
    # dma.ld completed, and read the old LM
    np.testing.assert_array_equal(c, product(A_NEW if mode == "functional" else A_OLD))
    assert races == {frozenset({("me", "write", ld), ("te", "read", gm), "lm"})}
    m, c, races, p = race_run(RAW[True], mode)
    np.testing.assert_array_equal(c, product(A_NEW))
    assert races == set()


@pytest.mark.parametrize("mode", MODES)
def test_write_after_read_race(mode):
    text = (GEMM_SETUP + WAR[False]).split("\n")
    ld = next(f"race.s:{n}" for n, s in enumerate(text, 1) if "dma.ld" in s)
    gm = next(f"race.s:{n}" for n, s in enumerate(text, 1) if "gemm x4" in s)
    m, c, races, p = race_run(WAR[False], mode)
    # program order: the gemm reads A_OLD; cycle mode: the dma.ld (16 cycles) completed long
    # before the first gemm (2 folds x (4 + 64 + 4 + 4 - 2) = 148 cycles) let the second start
    np.testing.assert_array_equal(c, product(A_OLD if mode == "functional" else A_NEW))
    assert races == {frozenset({("me", "write", ld), ("te", "read", gm), "lm"})}
    m, c, races, p = race_run(WAR[True], mode)
    np.testing.assert_array_equal(c, product(A_OLD))
    assert races == set()
    assert m.lm[0:32].view(np.int8).tolist() == A_NEW.ravel().tolist()


# ---------------------------------------------------------------------------------------------
# race-free programs: identical architectural state in both modes
# ---------------------------------------------------------------------------------------------
EXAMPLES = sorted(p.stem for p in (ROOT / "programs").glob("*.s"))


@pytest.mark.parametrize("config", ["small", "default"])
@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_same_state_in_both_modes(name, config):
    out = {}
    for mode in MODES:
        m = example_machine(name, mode, config)
        r = m.run()
        assert r.halted and r.trap is None
        out[mode] = m.snapshot()
    assert out["functional"] == out["cycle"]


def generate(seed: int, n_ops: int = 40) -> str:
    """A random race-free engine program: DMA loads/stores/copies, gemms and VE adds/moves over
    named LM/ACC/GM slots; every conflicting pair on different units is ordered by a one-shot
    semaphore (each used once) when it can, else by sync (engines) / sem.wait (the CP)."""
    rng = np.random.default_rng(seed)
    L, T, G = 6, 3, 3
    ops = []                     # (unit, text, reads, writes)
    for _ in range(n_ops):
        kind = rng.choice(["ld", "st", "cp", "gemm", "vadd", "vst", "lw", "alu"],
                          p=[.2, .1, .1, .2, .15, .1, .1, .05])
        la, lb, lc = (int(v) for v in rng.choice(L, 3, replace=False))
        t, g = int(rng.integers(T)), int(rng.integers(G))
        if kind == "ld":
            ops.append(("me", f"dma.ld x{{a}}, x{{g}}", set(), {f"L{la}"}, dict(a=la, gin=g)))
        elif kind == "st":
            ops.append(("me", "dma.st x{g}, x{a}", {f"L{la}"}, {f"G{g}"}, dict(a=la, gout=g)))
        elif kind == "cp":
            ops.append(("me", "dma.cp x{c}, x{a}", {f"L{la}"}, {f"L{lc}"}, dict(a=la, c=lc)))
        elif kind == "gemm":
            acc = bool(rng.integers(2))
            ops.append(("te", "gemm x{t}, x{a}, x{b}" + (", acc" if acc else ""),
                        {f"L{la}", f"L{lb}"} | ({f"T{t}"} if acc else set()), {f"T{t}"},
                        dict(a=la, b=lb, t=t)))
        elif kind == "vadd":
            ops.append(("ve", "vadd.b x{c}, x{a}, x{b}", {f"L{la}", f"L{lb}"}, {f"L{lc}"},
                        dict(a=la, b=lb, c=lc)))
        elif kind == "vst":
            ops.append(("ve", "vacc.st x{c}, x{t}", {f"T{t}"}, {f"L{lc}"}, dict(c=lc, t=t)))
        elif kind == "lw":
            ops.append(("cp", "lw x20, {off}(x{g})", {f"G{g}"}, set(),
                        dict(gout=g, off=4 * int(rng.integers(8)))))
        else:
            ops.append(("cp", "add x21, x21, x20", set(), set(), {}))
    # dependencies: the latest conflicting op of every other unit
    sig = {}                     # op index -> semaphore it signals
    wait = {}                    # op index -> semaphore it waits on
    before = {}                  # op index -> CP text inserted before it
    free = iter(range(16))
    for j, (u, _, rd, wr, _) in enumerate(ops):
        deps = {}
        for i in range(j):
            ui, _, rdi, wri = ops[i][:4]
            if ui != u and ui != "cp" and (wri & (rd | wr) or wr & rdi):
                deps[ui] = i
        one = len(deps) == 1 and next(iter(deps.values())) not in sig
        sem = next(free, None) if one else None
        if sem is not None and u != "cp":
            sig[next(iter(deps.values()))], wait[j] = sem, sem
        elif sem is not None:
            sig[next(iter(deps.values()))] = sem
            before[j] = f"        sem.wait s{sem}\n"
        elif deps:
            mask = sum(1 << ("me", "te", "ve").index(k) for k in deps)
            before[j] = f"        sync {mask}\n"
    lines = ["        csrwi dma_rows, 4", "        csrwi dma_cols, 8", "        csrwi te_m, 4",
             "        csrwi te_n, 4", "        csrwi te_k, 8", "        csrwi te_lda, 8",
             "        csrwi te_ldb, 4", "        csrwi te_ldc, 4", "        csrwi ve_rows, 4",
             "        csrwi ve_cols, 8", "        csrwi dma_sstride, 8",
             "        csrwi dma_dstride, 8"]
    for j, (u, fmt, _, _, regs) in enumerate(ops):
        if j in before:
            lines.append(before[j].rstrip("\n"))
        names = {}
        for k, v in regs.items():
            if k in ("a", "b", "c"):
                lines.append(f"        li x{1 + 'abc'.index(k)}, {0x200 * v}")
                names[k] = 1 + "abc".index(k)
            elif k == "t":
                lines.append(f"        li x4, {64 * v}")
                names[k] = 4
            elif k == "gin":
                lines.append(f"        la x5, gin{v}")
                names["g"] = 5
            elif k == "gout":
                lines.append(f"        la x5, gout{v}")
                names["g"] = 5
            else:
                names[k] = v
        opts = ""
        if j in wait:
            opts += f", wait=s{wait[j]}"
        if j in sig and u != "cp":
            opts += f", sig=s{sig[j]}"
        lines.append("        " + fmt.format(**names) + opts)
        lines.append(f"        addi x20, x20, {j}")
    lines.append("        halt x0")
    lines.append("        .data")
    data = rng.integers(-128, 128, (G, 32))
    for g in range(G):
        lines.append(f"gin{g}:   .byte " + ", ".join(map(str, data[g])))
    for g in range(G):
        lines.append(f"gout{g}:  .space 32")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(12))
def test_generated_programs_same_state_in_both_modes(seed):
    text = generate(seed)
    p = assemble(text, filename=f"gen{seed}.s")
    out = {}
    for mode in MODES:
        m = Machine("small", mode=mode)
        m.load(p)
        rc = RaceChecker(p)
        r = m.run(observers=[rc])
        rc.close()
        assert r.halted and r.trap is None, (mode, r.trap, text)
        assert rc.races == [], rc.report()
        out[mode] = m.snapshot()
        if mode == "cycle":
            d = r.stats.as_dict()
            assert sum(d["engines"][e]["instructions"] for e in ("me", "te", "ve")) > 10
    assert out["functional"] == out["cycle"]

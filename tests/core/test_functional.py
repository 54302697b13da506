# The compiled core against the reference model: every instruction from random states in both
# modes, random straight-line and looping programs, traps and their messages, by snapshot().
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

from thead_isa.isa import INSTRUCTIONS, encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import CSRS
from thead_isa.isa.operands import IMM32, XREG
from thead_isa.isa.strategies import kind_values
from thead_isa.isa.traps import Cause
from thead_isa.core.machine import Machine
from thead_isa.refmodel.machine import RefMachine

# the small preset with smaller memories: snapshots compare every byte of every memory
SMALL = preset("small").replace(imem_bytes=4096, gm_bytes=64 * 1024, lm_bytes=16 * 1024,
                                acc_words=4096, name="test")
SIZES = [SMALL.gm_bytes, SMALL.lm_bytes, SMALL.acc_words]
CONFIG_CSRS = [c for c in CSRS if c.writable]
CP = [i for i in INSTRUCTIONS if i.engine == "cp"]
ENGINE = [i for i in INSTRUCTIONS if i.engine != "cp"]
CONTROL = {"beq", "bne", "blt", "bge", "bltu", "bgeu", "jal", "jalr", "halt"}
STRAIGHT = [i for i in CP if i.mnemonic not in CONTROL]
MISSING_KERNELS = {i.opcode for i in ENGINE if not Machine(SMALL)._core.has_kernel(i.opcode)}
FILL = 4096                                  # bytes of GM and LM (and words of ACC) randomized

SPECIAL = np.array([0, 1, 2, 4, 8, 64, 256, 4096, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF]
                   + [s - 1 for s in SIZES] + SIZES, np.uint64)
# A random machine state is drawn from a seed (drawing ~100 values through hypothesis per example
# costs more than the run). Registers are mostly boundaries or small addresses; config CSRs are
# at reset (a valid window, a 1x1x1 gemm) in some states, otherwise mostly in their accepted
# range, sometimes any value; semaphores are often 0 or at their limit; LM holds small int32
# words in some states so that parameter blocks (vqadd, vrq.fx) are in range.
STATES = st.integers(0, 2**32)


def random_state(seed):
    rng = np.random.default_rng(seed)
    x = np.where(rng.random(31) < 0.8, rng.choice(SPECIAL, 31), rng.integers(0, 1 << 32, 31))
    at_reset = rng.choice([0.3, 0.9])
    csr = [c.reset if r < at_reset else int(rng.integers(max(c.use[0], 0), min(c.use[1], 6) + 1))
           if r < 0.97 else int(rng.integers(0, 1 << 32))
           for c, r in zip(CONFIG_CSRS, rng.random(len(CONFIG_CSRS)))]
    sem = np.where(rng.random(16) < 0.5, rng.choice([0, 1, 254, 255], 16), rng.integers(0, 256, 16))
    gm, lm = rng.integers(0, 256, (2, FILL), dtype=np.uint8)
    if rng.random() < 0.3:
        lm = rng.integers(-3, 8, FILL // 4).astype("<i4").view(np.uint8)
    acc = rng.integers(-(1 << 31), 1 << 31, FILL, dtype=np.int64).astype(np.int32)
    return {"x": [int(v) for v in x], "csr": csr, "sem": [int(v) for v in sem],
            "gm": gm, "lm": lm, "acc": acc}


def reset_state():
    zeros = np.zeros(FILL, np.uint8)
    return {"x": [0] * 31, "csr": [c.reset for c in CONFIG_CSRS], "sem": [0] * 16,
            "gm": zeros, "lm": zeros, "acc": zeros.astype(np.int32)}


def operand_values(insn, small_offsets=True):
    """Values for every operand; load/store offsets mostly small so that accesses often land."""
    def values(o):
        if o.kind is IMM32 and small_offsets:
            return st.integers(-16, 64) | kind_values(o.kind)
        return kind_values(o.kind)
    return st.fixed_dictionaries({o.name: values(o) for o in insn.operands})


def pair(state, words, at=0, mode="functional"):
    """A reference machine and a compiled machine in the same random state, program loaded."""
    state = random_state(state) if isinstance(state, int) else state
    ref, m = RefMachine(SMALL), Machine(SMALL, mode)
    gm, lm, acc = state["gm"], state["lm"], state["acc"]
    s = ref.state
    s.x[1:] = state["x"]
    s.sem[:] = state["sem"]
    s.gm[:FILL], s.lm[:FILL], s.acc[:FILL] = gm, lm, acc
    for i, v in enumerate(state["x"], 1):
        m.x[i] = v
    for c, v in zip(CONFIG_CSRS, state["csr"]):
        s.csr[c.number] = m.csr[c.name] = v
    for k, v in enumerate(state["sem"]):
        m.sem[k] = v
    m.gm[:FILL], m.lm[:FILL], m.acc[:FILL] = gm, lm, acc
    ref.load_program(words, at)
    m.load(words, at)
    ref.state.pc = m.pc = at
    return ref, m


def assert_same(ref, m):
    """Equal snapshots, and equal trap records including the word and the message."""
    a, b = m.snapshot(), ref.state.snapshot()
    for key in a:
        assert a[key] == b[key], f"{key} differs: core {str(a[key])[:200]} ref {str(b[key])[:200]}"
    t, r = m.trap, ref.state.trap
    if r is not None and m.mode == "cycle" and r.cause == Cause.SEM_DEADLOCK:
        # cycle mode blocks instead of trapping at once: the message describes the deadlock
        assert (t.cause, t.pc, t.word, t.tval) == (r.cause, r.pc, r.word, r.tval)
    elif r is not None:
        # C's printf writes a NaN with its sign bit set as "-nan", Python always as "nan"
        message = t.message.replace("-nan", "nan")
        assert (t.cause, t.pc, t.word, t.tval, message) == (r.cause, r.pc, r.word, r.tval,
                                                             r.message)


# ---- every CP instruction, one step from random states ----

CYCLE_CSRS = {c.number for c in CSRS if c.name.startswith("cycle")}


@pytest.mark.parametrize("mode", ["functional", "cycle"])
@pytest.mark.parametrize("insn", CP, ids=lambda i: i.mnemonic)
def test_cp_instruction_matches_reference(insn, mode):
    @settings(max_examples=max(30, settings().max_examples // (2 if mode == "functional" else 4)))
    @given(operand_values(insn), STATES, st.sampled_from([0, 8, 1024, SMALL.imem_bytes - 8]))
    def prop(values, state, at):
        if mode == "cycle":                 # the cycle counter differs by design
            assume(not (insn.mnemonic == "csrr" and values["csr"] in CYCLE_CSRS))
        ref, m = pair(state, [encode(insn, **values)], at, mode)
        ref.step()
        m.step()
        assert_same(ref, m)
    prop()


def test_counters_read_the_retired_count():
    ref, m = pair(reset_state(), [encode("csrr", rd=i + 1, csr=c.number) for i, c in
                                enumerate(c for c in CSRS if not c.writable)])
    ref.state.instret = m._core.instret = (5 << 32) + 0xFFFFFFF0
    ref.run(100)
    m.run(100)
    assert_same(ref, m)
    assert m.x[1] == 0xFFFFFFF0 and m.x[3] == 5       # cycle, cycleh


# ---- random programs ----

def body_items(insns, nregs=31):
    """(insn, values) with every register operand below nregs (x31 is the loop counter)."""
    def clamp(iv):
        insn, values = iv
        return insn, {k: (v % nregs if insn.operand(k).kind is XREG else v)
                      for k, v in values.items()}
    return st.sampled_from(insns).flatmap(
        lambda i: st.tuples(st.just(i), operand_values(i))).map(clamp)


@given(st.lists(body_items(STRAIGHT, 32), min_size=1, max_size=40), STATES)
def test_straight_line_programs(items, state):
    ref, m = pair(state, [encode(i, **v) for i, v in items] + [encode("halt", rs1=5)])
    ref.run(1000)
    m.run(1000)
    assert_same(ref, m)
    assert m.stopped


@st.composite
def loop_programs(draw):
    """li x31, n; body with forward branches inside it; addi x31, x31, -1; bne x31, x0, body."""
    body = draw(st.lists(body_items(STRAIGHT), min_size=1, max_size=12))
    words = [encode(i, **v) for i, v in body]
    for _ in range(draw(st.integers(0, 3))):              # forward branches and jumps in the body
        at = draw(st.integers(0, len(words)))
        skip = draw(st.integers(1, len(words) - at + 1))
        mn = draw(st.sampled_from(["beq", "bne", "blt", "bge", "bltu", "bgeu", "jal"]))
        regs = dict(rd=draw(st.integers(0, 30))) if mn == "jal" else dict(
            rs1=draw(st.integers(0, 30)), rs2=draw(st.integers(0, 30)))
        words.insert(at, encode(mn, off=8 * skip, **regs))
    n = draw(st.integers(1, 20))
    return ([encode("addi", rd=31, rs1=0, imm=n)] + words
            + [encode("addi", rd=31, rs1=31, imm=-1),
               encode("bne", rs1=31, rs2=0, off=-8 * (len(words) + 1)),
               encode("halt", rs1=draw(st.integers(0, 31)))])


@given(loop_programs(), STATES)
def test_looping_programs(words, state):
    ref, m = pair(state, words)
    ref.run(10_000)
    m.run(10_000)
    assert_same(ref, m)
    assert m.stopped


# ---- traps ----

@given(st.integers(0, 2**64 - 1), STATES)
def test_arbitrary_words(word, state):
    assume(word & 0xFF not in MISSING_KERNELS)
    ref, m = pair(state, [word])
    ref.step()
    m.step()
    assert_same(ref, m)


@given(st.sampled_from(INSTRUCTIONS).flatmap(lambda i: operand_values(i).map(
    lambda v: encode(i, **v))), st.integers(8, 63), STATES)
def test_reserved_bits_set(word, bit, state):
    assume(word & 0xFF not in MISSING_KERNELS)
    ref, m = pair(state, [word ^ (1 << bit)])
    ref.step()
    m.step()
    assert_same(ref, m)


def run_both(words, state=None, limit=1000):
    ref, m = pair(state or reset_state(), words)
    ref.run(limit)
    r = m.run(limit)
    assert_same(ref, m)
    return m, r


def test_fetch_fault_past_imem():
    m, r = run_both([encode("jal", rd=1, off=SMALL.imem_bytes), encode("halt", rs1=0)])
    assert (r.trap.cause, r.trap.pc, r.trap.tval, r.trap.word) == (
        Cause.FETCH_FAULT, SMALL.imem_bytes, SMALL.imem_bytes, 0)


def test_fetch_fault_running_off_the_end():
    ref, m = pair(reset_state(), [encode("addi", rd=1, rs1=1, imm=1)], at=SMALL.imem_bytes - 8)
    ref.run(10)
    m.run(10)
    assert_same(ref, m)
    assert (m.trap.cause, m.trap.pc, m.instret) == (Cause.FETCH_FAULT, SMALL.imem_bytes, 1)


def test_jump_targets_wrap_modulo_2_32():
    m, r = run_both([encode("addi", rd=0, rs1=0, imm=0), encode("beq", rs1=0, rs2=0, off=-24)])
    assert (r.trap.cause, r.trap.pc, r.trap.tval) == (Cause.FETCH_FAULT, 2**32 - 16, 2**32 - 16)
    assert r.trap.message == f"pc 0xfffffff0 outside IMEM of {SMALL.imem_bytes} bytes"
    m, r = run_both([encode("jal", rd=1, off=-8)])
    assert (r.trap.pc, m.x[1]) == (2**32 - 8, 8)


def test_misaligned_jalr():
    m, r = run_both([encode("addi", rd=1, rs1=0, imm=12), encode("jalr", rd=7, rs1=1, off=0)])
    assert (r.trap.cause, r.trap.pc, r.trap.tval, m.x[7]) == (Cause.MISALIGNED_FETCH, 8, 12, 0)


@pytest.mark.parametrize("word", [encode("csrr", rd=1, csr=0x7FF), encode("csrw", csr=0xC00, rs1=0),
                                  encode("csrwi", csr=0xCC0, imm=1), encode("csrwi", csr=0x123,
                                                                            imm=1)])
def test_bad_csrs(word):
    m, r = run_both([word])
    assert (r.trap.cause, r.trap.tval) == (Cause.ILLEGAL_INSTRUCTION, word)


def test_halt_keeps_pc_and_counts():
    m, r = run_both([encode("addi", rd=3, rs1=0, imm=-7), encode("halt", rs1=3),
                     encode("addi", rd=4, rs1=0, imm=1)])
    assert (r.exit_code, r.halted, m.pc, m.instret, r.instructions) == (0xFFFFFFF9, True, 8, 2, 2)
    assert m.step().instructions == 0 and m.run().instructions == 0


def test_semaphore_traps():
    run_both([encode("sem.wait", sem=4)])
    m, r = run_both([encode("sem.sig", sem=2)] * 256)
    assert (r.trap.cause, r.trap.pc, m.sem[2]) == (Cause.SEM_OVERFLOW, 255 * 8, 255)


def test_watchdog_matches_an_unfinished_reference_run():
    loop = [encode("addi", rd=1, rs1=1, imm=1), encode("jal", rd=0, off=-8)]
    m, r = run_both(loop, limit=1001)
    assert r.watchdog and not m.stopped and m.trap is None
    assert (r.trap.pc, r.trap.tval, r.instructions, m.x[1]) == (8, 1001, 1001, 501)
    assert "max_instructions=1001" in r.trap.message
    assert m.run(999).instructions == 999 and m.instret == 2000


# ---- engine instructions through the compiled kernels ----

@pytest.mark.parametrize("mode", ["functional", "cycle"])
@pytest.mark.parametrize("insn", ENGINE, ids=lambda i: i.mnemonic)
def test_engine_instruction_matches_reference(insn, mode):
    """Functional mode steps the instruction; cycle mode runs it and a halt, which waits for the
    engine: a trap at the engine's start takes the pc and instret back to the instruction."""
    if insn.opcode in MISSING_KERNELS:
        pytest.skip(f"no kernel for {insn.mnemonic}: thead_isa.core.kernels.registry is missing")
    retired = []

    @settings(max_examples=max(40, settings().max_examples * 2 // 3))
    @given(operand_values(insn), STATES)
    def prop(values, state):
        words = [encode(insn, **values)] + ([encode("halt", rs1=0)] if mode == "cycle" else [])
        ref, m = pair(state, words, 0, mode)
        ref.run(len(words))
        m.run(len(words))
        assert_same(ref, m)
        retired.append(m.trap is None)
    prop()
    if not any(retired):                    # the random states rarely suit this instruction
        retired.append(retiring_example(insn, mode))
    assert any(retired), f"{insn.mnemonic} never retired"


def retiring_example(insn, mode):
    """Search seeded states (registers x1.. as operands, no options) for one in which the
    instruction retires, and check it against the reference; False if none of 2000 does."""
    regs = iter(range(1, 5))
    values = {o.name: next(regs) if o.kind is XREG else (1 if o.name == "esz" else None)
              for o in insn.operands}
    values.update({o.name: False for o in insn.operands if o.option and o.kind.name == "flag"})
    words = [encode(insn, **values), encode("halt", rs1=0)]
    for seed in range(2000):
        ref, m = pair(seed, words, 0, mode)
        ref.run(2)
        m.run(2)
        if ref.state.trap is None:
            assert_same(ref, m)
            return True
    return False

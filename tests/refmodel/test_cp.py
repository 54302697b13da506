# Reference model: CP instructions, fetch/decode traps, halt, and semantics coverage of the table.
import pytest

from thead_isa.isa import INSTRUCTIONS, encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME
from thead_isa.isa.traps import Cause
from thead_isa.refmodel.machine import SEMANTICS, RefMachine

M32 = 0xFFFFFFFF


def run(*insns, gm=None):
    m = RefMachine(preset("small"))
    m.load_program([encode(mn, **kw) for mn, kw in insns])
    for addr, data in (gm or {}).items():
        m.write("gm", addr, data)
    m.run(10_000)
    return m.state


def li(rd, imm):
    return ("addi", dict(rd=rd, rs1=0, imm=imm))


def op(mn, rd, rs1, rs2):
    return (mn, dict(rd=rd, rs1=rs1, rs2=rs2))


HALT = ("halt", dict(rs1=0))


def test_every_instruction_has_semantics():
    missing = [i.mnemonic for i in INSTRUCTIONS if i.mnemonic not in SEMANTICS]
    assert missing == []
    assert set(SEMANTICS) <= {i.mnemonic for i in INSTRUCTIONS}


@pytest.mark.parametrize("mn, a, b, expect", [
    ("add", 0x7FFFFFFF, 1, 0x80000000),
    ("add", M32, 1, 0),
    ("sub", 0, 1, M32),
    ("and", 0xF0F0, 0xFF00, 0xF000),
    ("or", 0xF0F0, 0xFF00, 0xFFF0),
    ("xor", 0xF0F0, 0xFF00, 0x0FF0),
    ("sll", 1, 33, 2),                    # shift amount is x[rs2] & 31
    ("srl", 0x80000000, 31, 1),
    ("sra", 0x80000000, 31, M32),
    ("slt", M32, 0, 1),                   # -1 < 0 signed
    ("sltu", M32, 0, 0),
    ("mul", 0x10000, 0x10000, 0),
    ("mul", M32, 3, 0xFFFFFFFD),
    ("mulh", M32, M32, 0),               # (-1) * (-1) = 1: high word 0
    ("mulh", 0x80000000, 2, M32),         # -2^31 * 2 = -2^32: high word -1
    ("mulhu", M32, M32, 0xFFFFFFFE),
])
def test_register_register_alu(mn, a, b, expect):
    s = run(li(1, a), li(2, b), op(mn, 3, 1, 2), HALT)
    assert s.x[3] == expect


@pytest.mark.parametrize("mn, a, imm, expect", [
    ("addi", 5, -6, M32),
    ("andi", 0xFF, -16, 0xF0),
    ("ori", 0x0F, 0x30, 0x3F),
    ("xori", 0xFF, -1, 0xFFFFFF00),
    ("slti", 0, -1, 0),
    ("sltiu", 5, -1, 1),                  # imm -1 is 0xffffffff unsigned
])
def test_register_immediate_alu(mn, a, imm, expect):
    s = run(li(1, a), (mn, dict(rd=2, rs1=1, imm=imm)), HALT)
    assert s.x[2] == expect


@pytest.mark.parametrize("mn, expect", [("slli", 0xFFFFFFF0), ("srli", 0x0FFFFFFF), ("srai", M32)])
def test_shift_immediates(mn, expect):
    s = run(li(1, -1), (mn, dict(rd=2, rs1=1, shamt=4)), HALT)
    assert s.x[2] == expect


def test_x0_reads_zero_and_ignores_writes():
    s = run(li(0, 5), op("add", 1, 0, 0), HALT)
    assert s.x[1] == 0 and s.get_x(0) == 0


@pytest.mark.parametrize("mn, a, b, taken", [
    ("beq", 3, 3, True), ("beq", 3, 4, False), ("bne", 3, 4, True),
    ("blt", M32, 0, True), ("bltu", M32, 0, False), ("bge", 0, M32, True),
    ("bgeu", 0, M32, False),
])
def test_branches(mn, a, b, taken):
    # taken: skip the li x3, 1 at pc 24
    s = run(li(1, a), li(2, b), (mn, dict(rs1=1, rs2=2, off=16)), li(3, 1), HALT)
    assert s.x[3] == (0 if taken else 1)


def test_jal_jalr_and_loop():
    prog = [
        li(1, 3),                                   # 0
        ("jal", dict(rd=5, off=24)),                # 8: call 32
        HALT,                                       # 16
        li(9, 99),                                  # 24 (skipped)
        ("addi", dict(rd=2, rs1=2, imm=10)),        # 32: loop body
        ("addi", dict(rd=1, rs1=1, imm=-1)),        # 40
        ("bne", dict(rs1=1, rs2=0, off=-16)),       # 48
        ("jalr", dict(rd=0, rs1=5, off=0)),         # 56: return to 16
    ]
    s = run(*prog)
    assert (s.x[2], s.x[5], s.x[9], s.pc, s.halted) == (30, 16, 0, 16, True)
    assert s.instret == 1 + 1 + 3 * 3 + 1 + 1


def test_misaligned_jump_traps_without_effect():
    s = run(li(1, 12), ("jalr", dict(rd=7, rs1=1, off=0)))
    assert (s.trap.cause, s.trap.pc, s.trap.tval, s.x[7]) == (Cause.MISALIGNED_FETCH, 8, 12, 0)


def test_loads_and_stores():
    gm = {0x100: bytes([0x80, 0xFF, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12])}
    s = run(li(1, 0x100),
            ("lb", dict(rd=2, rs1=1, off=0)), ("lbu", dict(rd=3, rs1=1, off=0)),
            ("lh", dict(rd=4, rs1=1, off=0)), ("lhu", dict(rd=5, rs1=1, off=0)),
            ("lw", dict(rd=6, rs1=1, off=4)),
            ("sw", dict(rs2=6, rs1=1, off=8)), ("sh", dict(rs2=4, rs1=1, off=12)),
            ("sb", dict(rs2=2, rs1=1, off=15)), HALT, gm=gm)
    assert [s.x[i] for i in range(2, 7)] == [0xFFFFFF80, 0x80, 0xFFFFFF80, 0xFF80, 0x12345678]
    assert s.gm[0x108:0x110].tobytes() == bytes([0x78, 0x56, 0x34, 0x12, 0x80, 0xFF, 0, 0x80])


@pytest.mark.parametrize("mn, addr, off, cause, tval", [
    ("lw", 0, 2, Cause.MISALIGNED_ACCESS, 2),
    ("lh", 0, 1, Cause.MISALIGNED_ACCESS, 1),
    ("lw", 0x100000 - 2, 0, Cause.GM_FAULT, 0x100000),      # small preset: 1 MiB GM
    ("lb", 0x100000, 0, Cause.GM_FAULT, 0x100000),
    ("lb", 0, -1, Cause.GM_FAULT, M32),
    ("sw", 0x100000 - 4, 4, Cause.GM_FAULT, 0x100000),
])
def test_scalar_access_traps(mn, addr, off, cause, tval):
    kw = dict(rs1=1, off=off) | (dict(rs2=0) if mn[0] == "s" else dict(rd=2))
    s = run(li(1, addr), (mn, kw), HALT)
    assert (s.trap.cause, s.trap.pc, s.trap.tval) == (cause, 8, tval)
    assert not s.halted and s.pc == 8 and s.instret == 1


def test_csrs():
    te_m = BY_NAME["te_m"].number
    s = run(("csrwi", dict(csr=te_m, imm=77)), ("csrr", dict(rd=1, csr=te_m)),
            li(2, -5), ("csrw", dict(csr=BY_NAME["ve_zp"].number, rs1=2)),
            ("csrr", dict(rd=3, csr=BY_NAME["cfg_te_rows"].number)),
            ("csrr", dict(rd=4, csr=BY_NAME["instret"].number)), HALT)
    assert (s.x[1], s.csr[BY_NAME["ve_zp"].number], s.x[3], s.x[4]) == (77, 0xFFFFFFFB, 4, 5)


@pytest.mark.parametrize("insn", [("csrr", dict(rd=1, csr=0x7FF)),
                                  ("csrw", dict(csr=BY_NAME["cycle"].number, rs1=0)),
                                  ("csrwi", dict(csr=0x123, imm=1))])
def test_bad_csr_access_is_illegal(insn):
    s = run(insn, HALT)
    assert (s.trap.cause, s.trap.pc) == (Cause.ILLEGAL_INSTRUCTION, 0)


def test_semaphores_on_the_cp():
    s = run(("sem.sig", dict(sem=3)), ("sem.sig", dict(sem=3)), ("sem.wait", dict(sem=3)),
            ("sync", dict(mask=7)), HALT)
    assert s.sem[3] == 1 and s.halted
    s = run(("sem.wait", dict(sem=2)), HALT)
    assert (s.trap.cause, s.trap.tval) == (Cause.SEM_DEADLOCK, 2)
    s = run(*[("sem.sig", dict(sem=0))] * 256, HALT)
    assert (s.trap.cause, s.trap.pc, s.sem[0]) == (Cause.SEM_OVERFLOW, 255 * 8, 255)


def test_halt_exit_code_and_pc():
    s = run(li(1, 42), ("halt", dict(rs1=1)), li(2, 1))
    assert (s.halted, s.exit_code, s.pc, s.instret, s.x[2]) == (True, 42, 8, 2, 0)


def test_illegal_and_fetch_traps():
    m = RefMachine(preset("small"))
    m.load_program([encode("addi", rd=1, rs1=0, imm=1), 0])
    m.run()
    t = m.state.trap
    assert (t.cause, t.pc, t.word, t.tval) == (Cause.ILLEGAL_INSTRUCTION, 8, 0, 0)
    assert "unassigned opcode 0x00" in t.message

    m = RefMachine(preset("small"))
    size = len(m.state.imem)
    m.load_program([encode("jal", rd=0, off=size)])
    m.run()
    assert (m.state.trap.cause, m.state.trap.pc, m.state.trap.tval) == (Cause.FETCH_FAULT, size, size)


def test_stopped_machine_does_not_step():
    m = RefMachine(preset("small"))
    m.load_program([encode("halt", rs1=0)])
    m.run()
    before = m.state.snapshot()
    assert m.step() is False and m.state.snapshot() == before


def test_run_limit_leaves_machine_running():
    m = RefMachine(preset("small"))
    m.load_program([encode("jal", rd=0, off=0)])
    s = m.run(max_instructions=100)
    assert not s.stopped and s.instret == 100

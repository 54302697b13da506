# The Machine API: configs and modes, loading words, bytes and Programs, run/step results with
# source lines, register/CSR/semaphore access, memories as numpy arrays, symbols, snapshots.
import numpy as np
import pytest
from hypothesis import given, strategies as st

from thead_isa.assembler.program import GM, IMEM, LineEntry, Program, Section, Symbol
from thead_isa.isa import encode
from thead_isa.isa.config import ConfigError, preset
from thead_isa.isa.csrs import BY_NAME
from thead_isa.isa.encoding import pack
from thead_isa.isa.traps import Cause
from thead_isa.core.loop import CHUNK
from thead_isa.core.machine import Machine, RunResult
from thead_isa.refmodel.machine import RefMachine

SMALL = preset("small")
HALT = encode("halt", rs1=0)


def li(rd, value):
    return encode("addi", rd=rd, rs1=0, imm=value)


def program():
    """.text loads `value` (GM .data), adds 1, stores it to `out` (.bss) and halts with it."""
    text = [li(1, 0x100), encode("lw", rd=2, rs1=1, off=0), encode("addi", rd=2, rs1=2, imm=1),
            encode("sw", rs2=2, rs1=1, off=8), encode("lw", rd=3, rs1=0, off=0x7FFFFFFF),
            HALT]
    return Program(
        sections={".text": Section(".text", IMEM, 0x40, bytearray(pack(text))),
                  ".data": Section(".data", GM, 0x100, bytearray((41).to_bytes(4, "little"))),
                  ".bss": Section(".bss", GM, 0x108, nobits=True, size=8)},
        symbols={"start": Symbol("start", 0x40, ".text"), "value": Symbol("value", 0x100, ".data"),
                 "out": Symbol("out", 0x108, ".bss"), "N": Symbol("N", 0x20, None)},
        lines=[LineEntry(0x40 + 8 * k, "prog.s", 3 + k) for k in range(len(text))],
        entry=0x40)


def test_configs_and_modes(tmp_path):
    assert Machine().config.name == "default"
    assert Machine(SMALL).config is SMALL and Machine("small").gm.size == SMALL.gm_bytes
    path = tmp_path / "tiny.toml"
    path.write_text('base = "small"\ngm_bytes = 8192\n')
    assert Machine(path).gm.size == 8192 and Machine(str(path)).gm.size == 8192
    with pytest.raises(ConfigError, match="unknown preset"):
        Machine("huge")
    with pytest.raises(TypeError, match="config must be"):
        Machine(42)
    assert Machine("small", mode="cycle").mode == "cycle"
    with pytest.raises(ValueError, match="mode must be one of functional, cycle, not 'fast'"):
        Machine("small", mode="fast")


def test_load_program_sections_symbols_and_run():
    m = Machine(SMALL)
    m.gm[0x100:0x110] = 0xFF                    # .bss must come out zeroed
    m.load(program())
    assert m.pc == 0x40 and m.read("value", np.int32)[0] == 41
    assert m.read("out", np.uint8, 8).tolist() == [0] * 8
    r = m.run()
    assert r.trap.cause == Cause.GM_FAULT and r.instructions == 4 and not r.halted
    assert (r.trap.pc, r.trap.source, r.exit_code) == (0x60, "prog.s:7", None)
    assert str(r.trap).startswith("gm_fault at pc 0x60 (prog.s:7): lw: GM bytes 0x7fffffff..")
    assert m.read("out", np.int32)[0] == 42 and m.x[2] == 42


def test_run_result_halt_and_step():
    m = Machine(SMALL)
    m.load([li(5, 7), encode("halt", rs1=5)])
    first = m.step()
    assert first == RunResult(None, None, 1, False, cycles=1) and m.pc == 8
    r = m.run()
    assert (r.exit_code, r.halted, r.trap, r.instructions, m.instret) == (7, True, None, 1, 2)
    assert m.step() == RunResult(7, None, 0, True, cycles=2) and m.stopped


def test_watchdog_is_reported_and_resumable():
    m = Machine(SMALL)
    m.load([encode("jal", rd=0, off=0)])
    r = m.run(max_instructions=50)
    assert r.watchdog and r.trap.cause == Cause.WATCHDOG and r.instructions == 50
    assert "50 instructions" in r.trap.message and m.trap is None and not m.stopped
    assert m.run(max_instructions=0).watchdog and m.instret == 50
    long = CHUNK + 3                             # the run is split into chunks (Ctrl-C checks)
    assert m.run(max_instructions=long).instructions == long and m.instret == 50 + long
    with pytest.raises(ValueError, match="max_instructions"):
        m.run(max_instructions=-1)


def test_registers():
    m = Machine(SMALL)
    m.x[0] = 5
    m.x[1] = -1
    m.x[31] = 1 << 33 | 3
    assert (m.x[0], m.x[1], m.x[31], len(m.x)) == (0, 0xFFFFFFFF, 3, 32)
    assert list(m.x)[:2] == [0, 0xFFFFFFFF]
    for bad in (32, -1, "x1"):
        with pytest.raises(IndexError, match="register index"):
            m.x[bad]


def test_csrs_by_name_and_number():
    m = Machine(SMALL)
    assert m.csr["te_m"] == 1 and m.csr[BY_NAME["ve_qmin"].number] == 0x80000000
    m.csr["ve_zp"] = -5
    m.csr[0x810] = 77
    assert (m.csr["ve_zp"], m.csr["te_m"]) == (0xFFFFFFFB, 77)
    assert (m.csr["cfg_te_rows"], m.csr["cfg_lm_bytes"], m.csr["estat"]) == (4, 65536, 0)
    m.load([li(1, 1)] * 3 + [HALT])
    m.run()
    assert m.csr["cycle"] == m.csr["instret"] == 4 and m.csr["instreth"] == 0
    with pytest.raises(ValueError, match="CSR cycle is read-only"):
        m.csr["cycle"] = 1
    with pytest.raises(KeyError, match="unknown CSR"):
        m.csr["nope"]
    assert "te_m" in m.csr and 0x7FF not in m.csr


def test_semaphores():
    m = Machine(SMALL)
    m.sem[3] = 2
    m.load([encode("sem.wait", sem=3), HALT])
    m.run()
    assert m.sem[3] == 1 and list(m.sem)[3] == 1
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        m.sem[0] = 256


def test_memories_are_live_arrays():
    m = Machine(SMALL)
    assert (m.gm.dtype, m.lm.dtype, m.acc.dtype, m.imem.dtype) == (np.uint8, np.uint8, np.int32,
                                                                  np.uint8)
    m.gm[0x20:0x24] = [1, 2, 3, 4]
    m.load([encode("lw", rd=1, rs1=0, off=0x20), encode("sb", rs2=1, rs1=0, off=0x30), HALT])
    m.run()
    assert m.x[1] == 0x04030201 and m.gm[0x30] == 1
    with pytest.raises(ValueError, match="read-only"):
        m.imem[0] = 1


def test_read_and_write_by_address_and_symbol():
    m = Machine(SMALL)
    m.load(program())
    m.write("N", np.arange(4, dtype=np.int32), mem="lm")
    assert m.read("N", np.int32, (2, 2), mem="lm").tolist() == [[0, 1], [2, 3]]
    m.write(3, [-1, 7], mem="acc")
    assert m.acc[3:5].tolist() == [-1, 7] and m.read(3, shape=2, mem="acc").tolist() == [-1, 7]
    m.write(0x200, b"\x01\x02")
    assert m.read(0x200, shape=2).tolist() == [1, 2]
    view = m.read("value", np.int32)
    view[0] = 99                                 # a view: writes reach GM
    assert m.gm[0x100] == 99
    with pytest.raises(KeyError, match="unknown symbol 'nope'"):
        m.read("nope")
    with pytest.raises(ValueError, match="symbol 'value' is in GM, not LM"):
        m.read("value", mem="lm")
    with pytest.raises(ValueError, match="do not fit LM"):
        m.read(SMALL.lm_bytes - 2, np.int32, mem="lm")
    with pytest.raises(ValueError, match="non-negative"):
        m.write(-1, b"x")


def test_writing_imem_redecodes():
    m = Machine(SMALL)
    m.load([li(1, 1), HALT])
    m.write(0, np.array([li(1, 2)], dtype="<u8"), mem="imem")
    m.run()
    assert m.x[1] == 2
    with pytest.raises(ValueError, match="do not fit IMEM"):
        m.load([HALT], at=SMALL.imem_bytes)
    bad = program()
    bad.sections[".data"].addr = SMALL.gm_bytes          # nothing is written when a part fails
    with pytest.raises(ValueError, match="section .data: 4 bytes at 0x100000 do not fit GM"):
        m.load(bad)
    assert m.program is None and m.imem[0x40] == 0


def test_pc_must_be_aligned_and_reset():
    m = Machine(SMALL)
    for bad in (4, -8, 2**32):
        with pytest.raises(ValueError, match="32-bit multiple of 8"):
            m.pc = bad
    m.load(program())
    m.run()
    m.reset()
    assert (m.pc, m.instret, m.trap, m.program, m.gm[0x100]) == (0, 0, None, None, 0)


def test_snapshot_equals_the_reference_model():
    words = program()
    m, ref = Machine(SMALL), RefMachine(SMALL)
    m.load(words)
    for s in words.sections.values():
        ref.write(s.memory, s.addr, bytes(s.length) if s.nobits else bytes(s.data))
    ref.state.pc = 0x40
    m.run()
    ref.run()
    assert m.snapshot() == ref.state.snapshot()


@given(st.lists(st.integers(0, 2**64 - 1) | st.sampled_from([HALT, li(1, 8)]), max_size=16),
       st.integers(0, 2**32 - 1))
def test_no_program_crashes_the_process(words, seed):
    m = Machine(SMALL)
    rng = np.random.default_rng(seed)
    for i in range(1, 32):
        m.x[i] = int(rng.choice([0, 8, 4096, 0xFFFFFFFF, int(rng.integers(0, 1 << 32))]))
    m.load(words)
    r = m.run(max_instructions=10_000)
    assert r.halted or r.trap is not None
    assert isinstance(r.trap.cause if r.trap else Cause.WATCHDOG, Cause)

# Every instruction of the table executes on the reference model from random states: it retires
# or stops with a defined trap, and a trapping instruction changes nothing.
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from thead_isa.isa import INSTRUCTIONS, encode
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import CSRS
from thead_isa.isa.strategies import instruction_values
from thead_isa.isa.traps import Cause
from thead_isa.refmodel.machine import RefMachine

SMALL = preset("small")
SIZES = [SMALL.gm_bytes, SMALL.lm_bytes, SMALL.acc_words]
# register values: small addresses and sizes mostly, boundaries and anything else sometimes
REG = st.sampled_from([0, 1, 4, 8, 64, 256, 4096] + [s - 1 for s in SIZES] + SIZES) | st.integers(
    0, 0xFFFFFFFF)
CONFIG_CSRS = [c for c in CSRS if c.writable]


def csr_value(c):
    """Mostly small values inside the CSR's accepted range, sometimes any 32-bit value."""
    lo, hi = max(c.use[0], 0), min(c.use[1], 6)
    return st.one_of(*[st.integers(lo, hi)] * 9, st.integers(0, 0xFFFFFFFF))


def machine(regs, csr_values, sems, seed, random_memory=True):
    m = RefMachine(SMALL)
    s = m.state
    s.x[1:] = regs
    for c, v in zip(CONFIG_CSRS, csr_values):
        s.csr[c.number] = v
    s.sem[:] = sems
    if not random_memory:               # all-zero memory: e.g. parameter blocks that are valid
        return m
    rng = np.random.default_rng(seed)
    s.lm[:4096] = rng.integers(0, 256, 4096, dtype=np.uint8)
    s.gm[:4096] = rng.integers(0, 256, 4096, dtype=np.uint8)
    s.acc[:1024] = rng.integers(-(1 << 31), 1 << 31, 1024, dtype=np.int64)
    return m


@pytest.mark.parametrize("insn", INSTRUCTIONS, ids=lambda i: i.mnemonic)
def test_instruction_executes_or_traps_cleanly(insn):
    retired = []

    @settings(max_examples=max(20, settings().max_examples // 2))
    @given(instruction_values(insn), st.lists(REG, min_size=31, max_size=31),
           st.tuples(*map(csr_value, CONFIG_CSRS)),
           st.lists(st.integers(0, 255), min_size=16, max_size=16), st.integers(0, 2**32),
           st.booleans())
    def prop(values, regs, csr_values, sems, seed, random_memory):
        m = machine(regs, csr_values, sems, seed, random_memory)
        m.load_program([encode(insn, **values)])
        before = m.state.snapshot()
        m.step()
        s = m.state
        if s.trap is not None:
            assert isinstance(s.trap.cause, Cause) and s.trap.message and s.trap.pc == 0
            after = s.snapshot()
            after["trap"] = None
            assert after == before, "a trapping instruction changed the state"
        else:
            assert s.instret == 1
            retired.append(values)
    prop()
    assert retired, f"{insn.mnemonic} never retired: the generated states only trap"

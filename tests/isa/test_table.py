# Table validation: the real table passes; deliberately broken tables are rejected with a reason.
import dataclasses

import pytest

from thead_isa.isa import ALIASES, INSTRUCTIONS, check_table
from thead_isa.isa.fields import Field
from thead_isa.isa.operands import XREG, Kind, Operand
from thead_isa.isa.spec import ENGINES, Alias
from thead_isa.isa.table import BY_MNEMONIC, INSTRUCTION_CLASSES
from thead_isa.isa.validate import TableError, validate

ADD = BY_MNEMONIC["add"]
GEMM = BY_MNEMONIC["gemm"]


def problems_with(*rows, aliases=(), fields=()):
    return validate(list(INSTRUCTIONS) + list(rows), aliases, fields)


def test_real_table_is_valid():
    assert validate(INSTRUCTIONS, ALIASES) == []
    check_table()


def test_every_required_class_is_present():
    required = {"cp.alu", "cp.mul", "cp.branch", "cp.jump", "cp.load", "cp.store", "cp.csr",
                "cp.sync", "cp.halt", "me.dma", "te.gemm", "te.conv", "ve.requant", "ve.qadd",
                "ve.pool", "ve.lut", "ve.reduce", "ve.eltwise"}
    assert required <= set(INSTRUCTION_CLASSES)
    assert {i.engine for i in INSTRUCTIONS} == set(ENGINES)
    assert {"vrq.fx", "vrq.fp", "dma.tr", "vgap", "vmaxpool", "vavgpool"} <= set(BY_MNEMONIC)


def test_engine_instructions_carry_sync_fields():
    for i in INSTRUCTIONS:
        names = {o.name for o in i.options}
        assert ({"wait", "sig"} <= names) == (i.engine != "cp"), i.mnemonic


def test_duplicate_opcode_overlaps():
    clone = dataclasses.replace(ADD, mnemonic="add2")
    assert "add and add2 overlap: a word can match both" in problems_with(clone)


def test_duplicate_mnemonic():
    clone = dataclasses.replace(ADD, opcode=0xFE)
    assert "add: mnemonic defined twice" in problems_with(clone)


def test_bit_assigned_twice():
    bad = dataclasses.replace(ADD, mnemonic="bad", opcode=0xFE,
                              operands=(Operand("rd", XREG, ("r0",)), Operand("rs1", XREG, ("r0",)),
                                        Operand("rs2", XREG, ("r2",))))
    assert "bad: bit 8 assigned twice (rd and rs1)" in problems_with(bad)


def test_operand_does_not_fit_its_field():
    wide = Kind("register", 0, 63, prefix="x")
    bad = dataclasses.replace(ADD, mnemonic="bad", opcode=0xFE,
                              operands=(Operand("rd", wide, ("r0",)),) + ADD.operands[1:])
    assert "bad: operand rd (x0..x63) needs 6 bits, field r0 has 5" in problems_with(bad)


def test_unknown_field_and_syntax_mismatch():
    bad = dataclasses.replace(ADD, mnemonic="bad", opcode=0xFE, syntax="{rd}, {rs1}",
                              operands=ADD.operands[:2] + (Operand("rs2", XREG, ("r9",)),))
    out = problems_with(bad)
    assert "bad: operand rs2 uses unknown field 'r9'" in out
    assert any(p.startswith("bad: syntax '{rd}, {rs1}' must name each positional operand") for p in out)


def test_opcode_zero_and_too_large_and_engine():
    out = problems_with(dataclasses.replace(ADD, mnemonic="z", opcode=0),
                        dataclasses.replace(ADD, mnemonic="big", opcode=0x100),
                        dataclasses.replace(ADD, mnemonic="eng", opcode=0xFD, engine="gpu"))
    assert "z: opcode 0 is reserved so that a zero word is illegal" in out
    assert "big: opcode 0x100 does not fit the op field" in out
    assert "eng: engine 'gpu' is not one of cp, me, te, ve" in out


def test_field_outside_word():
    assert "field huge [64:60] does not fit a 64-bit word" in validate(
        [], (), [Field("huge", 64, 60)])


def test_unknown_csr_read_by_engine_instruction():
    bad = dataclasses.replace(GEMM, mnemonic="bad", opcode=0xFE, csrs=("te_m", "cycle", "nope"))
    out = problems_with(bad)
    assert "bad: reads 'cycle', which is not a configuration CSR" in out
    assert "bad: reads 'nope', which is not a configuration CSR" in out


def test_broken_aliases():
    out = problems_with(aliases=[
        Alias("zz", "{rd}", "nosuch"),
        Alias("add", "{rd}, {rs1}, {rs2}", "add", {"rd": "rd", "rs1": "rs1", "rs2": "rs2"}),
        Alias("half", "{rd}", "add", {"rd": "rd"}),
        Alias("big", "{rd}", "addi", {"rd": "rd", "rs1": 40, "imm": 0}),
    ])
    assert "alias zz: target 'nosuch' is not an instruction" in out
    assert "alias add: shadows the instruction of the same name" in out
    assert "alias half: must give every operand of add (rd, rs1, rs2) and no other" in out
    assert "alias big: constant for rs1: register operand must be x0..x31, not 40" in out


def test_check_table_raises_with_every_problem(monkeypatch):
    import thead_isa.isa.table as table
    monkeypatch.setattr(table, "INSTRUCTIONS", INSTRUCTIONS + (dataclasses.replace(ADD, mnemonic="x"),))
    with pytest.raises(TableError) as e:
        check_table()
    assert "add and x overlap" in str(e.value)

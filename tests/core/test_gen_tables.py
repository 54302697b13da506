# The generated Cython constants (isa_tables.pxd) match the instruction table.
from pathlib import Path

from thead_isa.core import gen_tables
from thead_isa.isa import INSTRUCTIONS

# the checked-in file (the installed package need not carry .pxd files)
SOURCE = Path(__file__).resolve().parents[2] / "thead_isa" / "core" / "isa_tables.pxd"


def test_isa_tables_are_current():
    assert not gen_tables.update(SOURCE, check=True), "run: python -m thead_isa.core.gen_tables"


def test_every_opcode_and_cfg_slot_is_rendered():
    text = gen_tables.render()
    assert text.startswith(gen_tables.HEADER) and "do not edit" in gen_tables.HEADER
    for i in INSTRUCTIONS:
        assert f"OP_{gen_tables.ident(i.mnemonic)} = 0x{i.opcode:02x}" in text
        for n, c in enumerate(i.csrs):
            assert f"_{c.upper()} = {n}\n" in text

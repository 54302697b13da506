# docs/isa.md: the generated reference is up to date and names every instruction, CSR and alias.
import re
import subprocess
import sys
from pathlib import Path

import pytest

from thead_isa.isa import docgen
from thead_isa.isa.config import PARAMS
from thead_isa.isa.csrs import CSRS
from thead_isa.isa.table import ALIASES, INSTRUCTIONS
from thead_isa.isa.traps import Cause

DOC = Path(__file__).resolve().parents[2] / "docs" / "isa.md"
TEXT = docgen.render()


def test_docs_isa_md_is_up_to_date():
    assert not docgen.update(DOC, check=True), \
        "docs/isa.md is stale: run `python -m thead_isa.isa.docgen`"


def test_docs_timing_md_is_up_to_date():
    timing = DOC.with_name("timing.md")
    assert not docgen.update(timing, check=True), \
        "docs/timing.md is stale: run `python -m thead_isa.isa.docgen`"
    text = timing.read_text(encoding="utf-8")
    for name in docgen.TIMING_PARAMS:
        assert f"`{name}`" in text


def test_timing_table_lists_every_timing_parameter():
    timing = {p.name for p in PARAMS
              if p.name.startswith(("cp_", "dma_", "te_", "ve_")) or p.name in ("clock_mhz",
                                                                                "queue_depth")}
    assert timing == set(docgen.TIMING_PARAMS)


def test_render_is_deterministic():
    assert docgen.render() == TEXT


@pytest.mark.parametrize("name", [i.mnemonic for i in INSTRUCTIONS])
def test_every_instruction_has_a_section(name):
    assert f"##### `{name}`" in TEXT


def test_every_csr_alias_trap_and_parameter_appears():
    for c in CSRS:
        assert f"| 0x{c.number:03x} | `{c.name}` |" in TEXT
    for a in ALIASES:
        assert re.search(rf"\| `{re.escape(a.mnemonic)}[ `]", TEXT), a.mnemonic
    for c in Cause:
        assert f"`{c.label}`" in TEXT
    for p in PARAMS:
        assert f"| `{p.name}` |" in TEXT


def test_encoding_rows_cover_every_bit_once():
    for i in INSTRUCTIONS:
        bits = [b for msb, lsb, _, _ in docgen._encoding_rows(i) for b in range(lsb, msb + 1)]
        assert sorted(bits) == list(range(64)), i.mnemonic


def test_alias_expansions():
    assert docgen._alias_expansion(next(a for a in ALIASES if a.mnemonic == "li")) \
        == "addi {rd}, x0, {imm}"
    assert docgen._alias_expansion(next(a for a in ALIASES if a.mnemonic == "ret")) \
        == "jalr x0, 0(x1)"


def test_update_rewrites_only_the_block(tmp_path):
    doc = tmp_path / "isa.md"
    doc.write_text(f"# head\n\n{docgen.BEGIN}\nold text\n{docgen.END}\ntail\n", encoding="utf-8")
    assert docgen.update(doc, check=True)
    assert "old text" in doc.read_text(encoding="utf-8")        # check writes nothing
    assert docgen.update(doc)
    expect = f"# head\n\n{docgen.BEGIN}\n\n{TEXT}\n{docgen.END}\ntail\n"
    assert doc.read_text(encoding="utf-8") == expect
    assert not docgen.update(doc)
    assert [p.name for p in tmp_path.iterdir()] == ["isa.md"]   # no temp file left behind


def test_missing_markers_are_an_error(tmp_path):
    doc = tmp_path / "isa.md"
    doc.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="BEGIN GENERATED"):
        docgen.update(doc)


def test_cli_check_exits_1_when_stale(tmp_path):
    doc = tmp_path / "isa.md"
    doc.write_text(f"{docgen.BEGIN}\n{docgen.END}\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "thead_isa.isa.docgen", "--check", str(doc)]
    root = str(DOC.parents[1])
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=root)
    assert r.returncode == 1 and "stale" in r.stderr
    assert subprocess.run(cmd[:3] + [str(doc)], cwd=root).returncode == 0
    assert subprocess.run(cmd, cwd=root).returncode == 0

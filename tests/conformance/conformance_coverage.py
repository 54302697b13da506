# Coverage of the conformance runs: instruction x operand class x implementation/mode.
"""What is counted, exactly:

- Reference model (`ref`): every instruction the RefMachine executed without trapping, recorded
  by stepping it (`run_ref`).
- Core, functional and cycle mode (`functional`, `cycle`): from the core's event stream
  (`EventCoverage`, an observer): CP instructions when they retire (EV_CP), engine instructions
  when they complete (EV_END; a dispatched instruction that never completes is not counted).

The operand class is STATIC: it is computed from the decoded instruction word, not from the
run-time register or memory values (which the event stream does not carry). It names the
options that are present (acc, u, dw, esz=N, wait, sig; `plain` when none) and, for CP
instructions, a few encoding-level edges: the sign of an immediate (imm<0, imm=0, imm>0), shift
amounts 0 and 31, backward or forward branch/jump offsets, x0 as destination or source.
Value-level edges (INT32 extremes, ties, saturation) are covered by the hand-written cases in the
.s files, whose comments say which edge each case exercises; this table does not measure them.

Anyone running conformance programs may call `record(impl, words)`; conftest.py prints the table
at the end of the session.
"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from thead_isa.isa import INSTRUCTIONS, IllegalInstruction, decode
from thead_isa.refmodel.machine import RefMachine

IMPLS = ("ref", "functional", "cycle")

# (mnemonic, operand class) -> impl -> executions
_counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
_classes: dict[int, tuple[str, str]] = {}          # word -> (mnemonic, class), a cache


def operand_class(word: int) -> tuple[str, str] | None:
    """(mnemonic, static operand class) of an instruction word; None if it is illegal."""
    hit = _classes.get(word)
    if hit is not None:
        return hit
    try:
        d = decode(word)
    except IllegalInstruction:
        return None
    v, parts = d.values, []
    if d.insn.engine == "cp":
        if "rd" in v and v["rd"] == 0:
            parts.append("rd=x0")
        if any(v.get(r) == 0 for r in ("rs1", "rs2")):
            parts.append("x0 src")
        if "imm" in v and d.mnemonic not in ("csrwi",):
            imm = v["imm"] if v["imm"] < 1 << 31 else v["imm"] - (1 << 32)
            parts.append("imm<0" if imm < 0 else "imm=0" if imm == 0 else "imm>0")
        if "shamt" in v and v["shamt"] in (0, 31):
            parts.append(f"sh={v['shamt']}")
        if "off" in v and d.insn.iclass in ("branch", "jump") and d.mnemonic != "jalr":
            parts.append("back" if v["off"] < 0 else "fwd")
        if d.mnemonic in ("jalr",) or d.insn.iclass in ("load", "store"):
            parts.append("off<0" if v["off"] < 0 else "off=0" if v["off"] == 0 else "off>0")
    else:
        for flag in ("acc", "u", "dw"):
            if v.get(flag):
                parts.append(flag)
        if "esz" in v:
            parts.append(f"esz={v['esz']}")
        for opt in ("wait", "sig"):
            if v.get(opt) is not None:
                parts.append(opt)
    hit = (d.mnemonic, "+".join(parts) or "plain")
    _classes[word] = hit
    return hit


def record(impl: str, words) -> None:
    """Count executed instruction words (an iterable of ints) for one implementation."""
    for w in words:
        key = operand_class(int(w))
        if key is not None:
            _counts[key][impl] += 1


def run_ref(machine: RefMachine, max_instructions: int = 10_000_000) -> None:
    """Run a loaded RefMachine to halt or trap, recording every instruction that completed."""
    s, words = machine.state, []
    for _ in range(max_instructions):
        pc = s.pc
        word = int.from_bytes(s.imem[pc:pc + 8].tobytes(), "little") if pc + 8 <= len(s.imem) \
            else None
        if not machine.step():
            if s.halted and word is not None:   # the halt itself completed
                words.append(word)
            break
        words.append(word)
    record("ref", words)


class EventCoverage:
    """Core observer: records CP instructions at EV_CP and engine instructions at EV_END."""

    def __init__(self, impl: str):
        self.impl = impl
        self.words: list[int] = []

    def feed(self, batch: np.ndarray) -> None:
        from thead_isa.core.events import EV_CP, EV_END, UNIT_CP
        cp = batch[(batch["kind"] == EV_CP)]
        for w in cp["word"].tolist():
            key = operand_class(w)
            if key is not None and _engine(key[0]) == "cp":
                self.words.append(w)
        ends = batch[(batch["kind"] == EV_END) & (batch["unit"] != UNIT_CP)]
        self.words.extend(ends["word"].tolist())

    def close(self) -> None:
        record(self.impl, self.words)
        self.words = []


def _engine(mnemonic: str) -> str:
    return _ENGINE[mnemonic]


_ENGINE = {i.mnemonic: i.engine for i in INSTRUCTIONS}


def executed_mnemonics(impl: str) -> set[str]:
    return {mn for (mn, _), by in _counts.items() if by.get(impl)}


def summary() -> str:
    """The coverage table: one line per instruction of the table, each operand class with the
    implementations that executed it (R = ref, F = functional, C = cycle) and its count."""
    if not _counts:
        return ""
    lines = ["conformance coverage: instruction  operand-class[impls executing it] "
             "(R = reference model, F = core functional, C = core cycle; classes are static, "
             "from the decoded word; counts are executions summed over configs and implementations)"]
    full = 0
    for insn in sorted(INSTRUCTIONS, key=lambda i: i.opcode):
        classes = sorted((cls, by) for (mn, cls), by in _counts.items() if mn == insn.mnemonic)
        impls = {impl for _, by in classes for impl, n in by.items() if n}
        full += impls >= set(IMPLS)
        cells = []
        for cls, by in classes:
            tag = "".join(i[0].upper() for i in IMPLS if by.get(i))
            cells.append(f"{cls}[{tag}:{sum(by.values())}]")
        lines.append(f"  {insn.mnemonic:<9s} {' '.join(cells) if cells else 'NOT EXECUTED'}")
    lines.append(f"instructions executed by all of ref, functional and cycle: "
                 f"{full}/{len(INSTRUCTIONS)}; (instruction, operand class) pairs: {len(_counts)}")
    return "\n".join(lines)

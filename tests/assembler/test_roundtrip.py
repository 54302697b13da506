# Round trips: assemble(format_insn(decode(w))) == w for every instruction; random whole programs.
import pytest
from hypothesis import given, settings, strategies as st

from thead_isa.assembler import assemble
from thead_isa.isa import decode, encode, format_insn
from thead_isa.isa.strategies import instruction_values, words
from thead_isa.isa.table import INSTRUCTIONS


def text_bytes(source: str) -> bytes:
    return bytes(assemble(source).sections[".text"].data)


@pytest.mark.parametrize("insn", INSTRUCTIONS, ids=lambda i: i.mnemonic)
@settings(max_examples=8)
@given(data=st.data())
def test_every_instruction_reassembles(insn, data):
    w = encode(insn, **data.draw(instruction_values(insn)))
    for text in (format_insn(decode(w)), format_insn(decode(w), aliases=False)):
        assert text_bytes(text + "\n") == w.to_bytes(8, "little"), text


@given(st.lists(words(), min_size=1, max_size=20))
def test_disassembly_of_word_lists_reassembles(ws):
    source = "".join(format_insn(decode(w)) + "\n" for w in ws)
    assert text_bytes(source) == b"".join(w.to_bytes(8, "little") for w in ws)


# ---- random programs: labels, branches and calls to labels, loads of data addresses, data ------

REG = st.integers(0, 31).map(lambda r: f"x{r}")


@st.composite
def programs(draw):
    n_code = draw(st.integers(1, 25))
    n_data = draw(st.integers(0, 6))
    code_labels = [f"L{i}" for i in range(draw(st.integers(1, 5)))]
    data_labels = [f"D{i}" for i in range(n_data)]
    label_at = {draw(st.integers(0, n_code - 1)): name for name in code_labels}
    code_labels = list(label_at.values())
    lines = ["        .text"]
    for i in range(n_code):
        prefix = f"{label_at[i]}:" if i in label_at else ""
        target = draw(st.sampled_from(code_labels))
        kind = draw(st.sampled_from(["branch", "jump", "call", "bnez", "li", "la", "alu", "mem",
                                     "engine", "local"]))
        r1, r2, r3 = draw(REG), draw(REG), draw(REG)
        if kind == "branch":
            op = draw(st.sampled_from(["beq", "bne", "blt", "bge", "bltu", "bgeu"]))
            text = f"{op} {r1}, {r2}, {target}"
        elif kind == "jump":
            text = f"j {target}" if draw(st.booleans()) else f"jal {r1}, {target}"
        elif kind == "call":
            text = f"call {target}"
        elif kind == "bnez":
            text = f"bnez {r1}, {target} + 8"
        elif kind == "li":
            text = f"li {r1}, {draw(st.integers(-(1 << 31), (1 << 32) - 1))}"
        elif kind == "la" and data_labels:
            text = f"la {r1}, {draw(st.sampled_from(data_labels))}"
        elif kind == "mem":
            text = f"lw {r1}, {draw(st.integers(-64, 64))}({r2})"
        elif kind == "engine":
            text = f"gemm {r1}, {r2}, {r3}, acc, wait=s{draw(st.integers(0, 15))}"
        elif kind == "local":
            text = "1: j 1b" if draw(st.booleans()) else "j 1f; 1: nop"
        else:
            text = f"add {r1}, {r2}, {r3}"
        lines.append(f"{prefix:8}{text}")
    lines.append("        halt x0")
    if data_labels:
        lines.append("        .data")
        for d in data_labels:
            values = draw(st.lists(st.integers(0, 255), min_size=1, max_size=9))
            lines.append(f"{d}:     .byte {', '.join(map(str, values))}")
            if draw(st.booleans()):
                lines.append("        .balign 4")
    return "\n".join(lines) + "\n"


@settings(max_examples=40)
@given(programs())
def test_random_programs_reassemble_from_their_disassembly(source):
    p = assemble(source)
    text = bytes(p.sections[".text"].data)
    words = [int.from_bytes(text[i:i + 8], "little") for i in range(0, len(text), 8)]
    again = "".join(format_insn(decode(w)) + "\n" for w in words)
    data = p.sections.get(".data")
    if data is not None:
        again += ".data\n.byte " + ", ".join(str(b) for b in data.data) + "\n"
    q = assemble(again)
    assert bytes(q.sections[".text"].data) == text
    if data is not None:
        assert q.sections[".data"].data == data.data
    assert [e.addr for e in p.lines] == list(range(0, len(text), 8))

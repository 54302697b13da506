# Encoder/decoder: round trips for every instruction, illegal words, canonical text.
import pytest
from hypothesis import given, strategies as st

from thead_isa.isa import INSTRUCTIONS, decode, encode, format_insn
from thead_isa.isa.encoding import EncodingError, IllegalInstruction, pack, unpack
from thead_isa.isa.operands import UIMM32
from thead_isa.isa.strategies import instruction_values, instructions


def _canonical(insn, name, value):
    """32-bit constants written unsigned decode as their signed reading."""
    if insn.operand(name).kind is UIMM32 and value >= 1 << 31:
        return value - (1 << 32)
    return value


@pytest.mark.parametrize("insn", INSTRUCTIONS, ids=lambda i: i.mnemonic)
def test_round_trip_every_instruction(insn):
    @given(instruction_values(insn))
    def prop(values):
        word = encode(insn, **values)
        assert 0 <= word < 1 << 64
        d = decode(word)
        assert d.insn is insn
        assert dict(d.values) == {k: _canonical(insn, k, v) for k, v in values.items()}
        assert encode(insn, **d.values) == word
    prop()


@given(st.integers(0, (1 << 64) - 1))
def test_decode_any_word_is_total(word):
    """Every 64-bit word decodes or is reported illegal; decoded words re-encode exactly."""
    try:
        d = decode(word)
    except IllegalInstruction as e:
        assert e.word == word and e.reason
        return
    assert encode(d.insn, **d.values) == word


@given(instructions(), st.integers(0, 63))
def test_flipping_a_fixed_bit_is_illegal_or_another_instruction(iv, bit):
    insn, values = iv
    word = encode(insn, **values) ^ (1 << bit)
    try:
        d = decode(word)
    except IllegalInstruction:
        return
    if insn.mask >> bit & 1:      # a fixed bit changed: it cannot still be the same instruction
        assert d.insn is not insn


def test_zero_word_is_illegal():
    with pytest.raises(IllegalInstruction, match="unassigned opcode 0x00"):
        decode(0)


def test_reserved_bits_must_be_zero():
    word = encode("add", rd=1, rs1=2, rs2=3) | 1 << 40
    with pytest.raises(IllegalInstruction, match="reserved bits of add are not zero"):
        decode(word)


def test_illegal_field_values():
    with pytest.raises(IllegalInstruction, match="slli shamt"):
        decode(encode("slli", rd=1, rs1=1, shamt=0) | 32 << 32)
    with pytest.raises(IllegalInstruction, match="multiple of 8"):
        decode(encode("jal", rd=0, off=0) | 4 << 32)
    with pytest.raises(IllegalInstruction, match="reserved"):
        decode(encode("dma.tr", dst=1, src=2) | 3 << 45)
    with pytest.raises(IllegalInstruction, match="without its enable bit"):
        decode(encode("gemm", c=1, a=2, b=3) | 5 << 33)


def test_encoding_errors_name_the_legal_range():
    with pytest.raises(EncodingError, match=r"addi rd: register operand must be x0..x31, not 32"):
        encode("addi", rd=32, rs1=0, imm=0)
    with pytest.raises(EncodingError, match=r"slli shamt: .* in the range \[0, 31\], not 40"):
        encode("slli", rd=1, rs1=1, shamt=40)
    with pytest.raises(EncodingError, match="multiple of 8"):
        encode("beq", rs1=0, rs2=0, off=12)
    with pytest.raises(EncodingError, match="needs operand 'rs2'"):
        encode("add", rd=1, rs1=2)
    with pytest.raises(EncodingError, match="has no operand 'bogus'"):
        encode("add", rd=1, rs1=2, rs2=3, bogus=1)
    with pytest.raises(EncodingError, match="unknown instruction 'frob'"):
        encode("frob")
    with pytest.raises(EncodingError, match="esz: element size operand must be one of 1, 2, 4"):
        encode("dma.tr", dst=1, src=2, esz=3)


def test_known_encodings():
    # opcode 0x01 | rd 1 << 8 | rs1 2 << 13 | rs2 3 << 18
    assert encode("add", rd=1, rs1=2, rs2=3) == 0x01 | 1 << 8 | 2 << 13 | 3 << 18
    assert encode("addi", rd=5, rs1=0, imm=-1) == 0x10 | 5 << 8 | 0xFFFFFFFF << 32
    assert encode("addi", rd=5, rs1=0, imm=0xFFFFFFFF) == encode("addi", rd=5, rs1=0, imm=-1)
    assert encode("gemm", c=1, a=2, b=3, acc=True, wait=3, sig=0) == (
        0x50 | 1 << 13 | 2 << 18 | 3 << 23 | 1 << 32 | 3 << 33 | 1 << 37 | 1 << 42)
    assert pack([1, 2]) == bytes([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])
    assert list(unpack(pack([0xDEADBEEF, 7]))) == [0xDEADBEEF, 7]
    with pytest.raises(ValueError, match="not a whole number"):
        list(unpack(b"123"))


@pytest.mark.parametrize("kwargs, text", [
    (("addi", dict(rd=0, rs1=0, imm=0)), "nop"),
    (("addi", dict(rd=5, rs1=0, imm=0xFFFFFFFF)), "li x5, -1"),
    (("addi", dict(rd=5, rs1=6, imm=0)), "mv x5, x6"),
    (("addi", dict(rd=5, rs1=6, imm=7)), "addi x5, x6, 7"),
    (("jalr", dict(rd=0, rs1=1, off=0)), "ret"),
    (("jal", dict(rd=1, off=-16)), "call -16"),
    (("sync", dict(mask=7)), "fence"),
    (("lw", dict(rd=3, rs1=4, off=-8)), "lw x3, -8(x4)"),
    (("sw", dict(rs2=3, rs1=4, off=12)), "sw x3, 12(x4)"),
    (("csrwi", dict(csr=0x810, imm=64)), "csrwi te_m, 64"),
    (("csrr", dict(rd=1, csr=0x7FF)), "csrr x1, 0x7ff"),
    (("gemm", dict(c=1, a=2, b=3, acc=True, wait=3, sig=0)), "gemm x1, x2, x3, acc, wait=s3, sig=s0"),
    (("dma.tr", dict(dst=1, src=2, esz=4)), "dma.tr x1, x2, esz=4"),
    (("vrq.fx", dict(dst=1, src=2, p=3, u=True)), "vrq.fx x1, x2, x3, u"),
    (("vqadd", dict(dst=1, a=2, b=3, p=4)), "vqadd x1, x2, x3, x4"),
    (("sem.wait", dict(sem=15)), "sem.wait s15"),
])
def test_canonical_text(kwargs, text):
    mn, values = kwargs
    assert format_insn(decode(encode(mn, **values))) == text


def test_text_without_aliases():
    assert format_insn(decode(encode("addi", rd=0, rs1=0, imm=0)), aliases=False) == "addi x0, x0, 0"

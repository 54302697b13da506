# ELF writer and reader: field-by-field checks with pyelftools, readelf, round trips, corrupt input.
import io
import shutil
import struct
import subprocess

import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import given, strategies as st

from thead_isa.assembler import elf
from thead_isa.assembler.elf import EM_THEAD, ObjectFormatError, read_elf, write_elf
from thead_isa.assembler.program import GM, IMEM, LineEntry, Program, Section, Symbol
from thead_isa.isa import encode
from thead_isa.isa.encoding import pack

CODE = pack([encode("addi", rd=1, rs1=0, imm=5), encode("beq", rs1=1, rs2=0, off=-8),
             encode("halt", rs1=0)])


def sample() -> Program:
    p = Program(entry=8)
    p.sections[".text"] = Section(".text", IMEM, 0, bytearray(CODE))
    p.sections[".data"] = Section(".data", GM, 0x100, bytearray(b"hello\0"))
    p.sections[".bss"] = Section(".bss", GM, 0x200, nobits=True, size=64)
    p.sections[".rodata"] = Section(".rodata", GM, 0x106, bytearray(b"xyz"))
    for sym in [Symbol("start", 0, ".text", "global"), Symbol("loop", 8, ".text"),
                Symbol("msg", 0x100, ".data"), Symbol("buf", 0x200, ".bss", "global"),
                Symbol("N", 5, None), Symbol("NEG", -1, None, "global")]:
        p.symbols[sym.name] = sym
    p.lines = [LineEntry(0, "prog.s", 3), LineEntry(8, "prog.s", 4), LineEntry(16, "inc/x.s", 1)]
    return p


def parse(data: bytes) -> ELFFile:
    return ELFFile(io.BytesIO(data))


def test_header_fields():
    e = parse(write_elf(sample()))
    h = e.header
    assert bytes(h.e_ident.EI_MAG) == b"\x7fELF"
    assert h.e_ident.EI_CLASS == "ELFCLASS32" and h.e_ident.EI_DATA == "ELFDATA2LSB"
    assert h.e_ident.EI_OSABI == "ELFOSABI_SYSV" and h.e_ident.EI_ABIVERSION == 0
    assert h.e_type == "ET_EXEC" and h.e_machine == EM_THEAD == 0x5448
    assert h.e_version == "EV_CURRENT" and h.e_entry == 8 and h.e_flags == elf.ISA_VERSION
    assert (h.e_ehsize, h.e_phentsize, h.e_shentsize) == (52, 32, 40)
    assert e.get_section(h.e_shstrndx).name == ".shstrtab"


def test_sections():
    e = parse(write_elf(sample()))
    got = [(s.name, s["sh_type"], s["sh_flags"], s["sh_addr"], s["sh_size"])
           for s in e.iter_sections()]
    A, X, W = 2, 4, 1
    assert got[:5] == [("", "SHT_NULL", 0, 0, 0),
                       (".text", "SHT_PROGBITS", A | X, 0, 24),
                       (".data", "SHT_PROGBITS", A | W, 0x100, 6),
                       (".bss", "SHT_NOBITS", A | W, 0x200, 64),
                       (".rodata", "SHT_PROGBITS", A | W, 0x106, 3)]
    names = [s.name for s in e.iter_sections()]
    assert names[5:] == [".thead.lines", ".symtab", ".strtab", ".shstrtab"]
    assert e.get_section_by_name(".text").data() == CODE
    assert e.get_section_by_name(".data").data() == b"hello\0"
    assert e.get_section_by_name(".rodata")["sh_addralign"] == 2      # 0x106: 2-aligned
    assert e.get_section_by_name(".thead.lines")["sh_flags"] == 0
    assert e.get_section_by_name(".symtab")["sh_link"] == 7


def test_symbols():
    e = parse(write_elf(sample()))
    symtab = e.get_section_by_name(".symtab")
    syms = list(symtab.iter_symbols())
    assert syms[0].name == "" and syms[0]["st_shndx"] == "SHN_UNDEF"
    got = {s.name: (s["st_value"], s["st_info"]["bind"], s["st_shndx"]) for s in syms[1:]}
    assert got == {"loop": (8, "STB_LOCAL", 1), "msg": (0x100, "STB_LOCAL", 2),
                   "N": (5, "STB_LOCAL", "SHN_ABS"), "start": (0, "STB_GLOBAL", 1),
                   "buf": (0x200, "STB_GLOBAL", 3), "NEG": (0xFFFFFFFF, "STB_GLOBAL", "SHN_ABS")}
    binds = [s["st_info"]["bind"] for s in syms]
    assert symtab["sh_info"] == binds.index("STB_GLOBAL") == 4       # locals first
    assert all(b == "STB_GLOBAL" for b in binds[4:])


def test_segments():
    e = parse(write_elf(sample()))
    segs = list(e.iter_segments())
    assert all(s["p_type"] == "PT_LOAD" for s in segs)
    got = [(s["p_vaddr"], s["p_paddr"], s["p_filesz"], s["p_memsz"], s["p_flags"]) for s in segs]
    R, W, X = 4, 2, 1
    assert got == [(0, 0, 24, 24, R | X), (0x100, 0x100, 6, 6, R | W),
                   (0x200, 0x200, 0, 64, R | W), (0x106, 0x106, 3, 3, R | W)]
    assert segs[0].data() == CODE and segs[1].data() == b"hello\0"
    for s in segs:
        assert s["p_offset"] % s["p_align"] == s["p_vaddr"] % s["p_align"]


def test_empty_sections_get_no_segment():
    p = Program()
    p.sections[".text"] = Section(".text", IMEM, 0, bytearray())
    assert parse(write_elf(p)).num_segments() == 0
    assert read_elf(write_elf(p)) == p


def test_round_trip_sample():
    p = sample()
    q = read_elf(write_elf(p))
    assert q.symbols.pop("NEG") == Symbol("NEG", 0xFFFFFFFF, None, "global")   # low 32 bits
    del p.symbols["NEG"]
    assert q == p
    assert q.line_of(16) == LineEntry(16, "inc/x.s", 1)


# ---- readelf -------------------------------------------------------------------------------------

READELF = shutil.which("readelf")


def readelf_clean(data: bytes, tmp_path, lint: bool):
    path = tmp_path / "x.elf"
    path.write_bytes(data)
    r = subprocess.run([READELF, "-a", "-W"] + (["--lint"] if lint else []) + [str(path)],
                       capture_output=True, encoding="utf-8", errors="replace")
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "Warning" not in r.stdout and "Error" not in r.stdout
    return r.stdout


@pytest.mark.skipif(READELF is None, reason="readelf (binutils) is not installed")
def test_readelf_clean(tmp_path):
    out = readelf_clean(write_elf(sample()), tmp_path, lint=True)
    assert "Machine:                           <unknown>: 0x5448" in out
    assert "Number of program headers:         4" in out
    readelf_clean(write_elf(Program()), tmp_path, lint=False)


# ---- hypothesis round trip -----------------------------------------------------------------------

_names = st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)),
                 min_size=1, max_size=12)


@st.composite
def programs(draw) -> Program:
    p = Program(entry=draw(st.integers(0, (1 << 32) - 1)))
    names = draw(st.lists(_names.filter(lambda n: n not in elf.RESERVED), max_size=5, unique=True))
    end = {IMEM: 0, GM: 0}
    for name in names:
        mem = draw(st.sampled_from([IMEM, GM]))
        addr = end[mem] + draw(st.integers(0, 64))
        nobits = mem == GM and draw(st.booleans())
        if nobits:
            s = Section(name, mem, addr, nobits=True, size=draw(st.integers(0, 4096)))
        else:
            s = Section(name, mem, addr, bytearray(draw(st.binary(max_size=64))))
        end[mem] = addr + s.length
        p.sections[name] = s
    sym_names = draw(st.lists(_names, max_size=8, unique=True))
    for n in sym_names:
        sec = draw(st.sampled_from([None] + names))
        p.symbols[n] = Symbol(n, draw(st.integers(0, (1 << 32) - 1)), sec,
                              draw(st.sampled_from(["local", "global", "weak"])))
    u32 = st.integers(0, (1 << 32) - 1)
    rows = draw(st.lists(st.tuples(u32, st.sampled_from(["a.s", "b/c.s", "ü.s"]), u32), max_size=10))
    p.lines = sorted((LineEntry(*r) for r in rows), key=lambda e: e.addr)
    return p


@given(programs())
def test_round_trip(p):
    assert read_elf(write_elf(p)) == p


@pytest.mark.skipif(READELF is None, reason="readelf (binutils) is not installed")
@given(programs())
def test_readelf_clean_random(tmp_path_factory, p):
    readelf_clean(write_elf(p), tmp_path_factory.mktemp("r"), lint=False)


# ---- writer errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    (lambda p: p.sections.update({".symtab": Section(".symtab", GM, 0x400)}), "reserved"),
    (lambda p: p.symbols.update({"x": Symbol("x", 0, ".nope")}), "unknown section '.nope'"),
    (lambda p: p.symbols.update({"x": Symbol("x", 1 << 32, ".text")}), "does not fit in 32 bits"),
    (lambda p: p.sections.update({".t2": Section(".t2", IMEM, 16, bytearray(8))}),
     "sections .text and .t2 overlap in IMEM"),
    (lambda p: p.symbols.update({"a\0b": Symbol("a\0b", 0, None)}), "NUL"),
    (lambda p: setattr(p, "entry", -8), "entry address"),
    (lambda p: p.lines.append(LineEntry(0, "x.s", -1)), "line number"),
])
def test_write_errors(change, message):
    p = sample()
    change(p)
    with pytest.raises(ObjectFormatError, match=message.replace(".", r"\.").replace("(", r"\(")):
        write_elf(p)


# ---- reader validation ---------------------------------------------------------------------------

def test_every_truncation_is_reported():
    data = write_elf(sample())
    for n in range(len(data)):
        with pytest.raises(ObjectFormatError, match="^x.elf: "):
            read_elf(data[:n], "x.elf")


def patched(offset: int, fmt: str, *values) -> bytes:
    data = bytearray(write_elf(sample()))
    struct.pack_into(fmt, data, offset, *values)
    return bytes(data)


def shdr_offset(index: int, field: int = 0) -> int:
    shoff = struct.unpack_from("<I", write_elf(sample()), 32)[0]
    return shoff + 40 * index + 4 * field


@pytest.mark.parametrize("data, message", [
    (b"", "not an ELF file"),
    (b"MZ\x90\x00" + bytes(60), "not an ELF file"),
    (patched(4, "B", 2), "not ELFCLASS32"),
    (patched(5, "B", 2), "not little-endian"),
    (patched(18, "<H", 0xF3), "machine 0xf3 is not the NPU"),
    (patched(16, "<H", 1), "not an executable"),
    (patched(36, "<I", 2), "ISA version 2 is not supported"),
    (patched(32, "<I", 1 << 20), "section header 0 at offset 0x100000 ends past the end"),
    (patched(28, "<I", 1 << 20), "program header 0 .* ends past the end"),
    (patched(shdr_offset(1, 4), "<I", 1 << 20), "section 1 .* ends past the end"),
    (patched(shdr_offset(1, 0), "<I", 1 << 20), "string offset .* outside its string table"),
    (patched(shdr_offset(6, 7), "<I", 99), "sh_info 99"),
    (patched(shdr_offset(6, 7), "<I", 2), "local symbols must come first"),
    (patched(shdr_offset(1, 3), "<I", 0x40), "section .text is not covered by a loadable segment"),
    (patched(shdr_offset(6, 6), "<I", 0), "does not name a string table"),
])
def test_corrupt_input(data, message):
    with pytest.raises(ObjectFormatError, match=message):
        read_elf(data, "x.elf")


def test_overlapping_sections_rejected(monkeypatch):
    p = sample()
    p.sections[".bss"].addr = 0x104
    monkeypatch.setattr(elf, "_overlap", lambda secs: None)
    data = write_elf(p)
    monkeypatch.undo()
    with pytest.raises(ObjectFormatError, match="x.elf: sections .data and .bss overlap in GM"):
        read_elf(data, "x.elf")


def test_corrupt_line_table():
    data = bytearray(write_elf(sample()))
    off = struct.unpack_from("<I", data, shdr_offset(5, 4))[0]
    data[off:off + 4] = b"XXXX"
    with pytest.raises(ObjectFormatError, match=r"\.thead\.lines: bad magic"):
        read_elf(bytes(data))


def test_symbol_in_unloaded_section():
    data = bytearray(write_elf(sample()))
    symoff = struct.unpack_from("<I", data, shdr_offset(6, 4))[0]
    struct.pack_into("<H", data, symoff + 16 + 14, 5)          # symbol 1 -> .thead.lines
    with pytest.raises(ObjectFormatError, match="section index 5 is not a loaded section"):
        read_elf(bytes(data))


@given(st.data())
def test_random_corruption_never_crashes(data):
    blob = bytearray(write_elf(sample()))
    for _ in range(data.draw(st.integers(1, 8))):
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    try:
        read_elf(bytes(blob))
    except ObjectFormatError:
        pass


@given(st.binary(max_size=256))
def test_random_bytes_never_crash(blob):
    for data in (blob, b"\x7fELF\x01\x01\x01" + blob):
        try:
            read_elf(data)
        except ObjectFormatError:
            pass

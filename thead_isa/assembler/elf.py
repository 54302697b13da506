# ELF32 little-endian executables: write a Program; read one back, fully validated (the loader).
from __future__ import annotations

import struct

import numpy as np

from .nogc import paused_gc
from .program import GM, IMEM, LineEntry, Program, Section, Symbol, line_table

EM_THEAD = 0x5448              # "TH": not assigned by the ELF registry (docs/object-format.md)
ISA_VERSION = 1                # e_flags bits 0..7; other bits are reserved and zero
LINES_SECTION = ".thead.lines"
LINES_MAGIC, LINES_VERSION = b"THLN", 1

ET_EXEC, EV_CURRENT, ELFCLASS32, ELFDATA2LSB = 2, 1, 1, 1
SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS = 0, 1, 2, 3, 8
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR = 0x1, 0x2, 0x4
SHN_UNDEF, SHN_LORESERVE, SHN_ABS = 0, 0xFF00, 0xFFF1
PT_LOAD, PF_X, PF_W, PF_R = 1, 0x1, 0x2, 0x4
STB_LOCAL, STB_GLOBAL, STB_WEAK, STT_NOTYPE = 0, 1, 2, 0
BINDINGS = {"local": STB_LOCAL, "global": STB_GLOBAL, "weak": STB_WEAK}

EHDR = struct.Struct("<16sHHIIIIIHHHHHH")     # 52 bytes
PHDR = struct.Struct("<IIIIIIII")             # 32 bytes
SHDR = struct.Struct("<IIIIIIIIII")           # 40 bytes
SYM = struct.Struct("<IIIBBH")                # 16 bytes
LINES_HDR = struct.Struct("<4sHHII")          # magic, version, row size, files, rows
LINE_ROW = struct.Struct("<III")              # address, file index, line
RESERVED = (".symtab", ".strtab", ".shstrtab", LINES_SECTION)
U32 = 1 << 32


class ObjectFormatError(ValueError):
    """A Program that cannot be written, or bytes that are not a valid NPU executable."""


def _align(n: int, a: int) -> int:
    return -(-n // a) * a


def section_align(addr: int) -> int:
    """sh_addralign / p_align of a section: the largest power of two up to 8 dividing addr."""
    a = 8
    while addr % a:
        a //= 2
    return a


class _Strings:
    def __init__(self):
        self.data, self.index = bytearray(b"\0"), {"": 0}

    def add(self, s: str) -> int:
        if s not in self.index:
            raw = s.encode()
            if b"\0" in raw:
                raise ObjectFormatError(f"name {s!r} contains a NUL character")
            self.index[s] = len(self.data)
            self.data += raw + b"\0"
        return self.index[s]


def _u32(what: str, value: int) -> int:
    if not 0 <= value < U32:
        raise ObjectFormatError(f"{what} 0x{value:x} does not fit in 32 bits")
    return value


def encode_lines(lines: list[LineEntry]) -> bytes:
    """.thead.lines: header, (addr, file index, line) rows, then NUL-terminated file names."""
    ordered = sorted(lines, key=lambda e: e.addr)
    files: dict[str, int] = {}
    table = np.array([(e.addr, files.setdefault(e.file, len(files)), e.line) for e in ordered],
                     dtype=np.int64).reshape(-1, 3)
    return _encode_line_table(table, list(files))


def _encode_line_table(table: np.ndarray, files: list[str]) -> bytes:
    """encode_lines from its (n, 3) int64 table of (address, file index, line) rows, in order."""
    for column, what in ((0, "line table address"), (2, "line number")):
        if len(table) and not (0 <= table[:, column].min() and table[:, column].max() < U32):
            bad = next(int(v) for v in table[:, column] if not 0 <= v < U32)
            _u32(what, bad)                      # raises with the offending value
    rows = table.astype("<u4").tobytes()
    assert LINE_ROW.size == 12
    names = b"".join(f.encode() + b"\0" for f in files)
    if names.count(b"\0") != len(files):
        raise ObjectFormatError("a line table file name contains a NUL character")
    hdr = LINES_HDR.pack(LINES_MAGIC, LINES_VERSION, LINE_ROW.size, len(files), len(table))
    return hdr + rows + names


def write_elf(p: Program) -> bytes:
    """The ELF32 executable of a Program: sections, symbols, line table (not the listing)."""
    with paused_gc():
        return _write_elf(p)


def _write_elf(p: Program) -> bytes:
    secs = list(p.sections.values())
    for key, s in p.sections.items():
        if key != s.name:
            raise ObjectFormatError(f"section {s.name!r} is stored under the key {key!r}")
        if not s.name or s.name in RESERVED:
            raise ObjectFormatError(f"section name {s.name!r} is reserved")
        if s.memory not in (IMEM, GM):
            raise ObjectFormatError(f"section {s.name} has unknown memory {s.memory!r}")
        _u32(f"address of section {s.name}", s.addr)
        _u32(f"end address of section {s.name}", s.addr + s.length)
    if len(secs) + 5 > SHN_LORESERVE:
        raise ObjectFormatError(f"{len(secs)} sections are too many for ELF section indices")
    overlap = _overlap(secs)
    if overlap:
        raise ObjectFormatError(f"cannot write: {overlap}")
    shstr, strtab = _Strings(), _Strings()
    shndx = {s.name: i + 1 for i, s in enumerate(secs)}
    loaded = [s for s in secs if s.length]
    out = bytearray(EHDR.size + PHDR.size * len(loaded))
    shdrs = [bytes(SHDR.size)]
    phdrs = []
    for s in secs:
        align = section_align(s.addr)
        off = len(out) + (s.addr - len(out)) % 8            # offset congruent to addr modulo 8
        if s.nobits:
            kind = SHT_NOBITS
        else:
            kind = SHT_PROGBITS
            out += bytes(off - len(out)) + s.data
        flags = SHF_ALLOC | (SHF_EXECINSTR if s.memory == IMEM else SHF_WRITE)
        shdrs.append(SHDR.pack(shstr.add(s.name), kind, flags, s.addr, off, s.length, 0, 0, align,
                               0))
        if s.length:
            pflags = PF_R | (PF_X if s.memory == IMEM else PF_W)
            phdrs.append(PHDR.pack(PT_LOAD, off, s.addr, s.addr, 0 if s.nobits else s.length,
                                   s.length, pflags, align))

    def tail(name, kind, blob, align=1, link=0, info=0, entsize=0):
        off = _align(len(out), align)
        out.extend(bytes(off - len(out)) + blob)
        shdrs.append(SHDR.pack(shstr.add(name), kind, 0, 0, off, len(blob), link, info, align,
                               entsize))

    table = line_table(p)                    # the rows in bulk, if p.lines is not built yet
    tail(LINES_SECTION, SHT_PROGBITS,
         encode_lines(p.lines) if table is None else _encode_line_table(*table), 4)
    symtab, first_global = _symtab(p, shndx, strtab)
    n = len(shdrs)
    tail(".symtab", SHT_SYMTAB, symtab, 4, link=n + 1, info=first_global, entsize=SYM.size)
    tail(".strtab", SHT_STRTAB, bytes(strtab.data))
    shstr.add(".shstrtab")
    tail(".shstrtab", SHT_STRTAB, bytes(shstr.data))
    shoff = _align(len(out), 4)
    out += bytes(shoff - len(out)) + b"".join(shdrs)
    ident = b"\x7fELF" + bytes([ELFCLASS32, ELFDATA2LSB, EV_CURRENT, 0, 0]) + bytes(7)
    EHDR.pack_into(out, 0, ident, ET_EXEC, EM_THEAD, EV_CURRENT, _u32("entry address", p.entry),
                   EHDR.size if phdrs else 0, shoff, ISA_VERSION, EHDR.size, PHDR.size, len(phdrs),
                   SHDR.size, len(shdrs), len(shdrs) - 1)
    out[EHDR.size:EHDR.size + PHDR.size * len(phdrs)] = b"".join(phdrs)
    return bytes(out)


SYM_ROW = np.dtype([("name", "<u4"), ("value", "<u4"), ("size", "<u4"), ("info", "u1"),
                    ("other", "u1"), ("shndx", "<u2")])
assert SYM_ROW.itemsize == SYM.size


def _symtab(p: Program, shndx: dict[str, int], strtab: _Strings) -> tuple[bytes, int]:
    """The .symtab contents and the index of the first global symbol; the names go in strtab.
    Built in bulk when every symbol is well-formed and strtab is empty; else (and for every
    error) symbol by symbol (_symtab_each), which gives the same bytes."""
    syms = sorted(p.symbols.items(), key=lambda kv: kv[1].binding != "local")
    if len(strtab.index) != 1 or not syms:
        return _symtab_each(syms, shndx, strtab)
    names = [sym.name for _, sym in syms]
    sections = [sym.section for _, sym in syms]
    bindings = [sym.binding for _, sym in syms]
    values = [sym.value for _, sym in syms]
    try:
        irregular = (any(key != name for (key, _), name in zip(syms, names)) or not all(names)
                     or not all(type(n) is str for n in names)
                     or not set(bindings) <= BINDINGS.keys()
                     or not all(s is None or s in shndx for s in sections)
                     or not all(type(v) is int for v in values)
                     or not all(0 <= v < U32 for v, s in zip(values, sections) if s is not None))
    except TypeError:                                       # unhashable: reported one by one
        irregular = True
    if irregular:
        return _symtab_each(syms, shndx, strtab)
    try:
        raw = "\0".join(names).encode()
    except UnicodeEncodeError:
        return _symtab_each(syms, shndx, strtab)
    if raw.count(b"\0") != len(names) - 1:                 # a name with a NUL in it
        return _symtab_each(syms, shndx, strtab)
    if len(raw) == sum(map(len, names)) + len(names) - 1:  # ASCII: bytes = characters
        sizes = np.fromiter(map(len, names), dtype=np.int64, count=len(names))
    else:
        sizes = np.fromiter((len(n.encode()) for n in names), dtype=np.int64, count=len(names))
    offsets = 1 + np.concatenate(([0], np.cumsum(sizes + 1)[:-1]))
    if offsets[-1] + sizes[-1] + 1 >= U32:
        return _symtab_each(syms, shndx, strtab)
    table = np.zeros(len(syms) + 1, dtype=SYM_ROW)
    rows = table[1:]
    rows["name"] = offsets
    rows["value"] = [v % U32 if s is None else v for v, s in zip(values, sections)]
    rows["info"] = [BINDINGS[b] << 4 | STT_NOTYPE for b in bindings]
    rows["shndx"] = [SHN_ABS if s is None else shndx[s] for s in sections]
    strtab.data += raw + b"\0"
    strtab.index.update(zip(names, offsets.tolist()))
    return table.tobytes(), 1 + bindings.count("local")


def _symtab_each(syms: list, shndx: dict[str, int], strtab: _Strings) -> tuple[bytes, int]:
    out = bytearray(SYM.size)
    first_global = 1
    for key, sym in syms:
        if key != sym.name or not sym.name:
            raise ObjectFormatError(f"symbol {sym.name!r} is stored under the key {key!r}")
        if sym.binding not in BINDINGS:
            raise ObjectFormatError(f"symbol {sym.name} has unknown binding {sym.binding!r}")
        if sym.section is None:
            ndx, value = SHN_ABS, sym.value % U32            # absolute: the low 32 bits
        elif sym.section in shndx:
            ndx, value = shndx[sym.section], _u32(f"value of symbol {sym.name}", sym.value)
        else:
            raise ObjectFormatError(f"symbol {sym.name} is in unknown section {sym.section!r}")
        info = BINDINGS[sym.binding] << 4 | STT_NOTYPE
        out += SYM.pack(strtab.add(sym.name), value, 0, info, 0, ndx)
        if sym.binding == "local":
            first_global += 1
    return bytes(out), first_global


def _overlap(secs: list[Section]) -> str | None:
    for mem in (IMEM, GM):
        spans = sorted((s.addr, s.addr + s.length, s.name)
                       for s in secs if s.memory == mem and s.length)
        for (_, end, a), (start, _, b) in zip(spans, spans[1:]):
            if start < end:
                return f"sections {a} and {b} overlap in {mem.upper()}"
    return None


# ---- reader --------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def fail(self, msg: str):
        raise ObjectFormatError(f"{self.name}: {msg}")

    def unpack(self, st: struct.Struct, off: int, what: str) -> tuple:
        if off < 0 or off + st.size > len(self.data):
            self.fail(f"truncated: {what} at offset 0x{off:x} ends past the end of the file "
                      f"({len(self.data)} bytes)")
        return st.unpack_from(self.data, off)

    def blob(self, off: int, size: int, what: str) -> bytes:
        if off + size > len(self.data):
            self.fail(f"truncated: {what} (offset 0x{off:x}, {size} bytes) ends past the end of "
                      f"the file ({len(self.data)} bytes)")
        return self.data[off:off + size]

    def string(self, table: bytes, off: int, what: str) -> str:
        end = table.find(b"\0", off)
        if off >= len(table) or end < 0:
            self.fail(f"{what}: string offset {off} lies outside its string table")
        try:
            return table[off:end].decode()
        except UnicodeDecodeError:
            self.fail(f"{what}: name is not valid UTF-8")


def read_elf(data: bytes, name: str = "<input>") -> Program:
    """Parse and validate an NPU executable; any defect raises ObjectFormatError naming it."""
    r = _Reader(bytes(data), name)
    if r.data[:4] != b"\x7fELF":
        r.fail("not an ELF file (bad magic number)")
    (ident, e_type, machine, version, entry, phoff, shoff, flags, ehsize, phentsize, phnum,
     shentsize, shnum, shstrndx) = r.unpack(EHDR, 0, "ELF header")
    if ident[4] != ELFCLASS32:
        r.fail(f"ELF class {ident[4]} is not ELFCLASS32 (1)")
    if ident[5] != ELFDATA2LSB:
        r.fail(f"ELF data encoding {ident[5]} is not little-endian (1)")
    if ident[6] != EV_CURRENT or version != EV_CURRENT:
        r.fail(f"ELF version {ident[6]}/{version} is not 1")
    if machine != EM_THEAD:
        r.fail(f"machine 0x{machine:x} is not the NPU (EM_THEAD 0x{EM_THEAD:x})")
    if e_type != ET_EXEC:
        r.fail(f"ELF type {e_type} is not an executable (ET_EXEC 2)")
    if flags != ISA_VERSION:
        r.fail(f"e_flags 0x{flags:x}: ISA version {flags & 0xFF} is not supported (expected "
               f"{ISA_VERSION}, other bits zero)")
    if ehsize != EHDR.size or (phnum and phentsize != PHDR.size) or shentsize != SHDR.size:
        r.fail(f"header sizes {ehsize}/{phentsize}/{shentsize} are not {EHDR.size}/{PHDR.size}/"
               f"{SHDR.size}")
    if shnum == 0 or shstrndx >= shnum:
        r.fail("no section headers, or e_shstrndx out of range (extended numbering unsupported)")
    segs = [r.unpack(PHDR, phoff + i * PHDR.size, f"program header {i}") for i in range(phnum)]
    shdrs = [r.unpack(SHDR, shoff + i * SHDR.size, f"section header {i}") for i in range(shnum)]
    for i, (p_type, off, vaddr, _, filesz, memsz, pflags, _) in enumerate(segs):
        if p_type != PT_LOAD:
            continue
        r.blob(off, filesz, f"segment {i}")
        if filesz > memsz or vaddr + memsz > U32:
            r.fail(f"segment {i}: file size 0x{filesz:x} exceeds memory size 0x{memsz:x} or it "
                   f"extends past 4 GiB")
    contents = [b"" if h[1] in (SHT_NOBITS, SHT_NULL) else r.blob(h[4], h[5], f"section {i}")
                for i, h in enumerate(shdrs)]
    if shdrs[shstrndx][1] != SHT_STRTAB:
        r.fail("e_shstrndx does not name a string table")
    names = [r.string(contents[shstrndx], h[0], f"section {i}") for i, h in enumerate(shdrs)]
    p = Program(entry=entry)
    by_index: dict[int, str] = {}
    for i, (h, blob, sname) in enumerate(zip(shdrs, contents, names)):
        kind, sflags, addr, size = h[1], h[2], h[3], h[5]
        if i == 0 or not sflags & SHF_ALLOC:
            continue
        if kind not in (SHT_PROGBITS, SHT_NOBITS):
            r.fail(f"section {sname}: allocated section of unsupported type {kind}")
        if sname in p.sections or not sname:
            r.fail(f"section {i}: empty or duplicate section name {sname!r}")
        if addr + size > U32:
            r.fail(f"section {sname} extends past 4 GiB")
        memory = IMEM if sflags & SHF_EXECINSTR else GM
        nobits = kind == SHT_NOBITS
        sec = Section(sname, memory, addr, bytearray(b"" if nobits else blob), nobits,
                      size if nobits else 0)
        if size:
            _check_covered(r, sec, h[4], segs)
        p.sections[sname] = sec
        by_index[i] = sname
    overlap = _overlap(list(p.sections.values()))
    if overlap:
        r.fail(overlap)
    symtabs = [i for i, h in enumerate(shdrs) if h[1] == SHT_SYMTAB]
    if len(symtabs) > 1:
        r.fail("more than one symbol table")
    for i, sname in enumerate(names):
        if shdrs[i][1] == SHT_SYMTAB:
            p.symbols = _read_symtab(r, shdrs, contents, i, by_index)
        elif sname == LINES_SECTION:
            p.lines = _read_lines(r, contents[i])
    return p


def _check_covered(r: _Reader, s: Section, off: int, segs: list[tuple]) -> None:
    want_x = s.memory == IMEM
    for p_type, poff, vaddr, _, filesz, memsz, pflags, _ in segs:
        if p_type != PT_LOAD or bool(pflags & PF_X) != want_x:
            continue
        if not (vaddr <= s.addr and s.addr + s.length <= vaddr + memsz):
            continue
        if s.nobits or (off - poff == s.addr - vaddr and s.addr + s.length <= vaddr + filesz):
            return
    r.fail(f"section {s.name} is not covered by a loadable segment of {s.memory.upper()} "
           f"({'with' if want_x else 'without'} PF_X)")


def _read_symtab(r, shdrs, contents, i, by_index) -> dict[str, Symbol]:
    _, _, _, _, _, size, link, info, _, entsize = shdrs[i]
    if entsize != SYM.size or size % SYM.size:
        r.fail(f".symtab: entry size {entsize} / size {size} is not a multiple of {SYM.size}")
    if link >= len(shdrs) or shdrs[link][1] != SHT_STRTAB:
        r.fail(".symtab: sh_link does not name a string table")
    strtab = contents[link]
    nsyms = size // SYM.size
    if not 0 < info <= nsyms:
        r.fail(f".symtab: sh_info {info} is not between 1 and the symbol count {nsyms}")
    out: dict[str, Symbol] = {}
    for k in range(1, nsyms):
        st_name, value, _, st_info, _, ndx = SYM.unpack_from(contents[i], k * SYM.size)
        sname = r.string(strtab, st_name, f"symbol {k}")
        bind = {v: b for b, v in BINDINGS.items()}.get(st_info >> 4)
        if bind is None:
            r.fail(f"symbol {sname}: unsupported binding {st_info >> 4}")
        if (bind == "local") != (k < info):
            r.fail(f"symbol {sname}: local symbols must come first (sh_info {info})")
        if ndx == SHN_ABS:
            section = None
        elif ndx in by_index:
            section = by_index[ndx]
        else:
            r.fail(f"symbol {sname!r}: section index {ndx} is not a loaded section")
        if not sname or sname in out:
            r.fail(f"symbol {k}: empty or duplicate name {sname!r}")
        out[sname] = Symbol(sname, value, section, bind)
    return out


def _read_lines(r: _Reader, blob: bytes) -> list[LineEntry]:
    if len(blob) < LINES_HDR.size:
        r.fail(f"{LINES_SECTION}: truncated header")
    magic, version, row_size, nfiles, nrows = LINES_HDR.unpack_from(blob)
    if magic != LINES_MAGIC or version != LINES_VERSION or row_size != LINE_ROW.size:
        r.fail(f"{LINES_SECTION}: bad magic, version {version} or row size {row_size}")
    end = LINES_HDR.size + nrows * LINE_ROW.size
    if end > len(blob):
        r.fail(f"{LINES_SECTION}: {nrows} rows do not fit in {len(blob)} bytes")
    parts = blob[end:].split(b"\0")
    if len(parts) != nfiles + 1 or parts[-1]:
        r.fail(f"{LINES_SECTION}: file table does not hold {nfiles} NUL-terminated names")
    try:
        files = [f.decode() for f in parts[:-1]]
    except UnicodeDecodeError:
        r.fail(f"{LINES_SECTION}: a file name is not valid UTF-8")
    lines, last = [], 0
    for k in range(nrows):
        addr, idx, line = LINE_ROW.unpack_from(blob, LINES_HDR.size + k * LINE_ROW.size)
        if idx >= nfiles or addr < last:
            r.fail(f"{LINES_SECTION}: row {k} has file index {idx} of {nfiles} or is out of order")
        lines.append(LineEntry(addr, files[idx], line))
        last = addr
    return lines

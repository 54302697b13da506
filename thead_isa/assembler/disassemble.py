# Disassembler: bytes -> (address, encoding, canonical text, comment) lines, and objdump-style text.
from __future__ import annotations

import bisect
import os
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from ..isa.encoding import IllegalInstruction, decode, format_insn
from ..isa.fields import WORD_BYTES
from ..isa.operands import PCREL
from .program import IMEM, Program

TEXT_WIDTH = 28                # a `# comment` starts this far after the text's start, or later


@dataclass(frozen=True)
class DisLine:
    addr: int
    data: bytes                # the 8 bytes of the word (fewer for a trailing partial word)
    text: str                  # canonical assembly, `.dword 0x...` or `.byte ...`
    comment: str = ""          # branch target, or why a word is illegal / partial
    target: int | None = None  # branch or jump target address


class Labels:
    """Symbol names by address, to describe a target address as `<name+off>`."""

    def __init__(self, symbols: Iterable[tuple[int, str]] = ()):
        self.pairs = sorted(symbols)
        self.addrs = [a for a, _ in self.pairs]

    @classmethod
    def of_code(cls, p: Program) -> "Labels":
        code = {s.name for s in p.sections.values() if s.memory == IMEM}
        return cls((s.value, s.name) for s in p.symbols.values() if s.section in code)

    def describe(self, addr: int) -> str:
        """`<name>` or `<name+0x10>`: the nearest symbol at or below addr ("" if none)."""
        i = bisect.bisect_right(self.addrs, addr)
        if not i:
            return ""
        base, name = self.pairs[bisect.bisect_left(self.addrs, self.addrs[i - 1])]
        return f"<{name}>" if base == addr else f"<{name}+0x{addr - base:x}>"


@lru_cache(maxsize=1 << 16)
def _decoded(word: int) -> tuple[str, int | None, str | None]:
    """(text, pc-relative offset or None, illegal reason or None), cached: programs repeat words."""
    try:
        d = decode(word)
    except IllegalInstruction as e:
        return f".dword 0x{word:016x}", None, e.reason
    rel = [d.values[o.name] for o in d.insn.operands if o.kind is PCREL]
    return format_insn(d), (rel[0] if rel else None), None


def disassemble_word(word: int, addr: int, labels: Labels | None = None) -> DisLine:
    data = word.to_bytes(WORD_BYTES, "little")
    text, off, illegal = _decoded(word)
    if illegal is not None:
        return DisLine(addr, data, text, f"illegal: {illegal}")
    if off is None:
        return DisLine(addr, data, text)
    target = (addr + off) % (1 << 32)
    where = labels.describe(target) if labels else ""
    return DisLine(addr, data, text, f"0x{target:x} {where}".rstrip(), target)


def disassemble(data: bytes, addr: int = 0, labels: Labels | None = None) -> Iterator[DisLine]:
    """Every 8-byte word of data from address addr; a trailing partial word becomes `.byte`."""
    whole = len(data) - len(data) % WORD_BYTES
    for off in range(0, whole, WORD_BYTES):
        word = int.from_bytes(data[off:off + WORD_BYTES], "little")
        yield disassemble_word(word, addr + off, labels)
    if whole < len(data):
        rest = data[whole:]
        yield DisLine(addr + whole, rest, ".byte " + ", ".join(f"0x{b:02x}" for b in rest),
                      f"partial word: {len(rest)} trailing byte{'s' * (len(rest) > 1)}")


def format_line(line: DisLine, words: bool = False) -> str:
    """`   addr:  encoding  text  # comment`; the encoding as bytes or (words) as the word."""
    if words and len(line.data) == WORD_BYTES:
        enc = f"{int.from_bytes(line.data, 'little'):016x}"
    else:
        enc = line.data.hex(" ")
    prefix = f"{line.addr:8x}:  {enc:<{16 if words else 23}}  "
    text = prefix + line.text
    return f"{text:<{len(prefix) + TEXT_WIDTH}}  # {line.comment}" if line.comment else text


class SourceLines:
    """Source text of line-table entries, read from files found along a search path; cached."""

    def __init__(self, dirs: Iterable[str] = ("",)):
        self.dirs = list(dirs)
        self.files: dict[str, list[str] | None] = {}

    def text(self, file: str, line: int) -> str | None:
        if file not in self.files:
            self.files[file] = self._read(file)
        lines = self.files[file]
        return lines[line - 1] if lines is not None and 0 < line <= len(lines) else None

    def _read(self, file: str) -> list[str] | None:
        for d in self.dirs:
            path = os.path.join(d, file) if d and not os.path.isabs(file) else file
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    return f.read().splitlines()
            except OSError:
                continue
        return None


def disassemble_program(p: Program, source: SourceLines | None = None,
                        words: bool = False) -> Iterator[str]:
    """objdump -d text of every code section; with source, `# file:line: text` lines interleaved."""
    labels = Labels.of_code(p)
    for s in p.sections.values():
        if s.memory != IMEM or s.nobits:
            continue
        yield ""
        yield f"Disassembly of section {s.name}:"
        own = deque(sorted((sym.value, sym.name)
                           for sym in p.symbols.values() if sym.section == s.name))
        last = None
        for line in disassemble(bytes(s.data), s.addr, labels):
            while own and own[0][0] < line.addr + len(line.data):
                yield from _label(*own.popleft())
            entry = p.line_of(line.addr) if source is not None else None
            if entry is not None and (entry.file, entry.line) != last:
                last = (entry.file, entry.line)
                text = source.text(entry.file, entry.line)
                where = f"# {entry.file}:{entry.line}"
                yield where if text is None else f"{where}:  {text.strip()}"
            yield format_line(line, words)
        for addr, name in own:
            yield from _label(addr, name)


def _label(addr: int, name: str) -> Iterator[str]:
    yield ""
    yield f"{addr:08x} <{name}>:"

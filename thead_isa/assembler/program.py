# The assembled program: sections placed in IMEM or GM, symbols and the address -> source line table.
from __future__ import annotations

import bisect

from dataclasses import dataclass, field

IMEM, GM = "imem", "gm"


@dataclass
class Section:
    name: str                  # ".text", ".data", ".bss" or a .section name
    memory: str                # IMEM (code) or GM (data)
    addr: int                  # load address in its memory
    data: bytearray = field(default_factory=bytearray)
    nobits: bool = False       # .bss-like: occupies `size` bytes, no file contents
    size: int = 0              # for nobits sections; otherwise len(data)

    @property
    def length(self) -> int:
        return self.size if self.nobits else len(self.data)


@dataclass(frozen=True)
class Symbol:
    name: str
    value: int                 # address in its section's memory, or an absolute value
    section: str | None        # None: absolute (.equ / .set / --defsym)
    binding: str = "local"     # "local" or "global"


@dataclass(frozen=True, slots=True)
class LineEntry:
    addr: int                  # IMEM address of an instruction
    file: str
    line: int


@dataclass
class Program:
    sections: dict[str, Section] = field(default_factory=dict)
    symbols: dict[str, Symbol] = field(default_factory=dict)
    lines: list[LineEntry] = field(default_factory=list)       # sorted by address
    listing: list["ListingEntry"] = field(default_factory=list)
    entry: int = 0
    warnings: list = field(default_factory=list, compare=False)   # Diagnostics of the run

    def line_of(self, addr: int) -> LineEntry | None:
        """The source line of the instruction at an IMEM address."""
        i = bisect.bisect_left(self.lines, addr, key=lambda e: e.addr)
        return self.lines[i] if i < len(self.lines) and self.lines[i].addr == addr else None


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One source line as assembled, for `thead-as -a`."""

    file: str
    line: int
    section: str | None        # None for lines that emit nothing
    addr: int
    data: bytes
    source: str

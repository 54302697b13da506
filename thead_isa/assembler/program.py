# The assembled program: sections placed in IMEM or GM, symbols and the address -> source line table.
from __future__ import annotations

import bisect

from dataclasses import dataclass, field
from typing import NamedTuple

from .nogc import paused_gc

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


class LineEntry(NamedTuple):  # a tuple: the assembler makes one per instruction, cheaply
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


class Deferred:
    """A list built when first used: Program.lines and Program.listing of an assembled program
    (the assembler keeps their rows compact until then; see fastlane.pyx). `table`, if not None,
    gives the same rows in bulk without building the list (see line_table)."""
    __slots__ = ("build", "table")

    def __init__(self, build, table=None):
        self.build, self.table = build, table


def line_table(p: "Program"):
    """The line table of p as the ELF writer encodes it -- an (n, 3) int64 array of (address,
    file index, line) rows by address and the file names by index -- when p.lines has not been
    built yet and its rows can be had in bulk; else None (use p.lines)."""
    d = p.__dict__.get("_lines")
    if type(d) is not Deferred or d.table is None:
        return None
    return d.table()


def _deferred_list(name: str) -> property:
    slot = "_" + name

    def get(self):
        v = self.__dict__[slot]
        if type(v) is Deferred:
            with paused_gc():
                v = self.__dict__[slot] = v.build()
        return v

    def set(self, v):
        self.__dict__[slot] = v

    return property(get, set, doc=f"Program.{name} (a list; see Deferred)")


Program.lines = _deferred_list("lines")
Program.listing = _deferred_list("listing")


@dataclass(frozen=True, slots=True)
class ListingEntry:
    """One source line as assembled, for `thead-as -a`."""

    file: str
    line: int
    section: str | None        # None for lines that emit nothing
    addr: int
    data: bytes
    source: str

# After pass 1: placement, pending values, and the Program (symbols, lines, listing, entry).
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .expressions import ExprError, Ref
from .program import Deferred, LineEntry, ListingEntry, Program, Section, Symbol
from .sections import place
from .symbols import UNDEF

if TYPE_CHECKING:
    from .assemble import Assembler


class Record:
    """One listing row in the making: a line and the byte ranges its statements emitted.
    (Assembler.records also holds fastlane.LaneRun items: many lane lines' rows, compact.)"""
    __slots__ = ("line", "ranges")

    def __init__(self, line):
        self.line, self.ranges = line, []


def build_program(asm: Assembler) -> Program:
    for problem in place(list(asm.sections.values())):
        asm.file_error(asm.main_file, 0, 0, problem)
    for fn, args in asm.fixups:
        fn(*args)
    p = Program()
    for s in asm.sections.values():
        p.sections[s.name] = Section(s.name, s.memory, s.addr, s.data, s.nobits, s.size)
    p.symbols = _symbols(asm)
    p.entry = _entry(asm, p)
    records, insns = asm.records, asm.insns
    runs = [r for r in records if type(r) is not Record]          # fastlane.LaneRun rows
    contents = {s.name: bytes(s.data) for s in asm.sections.values()}   # sliced per line
    p.lines = Deferred(lambda: _lines(insns, runs), lambda: _line_table(insns, runs))
    p.listing = Deferred(lambda: _listing(records, contents))
    return p


def _lines(insns: list, runs: list) -> list[LineEntry]:
    """The line table: one entry per instruction, by address."""
    new = tuple.__new__                        # LineEntry is a NamedTuple: skip its __new__
    out = [new(LineEntry, (s.addr + off, home[0], home[1])) for s, off, home in insns]
    for run in runs:
        run.lines(out)
    out.sort()                                 # by address (addresses are unique)
    return out


def _line_table(insns: list, runs: list):
    """The rows of _lines() as elf.encode_lines() orders and numbers them, built in bulk: an
    (n, 3) int64 array of (address, file index, line) sorted like _lines() (by address, file
    name, line), files numbered by first appearance; and the file names. None if a value does
    not fit (the list path then raises or copes as before)."""
    names: dict[str, int] = {}
    parts = []
    try:
        if insns:
            parts.append(np.array([(s.addr + off, names.setdefault(home[0], len(names)), home[1])
                                   for s, off, home in insns], dtype=np.int64).reshape(-1, 3))
        for run in runs:
            rows = np.frombuffer(run.line_rows(), dtype=np.int64).reshape(-1, 2)
            if len(rows):
                part = np.empty((len(rows), 3), dtype=np.int64)
                part[:, 0] = rows[:, 0]
                part[:, 1] = names.setdefault(run.file, len(names))
                part[:, 2] = rows[:, 1]
                parts.append(part)
    except OverflowError:
        return None
    if not parts:
        return np.empty((0, 3), dtype=np.int64), []
    table = np.concatenate(parts)
    files = list(names)
    rank = np.empty(len(files), dtype=np.int64)
    rank[sorted(range(len(files)), key=files.__getitem__)] = np.arange(len(files))
    table = table[np.lexsort((table[:, 2], rank[table[:, 1]], table[:, 0]))]
    seen, first = np.unique(table[:, 1], return_index=True)
    order = seen[np.argsort(first)]
    renumber = np.empty(len(files), dtype=np.int64)
    renumber[order] = np.arange(len(order))
    table[:, 1] = renumber[table[:, 1]]
    return table, [files[i] for i in order]


def _symbols(asm: Assembler) -> dict[str, Symbol]:
    """Every named symbol with its final value (local numeric labels and .L names excluded)."""
    out: dict[str, Symbol] = {}
    table = asm.symbols
    for name, (binding, stmt, pos) in asm.bindings.items():
        if binding != "local" and not table.is_defined(name):
            asm.error(stmt, pos, f"symbol '{name}' is declared {binding} but never defined")
    for name, e in table.entries.items():
        if e.hidden or e.kind == UNDEF:
            continue
        try:
            v = table.evaluate(Ref(e, e.pos), final=True)
        except ExprError:                      # reported at the definition
            continue
        binding = asm.bindings.get(name, ("local",))[0]
        if v.section is None:
            out[name] = Symbol(name, v.value, None, binding)
        else:
            out[name] = Symbol(name, asm.address(v)[1], v.section, binding)
    return out


def _entry(asm: Assembler, p: Program) -> int:
    """The address of _start, which must be a label in .text; 0 without one."""
    e = asm.symbols.entries.get("_start")
    if e is None or e.kind == UNDEF:
        return 0
    sym = p.symbols.get("_start")
    if sym is None or sym.section != ".text":
        if e.stmt is not None:
            asm.error(e.stmt, e.pos, "entry symbol '_start' must be a label in .text")
        return 0
    return sym.value


def _listing(records: list, contents: dict[str, bytes]) -> list[ListingEntry]:
    """One entry per line read (a second one per extra section a line wrote to); lines produced
    by expansions show their text after one `+` per expansion level."""
    out: list[ListingEntry] = []
    for rec in records:
        if type(rec) is not Record:
            rec.listing(contents, out)
            continue
        line = rec.line
        file, number = line.home
        source = line.text if not line.depth else "+" * line.depth + " " + line.text.strip()
        if not rec.ranges:
            out.append(ListingEntry(file, number, None, 0, b"", source))
            continue
        for k, (sec, start, stop) in enumerate(rec.ranges):
            data = b"" if sec.nobits else contents[sec.name][start:stop]
            out.append(ListingEntry(file, number, sec.name, sec.addr + start, data,
                                    source if k == 0 else ""))
    return out

# The assembler driver: pass 1 reads statements and lays out sections, pass 2 resolves values.
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable, Iterator, Mapping

from ..isa.encoding import EncodingError
from ..isa.fields import WORD_BYTES
from ..isa.operands import OperandError
from . import conditionals
from .diagnostics import ERROR, WARNING, AssemblyError, Diagnostic, suggest
from .directives import DIRECTIVES, Bad, EndOfSource, fill_pattern, org
from .expansion import SPECIAL, Fatal, block, expand_macro
from .expressions import Expr, ExprError, Num, Ref, Reported, Undefined, Value, wrap
from .fastmatch import finish, quick_match
from .grammar import ParseError, parse_statement, quick_statement
from .instructions import FORMS, MatchError, Pending, encode_word, match, resolve, unknown_mnemonic
from .macros import Macro, head
from .literals import LOCAL_LABEL_DIGITS
from .nogc import paused_gc
from .program import IMEM, Program
from .results import Record, build_program
from .sections import ADDRESS_LIMIT, RESERVED, SectionState
from .source import Frame, Line, SourceError, Stmt, decode, read_lines
from .symbols import SYMBOL_NAME, SymbolError, SymbolTable
from .syntax import Statement

try:                                   # the compiled fast lane (fastlane.pyx); optional
    from . import fastlane as FASTLANE
except ImportError:                    # pragma: no cover - not built: the general path only
    FASTLANE = None

MAX_OUTPUT = 64 << 20          # bytes of section contents (.bss size excluded)
ERROR_LIMIT = 100              # errors reported before assembly stops (0: no limit); see below
NOP = encode_word(FORMS["nop"], {}).to_bytes(WORD_BYTES, "little")
KNOWN_DIRECTIVES = tuple(DIRECTIVES) + SPECIAL + tuple(conditionals.CONDITIONALS)
_ASSIGN = re.compile(r"[ \t]*=(?!=)")          # `name = expr`, even if name is also a macro
_NOT_QUICK = conditionals.CONDITIONALS | frozenset(SPECIAL)   # statements that head() dispatches

# The error limit (clang's -ferror-limit, gcc's -fmax-errors). Every error is reported, as GNU as
# does, up to the limit; the next one stops assembly. 100 keeps every error of any realistic file
# (the invalid golden files have at most 44) while bounding the work and memory of a file whose
# expansions produce an error per statement: up to 1,000,000 of them otherwise (minutes and
# GB of diagnostics). clang's default, 20, is sized for C++ cascades; an assembler's errors are
# mostly independent lines, so a larger one lets a whole file be fixed in one pass.


class TooManyErrors(Fatal):
    """The error limit was reached: stop (in pass 1 or in pass 2); Assembler.stopped says where."""


class Assembler:
    def __init__(self, include_dirs=(), defines: Mapping[str, int] | None = None,
                 error_limit: int = ERROR_LIMIT):
        self.include_dirs = [str(d) for d in include_dirs]
        self.diagnostics: list[tuple[int, int, Diagnostic]] = []
        self.error_limit = error_limit
        self.errors = 0                # errors in self.diagnostics
        self.stopped: Diagnostic | None = None     # the error limit's diagnostic, once reached
        self.seq = 0
        self.symbols = SymbolTable(lambda stmt, pos, msg: self.error(stmt, pos, msg))
        self.bindings: dict[str, tuple[str, Stmt, int]] = {}
        self.sections: dict[str, SectionState] = {}
        self.section = self._new_section(".text", IMEM, False)
        self.fixups: list[tuple[Callable, tuple]] = []
        self.records: list[Record] = []
        self.insns: list[tuple[SectionState, int, tuple[str, int]]] = []
        self.conds: list[conditionals.Cond] = []
        self.macros: dict[str, Macro] = {}
        self.macro_count = 0
        self.expanded = 0              # statements produced by expansions (expansion.py budgets)
        self.expanded_text = 0         # characters of their lines
        self.output = 0
        self.including: list[str] = []
        self.main_file = "<input>"
        try:
            for name, value in (defines or {}).items():
                self._defsym(name, value)
        except TooManyErrors:
            pass                       # self.stopped is set: assemble() reads nothing

    # ---- diagnostics ---------------------------------------------------------------------------

    def _diag(self, severity: str, stmt: Stmt, pos: int, message: str, note: str | None) -> None:
        line = stmt.line
        chain = line.frame.notes() if line.frame else ()
        if severity == ERROR:
            self._count(line.file, line.line, stmt.col, chain, line.text)
        notes = ((note,) if note else ()) + chain
        d = Diagnostic(severity, line.file, line.line, stmt.col + pos, message, notes, line.text)
        self.diagnostics.append((stmt.seq or self.seq, len(self.diagnostics), d))

    def _count(self, file: str, line: int, col: int, notes: tuple[str, ...],
               text: str | None) -> None:
        """Count an error about to be reported; past the error limit, it is not reported: the
        run stops there (TooManyErrors) with a last diagnostic at the start of the statement (or
        at the place) where it stopped, with the expansion and include chain of that place."""
        limit = self.error_limit
        if limit and self.errors >= limit:
            self.stopped = Diagnostic(ERROR, file, line, col, f"too many errors emitted (limit "
                                      f"{limit}); stopping now", notes, text)
            raise TooManyErrors(self)
        self.errors += 1

    def error(self, stmt: Stmt, pos: int, message: str, note: str | None = None) -> None:
        self._diag(ERROR, stmt, pos, message, note)

    def warning(self, stmt: Stmt, pos: int, message: str) -> None:
        self._diag(WARNING, stmt, pos, message, None)

    def file_error(self, file: str, line: int, col: int, message: str,
                   frame: Frame | None = None, text: str | None = None) -> None:
        notes = frame.notes() if frame else ()
        self._count(file, line, col, notes, text)
        d = Diagnostic(ERROR, file, line, col, message, notes, text)
        self.diagnostics.append((self.seq, len(self.diagnostics), d))

    def _defsym(self, name: str, value: object) -> None:
        if not isinstance(name, str) or not SYMBOL_NAME.fullmatch(name):
            self.file_error("<command line>", 0, 0, f"--defsym: invalid symbol name {name!r}")
            return
        if isinstance(value, bool) or not isinstance(value, int) or \
                not -(1 << 63) <= value < 1 << 64:
            self.file_error("<command line>", 0, 0,
                            f"--defsym {name}: value must be a 64-bit integer, not {value!r}")
            return
        try:
            self.symbols.define_equ(name, Num(wrap(value), 0), None, 0)
        except SymbolError as e:
            self.file_error("<command line>", 0, 0, f"--defsym {name}: {e.message}")

    # ---- reading -------------------------------------------------------------------------------

    def run_text(self, data: str | bytes, file: str, frame: Frame | None) -> None:
        if isinstance(data, bytes):
            try:
                data = decode(data)
            except SourceError as e:
                self.file_error(file, e.line, e.col, e.message, frame)
                return
        real = os.path.realpath(file) if not file.startswith("<") else file
        self.including.append(real)
        try:
            if FASTLANE is not None:
                depth = len(self.conds)
                FASTLANE.Reader(data, file, frame, MAX_OUTPUT).run(self)
                self._unclosed(depth)
            else:
                self.run(self._statements(data, file, frame))
        except SourceError as e:
            self.file_error(file, e.line, e.col, e.message, frame)
        finally:
            self.including.pop()

    @staticmethod
    def _statements(text: str, file: str, frame: Frame | None) -> Iterator[Stmt]:
        for line, stmts in read_lines(text, file, frame):
            if stmts:
                yield from stmts
            else:
                yield Stmt("", 1, line)

    def run(self, stmts: Iterator[Stmt]) -> None:
        depth = len(self.conds)
        for stmt in stmts:
            self.statement(stmt, stmts)
        self._unclosed(depth)

    def _unclosed(self, depth: int) -> None:
        while len(self.conds) > depth:
            c = self.conds.pop()
            self.error(c.stmt, c.pos, f"'{c.name}' without '.endif'")

    def seen(self, stmt: Stmt) -> None:
        self.seq += 1
        stmt.seq = self.seq
        if not self.records or self.records[-1].line is not stmt.line:
            self.records.append(Record(stmt.line))

    # ---- one statement -------------------------------------------------------------------------

    def statement(self, stmt: Stmt, rest: Iterator[Stmt]) -> None:
        self.seq = stmt.seq = self.seq + 1                  # seen(), inline: the hot path
        records = self.records
        if not records or records[-1].line is not stmt.line:
            records.append(Record(stmt.line))
        if not stmt.text:
            return
        st = quick_statement(stmt.text)            # simple statements: no head() needed
        if st is None or st.name in _NOT_QUICK or st.name in self.macros:
            name, pos, end = head(stmt.text)
            if name in conditionals.CONDITIONALS:
                conditionals.handle(self, stmt, name, pos, end)
                return
            if self.conds and not self.conds[-1].active:
                return
            if name in SPECIAL or (name in self.macros and not _ASSIGN.match(stmt.text, end)):
                if pos and not self.labels(stmt, pos):
                    return
                if name in self.macros:
                    expand_macro(self, stmt, self.macros[name], pos, end)
                else:
                    block(self, stmt, name, pos, end, rest)
                return
            st = self.parse(stmt)
            if st is None:
                return
        elif self.conds and not self.conds[-1].active:
            return
        if st.labels:
            self.define_labels(stmt, st)
        if st.assign is not None and st.name == ".":
            try:
                org(self, stmt, st.assign, st.assign.pos)
            except Bad as e:
                self.error(stmt, e.pos, e.message)
        elif st.assign is not None:
            self.define(stmt, st.name, st.name_pos, st.assign, redefine=True)
        elif st.name is None:
            return
        elif st.name.startswith("."):
            handler = DIRECTIVES.get(st.name)
            if handler is None:
                self.error(stmt, st.name_pos, f"unknown directive '{st.name}'"
                           f"{suggest(st.name, KNOWN_DIRECTIVES)}")
                return
            try:
                handler(self, stmt, st)
            except Bad as e:
                if e.message:
                    self.error(stmt, e.pos, e.message)
        else:
            self.instruction(stmt, st)

    def parse(self, stmt: Stmt, text: str | None = None) -> Statement | None:
        try:
            return parse_statement(stmt.text if text is None else text)
        except ParseError as e:
            self.error(stmt, e.pos, e.message)
            return None

    def labels(self, stmt: Stmt, end: int) -> bool:
        """Define the labels before a statement handled without the grammar (macro, .rept)."""
        st = self.parse(stmt, stmt.text[:end])
        if st is not None:
            self.define_labels(stmt, st)
        return st is not None

    def define_labels(self, stmt: Stmt, st: Statement) -> None:
        here = Value(self.section.loc, self.section.name)
        for label in st.labels:
            try:
                if label.local:
                    if len(label.name) > LOCAL_LABEL_DIGITS:
                        self.error(stmt, label.pos, f"local label number '{label.name[:20]}...' "
                                   f"has more than {LOCAL_LABEL_DIGITS} digits")
                        continue
                    self.symbols.define_local(int(label.name), here, stmt, label.pos)
                else:
                    self.symbols.define_label(label.name, here, stmt, label.pos)
            except SymbolError as e:
                self.error(stmt, label.pos, e.message, e.note)

    # ---- instructions --------------------------------------------------------------------------

    def instruction(self, stmt: Stmt, st: Statement) -> None:
        form = FORMS.get(st.name)
        if form is None:
            self.error(stmt, st.name_pos, unknown_mnemonic(st.name))
            return
        sec = self.section
        if not sec.code:
            self.error(stmt, st.name_pos, f"instruction in section '{sec.name}', which is not "
                       f"executable (code goes in .text or a section with flag \"x\")")
            return
        pc = len(sec.data)                             # sec.loc: code sections are never nobits
        if pc % WORD_BYTES:
            self.error(stmt, st.name_pos, f"instruction at offset 0x{pc:x} of '{sec.name}' "
                       f"is not {WORD_BYTES}-byte aligned (use .balign {WORD_BYTES})")
            return
        quick = quick_match(form, st.operands)
        if quick is not None and not quick[1] and self.output + WORD_BYTES <= MAX_OUTPUT:
            # every value is known: the final word now (emit() and _grow(), inline)
            self.output += WORD_BYTES
            sec.data += quick[0].to_bytes(WORD_BYTES, "little")
            ranges = self.records[-1].ranges
            if ranges and ranges[-1][0] is sec and ranges[-1][2] == pc:
                ranges[-1][2] = pc + WORD_BYTES
            else:
                ranges.append([sec, pc, pc + WORD_BYTES])
            self.insns.append((sec, pc, stmt.line.home))
            return
        if not self.emit(stmt, bytes(WORD_BYTES), st.name_pos):
            return
        self.insns.append((sec, pc, stmt.line.home))
        if quick is not None:
            values, pending = None, quick[1]
        else:
            try:
                values, pending = match(form, st.operands, st.name_pos, self.symbols.is_defined)
            except MatchError as e:
                self.error(stmt, e.pos, e.message)
                return
        here = Value(pc, sec.name)
        for p in pending:
            p.expr = self.bind(stmt, p.expr, here)
            if p.expr is None:
                return
        if values is None:
            self.fixups.append((self._finish, (stmt, quick[0], pending, sec, pc)))
        else:
            self.fixups.append((self._encode, (stmt, form, values, pending, sec, pc)))

    def _finish(self, stmt: Stmt, word: int, pending: list[Pending], sec: SectionState,
                pc: int) -> None:
        """_encode for the fast path: the pending operands' bits into the word from quick_match."""
        for p in pending:
            v = self.final_value(stmt, p.expr)
            if v is None:
                return
            try:
                word = finish(word, p, resolve(p, v, sec.addr + pc, self.address, IMEM))
            except OperandError as e:
                self.error(stmt, p.pos, str(e))
                return
        sec.data[pc:pc + WORD_BYTES] = word.to_bytes(WORD_BYTES, "little")

    def _encode(self, stmt: Stmt, form, values: dict, pending: list[Pending], sec: SectionState,
                pc: int) -> None:
        for p in pending:
            v = self.final_value(stmt, p.expr)
            if v is None:
                return
            try:
                values[p.name] = resolve(p, v, sec.addr + pc, self.address, IMEM)
            except OperandError as e:
                self.error(stmt, p.pos, str(e))
                return
        try:
            word = encode_word(form, values)
        except EncodingError as e:                  # not expected: operands were checked
            self.error(stmt, 0, str(e))
            return
        sec.data[pc:pc + WORD_BYTES] = word.to_bytes(WORD_BYTES, "little")

    def address(self, v: Value) -> tuple[str, int]:
        s = self.sections[v.section]
        return s.memory, s.addr + v.value

    # ---- values --------------------------------------------------------------------------------

    def bind(self, stmt: Stmt, expr: Expr, dot: Value | None = None) -> Expr | None:
        try:
            return self.symbols.bind(expr, dot or Value(self.section.loc, self.section.name))
        except ExprError as e:
            self.error(stmt, e.pos, e.message)
            return None

    def final_value(self, stmt: Stmt, bound: Expr) -> Value | None:
        try:
            return self.symbols.evaluate(bound, final=True)
        except Reported:
            return None
        except ExprError as e:
            self.error(stmt, e.pos, e.message)
            return None

    def now(self, stmt: Stmt, expr: Expr) -> Value | None:
        """The value of an expression that is needed now (sizes, counts, conditions)."""
        bound = self.bind(stmt, expr)
        if bound is None:
            return None
        try:
            return self.symbols.evaluate(bound, final=False)
        except Reported:
            return None
        except Undefined as e:
            self.error(stmt, e.pos, f"{e.message} (this value is needed here)")
        except ExprError as e:
            self.error(stmt, e.pos, e.message)
        return None

    def absolute(self, stmt: Stmt, expr: Expr) -> int | None:
        v = self.now(stmt, expr)
        if v is not None and v.section is not None:
            self.error(stmt, getattr(expr, "pos", 0),
                       f"expected an absolute value, not an address in '{v.section}'")
            return None
        return None if v is None else v.value

    def location(self, stmt: Stmt, expr: Expr) -> int | None:
        """A location in the current section for .org: an offset, or an address in it."""
        v = self.now(stmt, expr)
        if v is not None and v.section not in (None, self.section.name):
            self.error(stmt, expr.pos, f".org target is in section '{v.section}', not in the "
                       f"current section '{self.section.name}'")
            return None
        return None if v is None else v.value

    def define(self, stmt: Stmt, name: str, pos: int, expr: Expr, redefine: bool) -> None:
        bound = self.bind(stmt, expr)
        if bound is None:
            return
        try:
            self.symbols.define_equ(name, bound, stmt, pos, redefine)
        except SymbolError as e:
            self.error(stmt, pos, e.message, e.note)
            return
        try:                                   # early value (and early errors) when possible
            self.symbols.evaluate(Ref(self.symbols.entries[name], pos), final=False)
        except ExprError:
            pass

    # ---- emitting ------------------------------------------------------------------------------

    def _grow(self, stmt: Stmt, n: int, pos: int) -> bool:
        sec = self.section
        if sec.nobits:
            if sec.loc + n > ADDRESS_LIMIT:
                self.error(stmt, pos, f"section '{sec.name}' would grow beyond 4 GiB")
                return False
        elif self.output + n > MAX_OUTPUT:
            self.error(stmt, pos, f"output too large: more than {MAX_OUTPUT >> 20} MiB of "
                       f"section contents")
            return False
        self.output += 0 if sec.nobits else n
        rec = self.records[-1]
        start = sec.loc
        if rec.ranges and rec.ranges[-1][0] is sec and rec.ranges[-1][2] == start:
            rec.ranges[-1][2] = start + n
        else:
            rec.ranges.append([sec, start, start + n])
        return True

    def emit(self, stmt: Stmt, data: bytes, pos: int) -> bool:
        sec = self.section
        if sec.nobits and any(data):
            self.error(stmt, pos, f"cannot store data in section '{sec.name}', which has no "
                       f"contents (only .space, .zero, .fill with value 0 and alignment)")
            return False
        if not data or not self._grow(stmt, len(data), pos):
            return bool(not data)
        if sec.nobits:
            sec.size += len(data)
        else:
            sec.data += data
        return True

    def fill(self, stmt: Stmt, count: int, pattern: bytes, pos: int) -> None:
        n = count * len(pattern)
        sec = self.section
        if sec.nobits and any(pattern):
            self.error(stmt, pos, f"cannot store data in section '{sec.name}', which has no "
                       f"contents (only .space, .zero, .fill with value 0 and alignment)")
            return
        if n and self._grow(stmt, n, pos):
            if sec.nobits:
                sec.size += n
            else:
                sec.data += pattern * count

    def align(self, stmt: Stmt, boundary: int, fill: bytes | None, max_skip: int | None,
              pos: int) -> None:
        sec = self.section
        sec.align = max(sec.align, boundary)
        pad = -sec.loc % boundary
        if pad and (max_skip is None or pad <= max_skip):
            if sec.nobits:
                self.fill(stmt, pad, fill or b"\0", pos)
            else:
                self.emit(stmt, fill_pattern(sec.code, sec.loc, pad, fill, NOP), pos)

    def data_value(self, stmt: Stmt, size: int, expr: Expr, pos: int) -> None:
        sec = self.section
        if sec.nobits:
            self.emit(stmt, b"\1", pos)            # reports the error
            return
        at = sec.loc
        bound = self.bind(stmt, expr, Value(at, sec.name))
        if bound is None or not self.emit(stmt, bytes(size), pos):
            return
        self.fixups.append((self._data, (stmt, sec, at, size, bound, pos)))

    def _data(self, stmt: Stmt, sec: SectionState, at: int, size: int, bound: Expr,
              pos: int) -> None:
        v = self.final_value(stmt, bound)
        if v is None:
            return
        n = v.value if v.section is None else self.address(v)[1]
        lo, hi = -(1 << (8 * size - 1)), (1 << (8 * size)) - 1
        if not lo <= n <= hi:
            self.error(stmt, pos, f"value {n} does not fit in {size} byte{'s' * (size > 1)} "
                       f"(range [{lo}, {hi}])")
            return
        sec.data[at:at + size] = (n & hi).to_bytes(size, "little")

    # ---- sections and symbols ------------------------------------------------------------------

    def _new_section(self, name: str, memory: str, nobits: bool) -> SectionState:
        s = self.sections[name] = SectionState(name, memory, nobits, len(self.sections))
        return s

    def switch_section(self, name: str, memory: str, nobits: bool, stmt: Stmt, pos: int,
                       explicit: bool) -> None:
        if name in RESERVED:
            raise Bad(f"section name '{name}' is reserved", pos)
        s = self.sections.get(name)
        if s is None:
            s = self._new_section(name, memory, nobits)
        elif explicit and (s.memory, s.nobits) != (memory, nobits):
            raise Bad(f"section '{name}' was first used with different flags", pos)
        self.section = s

    def result(self) -> Program:
        program = None
        if self.stopped is None:       # else no pass 2: pending values may need the unread part
            try:
                program = build_program(self)
            except TooManyErrors:      # the limit reached in pass 2
                pass
        diags = [d for _, _, d in sorted(self.diagnostics, key=lambda t: (t[0], t[1]))]
        if self.stopped is not None:   # last, whatever the order of the statements
            raise AssemblyError(diags + [self.stopped])
        if program is None or any(d.severity == ERROR for d in diags):
            raise AssemblyError(diags)
        program.warnings = diags
        return program


def assemble(source: str | bytes | Path, *, filename: str = "<input>", include_dirs=(),
             defines: Mapping[str, int] | None = None,
             error_limit: int = ERROR_LIMIT) -> Program:
    """Assemble source text (or the file at a Path) into a fully placed Program.

    Raises AssemblyError carrying every diagnostic when there is any error. Warnings of a
    successful run are in `program.warnings`. After `error_limit` errors (0: no limit), the next
    one stops assembly: AssemblyError then carries those errors, the warnings before the stop and
    a last error `too many errors emitted (limit N); stopping now`. ValueError if error_limit is
    not an int >= 0.
    """
    if isinstance(error_limit, bool) or not isinstance(error_limit, int) or error_limit < 0:
        raise ValueError(f"error_limit must be an integer >= 0 (0: no limit), not {error_limit!r}")
    asm = Assembler(include_dirs, defines, error_limit)
    if isinstance(source, Path):
        if filename == "<input>":
            filename = str(source)
        try:
            data: str | bytes = source.read_bytes()
        except OSError as e:
            raise AssemblyError([Diagnostic(ERROR, filename, 0, 0,
                                            f"cannot read '{source}': {e.strerror or e}")])
    else:
        data = source
    asm.main_file = filename
    with paused_gc():
        try:
            if asm.stopped is None:
                asm.run_text(data, filename, None)
        except Fatal as e:                 # TooManyErrors too
            e.restore(asm)
            asm.conds.clear()
        except EndOfSource:
            asm.conds.clear()
        try:
            return asm.result()
        finally:
            # Pass-1 state (symbol entries, statements, fixups: hundreds of thousands of objects
            # for a large file) holds reference cycles through the assembler (bound methods, the
            # symbol table's report callback). Dropping it here frees it by reference counting,
            # before the collector is back on: else its first collection scans all of it.
            asm.__dict__.clear()

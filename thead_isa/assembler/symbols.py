# Symbol table: labels, equated symbols (.set may redefine), local numeric labels, binding of names.
from __future__ import annotations

import re
from typing import Callable

from ..isa.operands import NUM_SEMS, NUM_XREGS
from .expressions import (Binary, Const, Dot, Expr, ExprError, LocalRef, Name, Paren, Ref,
                          Reported, Undefined, Unary, Value, evaluate)
from .source import Stmt

REGISTERS = frozenset([f"x{i}" for i in range(NUM_XREGS)] + [f"s{i}" for i in range(NUM_SEMS)])
SYMBOL_NAME = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*")

UNDEF, LABEL, EQU = "undefined", "label", "equ"
MAX_CHAIN = 100                # symbols defined in terms of symbols (evaluation is recursive)


class Entry:
    """One symbol (one definition of a redefinable one). References bind to entries, so a later
    `.set` of the same name does not change values computed from an earlier one."""

    __slots__ = ("name", "kind", "value", "expr", "stmt", "pos", "hidden", "busy", "failed")

    def __init__(self, name: str, hidden: bool = False):
        self.name, self.kind, self.hidden = name, UNDEF, hidden
        self.value: Value | None = None
        self.expr: Expr | None = None
        self.stmt: Stmt | None = None          # definition
        self.pos = 0
        self.busy = self.failed = False


class SymbolError(Exception):
    def __init__(self, message: str, note: str | None = None):
        super().__init__(message)
        self.message, self.note = message, note


def _where(stmt: Stmt | None) -> str:
    return f"{stmt.line.file}:{stmt.line.line}" if stmt is not None else "the command line"


class SymbolTable:
    def __init__(self, report: Callable[[Stmt, int, str], None]):
        self.report = report                   # report(stmt, pos, message) for final errors
        self.entries: dict[str, Entry] = {}    # name -> current entry
        self.back: dict[int, Entry] = {}       # local label N -> its latest definition
        self.forward: dict[int, Entry] = {}    # local label N -> entry the next `N:` defines
        self.evaluating: list[Entry] = []      # symbols whose values are being computed

    # ---- definitions ---------------------------------------------------------------------------

    def check_name(self, name: str) -> None:
        if name in REGISTERS:
            raise SymbolError(f"'{name}' is a register name and cannot be used as a symbol")
        if name == ".":
            raise SymbolError("'.' cannot be defined here (use .org to move the location counter)")

    def define_label(self, name: str, value: Value, stmt: Stmt, pos: int) -> None:
        self.check_name(name)
        e = self.entries.get(name)
        if e is None:
            e = self.entries[name] = Entry(name, name.startswith(".L"))
        elif e.kind != UNDEF:
            raise SymbolError(f"symbol '{name}' is already defined",
                              f"previous definition of '{name}' is at {_where(e.stmt)}")
        e.kind, e.value, e.stmt, e.pos = LABEL, value, stmt, pos

    def define_local(self, label: int, value: Value, stmt: Stmt, pos: int) -> None:
        e = self.forward.pop(label, None) or Entry(f"{label}", hidden=True)
        e.kind, e.value, e.stmt, e.pos = LABEL, value, stmt, pos
        self.back[label] = e

    def define_equ(self, name: str, expr: Expr, stmt: Stmt | None, pos: int,
                   redefine: bool = True) -> None:
        """`.set`/`.equ`/`=` (redefine=True) or `.equiv` (an error if already defined)."""
        self.check_name(name)
        e = self.entries.get(name)
        if e is not None and e.kind != UNDEF:
            if e.kind == LABEL or not redefine:
                raise SymbolError(f"symbol '{name}' is already defined",
                                  f"previous definition of '{name}' is at {_where(e.stmt)}")
            e = self.entries[name] = Entry(name, e.hidden)
        elif e is None:
            e = self.entries[name] = Entry(name, name.startswith(".L"))
        e.kind, e.expr, e.stmt, e.pos = EQU, expr, stmt, pos
        if isinstance(expr, Const):
            e.value, e.expr = expr.value, None

    def is_defined(self, name: str) -> bool:
        e = self.entries.get(name)
        return e is not None and e.kind != UNDEF

    # ---- references ----------------------------------------------------------------------------

    def bind(self, e: Expr, dot: Value) -> Expr:
        """e with every name bound to its current entry and `.` to dot (raises ExprError)."""
        t = type(e)
        if t is Name:
            if e.name in REGISTERS:
                raise ExprError(f"register '{e.name}' cannot be used in an expression", e.pos)
            entry = self.entries.get(e.name)
            if entry is None:
                entry = self.entries[e.name] = Entry(e.name, e.name.startswith(".L"))
            return Ref(entry, e.pos)
        if t is Binary:
            return Binary(e.op, self.bind(e.left, dot), self.bind(e.right, dot), e.pos)
        if t is Unary:
            return Unary(e.op, self.bind(e.arg, dot), e.pos)
        if t is Paren:
            return self.bind(e.inner, dot)
        if t is Dot:
            return Const(dot, e.pos)
        if t is LocalRef:
            if e.forward:
                entry = self.forward.get(e.label)
                if entry is None:
                    entry = self.forward[e.label] = Entry(f"{e.label}f", hidden=True)
                return Ref(entry, e.pos)
            entry = self.back.get(e.label)
            if entry is None:
                raise ExprError(f"local label '{e.label}b' has no earlier definition '{e.label}:'",
                                e.pos)
            return Ref(entry, e.pos)
        return e

    def evaluate(self, e: Expr, final: bool) -> Value:
        """The value of a bound expression. Before the end (final=False) a symbol without a value
        raises Undefined; at the end it is an error."""
        if type(e) is Ref and e.entry.value is not None:      # a label or a known symbol
            return e.entry.value
        return evaluate(e, lambda leaf: self._leaf(leaf, final))

    def _leaf(self, leaf: Expr, final: bool) -> Value:
        entry = leaf.entry
        if entry.value is not None:
            return entry.value
        if entry.kind == UNDEF:
            if not final:
                raise Undefined(f"'{entry.name}' is not defined yet", leaf.pos)
            if entry.hidden and entry.name[:-1].isdigit():
                raise ExprError(f"local label '{entry.name}' has no later definition "
                                f"'{entry.name[:-1]}:'", leaf.pos)
            raise ExprError(f"undefined symbol '{entry.name}'", leaf.pos)
        if entry.failed:
            raise Reported(leaf.pos)
        if entry.busy:
            chain = self.evaluating[self.evaluating.index(entry):] + [entry]
            raise ExprError("circular symbol definition: " + " -> ".join(e.name for e in chain),
                            leaf.pos)
        if len(self.evaluating) >= MAX_CHAIN:
            raise ExprError(f"symbol '{entry.name}' is defined through more than {MAX_CHAIN} "
                            f"other symbols", leaf.pos)
        entry.busy = True
        self.evaluating.append(entry)
        try:
            value = self.evaluate(entry.expr, final)
        except Reported:
            entry.failed = True
            raise Reported(leaf.pos) from None
        except Undefined as e:
            raise Undefined(e.message, leaf.pos) from None
        except ExprError as e:                 # an error in the symbol's own expression
            entry.failed = True
            self.report(entry.stmt, e.pos, e.message)
            raise Reported(leaf.pos) from None
        finally:
            entry.busy = False
            self.evaluating.pop()
        entry.value, entry.expr = value, None
        return value

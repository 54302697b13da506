# Running macros and repetitions: .macro definitions, invocations, .rept/.irp/.irpc, .exitm.
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

from .macros import (MACRO_CLOSE, MACRO_OPEN, REPT_CLOSE, REPT_OPEN, Macro, MacroError, bind_args,
                     collect_body, parse_header, split_args, substitute)
from .source import Frame, Line, Stmt
from .symbols import SYMBOL_NAME
from .syntax import ExprOperand

if TYPE_CHECKING:
    from .assemble import Assembler

MAX_NESTING = 64               # macro / .rept / .irp expansions inside one another
MAX_EXPANDED = 1_000_000       # statements produced by all expansions of one run
KINDS = ("macro", ".rept", ".irp", ".irpc")
SPECIAL = (".macro", ".endm", ".exitm", ".purgem", ".rept", ".irp", ".irpc", ".endr")


class ExitMacro(Exception):
    """`.exitm`: leave the innermost macro expansion."""


class Fatal(Exception):
    """A limit was exceeded: stop reading input (the error is already reported)."""


def block(asm: Assembler, stmt: Stmt, name: str, pos: int, end: int,
          rest: Iterator[Stmt]) -> None:
    """A statement in SPECIAL; rest is the statement stream, from which bodies are taken."""
    if name == ".macro":
        define_macro(asm, stmt, pos, end, rest)
    elif name in REPT_OPEN:
        repeat(asm, stmt, name, pos, end, rest)
    elif name == ".exitm":
        f = stmt.line.frame
        if f is None or not f.depth(("macro",)):
            asm.error(stmt, pos, "'.exitm' outside a macro")
            return
        raise ExitMacro()
    elif name == ".purgem":
        target = stmt.text[end:].strip()
        if asm.macros.pop(target, None) is None:
            asm.error(stmt, end + 1, f"no macro named '{target}'")
    else:
        opener = ".macro" if name == ".endm" else ".rept, .irp or .irpc"
        asm.error(stmt, pos, f"'{name}' without '{opener}'")


def define_macro(asm: Assembler, stmt: Stmt, pos: int, end: int, rest: Iterator[Stmt]) -> None:
    body, closed = collect_body(rest, MACRO_OPEN, MACRO_CLOSE, asm.seen)
    if not closed:
        asm.error(stmt, pos, "'.macro' without '.endm'")
    try:
        name, params = parse_header(stmt.text[end:], end)
    except MacroError as e:
        asm.error(stmt, e.pos, e.message)
        return
    old = asm.macros.get(name)
    if old is not None:
        asm.error(stmt, pos, f"macro '{name}' is already defined",
                  f"previous definition of '{name}' is at {old.stmt.line.file}:"
                  f"{old.stmt.line.line}")
        return
    asm.macros[name] = Macro(name, params, body, stmt)


def _too_deep(asm: Assembler, stmt: Stmt, pos: int) -> bool:
    f = stmt.line.frame
    if f is not None and f.depth(KINDS) >= MAX_NESTING:
        asm.error(stmt, pos, f"macro and .rept expansion nested too deeply (more than "
                  f"{MAX_NESTING} levels)")
        return True
    return False


def _expansion(asm: Assembler, body: list[Stmt], subst: Callable[[str], str], frame: Frame,
               at: Stmt, macro: bool) -> Iterator[Stmt]:
    """The body's statements after substitution. Listing and line table attribute a macro's
    statements to the invocation line, a repetition's to the body lines."""
    for b in body:
        if asm.expanded >= MAX_EXPANDED:
            asm.error(at, 0, f"too many statements from macro and .rept expansions "
                      f"(limit {MAX_EXPANDED}); assembly stopped")
            raise Fatal()
        asm.expanded += 1
        text = subst(b.text)
        home = at.line.home if macro else b.line.home
        indent = b.line.text[:b.col - 1]
        if indent.strip():
            indent = " " * len(indent)
        line = Line(b.line.file, b.line.line, indent + text, frame, home, at.line.depth + 1)
        yield Stmt(text, b.col, line)


def expand_macro(asm: Assembler, stmt: Stmt, macro: Macro, pos: int, end: int) -> None:
    if _too_deep(asm, stmt, pos):
        return
    try:
        values = bind_args(macro, stmt.text[end:], end)
    except MacroError as e:
        asm.error(stmt, e.pos, e.message)
        return
    asm.macro_count += 1
    count = asm.macro_count
    line = stmt.line
    frame = Frame("macro", macro.name, line.file, line.line, line.frame)
    depth = len(asm.conds)
    try:
        asm.run(_expansion(asm, macro.body, lambda t: substitute(t, values, count), frame, stmt,
                           True))
    except ExitMacro:
        del asm.conds[depth:]


class _Repeat:
    """The substitution tables of .rept: `count` empty ones, never a list of them (a huge count
    must reach the expansion limit's check, not allocate first)."""
    __slots__ = ("count",)

    def __init__(self, count: int):
        self.count = count

    def __iter__(self):
        return (EMPTY for _ in range(self.count))


EMPTY: dict[str, str] = {}


def _iterations(asm: Assembler, stmt: Stmt, name: str, pos: int,
                end: int) -> list[dict[str, str]] | _Repeat | None:
    """One substitution table per iteration of .rept / .irp / .irpc (None after an error)."""
    if name == ".rept":
        st = asm.parse(stmt)
        if st is None:
            return None
        if len(st.operands) != 1 or not isinstance(st.operands[0], ExprOperand):
            asm.error(stmt, st.operands[0].pos if st.operands else pos,
                      ".rept needs one operand, the repeat count")
            return None
        count = asm.absolute(stmt, st.operands[0].expr)
        if count is not None and count < 0:
            asm.error(stmt, st.operands[0].pos, f"repeat count must be at least 0, not {count}")
            return None
        return None if count is None else _Repeat(count)
    args = split_args(stmt.text[end:], end)
    if not args or not SYMBOL_NAME.fullmatch(args[0][0]):
        asm.error(stmt, args[0][1] if args else pos, f"{name} needs a parameter name")
        return None
    if name == ".irp":
        items = [a for a, _ in args[1:]] or [""]
    else:
        items = list("".join(a for a, _ in args[1:])) or [""]
    return [{args[0][0]: v} for v in items]


def repeat(asm: Assembler, stmt: Stmt, name: str, pos: int, end: int,
           rest: Iterator[Stmt]) -> None:
    body, closed = collect_body(rest, REPT_OPEN, REPT_CLOSE, asm.seen)
    if not closed:
        asm.error(stmt, pos, f"'{name}' without '.endr'")
        return
    if _too_deep(asm, stmt, pos):
        return
    tables = _iterations(asm, stmt, name, pos, end)
    if tables is None:
        return
    n = tables.count if isinstance(tables, _Repeat) else len(tables)
    if asm.expanded + n * len(body) > MAX_EXPANDED:
        asm.error(stmt, pos, f"{name} would produce {n * len(body)} statements, more "
                  f"than the limit of {MAX_EXPANDED}")
        return
    frame = Frame(name, name, stmt.line.file, stmt.line.line, stmt.line.frame)
    for table in tables:
        asm.run(_expansion(asm, body, lambda t, v=table: substitute(t, v, None), frame, stmt,
                           False))

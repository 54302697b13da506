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
MAX_EXPANDED_TEXT = 16 << 20   # characters of their lines (kept for diagnostics and the listing)
KINDS = ("macro", ".rept", ".irp", ".irpc")
SPECIAL = (".macro", ".endm", ".exitm", ".purgem", ".rept", ".irp", ".irpc", ".endr")


class Unwind(Exception):
    """Leaves expansions. It carries the assembler's counters at the raise: a compiled Reader of
    a file included inside an expansion, unwound through, stores its cached (older) copies on
    the way out, and the handler puts these back with restore()."""

    def __init__(self, asm: Assembler):
        super().__init__()
        self.seq, self.output = asm.seq, asm.output

    def restore(self, asm: Assembler) -> None:
        asm.seq, asm.output = self.seq, self.output


class ExitMacro(Unwind):
    """`.exitm`: leave the innermost macro expansion."""


class Abandon(Unwind):
    """An expansion limit was hit inside an expansion (the error is already reported): leave
    every expansion up to the outermost one, which is abandoned. Assembly goes on after the
    statement that started it."""


class Fatal(Unwind):
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
        raise ExitMacro(asm)
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


def _check_depth(asm: Assembler, stmt: Stmt, pos: int) -> None:
    """Too deep: the error, then the whole expansion that got here is abandoned (else a
    recursion through `.rept 2` or through two invocations would report the error, and expand,
    at every leaf of a tree 2**64 wide, until the statement limit)."""
    f = stmt.line.frame
    if f is not None and f.depth(KINDS) >= MAX_NESTING:
        asm.error(stmt, pos, f"macro and .rept expansion nested too deeply (more than "
                  f"{MAX_NESTING} levels)")
        raise Abandon(asm)


def _outermost(stmt: Stmt) -> bool:
    """The statement is not itself produced by an expansion (an included file's statement is,
    if the .include is)."""
    f = stmt.line.frame
    return f is None or not f.depth(KINDS)


def _abandoned(asm: Assembler, stmt: Stmt, e: Abandon, conds: int) -> None:
    """The handler of Abandon in the outermost expansion: re-raised by inner ones."""
    if not _outermost(stmt):
        raise e
    e.restore(asm)
    del asm.conds[conds:]                  # conditionals opened by the abandoned statements


def _expansion(asm: Assembler, body: list[Stmt], subst: Callable[[str, int | None], str | None],
               widest: int, frame: Frame, at: Stmt, macro: bool) -> Iterator[Stmt]:
    """The body's statements after substitution. Listing and line table attribute a macro's
    statements to the invocation line, a repetition's to the body lines. Every statement is
    charged to the run's budgets (statements, characters) before it is built. `widest` bounds
    what substitution makes of one character (the longest replacement, at least 1)."""
    for b in body:
        if asm.expanded >= MAX_EXPANDED:
            asm.error(at, 0, f"too many statements from macro and .rept expansions "
                      f"(limit {MAX_EXPANDED}); assembly stopped")
            raise Fatal(asm)
        asm.expanded += 1
        pad = min(b.col - 1, len(b.line.text))        # the line keeps the statement's column
        room = MAX_EXPANDED_TEXT - asm.expanded_text - pad
        text = subst(b.text, None if len(b.text) * widest <= room else room)
        if text is None:
            asm.error(at, 0, f"too much text from macro and .rept expansions (limit "
                      f"{MAX_EXPANDED_TEXT} characters); assembly stopped")
            raise Fatal(asm)
        asm.expanded_text += pad + len(text)
        home = at.line.home if macro else b.line.home
        indent = b.line.text[:pad]
        if indent.strip():
            indent = " " * pad
        line = Line(b.line.file, b.line.line, indent + text, frame, home, at.line.depth + 1)
        yield Stmt(text, b.col, line)


def expand_macro(asm: Assembler, stmt: Stmt, macro: Macro, pos: int, end: int) -> None:
    depth = len(asm.conds)
    try:
        _check_depth(asm, stmt, pos)
        try:
            values = bind_args(macro, stmt.text[end:], end)
        except MacroError as e:
            asm.error(stmt, e.pos, e.message)
            return
        asm.macro_count += 1
        count = asm.macro_count
        widest = max(len(str(count)), max(map(len, values.values()), default=0))
        line = stmt.line
        frame = Frame("macro", macro.name, line.file, line.line, line.frame)
        try:
            asm.run(_expansion(asm, macro.body, lambda t, room: substitute(t, values, count, room),
                               widest, frame, stmt, True))
        except ExitMacro as e:
            e.restore(asm)
            del asm.conds[depth:]
    except Abandon as e:
        _abandoned(asm, stmt, e, depth)


class _Tables:
    """The substitution tables of a repetition, made one at a time, never a list of them (a huge
    count must reach the expansion limit's check, not allocate first): .rept's are empty,
    .irp's and .irpc's bind the parameter to each item (a list, or a string of characters)."""
    __slots__ = ("count", "param", "items")

    def __init__(self, count: int, param: str | None = None, items: list[str] | str = ()):
        self.count, self.param, self.items = count, param, items

    def __iter__(self):
        if self.param is None:
            return (EMPTY for _ in range(self.count))
        return ({self.param: v} for v in self.items)

    def widest(self) -> int:
        """The longest replacement (at least 1)."""
        return 1 if self.param is None else max(1, max(map(len, self.items), default=1))


EMPTY: dict[str, str] = {}


def _iterations(asm: Assembler, stmt: Stmt, name: str, pos: int, end: int) -> _Tables | None:
    """The substitution tables of .rept / .irp / .irpc (None after an error)."""
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
        return None if count is None else _Tables(count)
    args = split_args(stmt.text[end:], end)
    if not args or not SYMBOL_NAME.fullmatch(args[0][0]):
        asm.error(stmt, args[0][1] if args else pos, f"{name} needs a parameter name")
        return None
    if name == ".irp":
        items: list[str] | str = [a for a, _ in args[1:]] or [""]
    else:
        items = "".join(a for a, _ in args[1:]) or [""]
    return _Tables(len(items), args[0][0], items)


def repeat(asm: Assembler, stmt: Stmt, name: str, pos: int, end: int,
           rest: Iterator[Stmt]) -> None:
    body, closed = collect_body(rest, REPT_OPEN, REPT_CLOSE, asm.seen)
    if not closed:
        asm.error(stmt, pos, f"'{name}' without '.endr'")
        return
    depth = len(asm.conds)
    try:
        _check_depth(asm, stmt, pos)
        tables = _iterations(asm, stmt, name, pos, end)
        if tables is None or not body:     # an empty body produces nothing, however often
            return
        n = tables.count
        if asm.expanded + n * len(body) > MAX_EXPANDED:
            asm.error(stmt, pos, f"{name} would produce {n * len(body)} statements, more "
                      f"than the limit of {MAX_EXPANDED}")
            if not _outermost(stmt):
                raise Abandon(asm)
            return
        widest = tables.widest()
        frame = Frame(name, name, stmt.line.file, stmt.line.line, stmt.line.frame)
        for table in tables:
            asm.run(_expansion(asm, body, lambda t, room, v=table: substitute(t, v, None, room),
                               widest, frame, stmt, False))
    except Abandon as e:
        _abandoned(asm, stmt, e, depth)

# Directives that act on one parsed statement: sections, data, space, alignment, symbols, files.
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .expressions import Name
from .inputs import include, read_binary
from .syntax import ExprOperand, Statement, StringOperand, TypeOperand
from .sections import default_kind, parse_flags
from .source import Stmt
from .symbols import SymbolError

if TYPE_CHECKING:
    from .assemble import Assembler

Handler = Callable[["Assembler", Stmt, Statement], None]
DIRECTIVES: dict[str, Handler] = {}
MAX_ALIGN_LOG2 = 16            # .p2align / .balign up to 64 KiB

DATA_SIZES = {".byte": 1, ".half": 2, ".short": 2, ".2byte": 2, ".word": 4, ".long": 4,
              ".4byte": 4, ".dword": 8, ".quad": 8, ".8byte": 8}


class Bad(Exception):
    """A directive operand error: reported at pos, the directive is skipped."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.message, self.pos = message, pos


def directive(*names: str):
    def register(fn: Handler) -> Handler:
        for n in names:
            DIRECTIVES[n] = fn
        return fn
    return register


def _count(st: Statement, lo: int, hi: int) -> None:
    n = len(st.operands)
    if n < lo:
        raise Bad(f"{st.name} needs {'an operand' if lo == 1 else f'{lo} operands'}", st.name_pos)
    if n > hi:
        extra = st.operands[hi]
        raise Bad(f"too many operands for {st.name}" + (f" (at most {hi})" if hi else ""),
                  extra.pos)


def _expr(st: Statement, i: int):
    o = st.operands[i]
    if not isinstance(o, ExprOperand):
        raise Bad("expected an expression", o.pos)
    return o.expr


def _name(st: Statement, i: int) -> tuple[str, int]:
    o = st.operands[i]
    if not (isinstance(o, ExprOperand) and isinstance(o.expr, Name)):
        raise Bad("expected a symbol name", o.pos)
    return o.expr.name, o.pos


def _string(st: Statement, i: int) -> bytes:
    o = st.operands[i]
    if not isinstance(o, StringOperand):
        raise Bad("expected a string", o.pos)
    return o.value


def _number(asm: Assembler, stmt: Stmt, st: Statement, i: int, default: int | None = None,
            lo: int | None = None, hi: int | None = None, what: str = "value") -> int:
    if i >= len(st.operands):
        return default
    o = st.operands[i]
    v = asm.absolute(stmt, _expr(st, i))
    if v is None:
        raise Bad("", o.pos)                   # already reported
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"in the range [{lo}, {hi}]" if hi is not None else f"at least {lo}"
        raise Bad(f"{what} must be {rng}, not {v}", o.pos)
    return v


# ---- sections ------------------------------------------------------------------------------------

@directive(".text", ".data", ".bss")
def _builtin_section(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 0, 0)
    asm.switch_section(st.name, *default_kind(st.name), stmt, st.name_pos, explicit=False)


@directive(".section")
def _section(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 3)
    first = st.operands[0]
    if isinstance(first, StringOperand):
        name = first.value.decode("utf-8", errors="replace")
    else:
        name, _ = _name(st, 0)
    flags, kind, explicit = "", None, len(st.operands) > 1
    if len(st.operands) > 1:
        flags = _string(st, 1).decode("utf-8", errors="replace")
    if len(st.operands) > 2:
        t = st.operands[2]
        if not isinstance(t, TypeOperand):
            raise Bad("expected a section type (@progbits or @nobits)", t.pos)
        kind = t.name
    try:
        memory, nobits = parse_flags(flags, kind) if explicit else default_kind(name)
    except ValueError as e:
        raise Bad(str(e), st.operands[2 if kind and "type" in str(e) else 1].pos) from None
    asm.switch_section(name, memory, nobits, stmt, first.pos, explicit)


# ---- data ----------------------------------------------------------------------------------------

@directive(*DATA_SIZES)
def _data(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 1 << 30)
    size = DATA_SIZES[st.name]
    for i, o in enumerate(st.operands):
        try:
            expr = _expr(st, i)
        except Bad as e:
            asm.error(stmt, e.pos, e.message)
            continue
        asm.data_value(stmt, size, expr, o.pos)


@directive(".ascii", ".asciz", ".string")
def _ascii(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 1 << 30)
    nul = b"" if st.name == ".ascii" else b"\0"
    for i in range(len(st.operands)):
        asm.emit(stmt, _string(st, i) + nul, st.operands[i].pos)


@directive(".space", ".skip", ".zero")
def _space(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 1 if st.name == ".zero" else 2)
    n = _number(asm, stmt, st, 0, lo=0, what="size")
    fill = _number(asm, stmt, st, 1, 0, -128, 255, "fill value")
    asm.fill(stmt, n, bytes([fill & 0xFF]), st.operands[0].pos)


@directive(".fill")
def _fill(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 3)
    repeat = _number(asm, stmt, st, 0, lo=0, what="repeat count")
    size = _number(asm, stmt, st, 1, 1, 0, 8, "size")
    value = _number(asm, stmt, st, 2, 0)
    asm.fill(stmt, repeat, (value & ((1 << 64) - 1)).to_bytes(8, "little")[:size],
             st.operands[0].pos)


# ---- alignment and location ----------------------------------------------------------------------

def _align(asm: Assembler, stmt: Stmt, st: Statement, boundary: int) -> None:
    fill = _number(asm, stmt, st, 1, None, -128, 255, "fill value")
    max_skip = _number(asm, stmt, st, 2, None, 0, None, "maximum skip")
    asm.align(stmt, boundary, None if fill is None else bytes([fill & 0xFF]), max_skip,
              st.operands[0].pos)


@directive(".balign")
def _balign(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 3)
    b = _number(asm, stmt, st, 0, lo=0, hi=1 << MAX_ALIGN_LOG2, what="alignment")
    if b & (b - 1):
        raise Bad(f"alignment must be a power of two, not {b}", st.operands[0].pos)
    _align(asm, stmt, st, max(b, 1))


@directive(".p2align", ".align")
def _p2align(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 3)
    p = _number(asm, stmt, st, 0, lo=0, hi=MAX_ALIGN_LOG2, what="alignment exponent")
    _align(asm, stmt, st, 1 << p)


@directive(".org")
def _org(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 2)
    fill = _number(asm, stmt, st, 1, 0, -128, 255, "fill value")
    org(asm, stmt, _expr(st, 0), st.operands[0].pos, fill)


def org(asm: Assembler, stmt: Stmt, expr, pos: int, fill: int = 0) -> None:
    """.org / `. = expr`: move the location counter forward to an offset or address."""
    v = asm.location(stmt, expr)
    if v is None:
        return
    here = asm.section.loc
    if v < here:
        raise Bad(f"cannot move the location counter backwards (from 0x{here:x} to 0x{v:x})",
                  pos)
    asm.fill(stmt, v - here, bytes([fill & 0xFF]), pos)


# ---- symbols -------------------------------------------------------------------------------------

@directive(".equ", ".set", ".equiv")
def _equ(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 2, 2)
    name, pos = _name(st, 0)
    asm.define(stmt, name, pos, _expr(st, 1), redefine=st.name != ".equiv")


@directive(".globl", ".global", ".weak", ".local")
def _binding(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 1 << 30)
    binding = {".weak": "weak", ".local": "local"}.get(st.name, "global")
    for i in range(len(st.operands)):
        name, pos = _name(st, i)
        try:
            asm.symbols.check_name(name)
        except SymbolError as e:
            raise Bad(e.message, pos) from None
        asm.bindings[name] = (binding, stmt, pos)


# ---- files ---------------------------------------------------------------------------------------

@directive(".include")
def _include(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 1)
    include(asm, stmt, _string(st, 0).decode("utf-8", errors="replace"), st.operands[0].pos)


@directive(".incbin")
def _incbin(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 1, 3)
    name = _string(st, 0).decode("utf-8", errors="replace")
    skip = _number(asm, stmt, st, 1, 0, 0, None, "skip")
    count = _number(asm, stmt, st, 2, None, 0, None, "count")
    data = read_binary(asm, stmt, name, st.operands[0].pos)
    if data is None:
        return
    if skip > len(data):
        raise Bad(f"skip {skip} is beyond the end of '{name}' ({len(data)} bytes)",
                  st.operands[1].pos)
    end = len(data) if count is None else skip + count
    if end > len(data):
        raise Bad(f"'{name}' has only {len(data) - skip} bytes after skip {skip}, not {count}",
                  st.operands[2].pos)
    asm.emit(stmt, data[skip:end], st.operands[0].pos)


# ---- messages and the end ------------------------------------------------------------------------

@directive(".error", ".warning")
def _message(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 0, 1)
    text = _string(st, 0).decode("utf-8", errors="replace") if st.operands else \
        f"{st.name} directive invoked in source file"
    (asm.error if st.name == ".error" else asm.warning)(stmt, st.name_pos, text)


class EndOfSource(Exception):
    """`.end`: stop reading input."""


@directive(".end")
def _end(asm: Assembler, stmt: Stmt, st: Statement) -> None:
    _count(st, 0, 0)
    raise EndOfSource()


def fill_pattern(section_is_code: bool, at: int, n: int, fill: bytes | None, nop: bytes) -> bytes:
    """Alignment padding: the fill byte, or in code, nop words where whole words fit."""
    if fill is not None:
        return fill * n
    if section_is_code and at % len(nop) == 0 and n % len(nop) == 0:
        return nop * (n // len(nop))
    return bytes(n)

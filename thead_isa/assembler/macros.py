# Macros and repetition: .macro headers, body collection, arguments and `\name` / `\@` substitution.
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterator

from .source import Stmt

HEAD = re.compile(r"\s*(?:(?:[A-Za-z_.$][\w.$]*|\d+)\s*:(?!=)\s*)*([A-Za-z_.$][\w.$]*)?", re.A)
MACRO_NAME = re.compile(r"[A-Za-z_.$][\w.$]*", re.A)
_PARAM = re.compile(r"([A-Za-z_]\w*)\s*(?::\s*(\w+))?\s*(?:=\s*(.*))?", re.S | re.A)
_KEYWORD = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)\s*(.*)", re.S | re.A)
_SUBST = re.compile(r"\\(?:([A-Za-z_]\w*)|(@)|(\(\)))", re.A)

MACRO_OPEN, MACRO_CLOSE = (".macro",), ".endm"
REPT_OPEN, REPT_CLOSE = (".rept", ".irp", ".irpc"), ".endr"


class MacroError(Exception):
    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.message, self.pos = message, pos


def head(text: str) -> tuple[str | None, int, int]:
    """(name after any labels, its offset, offset after it) of a statement, without parsing it."""
    m = HEAD.match(text)
    if m is None or m.group(1) is None:
        return None, 0, 0
    return m.group(1), m.start(1), m.end(1)


def split_args(text: str, base: int = 0) -> list[tuple[str, int]]:
    """Comma-separated pieces (quotes and parentheses protect commas), stripped, with offsets."""
    if not text.strip():
        return []
    pieces: list[tuple[str, int]] = []
    if '"' not in text and "'" not in text and "(" not in text:
        start = 0                              # nothing protects a comma: str.split
        for piece in text.split(","):
            pieces.append((piece, start))
            start += len(piece) + 1
    else:
        depth, start, i = 0, 0, 0
        while i < len(text):
            c = text[i]
            if c in "\"'":
                j = i + 1
                while j < len(text) and text[j] != c:
                    j += 2 if text[j] == "\\" else 1
                i = j + 1
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth = max(0, depth - 1)
            elif c == "," and depth == 0:
                pieces.append((text[start:i], start))
                start = i + 1
            i += 1
        pieces.append((text[start:], start))
    out = []
    for piece, at in pieces:
        lead = len(piece) - len(piece.lstrip())
        out.append((piece.strip(), base + at + lead))
    return out


@dataclass(frozen=True)
class Param:
    name: str
    default: str = ""
    required: bool = False
    vararg: bool = False


@dataclass
class Macro:
    name: str
    params: tuple[Param, ...]
    body: list[Stmt]
    stmt: Stmt                 # the .macro statement


def parse_header(text: str, base: int) -> tuple[str, tuple[Param, ...]]:
    """`name [param[:req|:vararg][=default]], ...` (text after `.macro`, at offset base)."""
    m = MACRO_NAME.match(text.lstrip())
    if m is None:
        raise MacroError(".macro needs a name", base)
    lead = len(text) - len(text.lstrip())
    name = m.group(0)
    rest_at = lead + m.end()
    rest = text[rest_at:]
    if rest.lstrip().startswith(","):
        skip = len(rest) - len(rest.lstrip()) + 1
        rest, rest_at = rest[skip:], rest_at + skip
    params: list[Param] = []
    names: set[str] = set()                  # a set: the duplicate check stays linear
    for piece, at in split_args(rest, base + rest_at):
        p = _PARAM.fullmatch(piece)
        if p is None:
            raise MacroError(f"invalid macro parameter '{piece}'", at)
        pname, qual, default = p.groups()
        if qual not in (None, "req", "vararg"):
            raise MacroError(f"unknown parameter qualifier ':{qual}' (use :req or :vararg)", at)
        if pname in names:
            raise MacroError(f"duplicate macro parameter '{pname}'", at)
        if params and params[-1].vararg:
            raise MacroError(f"parameter '{params[-1].name}:vararg' must be the last one", at)
        names.add(pname)
        params.append(Param(pname, (default or "").strip(), qual == "req", qual == "vararg"))
    return name, tuple(params)


def bind_args(macro: Macro, text: str, base: int) -> dict[str, str]:
    """Argument text for every parameter: positional, then `name=value`, then defaults."""
    values: dict[str, str] = {}
    params = macro.params
    by_name = {p.name: p for p in params}
    pieces = split_args(text, base)
    position = 0
    for i, (piece, at) in enumerate(pieces):
        kw = _KEYWORD.fullmatch(piece)
        if kw and kw.group(1) in by_name:
            if kw.group(1) in values:
                raise MacroError(f"macro parameter '{kw.group(1)}' is given more than once", at)
            values[kw.group(1)] = kw.group(2).strip()
            continue
        if position >= len(params):
            raise MacroError(f"too many arguments for macro '{macro.name}' (it takes "
                             f"{len(params)})", at)
        p = params[position]
        if p.vararg:
            values[p.name] = ", ".join(x for x, _ in pieces[i:])
            break
        if p.name in values:
            raise MacroError(f"macro parameter '{p.name}' is given more than once", at)
        values[p.name] = piece
        position += 1
    for p in params:
        if not values.get(p.name):
            if p.required:
                raise MacroError(f"missing value for required parameter '{p.name}' of macro "
                                 f"'{macro.name}'", base)
            values[p.name] = values.get(p.name) or p.default
    return values


class _TooLong(Exception):
    pass


def substitute(text: str, values: dict[str, str], counter: int | None,
               room: int | None = None) -> str | None:
    """`\\name` -> argument, `\\@` -> expansion counter (macros only), `\\()` -> nothing.
    A backslash before anything else (e.g. string escapes) is left alone. None, with nothing
    built, when the result would be longer than `room` characters."""
    if "\\" not in text:
        return text if room is None or len(text) <= room else None
    grown = 0                                  # length of the result so far - m.end()

    def repl(m: re.Match) -> str:
        nonlocal grown
        if m.group(1) is not None:
            r = values.get(m.group(1), m.group(0))
        elif m.group(2) is not None:
            r = m.group(0) if counter is None else str(counter)
        else:
            r = ""
        if room is not None:
            grown += len(r) - (m.end() - m.start())
            if m.end() + grown > room:         # the result so far: before it is joined
                raise _TooLong
        return r
    try:
        out = _SUBST.sub(repl, text)
    except _TooLong:
        return None
    return out if room is None or len(out) <= room else None


def collect_body(stmts: Iterator[Stmt], opens: tuple[str, ...], close: str,
                 seen: Callable[[Stmt], None]) -> tuple[list[Stmt], bool]:
    """The statements up to the matching close (nested opens counted): (body, found close)."""
    body: list[Stmt] = []
    depth = 0
    for s in stmts:
        seen(s)
        if not s.text:
            continue
        name, _, _ = head(s.text)
        if name in opens:
            depth += 1
        elif name == close:
            if depth == 0:
                return body, True
            depth -= 1
        body.append(s)
    return body, False

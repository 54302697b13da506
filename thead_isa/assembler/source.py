# Source text -> lines and statements with positions: comments, `;` separators, expansion frames.
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator


MAX_NOTES = 10


@dataclass(frozen=True)
class Frame:
    """One level of .include or macro/.rept/.irp expansion, for `note:` lines."""

    kind: str                  # "include", "macro", ".rept", ".irp", ".irpc"
    name: str                  # macro name (unused for other kinds)
    file: str                  # where the .include / invocation is
    line: int
    parent: Frame | None

    def notes(self) -> tuple[str, ...]:
        out, f = [], self
        while f is not None:
            where = f"{f.file}:{f.line}"
            if f.kind == "include":
                out.append(f"in file included from {where}")
            elif f.kind == "macro":
                out.append(f"in expansion of macro '{f.name}' from {where}")
            else:
                out.append(f"in {f.kind} expansion from {where}")
            f = f.parent
        if len(out) > MAX_NOTES:                 # deep recursion: the innermost and outermost
            out[5:-4] = [f"... {len(out) - 9} more levels of expansion or inclusion ..."]
        return tuple(out)

    def depth(self, kinds: tuple[str, ...]) -> int:
        n, f = 0, self
        while f is not None:
            n += f.kind in kinds
            f = f.parent
        return n


@dataclass(eq=False, slots=True)
class Line:
    """A physical source line, or one statement produced by an expansion."""

    file: str
    line: int
    text: str                  # shown under diagnostics (expanded text for expansions)
    frame: Frame | None = None
    home: tuple[str, int] | None = None   # (file, line) for the listing and line table
    depth: int = 0             # expansion depth: 0 for lines read from a file

    def __post_init__(self):
        if self.home is None:
            self.home = (self.file, self.line)


@dataclass(eq=False, slots=True)
class Stmt:
    """One statement: its text without comments, and where it starts in its line (1-based)."""

    text: str
    col: int
    line: Line
    seq: int = 0               # order in which the statement was read (orders diagnostics)


class SourceError(Exception):
    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def decode(data: bytes) -> str:
    """UTF-8 text (a leading byte-order mark is dropped); SourceError names the bad byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[start:e.start].decode("utf-8", errors="replace")) + 1
        raise SourceError(f"source is not valid UTF-8 (byte 0x{data[e.start]:02x})",
                          line, col) from None
    return text[1:] if text.startswith("\ufeff") else text


def _blank_comments(line: str, in_block: bool) -> tuple[str, bool, int]:
    """The line with /* */ and # comments replaced by spaces (columns are kept), whether a
    block comment is still open at its end, and where the last one opened (-1: not on this
    line). Quotes protect comment characters."""
    out = []
    i, n, opened = 0, len(line), -1
    while i < n:
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                out.append(" " * (n - i))
                return "".join(out), True, opened
            out.append(" " * (end + 2 - i))
            i, in_block = end + 2, False
            continue
        c = line[i]
        if c == "#":
            break
        if c == "/" and line.startswith("/*", i):
            in_block, opened = True, i
            out.append("  ")
            i += 2
            continue
        if c == '"' or c == "'":
            j = _quoted_end(line, i)
            out.append(line[i:j])
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out), in_block, opened


def _quoted_end(line: str, i: int) -> int:
    """Index just past the string or character literal starting at line[i] (or the line end)."""
    q = line[i]
    j = i + 1
    while j < len(line):
        if line[j] == "\\":
            j += 2
        elif line[j] == q:
            return j + 1
        else:
            j += 1
    return len(line)


def split_statements(code: str) -> list[tuple[str, int]]:
    """`a; b` -> [(text, 1-based column)], skipping empty statements; quotes protect `;`."""
    if '"' not in code and "'" not in code:
        parts, start = [], 0
        for piece in code.split(";"):
            parts.append((piece, start))
            start += len(piece) + 1
    else:
        parts, start, i = [], 0, 0
        while i < len(code):
            c = code[i]
            if c == '"' or c == "'":
                i = _quoted_end(code, i)
                continue
            if c == ";":
                parts.append((code[start:i], start))
                start = i + 1
            i += 1
        parts.append((code[start:], start))
    out = []
    for piece, start in parts:
        stripped = piece.strip()
        if stripped:
            out.append((stripped, start + len(piece) - len(piece.lstrip()) + 1))
    return out


def read_lines(text: str, file: str, frame: Frame | None) -> Iterator[tuple[Line, list[Stmt]]]:
    """Every physical line of text with its statements; an unterminated /* raises SourceError
    after the last line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    cr = "\r" in text
    in_block, opened_at = False, (0, 0)
    for number, raw in enumerate(lines, 1):
        if cr and raw.endswith("\r"):
            raw = raw[:-1]
        line, stmts, in_block, opened = split_line(raw, number, file, frame, in_block)
        if opened >= 0:
            opened_at = (number, opened + 1)
        yield line, stmts
    if in_block:
        raise SourceError("unterminated /* comment", *opened_at)


def split_line(raw: str, number: int, file: str, frame: Frame | None,
               in_block: bool) -> tuple[Line, list[Stmt], bool, int]:
    """One physical line (without its newline or a final \\r): the Line, its statements, whether
    a /* comment is open at its end, and where the last one opened on it (-1: none)."""
    code, opened = raw, -1
    if in_block or "#" in raw or "/*" in raw or '"' in raw or "'" in raw:
        if not in_block and "/*" not in raw and '"' not in raw and "'" not in raw:
            code = raw[:raw.index("#")]       # what _blank_comments gives for this line
        else:
            code, in_block, opened = _blank_comments(raw, in_block)
    line = Line(file, number, raw, frame)
    if ";" in code:
        return line, [Stmt(t, col, line) for t, col in split_statements(code)], in_block, opened
    t = code.strip()                          # split_statements for a single statement
    return line, ([Stmt(t, len(code) - len(code.lstrip()) + 1, line)] if t else []), in_block, \
        opened

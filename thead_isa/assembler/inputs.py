# Files named by the source: .include (searched along the include path) and .incbin.
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .source import Frame, Stmt

if TYPE_CHECKING:
    from .assemble import Assembler

MAX_INCLUDE_DEPTH = 64         # .include inside .include
MAX_FILE = 64 << 20            # the largest .incbin file (bytes)


def find(asm: Assembler, stmt: Stmt, name: str) -> str | None:
    """The including file's directory first, then each include directory (-I) in order."""
    if os.path.isabs(name):
        return name if os.path.isfile(name) else None
    here = stmt.line.file
    dirs = [os.path.dirname(here) if not here.startswith("<") else ""] + asm.include_dirs
    for d in dirs:
        path = os.path.normpath(os.path.join(d, name)) if d else name
        if os.path.isfile(path):
            return path
    return None


def read(asm: Assembler, stmt: Stmt, name: str, pos: int, what: str) -> tuple[str, bytes] | None:
    path = find(asm, stmt, name)
    if path is None:
        where = ", ".join(["the including file's directory"] + asm.include_dirs)
        asm.error(stmt, pos, f"cannot find {what} '{name}' (searched: {where})")
        return None
    try:
        with open(path, "rb") as f:
            return path, f.read(MAX_FILE + 1)
    except OSError as e:
        asm.error(stmt, pos, f"cannot read '{path}': {e.strerror or e}")
        return None


def include(asm: Assembler, stmt: Stmt, name: str, pos: int) -> None:
    frame = stmt.line.frame
    if frame is not None and frame.depth(("include",)) >= MAX_INCLUDE_DEPTH:
        asm.error(stmt, pos, f".include nested too deeply (more than {MAX_INCLUDE_DEPTH} levels)")
        return
    found = read(asm, stmt, name, pos, "include file")
    if found is None:
        return
    path, data = found
    if os.path.realpath(path) in asm.including:
        asm.error(stmt, pos, f"include cycle: '{path}' is already being included")
        return
    asm.run_text(data, path, Frame("include", "", stmt.line.file, stmt.line.line, frame))


def read_binary(asm: Assembler, stmt: Stmt, name: str, pos: int) -> bytes | None:
    found = read(asm, stmt, name, pos, "file")
    if found is not None and len(found[1]) > MAX_FILE:
        asm.error(stmt, pos, f"'{found[0]}' is larger than {MAX_FILE >> 20} MiB")
        return None
    return None if found is None else found[1]

# Commit log observer: one fixed-width, grep-able text line per retired CP instruction (EV_CP).
"""Line format (columns separated by two spaces, trailing blanks stripped)::

         CYCLE  PC          WORD                DISASSEMBLY (32 wide)             REG             SOURCE
         12345  0x00000040  0x0000000000082501  add x5, x1, x2                    x5=0x0000002a   prog.s:7

- CYCLE: the issue cycle (event t1), decimal, right-aligned in 10 columns (wider if it must be).
  In functional mode this is the instret-based time the core reports.
- PC: 0x + 8 hex digits; WORD: 0x + 16 hex digits; both lower case.
- DISASSEMBLY: canonical text from thead_isa.isa.encoding (aliases used), left-aligned in 32
  columns; a longer text pushes the rest of the line right; an illegal word shows `.word 0x...`.
- REG: `xN=0x%08x` for the register written (event rd >= 0, value), blank (14 spaces) otherwise.
- SOURCE: `file:line` from the Program's line table, omitted when unknown.
Engine instructions appear once, at their dispatch by the CP.
"""
from __future__ import annotations

import os

import numpy as np

from .events import EV_CP
from .insntext import disassemble, source_of


def format_line(cycle: int, pc: int, word: int, rd: int, value: int, source: str | None) -> str:
    reg = f"x{rd}=0x{value & 0xFFFFFFFF:08x}" if rd >= 0 else ""
    line = (f"{cycle:>10d}  0x{pc:08x}  0x{word:016x}  {disassemble(word)[1]:<32s}  "
            f"{reg:<14s}  {source or ''}")
    return line.rstrip()


class CommitLog:
    """Writes format_line() for every EV_CP event of each batch; stream is a text file or a path."""

    def __init__(self, stream, program=None):
        self._own = isinstance(stream, (str, os.PathLike))
        self.stream = open(stream, "w") if self._own else stream
        self.program = program
        self._source: dict[int, str | None] = {}

    def _src(self, pc: int) -> str | None:
        if pc not in self._source:
            self._source[pc] = source_of(self.program, pc)
        return self._source[pc]

    def feed(self, batch: np.ndarray) -> None:
        cp = batch[batch["kind"] == EV_CP]
        cols = (cp[k].tolist() for k in ("t1", "pc", "word", "rd", "value"))
        lines = [format_line(t1, pc, word, rd, value, self._src(pc))
                 for t1, pc, word, rd, value in zip(*cols)]
        if lines:
            self.stream.write("\n".join(lines) + "\n")

    def close(self) -> None:
        if self._own:
            self.stream.close()
        else:
            self.stream.flush()

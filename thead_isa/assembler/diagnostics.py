# Diagnostics: `file:line:col: error: message`, the source line with a caret, notes; suggestions.
from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from typing import Iterable

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Diagnostic:
    severity: str              # "error" or "warning"
    file: str
    line: int                  # 1-based; 0 when the problem has no source line (command line)
    col: int                   # 1-based; 0 when there is no column
    message: str
    notes: tuple[str, ...] = ()          # "in file included from a.s:3", ...
    source: str | None = field(default=None, compare=False)   # the text shown under the message

    def location(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return where

    def format(self) -> str:
        out = [f"{self.location()}: {self.severity}: {self.message}"]
        if self.source is not None and self.line:
            out.append(self.source)
            if self.col:
                pad = "".join("\t" if c == "\t" else " " for c in self.source[:self.col - 1])
                out.append(pad + "^")
        out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.format()


class AssemblyError(Exception):
    """Assembly failed; `diagnostics` holds every error (and warning) of the run, in order."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == ERROR]
        first = errors[0].format().splitlines()[0] if errors else "assembly failed"
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        super().__init__(first + more)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == ERROR]


def suggest(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """`; did you mean 'add'?` (or `'a', 'b' or 'c'`) for the closest candidates, else "".

    The answer is cached per (name, candidates, n): difflib costs 0.2-0.5 ms a call, and the same
    unknown name tends to come back (in a loop, a macro, a .rept). A name much longer than every
    candidate cannot be close to any (difflib's ratio is at most 2*min/(len+len)), so it costs
    nothing whatever its length."""
    pool = tuple(candidates)
    longest = max(map(len, pool), default=0)
    if len(name) > 3 * longest:          # ratio < 0.6 with every candidate, and no case match
        return ""
    return _suggest(name, pool, n)


@functools.lru_cache(maxsize=1024)
def _suggest(name: str, pool: tuple[str, ...], n: int) -> str:
    close = difflib.get_close_matches(name, pool, n=n, cutoff=0.6)
    if not close:
        lowered = name.lower()
        close = [c for c in pool if c.lower() == lowered][:1]
    if not close:
        return ""
    quoted = [f"'{c}'" for c in close]
    text = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"; did you mean {text}?"

# Sections while assembling: contents, location counter, alignment; placement into IMEM and GM.
from __future__ import annotations

from dataclasses import dataclass, field

from .elf import RESERVED
from .program import GM, IMEM

ADDRESS_LIMIT = 1 << 32


@dataclass(eq=False)
class SectionState:
    name: str
    memory: str                # IMEM (code) or GM (data)
    nobits: bool               # .bss-like: a size, no contents
    order: int                 # first use
    data: bytearray = field(default_factory=bytearray)
    size: int = 0              # nobits sections only
    align: int = 8             # the largest alignment asked for (at least 8)
    addr: int = 0              # assigned by place()

    @property
    def loc(self) -> int:
        return self.size if self.nobits else len(self.data)

    code: bool = field(init=False)     # memory is IMEM (code sections are never nobits)

    def __post_init__(self):
        self.code = self.memory == IMEM


def default_kind(name: str) -> tuple[str, bool]:
    """(memory, nobits) of a section first named without flags, from its name as GNU as does."""
    if name == ".text" or name.startswith(".text."):
        return IMEM, False
    if name in (".bss", ".sbss") or name.startswith((".bss.", ".sbss.")):
        return GM, True
    return GM, False


def parse_flags(flags: str, kind: str | None) -> tuple[str, bool]:
    """(memory, nobits) from `.section name, "flags", @type`; raises ValueError."""
    for c in flags:
        if c not in "awx":
            raise ValueError(f"unknown section flag '{c}' (flags are a, w and x)")
    if kind not in (None, "progbits", "nobits"):
        raise ValueError(f"unknown section type '@{kind}' (types are @progbits and @nobits)")
    memory = IMEM if "x" in flags else GM
    if memory == IMEM and kind == "nobits":
        raise ValueError("a code section cannot be @nobits")
    return memory, kind == "nobits"


def _align_up(n: int, a: int) -> int:
    return -(-n // a) * a


def place(sections: list[SectionState]) -> list[str]:
    """Assign addresses: code sections from IMEM 0 in order of first use (.text first); in GM,
    .data at 0, then the other data sections, then .bss and the other nobits sections. Each
    section starts at a multiple of its alignment (at least 8). Returns problems found."""
    code = sorted((s for s in sections if s.code), key=lambda s: (s.name != ".text", s.order))
    data = sorted((s for s in sections if not s.code and not s.nobits),
                  key=lambda s: (s.name != ".data", s.order))
    bss = sorted((s for s in sections if not s.code and s.nobits),
                 key=lambda s: (s.name != ".bss", s.order))
    problems = []
    for group in (code, data + bss):
        addr = 0
        for s in group:
            s.addr = addr = _align_up(addr, s.align)
            addr += s.loc
            if addr > ADDRESS_LIMIT:
                problems.append(f"section '{s.name}' ends at 0x{addr:x}, beyond the 32-bit "
                                f"address space of {s.memory.upper()}")
    return problems

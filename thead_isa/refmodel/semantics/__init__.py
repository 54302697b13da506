# Registry of instruction semantics: one function per mnemonic, filled by the engine modules.
from __future__ import annotations

from typing import Callable

SEMANTICS: dict[str, Callable] = {}


def defines(*mnemonics: str):
    """Register the decorated function as the semantics of the given mnemonics.

    CP semantics: fn(state, decoded) -> next pc or None (pc + 8).
    Engine semantics: fn(state, decoded, csrs) -> commit, a function of no arguments. fn reads
    and checks everything (and may raise Trap); commit performs the writes, so an instruction
    that traps changes nothing.
    """
    def register(fn):
        for mn in mnemonics:
            if mn in SEMANTICS:
                raise ValueError(f"semantics of {mn} defined twice")
            SEMANTICS[mn] = fn
        return fn
    return register


def load_all() -> dict[str, Callable]:
    from . import cp, me, te, ve  # noqa: F401  (registration side effect)
    return SEMANTICS

# Pausing the cyclic garbage collector around allocation-heavy steps (assembly, line tables, ELF).
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Collections triggered by the many small objects of a large program would scan the whole
    heap again and again (a quarter of the time or more); those objects hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

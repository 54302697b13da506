# The step pipeline shared by the TE kernels: loads, compute, requant epilogue and store per tile.
"""A TE kernel is a list of steps. Step s loads what it needs that is not in LM yet (an input
tile, a weight tile with its parameter block), runs one TE instruction into ACC buffer s % 2,
requantizes that buffer on the VE into LM output buffer s % 2 and stores it to GM.

Semaphores: s0/s1 = step s's loads are in LM (the last load signals; every step has a load, a
zero-byte `token` when nothing is new), s2/s3 = its TE instruction is done, s4/s5 = its
requantization is done. Input and weight tiles alternate between two LM buffers by tile index.

Two issue orders:
- naive: L(s), C(s), E(s), St(s) for each step, one buffer of each kind: every engine waits for
  the previous one, nothing overlaps.
- pipelined (double buffered): L(0), then L(s+1), C(s), E(s), St(s): the ME loads the next step
  while the TE computes this one.

Safety of the pipelined order rests on the ME running its queue in order: L(s+2) follows St(s)
in the ME queue, and St(s) waits for E(s), which waits for C(s); so when L(s+2) overwrites
buffer s % 2 (input, weights, ACC through C(s+2), output through E(s+2)), step s has finished
with it. Every wait is signalled earlier in program order, so the reference model runs it too.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Step:
    """Each part is assembly lines whose last line is the engine step's macro call (without
    semaphore options); `loads` is a list of such parts, possibly empty."""
    loads: list[list[str]]
    compute: list[str]
    epilogue: list[str]
    store: list[str]


def _with(part: list[str], opts: str) -> list[str]:
    last = f"{part[-1]}, {opts}" if opts else part[-1]
    return ["        " + line for line in part[:-1] + [last]]


def emit(steps: list[Step], pipelined: bool) -> list[str]:
    """The assembly lines of the steps in the chosen issue order."""
    lines: list[str] = []

    def load(s: int) -> None:
        b = s % 2 if pipelined else 0
        step = steps[s]
        if not step.loads:
            lines.append(f"        token   sig=s{b}")
            return
        for k, part in enumerate(step.loads):
            last = k == len(step.loads) - 1
            lines.extend(_with(part, f"sig=s{b}" if last else ""))

    def rest(s: int) -> None:
        b = s % 2 if pipelined else 0
        st = steps[s]
        lines.extend(_with(st.compute, f"wait=s{b}, sig=s{2 + b}"))
        lines.extend(_with(st.epilogue, f"wait=s{2 + b}, sig=s{4 + b}"))
        lines.extend(_with(st.store, f"wait=s{4 + b}"))

    if pipelined and steps:
        load(0)
    for s in range(len(steps)):
        if pipelined:
            if s + 1 < len(steps):
                load(s + 1)
        else:
            load(s)
        rest(s)
    return lines

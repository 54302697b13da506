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

emit_batched issues the same order for steps that repeat (a batch-folded kernel's stacks) as a
loop of two steps per pass plus an unrolled tail.

Safety of the pipelined order rests on the ME running its queue in order: L(s+2) follows St(s)
in the ME queue, and St(s) waits for E(s), which waits for C(s); so when L(s+2) overwrites
buffer s % 2 (input, weights, ACC through C(s+2), output through E(s+2)), step s has finished
with it. Every wait is signalled earlier in program order, so the reference model runs it too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


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


def _load(lines: list[str], step: Step, b: int) -> None:
    if not step.loads:
        lines.append(f"        token   sig=s{b}")
        return
    for k, part in enumerate(step.loads):
        lines.extend(_with(part, f"sig=s{b}" if k == len(step.loads) - 1 else ""))


def _rest(lines: list[str], step: Step, b: int) -> None:
    lines.extend(_with(step.compute, f"wait=s{b}, sig=s{2 + b}"))
    lines.extend(_with(step.epilogue, f"wait=s{2 + b}, sig=s{4 + b}"))
    lines.extend(_with(step.store, f"wait=s{4 + b}"))


def emit(steps: list[Step], pipelined: bool) -> list[str]:
    """The assembly lines of the steps in the chosen issue order."""
    lines: list[str] = []
    if pipelined and steps:
        _load(lines, steps[0], 0)
    for s in range(len(steps)):
        b = s % 2 if pipelined else 0
        if pipelined:
            if s + 1 < len(steps):
                _load(lines, steps[s + 1], (s + 1) % 2)
        else:
            _load(lines, steps[s], b)
        _rest(lines, steps[s], b)
    return lines


PERIOD = 2              # steps per loop iteration: buffer and semaphore parities repeat


def emit_batched(step: Callable[[int, int], Step], n: int, uniform: int, pipelined: bool,
                 loop: Callable[[list[str], int, int], list[str]]) -> list[str]:
    """The lines of steps 0..n-1 in the same issue order as emit, with a loop where the text
    repeats. step(s, base) is step s with its GM addresses relative to where step `base`'s are
    (x10/x11 advanced past the steps before `base`); steps 0..uniform-1 must differ only by that
    offset and by the parity of s (their buffers). loop(body, count, steps) runs body count
    times, advancing the GM addresses by `steps` steps after each pass.

    Pipelined, pass k of the loop issues L(kP + j + 1), R(kP + j) for j < P (P = PERIOD, even,
    so every pass has the same parities): exactly the order of emit, cut into equal pieces. The
    loop covers the passes whose steps and next loads are all uniform; the rest is unrolled."""
    lines: list[str] = []
    if not pipelined:
        passes = uniform if uniform >= 2 else 0
        if passes:
            body: list[str] = []
            _load(body, step(0, 0), 0)
            _rest(body, step(0, 0), 0)
            lines += loop(body, passes, 1)
        for s in range(passes, n):
            _load(lines, step(s, passes), 0)
            _rest(lines, step(s, passes), 0)
        return lines
    if n == 0:
        return lines
    passes = (uniform - 1) // PERIOD if uniform >= 1 else 0
    passes = passes if passes >= 2 else 0
    _load(lines, step(0, 0), 0)
    if passes:
        body = []
        for j in range(PERIOD):
            _load(body, step(j + 1, 0), (j + 1) % 2)
            _rest(body, step(j, 0), j % 2)
        lines += loop(body, passes, PERIOD)
    base = passes * PERIOD
    for s in range(base, n):
        if s + 1 < n:
            _load(lines, step(s + 1, base), (s + 1) % 2)
        _rest(lines, step(s, base), s % 2)
    return lines

# Race checker observer: vector-clock happens-before detection of unsynchronised overlapping access.
"""RaceChecker consumes the event stream (a causal order) and keeps one vector clock per unit
(CP, ME, TE, VE). Happens-before edges:

- program order within a unit (the CP retires in order; each engine runs its queue in order);
- CP dispatch (EV_CP of an engine opcode) -> that instruction's EV_START (matched by seq);
- semaphore signal (EV_END sig >= 0, CP sem.sig) -> the wait that consumes it (EV_START wait >= 0,
  CP sem.wait), matched FIFO per semaphore (a wait with no recorded signal, i.e. satisfied by an
  initial count, gets no edge);
- engine completion -> a CP sync (event value = engine mask, bit 0 ME, bit 1 TE, bit 2 VE) or halt
  (all engines): the CP joins the engine's clock as of its last EV_END.

Accesses: engine reads (reads[:nreads]) at EV_START, engine writes (write) at EV_END, CP loads and
stores at EV_CP. A race is two accesses by different units to a common element of the same memory,
at least one a write, neither happening before the other. Races are reported once per pair of
static instructions (unit, pc), with the number of dynamic instruction pairs found racing (the
stand-in rule below can make it smaller than the number of all racing dynamic pairs).

Memory stays bounded: an access is forgotten as soon as every other unit that can access its
memory (the CP reaches only GM) is known to happen after it at all its future accesses (an idle
engine's future instructions are dispatched by the CP, so they inherit the CP's clock). And a
newer access by the same unit to the same region stands in for an older one (a write for both
kinds): what is concurrent with the old access is concurrent with the new one, so a loop over
fixed buffers keeps a fixed number of accesses even without synchronising with the CP. (A run
whose engines stream through ever new addresses and that never lets the CP learn of them, by
sync, halt or sem.wait, keeps one record per such access until it does.)
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from .events import EV_CP, EV_END, EV_START, MEM_NAMES, UNITS
from .insntext import ALL_ENGINES, ENGINE_OF_OP, OP_HALT, OP_SEM_SIG, OP_SEM_WAIT, OP_SYNC, \
    disassemble, source_of

CP = 0
ENGINES = (1, 2, 3)
# units that can touch each memory: the CP's loads and stores reach only GM
UNITS_OF_MEM = ((0, 1, 2, 3), (1, 2, 3), (1, 2, 3))


# ---- regions: {base + r*stride + c : 0 <= r < rows, 0 <= c < cols} ----
def _normal(base: int, rows: int, cols: int, stride: int):
    """The same element set with stride >= 0 (0 when one row), or None when empty."""
    if rows <= 0 or cols <= 0:
        return None
    if rows == 1:
        return base, 1, cols, 0
    if stride < 0:
        base, stride = base + (rows - 1) * stride, -stride
    return base, rows, cols, stride


def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def _row_in(lo: int, hi: int, b) -> int | None:
    """An element of region b (normal) in the interval [lo, hi], or None."""
    base, rows, cols, stride = b
    # rows whose [q, q + cols - 1] meets [lo, hi]: q in [lo - cols + 1, hi]
    if stride == 0:
        r = 0 if lo - cols + 1 <= base <= hi else None
    else:
        r = max(0, _cdiv(lo - cols + 1 - base, stride))
        if r > rows - 1 or base + r * stride > hi:
            r = None
    return None if r is None else max(lo, base + r * stride)


def _dense(a) -> bool:
    return a[3] <= a[2]          # rows leave no gaps: the region is one interval


def _last(a) -> int:
    return a[0] + (a[1] - 1) * a[3] + a[2] - 1


def overlap(a: tuple, b: tuple) -> int | None:
    """An element common to regions a and b, each (base, rows, cols, stride), or None."""
    a, b = _normal(*a), _normal(*b)
    if a is None or b is None or _last(a) < b[0] or _last(b) < a[0]:
        return None
    if _dense(a):
        return _row_in(a[0], _last(a), b)
    if _dense(b):
        return _row_in(b[0], _last(b), a)
    if a[3] == b[3]:
        # q - p = d + k*s for row offset k = rb - ra; rows meet when -(cb-1) <= q - p <= ca-1
        s, d = a[3], b[0] - a[0]
        k_lo = max(-(a[1] - 1), _cdiv(-(b[2] - 1) - d, s))
        k_hi = min(b[1] - 1, (a[2] - 1 - d) // s)
        if k_lo > k_hi:
            return None
        ra = max(0, -k_lo)
        return max(a[0] + ra * s, b[0] + (ra + k_lo) * s)
    if a[1] > b[1]:
        a, b = b, a
    base, rows, cols, stride = a            # walk the rows of a that can meet b's extent
    r0 = max(0, _cdiv(b[0] - cols + 1 - base, stride))
    r1 = min(rows - 1, (_last(b) - base) // stride)
    for r in range(r0, r1 + 1):
        p = base + r * stride
        hit = _row_in(p, p + cols - 1, b)
        if hit is not None:
            return hit
    return None


# ---- reports ----
@dataclass(frozen=True)
class Access:
    unit: str                  # "cp", "me", "te", "ve"
    pc: int
    seq: int
    word: int
    kind: str                  # "read" or "write"
    text: str                  # disassembly
    source: str | None         # "file:line"

    def __str__(self) -> str:
        src = f" [{self.source}]" if self.source else ""
        return (f"{self.unit.upper()} pc 0x{self.pc:08x} `{self.text}`{src} "
                f"{self.kind}s (seq {self.seq})")


@dataclass
class Race:
    first: Access              # the earlier access in the event stream
    second: Access
    memory: str                # "gm", "lm", "acc"
    address: int               # one common element: byte address, ACC word index
    count: int = 1             # dynamic instruction pairs found racing
    _recent: deque = field(default_factory=lambda: deque(maxlen=16), repr=False, compare=False)

    def __str__(self) -> str:
        unit = "word" if self.memory == "acc" else "address"
        times = f", {self.count} times" if self.count > 1 else ""
        return (f"race on {self.memory} {unit} 0x{self.address:x}{times}:\n"
                f"  {self.first}\n  {self.second}\n"
                f"  neither happens before the other (no dispatch, semaphore or sync orders them)")


class RaceChecker:
    def __init__(self, program=None):
        self.program = program
        self.races: list[Race] = []
        self._by_key: dict[tuple, Race] = {}
        self.clock = [[1 if u == v else 0 for v in range(4)] for u in range(4)]
        self._dispatched: dict[int, tuple] = {}     # seq -> (engine, CP clock at dispatch)
        self._busy: set[int] = set()                # engines with a started, unfinished insn
        self._signals: dict[int, deque] = {}        # semaphore -> clocks of unconsumed signals
        self._ended: dict[int, list] = {}           # engine -> clock at its last EV_END
        # live accesses per memory and unit, in epoch order (dicts keep insertion order):
        # (region, is_write) -> (epoch, is_write, region, pc, seq, word)
        self._live = [[{} for _ in UNITS] for _ in MEM_NAMES]

    # ---- clocks ----
    def _join(self, unit: int, other) -> None:
        if other is not None:
            c = self.clock[unit]
            for i in range(4):
                if other[i] > c[i]:
                    c[i] = other[i]

    def _release(self, unit: int) -> list:
        return list(self.clock[unit])

    def _tick(self, unit: int) -> None:
        self.clock[unit][unit] += 1

    # ---- accesses ----
    def _access(self, unit, mem, region, write, pc, seq, word) -> None:
        region = _normal(*region)
        if region is None or not 0 <= mem < len(MEM_NAMES):
            return
        known = self.clock[unit]
        for u in range(4):
            if u == unit:
                continue
            for rec in reversed(self._live[mem][u].values()):
                if rec[0] <= known[u]:
                    break                     # this one and all older happen before us
                if not (write or rec[1]):
                    continue
                addr = overlap(rec[2], region)
                if addr is not None:
                    self._race(u, rec, unit, write, pc, seq, word, mem, addr)
        # a newer access of the same elements by the same unit stands in for older ones (a
        # write for both kinds): whatever is concurrent with the old one is with the new one
        live = self._live[mem][unit]
        live.pop((region, False), None)
        if write:
            live.pop((region, True), None)
        live[(region, write)] = (known[unit], write, region, pc, seq, word)

    def _describe(self, unit, write, pc, seq, word) -> Access:
        return Access(UNITS[unit], pc, seq, word, "write" if write else "read",
                      disassemble(word)[1], source_of(self.program, pc))

    def _race(self, u, rec, unit, write, pc, seq, word, mem, addr) -> None:
        key = tuple(sorted([(u, rec[3]), (unit, pc)]))
        dyn = tuple(sorted([rec[4], seq]))
        race = self._by_key.get(key)
        if race is None:
            race = Race(self._describe(u, rec[1], rec[3], rec[4], rec[5]),
                        self._describe(unit, write, pc, seq, word), MEM_NAMES[mem], addr)
            self._by_key[key] = race
            self.races.append(race)
        elif dyn in race._recent:
            return
        else:
            race.count += 1
        race._recent.append(dyn)

    def _future(self, v: int, u: int) -> int:
        """A lower bound of unit v's clock entry for u at any of v's future accesses: an idle
        engine's next accesses belong to queued instructions or ones the CP has yet to dispatch,
        which join the CP's clock at dispatch."""
        c = self.clock[v][u]
        if v == CP or v in self._busy:
            return c
        queued = [m[u] for e, m in self._dispatched.values() if e == v]
        return max(c, min(queued + [self.clock[CP][u]]))

    def _prune(self) -> None:
        for mem, per_unit in enumerate(self._live):
            for u, recs in enumerate(per_unit):
                if not recs:
                    continue
                others = [self._future(v, u) for v in UNITS_OF_MEM[mem] if v != u]
                covered = min(others) if others else float("inf")
                while recs:
                    oldest = next(iter(recs))
                    if recs[oldest][0] > covered:
                        break
                    del recs[oldest]

    def live_accesses(self) -> int:
        """Accesses still remembered (bounded on synchronised programs)."""
        return sum(len(r) for per_unit in self._live for r in per_unit)

    # ---- observer protocol ----
    def feed(self, batch: np.ndarray) -> None:
        reads, write = batch["reads"], batch["write"]
        cols = [batch[k].tolist() for k in ("kind", "unit", "seq", "pc", "word", "value",
                                             "wait", "sig", "nreads")]
        rcols = [reads[k].tolist() for k in ("mem", "base", "rows", "cols", "stride")]
        wcols = [write[k].tolist() for k in ("mem", "base", "rows", "cols", "stride")]
        for i, (kind, unit, seq, pc, word, value, wait, sig, nreads) in enumerate(zip(*cols)):
            op = word & 0xFF
            regions_read = [(rcols[0][i][j], tuple(c[i][j] for c in rcols[1:]))
                            for j in range(max(0, nreads))]
            written = (wcols[0][i], tuple(c[i] for c in wcols[1:])) if wcols[2][i] > 0 else None
            if kind == EV_CP:
                if op == OP_SEM_WAIT and wait >= 0:
                    q = self._signals.get(wait)
                    self._join(CP, q.popleft() if q else None)
                if op in (OP_SYNC, OP_HALT):
                    mask = ALL_ENGINES if op == OP_HALT else value
                    for e in ENGINES:
                        if mask >> (e - 1) & 1:
                            self._join(CP, self._ended.get(e))
                for mem, region in regions_read:
                    self._access(CP, mem, region, False, pc, seq, word)
                if written:
                    self._access(CP, written[0], written[1], True, pc, seq, word)
                if op in ENGINE_OF_OP:
                    self._dispatched[seq] = (ENGINE_OF_OP[op], self._release(CP))
                if op == OP_SEM_SIG and sig >= 0:
                    self._signals.setdefault(sig, deque()).append(self._release(CP))
                self._tick(CP)
            elif kind == EV_START:
                self._join(unit, self._dispatched.pop(seq, (unit, None))[1])
                self._busy.add(unit)
                if wait >= 0:
                    q = self._signals.get(wait)
                    self._join(unit, q.popleft() if q else None)
                for mem, region in regions_read:
                    self._access(unit, mem, region, False, pc, seq, word)
            elif kind == EV_END:
                if written:
                    self._access(unit, written[0], written[1], True, pc, seq, word)
                clock = self._release(unit)
                if sig >= 0:
                    self._signals.setdefault(sig, deque()).append(clock)
                self._ended[unit] = clock
                self._busy.discard(unit)
                self._tick(unit)
        self._prune()

    def close(self) -> None:
        self._prune()

    def report(self) -> str:
        if not self.races:
            return "no races"
        return "\n\n".join(str(r) for r in self.races)

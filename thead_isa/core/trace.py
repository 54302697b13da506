# Trace observer: streams events as Chrome trace-event JSON (Perfetto, chrome://tracing).
"""TraceWriter writes the JSON Object Format::

    {"traceEvents": [...], "displayTimeUnit": "ns", "otherData": {...}}

- One process (pid 1) with one thread (track) per unit: tid 1 CP, 2 ME, 3 TE, 4 VE, named by
  thread_name metadata events and ordered by thread_sort_index.
- One complete slice ("X") per instruction, named by its mnemonic, args: pc (hex), insn
  (canonical disassembly), seq, source ("file:line", when a Program is given), the register
  written (CP) and the semaphores waited on / signalled. CP slices span issue..next issue
  (t1..t2 of EV_CP); engine slices span start..end (t0..t1 of EV_END).
- Stall slices (cat "stall"): the CP's t0..t1 named by its STALL_CAUSES cause; an engine's
  ready..start (t0..t1 of EV_START, a semaphore wait) named "sem_wait".
- Semaphore signal -> wait: a flow ("s" then "f" with "bp": "e", cat "sem", name "sN", one id per
  pair) from the signalling slice to the waiting slice, each bound at its slice's midpoint (never
  on a slice boundary, so viewers cannot bind it to a neighbour).
  Signals are matched FIFO per semaphore to the waits that consume them; a wait satisfied by an
  initial count (no signal seen) gets no flow, a signal never consumed gets none either.
- Time: with a config, ts and dur are microseconds, cycles / config.clock_mhz; without, one cycle
  is shown as one microsecond. otherData records clock_mhz and which convention was used.

A path destination is written to a temporary file beside it and renamed on close(), so an aborted
run never leaves a truncated trace at the path (abort() or leaving a `with` block by an exception
removes the temporary). A file object destination (text or binary) is written in place.
Memory stays bounded: each batch is written out as it arrives.
"""
from __future__ import annotations

import io
import json
import math
import os
import tempfile
from collections import deque

import numpy as np

from .events import EV_CP, EV_END, EV_START, STALL_CAUSES, UNITS
from .insntext import OP_SEM_SIG, OP_SEM_WAIT, disassemble, source_of

PID = 1
_ENCODER = json.JSONEncoder(separators=(",", ":"))
_FIELDS = ("kind", "unit", "t0", "t1", "t2", "word", "seq", "pc", "value", "rd", "wait", "sig",
           "arg")


def tid_of(unit: int) -> int:
    return unit + 1


class TraceWriter:
    def __init__(self, dest, program=None, config=None):
        self.program = program
        self.clock_mhz = config.clock_mhz if config is not None else None
        self._config_name = getattr(config, "name", None)
        self._path = self._tmp = None
        if isinstance(dest, (str, os.PathLike)):
            self._path = os.fspath(dest)
            d, base = os.path.split(os.path.abspath(self._path))
            fd, self._tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".tmp", dir=d)
            self._file = open(fd, "w", encoding="utf-8")
            self._text = True
        else:
            self._file = dest
            self._text = isinstance(dest, io.TextIOBase)
        self._closed = False
        self._first = True
        self._pending: dict[int, deque] = {}     # sem -> (sem, ts, tid) of unconsumed signals
        self._flows = 0
        self._running: dict[int, tuple] = {}     # engine -> (wait sem, signal it consumed)
        self._source: dict[int, str | None] = {}
        self._write('{"traceEvents":[')
        meta = [{"ph": "M", "pid": PID, "tid": 0, "name": "process_name",
                 "args": {"name": "thead NPU" + (f" ({self._config_name})"
                                                 if self._config_name else "")}}]
        for u, name in enumerate(UNITS):
            meta.append({"ph": "M", "pid": PID, "tid": tid_of(u), "name": "thread_name",
                         "args": {"name": name.upper()}})
            meta.append({"ph": "M", "pid": PID, "tid": tid_of(u), "name": "thread_sort_index",
                         "args": {"sort_index": u}})
        self._emit(meta)

    # ---- output ----
    def _write(self, s: str) -> None:
        self._file.write(s if self._text else s.encode("utf-8"))

    def _emit(self, events: list[dict]) -> None:
        if not events:
            return
        body = _ENCODER.encode(events)[1:-1]           # one C-encoder call per batch
        self._write(("\n" if self._first else ",\n") + body)
        self._first = False

    def _us(self, cycles: int):
        return cycles / self.clock_mhz if self.clock_mhz else cycles

    def _slice(self, name, cat, tid, c0, c1, args) -> dict:
        ts = self._us(c0)
        return {"name": name, "cat": cat, "ph": "X", "ts": ts, "dur": self._us(c1) - ts,
                "pid": PID, "tid": tid, "args": args}

    def _args(self, pc: int, word: int, seq: int) -> dict:
        args = {"pc": f"0x{pc:08x}", "insn": disassemble(word)[1], "seq": seq}
        if pc not in self._source:
            self._source[pc] = source_of(self.program, pc)
        if self._source[pc]:
            args["source"] = self._source[pc]
        return args

    def _signal(self, sem: int, ts, tid: int) -> None:
        self._pending.setdefault(sem, deque()).append((sem, ts, tid))

    def _take(self, sem: int):
        """The oldest unconsumed signal of sem (FIFO), or None (an initial count)."""
        q = self._pending.get(sem)
        return q.popleft() if q else None

    def _flow(self, out: list, signal, ts, tid: int) -> None:
        if signal is None:
            return
        sem, sts, stid = signal
        self._flows += 1
        common = {"name": f"s{sem}", "cat": "sem", "id": self._flows, "pid": PID}
        out.append({**common, "ph": "s", "ts": sts, "tid": stid})
        out.append({**common, "ph": "f", "bp": "e", "ts": ts, "tid": tid})

    # ---- observer protocol ----
    def feed(self, batch: np.ndarray) -> None:
        out: list[dict] = []
        cols = [batch[k].tolist() for k in _FIELDS]
        for kind, unit, t0, t1, t2, word, seq, pc, value, rd, wait, sig, arg in zip(*cols):
            tid = tid_of(unit)
            if kind == EV_CP:
                if t1 > t0:
                    cause = STALL_CAUSES[arg] if 0 <= arg < len(STALL_CAUSES) else f"stall {arg}"
                    out.append(self._slice(cause, "stall", tid, t0, t1,
                                           {"cause": cause, "pc": f"0x{pc:08x}"}))
                args = self._args(pc, word, seq)
                op = word & 0xFF
                signals = op == OP_SEM_SIG and sig >= 0
                waits = op == OP_SEM_WAIT and wait >= 0
                if rd >= 0:
                    args[f"x{rd}"] = f"0x{value:08x}"
                if signals:
                    args["sig"] = f"s{sig}"
                if waits:
                    args["wait"] = f"s{wait}"
                t2 = max(t1, t2)
                out.append(self._slice(disassemble(word)[0], "cp", tid, t1, t2, args))
                mid = self._us((t1 + t2) / 2)      # flows bind strictly inside their slices
                if signals:
                    self._signal(sig, mid, tid)
                if waits:
                    self._flow(out, self._take(wait), mid, tid)
            elif kind == EV_START:
                if t1 > t0:
                    out.append(self._slice("sem_wait", "stall", tid, t0, t1,
                                           {"cause": "sem_wait", "pc": f"0x{pc:08x}",
                                            "sem": f"s{wait}" if wait >= 0 else None}))
                # the consumed signal is taken now (FIFO order), drawn when the slice is known
                self._running[unit] = (wait, self._take(wait) if wait >= 0 else None)
            elif kind == EV_END:
                args = self._args(pc, word, seq)
                wait, signal = self._running.pop(unit, (-1, None))
                if wait >= 0:
                    args["wait"] = f"s{wait}"
                if sig >= 0:
                    args["sig"] = f"s{sig}"
                out.append(self._slice(disassemble(word)[0], UNITS[unit], tid, t0, t1, args))
                mid = self._us((t0 + t1) / 2)
                self._flow(out, signal, mid, tid)
                if sig >= 0:
                    self._signal(sig, mid, tid)
        self._emit(out)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        other = {"clock_mhz": self.clock_mhz,
                 "time_unit": ("us = cycles / clock_mhz" if self.clock_mhz
                               else "1 us shown per cycle (no clock given)"),
                 "config": self._config_name}
        self._write('\n],"displayTimeUnit":"ns","otherData":'
                    + json.dumps(other, separators=(",", ":")) + "}\n")
        if self._path is not None:
            self._file.close()
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self._tmp, 0o666 & ~umask)       # mkstemp made it private
            os.replace(self._tmp, self._path)
        else:
            self._file.flush()

    def abort(self) -> None:
        """Stop without producing a file at the path (a file object is left as it is)."""
        if self._closed:
            return
        self._closed = True
        if self._path is not None:
            self._file.close()
            os.unlink(self._tmp)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()


# ---- validation against the trace-event format (used by the tests) ----
_PHASES = set("BEXiIsCtfMbnePONDcR(),")
_METADATA = {"process_name": "name", "thread_name": "name", "process_sort_index": "sort_index",
             "thread_sort_index": "sort_index", "process_labels": "labels"}


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def validate_trace(obj) -> list[str]:
    """Problems of a parsed trace (empty list when valid): required keys and types per phase,
    metadata, properly nested X slices per thread, and flows whose ids pair one "s" with one
    "f", each bound to an X slice of its thread enclosing its ts, the "f" not before the "s"."""
    problems: list[str] = []
    if isinstance(obj, dict):
        events = obj.get("traceEvents")
        if not isinstance(events, list):
            return ["object format without a traceEvents list"]
        if obj.get("displayTimeUnit", "ms") not in ("ms", "ns"):
            problems.append(f"displayTimeUnit {obj['displayTimeUnit']!r} is not ms or ns")
    elif isinstance(obj, list):
        events = obj
    else:
        return ["a trace is a JSON object or array"]
    slices: dict[tuple, list] = {}
    flows: dict[tuple, dict[str, dict]] = {}
    for n, e in enumerate(events):
        where = f"event {n}"
        if not isinstance(e, dict):
            problems.append(f"{where}: not an object")
            continue
        ph = e.get("ph")
        if ph not in _PHASES:
            problems.append(f"{where}: bad ph {ph!r}")
            continue
        for key in ("pid", "tid"):
            if key in e and (not isinstance(e[key], int) or isinstance(e[key], bool)):
                problems.append(f"{where}: {key} is not an integer")
        if "pid" not in e:
            problems.append(f"{where}: no pid")
        if ph == "M":
            key = _METADATA.get(e.get("name"))
            if key is None:
                problems.append(f"{where}: unknown metadata {e.get('name')!r}")
            elif not isinstance(e.get("args"), dict) or key not in e["args"]:
                problems.append(f"{where}: metadata {e['name']} needs args.{key}")
            if e.get("name", "").startswith("thread") and "tid" not in e:
                problems.append(f"{where}: thread metadata without tid")
            continue
        if "tid" not in e:
            problems.append(f"{where}: no tid")
        if not _number(e.get("ts")):
            problems.append(f"{where}: ts is not a finite number")
            continue
        if ph != "f" and ph != "E" and not isinstance(e.get("name"), str):
            problems.append(f"{where}: {ph} event without a name")
        if "args" in e and not isinstance(e["args"], dict):
            problems.append(f"{where}: args is not an object")
        track = (e.get("pid"), e.get("tid"))
        if ph == "X":
            if not _number(e.get("dur")) or e["dur"] < 0:
                problems.append(f"{where}: X without a non-negative numeric dur")
                continue
            slices.setdefault(track, []).append((e["ts"], e["dur"], n))
        elif ph in "stf":
            if "id" not in e or not isinstance(e.get("cat"), str):
                problems.append(f"{where}: flow event needs id and cat")
                continue
            if ph == "f" and e.get("bp", "e") != "e":
                problems.append(f"{where}: bad bp {e['bp']!r}")
            if ph == "t":
                continue
            ends = flows.setdefault((e["cat"], e["id"]), {})
            if ph in ends:
                problems.append(f"{where}: flow id {e['id']} has two {ph!r} events")
            ends[ph] = dict(e, track=track)
    eps = 1e-9
    for track, xs in slices.items():
        xs.sort(key=lambda s: (s[0], -s[1]))
        stack: list[float] = []
        for ts, dur, n in xs:
            while stack and ts >= stack[-1] - eps:
                stack.pop()
            if stack and ts + dur > stack[-1] + eps:
                problems.append(f"event {n}: X slice partially overlaps another on {track}")
            stack.append(ts + dur)
    for (cat, fid), ends in flows.items():
        if set(ends) != {"s", "f"}:
            problems.append(f"flow {cat}/{fid}: needs one s and one f, has {sorted(ends)}")
            continue
        if ends["f"]["ts"] < ends["s"]["ts"] - eps:
            problems.append(f"flow {cat}/{fid}: f before s")
        for ph, e in ends.items():
            if not any(ts - eps <= e["ts"] <= ts + dur + eps
                       for ts, dur, _ in slices.get(e["track"], ())):
                problems.append(f"flow {cat}/{fid}: {ph} at {e['ts']} is in no slice of "
                                f"{e['track']}")
    return problems

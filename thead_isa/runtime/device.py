# The device: one emulated NPU core, its global-memory allocator, the kernel cache and the profile.
from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..assembler import assemble
from ..assembler.program import Program
from ..core.machine import Machine
from ..core.stats import Stats

GM_ALIGN = 64                         # bytes: every allocation starts on a DMA-friendly boundary
PROFILE_KEEP = 10_000                 # segments the device's profile keeps (the most recent)


class DeviceError(RuntimeError):
    """A runtime failure on the device: out of memory, a kernel trap, a bad tensor."""


def asm_dir() -> Path:
    """The kernel library: packaged as thead_isa/_asm when installed, asm/ in a source tree."""
    packaged = Path(__file__).resolve().parents[1] / "_asm"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "asm"


@dataclass(frozen=True)
class Buffer:
    """A block of device global memory."""
    addr: int
    nbytes: int


class Allocator:
    """First-fit allocation of GM in GM_ALIGN-byte units, with coalescing frees."""

    def __init__(self, size: int):
        self.size = size
        self._free = [(0, size)]                     # sorted (start, length)
        self._used: dict[int, int] = {}

    def alloc(self, nbytes: int) -> int:
        if nbytes < 0:
            raise ValueError(f"allocation size must be >= 0, not {nbytes}")
        need = max(GM_ALIGN, -(-nbytes // GM_ALIGN) * GM_ALIGN)
        for k, (start, length) in enumerate(self._free):
            if length >= need:
                self._free[k:k + 1] = [(start + need, length - need)] if length > need else []
                self._used[start] = need
                return start
        largest = max((length for _, length in self._free), default=0)
        raise DeviceError(f"out of device global memory: {nbytes} bytes requested, largest free "
                          f"block {largest} bytes (gm_bytes = {self.size})")

    def free(self, addr: int) -> None:
        length = self._used.pop(addr, None)
        if length is None:
            raise DeviceError(f"free of 0x{addr:x}: not an allocated block")
        blocks = sorted(self._free + [(addr, length)])
        merged: list[tuple[int, int]] = []
        for start, n in blocks:
            if merged and merged[-1][0] + merged[-1][1] == start:
                merged[-1] = (merged[-1][0], merged[-1][1] + n)
            else:
                merged.append((start, n))
        self._free = merged

    @property
    def used_bytes(self) -> int:
        return sum(self._used.values())


@dataclass
class Record:
    """One profiled program segment (a layer or an op): its raw counters and derived figures."""
    name: str
    kernel: str
    counters: dict[str, int]
    config: Any
    mode: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def stats(self) -> Stats:
        return Stats.from_counters(self.counters, self.config, self.mode)

    @property
    def cycles(self) -> int:
        return self.counters["cycles"]

    @property
    def macs(self) -> int:
        return self.counters.get("macs", 0)

    @property
    def te_utilization(self) -> float | None:
        peak = self.config.te_rows * self.config.te_cols
        return self.macs / (self.cycles * peak) if self.mode == "cycle" and self.cycles else None

    @property
    def bytes_moved(self) -> int:
        return self.counters.get("gm_read", 0) + self.counters.get("gm_written", 0)

    @property
    def bound(self) -> str | None:
        """'compute' when the TE was the busiest engine, 'memory' when the ME was, else the VE
        or the CP ('vector', 'control'); None in functional mode."""
        if self.mode != "cycle":
            return None
        busy = {e: self.counters.get(f"{e}_busy", 0) for e in ("me", "te", "ve")}
        top = max(busy, key=busy.get)
        if busy[top] * 2 < self.cycles:
            return "control"
        return {"te": "compute", "me": "memory", "ve": "vector"}[top]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kernel": self.kernel, "cycles": self.cycles,
                "instructions": self.counters.get("instructions", 0), "macs": self.macs,
                "te_utilization": self.te_utilization, "bytes_moved": self.bytes_moved,
                "bound": self.bound, **self.extra}


def _diff(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items()}


class Device:
    """One emulated NPU core (thead_isa.core.Machine) in `mode`, with a GM allocator,
    upload/download of numpy arrays, a cache of assembled kernel programs and a profile of the
    segments run (the last PROFILE_KEEP)."""

    def __init__(self, config: Any = "default", mode: str = "functional"):
        self.machine = Machine(config, mode)
        self.config = self.machine.config
        self.mode = mode
        self.allocator = Allocator(self.config.gm_bytes)
        self.profile: deque[Record] = deque(maxlen=PROFILE_KEEP)
        self._programs: dict[str, Program] = {}
        self._resident: Program | None = None

    # ---- memory ----
    def alloc(self, nbytes: int) -> Buffer:
        return Buffer(self.allocator.alloc(nbytes), nbytes)

    def free(self, buf: Buffer) -> None:
        self.allocator.free(buf.addr)

    def upload(self, array: np.ndarray, buf: Buffer | None = None) -> Buffer:
        raw = np.ascontiguousarray(array).view(np.uint8).reshape(-1)
        if buf is None:
            buf = self.alloc(raw.size)
        elif raw.size > buf.nbytes:
            raise DeviceError(f"{raw.size} bytes do not fit a buffer of {buf.nbytes}")
        self.machine.gm[buf.addr:buf.addr + raw.size] = raw
        return buf

    def download(self, buf: Buffer, dtype: Any, shape: tuple[int, ...]) -> np.ndarray:
        dtype = np.dtype(dtype)
        n = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if n > buf.nbytes:
            raise DeviceError(f"{n} bytes requested from a buffer of {buf.nbytes}")
        return self.machine.gm[buf.addr:buf.addr + n].view(dtype).reshape(shape).copy()

    # ---- programs ----
    def program(self, source: str, name: str = "<kernel>") -> Program:
        """Assemble `source` against the kernel library, once per distinct text."""
        key = hashlib.sha256(source.encode()).hexdigest()
        prog = self._programs.get(key)
        if prog is None:
            prog = assemble(source, filename=name, include_dirs=[str(asm_dir())])
            data = [s.name for s in prog.sections.values() if s.memory != "imem" and s.length]
            if data:
                raise DeviceError(f"{name}: a device program holds code only; sections "
                                  f"{', '.join(data)} would overwrite GM")
            self._programs[key] = prog
        return prog

    def run(self, program: Program, segments: list[tuple[str, str]],
            max_instructions: int | None = None) -> list[Record]:
        """Run `program` from its entry: each segment ends at a `halt x0`; segments name
        (name, kernel) in order. Returns (and appends to the profile) one Record per segment."""
        m = self.machine
        if m.stopped and m.trap is not None:
            m.reset()
            self._resident = None
        if self._resident is not program:
            m.load(program)                       # IMEM only: Device.program admits no data
            self._resident = program
        records = []
        pc = program.entry
        before = m.counters()
        for name, kernel in segments:
            m.restart(pc)
            result = m.run(max_instructions=max_instructions)
            if result.trap is not None:
                raise DeviceError(f"kernel {kernel} ({name}) trapped: {result.trap}")
            if result.exit_code != 0:
                raise DeviceError(f"kernel {kernel} ({name}) halted with exit code "
                                  f"{result.exit_code}")
            after = result.counters
            records.append(Record(name, kernel, _diff(after, before), self.config, self.mode))
            before = after
            pc = m.pc + 8
        self.profile.extend(records)
        return records

# The emulator's Python API: Machine(config, mode) with load, run, step, registers, CSRs, memories.
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from ..assembler.program import Program
from ..isa.config import HardwareConfig, load_config
from ..isa.csrs import BY_NAME as CSR_BY_NAME, BY_NUMBER as CSR_BY_NUMBER
from ..isa.encoding import pack
from ..isa.operands import NUM_SEMS, NUM_XREGS
from ..isa.traps import Cause
from .loop import Core
from .predecode import CONFIG_CSRS, CONSTANT_CSRS, COUNTER_SHIFT

MASK32 = 0xFFFFFFFF
DEFAULT_MAX_INSTRUCTIONS = 1_000_000_000
LIMIT_MAX = 2**63 - 1
MODES = ("functional", "cycle")
MEMORIES = ("imem", "gm", "lm", "acc")
_SLOT = {c.name: n for n, c in enumerate(CONFIG_CSRS)}
_CONSTANT = {c.name: n for n, c in enumerate(CONSTANT_CSRS)}


@dataclass(frozen=True)
class TrapReport:
    cause: Cause
    pc: int
    word: int                  # the instruction word (0 when the fetch itself failed)
    tval: int
    message: str
    source: str | None = None  # "file:line" from the program's line table

    def __str__(self) -> str:
        where = f" ({self.source})" if self.source else ""
        return f"{self.cause.label} at pc 0x{self.pc:x}{where}: {self.message}"


@dataclass(frozen=True)
class RunResult:
    exit_code: int | None      # x[rs1] of the halt, None unless halted
    trap: TrapReport | None    # the machine's trap, or a watchdog report (the machine can resume)
    instructions: int          # retired by this call
    halted: bool
    cycles: int = 0            # the machine's cycle count since reset (functional: instret)
    counters: dict | None = field(default=None, compare=False, repr=False)   # raw, since reset
    _source: Any = field(default=None, compare=False, repr=False)          # (config, mode)

    @property
    def stats(self):
        """thead_isa.core.stats.Stats of everything since reset, derived on first use."""
        if self.counters is None:
            return None
        from .stats import Stats
        return Stats.from_counters(self.counters, *self._source)

    @property
    def watchdog(self) -> bool:
        return self.trap is not None and self.trap.cause == Cause.WATCHDOG


class Machine:
    """One NPU core. Functional mode executes in program order, every engine instruction
    complete at dispatch, exactly as thead_isa.refmodel.RefMachine; cycle mode runs the engines
    concurrently with the CP on the timing model of docs/timing.md."""

    def __init__(self, config: str | Path | HardwareConfig = "default", mode: str = "functional"):
        self.config = _resolve_config(config)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self._core = Core(self.config, mode)
        self.program: Program | None = None
        self.x = Registers(self._core)
        self.csr = Csrs(self._core)
        self.sem = Semaphores(self._core)

    # ---- memories: numpy arrays the compiled core reads and writes in place ----
    @property
    def gm(self) -> np.ndarray:
        return self._core.gm

    @property
    def lm(self) -> np.ndarray:
        return self._core.lm

    @property
    def acc(self) -> np.ndarray:
        return self._core.acc

    @property
    def imem(self) -> np.ndarray:
        """Read-only: IMEM is predecoded, so it changes only through load() or write()."""
        view = self._core.imem.view()
        view.flags.writeable = False
        return view

    # ---- scalar state ----
    @property
    def pc(self) -> int:
        return self._core.pc

    @pc.setter
    def pc(self, value: int) -> None:
        self._core.pc = value                    # a multiple of 8, else ValueError

    @property
    def instret(self) -> int:
        return self._core.instret

    @property
    def halted(self) -> bool:
        return self._core.halted

    @property
    def exit_code(self) -> int | None:
        return self._core.exit_code

    @property
    def trap(self) -> TrapReport | None:
        t = self._core.trap
        return None if t is None else TrapReport(*t, source=self.source_of(t[1]))

    @property
    def stopped(self) -> bool:
        return self._core.stopped

    def reset(self) -> None:
        """Every register, CSR, semaphore and memory to its reset value (the program is gone)."""
        self._core.reset()
        self.program = None

    def restart(self, pc: int | None = None) -> None:
        """Run again after a halt, from pc (default: the loaded Program's entry, else 0).
        Registers, CSRs, semaphores, memories and counters are kept; a trapped machine must be
        reset first."""
        if self._core.trap is not None:
            raise RuntimeError(f"the machine trapped ({self.trap}); reset() it before running")
        self._core.restart()
        self.pc = (self.program.entry if self.program is not None else 0) if pc is None else pc

    # ---- programs ----
    def load(self, program: Program | bytes | bytearray | Iterable[int], at: int = 0) -> None:
        """Place a program: instruction words or an IMEM image at `at`, or an assembled Program
        (.text-like sections in IMEM, data sections in GM, nobits zeroed; pc = its entry)."""
        if isinstance(program, Program):
            if program.entry % 8:
                raise ValueError(f"entry 0x{program.entry:x} is not a multiple of 8")
            parts = [(s.memory, s.addr, bytes(s.length) if s.nobits else bytes(s.data),
                      f"section {s.name}") for s in program.sections.values()]
        else:
            raw = isinstance(program, (bytes, bytearray))
            data = bytes(program) if raw else pack(list(program))
            parts = [("imem", at, data, "program")]
        for mem, addr, data, what in parts:            # check everything before writing anything
            self._check_fits(mem, addr, len(data), what)
        for mem, addr, data, what in parts:
            self._place(mem, addr, np.frombuffer(data, np.uint8), what)
        if isinstance(program, Program):
            self.program = program
            self.pc = program.entry
        self._core.decode()

    def source_of(self, pc: int) -> str | None:
        """'file:line' of the instruction at pc, when the loaded Program's line table knows it."""
        entry = self.program.line_of(pc) if self.program is not None else None
        return f"{entry.file}:{entry.line}" if entry else None

    @property
    def cycles(self) -> int:
        """Cycles since reset (cycle mode: the CP's cycle; functional mode: instret)."""
        return self._core.cycles

    def counters(self) -> dict[str, int]:
        """The raw counters since reset (Stats.from_counters derives the figures)."""
        return self._core.counters()

    @property
    def stats(self):
        """Stats of everything since reset (thead_isa.core.stats)."""
        from .stats import Stats
        return Stats.from_counters(self.counters(), self.config, self.mode)

    # ---- execution ----
    def run(self, max_instructions: int | None = None, max_cycles: int | None = None,
            observers: Iterable[Any] = ()) -> RunResult:
        """Run until halt or trap. After max_instructions instructions (this call), or once the
        machine reaches cycle max_cycles (cycle mode, counted from reset), the result reports a
        watchdog trap and the machine stays runnable. Each observer gets feed(events) with the
        batches of thead_isa.core.events.EVENT records; closing them is the caller's (a later run
        may feed them more)."""
        limit = DEFAULT_MAX_INSTRUCTIONS if max_instructions is None else max_instructions
        _check_limit("max_instructions", limit)
        cycle_limit = LIMIT_MAX
        if max_cycles is not None:
            _check_limit("max_cycles", max_cycles)
            if self.mode == "cycle":
                cycle_limit = max_cycles
            else:                                   # functional mode: one cycle per instruction
                limit = min(limit, max(0, max_cycles - self.instret))
        observers = list(observers)
        n = 0
        while True:
            n += self._core.run(limit - n, cycle_limit, bool(observers))
            if observers:
                batch = self._core.take_events()
                for o in observers:
                    o.feed(batch)
            if not self._core.events_pending:
                break
        trap = self.trap
        if trap is None and not self.halted:
            if self.mode == "cycle":        # it stopped early: only the cycle limit does that
                by_cycles = n < limit
            else:
                by_cycles = max_cycles is not None and self.cycles >= max_cycles
            if by_cycles:
                trap = self._watchdog(f"cycle {max_cycles} reached (max_cycles={max_cycles})",
                                      max_cycles)
            elif n == limit:
                trap = self._watchdog(f"{limit} instructions retired (max_instructions={limit})",
                                      limit)
        return RunResult(self.exit_code, trap, n, self.halted, self.cycles, self.counters(),
                         (self.config, self.mode))

    def step(self) -> RunResult:
        """Execute one CP instruction (nothing once the machine has halted or trapped)."""
        n = self._core.run(1)
        return RunResult(self.exit_code, self.trap, n, self.halted, self.cycles)

    def _watchdog(self, what: str, limit: int) -> TrapReport:
        pc = self.pc
        fits = 0 <= pc <= len(self.imem) - 8
        word = int(self._core.imem[pc:pc + 8].view("<u8")[0]) if fits else 0
        return TrapReport(Cause.WATCHDOG, pc, word, limit,
                          f"watchdog: {what} without halt or trap; the machine can continue",
                          self.source_of(pc))

    # ---- memory access by symbol or address ----
    def read(self, where: str | int, dtype: Any = None, shape: int | tuple[int, ...] = 1,
             mem: str | None = None) -> np.ndarray:
        """A view of `shape` elements of dtype at a symbol or address (ACC addresses are words).
        dtype defaults to the memory's element type (uint8; int32 for ACC)."""
        mem, addr = self._resolve(where, mem)
        dtype = np.dtype(self._memory(mem).dtype if dtype is None else dtype)
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return self._bytes(mem, addr, dtype.itemsize * math.prod(shape)).view(dtype).reshape(shape)

    def write(self, where: str | int, data: Any, dtype: Any = None, mem: str | None = None) -> None:
        """Store data (an array, bytes, or a sequence of dtype values) at a symbol or address."""
        mem, addr = self._resolve(where, mem)
        if isinstance(data, (bytes, bytearray, memoryview)):
            arr = np.frombuffer(bytes(data), np.uint8)
        else:
            if dtype is None and not isinstance(data, np.ndarray):
                dtype = self._memory(mem).dtype
            arr = np.asarray(data, dtype=dtype)
        raw = np.ascontiguousarray(arr).reshape(-1).view(np.uint8)
        self._place(mem, addr * self._memory(mem).itemsize, raw, f"{raw.nbytes} bytes")
        if mem == "imem":
            self._core.decode()

    def _resolve(self, where: str | int, mem: str | None) -> tuple[str, int]:
        if mem is not None and mem not in MEMORIES:
            raise ValueError(f"mem must be one of {', '.join(MEMORIES)}, not {mem!r}")
        if isinstance(where, str):
            sym = self.program.symbols.get(where) if self.program is not None else None
            if sym is None:
                raise KeyError(f"unknown symbol {where!r}")
            home = self.program.sections[sym.section].memory if sym.section else None
            if mem is not None and home is not None and mem != home:
                raise ValueError(f"symbol {where!r} is in {home.upper()}, not {mem.upper()}")
            return mem or home or "gm", sym.value
        if isinstance(where, bool) or not isinstance(where, (int, np.integer)) or where < 0:
            raise ValueError(f"address must be a non-negative integer or a symbol, not {where!r}")
        return mem or "gm", int(where)

    def _memory(self, mem: str) -> np.ndarray:
        return getattr(self._core, mem)

    def _bytes(self, mem: str, addr: int, nbytes: int) -> np.ndarray:
        target = self._memory(mem)
        start = addr * target.itemsize
        raw = target.view(np.uint8)
        if start + nbytes > raw.nbytes:
            raise ValueError(f"{nbytes} bytes at {mem.upper()} address 0x{addr:x} do not fit "
                             f"{mem.upper()} of {raw.nbytes} bytes")
        view = raw[start:start + nbytes]
        if mem == "imem":
            view.flags.writeable = False
        return view

    def _check_fits(self, mem: str, start: int, nbytes: int, what: str) -> None:
        size = self._memory(mem).nbytes
        if start < 0 or start + nbytes > size:
            raise ValueError(f"{what}: {nbytes} bytes at 0x{start:x} do not fit "
                             f"{mem.upper()} of {size} bytes")

    def _place(self, mem: str, start: int, raw: np.ndarray, what: str) -> None:
        self._check_fits(mem, start, raw.nbytes, what)
        self._memory(mem).view(np.uint8)[start:start + raw.nbytes] = raw

    # ---- comparison with the reference model ----
    def snapshot(self) -> dict[str, Any]:
        """The architectural state in thead_isa.refmodel.state.MachineState.snapshot() form."""
        c = self._core
        trap = c.trap
        return {
            "x": tuple(c.get_x(i) for i in range(NUM_XREGS)),
            "pc": c.pc,
            "csr": dict(sorted((cs.number, c.get_csr(k)) for k, cs in enumerate(CONFIG_CSRS))),
            "instret": c.instret,
            "imem": c.imem.tobytes(),
            "gm": c.gm.tobytes(),
            "lm": c.lm.tobytes(),
            "acc": c.acc.tobytes(),
            "sem": tuple(c.get_sem(k) for k in range(NUM_SEMS)),
            "halted": c.halted,
            "exit_code": c.exit_code,
            "trap": None if trap is None else (trap[0], trap[1], trap[3]),
        }


class Registers:
    """machine.x[i]: unsigned 32-bit values; x0 reads 0 and ignores writes."""

    def __init__(self, core: Core):
        self._core = core

    def __len__(self) -> int:
        return NUM_XREGS

    def __getitem__(self, i: int) -> int:
        return self._core.get_x(_index(i, NUM_XREGS, "register"))

    def __setitem__(self, i: int, value: int) -> None:
        self._core.set_x(_index(i, NUM_XREGS, "register"), int(value) & MASK32)

    def __iter__(self) -> Iterator[int]:
        return (self[i] for i in range(NUM_XREGS))

    def __repr__(self) -> str:
        return f"Registers({list(self)})"


class Semaphores:
    """machine.sem[i]: counts 0..SEM_MAX."""

    def __init__(self, core: Core):
        self._core = core

    def __len__(self) -> int:
        return NUM_SEMS

    def __getitem__(self, i: int) -> int:
        return self._core.get_sem(_index(i, NUM_SEMS, "semaphore"))

    def __setitem__(self, i: int, value: int) -> None:
        self._core.set_sem(_index(i, NUM_SEMS, "semaphore"), value)     # 0..SEM_MAX

    def __iter__(self) -> Iterator[int]:
        return (self[i] for i in range(NUM_SEMS))

    def __repr__(self) -> str:
        return f"Semaphores({list(self)})"


class Csrs:
    """machine.csr['te_m'] or machine.csr[0x810]: every CSR readable, configuration CSRs
    writable (as csrw: any 32-bit value)."""

    def __init__(self, core: Core):
        self._core = core

    def __getitem__(self, key: str | int) -> int:
        name = _csr_name(key)
        if name in _SLOT:
            return self._core.get_csr(_SLOT[name])
        if name == "estat":
            return self._core.estat
        if name in COUNTER_SHIFT:
            count = self._core.cycles if name.startswith("cycle") else self._core.instret
            return (count >> COUNTER_SHIFT[name]) & MASK32
        return self._core.get_constant(_CONSTANT[name])

    def __setitem__(self, key: str | int, value: int) -> None:
        name = _csr_name(key)
        if name not in _SLOT:
            raise ValueError(f"CSR {name} is read-only")
        self._core.set_csr(_SLOT[name], int(value) & MASK32)

    def __contains__(self, key: object) -> bool:
        return key in CSR_BY_NAME or key in CSR_BY_NUMBER

    def __iter__(self) -> Iterator[str]:
        return iter(CSR_BY_NAME)

    def __repr__(self) -> str:
        return "Csrs({" + ", ".join(f"{n!r}: {self[n]}" for n in self) + "})"


def _check_limit(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
            0 <= value <= LIMIT_MAX):
        raise ValueError(f"{name} must be an integer in [0, {LIMIT_MAX}], not {value!r}")


def _index(i: int, n: int, what: str) -> int:
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < n:
        raise IndexError(f"{what} index must be in [0, {n - 1}], not {i!r}")
    return int(i)


def _csr_name(key: str | int) -> str:
    c = CSR_BY_NAME.get(key) if isinstance(key, str) else CSR_BY_NUMBER.get(key)
    if c is None:
        raise KeyError(f"unknown CSR {key!r}")
    return c.name


def _resolve_config(config: str | Path | HardwareConfig) -> HardwareConfig:
    if isinstance(config, HardwareConfig):
        return config
    if isinstance(config, (str, Path)):
        return load_config(config)
    raise TypeError(f"config must be a preset name, a .toml path or a HardwareConfig, "
                    f"not {type(config).__name__}")

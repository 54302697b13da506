# `thead-run`: run an NPU program (ELF or assembly source) on the emulator core; docs/running.md.
from __future__ import annotations

import argparse
import difflib
import inspect
import io
import json
import math
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import CliError, read_bytes, silence_stdout, write_outputs

PROG = "thead-run"

# Exit status (docs/running.md). A halted program's own exit code is x[rs1] & 0xFF, so it can
# take any of these values too; the message on stderr tells them apart.
EXIT_USAGE = 2          # bad command line (argparse convention, as thead-as)
EXIT_RACE = 123         # --check-races found a race (the program halted)
EXIT_WATCHDOG = 124     # --max-instructions / --max-cycles reached (as timeout(1))
EXIT_TRAP = 125         # the program trapped
EXIT_INPUT = 126        # cannot run: unreadable or invalid program, config, --load/--dump, mode
EXIT_INTERNAL = 127     # a bug in thead-run or the emulator (one line; THEAD_RUN_DEBUG=1: trace)
EXIT_INTERRUPT = 130    # Ctrl-C
EXIT_PIPE = 141         # stdout closed early

SOURCE_SUFFIXES = (".s", ".S", ".asm")
MAX_LIMIT = 2**63 - 1   # --max-cycles / --max-instructions
_NAME = re.compile(r"[A-Za-z_.$][\w.$]*")
_SHAPE = re.compile(r"\d+(?:[,x]\d+)*")
_DTYPE_KINDS = "biuf"   # bool, signed, unsigned, float


class RunError(Exception):
    """A one-line failure with its exit status (`thead-run: error: <message>`); an empty message
    prints nothing (the diagnostics were already printed)."""

    def __init__(self, message: str, status: int = EXIT_INPUT):
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):                     # one line, not usage + error
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# ---- command-line value types ----
def _count(text: str) -> int:
    try:
        n = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negative")
    if n > MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"'{text}' is larger than {MAX_LIMIT} (2^63 - 1)")
    return n


@dataclass(frozen=True)
class LoadSpec:
    symbol: str
    path: str


@dataclass(frozen=True)
class DumpSpec:
    symbol: str
    path: str
    dtype: np.dtype
    shape: tuple[int, ...] | None        # None: as many elements as the symbol has room for


def _symbol_and_rest(text: str, form: str) -> tuple[str, str]:
    name, eq, rest = text.partition("=")
    if not eq or not rest:
        raise argparse.ArgumentTypeError(f"'{text}' is not {form}")
    if not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(f"'{name}' is not a symbol name (in '{text}')")
    return name, rest


def _dtype(text: str) -> np.dtype:
    try:
        dt = np.dtype(text)
    except (TypeError, ValueError):
        dt = None
    if dt is None or dt.kind not in _DTYPE_KINDS or dt.byteorder == ">" or dt.fields:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a numeric little-endian dtype (e.g. int8, uint8, int32, float32)")
    return dt.newbyteorder("<") if dt.byteorder == "=" else dt


def _shape(text: str) -> tuple[int, ...]:
    compact = text.strip().strip("()[]").replace(" ", "")
    if not _SHAPE.fullmatch(compact):
        raise argparse.ArgumentTypeError(f"'{text}' is not a shape (e.g. 4,10 or 4x10)")
    shape = tuple(int(n) for n in re.split(r"[,x]", compact))
    if 0 in shape:
        raise argparse.ArgumentTypeError(f"shape '{text}' has a zero dimension")
    return shape


def load_spec(text: str) -> LoadSpec:
    return LoadSpec(*_symbol_and_rest(text, "SYMBOL=FILE.npy"))


def dump_spec(text: str) -> DumpSpec:
    name, rest = _symbol_and_rest(text, "SYMBOL=FILE.npy[:DTYPE[:SHAPE]]")
    parts = rest.rsplit(":", 2)
    path, dtype, shape = parts[0], np.dtype(np.uint8), None
    if len(parts) >= 2:
        dtype = _dtype(parts[1])
    if len(parts) == 3:
        shape = _shape(parts[2])
    if not path:
        raise argparse.ArgumentTypeError(f"'{text}': empty file name")
    return DumpSpec(name, path, dtype, shape)


def parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog=PROG,
        description="Run an NPU program on the emulator: an ELF executable (thead-as output) or "
        "an assembly source file (.s, .S, .asm; assembled on the fly). The exit status is the "
        "program's exit code (x[rs1] of its halt, low 8 bits); traps, the watchdog and errors "
        f"have their own: usage {EXIT_USAGE}, race {EXIT_RACE}, watchdog {EXIT_WATCHDOG}, "
        f"trap {EXIT_TRAP}, input error {EXIT_INPUT}, internal error {EXIT_INTERNAL} "
        "(docs/running.md).")
    ap.add_argument("program", metavar="PROGRAM",
                    help="ELF executable, or assembly source (.s/.S/.asm, or - for stdin)")
    ap.add_argument("--config", default="default", metavar="PRESET|FILE.toml",
                    help="hardware configuration: small, default (the default), hg800, or a "
                    "TOML file")
    ap.add_argument("--mode", choices=("cycle", "functional"), default=None,
                    help="cycle (default): engines run concurrently with the timing model; "
                    "functional: program order, no timing, fastest")
    ap.add_argument("--max-cycles", type=_count, metavar="N",
                    help="watchdog: stop after N cycles (exit status 124)")
    ap.add_argument("--max-instructions", type=_count, metavar="N",
                    help="watchdog: stop after N retired instructions (exit status 124; "
                    "default 10^9)")
    ap.add_argument("--load", action="append", default=[], type=load_spec,
                    metavar="SYMBOL=FILE.npy",
                    help="before the run, write the raw bytes of a .npy array (its own dtype, "
                    "little-endian, C order) at a data symbol; it must fit before the next "
                    "symbol")
    ap.add_argument("--dump", action="append", default=[], type=dump_spec,
                    metavar="SYMBOL=FILE.npy[:DTYPE[:SHAPE]]",
                    help="after the run, save the memory at a data symbol as a .npy array "
                    "(DTYPE default uint8, SHAPE e.g. 4,10; default: all the symbol's bytes)")
    ap.add_argument("-I", dest="include", action="append", default=[], metavar="DIR",
                    help="assembly source: add DIR to the .include / .incbin search path")
    ap.add_argument("--stats", action="store_true",
                    help="print run statistics on stdout after the run")
    ap.add_argument("--json", action="store_true",
                    help="with --stats (implied): print the statistics and the outcome as JSON")
    ap.add_argument("--trace", metavar="FILE",
                    help="write a Chrome trace-event JSON file (Perfetto, chrome://tracing)")
    ap.add_argument("--check-races", action="store_true",
                    help="report unsynchronised conflicting accesses by different units on "
                    f"stderr (exit status {EXIT_RACE} if any)")
    ap.add_argument("--log", nargs="?", const="-", metavar="FILE",
                    help="commit log: one line per retired CP instruction, to FILE or stdout "
                    "(write --log=FILE, or put --log after PROGRAM)")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(sys.argv[1:] if argv is None else list(argv))
    args.stats |= args.json
    if args.json and args.log == "-":
        ap.error("--json and --log without a FILE would both write to stdout (use --log=FILE)")
    return guarded(lambda: execute(args))


def guarded(body) -> int:
    """Run body() with every failure reduced to one line on stderr and a documented status."""
    try:
        return body()
    except RunError as e:
        if str(e):
            print(f"{PROG}: error: {e}", file=sys.stderr)
        return e.status
    except CliError as e:                           # read_bytes / write_outputs failures
        if str(e):
            print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPT
    except BrokenPipeError:
        silence_stdout()
        return EXIT_PIPE
    except Exception as e:                          # noqa: BLE001 - never a traceback
        if os.environ.get("THEAD_RUN_DEBUG"):
            raise
        detail = str(e).splitlines()[0] if str(e) else ""
        print(f"{PROG}: internal error: {type(e).__name__}"
              f"{': ' + detail if detail else ''} (set THEAD_RUN_DEBUG=1 for a traceback)",
              file=sys.stderr)
        return EXIT_INTERNAL


# ---- loading the program ----
def read_program(path: str, include: list[str]):
    """A Program from an ELF file, or from assembly source assembled on the fly."""
    from ..assembler.elf import ObjectFormatError, read_elf

    data = read_bytes(path)
    if data[:4] == b"\x7fELF":
        try:
            return read_elf(data, path)
        except ObjectFormatError as e:
            raise RunError(str(e)) from None
    if path != "-" and not path.endswith(SOURCE_SUFFIXES):
        raise RunError(f"'{path}' is neither an ELF executable nor assembly source "
                       f"(source files end in {', '.join(SOURCE_SUFFIXES)})")
    return assemble_source(data, "<stdin>" if path == "-" else path, include)


def assemble_source(data: bytes, filename: str, include: list[str]):
    from ..assembler import AssemblyError, assemble

    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RunError(f"'{filename}' is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                       f"{e.start})") from None
    # a file's own directory comes first in the search path, as with thead-as
    try:
        program = assemble(source, filename=filename, include_dirs=include)
    except AssemblyError as e:
        for d in e.diagnostics:
            print(d.format(), file=sys.stderr)
        raise RunError("") from None
    for w in program.warnings:
        print(w.format(), file=sys.stderr)
    return program


# ---- symbols ----
def symbol_extent(program, name: str, option: str) -> tuple[int, str]:
    """(bytes from the symbol to the next symbol or the end of its section, what ends it) for a
    label in a data section; RunError for anything else."""
    sym = program.symbols.get(name)
    if sym is None:
        close = difflib.get_close_matches(name, [s for s, v in program.symbols.items()
                                                 if v.section is not None], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise RunError(f"{option} {name}: no such symbol in the program{hint}")
    if sym.section is None:
        raise RunError(f"{option} {name}: '{name}' is an absolute symbol (.equ/.set), not a "
                       f"label in a data section")
    sec = program.sections.get(sym.section)
    if sec is None or sec.memory != "gm":
        raise RunError(f"{option} {name}: '{name}' is in code ({sym.section}), not in a data "
                       f"section")
    end, what = sec.addr + sec.length, f"the end of {sec.name}"
    for other in program.symbols.values():
        if other.section == sym.section and sym.value < other.value < end:
            end, what = other.value, f"'{other.name}'"
    return end - sym.value, what


def read_npy(path: str) -> np.ndarray:
    data = read_bytes(path)
    try:
        arr = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise RunError(f"'{path}' is not a valid .npy file: {reason}") from None
    if not isinstance(arr, np.ndarray):               # an .npz archive
        raise RunError(f"'{path}' is an .npz archive, not a .npy array")
    if arr.dtype.kind not in _DTYPE_KINDS + "c" or arr.dtype.fields:
        raise RunError(f"'{path}': dtype {arr.dtype} is not a plain numeric type")
    return np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"), copy=False))


def _describe(arr: np.ndarray) -> str:
    return f"{arr.dtype} {list(arr.shape)}, {arr.nbytes} bytes"


def apply_loads(machine, program, loads: list[LoadSpec]) -> None:
    for spec in loads:
        room, until = symbol_extent(program, spec.symbol, "--load")
        arr = read_npy(spec.path)
        if arr.nbytes > room:
            raise RunError(f"--load {spec.symbol}: '{spec.path}' ({_describe(arr)}) does not fit: "
                           f"'{spec.symbol}' has room for {room} bytes (up to {until})")
        machine.write(spec.symbol, arr.tobytes())


def check_dumps(program, dumps: list[DumpSpec]) -> list[tuple[DumpSpec, tuple[int, ...]]]:
    """Validate every --dump before the run (a typo should not waste a long run)."""
    out = []
    for spec in dumps:
        room, until = symbol_extent(program, spec.symbol, "--dump")
        size = spec.dtype.itemsize
        shape = spec.shape if spec.shape is not None else (room // size,)
        nbytes = math.prod(shape) * size
        if nbytes > room or nbytes == 0:
            raise RunError(f"--dump {spec.symbol}: {spec.dtype} {list(shape)} is {nbytes} bytes, "
                           f"but '{spec.symbol}' has room for {room} bytes (up to {until})")
        out.append((spec, shape))
    return out


def write_dumps(machine, dumps: list[tuple[DumpSpec, tuple[int, ...]]]) -> None:
    outputs = []
    for spec, shape in dumps:
        arr = np.array(machine.read(spec.symbol, spec.dtype, shape))      # a copy
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        outputs.append((spec.path, buf.getvalue()))
    write_outputs(outputs)


# ---- running ----
def make_machine(config, mode: str | None):
    """Machine(config, mode); the default mode is cycle, falling back to functional (with a note)
    while the core has no cycle mode."""
    from ..core.machine import Machine

    try:
        return Machine(config, mode or "cycle")
    except NotImplementedError as e:
        if mode is not None:
            raise RunError(f"--mode {mode} is not available: {e}") from None
        print(f"{PROG}: note: cycle mode is not available in this build; running in "
              f"functional mode", file=sys.stderr)
        return Machine(config, "functional")


def make_observers(args, program, config) -> list:
    observers = []
    wanted = [("trace", args.trace is not None, "trace", "TraceWriter"),
              ("check-races", args.check_races, "races", "RaceChecker"),
              ("log", args.log is not None, "commitlog", "CommitLog")]
    for option, on, module, name in wanted:
        if not on:
            continue
        try:
            mod = __import__(f"thead_isa.core.{module}", fromlist=[name])
            cls = getattr(mod, name)
        except (ImportError, AttributeError):
            raise RunError(f"--{option} is not available in this build "
                           f"(thead_isa.core.{module}.{name} is missing)") from None
        try:
            if name == "TraceWriter":
                observers.append(cls(args.trace, program, config))
            elif name == "RaceChecker":
                observers.append(cls(program))
            else:
                observers.append(cls(sys.stdout if args.log == "-" else args.log, program))
        except OSError as e:
            target = args.trace if name == "TraceWriter" else args.log
            raise RunError(f"--{option}: cannot write '{target}': {e.strerror or e}") from None
    return observers


def run_machine(machine, args, observers: list):
    params = inspect.signature(machine.run).parameters
    kwargs: dict[str, Any] = {}
    limit_i = args.max_instructions
    if args.max_cycles is not None:
        if machine.mode == "functional":
            # functional mode counts one cycle per retired instruction: the limit is the same
            limit_i = args.max_cycles if limit_i is None else min(limit_i, args.max_cycles)
        elif "max_cycles" in params:
            kwargs["max_cycles"] = args.max_cycles
        else:
            raise RunError("--max-cycles is not supported by this build of the core")
    if limit_i is not None:
        kwargs["max_instructions"] = limit_i
    if observers:
        if "observers" not in params:
            raise RunError("--trace, --check-races and --log are not supported by this build of "
                           "the core (Machine.run has no observers)")
        kwargs["observers"] = observers
    try:
        result = machine.run(**kwargs)
    except BaseException:
        for ob in observers:
            getattr(ob, "abort", lambda: None)()
        raise
    close = getattr(machine, "close_observers", None)
    if observers and callable(close):
        close()
    for ob in observers:                            # idempotent; the watchdog leaves them open
        ob.close()
    return result


def trap_line(trap, program) -> str:
    """One line: cause, pc, source file:line, the instruction, the message."""
    from ..assembler.disassemble import disassemble_word
    from ..isa.traps import Cause

    where = f" ({trap.source})" if getattr(trap, "source", None) else ""
    insn = ""
    if trap.cause != Cause.FETCH_FAULT:
        insn = f": `{disassemble_word(trap.word, trap.pc).text}`"
    if trap.cause == Cause.WATCHDOG:
        what = trap.message.removeprefix("watchdog: ").split("; the machine can")[0]
        return f"watchdog: {what}; stopped at pc 0x{trap.pc:x}{where}{insn}"
    return f"trap: {trap.cause.label} at pc 0x{trap.pc:x}{where}{insn}: {trap.message}"


def outcome(result) -> tuple[str, int]:
    from ..isa.traps import Cause

    if result.trap is not None:
        return ("watchdog", EXIT_WATCHDOG) if result.trap.cause == Cause.WATCHDOG \
            else ("trap", EXIT_TRAP)
    if result.halted:
        return "halted", int(result.exit_code) & 0xFF
    return "stopped", EXIT_INTERNAL                # neither halted nor trapped: should not happen


def stats_of(result, machine):
    stats = getattr(result, "stats", None)
    if callable(stats) and not hasattr(stats, "text"):        # a method rather than a value
        stats = stats()
    if stats is None and callable(getattr(machine, "stats", None)):
        stats = machine.stats()
    if stats is not None:
        return stats
    return _FallbackStats(machine.mode, result.instructions, getattr(result, "cycles", None))


@dataclass
class _FallbackStats:
    """Used while the core's RunResult carries no stats."""

    mode: str
    instructions: int
    cycles: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "instructions": self.instructions, "cycles": self.cycles}

    def text(self) -> str:
        cycles = "-" if self.cycles is None else f"{self.cycles:,}"
        return (f"mode {self.mode}\ninstructions {self.instructions:,}, cycles {cycles} "
                f"(detailed statistics are not available in this build)")


def check_outputs(args) -> None:
    """No output (trace, log, dump) may overwrite an input or another output."""
    inputs = {os.path.realpath(p): p for p in [args.program] + [s.path for s in args.load]
              if p != "-"}
    outputs = [("--trace", args.trace), ("--log", None if args.log == "-" else args.log)]
    outputs += [("--dump", s.path) for s in args.dump]
    seen: dict[str, str] = {}
    for option, path in outputs:
        if path is None:
            continue
        real = os.path.realpath(path)
        if real in inputs:
            raise RunError(f"{option} {path}: that file is an input", EXIT_USAGE)
        if real in seen:
            raise RunError(f"{option} {path}: {seen[real]} writes the same file", EXIT_USAGE)
        seen[real] = option


def execute(args) -> int:
    from ..isa.config import ConfigError, load_config

    check_outputs(args)
    try:
        config = load_config(args.config)
    except ConfigError as e:
        raise RunError(f"--config: {e}") from None
    program = read_program(args.program, args.include)
    machine = make_machine(config, args.mode)
    try:
        machine.load(program)
    except ValueError as e:
        raise RunError(f"cannot load '{args.program}' on configuration {config.name}: {e}") \
            from None
    apply_loads(machine, program, args.load)
    dumps = check_dumps(program, args.dump)
    observers = make_observers(args, program, config)

    result = run_machine(machine, args, observers)
    state, status = outcome(result)
    if result.trap is not None:
        print(f"{PROG}: {trap_line(result.trap, program)}", file=sys.stderr)
    elif state == "halted" and int(result.exit_code) > 0xFF:
        print(f"{PROG}: note: exit code {result.exit_code} (0x{result.exit_code:x}) is reported "
              f"as {status}, its low 8 bits", file=sys.stderr)
    elif state == "stopped":
        print(f"{PROG}: error: the machine stopped without halt or trap", file=sys.stderr)

    races = None
    checker = next((o for o in observers if type(o).__name__ == "RaceChecker"), None)
    if checker is not None:
        races = len(checker.races)
        if races:
            print(f"{PROG}: {races} race{'s' * (races != 1)} found:\n{checker.report()}",
                  file=sys.stderr)
            if state == "halted":
                status = EXIT_RACE
        else:
            print(f"{PROG}: race check: no races", file=sys.stderr)

    write_dumps(machine, dumps)

    if args.stats:
        stats = stats_of(result, machine)
        if args.json:
            doc = {"program": args.program, "config": config.name, "mode": machine.mode,
                   "outcome": state, "exit_status": status,
                   "exit_code": result.exit_code if result.halted else None,
                   "trap": _trap_dict(result.trap), "instructions": result.instructions,
                   "cycles": getattr(result, "cycles", None), "races": races,
                   "stats": stats.as_dict()}
            sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        else:
            head = (f"{args.program}: exit code {result.exit_code}" if state == "halted"
                    else f"{args.program}: {state}")
            sys.stdout.write(f"{head}\n{stats.text()}\n")
        sys.stdout.flush()
    return status


def _trap_dict(trap) -> dict[str, Any] | None:
    if trap is None:
        return None
    return {"cause": trap.cause.label, "pc": trap.pc, "word": trap.word, "tval": trap.tval,
            "message": trap.message, "source": getattr(trap, "source", None)}


if __name__ == "__main__":
    sys.exit(main())

# Shared fuzzing machinery: seed corpora, mutators, oracles (the expected outcomes of every
# entry point) and a crash-isolating worker process.
#
# Every oracle `op_*` runs one input through one entry point and returns a tuple whose first item
# is "ok" (the input was accepted) or "expected" (it was rejected the documented way: an
# AssemblyError, an ObjectFormatError, a ConfigError, a trap, a watchdog stop, a documented CLI
# exit status). Anything else raises Bug. The oracles run inside a `Worker` subprocess, so a
# segmentation fault or a hang in the compiled code is reported (as "crash" / "hang") instead of
# killing pytest; the atheris harnesses under fuzz/ call the same oracles in-process.
from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import random
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "corpus"
REGRESSIONS = HERE / "regressions"


class Bug(AssertionError):
    """An outcome the documentation does not allow (a traceback, a wrong exit status, ...)."""


# ---------------------------------------------------------------------------------------------
# seed corpora

def source_seeds() -> list[tuple[str, bytes]]:
    """(name, bytes) of every seed source: the corpus, the golden assembler tests, programs/."""
    out = []
    for d, pattern in ((CORPUS / "asm", "*.s"), (ROOT / "tests/assembler/golden", "*.s"),
                       (ROOT / "programs", "*.s")):
        for p in sorted(d.glob(pattern)):
            out.append((str(p.relative_to(ROOT)), p.read_bytes()))
    return out


def include_dirs() -> list[str]:
    """Search path that makes the seeds' .include/.incbin resolve (and include cycles reachable)."""
    return [str(ROOT / "tests/assembler/golden/include"), str(ROOT / "tests/assembler/golden"),
            str(ROOT / "programs"), str(ROOT / "asm"), str(CORPUS / "asm")]


_ELF_SEEDS: list[tuple[str, bytes]] | None = None


def elf_seeds() -> list[tuple[str, bytes]]:
    """Valid executables: the corpus ELFs plus write_elf of every seed that assembles."""
    global _ELF_SEEDS
    if _ELF_SEEDS is None:
        from thead_isa.assembler import AssemblyError, assemble
        from thead_isa.assembler.elf import ObjectFormatError, write_elf
        out = [(str(p.relative_to(ROOT)), p.read_bytes())
               for p in sorted((CORPUS / "elf").glob("*.elf"))]
        for name, src in source_seeds():
            try:
                prog = assemble(src.decode("utf-8"), filename=str(ROOT / name),
                                include_dirs=include_dirs())
                out.append((name, write_elf(prog)))
            except (AssemblyError, ObjectFormatError, UnicodeDecodeError):
                pass
        _ELF_SEEDS = out
    return _ELF_SEEDS


# ---------------------------------------------------------------------------------------------
# mutators (driven by a random.Random, so hypothesis, atheris and the fallback share them)

TOKENS = [
    b"\x00", b"\xff", b"\xc3\x28", b"\\", b"\"", b"'", b"(", b")", b",", b":", b"#", b"/*", b"*/",
    b";", b"\n", b"\r", b"\t", b"%", b"$", b"@", b".", b"1b", b"1f", b"0x", b"-", b"~",
    b".rept 100000000\n", b".rept 1000\n.rept 1000\n", b".endr\n", b".endm\n", b".exitm\n",
    b".macro m a=1, b:vararg\n", b".macro r\nr\n.endm\nr\n", b"\\a\\()\\@", b".irp x,1,2,3\n",
    b".irpc c,abc\n", b".if 1\n", b".else\n", b".endif\n", b".ifdef x\n", b".err\n",
    b".space 0x7fffffff\n", b".space -1\n", b".fill 99999999, 8, 1\n", b".balign 65536\n",
    b".org 0x10000000\n", b".skip 1<<40\n", b".zero 3\n",
    b".include \"cycle_a.s\"\n", b".include \"nested.s\"\n", b".include \"/\"\n",
    b".include \"/dev/zero\"\n", b".incbin \"blob.bin\", 1, 999999\n", b".incbin \"/proc/self/mem\"\n",
    b".section .x, \"ax\"\n", b".section .d, \"aw\", @nobits\n", b".data\n", b".text\n", b".bss\n",
    b".equ a, a+1\n", b".set b, 1/0\n", b".globl _start\n", b".entry 4\n", b".end\n",
    b"9" * 5000, b"0x" + b"f" * 40, b"1<<63", b"-0x8000000000000000/-1", b"%hi(x)", b"%lo(x)",
    b"addi x1, x2, 4294967295\n", b"li x1, -2147483649\n", b"la x1, _start\n", b"halt x0\n",
    b"gemm x1, x2, x3, acc, wait=s15, sig=s0\n", b"csrw te_m, x1\n", b"csrwi 4095, -1\n",
    b"dma.ld x1, x2, sig=s16\n", b"x32", b"s99", b"\xef\xbb\xbf", b"\xe2\x80\xae",
]


def mutate_bytes(rng: random.Random, data: bytes, others: list[bytes], n: int | None = None) -> bytes:
    """Apply 1-8 random structural and byte-level mutations to data."""
    buf = bytearray(data)
    for _ in range(n if n is not None else rng.randint(1, 8)):
        op = rng.randrange(12)
        lines = bytes(buf).split(b"\n")
        if op == 0 and buf:                               # flip a bit
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:                             # random byte
            buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op == 2:                                     # insert a token
            i = rng.randrange(len(buf) + 1)
            buf[i:i] = rng.choice(TOKENS)
        elif op == 3 and buf:                             # delete a range
            i = rng.randrange(len(buf))
            del buf[i:i + rng.randint(1, 32)]
        elif op == 4 and len(lines) > 1:                  # delete a line
            del lines[rng.randrange(len(lines))]
            buf = bytearray(b"\n".join(lines))
        elif op == 5 and lines:                           # duplicate a line (or block)
            i = rng.randrange(len(lines))
            j = min(len(lines), i + rng.randint(1, 6))
            lines[i:i] = lines[i:j] * rng.randint(1, 3)
            buf = bytearray(b"\n".join(lines))
        elif op == 6 and others:                          # splice with another seed
            o = rng.choice(others)
            i, j = rng.randrange(len(buf) + 1), rng.randrange(len(o) + 1)
            buf = bytearray(bytes(buf[:i]) + o[j:j + rng.randint(1, 400)] + bytes(buf[i:]))
        elif op == 7 and len(lines) > 1:                  # swap two lines
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            buf = bytearray(b"\n".join(lines))
        elif op == 8:                                     # a very long line
            i = rng.randrange(len(buf) + 1)
            buf[i:i] = rng.choice([b"x", b"1+", b"(", b"a,", b" ", b"\\"]) * rng.randint(100, 5000)
        elif op == 9 and buf:                             # change a number
            digits = [k for k, c in enumerate(buf) if 48 <= c <= 57]
            if digits:
                i = rng.choice(digits)
                buf[i:i + 1] = rng.choice([b"0", b"1", b"-1", b"65536", b"2147483647",
                                           b"4294967296", b"999999999999", b"0x7fffffff"])
        elif op == 10 and buf:                            # truncate
            del buf[rng.randrange(len(buf)):]
        elif op == 11 and lines:                          # wrap a block in .rept / a macro
            i = rng.randrange(len(lines))
            j = min(len(lines), i + rng.randint(1, 4))
            head = rng.choice([b".rept %d" % rng.choice([0, 2, 64, 5000]), b".macro q\n",
                               b".if 0", b".irp v, 1, 2"])
            tail = {b".": b".endr"}.get(head[:1], b".endr")
            if head.startswith(b".macro"):
                tail = b".endm\nq"
            elif head.startswith(b".if"):
                tail = b".endif"
            lines[i:j] = [head] + lines[i:j] + [tail]
            buf = bytearray(b"\n".join(lines))
    return bytes(buf)


ELF_INTERESTING = [0, 1, 2, 7, 8, 0x34, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0x7fff, 0x8000,
                   0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff]


def mutate_elf(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    """Field-aware ELF mutations (header fields, table entries, overlapping/out-of-range
    sections) mixed with byte-level ones and truncation."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        if len(buf) < 52:
            op = 6
        if op <= 2:                                   # overwrite a 4/2/1-byte field in a table
            shoff, phoff = _elf_u32(buf, 0x20), _elf_u32(buf, 0x1c)
            shnum, phnum = _elf_u16(buf, 0x30), _elf_u16(buf, 0x2c)
            regions = [(0, 52)]
            if 0 < shoff < len(buf):
                regions.append((shoff, min(len(buf), shoff + 40 * max(shnum, 1))))
            if 0 < phoff < len(buf):
                regions.append((phoff, min(len(buf), phoff + 32 * max(phnum, 1))))
            lo, hi = rng.choice(regions)
            width = rng.choice([4, 4, 2, 1])
            if hi - lo < width:
                continue
            off = lo + rng.randrange((hi - lo - width) // width + 1) * width
            value = rng.choice(ELF_INTERESTING + [rng.getrandbits(32)])
            if rng.random() < 0.3:                    # nudge instead of replace
                old = int.from_bytes(buf[off:off + width], "little")
                value = old + rng.choice([-8, -1, 1, 8, 0x1000])
            buf[off:off + width] = (value % (1 << (8 * width))).to_bytes(width, "little")
        elif op == 3:                                 # copy one section header over another
            shoff, shnum = _elf_u32(buf, 0x20), _elf_u16(buf, 0x30)
            if shnum >= 2 and shoff + 40 * shnum <= len(buf):
                a, b = rng.randrange(shnum), rng.randrange(shnum)
                ent = bytes(buf[shoff + 40 * a:shoff + 40 * a + 40])
                if rng.random() < 0.5:                # only addr/offset/size: overlap
                    buf[shoff + 40 * b + 12:shoff + 40 * b + 24] = ent[12:24]
                else:
                    buf[shoff + 40 * b:shoff + 40 * b + 40] = ent
        elif op == 4:
            buf = bytearray(mutate_bytes(rng, bytes(buf), [], n=1))
        elif op == 5 and buf:                         # flip bytes in the payload
            for _ in range(rng.randint(1, 8)):
                buf[rng.randrange(len(buf))] = rng.randrange(256)
        elif op == 6:                                 # truncate
            del buf[rng.randrange(len(buf) + 1):]
        elif op == 7 and others:                      # graft a tail of another executable
            o = rng.choice(others)
            i = rng.randrange(len(buf) + 1)
            buf = buf[:i] + o[rng.randrange(len(o) + 1):]
    return bytes(buf)


def _elf_u32(b, off):
    return int.from_bytes(b[off:off + 4], "little") if off + 4 <= len(b) else 0


def _elf_u16(b, off):
    return int.from_bytes(b[off:off + 2], "little") if off + 2 <= len(b) else 0


# ---------------------------------------------------------------------------------------------
# random programs for the core

INTERESTING32 = [0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 1023, 1024,
                 4095, 4096, 0x7fff, 0x8000, 0xffff, 0x10000, 0xfffff, 0x100000, 0x3ffff8,
                 0x400000, 0x3fffff, 0x3ffffff, 0x4000000, 0x7ffffff8, 0x7fffffff, 0x80000000,
                 0xfffffff8, 0xffffffff]


def random_program(rng: random.Random, n_body: int = 24) -> list[int]:
    """Instruction words: registers and every engine CSR set to random or boundary values, then
    random valid instructions (any encoding of the table, random fields) or random 64-bit words,
    ending in halt."""
    from thead_isa.isa.csrs import CSRS
    from thead_isa.isa.encoding import encode
    from thead_isa.isa.table import INSTRUCTIONS
    words = []
    for r in range(1, 32):
        if rng.random() < 0.7:
            words.append(encode("addi", rd=r, rs1=0, imm=_value(rng)))
    writable = [c for c in CSRS if c.name.split("_")[0] in ("dma", "te", "win", "ve")]
    for c in writable:
        if rng.random() < 0.6:
            words.append(encode("csrwi", csr=c.number, imm=_value(rng)))
    for _ in range(rng.randint(0, n_body)):
        x = rng.random()
        if x < 0.03:
            words.append(rng.getrandbits(64))
        elif x < 0.15:
            words.append(encode("csrwi", csr=rng.choice(writable).number, imm=_value(rng)))
        else:
            insn = rng.choice(INSTRUCTIONS)
            words.append(encode(insn, **_operand_values(rng, insn)))
    words.append(encode("halt", rs1=rng.randrange(32)))
    return words


def _value(rng: random.Random) -> int:
    x = rng.random()
    if x < 0.6:
        return rng.choice(INTERESTING32)
    if x < 0.8:
        return rng.randrange(0, 300)
    return rng.getrandbits(32)


def _operand_values(rng: random.Random, insn) -> dict:
    from thead_isa.isa.operands import CsrKind, EnumKind, FlagKind, SemOptKind
    out = {}
    for o in insn.operands:
        k = o.kind
        if isinstance(k, FlagKind):
            out[o.name] = rng.random() < 0.5
        elif isinstance(k, EnumKind):
            out[o.name] = rng.choice(k.values)
        elif isinstance(k, SemOptKind):
            out[o.name] = None if rng.random() < 0.5 else rng.randint(k.lo, k.hi)
        elif isinstance(k, CsrKind):
            out[o.name] = rng.randint(k.lo, k.hi)
        else:
            lo, hi, a = -(-k.lo // k.align), k.hi // k.align, k.align
            if hi - lo > 64 and rng.random() < 0.7:       # offsets: mostly short, jumps stay near
                v = rng.choice([lo, hi, 0, 1, -1, 2, -2, 3]) if rng.random() < 0.3 \
                    else rng.randint(-8, 8)
                v = min(max(v, lo), hi)
            else:
                v = rng.randint(lo, hi)
            out[o.name] = v * a
    return out


# memory sizes are kept small so that a run allocates little; timing parameters take any value
SMALL_MEMORY = {"imem_bytes": [64, 4096, 65536], "gm_bytes": [4096, 65536, 1 << 20],
                "lm_bytes": [1024, 4096, 65536], "acc_words": [256, 1024, 4096]}


def random_config(rng: random.Random, beyond: bool = False) -> dict:
    """A config mapping: parameters within their ranges (memories small), or, with beyond, some
    values outside them or of the wrong type."""
    from thead_isa.isa.config import PARAMS
    out = {"base": rng.choice(["small", "small", "default"])}
    for p in PARAMS:
        if rng.random() < 0.5:
            continue
        if p.name in SMALL_MEMORY:
            out[p.name] = rng.choice(SMALL_MEMORY[p.name])
        elif p.kind is bool:
            out[p.name] = rng.random() < 0.5
        else:
            v = rng.choice([p.lo, p.hi, rng.randint(p.lo, min(p.hi, p.lo + 64)),
                            rng.randint(p.lo, p.hi)])
            if p.power_of_two:
                v = 1 << (max(v, 1).bit_length() - 1)
            v -= v % p.multiple_of
            out[p.name] = v if v >= p.lo else p.lo
    if beyond:
        for _ in range(rng.randint(1, 3)):
            p = rng.choice(PARAMS)
            out[p.name] = rng.choice([p.lo - 1, p.hi + 1, -1, 1 << 64, 3, 1.5, "8", None, True,
                                      [], {}, p.hi * 7 + 1])
        if rng.random() < 0.2:
            out[rng.choice(["bsae", "te_row", "x", ""])] = 1
        if rng.random() < 0.2:
            out["base"] = rng.choice(["nope", 1, None, ""])
    return out


def config_toml(mapping: dict) -> str:
    lines = []
    for k, v in mapping.items():
        if isinstance(v, bool):
            lines.append(f"{k} = {'true' if v else 'false'}")
        elif isinstance(v, (int, float)):
            lines.append(f"{k} = {v}")
        elif isinstance(v, str):
            lines.append(f"{k} = {v!r}".replace("'", '"'))
        elif isinstance(v, list):
            lines.append(f"{k} = []")
        elif v is None:
            continue
        else:
            lines.append(f"[{k}]")
    return "\n".join(lines) + "\n"


def elf_of_words(words: list[int]) -> bytes:
    from thead_isa.assembler.elf import write_elf
    from thead_isa.assembler.program import IMEM, Program, Section
    from thead_isa.isa.encoding import pack
    text = Section(".text", IMEM, 0, bytearray(pack(words)))
    return write_elf(Program(sections={".text": text}, entry=0))


# ---------------------------------------------------------------------------------------------
# oracles

def op_assemble(source, include: bool = True):
    """assemble() returns a Program or raises AssemblyError. An accepted program must also
    survive write_elf -> read_elf (or be rejected by write_elf with ObjectFormatError)."""
    from thead_isa.assembler import AssemblyError, assemble
    from thead_isa.assembler.elf import ObjectFormatError, read_elf, write_elf
    try:
        prog = assemble(source, filename=str(CORPUS / "asm" / "fuzz.s"),
                        include_dirs=include_dirs() if include else ())
    except AssemblyError as e:
        if not e.diagnostics:
            raise Bug("AssemblyError without diagnostics") from None
        return ("expected", "AssemblyError", str(e.diagnostics[0].format())[:200])
    try:
        data = write_elf(prog)
    except ObjectFormatError as e:
        return ("expected", "ObjectFormatError", str(e)[:200])
    back = read_elf(data, "roundtrip")
    if {n: bytes(s.data) for n, s in back.sections.items() if not s.nobits} != \
            {n: bytes(s.data) for n, s in prog.sections.items() if not s.nobits}:
        raise Bug("write_elf/read_elf round trip changed the section contents")
    return ("ok", hashlib.sha256(data).hexdigest())


def op_read_elf(data: bytes):
    """read_elf returns a Program or raises ObjectFormatError; an accepted Program can be
    disassembled and written back."""
    from thead_isa.assembler.disassemble import disassemble_program
    from thead_isa.assembler.elf import ObjectFormatError, read_elf, write_elf
    try:
        prog = read_elf(data, "fuzz.elf")
    except ObjectFormatError as e:
        return ("expected", "ObjectFormatError", str(e)[:200])
    disassemble_program(prog, None, False)
    try:
        write_elf(prog)
    except ObjectFormatError as e:
        return ("ok", "not rewritable: " + str(e)[:100])
    return ("ok", len(prog.sections))


@contextlib.contextmanager
def captured_stdio(stdin: bytes = b""):
    """sys.stdin/stdout/stderr replaced by in-memory text streams with a .buffer."""
    saved = sys.stdin, sys.stdout, sys.stderr
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    result = {}
    try:
        yield result
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        result["stdout"], result["stderr"] = out.getvalue(), err.getvalue()
        sys.stdin, sys.stdout, sys.stderr = saved


def call_main(main, argv, stdin: bytes = b""):
    """(status, stdout, stderr) of a CLI main(argv); an exception escaping it is a Bug (the
    user would see a traceback)."""
    with captured_stdio(stdin) as io_:
        try:
            status = main(argv)
        except SystemExit as e:                      # argparse usage errors
            status = e.code if isinstance(e.code, int) else 2
        except BaseException as e:                   # noqa: BLE001
            exc = e
        else:
            exc = None
    if exc is not None:
        raise Bug(f"{main.__module__}.main({argv!r}) raised {type(exc).__name__}: {exc}\n"
                  + "".join(traceback.format_exception(exc))[-3000:])
    if b"Traceback (most recent call last)" in io_["stderr"]:
        raise Bug(f"traceback on stderr: {io_['stderr'][-2000:]!r}")
    return status, io_["stdout"], io_["stderr"]


def op_as_cli(source: bytes, extra: tuple = (), stale: bool = False):
    """thead-as: exit 0 with a complete output file (identical to assemble + write_elf), or exit
    1 (2 for usage errors) with no output file left behind (also when a stale one existed)."""
    from thead_isa.cli.as_main import main
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d, "in.s"), Path(d, "out.elf")
        src.write_bytes(source)
        if stale:
            out.write_bytes(b"stale output")
        argv = [str(src), "-o", str(out), *extra]
        for inc in include_dirs():
            argv += ["-I", inc]
        status, _, err = call_main(main, argv)
        leftovers = sorted(p.name for p in Path(d).iterdir() if p.name not in ("in.s", "out.elf"))
        if leftovers:
            raise Bug(f"thead-as left temporary files {leftovers}")
        if status == 0:
            if not out.exists() or out.read_bytes() == b"stale output":
                raise Bug("thead-as exited 0 without writing its output")
            if "-O" not in extra:
                from thead_isa.assembler.elf import read_elf
                read_elf(out.read_bytes(), "out")
            return ("ok", hashlib.sha256(out.read_bytes()).hexdigest())
        if status not in (1, 2):
            raise Bug(f"thead-as exited {status}: {err[-500:]!r}")
        if out.exists():
            raise Bug(f"thead-as exited {status} but left an output file "
                      f"({'stale' if out.read_bytes() == b'stale output' else 'partial'})")
        if status == 1 and not err.strip():
            raise Bug("thead-as exited 1 without a message")
        return ("expected", f"exit {status}", err[:200])


def op_objdump(data: bytes, options=("-d",)):
    """thead-objdump: exit 0, or exit 1 with one `thead-objdump: error:` line."""
    from thead_isa.cli.objdump_main import main
    with tempfile.TemporaryDirectory() as d:
        path = Path(d, "in.elf")
        path.write_bytes(data)
        status, out, err = call_main(main, [*options, str(path)])
    if status == 0:
        return ("ok", len(out))
    if status == 1 and err.startswith(b"thead-objdump: error:") and err.count(b"\n") == 1:
        return ("expected", "exit 1", err[:200])
    raise Bug(f"thead-objdump exited {status}: {err[-500:]!r}")


def op_config(mapping: dict | None = None, toml_text: str | bytes | None = None):
    """from_mapping / load_config give a HardwareConfig or raise ConfigError."""
    from thead_isa.isa.config import ConfigError, HardwareConfig, from_mapping, load_config
    try:
        if toml_text is not None:
            with tempfile.TemporaryDirectory() as d:
                p = Path(d, "fuzz.toml")
                p.write_bytes(toml_text if isinstance(toml_text, bytes) else toml_text.encode())
                cfg = load_config(str(p))
        else:
            cfg = from_mapping(mapping)
    except ConfigError as e:
        return ("expected", "ConfigError", str(e)[:200])
    if not isinstance(cfg, HardwareConfig):
        raise Bug(f"config loader returned {type(cfg).__name__}")
    return ("ok", cfg.name)


def _outcome(m, r) -> tuple:
    trap = r.trap
    return (r.exit_code, r.halted, None if trap is None else (int(trap.cause), trap.pc, trap.tval),
            r.instructions if hasattr(r, "instructions") else None, m.cycles, m.instret, m.pc,
            hashlib.sha256(m.gm.tobytes() + m.lm.tobytes() + m.acc.tobytes()).hexdigest())


def op_run(program, config="small", mode="functional", max_instructions=2000,
           max_cycles=None, twice=True):
    """Machine.run: halts, traps or stops at the watchdog; a second run of the same input on a
    fresh machine gives the identical outcome (determinism)."""
    from thead_isa.assembler.program import Program
    from thead_isa.core.machine import Machine
    from thead_isa.isa.config import ConfigError, from_mapping
    if isinstance(config, dict):
        try:
            config = from_mapping(config)
        except ConfigError as e:
            return ("expected", "ConfigError", str(e)[:200])
    outcomes = []
    for _ in range(2 if twice else 1):
        m = Machine(config, mode=mode)
        try:
            m.load(program if isinstance(program, Program) else list(program))
        except ValueError as e:                       # does not fit the configured IMEM/GM
            return ("expected", "load ValueError", str(e)[:200])
        r = m.run(max_instructions=max_instructions, max_cycles=max_cycles)
        if not (r.halted or r.trap is not None):
            raise Bug(f"run ended without halt, trap or watchdog: {r}")
        if r.halted and r.trap is not None:
            raise Bug(f"run both halted and trapped: {r}")
        if max_cycles is not None and mode == "cycle" and r.trap is not None and \
                m.cycles > max_cycles + 1_000_000:
            raise Bug(f"cycle {m.cycles} is far past max_cycles={max_cycles}")
        outcomes.append(_outcome(m, r))
    if twice and outcomes[0] != outcomes[1]:
        raise Bug(f"two runs of the same program differ: {outcomes[0]} != {outcomes[1]}")
    r_kind = "halt" if outcomes[0][1] else "trap"
    return ("ok" if r_kind == "halt" else "expected", r_kind, outcomes[0][2])


RUN_STATUSES = {"halted", "trap", "watchdog"}


def op_run_cli(data: bytes, suffix: str = ".elf", extra: tuple = ()):
    """thead-run: a documented status only; with --json the status agrees with the outcome;
    never 127 (internal error)."""
    import json

    from thead_isa.cli.run_main import main
    with tempfile.TemporaryDirectory() as d:
        path = Path(d, "prog" + suffix)
        path.write_bytes(data)
        argv = [str(path), "--json", "--max-instructions", "3000", *extra]
        status, out, err = call_main(main, argv)
    if status == 127 or b"internal error" in err:
        raise Bug(f"thead-run internal error (status {status}): {err[-800:]!r}")
    if status in (2, 126):                            # usage / input error: one line or diags
        if out.strip():
            raise Bug(f"thead-run status {status} with output on stdout {out[:200]!r}")
        return ("expected", f"exit {status}", err[:200])
    if not 0 <= status <= 255:
        raise Bug(f"thead-run exit status {status}")
    try:
        report = json.loads(out)
    except ValueError:
        raise Bug(f"thead-run status {status} without a JSON report: {out[:300]!r} "
                  f"{err[:300]!r}") from None
    if report["exit_status"] != status or report["outcome"] not in RUN_STATUSES:
        raise Bug(f"thead-run JSON {report['outcome']}/{report['exit_status']} vs status {status}")
    if report["outcome"] == "trap" and status != 125 or \
            report["outcome"] == "watchdog" and status != 124 or \
            report["outcome"] == "halted" and status != (report["exit_code"] & 0xFF):
        raise Bug(f"thead-run outcome {report['outcome']} with status {status}")
    return ("ok", report["outcome"], status)


def op_timed_errors(source: str):
    """assemble() of a source that must fail: the number of diagnostics, the first line of the
    last one, and the seconds the call took (for inputs that must stop early, e.g. at the error
    limit)."""
    from thead_isa.assembler import AssemblyError, assemble
    start = time.perf_counter()
    try:
        assemble(source, filename=str(CORPUS / "asm" / "fuzz.s"))
    except AssemblyError as e:
        return ("expected", len(e.diagnostics), e.diagnostics[-1].format().split("\n")[0],
                time.perf_counter() - start)
    raise Bug("the source was accepted")


OPS = {name[3:]: fn for name, fn in globals().items() if name.startswith("op_")}


def run_op(op: str, *args, **kwargs):
    """Run an oracle in this process; any exception other than its documented ones is a Bug."""
    try:
        return OPS[op](*args, **kwargs)
    except Bug:
        raise
    except RecursionError as e:
        raise Bug(f"{op}: RecursionError: {e}") from e
    except Exception as e:                                     # noqa: BLE001
        raise Bug(f"{op}: unexpected {type(e).__name__}: {e}\n"
                  + "".join(traceback.format_exception(e))[-3000:]) from e


# ---------------------------------------------------------------------------------------------
# the crash-isolating worker

class Worker:
    """A child process running oracles: call() returns the oracle's result, ("bug", text),
    ("crash", text) when the child died (a signal such as SIGSEGV) or ("hang", text) after
    `timeout` seconds. A dead or hung child is replaced by a fresh one."""

    def __init__(self, timeout: float = 60.0, env: dict | None = None):
        self.timeout = timeout
        self.env = env
        self.proc: subprocess.Popen | None = None

    def _start(self):
        env = dict(os.environ if self.env is None else self.env)   # the installed package
        self.proc = subprocess.Popen([sys.executable, str(HERE / "fuzzlib.py"), "--worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=str(ROOT))

    def call(self, op: str, *args, timeout: float | None = None, **kwargs):
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        msg = pickle.dumps((op, args, kwargs))
        try:
            self.proc.stdin.write(struct.pack("<Q", len(msg)) + msg)
            self.proc.stdin.flush()
        except BrokenPipeError:
            return self._died()
        deadline = time.monotonic() + (timeout or self.timeout)
        head = self._read(8, deadline)
        if head is None:
            return self._died() if self.proc.poll() is not None else self._hung(timeout)
        body = self._read(struct.unpack("<Q", head)[0], deadline)
        if body is None:
            return self._died() if self.proc.poll() is not None else self._hung(timeout)
        return pickle.loads(body)

    def _read(self, n: int, deadline: float) -> bytes | None:
        fd, out = self.proc.stdout.fileno(), b""
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, n - len(out))
            if not chunk:
                return None
            out += chunk
        return out

    def _died(self):
        self.proc.wait()
        err = self.proc.stderr.read().decode(errors="replace")
        rc = self.proc.returncode
        self.proc = None
        sig = f" (signal {signal.Signals(-rc).name})" if rc < 0 else ""
        return ("crash", f"worker exited with status {rc}{sig}\n{err[-4000:]}")

    def _hung(self, timeout):
        self.proc.kill()
        self.proc.wait()
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc = None
        return ("hang", f"no answer within {timeout or self.timeout} s\n{err[-2000:]}")

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def _serve():
    import faulthandler
    faulthandler.enable()
    limit_memory()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr                              # stray prints must not corrupt the pipe
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return
        op, args, kwargs = pickle.loads(stdin.read(struct.unpack("<Q", head)[0]))
        try:
            result = run_op(op, *args, **kwargs)
        except Bug as e:
            result = ("bug", str(e))
        msg = pickle.dumps(result)
        stdout.write(struct.pack("<Q", len(msg)) + msg)
        stdout.flush()


def limit_memory(mb: int | None = None) -> None:
    """Cap the address space (default THEAD_FUZZ_MEMORY_MB or 4096 MiB) so that a memory bomb is
    a MemoryError (reported as a bug) instead of the OOM killer. Skipped under AddressSanitizer,
    which reserves terabytes of virtual memory."""
    import resource
    if "asan" in os.environ.get("LD_PRELOAD", "") or os.environ.get("THEAD_FUZZ_MEMORY_MB") == "0":
        return
    mb = mb or int(os.environ.get("THEAD_FUZZ_MEMORY_MB", "4096"))
    resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))


# Signatures of bugs that are already reported and kept as strict-xfail regression cases in
# tests/fuzz/regressions/ (test_regressions.py). The fuzz properties tolerate them so that they
# keep looking for new problems; once a bug is fixed its regression case XPASSes (a failure under
# strict xfail), and its signature here must be removed.
KNOWN_BUGS = {
}


def known_bug(result) -> str | None:
    if result[0] in ("bug", "crash", "hang"):
        text = result[1].replace("\n", "\\n")
        for sig, name in KNOWN_BUGS.items():
            if sig in result[1] or sig in text:
                return name
    return None


def check(result, what: str = "") -> tuple:
    """Assert a worker result is an expected outcome (or a known, already reported bug)."""
    if result[0] not in ("ok", "expected"):
        if known_bug(result):
            return ("known", known_bug(result))
        raise AssertionError(f"{what}: {result[0]}: {result[1]}")
    return result


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    _serve()

# `thead-objdump`: section headers, symbols, contents and disassembly of executables or raw images.
from __future__ import annotations

import argparse
import os
import sys

from ..assembler.disassemble import SourceLines, disassemble_program
from ..assembler.elf import ObjectFormatError, read_elf
from ..assembler.program import IMEM, Program, Section
from . import CliError, read_bytes, run

PROG = "thead-objdump"
FLAG = {"local": "l", "global": "g", "weak": "w"}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=PROG, add_help=False,
                                 description="Display the contents of NPU ELF executables or raw "
                                 "IMEM images.")
    ap.add_argument("files", nargs="+", metavar="FILE",
                    help="ELF executable (or raw image with --raw)")
    ap.add_argument("-d", "--disassemble", action="store_true",
                    help="disassemble the code sections")
    ap.add_argument("-S", "--source", action="store_true",
                    help="with -d (implied): interleave source lines from the line table")
    ap.add_argument("-t", "--syms", action="store_true", help="print the symbol table")
    ap.add_argument("-h", "--section-headers", action="store_true",
                    help="print the section headers")
    ap.add_argument("-s", "--full-contents", action="store_true",
                    help="hex dump of every section with contents")
    ap.add_argument("--raw", action="store_true", help="the input is a raw IMEM image, not ELF")
    ap.add_argument("--base", type=lambda v: int(v, 0), default=0, metavar="ADDR",
                    help="with --raw: IMEM address of the image's first byte (default 0)")
    ap.add_argument("--words", action="store_true",
                    help="show each encoding as its 64-bit word instead of 8 bytes")
    ap.add_argument("-I", "--include", action="append", default=[], metavar="DIR",
                    help="with -S: also look for source files in DIR")
    ap.add_argument("--help", action="help", help="show this help message and exit")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    args.disassemble |= args.source
    if not (args.disassemble or args.syms or args.section_headers or args.full_contents):
        ap.error("give at least one of -d, -S, -t, -h, -s")
    if args.base < 0 or args.base % 8:
        ap.error("--base must be a non-negative multiple of 8")
    return max(run(PROG, lambda: _dump(path, args)) for path in args.files)


def load(path: str, raw: bool = False, base: int = 0) -> Program:
    """A Program from an ELF file or, with raw, from an IMEM image placed at base."""
    data = read_bytes(path)
    if raw:
        text = Section(".text", IMEM, base, bytearray(data))
        return Program(sections={".text": text}, entry=base)
    try:
        return read_elf(data, path)
    except ObjectFormatError as e:
        raise CliError(str(e)) from None


def _dump(path: str, args: argparse.Namespace) -> int:
    p = load(path, args.raw, args.base)
    out = [f"", f"{path}:     file format {'binary' if args.raw else 'elf32-thead'}"]
    if args.section_headers:
        out += section_headers(p)
    if args.syms:
        out += symbol_table(p)
    if args.full_contents:
        out += contents(p)
    if args.disassemble:
        source = SourceLines(["", os.path.dirname(path)] + args.include) if args.source else None
        out += disassemble_program(p, source, args.words)
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()
    return 0


def _width(p: Program) -> int:
    return max([7] + [len(n) for n in p.sections])


def section_headers(p: Program) -> list[str]:
    w = _width(p)
    out = ["", f"start address 0x{p.entry:08x}", "", "Sections:",
           f"Idx {'Name':<{w}}  Size      Addr      Memory  Type"]
    for i, s in enumerate(p.sections.values()):
        kind = "NOBITS" if s.nobits else "PROGBITS"
        out.append(f"{i:3} {s.name:<{w}}  {s.length:08x}  {s.addr:08x}  {s.memory.upper():<6}  "
                   f"{kind}")
    return out


def symbol_table(p: Program) -> list[str]:
    w = _width(p)
    out = ["", "SYMBOL TABLE:"]
    order = {name: i for i, name in enumerate(p.sections)}
    for sym in sorted(p.symbols.values(),
                      key=lambda s: (order.get(s.section, len(order)), s.value, s.name)):
        out.append(f"{sym.value % (1 << 32):08x} {FLAG.get(sym.binding, '?')}  "
                   f"{sym.section or '*ABS*':<{w}}  {sym.name}")
    return out


def contents(p: Program) -> list[str]:
    out = []
    for s in p.sections.values():
        if s.nobits:
            continue
        out += ["", f"Contents of section {s.name} ({s.memory.upper()}):"]
        for off in range(0, len(s.data), 16):
            chunk = bytes(s.data[off:off + 16])
            groups = " ".join(chunk[i:i + 4].hex() for i in range(0, len(chunk), 4))
            text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
            out.append(f" {s.addr + off:08x} {groups:<35}  {text}")
    return out


if __name__ == "__main__":
    sys.exit(main())

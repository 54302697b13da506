# `thead-as`: assemble one source file into an ELF executable, a raw IMEM image or hex words.
from __future__ import annotations

import argparse
import os
import re
import sys

from ..assembler.assemble import ERROR_LIMIT
from ..assembler.elf import ObjectFormatError, write_elf
from ..assembler.output import hex_words, imem_image, listing
from . import CliError, read_text, remove_stale, run, write_outputs

PROG = "thead-as"
SUFFIX = {"elf": ".elf", "binary": ".bin", "hex": ".hex"}
_LISTING = re.compile(r"(?:-a[cdhlmns]*|--listing)(?:=(.*))?")
_NAME = re.compile(r"[A-Za-z_.$][\w.$]*")
_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")


def _defsym(text: str) -> tuple[str, int]:
    name, eq, value = text.partition("=")
    if not eq or not _NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=VALUE")
    m = _INT.fullmatch(value.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"value of {name}, '{value}', is not an integer")
    sign, digits = m[1], m[2]
    if digits[:2].lower() == "0x":
        n = int(digits[2:], 16)
    elif digits[:2].lower() == "0b":
        n = int(digits[2:], 2)
    else:
        n = int(digits, 8 if digits.startswith("0") else 10)     # 010 is octal, as in GNU as
    return name, -n if sign == "-" else n


def _error_limit(text: str) -> int:
    if not re.fullmatch(r"[0-9]+", text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of errors (an integer >= 0; "
                                         f"0 for no limit)")
    return int(text)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=PROG, description="Assemble NPU assembly source into an ELF32 executable "
        "(or a raw IMEM image, or hex words). Diagnostics go to stderr; on any error the exit "
        "status is 1 and no output file is left.")
    ap.add_argument("input", metavar="FILE", help="assembly source file (- for stdin)")
    ap.add_argument("-o", dest="output", metavar="OUT",
                    help="output file (- for stdout); default: FILE with .elf, .bin or .hex")
    ap.add_argument("-I", dest="include", action="append", default=[], metavar="DIR",
                    help="add DIR to the .include / .incbin search path")
    ap.add_argument("--defsym", action="append", default=[], type=_defsym, metavar="NAME=VALUE",
                    help="define the absolute symbol NAME as the integer VALUE")
    ap.add_argument("-O", dest="format", choices=tuple(SUFFIX), default="elf",
                    help="output format: elf (default), binary (raw IMEM image of the code "
                    "sections, no data), hex (one 64-bit word per line of that image)")
    ap.add_argument("-a", "--listing", action="store_true",
                    help="-a[=FILE] / --listing[=FILE]: write a listing (address, encoding, "
                    "source, then the symbol table) to FILE or stdout")
    ap.add_argument("--fatal-warnings", action="store_true", help="treat warnings as errors")
    ap.add_argument("--error-limit", type=_error_limit, default=ERROR_LIMIT, metavar="N",
                    help=f"stop after N errors (default {ERROR_LIMIT}; 0: no limit); warnings "
                    "do not count")
    return ap


def split_listing(argv: list[str]) -> tuple[list[str], str | None]:
    """Take -a[cdhlmns][=FILE] / --listing[=FILE] out of argv (argparse cannot express them)."""
    rest, target = [], None
    for i, arg in enumerate(argv):
        if arg == "--":
            rest += argv[i:]
            break
        m = _LISTING.fullmatch(arg)
        if m:
            target = "-" if m[1] is None else m[1]
        else:
            rest.append(arg)
    return rest, target


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    rest, listing_to = split_listing(sys.argv[1:] if argv is None else list(argv))
    args = ap.parse_args(rest)
    if listing_to == "":
        ap.error("-a=: empty listing file name")
    if args.output is None:
        stem = "a" if args.input == "-" else os.path.splitext(args.input)[0]
        args.output = stem + SUFFIX[args.format]
    if args.output == "-" and listing_to == "-":
        ap.error("the output and the listing cannot both go to stdout (use -a=FILE)")
    if listing_to == args.output:
        ap.error(f"the output and the listing are the same file '{listing_to}'")
    return run(PROG, lambda: _assemble(args, listing_to))


def _assemble(args: argparse.Namespace, listing_to: str | None) -> int:
    outputs = [args.output] + ([listing_to] if listing_to else [])
    for path in outputs:
        if _same_file(args.input, path):
            raise CliError(f"the output '{path}' is the input file")
    try:
        return _assemble_to(args, listing_to)
    except CliError:
        for path in outputs:
            remove_stale(path)
        raise


def _same_file(a: str, b: str) -> bool:
    try:
        return a != "-" and b != "-" and os.path.samefile(a, b)
    except OSError:
        return False


def _assemble_to(args: argparse.Namespace, listing_to: str | None) -> int:
    from ..assembler import AssemblyError, assemble

    source = read_text(args.input)
    filename = "<stdin>" if args.input == "-" else args.input
    try:
        program = assemble(source, filename=filename, include_dirs=args.include,
                           defines=dict(args.defsym), error_limit=args.error_limit)
    except AssemblyError as e:
        for d in e.diagnostics:
            print(d.format(), file=sys.stderr)
        raise CliError("") from None                # the diagnostics are the message
    warnings = program.warnings
    for w in warnings:
        print(w.format(), file=sys.stderr)
    if warnings and args.fatal_warnings:
        raise CliError(f"{filename}: warnings treated as errors (--fatal-warnings)")
    try:
        if args.format == "elf":
            data = write_elf(program)
        else:
            image = imem_image(program)
            data = image if args.format == "binary" else hex_words(image).encode()
    except ObjectFormatError as e:
        raise CliError(str(e)) from None
    outputs = [(args.output, data)]
    if listing_to:
        outputs.append((listing_to, listing(program, filename).encode()))
    write_outputs(outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())

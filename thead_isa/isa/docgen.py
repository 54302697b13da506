# Generates the ISA reference block of docs/isa.md from the table modules (no restated facts).
from __future__ import annotations

import argparse
import inspect
import os
import re
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterable

from . import config, csrs, operands, table, traps
from .fields import FIELDS, WORD_BITS
from .operands import Kind, Operand, SemOptKind
from .spec import ENGINE_NAMES, ENGINES, Alias, Insn

BEGIN = "<!-- BEGIN GENERATED: python -m thead_isa.isa.docgen (do not edit) -->"
END = "<!-- END GENERATED -->"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "isa.md"
TIMING_PATH = DEFAULT_PATH.with_name("timing.md")


# ---------------------------------------------------------------------------- Markdown helpers

def _md(text: str) -> str:
    """Prose from the table, made safe for Markdown (no accidental emphasis or links)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("](", "]\\(")


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`"


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    header = list(header)
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out + [""]


def _bits(msb: int, lsb: int) -> str:
    return str(msb) if msb == lsb else f"{msb}:{lsb}"


def _size(value: int, unit: str) -> str:
    """A count, with its binary-prefixed size when that is exact (KiB for bytes, Ki otherwise)."""
    suffix = "B" if unit == "bytes" else ""
    for prefix, n in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if value >= n and value % n == 0:
            return f"{value} ({value // n} {prefix}{suffix})"
    return str(value)


def _range(lo: int, hi: int) -> str:
    return f"[{lo}, {hi}]"


# ---------------------------------------------------------------------------- derived facts

def _kind_names() -> dict[int, str]:
    """The constant each kind is defined as in operands.py or table.py (kind names can repeat)."""
    names = {}
    for mod in (operands, table):
        for name, value in vars(mod).items():
            if isinstance(value, Kind) and name.isupper():
                names.setdefault(id(value), name)
    return names


def _kinds() -> list[Kind]:
    """Every operand kind the table uses, in order of first use."""
    seen: dict[int, Kind] = {}
    for i in table.INSTRUCTIONS:
        for o in i.operands:
            seen.setdefault(id(o.kind), o.kind)
    return list(seen.values())


def _kind_encoding(kind: Kind) -> str:
    """How the kind stores its value: the docstring of the class that defines its encode()."""
    owner = next(c for c in type(kind).__mro__ if "encode" in vars(c))
    doc = inspect.cleandoc(owner.__doc__ or "")
    return " ".join(doc.split("\n\n")[-1].split())


def _reserved_ranges(mask: int, lo: int = 0, hi: int = WORD_BITS - 1) -> list[tuple[int, int]]:
    """Maximal (msb, lsb) runs of set bits of mask, highest first."""
    runs, bit = [], hi
    while bit >= lo:
        if mask >> bit & 1:
            msb = bit
            while bit >= lo and mask >> bit & 1:
                bit -= 1
            runs.append((msb, bit + 1))
        else:
            bit -= 1
    return runs


def _operand_part(o: Operand, n: int) -> str:
    """What field n of operand o holds."""
    if len(o.fields) == 1:
        return o.name
    if isinstance(o.kind, SemOptKind):
        return f"{o.name} ({'enable' if n == 0 else 'number'})"
    return f"{o.name} (part {n})"


def _encoding_rows(i: Insn) -> list[tuple[int, int, str, str]]:
    """(msb, lsb, field, content) for every bit of the word, highest first."""
    rows = []
    op = FIELDS["op"]
    rows.append((op.msb, op.lsb, "op", f"0x{i.opcode:02x}"))
    for o in i.operands:
        for n, f in enumerate(o.field_objs):
            rows.append((f.msb, f.lsb, f.name, _operand_part(o, n)))
    used = op.mask | i.operand_bits
    for msb, lsb in _reserved_ranges(~used & ((1 << WORD_BITS) - 1)):
        rows.append((msb, lsb, "-", "0"))
    return sorted(rows, key=lambda r: -r[0])


def _csr_readers() -> dict[str, str]:
    """For each CSR, the instructions that read it: whole classes by name, else mnemonics."""
    out = {}
    for c in csrs.CSRS:
        parts = []
        for cls, members in table.INSTRUCTION_CLASSES.items():
            readers = [m for m in members if c.name in table.BY_MNEMONIC[m].csrs]
            if readers and len(readers) == len(members) and len(members) > 1:
                parts.append(f"{cls} (all)")
            else:
                parts += [_code(m) for m in readers]
        out[c.name] = ", ".join(parts) or "-"
    return out


def _csr_value(c: csrs.Csr, value: int) -> str:
    if c.signed and value >> 31:
        value -= 1 << 32
    return str(value)


def _alias_expansion(a: Alias) -> str:
    target = table.BY_MNEMONIC[a.target]
    text = target.syntax
    for o in target.positional:
        v = a.expand[o.name]
        text = text.replace("{" + o.name + "}",
                            "{" + v + "}" if isinstance(v, str) else o.kind.format(v))
    parts = [text] if text else []
    for o in target.options:
        if o.name in a.expand:
            v = a.expand[o.name]
            if o.kind.name == "flag":
                parts += [o.name] if v else []
            else:
                v = "{" + v + "}" if isinstance(v, str) else o.kind.format(v)
                parts.append(f"{o.name}={v}")
    return f"{a.target} {', '.join(parts)}".rstrip()


def _param_value(p: config.Param, value) -> str:
    if p.kind is bool:
        return "true" if value else "false"
    return _size(value, p.unit) if p.unit in ("bytes", "int32 words") else str(value)


# ---------------------------------------------------------------------------- sections

def _summary() -> list[str]:
    out = ["### Instruction summary", ""]
    rows = [(_code(i.mnemonic), f"0x{i.opcode:02x}", i.engine, i.iclass, i.timing)
            for i in sorted(table.INSTRUCTIONS, key=lambda i: i.opcode)]
    out += [f"{len(table.INSTRUCTIONS)} instructions, by opcode. Opcode 0 is unassigned, so an "
            f"all-zero word is illegal.", ""]
    return out + _table(("Mnemonic", "Opcode", "Engine", "Class", "Timing class"), rows)


def _field_layout() -> list[str]:
    out = ["### Field layout", "",
           f"Bit fields of the {WORD_BITS}-bit instruction word. Fields may overlap; no "
           "instruction uses two overlapping fields, and every bit an instruction does not use "
           "must be zero.", ""]
    users: dict[str, list[str]] = {f: [] for f in FIELDS}
    count: dict[str, int] = {f: 0 for f in FIELDS}
    count["op"] = len(table.INSTRUCTIONS)
    for i in table.INSTRUCTIONS:
        for o in i.operands:
            for f in o.fields:
                count[f] += 1
                if o.name not in users[f]:
                    users[f].append(o.name)
    rows = [(_code(f.name), _bits(f.msb, f.lsb), str(f.width),
             "opcode" if f.name == "op" else ", ".join(users[f.name]), str(count[f.name]))
            for f in FIELDS.values()]
    return out + _table(("Field", "Bits", "Width", "Operands placed in it", "Instructions"), rows)


def _kinds_table() -> list[str]:
    names = _kind_names()
    out = ["### Operand kinds", "",
           "Operands of one kind accept the legal values shown; the encoder rejects other "
           "values, and field bits that encode no legal value make the word illegal.", ""]
    rows, classes = [], {}
    for k in _kinds():
        used = []
        for i in table.INSTRUCTIONS:
            for o in i.operands:
                if o.kind is k and o.name not in used:
                    used.append(o.name)
        owner = next(c for c in type(k).__mro__ if "encode" in vars(c))
        classes.setdefault(owner.__name__, _kind_encoding(k))
        rows.append((_code(names.get(id(k), k.name)), k.name, _cell(k.describe()),
                     _code(owner.__name__), _cell(k.doc), ", ".join(used)))
    out += _table(("Kind", "Name in messages", "Legal values", "Encoding", "Meaning", "Operands"),
                  rows)
    return out + [f"- {_code(c)}: {_md(doc)}" for c, doc in classes.items()] + [""]


def _operand_lines(i: Insn) -> list[str]:
    """Operands grouped by kind and use, one bullet per group, in syntax order."""
    names = _kind_names()
    groups: dict[tuple, list[str]] = {}
    for o in i.positional + i.options:
        if not o.option:
            use = ""
        elif o.default in (None, False):
            use = "option, absent by default; "
        else:
            use = f"option, default {o.kind.format(o.default)}; "
        groups.setdefault((id(o.kind), use), []).append(o.name)
    out = []
    for (kid, use), members in groups.items():
        kind = next(o.kind for o in i.operands if id(o.kind) == kid)
        out.append(f"- {', '.join(_code(m) for m in members)} ({use}{_code(names[kid])}): "
                   f"{_cell(kind.describe())}")
    return out


def _insn_section(i: Insn) -> list[str]:
    out = [f"##### `{i.mnemonic}`", "", "```", i.syntax_text(), "```", ""]
    rows = _encoding_rows(i)
    out += _table(("Bits", *(_bits(msb, lsb) for msb, lsb, _, _ in rows)),
                  (("Field", *(f if f == "-" else _code(f) for _, _, f, _ in rows)),
                   ("Value", *(c for _, _, _, c in rows))))
    out += [f"Opcode 0x{i.opcode:02x} ({ENGINE_NAMES[i.engine]}), class {_code(i.iclass)}, "
            f"timing class {_code(i.timing)}; fixed bits: mask 0x{i.mask:016x}, "
            f"match 0x{i.match:016x}.", ""]
    if i.operands:
        out += ["Operands:", ""] + _operand_lines(i) + [""]
    if i.csrs:
        reads = ", ".join(f"{_code(c)} {_range(*csrs.BY_NAME[c].use)}" for c in i.csrs)
        out += [f"Configuration CSRs read at dispatch, each range-checked (bad_operand): {reads}.",
                ""]
    out += [_md(i.semantics), ""]
    return out


def _engines() -> list[str]:
    out = []
    for e in ENGINES:
        insns = [i for i in table.INSTRUCTIONS if i.engine == e]
        out += [f"### {e.upper()}: {ENGINE_NAMES[e]}", ""]
        classes = [c.split(".", 1)[1] for c in table.INSTRUCTION_CLASSES if c.startswith(e + ".")]
        for c in classes:
            members = [i for i in insns if i.iclass == c]
            out += [f"#### {e}.{c}", "",
                    "Instructions: " + ", ".join(_code(i.mnemonic) for i in members) + ".", ""]
            for i in members:
                out += _insn_section(i)
    return out


def _csr_table() -> list[str]:
    readers = _csr_readers()
    out = ["### CSRs", "",
           "Writable CSRs store any 32-bit value; the engine instruction that reads one checks it "
           "against the range shown (read as signed or unsigned 32 bits) and traps bad_operand "
           "outside it. Volatile CSRs depend on timing and differ between execution modes.", ""]
    rows = []
    for c in sorted(csrs.CSRS, key=lambda c: c.number):
        rows.append((f"0x{c.number:03x}", _code(c.name), c.group, "RW" if c.writable else "RO",
                     _csr_value(c, c.reset) if c.writable else "-",
                     (f"{_range(*c.use)} {'signed' if c.signed else 'unsigned'}"
                      if c.writable else "-"),
                     "yes" if c.volatile else "no",
                     readers[c.name], _cell(c.doc)))
    return out + _table(("Number", "Name", "Group", "Access", "Reset", "Range engines accept",
                         "Volatile", "Read by", "Meaning"), rows)


def _alias_table() -> list[str]:
    out = ["### Pseudo-instructions", "",
           "The disassembler prints the first alias in this table whose constants match.", ""]
    rows = [(_code(f"{a.mnemonic} {a.syntax}".rstrip()), _code(_alias_expansion(a)), _cell(a.doc))
            for a in table.ALIASES]
    return out + _table(("Alias", "Expands to", "Meaning"), rows)


def _trap_table() -> list[str]:
    out = ["### Trap causes", ""]
    rows = [(str(int(c)), _code(c.label), _cell(traps.CAUSE_DOCS[c])) for c in traps.Cause]
    out += _table(("Cause", "Name", "Raised when"), rows)
    return out + [f"Semaphore counts range over 0..{traps.SEM_MAX}.", ""]


def _config_table() -> list[str]:
    presets = list(config.PRESETS)
    out = ["### Hardware configuration parameters", "",
           "Provenance: " + ", ".join(config.PROVENANCES) + " (for the default preset). "
           "Presets: " + ", ".join(_code(p) for p in presets) + ".", ""]
    rows = [(_code(p.name), p.unit, _cell(p.allowed()), p.provenance,
             *(_param_value(p, getattr(config.PRESETS[n], p.name)) for n in presets), _cell(p.doc))
            for p in config.PARAMS]
    return out + _table(("Parameter", "Unit", "Allowed", "Provenance", *presets, "Meaning"), rows)


TIMING_PARAMS = ("clock_mhz", "cp_alu_cycles", "cp_mul_cycles", "cp_branch_penalty",
                 "cp_load_cycles", "cp_dispatch_cycles", "queue_depth", "dma_latency_cycles",
                 "dma_row_cycles", "dma_gm_bytes_per_cycle", "dma_lm_bytes_per_cycle", "te_rows",
                 "te_cols", "te_weight_overlap", "te_fold_pipeline", "ve_lanes",
                 "ve_pipeline_cycles")


def render_timing() -> str:
    """The generated block of docs/timing.md: the timing parameters of the configuration."""
    presets = list(config.PRESETS)
    params = [config.PARAM_BY_NAME[n] for n in TIMING_PARAMS]
    rows = [(_code(p.name), p.unit, _cell(p.allowed()), p.provenance,
             *(_param_value(p, getattr(config.PRESETS[n], p.name)) for n in presets), _cell(p.doc))
            for p in params]
    return "\n".join(_table(("Parameter", "Unit", "Allowed", "Provenance", *presets, "Meaning"),
                            rows)) + "\n"


def render() -> str:
    """The generated reference: the text between the BEGIN and END marker lines."""
    out = ["## Reference (generated from the table)", "",
           "Everything below is generated from `thead_isa/isa/` by "
           "`python -m thead_isa.isa.docgen`; edit the table, not this text.", ""]
    for part in (_summary, _field_layout, _kinds_table, _engines, _csr_table, _alias_table,
                 _trap_table, _config_table):
        out += part()
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


# ---------------------------------------------------------------------------- file update

def _splice(text: str, block: str, path: Path) -> str:
    lines = text.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines) if line.rstrip("\r\n") == BEGIN]
    ends = [n for n, line in enumerate(lines) if line.rstrip("\r\n") == END]
    if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
        raise ValueError(f"{path}: needs exactly one line {BEGIN!r} followed by one line {END!r}")
    return "".join(lines[:starts[0] + 1]) + "\n" + block + "\n" + "".join(lines[ends[0]:])


def update(path: str | Path = DEFAULT_PATH, check: bool = False) -> bool:
    """Rewrite the generated block of path (docs/timing.md: the timing parameters; any other
    file: the ISA reference); True when it was stale (with check, write nothing)."""
    path = Path(path)
    with open(path, encoding="utf-8", newline="") as f:
        old = f.read()
    new = _splice(old, render_timing() if path.name == "timing.md" else render(), path)
    if new == old:
        return False
    if check:
        return True
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(new)
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m thead_isa.isa.docgen",
                                 description="Regenerate the generated blocks of docs/isa.md "
                                 "and docs/timing.md.")
    ap.add_argument("path", nargs="*", default=[str(DEFAULT_PATH), str(TIMING_PATH)],
                    help="default: %(default)s")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the generated block is stale")
    args = ap.parse_args(argv)
    status = 0
    for path in args.path:
        try:
            stale = update(path, check=args.check)
        except (OSError, ValueError) as e:
            print(f"docgen: {e}", file=sys.stderr)
            return 2
        if args.check and stale:
            print(f"docgen: {path} is stale; run `python -m thead_isa.isa.docgen` to regenerate "
                  f"it", file=sys.stderr)
            status = 1
        elif stale:
            print(f"docgen: rewrote the generated block of {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())

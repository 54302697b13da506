# Encoder, decoder and canonical text of instruction words, all derived from the table.
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from .fields import FIELDS, WORD_BYTES
from .operands import IllegalField, OperandError
from .spec import Insn
from .table import ALIASES, BY_MNEMONIC, INSTRUCTIONS


class EncodingError(ValueError):
    """Operands that the instruction does not accept (unknown, missing or out of range)."""


class IllegalInstruction(ValueError):
    """A word that encodes no instruction; `reason` says why."""

    def __init__(self, word: int, reason: str):
        super().__init__(f"illegal instruction 0x{word:016x}: {reason}")
        self.word = word
        self.reason = reason


@dataclass(frozen=True)
class Decoded:
    insn: Insn
    values: Mapping[str, Any]
    word: int

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def mnemonic(self) -> str:
        return self.insn.mnemonic


_BY_OPCODE: dict[int, Insn] = {i.opcode: i for i in INSTRUCTIONS}


def _lookup(insn: Insn | str) -> Insn:
    if isinstance(insn, Insn):
        return insn
    try:
        return BY_MNEMONIC[insn]
    except KeyError:
        raise EncodingError(f"unknown instruction {insn!r}") from None


def encode(insn: Insn | str, **values: Any) -> int:
    """Encode one instruction; positional operands are required, options default."""
    spec = _lookup(insn)
    known = {o.name for o in spec.operands}
    unknown = set(values) - known
    if unknown:
        raise EncodingError(f"{spec.mnemonic} has no operand {sorted(unknown)[0]!r}; "
                            f"operands: {', '.join(o.name for o in spec.operands)}")
    word = spec.match
    for o in spec.operands:
        if o.name not in values:
            if not o.option:
                raise EncodingError(f"{spec.mnemonic} needs operand {o.name!r}")
            value = o.default
        else:
            value = values[o.name]
        try:
            raws = o.kind.encode(value, o.widths)
        except OperandError as e:
            raise EncodingError(f"{spec.mnemonic} {o.name}: {e}") from None
        for f, raw in zip(o.field_objs, raws):
            word = f.insert(word, raw)
    return word


def decode(word: int) -> Decoded:
    """Decode one 64-bit word; raises IllegalInstruction for any word the table does not define."""
    if not 0 <= word < 1 << 64:
        raise IllegalInstruction(word & ((1 << 64) - 1), "not a 64-bit word")
    opcode = FIELDS["op"].extract(word)
    spec = _BY_OPCODE.get(opcode)
    if spec is None:
        raise IllegalInstruction(word, f"unassigned opcode 0x{opcode:02x}")
    if word & spec.mask != spec.match:
        raise IllegalInstruction(word, f"reserved bits of {spec.mnemonic} are not zero")
    values = {}
    for o in spec.operands:
        raws = tuple(f.extract(word) for f in o.field_objs)
        try:
            values[o.name] = o.kind.decode(raws, o.widths)
        except IllegalField as e:
            raise IllegalInstruction(word, f"{spec.mnemonic} {o.name}: {e}") from None
    return Decoded(spec, values, word)


def _fill(syntax: str, texts: Mapping[str, str]) -> str:
    """The syntax template with each {placeholder} replaced by its operand text."""
    for name, text in texts.items():
        syntax = syntax.replace("{" + name + "}", text)
    return syntax


def format_operands(spec: Insn, values: Mapping[str, Any]) -> str:
    """Positional operands in the table's syntax, then the options that differ from default."""
    parts = [_fill(spec.syntax, {o.name: o.kind.format(values[o.name]) for o in spec.positional})]
    for o in spec.options:
        v = values.get(o.name, o.default)
        if v != o.default:
            parts.append(o.name if o.kind.name == "flag" else f"{o.name}={o.kind.format(v)}")
    return ", ".join(p for p in parts if p)


def format_insn(d: Decoded, aliases: bool = True) -> str:
    """Canonical assembly text; with aliases, the first matching pseudo-instruction is used."""
    if aliases:
        for a in ALIASES:
            if a.target != d.insn.mnemonic:
                continue
            if all(d.values[k] == v for k, v in a.expand.items() if not isinstance(v, str)):
                texts = {v: d.insn.operand(k).kind.format(d.values[k])
                         for k, v in a.expand.items() if isinstance(v, str)}
                return f"{a.mnemonic} {_fill(a.syntax, texts)}".rstrip()
    return f"{d.insn.mnemonic} {format_operands(d.insn, d.values)}".rstrip()


def pack(words: list[int]) -> bytes:
    return b"".join(struct.pack("<Q", w) for w in words)


def unpack(data: bytes) -> Iterator[int]:
    """Little-endian 64-bit words; a trailing partial word is an error."""
    if len(data) % WORD_BYTES:
        raise ValueError(f"{len(data)} bytes is not a whole number of 8-byte instruction words")
    for (w,) in struct.iter_unpack("<Q", data):
        yield w

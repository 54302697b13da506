# Non-ELF outputs: the raw IMEM image (-O binary), its hex words (-O hex) and the listing (-a).
from __future__ import annotations

from ..isa.fields import WORD_BYTES
from .program import IMEM, Program

LISTING_BYTES = 32             # encoding bytes shown per listing entry; more are summarized


def imem_image(p: Program) -> bytes:
    """IMEM from address 0 to the end of the last code section, gaps and the last word zero-filled.

    Only sections in IMEM are included: GM data (.data, .bss) is not part of the image.
    """
    code = [s for s in p.sections.values() if s.memory == IMEM and s.length]
    end = max((s.addr + s.length for s in code), default=0)
    image = bytearray(-(-end // WORD_BYTES) * WORD_BYTES)
    for s in code:
        if not s.nobits:
            image[s.addr:s.addr + len(s.data)] = s.data
    return bytes(image)


def hex_words(image: bytes) -> str:
    """One little-endian 64-bit word per line as 16 hex digits ($readmemh of a 64-bit memory)."""
    words = (int.from_bytes(image[i:i + WORD_BYTES], "little")
             for i in range(0, len(image), WORD_BYTES))
    return "".join(f"{w:016x}\n" for w in words)


def _hex_bytes(data: bytes) -> str:
    return " ".join(f"{b:02x}" for b in data)


def listing(p: Program, title: str = "") -> str:
    """Address, encoding bytes and source of every line as assembled, then the symbol table."""
    out = [f"thead-as listing{': ' + title if title else ''}", ""]
    w = max([7] + [len(s) for s in p.sections])
    out.append(f"{'LINE':>6}  {'SECTION':<{w}} {'ADDR':8}  {'ENCODING':<23}  SOURCE")
    last_file = p.listing[0].file if p.listing else None
    for e in p.listing:
        if e.file != last_file:
            out.append(f"{'':6}  # {e.file}")
            last_file = e.file
        sec = e.section or ""
        addr = f"{e.addr:08x}" if e.section else ""
        shown = e.data[:LISTING_BYTES]
        chunks = [shown[i:i + WORD_BYTES] for i in range(0, len(shown), WORD_BYTES)] or [b""]
        row = f"{e.line:6}  {sec:<{w}} {addr:8}  {_hex_bytes(chunks[0]):<23}  {e.source}"
        out.append(row.rstrip())
        for k, chunk in enumerate(chunks[1:], 1):
            out.append(f"{'':6}  {'':{w}} {e.addr + k * WORD_BYTES:08x}  {_hex_bytes(chunk)}")
        if len(e.data) > LISTING_BYTES:
            out.append(f"{'':6}  {'':{w}} {'':8}  ... {len(e.data) - LISTING_BYTES} more bytes")
    out += ["", "SYMBOLS", f"  {'VALUE':8}  {'BIND':6}  {'SECTION':<{w}}  NAME"]
    order = {name: i for i, name in enumerate(p.sections)}
    for sym in sorted(p.symbols.values(),
                      key=lambda s: (order.get(s.section, len(order)), s.value, s.name)):
        value = f"{sym.value:08x}" if sym.value >= 0 else f"-{-sym.value:x}"
        out.append(f"  {value:8}  {sym.binding:6}  {sym.section or '*ABS*':<{w}}  {sym.name}")
    return "\n".join(out) + "\n"

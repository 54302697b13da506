# Literal tokens: integers in every base, local label references, character and string literals.
from __future__ import annotations

import re

from .expressions import MASK, wrap

_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "b": 8, "f": 12,
            "v": 11, "a": 7, "e": 27}
_LOCAL = re.compile(r"([0-9]+)([bf])")
_BASES = (("0x", 16, "hexadecimal", re.compile(r"[0-9a-f]+")),
          ("0b", 2, "binary", re.compile(r"[01]+")),
          ("0o", 8, "octal", re.compile(r"[0-7]+")))


class LiteralError(ValueError):
    def __init__(self, message: str, offset: int = 0):
        super().__init__(message)
        self.message, self.offset = message, offset


LOCAL_LABEL_DIGITS = 30         # `1:` .. a 30-digit number; longer ones are an error


def int_value(text: str) -> tuple[str, object]:
    """("int", value) or ("local", (label, forward)) for `1b` / `1f`.

    Decimal, 0x hex, 0b binary, 0o octal, and a leading 0 means octal as in GNU as (010 == 8).
    `0b` alone is local label 0 backward. Values up to 2**64 - 1 are accepted and wrap to 64 bits.
    """
    low = text.lower()
    m = _LOCAL.fullmatch(low)
    if m and not (low.startswith("0b") and len(low) > 2):
        number = m[1].lstrip("0") or "0"
        if len(number) > LOCAL_LABEL_DIGITS:
            raise LiteralError(f"local label number '{number[:20]}...' has more than "
                               f"{LOCAL_LABEL_DIGITS} digits")
        return "local", (int(number), m[2] == "f")
    for prefix, base, what, digits in _BASES:
        if low.startswith(prefix):
            if not digits.fullmatch(low[2:]):
                raise LiteralError(f"invalid {what} constant '{text}'")
            return "int", _fit(_int(low[2:], base), text)
    if not text.isdigit():
        raise LiteralError(f"invalid integer constant '{text}'")
    if len(text) > 1 and text[0] == "0":
        bad = next((c for c in text if c in "89"), None)
        if bad:
            raise LiteralError(f"invalid digit '{bad}' in octal constant '{text}'")
        return "int", _fit(_int(text, 8), text)
    return "int", _fit(_int(text, 10), text)


def _int(digits: str, base: int) -> int:
    """int(digits, base), without Python's limit on long decimal strings: a value of more than
    64 significant bits is only ever reported as too large, so any such value will do."""
    significant = digits.lstrip("0") or "0"
    return int(significant, base) if len(significant) <= 70 else 1 << 70


def _fit(v: int, text: str) -> int:
    if v > MASK:
        raise LiteralError(f"integer constant '{text}' does not fit in 64 bits")
    return wrap(v)


def _escape(body: str, i: int) -> tuple[int, int]:
    """The code of the escape sequence at body[i] == '\\' and the index after it."""
    if i + 1 >= len(body):
        raise LiteralError("unterminated escape sequence", i)
    c = body[i + 1]
    if c in "01234567":
        m = re.match(r"[0-7]{1,3}", body[i + 1:])
        return int(m[0], 8) & 0xFF, i + 1 + len(m[0])
    if c == "x":
        m = re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2:])
        if not m:
            raise LiteralError("\\x escape needs hexadecimal digits", i)
        return int(m[0], 16), i + 2 + len(m[0])
    if c in _ESCAPES:
        return _ESCAPES[c], i + 2
    raise LiteralError(f"unknown escape sequence '\\{c}'", i)


def char_value(text: str) -> int:
    """'a', '\\n', '\\x41', '\\101'."""
    body = text[1:-1]
    if body.startswith("\\"):
        code, end = _escape(body, 0)
        if end != len(body):
            raise LiteralError(f"invalid character literal {text}")
        return code
    if len(body) != 1 or ord(body) > 0xFF:
        raise LiteralError(f"character literal {text} must be a single byte")
    return ord(body)


def string_value(text: str) -> bytes:
    """The bytes of a "..." literal (UTF-8, with C escapes); error offsets are into text."""
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        j = body.find("\\", i)
        if j < 0:
            out += body[i:].encode()
            break
        out += body[i:j].encode()
        try:
            code, i = _escape(body, j)
        except LiteralError as e:
            raise LiteralError(e.message, e.offset + 1) from None
        out.append(code)
    return bytes(out)

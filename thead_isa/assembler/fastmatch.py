# Operand matching, fast path: common operand shapes go straight to word bits (see encoders.py).
"""quick_match(form, operands) gives the word that match() + encode_word() would give, for
operands written in the common shapes: registers, semaphores, CSR names and flags by name,
numbers (also negated), `off(reg)` and `(reg)`; other expressions are left pending, exactly as
match() leaves them. For anything else, and for anything match() would reject or the operand kind
would not accept, it returns None, and the general path runs (and reports). Every bit comes from
the table (encoders.py); tests/assembler/test_fastpath.py checks both paths agree."""
from __future__ import annotations

from .encoders import CSR, FLAG, MEM, REG, SEM, Compiled, Put, compile_form
from .expressions import Expr, Name, Num, Paren, Unary, wrap
from .instructions import FORMS, Form, Pending
from .symbols import REGISTERS
from .syntax import ExprOperand, MemOperand, OptionOperand
from ..isa.operands import OperandError

COMPILED: dict[str, Compiled | None] = {m: compile_form(f) for m, f in FORMS.items()}


def _value(put: Put, e: Expr, pos: int, pending: list) -> int | None:
    """Bits of a number now; other expressions are pending (0 bits for now)."""
    t = type(e)
    if t is Num:
        v = e.value
    elif t is Unary and e.op == "-" and type(e.arg) is Num:
        v = wrap(-e.arg.value)
    elif t is Name and e.name in REGISTERS:
        return None                            # an error: the general path reports it
    else:
        pending.append(Pending(put.name, put.kind, e, pos, put))
        return 0
    try:
        return put.bits(v)
    except OperandError:
        return None


def quick_match(form: Form, operands: tuple) -> tuple[int, list[Pending]] | None:
    """(word with every value known now, pending operands) or None for the general path."""
    c = COMPILED.get(form.mnemonic)
    if c is None:
        return None
    slots = c.slots
    n = len(slots)
    if len(operands) < n:
        return None
    word = c.base
    pending: list[Pending] = []
    for i in range(n):
        slot, o = slots[i], operands[i]
        t, kind = type(o), slot.kind
        if kind is MEM:
            if t is MemOperand:
                base, e = o.base, o.offset
            elif t is ExprOperand and type(o.expr) is Paren:
                base, e = o.expr.inner, None
            else:
                return None
            bits = slot.names.get(base.name) if type(base) is Name else None
            if bits is None:
                return None
            word |= bits
            if e is None:
                if slot.zero is None:
                    return None
                word |= slot.zero
                continue
        elif t is not ExprOperand:
            return None
        else:
            e = o.expr
            if kind is REG or (kind is CSR and type(e) is Name):
                bits = slot.names.get(e.name) if type(e) is Name else None
                if bits is None:
                    return None
                word |= bits
                continue
        bits = _value(slot.put, e, o.pos, pending)
        if bits is None:
            return None
        word |= bits
    if len(operands) > n:
        seen: set[str] = set()
        for o in operands[n:]:
            t = type(o)
            if t is OptionOperand:
                key, value = o.key, o.value
            elif t is ExprOperand and type(o.expr) is Name:
                key, value = o.expr.name, None
            else:
                return None
            opt = c.options.get(key)
            if opt is None or key in seen:
                return None
            seen.add(key)
            if opt.kind is FLAG:
                if value is not None:
                    return None
                bits = opt.names[key]
            elif value is None:
                return None
            elif opt.kind is SEM:
                bits = opt.names.get(value.name) if type(value) is Name else None
            else:
                bits = _value(opt.put, value, value.pos, pending)
            if bits is None:
                return None
            word = (word & ~opt.put.mask) | bits
    return word, pending


def finish(word: int, p: Pending, value: int) -> int:
    """The word with a pending operand's value (already checked by resolve()) put in."""
    return (word & ~p.put.mask) | p.put.bits(value)

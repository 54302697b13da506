# Window geometry shared by conv and pooling: the output size of a padded, dilated, strided window.
from __future__ import annotations

from ..isa.traps import Cause, Trap


def out_size(mnemonic: str, ins: int, before: int, after: int, k: int, dil: int, stride: int,
             axis: str) -> int:
    """Outputs along one axis; traps (bad_operand, tval = the window's span) when none fits."""
    span = dil * (k - 1) + 1               # extent of the dilated window
    if ins + before + after < span:
        raise Trap(Cause.BAD_OPERAND,
                   f"{mnemonic}: window larger than padded input: the {axis} window spans {span} "
                   f"(kernel {k}, dilation {dil}) but the padded input {axis} is "
                   f"{ins + before + after}", tval=span)
    return (ins + before + after - span) // stride + 1

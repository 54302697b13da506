# Included by macros-valid.s: a constant, a macro, code, and a nested include found along -I.
        .equ    INC_VALUE, 77
        .macro  incmac r
        addi    \r, \r, INC_VALUE
        .endm
        .include "nested.s"

# The error limit (docs/assembler.md, "Error limit"; default 100): 100 errors are reported, the
# 101st is not: assembly stops there with a last error at the start of its statement. Warnings do
# not count. Nothing after that statement is read, and values left for the end are not resolved.
        .text
        beq     x0, x0, later           # a forward reference: left for the end, never resolved
        .rept   101
        .warning "not counted"          # CHECK-ERROR-COUNT-101: :[[@LINE]]:9: warning: not counted
# CHECK-NOTE: in .rept expansion from error-limit-invalid.s:6
        nop; add x1, x2, x99            # CHECK-ERROR-COUNT-100: :[[@LINE]]:26: error: expected a register x0..x31, found 'x99'; did you mean 'x9'?
# CHECK-NOTE: in .rept expansion from error-limit-invalid.s:6
# CHECK-ERROR: :[[@LINE-2]]:14: error: too many errors emitted (limit 100); stopping now
# CHECK-NOTE: in .rept expansion from error-limit-invalid.s:6
        .endr
        bar                             # not read
later:  .word   undefined_symbol

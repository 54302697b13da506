# Symbol errors: redefinition, register names, .equiv, cycles, undefined globals, _start.
        .data
dup:    .word   0
dup:    .word   0                       # CHECK-ERROR: :[[@LINE]]:1: error: symbol 'dup' is already defined
# CHECK-NOTE: previous definition of 'dup' is at symbols-invalid.s:3
x5:     .word   0                       # CHECK-ERROR: :[[@LINE]]:1: error: 'x5' is a register name and cannot be used as a symbol
s3:     .word   0                       # CHECK-ERROR: :[[@LINE]]:1: error: 's3' is a register name and cannot be used as a symbol
        .equ    dup, 1                  # CHECK-ERROR: :[[@LINE]]:17: error: symbol 'dup' is already defined
# CHECK-NOTE: previous definition of 'dup' is at symbols-invalid.s:3
        .equ    x1, 1                   # CHECK-ERROR: :[[@LINE]]:17: error: 'x1' is a register name and cannot be used as a symbol
        .set    v, 1
        .equiv  v, 2                    # CHECK-ERROR: :[[@LINE]]:17: error: symbol 'v' is already defined
# CHECK-NOTE: previous definition of 'v' is at symbols-invalid.s:11
        .equiv  w, 1
        .equiv  w, 1                    # CHECK-ERROR: :[[@LINE]]:17: error: symbol 'w' is already defined
# CHECK-NOTE: previous definition of 'w' is at symbols-invalid.s:14
        loopy = loopy + 1               # CHECK-ERROR: :[[@LINE]]:17: error: circular symbol definition: loopy -> loopy
        p = q                           # CHECK-ERROR: :[[@LINE]]:13: error: circular symbol definition: q -> p -> q
        q = p
        .globl  never_defined           # CHECK-ERROR: :[[@LINE]]:17: error: symbol 'never_defined' is declared global but never defined
        .globl  x2                      # CHECK-ERROR: :[[@LINE]]:17: error: 'x2' is a register name and cannot be used as a symbol
        u = undefined_thing             # CHECK-ERROR: :[[@LINE]]:13: error: undefined symbol 'undefined_thing'
        .text
        j       1b                      # CHECK-ERROR: :[[@LINE]]:17: error: local label '1b' has no earlier definition '1:'
        j       7f                      # CHECK-ERROR: :[[@LINE]]:17: error: local label '7f' has no later definition '7:'
_start:
        nop
        . = 4                           # CHECK-ERROR: :[[@LINE]]:13: error: cannot move the location counter backwards (from 0x18 to 0x4)

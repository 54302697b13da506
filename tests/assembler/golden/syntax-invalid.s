# Syntax errors: one per statement; assembly continues with the next statement.
        add     x1 x2, x3               # CHECK-ERROR: :[[@LINE]]:20: error: unexpected 'x2'; expected ','
        add     x1,                     # CHECK-ERROR: :[[@LINE]]:20: error: unexpected end of statement; expected an expression
        lw      x1, 4(x2                # CHECK-ERROR: :[[@LINE]]:25: error: unexpected end of statement; expected ')'
        addi    x1, x2, 3 @ 4           # CHECK-ERROR: :[[@LINE]]:27: error: unexpected character '@'
        .ascii  "unterminated           # CHECK-ERROR: :[[@LINE]]:17: error: unterminated string
        li      x1, 'ab'                # CHECK-ERROR: :[[@LINE]]:21: error: invalid character literal
        li      x1, 09                  # CHECK-ERROR: :[[@LINE]]:21: error: invalid digit '9' in octal constant '09'
        li      x1, 0x                  # CHECK-ERROR: :[[@LINE]]:21: error: invalid hexadecimal constant '0x'
        li      x1, 0b2                 # CHECK-ERROR: :[[@LINE]]:21: error: invalid binary constant '0b2'
        li      x1, 12ab                # CHECK-ERROR: :[[@LINE]]:21: error: invalid integer constant '12ab'
        li      x1, 0x10000000000000000 # CHECK-ERROR: :[[@LINE]]:21: error: integer constant '0x10000000000000000' does not fit in 64 bits
        .ascii  "\q"                    # CHECK-ERROR: :[[@LINE]]:18: error: unknown escape sequence '\q'
1x:     nop                             # CHECK-ERROR: :[[@LINE]]:1: error: invalid label '1x': a numeric local label is decimal digits only
        ,                               # CHECK-ERROR: :[[@LINE]]:9: error: unexpected ','
        nop; add x1,, x2; nop           # CHECK-ERROR: :[[@LINE]]:21: error: unexpected ','; expected an expression
        li      x1, (1 + 2              # CHECK-ERROR: :[[@LINE]]:27: error: unexpected end of statement; expected ')'
        li      x1, 1 +                 # CHECK-ERROR: :[[@LINE]]:24: error: unexpected end of statement; expected an expression
        x = = 2                         # CHECK-ERROR: :[[@LINE]]:13: error: unexpected '='; expected an expression

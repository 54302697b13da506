# Expression errors: division by zero, shift counts, sections, registers, undefined symbols.
        .data
a:      .word   0
b:      .word   0
        .dword  1 / 0                   # CHECK-ERROR: :[[@LINE]]:19: error: division by zero
        .dword  1 % 0                   # CHECK-ERROR: :[[@LINE]]:19: error: division by zero
        .dword  1 << 64                 # CHECK-ERROR: :[[@LINE]]:19: error: shift count must be an integer in the range [0, 63], not 64
        .dword  1 >> -1                 # CHECK-ERROR: :[[@LINE]]:19: error: shift count must be an integer in the range [0, 63], not -1
        .dword  a + b                   # CHECK-ERROR: :[[@LINE]]:19: error: cannot add two addresses ('.data' and '.data')
        .dword  1 - a                   # CHECK-ERROR: :[[@LINE]]:19: error: cannot subtract an address in '.data' from an absolute value
        .dword  a * 2                   # CHECK-ERROR: :[[@LINE]]:19: error: operator '*' needs absolute operands, not an address in '.data'
        .dword  -a                      # CHECK-ERROR: :[[@LINE]]:17: error: operator '-' needs absolute operands, not an address in '.data'
        .dword  ~a                      # CHECK-ERROR: :[[@LINE]]:17: error: operator '~' needs absolute operands, not an address in '.data'
        .dword  !a                      # CHECK-ERROR: :[[@LINE]]:17: error: operator '!' needs absolute operands, not an address in '.data'
        .dword  a == a                  # CHECK-ERROR: :[[@LINE]]:19: error: operator '==' needs absolute operands, not an address in '.data'
        .dword  a - t                   # CHECK-ERROR: :[[@LINE]]:19: error: cannot subtract addresses in different sections ('.data' - '.text')
        .dword  x1 + 1                  # CHECK-ERROR: :[[@LINE]]:17: error: register 'x1' cannot be used in an expression
        .dword  nowhere                 # CHECK-ERROR: :[[@LINE]]:17: error: undefined symbol 'nowhere'
        .dword  2f                      # CHECK-ERROR: :[[@LINE]]:17: error: local label '2f' has no later definition '2:'
        .dword  3b                      # CHECK-ERROR: :[[@LINE]]:17: error: local label '3b' has no earlier definition '3:'
        .byte   256                     # CHECK-ERROR: :[[@LINE]]:17: error: value 256 does not fit in 1 byte (range [-128, 255])
        .byte   -129                    # CHECK-ERROR: :[[@LINE]]:17: error: value -129 does not fit in 1 byte (range [-128, 255])
        .half   65536                   # CHECK-ERROR: :[[@LINE]]:17: error: value 65536 does not fit in 2 bytes (range [-32768, 65535])
        .word   -2147483649             # CHECK-ERROR: :[[@LINE]]:17: error: value -2147483649 does not fit in 4 bytes (range [-2147483648, 4294967295])
        .word   0x100000000             # CHECK-ERROR: :[[@LINE]]:17: error: value 4294967296 does not fit in 4 bytes (range [-2147483648, 4294967295])
        .byte   a + 300                 # CHECK-ERROR: :[[@LINE]]:17: error: value 300 does not fit in 1 byte (range [-128, 255])
        .text
t:      nop

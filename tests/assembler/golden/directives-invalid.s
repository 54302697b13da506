# Directive errors: unknown names, operand kinds and counts, ranges, sections, placement.
        .wrod   5                       # CHECK-ERROR: :[[@LINE]]:9: error: unknown directive '.wrod'; did you mean '.word' or '.zero'?
        .frobnicate                     # CHECK-ERROR: :[[@LINE]]:9: error: unknown directive '.frobnicate'
        .byte                           # CHECK-ERROR: :[[@LINE]]:9: error: .byte needs an operand
        .byte   "s"                     # CHECK-ERROR: :[[@LINE]]:17: error: expected an expression
        .ascii  5                       # CHECK-ERROR: :[[@LINE]]:17: error: expected a string
        .space  -1                      # CHECK-ERROR: :[[@LINE]]:17: error: size must be at least 0, not -1
        .space  4, 256                  # CHECK-ERROR: :[[@LINE]]:20: error: fill value must be in the range [-128, 255], not 256
        .space  undefined_yet           # CHECK-ERROR: :[[@LINE]]:17: error: 'undefined_yet' is not defined yet (this value is needed here)
        .zero   1, 2                    # CHECK-ERROR: :[[@LINE]]:20: error: too many operands for .zero (at most 1)
        .fill   1, 9                    # CHECK-ERROR: :[[@LINE]]:20: error: size must be in the range [0, 8], not 9
        .fill   -1                      # CHECK-ERROR: :[[@LINE]]:17: error: repeat count must be at least 0, not -1
        .balign 3                       # CHECK-ERROR: :[[@LINE]]:17: error: alignment must be a power of two, not 3
        .balign 1 << 17                 # CHECK-ERROR: :[[@LINE]]:17: error: alignment must be in the range [0, 65536], not 131072
        .p2align 17                     # CHECK-ERROR: :[[@LINE]]:18: error: alignment exponent must be in the range [0, 16], not 17
        .p2align 3, 0x100               # CHECK-ERROR: :[[@LINE]]:21: error: fill value must be in the range [-128, 255], not 256
        .org    8
        .org    4                       # CHECK-ERROR: :[[@LINE]]:17: error: cannot move the location counter backwards (from 0x8 to 0x4)
        .org    t                       # CHECK-ERROR: :[[@LINE]]:17: error: 't' is not defined yet (this value is needed here)
        .section .text, "w"             # CHECK-ERROR: :[[@LINE]]:18: error: section '.text' was first used with different flags
        .section .x, "q"                # CHECK-ERROR: :[[@LINE]]:22: error: unknown section flag 'q' (flags are a, w and x)
        .section .y, "aw", @bits        # CHECK-ERROR: :[[@LINE]]:28: error: unknown section type '@bits' (types are @progbits and @nobits)
        .section .symtab                # CHECK-ERROR: :[[@LINE]]:18: error: section name '.symtab' is reserved
        .section                        # CHECK-ERROR: :[[@LINE]]:9: error: .section needs an operand
        .text   1                       # CHECK-ERROR: :[[@LINE]]:17: error: too many operands for .text
        .equ    5, 3                    # CHECK-ERROR: :[[@LINE]]:17: error: expected a symbol name
        .equ    onlyname                # CHECK-ERROR: :[[@LINE]]:9: error: .equ needs 2 operands
        .globl  3                       # CHECK-ERROR: :[[@LINE]]:17: error: expected a symbol name
        .include 5                      # CHECK-ERROR: :[[@LINE]]:18: error: expected a string
        .include "no/such/file.s"       # CHECK-ERROR: :[[@LINE]]:18: error: cannot find include file 'no/such/file.s' (searched: the including file's directory, include)
        .incbin "no_such.bin"           # CHECK-ERROR: :[[@LINE]]:17: error: cannot find file 'no_such.bin' (searched: the including file's directory, include)
        .incbin "blob.bin", 5           # CHECK-ERROR: :[[@LINE]]:29: error: skip 5 is beyond the end of 'blob.bin' (4 bytes)
        .incbin "blob.bin", 1, 9        # CHECK-ERROR: :[[@LINE]]:32: error: 'blob.bin' has only 3 bytes after skip 1, not 9
        .end    now                     # CHECK-ERROR: :[[@LINE]]:17: error: too many operands for .end
        .error  "custom message"        # CHECK-ERROR: :[[@LINE]]:9: error: custom message
        .error                          # CHECK-ERROR: :[[@LINE]]:9: error: .error directive invoked in source file
        .warning "custom warning"       # CHECK-ERROR: :[[@LINE]]:9: warning: custom warning
        .warning                        # CHECK-ERROR: :[[@LINE]]:9: warning: .warning directive invoked in source file
        .bss
        .byte   1                       # CHECK-ERROR: :[[@LINE]]:17: error: cannot store data in section '.bss', which has no contents (only .space, .zero, .fill with value 0 and alignment)
        .space  4, 1                    # CHECK-ERROR: :[[@LINE]]:17: error: cannot store data in section '.bss', which has no contents (only .space, .zero, .fill with value 0 and alignment)
        .ascii  "x"                     # CHECK-ERROR: :[[@LINE]]:17: error: cannot store data in section '.bss', which has no contents (only .space, .zero, .fill with value 0 and alignment)
        .text
t:      nop

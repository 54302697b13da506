# `. = expr`, .ifnotdef, a warning in a valid file, and .end: nothing after it is read.
        .text
        nop                                     # CHECK: encoding: 0x0000000000000010
        . = 24                                  # CHECK: bytes: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
        .ifnotdef UNDEFINED
        halt    x0                              # CHECK: encoding: 0x000000000000003f
        .endif
        .warning "assembled with a warning"     # CHECK-ERROR: :[[@LINE]]:9: warning: assembled with a warning
        .end
        this line is never read, nor is .error "this"

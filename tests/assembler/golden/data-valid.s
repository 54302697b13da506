# Data directives, strings, space, alignment, .org, sections and their placement in IMEM and GM.
        .data
d0:     .byte   1, 2, 0xff, -1, 'a'             # CHECK: bytes: 01 02 ff ff 61
        .byte   -128, 255                       # CHECK: bytes: 80 ff
        .half   0x1234, -1                      # CHECK: bytes: 34 12 ff ff
        .short  65535                           # CHECK: bytes: ff ff
        .2byte  2                               # CHECK: bytes: 02 00
        .word   0x12345678                      # CHECK: bytes: 78 56 34 12
        .long   -2147483648, 4294967295         # CHECK: bytes: 00 00 00 80 ff ff ff ff
        .4byte  d0                              # CHECK: bytes: 00 00 00 00
        .dword  0x0102030405060708              # CHECK: bytes: 08 07 06 05 04 03 02 01
        .quad   -1                              # CHECK: bytes: ff ff ff ff ff ff ff ff
        .8byte  0xffffffffffffffff              # CHECK: bytes: ff ff ff ff ff ff ff ff
        .ascii  "ab", "c"                       # CHECK: bytes: 61 62 63
        .asciz  "hi"                            # CHECK: bytes: 68 69 00
        .string "\t\"\\\x41\101\0"              # CHECK: bytes: 09 22 5c 41 41 00 00
        .ascii  "é#;"                           # CHECK: bytes: c3 a9 23 3b
        .space  3                               # CHECK: bytes: 00 00 00
        .skip   2, 0xaa                         # CHECK: bytes: aa aa
        .zero   1                               # CHECK: bytes: 00
        .fill   2, 4, 0x01020304                # CHECK: bytes: 04 03 02 01 04 03 02 01
        .fill   3                               # CHECK: bytes: 00 00 00
        .fill   1, 8, -2                        # CHECK: bytes: fe ff ff ff ff ff ff ff
        .fill   2, 0, 5                         # CHECK: bytes:
        .balign 4                               # CHECK: bytes: 00 00 00
        .balign 8, 0xee                         # CHECK: bytes: ee ee ee ee
        .balign 16, 0x11, 4                     # CHECK: bytes:
        .p2align 3                              # CHECK: bytes:
        .byte   7                               # CHECK: bytes: 07
        .align  2                               # CHECK: bytes: 00 00 00
        .p2align 4, 0x55                        # CHECK: bytes: 55 55 55 55
here:   .org    here + 2, 0x77                  # CHECK: bytes: 77 77
        .org    120                             # CHECK: bytes: 00 00 00 00 00 00
after:  .word   after - d0, . - d0              # CHECK: bytes: 78 00 00 00 7c 00 00 00
        .section .rodata, "a"
ro:     .byte   9                               # CHECK: bytes: 09
        .section .text.extra, "ax"
        .section .bss
b0:     .space  16                              # CHECK: bytes:
        .zero   4
        .balign 8
b1:     .space  8
        .section .noinit, "aw", @nobits
n0:     .space  4
        .bss
        .space  8, 0
        .text
t0:     nop                                     # CHECK: encoding: 0x0000000000000010
        .balign 32                              # CHECK: encoding: 0x0000000000000010, 0x0000000000000010, 0x0000000000000010
        .byte   1                               # CHECK: bytes: 01
        .balign 8                               # CHECK: bytes: 00 00 00 00 00 00 00
        halt    x0                              # CHECK: encoding: 0x000000000000003f
        .section .text.extra
t1:     nop; nop                                # CHECK: encoding: 0x0000000000000010, 0x0000000000000010
        .data
        .word   t1, t0                          # CHECK: bytes: 30 00 00 00 00 00 00 00

# CHECK-SECTION: .text imem 0 48
# CHECK-SECTION: .text.extra imem 48 16
# CHECK-SECTION: .data gm 0 136
# CHECK-SECTION: .rodata gm 136 1
# CHECK-SECTION: .bss gm 144 40 nobits
# CHECK-SECTION: .noinit gm 184 4 nobits
# CHECK-SYM: d0 .data 0
# CHECK-SYM: here .data 112
# CHECK-SYM: after .data 120
# CHECK-SYM: ro .rodata 136
# CHECK-SYM: b0 .bss 144
# CHECK-SYM: b1 .bss 168
# CHECK-SYM: n0 .noinit 184
# CHECK-SYM: t0 .text 0
# CHECK-SYM: t1 .text.extra 48

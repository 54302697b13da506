# ve_lut.s: vlut (docs/isa.md, ve.lut): dst[e] = table[src[e]], the source byte an unsigned index
# into a 256-byte LM table. The table is f(i) = (7i + 3) mod 256, built with .rept.
        .include "conformance.inc"
        TEST_START

        .equ    LM_SRC, 0x000
        .equ    LM_TAB, 0x100
        .equ    LM_OUT, 0x300
        GM_TO_LM LM_SRC, idx, 8
        GM_TO_LM LM_TAB, table, 256, s0
# indices 0, 1, 127, 128, 255, -1 (= 255), -128 (= 128), 5:
#   f = 3, 10, 892 mod 256 = 124, 899 mod 256 = 131, 1788 mod 256 = 252, 252, 131, 38
        ve_shape 2, 4
        li      x12, LM_OUT
        li      x13, LM_SRC
        li      x14, LM_TAB
        vlut    x12, x13, x14, wait=s0, sig=s1
        TEST_LM_BYTES 2, LM_OUT, e_lut, 8, s1
# in place (dst = src)
        vlut    x13, x13, x14, sig=s1
        TEST_LM_BYTES 3, LM_SRC, e_lut, 8, s1
# a table that is not aligned (LM_TAB + 1: g(i) = f(i + 1)); index 255 reads f(256) = f(0) = 3
        ve_shape 1, 3
        GM_TO_LM LM_TAB + 256, tab_tail, 1              # the byte after the table: f(256) = 3
        GM_TO_LM LM_SRC, idx2, 3, s0                    # (the ME is in order: s0 covers both)
        li      x14, LM_TAB + 1
        vlut    x12, x13, x14, wait=s0, sig=s1
        TEST_LM_BYTES 4, LM_OUT, e_lut2, 3, s1
        PASS

        .data
        .balign 8
idx:    .byte   0, 1, 127, 128, 255, -1, -128, 5
idx2:   .byte   0, 254, 255                             # g = f(1), f(255), f(256)
tab_tail: .byte 3
e_lut:  .byte   3, 10, 124, 131, 252, 252, 131, 38
e_lut2: .byte   10, 252, 3
table:
        .set    i, 0
        .rept   256
        .byte   (7 * i + 3) & 0xff
        .set    i, i + 1
        .endr

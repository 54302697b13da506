# ve_eltwise.s: every elementwise VE instruction (docs/isa.md, ve.eltwise): vadd, vsub, vmul,
# vmax, vmin, vsra, vsll in the forms .w (ACC int32 vectors, wrapping), .wx (register operand),
# .b (LM int8 vectors; uint8 with u; saturating) and .bx (register operand, its full signed 32-bit
# value). Shift amounts are b & 31 on words and b & 7 on bytes; a uint8 shift is logical.
#   ACC 0  A  = [MAX, MIN, -7, 0x12345678]       ACC 4  B  = [1, -1, 2, 16]
#   ACC 8  S  = [31, 33, 1, -1]  (shift amounts 31, 1, 1, 31)
#   ACC 12 As = [MIN, -7, MAX, 0x12345679]
#   LM 0   A8 = [127, -128, 100, -100, 5, 0, -1, 64]   (uint8: 127 128 100 156 5 0 255 64)
#   LM 8   B8 = [1, -1, 100, -100, -3, 0, 9, 2]         (uint8: 1 255 100 156 253 0 9 2;
#                                                          & 7: 1 7 4 4 5 0 1 2)
        .include "conformance.inc"
        TEST_START

        .equ    LM_A8, 0x000
        .equ    LM_B8, 0x008
        .equ    LM_OUT, 0x100
        .equ    ACC_OUT, 64
        GM_TO_LM 0, lmimg, lmimg_end - lmimg, s0
        ve_shape 1, 16
        li      x12, 0
        li      x13, 0x010
        vacc.ld x12, x13, wait=s0               # ACC 0..15; the VE is in order

# EW_W num, op, a, b, expect: ACC_OUT <- op(ACC a, ACC b), 4 words
        .macro  EW_W num:req, op:req, a:req, b:req, expect:req
        ve_shape 2, 2
        li      x12, ACC_OUT
        li      x13, \a
        li      x14, \b
        \op     x12, x13, x14, sig=s1
        TEST_ACC_WORDS \num, ACC_OUT, \expect, 4, s1
        .endm
# EW_WX num, op, a, x, expect: ACC_OUT <- op(ACC a, register = x), 4 words
        .macro  EW_WX num:req, op:req, a:req, xval:req, expect:req
        ve_shape 2, 2
        li      x12, ACC_OUT
        li      x13, \a
        li      x14, \xval
        \op     x12, x13, x14, sig=s1
        TEST_ACC_WORDS \num, ACC_OUT, \expect, 4, s1
        .endm
# EW_B num, op, expect, flags: LM_OUT <- op(A8, B8), 8 bytes
        .macro  EW_B num:req, op:req, expect:req, flags:vararg
        ve_shape 2, 4
        li      x12, LM_OUT
        li      x13, LM_A8
        li      x14, LM_B8
        .ifb    \flags
        \op     x12, x13, x14, sig=s1
        .else
        \op     x12, x13, x14, \flags, sig=s1
        .endif
        TEST_LM_BYTES \num, LM_OUT, \expect, 8, s1
        .endm
# EW_BX num, op, x, expect, flags: LM_OUT <- op(A8, register = x), 8 bytes
        .macro  EW_BX num:req, op:req, xval:req, expect:req, flags:vararg
        ve_shape 2, 4
        li      x12, LM_OUT
        li      x13, LM_A8
        li      x14, \xval
        .ifb    \flags
        \op     x12, x13, x14, sig=s1
        .else
        \op     x12, x13, x14, \flags, sig=s1
        .endif
        TEST_LM_BYTES \num, LM_OUT, \expect, 8, s1
        .endm

# ---- .w ----
        EW_W     2, vadd.w, 0, 4, e_add_w       # MAX+1 -> MIN, MIN-1 -> MAX, -5, 0x12345688
        EW_W     3, vsub.w, 0, 4, e_sub_w       # MAX-1, MIN+1, -9, 0x12345668
        EW_W     4, vmul.w, 0, 4, e_mul_w       # MAX, MIN*-1 -> MIN, -14, 0x123456780 -> 0x23456780
        EW_W     5, vmax.w, 0, 4, e_max_w       # signed
        EW_W     6, vmin.w, 0, 4, e_min_w
        EW_W     7, vsra.w, 12, 8, e_sra_w      # MIN>>31 = -1, -7>>1 = -4, MAX>>1, x>>31 = 0
        EW_W     8, vsll.w, 12, 8, e_sll_w      # MIN<<31 -> 0, -14, MAX<<1 -> -2, odd<<31 -> MIN
# ---- .wx ----
        EW_WX    9, vadd.wx, 0, -1, e_add_wx
        EW_WX   10, vsub.wx, 0, 0x80000000, e_sub_wx   # a - MIN, wrapping
        EW_WX   11, vmul.wx, 0, -1, e_mul_wx
        EW_WX   12, vmax.wx, 0, 0, e_max_wx
        EW_WX   13, vmin.wx, 0, 0, e_min_wx
        EW_WX   14, vsra.wx, 0, 33, e_sra_wx    # 33 & 31 = 1
        EW_WX   15, vsll.wx, 0, 31, e_sll_wx
        EW_WX   16, vsra.wx, 0, -1, e_sra_wx31  # -1 & 31 = 31: sign only
# ---- .b, int8, saturating ----
        EW_B    17, vadd.b, e_add_b
        EW_B    18, vsub.b, e_sub_b
        EW_B    19, vmul.b, e_mul_b
        EW_B    20, vmax.b, e_max_b
        EW_B    21, vmin.b, e_min_b
        EW_B    22, vsra.b, e_sra_b
        EW_B    23, vsll.b, e_sll_b
# ---- .b, uint8 ----
        EW_B    24, vadd.b, e_add_bu, u
        EW_B    25, vsub.b, e_sub_bu, u
        EW_B    26, vmul.b, e_mul_bu, u
        EW_B    27, vmax.b, e_max_bu, u
        EW_B    28, vmin.b, e_min_bu, u
        EW_B    29, vsra.b, e_sra_bu, u
        EW_B    30, vsll.b, e_sll_bu, u
# ---- .bx: the register's full signed value, then saturation ----
        EW_BX   31, vadd.bx, -200, e_add_bx
        EW_BX   32, vadd.bx, -100, e_add_bxu, u
        EW_BX   33, vsub.bx, 0x80000000, e_all127      # a - MIN = a + 2^31: no wrap, saturates
        EW_BX   34, vsub.bx, 1, e_sub_bxu, u
        EW_BX   35, vmul.bx, -1, e_mul_bx
        EW_BX   36, vmul.bx, 2, e_mul_bxu, u
        EW_BX   37, vmax.bx, 1000, e_all127            # max(a, 1000) = 1000 -> 127
        EW_BX   38, vmax.bx, -5, e_a8u, u              # uint8 a >= 0 > -5
        EW_BX   39, vmin.bx, -1000, e_allm128
        EW_BX   40, vmin.bx, 100, e_min_bxu, u
        EW_BX   41, vsra.bx, 9, e_sra_bx               # 9 & 7 = 1
        EW_BX   42, vsra.bx, -1, e_sra_bx7             # -1 & 7 = 7: sign only
        EW_BX   43, vsra.bx, -1, e_sra_bxu, u          # uint8 >> 7, logical
        EW_BX   44, vsll.bx, 8, e_a8                   # 8 & 7 = 0: unchanged
        EW_BX   45, vsll.bx, 1, e_mul_bxu, u           # << 1 = * 2
        PASS

        .data
        .balign 8
lmimg:  .byte   127, -128, 100, -100, 5, 0, -1, 64              # A8
        .byte   1, -1, 100, -100, -3, 0, 9, 2                   # B8
        .word   0x7fffffff, 0x80000000, -7, 0x12345678          # A  -> ACC 0
        .word   1, -1, 2, 16                                    # B  -> ACC 4
        .word   31, 33, 1, -1                                   # S  -> ACC 8
        .word   0x80000000, -7, 0x7fffffff, 0x12345679          # As -> ACC 12
lmimg_end:
e_add_w: .word  0x80000000, 0x7fffffff, -5, 0x12345688
e_sub_w: .word  0x7ffffffe, 0x80000001, -9, 0x12345668
e_mul_w: .word  0x7fffffff, 0x80000000, -14, 0x23456780
e_max_w: .word  0x7fffffff, -1, 2, 0x12345678
e_min_w: .word  1, 0x80000000, -7, 16
e_sra_w: .word  -1, -4, 0x3fffffff, 0
e_sll_w: .word  0, -14, 0xfffffffe, 0x80000000
e_add_wx: .word 0x7ffffffe, 0x7fffffff, -8, 0x12345677
e_sub_wx: .word -1, 0, 0x7ffffff9, 0x92345678
e_mul_wx: .word 0x80000001, 0x80000000, 7, 0xedcba988
e_max_wx: .word 0x7fffffff, 0, 0, 0x12345678
e_min_wx: .word 0, 0x80000000, -7, 0
e_sra_wx: .word 0x3fffffff, 0xc0000000, -4, 0x091a2b3c
e_sll_wx: .word 0x80000000, 0, 0x80000000, 0
e_sra_wx31: .word 0, -1, -1, 0
e_a8:   .byte   127, -128, 100, -100, 5, 0, -1, 64
e_a8u:  .byte   127, 128, 100, 156, 5, 0, 255, 64
e_add_b: .byte  127, -128, 127, -128, 2, 0, 8, 66               # 128, -129, 200, -200 saturate
e_sub_b: .byte  126, -127, 0, 0, 8, 0, -10, 62
e_mul_b: .byte  127, 127, 127, 127, -15, 0, -9, 127             # 127, 128, 10000, 10000, 128
e_max_b: .byte  127, -1, 100, -100, 5, 0, 9, 64
e_min_b: .byte  1, -128, 100, -100, -3, 0, -1, 2
e_sra_b: .byte  63, -1, 6, -7, 0, 0, -1, 16                     # >> 1 7 4 4 5 0 1 2
e_sll_b: .byte  127, -128, 127, -128, 127, 0, -2, 127           # 254 -16384 1600 -1600 160 0 -2 256
e_add_bu: .byte 128, 255, 200, 255, 255, 0, 255, 66             # 383, 312, 258, 264 saturate
e_sub_bu: .byte 126, 0, 0, 0, 0, 0, 246, 62                     # 128-255, 5-253 -> 0
e_mul_bu: .byte 127, 255, 255, 255, 255, 0, 255, 128
e_max_bu: .byte 127, 255, 100, 156, 253, 0, 255, 64
e_min_bu: .byte 1, 128, 100, 156, 5, 0, 9, 2
e_sra_bu: .byte 63, 1, 6, 9, 0, 0, 127, 16
e_sll_bu: .byte 254, 255, 255, 255, 160, 0, 255, 255
e_add_bx: .byte -73, -128, -100, -128, -128, -128, -128, -128
e_add_bxu: .byte 27, 28, 0, 56, 0, 0, 155, 0
e_all127: .byte 127, 127, 127, 127, 127, 127, 127, 127
e_allm128: .byte -128, -128, -128, -128, -128, -128, -128, -128
e_sub_bxu: .byte 126, 127, 99, 155, 4, 0, 254, 63
e_mul_bx: .byte -127, 127, -100, 100, -5, 0, 1, -64
e_mul_bxu: .byte 254, 255, 200, 255, 10, 0, 255, 128
e_min_bxu: .byte 100, 100, 100, 100, 5, 0, 100, 64
e_sra_bx: .byte 63, -64, 50, -50, 2, 0, -1, 32
e_sra_bx7: .byte 0, -1, 0, -1, 0, 0, -1, 0
e_sra_bxu: .byte 0, 1, 0, 1, 0, 0, 1, 0

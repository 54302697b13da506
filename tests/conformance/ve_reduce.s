# ve_reduce.s: row reductions (docs/isa.md, ve.reduce): vrmax.b (one byte per row), vrsum.b (an
# int32 per row in LM), vrmax.w and vrsum.w (ACC, the sum wraps modulo 2^32).
        .include "conformance.inc"
        TEST_START

        .equ    LM_B, 0x000                     # int8 2x3
        .equ    LM_W, 0x010                     # int32 words -> ACC 0..7
        .equ    LM_OUT, 0x100
        GM_TO_LM 0, lmimg, lmimg_end - lmimg, s0
        ve_shape 1, 8
        li      x12, 0
        li      x13, LM_W
        vacc.ld x12, x13, wait=s0               # ACC 0..7; the VE is in order
        li      x13, LM_B
        li      x12, LM_OUT
# ---- vrmax.b on [[-128, -1, -5], [3, 127, -128]] ----
        ve_shape 2, 3
        vrmax.b x12, x13, sig=s1
        TEST_LM_BYTES 2, LM_OUT, e_rmax, 2, s1                  # -1, 127
        ve_shape 2, 3
        vrmax.b x12, x13, u, sig=s1                            # bytes read 128 255 251 / 3 127 128
        TEST_LM_BYTES 3, LM_OUT, e_rmax_u, 2, s1               # 255, 128
# ---- vrsum.b: -128 - 1 - 5 = -134, 3 + 127 - 128 = 2; u: 634, 258 ----
        li      x12, LM_OUT + 4
        ve_shape 2, 3
        vrsum.b x12, x13, sig=s1
        TEST_LM_WORDS 4, LM_OUT + 4, e_rsum, 2, s1
        ve_shape 2, 3
        vrsum.b x12, x13, u, sig=s1
        TEST_LM_WORDS 5, LM_OUT + 4, e_rsum_u, 2, s1
# ve_cols = 0: every row sum is 0 (overwrites 634, 258)
        ve_shape 2, 0
        vrsum.b x12, x13, sig=s1
        TEST_LM_WORDS 6, LM_OUT + 4, e_zero2, 2, s1
# a single column: the bytes themselves
        ve_shape 3, 1
        li      x12, LM_OUT
        vrmax.b x12, x13, sig=s1
        TEST_LM_BYTES 7, LM_OUT, e_rmax1, 3, s1
# ---- vrmax.w: [[MIN, -1], [5, MAX]] -> [-1, MAX] ----
        ve_shape 2, 2
        li      x12, 16
        li      x13, 0
        vrmax.w x12, x13, sig=s1
        TEST_ACC_WORDS 8, 16, e_rmax_w, 2, s1
# ---- vrsum.w wraps: [[MAX, 1], [MIN, -1]] -> [MIN, MAX] ----
        ve_shape 2, 2
        li      x12, 20
        li      x13, 4
        vrsum.w x12, x13, sig=s1
        TEST_ACC_WORDS 9, 20, e_rsum_w, 2, s1
# one row of all four of [MIN, -1, 5, MAX]: max MAX; sum MIN - 1 + 5 + MAX = 3
        ve_shape 1, 4
        li      x12, 24
        li      x13, 0
        vrmax.w x12, x13
        li      x12, 25
        vrsum.w x12, x13, sig=s1
        TEST_ACC_WORDS 10, 24, e_row4, 2, s1
        PASS

        .data
        .balign 8
lmimg:  .byte   -128, -1, -5, 3, 127, -128
        .balign 16
        .word   0x80000000, -1, 5, 0x7fffffff           # ACC 0..3
        .word   0x7fffffff, 1, 0x80000000, -1           # ACC 4..7
lmimg_end:
e_rmax: .byte   -1, 127
e_rmax_u: .byte 255, 128
e_rmax1: .byte  -128, -1, -5
        .balign 4
e_rsum: .word   -134, 2
e_rsum_u: .word 634, 258
e_zero2: .word  0, 0
e_rmax_w: .word -1, 0x7fffffff
e_rsum_w: .word 0x80000000, 0x7fffffff
e_row4: .word   0x7fffffff, 3

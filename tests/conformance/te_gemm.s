# te_gemm.s: gemm (docs/isa.md, te.gemm): ACC[c + i*ldc + j] (+)= sum_k A[i][k] * B[k][j], A int8
# (uint8 with u), B int8; the acc flag, leading dimensions, empty shapes and the int32 wrap.
#   A (2x4) = [[1, 2, 3, 4], [-128, 127, -1, 0]]      (with u, row 1 reads 128, 127, 255, 0)
#   B (4x3) = [[1, 0, -1], [2, 1, 0], [3, -128, 127], [4, 5, 6]]
#   A*B     = [[30, -362, 404], [123, 255, 1]]          e.g. 1*1 + 2*2 + 3*3 + 4*4 = 30,
#                                                       -128*-1 + 127*0 + -1*127 + 0*6 = 1
#   uA*B    = [[30, -362, 404], [1147, -32513, 32257]]  128 + 254 + 765 = 1147,
#                                                       127 - 255*128 = -32513, -128 + 255*127
# ACC results go to GM through vacc.st + dma.st (TEST_ACC_WORDS), ordered after the gemm by sig.
        .include "conformance.inc"
        TEST_START

        .equ    LM_A, 0x000                     # dense 2x4
        .equ    LM_B, 0x040                     # dense 4x3
        .equ    LM_AS, 0x080                    # A with row stride 6
        .equ    LM_BS, 0x0c0                    # B with row stride 5
        .equ    LM_W, 0x100                     # int32 words for vacc.ld
        GM_TO_LM LM_A, a, 8
        GM_TO_LM LM_B, b, 12
        dma_shape 2, 4, 4, 6
        li      x1, LM_AS
        la      x2, a
        dma.ld  x1, x2
        dma_shape 4, 3, 3, 5
        li      x1, LM_BS
        la      x2, b
        dma.ld  x1, x2, sig=s0                  # the ME is in order: s0 = all four loaded
        li      x10, LM_A
        li      x11, LM_B

# ---- plain gemm: overwrite ----
        te_gemm 2, 3, 4
        li      x12, 0
        gemm    x12, x10, x11, wait=s0, sig=s1
        TEST_ACC_WORDS 2, 0, e_ab, 6, s1
# ---- u: A unsigned ----
        li      x12, 16
        gemm    x12, x10, x11, u, sig=s1
        TEST_ACC_WORDS 3, 16, e_uab, 6, s1
# ---- acc: add to the tile (ACC 0 holds A*B) ----
        li      x12, 0
        gemm    x12, x10, x11, acc, sig=s1
        TEST_ACC_WORDS 4, 0, e_ab2, 6, s1
# ---- leading dimensions: lda 6, ldb 5, ldc 4 (word 3 of each ACC row untouched) ----
        te_gemm 2, 3, 4, 6, 5, 4
        li      x12, 32
        li      x13, LM_AS
        li      x14, LM_BS
        gemm    x12, x13, x14, sig=s1
        TEST_ACC_WORDS 5, 32, e_ld, 8, s1
# ---- u and acc together (ACC 16 holds uA*B) ----
        te_gemm 2, 3, 4
        li      x12, 16
        gemm    x12, x10, x11, acc, u, sig=s1
        TEST_ACC_WORDS 6, 16, e_uab2, 6, s1
# ---- K = 0 without acc: the tile becomes 0 (an empty sum) ----
        te_gemm 2, 3, 0
        li      x12, 0
        gemm    x12, x10, x11, sig=s1
        TEST_ACC_WORDS 7, 0, e_zero, 6, s1
# ---- M = 0: nothing is written (ACC 16 keeps 2 * uA*B) ----
        te_gemm 0, 3, 4
        li      x12, 16
        gemm    x12, x10, x11, sig=s1
        TEST_ACC_WORDS 8, 16, e_uab2, 6, s1
# ---- wrap: INT32_MAX (preloaded with vacc.ld) + 1*1 = INT32_MIN; INT32_MIN + (-1)*1 = MAX ----
        GM_TO_LM LM_W, w_ext, 8, s2
        ve_shape 1, 2
        li      x12, 48
        li      x13, LM_W
        vacc.ld x12, x13, wait=s2, sig=s3
        te_gemm 1, 1, 1
        li      x13, LM_A                       # A[0][0] = 1
        li      x14, LM_B                       # B[0][0] = 1
        gemm    x12, x13, x14, acc, wait=s3
        li      x12, 49
        li      x13, LM_A + 6                   # A[1][2] = -1
        gemm    x12, x13, x14, acc, sig=s1
        TEST_ACC_WORDS 9, 48, e_wrap, 2, s1
# ---- single products at the extremes: (-1 | 255) * -128 and -128 * -128 ----
        li      x12, 56
        li      x13, LM_A + 6                   # byte 0xff: -1, or 255 with u
        li      x14, LM_B + 7                   # B[2][1] = -128
        gemm    x12, x13, x14
        li      x12, 57
        gemm    x12, x13, x14, u
        li      x12, 58
        li      x13, LM_A + 4                   # A[1][0] = -128 (128 with u)
        gemm    x12, x13, x14
        li      x12, 59
        gemm    x12, x13, x14, u, sig=s1
        TEST_ACC_WORDS 10, 56, e_ext, 4, s1
        PASS

        .data
        .balign 8
a:      .byte   1, 2, 3, 4, -128, 127, -1, 0
b:      .byte   1, 0, -1, 2, 1, 0, 3, -128, 127, 4, 5, 6
        .balign 4
w_ext:  .word   0x7fffffff, 0x80000000
e_ab:   .word   30, -362, 404, 123, 255, 1
e_uab:  .word   30, -362, 404, 1147, -32513, 32257
e_ab2:  .word   60, -724, 808, 246, 510, 2
e_ld:   .word   30, -362, 404, 0, 123, 255, 1, 0
e_uab2: .word   60, -724, 808, 2294, -65026, 64514
e_zero: .word   0, 0, 0, 0, 0, 0
e_wrap: .word   0x80000000, 0x7fffffff
e_ext:  .word   128, -32640, 16384, -16384

# int8 GEMM (4x8 by 8x4) + bias + per-channel fixed-point requantization + ReLU, self-checking.
# Data flow GM -> LM -> TE -> ACC -> VE -> LM -> GM, ordered by semaphores s0..s3; exits 0 when
# the output equals `expect` (computed with thead_isa.refmodel.quant), 1 otherwise.
        .equ    M, 4
        .equ    K, 8
        .equ    N, 4
        .equ    LM_A, 0x000
        .equ    LM_B, 0x100
        .equ    LM_P, 0x200
        .equ    LM_Y, 0x300
        .equ    ACC_C, 0
        .equ    ZP, -10                 # output zero point; ReLU clamps at it

        .macro  dma_shape rows, cols, sstride, dstride
        csrwi   dma_rows, \rows
        csrwi   dma_cols, \cols
        csrwi   dma_sstride, \sstride
        csrwi   dma_dstride, \dstride
        .endm

        .text
        .globl  _start
_start: dma_shape M, K, K, K
        li      x1, LM_A
        la      x2, a
        dma.ld  x1, x2
        dma_shape K, N, N, N
        li      x3, LM_B
        la      x4, b
        dma.ld  x3, x4
        dma_shape 1, 3 * 4 * N, 0, 0
        li      x5, LM_P
        la      x6, params
        dma.ld  x5, x6, sig=s0          # the ME runs in order: s0 means all three loads are done

        csrwi   te_m, M
        csrwi   te_n, N
        csrwi   te_k, K
        csrwi   te_lda, K
        csrwi   te_ldb, N
        csrwi   te_ldc, N
        li      x7, ACC_C
        gemm    x7, x1, x3, wait=s0, sig=s1

        csrwi   ve_rows, M
        csrwi   ve_cols, N
        csrwi   ve_zp, ZP
        csrwi   ve_qmin, ZP
        csrwi   ve_qmax, 127
        li      x8, LM_Y
        vrq.fx  x8, x7, x5, wait=s1, sig=s2

        dma_shape M, N, N, N
        la      x9, y
        dma.st  x9, x8, wait=s2, sig=s3
        sem.wait s3                     # the CP waits for the store before it reads y

        la      x10, expect
        li      x11, M * N
1:      lb      x13, 0(x9)
        lb      x14, 0(x10)
        bne     x13, x14, fail
        addi    x9, x9, 1
        addi    x10, x10, 1
        addi    x11, x11, -1
        bnez    x11, 1b
        halt    x0
fail:   li      x12, 1
        halt    x12

        .data
a:      .byte   113, 32, 47, 101, 20, 70, 85, -71, -114, -52, -56, 95, 105, -127, -1, 82
        .byte   -95, 76, -98, -9, 81, -51, -41, -57, 56, -63, 125, -15, -6, 1, 21, 13
b:      .byte   2, 126, 78, 74, 51, 31, -41, 125, -9, -73, 88, -87, 91, 28, -99, -117
        .byte   -15, -119, -92, 3, 120, -9, 78, 106, 82, 33, -16, 3, -60, -1, -31, -65
        .balign 4
params: .word   493, -489, -403, -308                           # bias[N]
        .word   1099511628, 1374389535, 1649267442, 1924145349  # mult[N] (Q31)
        .word   -7, -7, -7, -7                                  # shift[N]
expect: .byte   112, 60, 24, 49, -10, -10, -10, -10, -10, -10, -10, 61, -10, -10, 104, -10
y:      .space  M * N

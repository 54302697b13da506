# Hand-written seed regression (so that test_replay_regression is never empty): a tiled
# int8 pipeline ME -> TE -> VE -> ME -> CP, two iterations of a loop, ordered by semaphores only
# (each semaphore has one producer and one consumer; no sync). Between iterations the CP bumps
# an input byte in GM, which the next dma.ld reads. Replayed by
# tests/conformance/test_random_programs.py::test_replay_regression on the reference model and on
# the core in functional and cycle mode (config conformance_random.CONFIG), which must agree on the
# whole architectural state; the race checker must flag nothing.
# state: compare
# races: none

        .text
        csrwi   te_m, 4
        csrwi   te_n, 4
        csrwi   te_k, 8
        csrwi   te_lda, 8
        csrwi   te_ldb, 4
        csrwi   te_ldc, 4
        csrwi   ve_rows, 4
        csrwi   ve_cols, 4
        csrwi   dma_rows, 1
        li      x1, 0                   # LM: A (4 x 8) then B (8 x 4) at 32
        li      x3, 32
        li      x4, 16                  # ACC tile
        li      x5, 128                 # LM: vrq.fx parameters
        li      x6, 256                 # LM: int8 result
        la      x2, ab
        la      x7, out
        la      x8, params
        csrwi   dma_cols, 48
        dma.ld  x5, x8                  # the parameters, once (ME order puts it before the loop's)
        csrwi   dma_cols, 64
        li      x31, 2
        li      x11, 0
loop:
        dma.ld  x1, x2, sig=s1
        gemm    x4, x1, x3, wait=s1, sig=s2
        vrq.fx  x6, x4, x5, wait=s2, sig=s3
        csrwi   dma_cols, 16
        dma.st  x7, x6, wait=s3, sig=s4
        csrwi   dma_cols, 64
        sem.wait s4                     # the CP reads what dma.st wrote
        lw      x10, 4(x7)
        add     x11, x11, x10
        lb      x12, 0(x2)              # dma.ld has completed (before dma.st on the ME)
        addi    x12, x12, 3
        sb      x12, 0(x2)
        addi    x31, x31, -1
        bnez    x31, loop
        halt    x11

        .data
ab:     .byte   1, -2, 3, -4, 5, -6, 7, -8
        .byte   10, 20, 30, 40, 50, 60, 70, 80
        .byte   -1, -1, -1, -1, 2, 2, 2, 2
        .byte   127, -128, 0, 1, 64, -64, 32, -32
        .byte   1, 2, 3, 4, 5, 6, 7, 8
        .byte   -1, 0, 1, 0, 2, 0, -2, 0
        .byte   3, 3, 3, 3, -3, -3, -3, -3
        .byte   9, -9, 8, -8, 7, -7, 6, -6
params: .word   10, -20, 0, 5               # bias
        .word   0x40000000, 0x40000000, 0x7fffffff, 0x20000000   # mult
        .word   0, 1, 2, -1                 # shift
out:    .space  16

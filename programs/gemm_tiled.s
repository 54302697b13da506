# gemm_tiled.s: an int8 GEMM tiled over LM with double-buffered DMA, then requantization.
#
# What it does
#   Y[M][N] = requant(A[M][K] @ B[K][N] + bias) with M=16, K=256, N=32 (int8 inputs, int32
#   accumulation in ACC, per-column fixed-point requantization to int8 by vrq.fx, zero point -3).
#   K is split into T=8 tiles of KT=32. LM holds two buffers, each one A tile [M][KT] and one B
#   tile [KT][N]: while the TE multiplies tile t from one buffer, the ME loads tile t+1 into the
#   other (double buffering). The result goes back to GM at `y`, and the CP compares it with
#   `expect`.
#
# Synchronisation (every engine instruction names the semaphores it waits on / signals):
#   s0, s1  buffer 0 / 1 is full:  the ME signals after loading a tile's B (the ME runs its queue
#           in order, so the A load before it is complete too); the TE's gemm waits.
#   s2, s3  buffer 0 / 1 is empty: the gemm signals when it has consumed the buffer; the next
#           load into that buffer waits. The CP signals both once at the start (both buffers
#           start empty), so every load can wait uniformly.
#   s4      the last gemm is done: vrq.fx (VE) waits before reading ACC.
#   s5      vrq.fx is done: the store (ME) waits before reading LM_Y.
#   s6      the store is done: the CP waits before it reads `y` in GM.
#   The parameter block is loaded first, so it is in LM before any tile is (ME order), hence
#   before the last gemm starts and before vrq.fx starts.
#   The program is race-free: it gives the same result in functional mode, in cycle mode and on
#   the reference model (tests/programs/test_programs.py checks all three).
#
# Data: programs/data/gemm_tiled_{a,b,params,expect}.bin, written by programs/make_data.py.
#
# Run:      thead-run programs/gemm_tiled.s --stats
# Expected: exit code 0 (the result equals `expect`); 1 if any output byte differs.
#           thead-run programs/gemm_tiled.s --dump y=y.npy:int8:16,32 writes the output.

        .include "../asm/npu.inc"

        .equ    M, 16
        .equ    K, 256
        .equ    N, 32
        .equ    KT, 32                  # K per tile
        .equ    T, K / KT               # number of tiles: even, at least 2
        .equ    ZP, -3                  # output zero point

        .equ    LM_P, 0x0000            # bias[N], mult[N], shift[N] (int32)
        .equ    LM_A0, 0x1000           # buffer 0: A tile [M][KT] ...
        .equ    LM_B0, 0x1400           #           ... and B tile [KT][N]
        .equ    LM_A1, 0x2000           # buffer 1
        .equ    LM_B1, 0x2400
        .equ    LM_Y, 0x3000            # requantized output [M][N]
        .equ    ACC_C, 0                # int32 accumulators [M][N]

        .if     T % 2 || T < 2
        .error  "T must be even and at least 2"
        .endif

# load_tile abuf, bbuf, empty, full: DMA the next A and B tiles (GM pointers x1, x2) into a
# buffer once it is empty; signal `full` when both are in LM; advance the pointers.
        .macro  load_tile abuf:req, bbuf:req, empty:req, full:req
        dma_shape M, KT, K, KT          # A tile: M rows of KT bytes out of rows of K
        dma.ld  \abuf, x1, wait=\empty
        dma_copy1d KT * N               # B tile: KT whole rows of B, contiguous in GM
        dma.ld  \bbuf, x2, sig=\full
        addi    x1, x1, KT
        addi    x2, x2, KT * N
        .endm

        .text
        .globl  _start
_start: li      x10, LM_A0
        li      x11, LM_B0
        li      x12, LM_A1
        li      x13, LM_B1
        li      x14, ACC_C
        li      x15, LM_P
        la      x1, a                   # GM pointer to the next A tile
        la      x2, b                   # GM pointer to the next B tile

        dma_copy1d 3 * 4 * N            # requantization parameters
        la      x3, params
        dma.ld  x15, x3

        sem.sig s2                      # both buffers start empty
        sem.sig s3
        te_gemm M, N, KT, KT, N, N      # every tile: [M][KT] x [KT][N] into ACC [M][N]

        load_tile x10, x11, s2, s0      # tile 0 -> buffer 0
        load_tile x12, x13, s3, s1      # tile 1 -> buffer 1
        gemm    x14, x10, x11, wait=s0, sig=s2          # tile 0 overwrites ACC

        li      x5, (T - 2) / 2         # pairs of tiles left
        beqz    x5, 2f
1:      load_tile x10, x11, s2, s0      # tile t -> buffer 0 ...
        gemm    x14, x12, x13, acc, wait=s1, sig=s3     # ... while the TE does tile t-1
        load_tile x12, x13, s3, s1      # tile t+1 -> buffer 1 ...
        gemm    x14, x10, x11, acc, wait=s0, sig=s2     # ... while the TE does tile t
        addi    x5, x5, -1
        bnez    x5, 1b
2:      gemm    x14, x12, x13, acc, wait=s1, sig=s4     # the last tile, T-1

        ve_shape M, N
        ve_quant ZP
        li      x16, LM_Y
        vrq.fx  x16, x14, x15, wait=s4, sig=s5

        dma_shape M, N, N, N
        la      x17, y
        dma.st  x17, x16, wait=s5, sig=s6
        sem.wait s6                     # the CP reads y only after the store

        la      x18, expect             # compare y with expect, a word at a time
        li      x19, M * N / 4
3:      lw      x20, 0(x17)
        lw      x21, 0(x18)
        bne     x20, x21, fail
        addi    x17, x17, 4
        addi    x18, x18, 4
        addi    x19, x19, -1
        bnez    x19, 3b
        halt    x0
fail:   li      x22, 1
        halt    x22

        .data
a:      .incbin "data/gemm_tiled_a.bin"         # int8 [M][K]
b:      .incbin "data/gemm_tiled_b.bin"         # int8 [K][N]
params: .incbin "data/gemm_tiled_params.bin"    # int32 [3][N]: bias, mult, shift
        .balign 4
expect: .incbin "data/gemm_tiled_expect.bin"    # int8 [M][N]

        .bss
        .balign 4
y:      .space  M * N                           # int8 [M][N], written by the program

# conv_relu.s: one quantized convolution layer, conv (TE) + requantization + ReLU (VE).
#
# What it does
#   Y = ReLU(requant(conv3x3(X, W) + bias)) for an NHWC int8 input X[8][8][8] (zero point -3),
#   weights W[3][3][8][16] (int8, symmetric), stride 1, padding 1 (so Y is [8][8][16]), output
#   zero point -20. The padding is done by the TE itself (win_pt/pb/pl/pr) and reads
#   win_padval = the input zero point, i.e. a real 0. The conv has no input-zero-point operand:
#   make_data.py folds it into the bias (bias' = bias - zp_in * sum(W), docs/isa.md). vrq.fx
#   clamps at qmin = the output zero point, which is the ReLU. The output goes back to GM at `y`
#   and the CP compares it with `expect`.
#
# Data flow and synchronisation
#   GM --dma.ld--> LM: X, W and the parameter block; the last load signals s0 (the ME runs its
#   queue in order, so s0 means all three are in LM).
#   conv (TE): LM X, W -> ACC [OH*OW][OC]; waits s0, signals s1.
#   vrq.fx (VE): ACC -> LM int8 with ReLU; waits s1, signals s2.
#   dma.st (ME): LM -> GM y; waits s2, signals s3. The CP waits s3 before it reads y.
#   Race-free: same result in functional mode, cycle mode and on the reference model.
#
# Data: programs/data/conv_relu_{x,w,params,expect}.bin, written by programs/make_data.py.
#
# Run:      thead-run programs/conv_relu.s --stats
# Expected: exit code 0 (the result equals `expect`); 1 if any output byte differs.
#           thead-run programs/conv_relu.s --dump y=y.npy:int8:8,8,16 writes the output.

        .include "../asm/npu.inc"

        .equ    IH, 8
        .equ    IW, 8
        .equ    C, 8                    # input channels
        .equ    OC, 16                  # output channels
        .equ    KH, 3
        .equ    KW, 3
        .equ    PAD, 1
        .equ    OH, IH + 2 * PAD - KH + 1
        .equ    OW, IW + 2 * PAD - KW + 1
        .equ    ZP_IN, -3               # input zero point: the padding value
        .equ    ZP_OUT, -20             # output zero point: the ReLU clamp

        .equ    LM_X, 0x0000            # int8 [IH][IW][C]
        .equ    LM_W, 0x1000            # int8 [KH][KW][C][OC]
        .equ    LM_P, 0x2000            # int32 bias[OC], mult[OC], shift[OC]
        .equ    LM_Y, 0x3000            # int8 [OH][OW][OC]
        .equ    ACC_Y, 0                # int32 [OH*OW][OC]

        .text
        .globl  _start
_start: li      x1, LM_X
        li      x2, LM_W
        li      x3, LM_P
        li      x4, LM_Y
        li      x5, ACC_Y

        dma_copy1d IH * IW * C
        la      x6, x
        dma.ld  x1, x6
        dma_copy1d KH * KW * C * OC
        la      x6, w
        dma.ld  x2, x6
        dma_copy1d 3 * 4 * OC
        la      x6, params
        dma.ld  x3, x6, sig=s0

        win_input IH, IW, C, OC
        win_kernel KH, KW               # stride 1, dilation 1
        win_pad PAD, PAD, PAD, PAD, ZP_IN
        conv    x5, x1, x2, wait=s0, sig=s1

        ve_shape OH * OW, OC
        ve_quant ZP_OUT, ZP_OUT, 127    # qmin = zero point: ReLU
        vrq.fx  x4, x5, x3, wait=s1, sig=s2

        dma_copy1d OH * OW * OC
        la      x7, y
        dma.st  x7, x4, wait=s2, sig=s3
        sem.wait s3                     # the CP reads y only after the store

        la      x8, expect              # compare y with expect, a word at a time
        li      x9, OH * OW * OC / 4
1:      lw      x10, 0(x7)
        lw      x11, 0(x8)
        bne     x10, x11, fail
        addi    x7, x7, 4
        addi    x8, x8, 4
        addi    x9, x9, -1
        bnez    x9, 1b
        halt    x0
fail:   li      x12, 1
        halt    x12

        .data
x:      .incbin "data/conv_relu_x.bin"          # int8 [IH][IW][C]
w:      .incbin "data/conv_relu_w.bin"          # int8 [KH][KW][C][OC]
params: .incbin "data/conv_relu_params.bin"     # int32 [3][OC]: bias (zp folded), mult, shift
        .balign 4
expect: .incbin "data/conv_relu_expect.bin"     # int8 [OH][OW][OC]

        .bss
        .balign 4
y:      .space  OH * OW * OC                    # int8 [OH][OW][OC], written by the program

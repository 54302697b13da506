# mlp.s: an int8 two-layer perceptron (64 -> 32 -> ReLU -> 10) on a batch of 4, with its weights
# and input loaded from outside.
#
# What it does
#   h = ReLU(requant(x @ w1 + b1)), y = requant(h @ w2 + b2), then pred[i] = argmax_j y[i][j]
#   (the first maximum) on the CP, and halts with exit code pred[0], the class of sample 0.
#   The weights, the input and the two vrq.fx parameter blocks are not in this file: `x`, `w1`,
#   `p1`, `w2` and `p2` are reserved in .bss (zero at load) and filled with `--load`. The hidden
#   activations never leave LM. Zero points: hidden ZP_H = -128 (so qmin = ZP_H is the ReLU),
#   output ZP_Y = 0; the input and hidden zero points are folded into the biases of p1 and p2 by
#   programs/make_mlp_data.py, which writes the data files (fixed seed) and the expected output.
#
# Data flow and synchronisation
#   ME: x, w1, p1 -> LM (the last load signals s0), then w2, p2 (the last signals s1): the
#       layer-2 weights arrive while the TE computes layer 1.
#   TE: gemm layer 1, waits s0, signals s2.      VE: vrq.fx + ReLU -> LM h, waits s2, signals s3.
#   CP: sem.wait s1 (layer-2 weights in LM) before it dispatches layer 2, whose gemm waits s3
#       (h written), signals s4; vrq.fx waits s4, signals s5; the store of y waits s5, signals
#       s6; the CP waits s6 before it reads y.
#   Race-free: same result in functional mode, cycle mode and on the reference model.
#
# Run (from the repository root):
#   thead-run programs/mlp.s --stats \
#       --load x=programs/data/mlp_x.npy --load w1=programs/data/mlp_w1.npy \
#       --load p1=programs/data/mlp_p1.npy --load w2=programs/data/mlp_w2.npy \
#       --load p2=programs/data/mlp_p2.npy --dump y=y.npy:int8:4,10
# Expected: exit code 6 (programs/data/mlp_pred.npy[0]); y.npy equals programs/data/mlp_y.npy.
#   Without --load every weight is 0, every output is ZP_Y and the exit code is 0.

        .include "../asm/npu.inc"

        .equ    B, 4                    # batch
        .equ    D_IN, 64
        .equ    H, 32
        .equ    D_OUT, 10
        .equ    ZP_H, -128
        .equ    ZP_Y, 0

        .equ    LM_X, 0x0000            # int8 [B][D_IN]
        .equ    LM_W1, 0x0400           # int8 [D_IN][H]
        .equ    LM_P1, 0x0c00           # int32 [3][H]
        .equ    LM_H, 0x1000            # int8 [B][H]
        .equ    LM_W2, 0x1400           # int8 [H][D_OUT]
        .equ    LM_P2, 0x1800           # int32 [3][D_OUT]
        .equ    LM_Y, 0x1c00            # int8 [B][D_OUT]
        .equ    ACC_H, 0                # int32 [B][H]
        .equ    ACC_Y, 0x100            # int32 [B][D_OUT]

# load_block lm, sym, bytes, options: DMA `bytes` contiguous bytes from GM `sym` to LM `lm`.
        .macro  load_block lm:req, sym:req, bytes:req, opts:vararg
        dma_copy1d \bytes
        li      x1, \lm
        la      x2, \sym
        .ifb    \opts
        dma.ld  x1, x2
        .else
        dma.ld  x1, x2, \opts
        .endif
        .endm

        .text
        .globl  _start
_start: load_block LM_X, x, B * D_IN
        load_block LM_W1, w1, D_IN * H
        load_block LM_P1, p1, 3 * 4 * H, sig=s0
        load_block LM_W2, w2, H * D_OUT
        load_block LM_P2, p2, 3 * 4 * D_OUT, sig=s1

        # layer 1: h = ReLU(requant(x @ w1 + b1))
        li      x3, ACC_H
        li      x4, LM_X
        li      x5, LM_W1
        te_gemm B, H, D_IN
        gemm    x3, x4, x5, wait=s0, sig=s2
        li      x6, LM_H
        li      x7, LM_P1
        ve_shape B, H
        ve_quant ZP_H, ZP_H, 127        # qmin = zero point: ReLU
        vrq.fx  x6, x3, x7, wait=s2, sig=s3

        # layer 2: y = requant(h @ w2 + b2)
        sem.wait s1                     # w2 and p2 are in LM
        li      x8, ACC_Y
        li      x9, LM_W2
        te_gemm B, D_OUT, H
        gemm    x8, x6, x9, wait=s3, sig=s4
        li      x10, LM_Y
        li      x11, LM_P2
        ve_shape B, D_OUT
        ve_quant ZP_Y
        vrq.fx  x10, x8, x11, wait=s4, sig=s5
        dma_copy1d B * D_OUT
        la      x12, y
        dma.st  x12, x10, wait=s5, sig=s6
        sem.wait s6                     # the CP reads y only after the store

        # pred[i] = index of the first maximum of y[i]
        la      x13, pred
        li      x14, B
1:      li      x15, 0                  # j
        li      x16, 0                  # best index
        lb      x17, 0(x12)             # best value
2:      addi    x15, x15, 1
        li      x18, D_OUT
        beq     x15, x18, 3f
        add     x19, x12, x15
        lb      x20, 0(x19)
        bge     x17, x20, 2b            # not greater: keep the first maximum
        mv      x16, x15
        mv      x17, x20
        j       2b
3:      sb      x16, 0(x13)
        addi    x13, x13, 1
        addi    x12, x12, D_OUT
        addi    x14, x14, -1
        bnez    x14, 1b

        la      x13, pred
        lbu     x21, 0(x13)
        halt    x21                     # exit code: the class of sample 0

        .bss
        .balign 4
x:      .space  B * D_IN                # int8 [B][D_IN]       --load x=mlp_x.npy
w1:     .space  D_IN * H                # int8 [D_IN][H]       --load w1=mlp_w1.npy
p1:     .space  3 * 4 * H               # int32 [3][H]         --load p1=mlp_p1.npy
w2:     .space  H * D_OUT               # int8 [H][D_OUT]      --load w2=mlp_w2.npy
        .balign 4
p2:     .space  3 * 4 * D_OUT           # int32 [3][D_OUT]     --load p2=mlp_p2.npy
y:      .space  B * D_OUT               # int8 [B][D_OUT]      the output
pred:   .space  B                       # uint8 [B]            the predicted classes

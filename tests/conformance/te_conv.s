# te_conv.s: conv (docs/isa.md, te.conv): NHWC X[ih][iw][c] (int8, uint8 with u), W[kh][kw][c][oc]
# (depthwise: W[kh][kw][c]), output ACC [oh*ow][oc]; stride, dilation, padding with win_padval
# (a raw byte, read as uint8 with u), depthwise, acc, u. Expected sums are worked out per case.
        .include "conformance.inc"
        TEST_START

        .equ    X3, 0x00                        # 3x3x1: 1 .. 9
        .equ    W22, 0x10                       # 2x2x1x1: [[1, 2], [3, 4]]
        .equ    XC, 0x20                        # 1x2x2: (1, -2), (127, -128)
        .equ    WC, 0x30                        # 1x1x2x2: ch0 -> (1, 2), ch1 -> (3, -1)
        .equ    W1, 0x40                        # 1x1x1x1: 2
        .equ    X2, 0x50                        # 2x2x1: 1 2 / 3 4
        .equ    WONE, 0x58                      # 2x2x1x1: all 1
        .equ    XD, 0x60                        # 2x1x2: (1, 10), (2, -20)
        .equ    WD, 0x68                        # depthwise 2x1x2: (3, 4), (5, -6)
        GM_TO_LM 0, lmimg, lmimg_end - lmimg, s0

        .macro  CONV acc_addr, x, w, flags:vararg
        li      x12, \acc_addr
        li      x13, \x
        li      x14, \w
        conv    x12, x13, x14, \flags
        .endm

# ---- 3x3 input, 2x2 kernel, stride 1: out = [1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36] ----
        win_input 3, 3, 1, 1
        win_kernel 2, 2
        win_pad 0, 0, 0, 0
        CONV    0, X3, W22, wait=s0, sig=s1
        TEST_ACC_WORDS 2, 0, e_basic, 4, s1
# ---- channels: c = 2, oc = 2, 1x1 kernel: out[p][o] = sum_ch X[p][ch] * W[ch][o] ----
        win_input 1, 2, 2, 2
        win_kernel 1, 1
        CONV    8, XC, WC, sig=s1               # (1,-2): 1-6, 2+2; (127,-128): 127-384, 254+128
        TEST_ACC_WORDS 3, 8, e_chan, 4, s1
        CONV    12, XC, WC, u, sig=s1           # u: (1,254): 1+762, 2-254; (127,128): 127+384, 254-128
        TEST_ACC_WORDS 4, 12, e_chan_u, 4, s1
# ---- stride 2 with a 1x1 kernel of 2: X[0][0], X[0][2], X[2][0], X[2][2] times 2 ----
        win_input 3, 3, 1, 1
        win_kernel 1, 1, 2, 2
        CONV    16, X3, W1, sig=s1
        TEST_ACC_WORDS 5, 16, e_stride, 4, s1
# ---- dilation 2: one output, 1*1 + 3*2 + 7*3 + 9*4 ----
        win_kernel 2, 2, 1, 1, 2, 2
        CONV    20, X3, W22, sig=s1
        TEST_ACC_WORDS 6, 20, e_dil, 1, s1
# ---- padding 1 above and left with win_padval = -3, all-ones 2x2 kernel on [[1,2],[3,4]] ----
#   padded [[-3,-3,-3],[-3,1,2],[-3,3,4]]: -3-3-3+1, -3-3+1+2, -3+1-3+3, 1+2+3+4
        win_input 2, 2, 1, 1
        win_kernel 2, 2
        win_pad 1, 0, 1, 0, -3
        CONV    24, X2, WONE, sig=s1
        TEST_ACC_WORDS 7, 24, e_pad, 4, s1
# with u the padding byte 0xfd reads 253: 3*253+1, 2*253+3, 2*253+4, 10
        CONV    28, X2, WONE, u, sig=s1
        TEST_ACC_WORDS 8, 28, e_pad_u, 4, s1
# ---- depthwise (win_oc = 7 is ignored): ch0 = 1*3 + 2*5, ch1 = 10*4 + -20*-6 ----
        win_input 2, 1, 2, 7
        win_kernel 2, 1
        win_pad 0, 0, 0, 0
        CONV    32, XD, WD, dw, sig=s1
        TEST_ACC_WORDS 9, 32, e_dw, 2, s1
# dw + u: -20 reads 236: ch1 = 40 + 236*-6 = -1376
        CONV    34, XD, WD, dw, u, sig=s1
        TEST_ACC_WORDS 10, 34, e_dw_u, 2, s1
# ---- acc: the first case again, accumulated: doubles ----
        win_input 3, 3, 1, 1
        win_kernel 2, 2
        CONV    0, X3, W22, acc, sig=s1
        TEST_ACC_WORDS 11, 0, e_basic2, 4, s1
# ---- stride (2, 1), dilation (1, 2), padding below 1 and right 1 with value 1 ----
#   padded P (4x4): X rows with a 1 column appended, then a row of 1s; oh = (4-2)/2+1 = 2,
#   ow = (4-3)/1+1 = 2; out[p][q] = sum P[2p+i][q+2j] * W[i][j]:
#   (0,0) = 1*1 + 3*2 + 4*3 + 6*4 = 43       (0,1) = 2*1 + 1*2 + 5*3 + 1*4 = 23
#   (1,0) = 7*1 + 9*2 + 1*3 + 1*4 = 32       (1,1) = 8*1 + 1*2 + 1*3 + 1*4 = 17
        win_kernel 2, 2, 2, 1, 1, 2
        win_pad 0, 1, 0, 1, 1
        CONV    40, X3, W22, sig=s1
        TEST_ACC_WORDS 12, 40, e_mix, 4, s1
        PASS

        .data
        .balign 16
lmimg:  .byte   1, 2, 3, 4, 5, 6, 7, 8, 9       # X3
        .balign 16
        .byte   1, 2, 3, 4                      # W22
        .balign 16
        .byte   1, -2, 127, -128                # XC
        .balign 16
        .byte   1, 2, 3, -1                     # WC
        .balign 16
        .byte   2                               # W1
        .balign 16
        .byte   1, 2, 3, 4                      # X2
        .balign 8
        .byte   1, 1, 1, 1                      # WONE
        .balign 8
        .byte   1, 10, 2, -20                   # XD
        .balign 8
        .byte   3, 4, 5, -6                     # WD
lmimg_end:
        .balign 4
e_basic: .word  37, 47, 67, 77
e_chan: .word   -5, 4, -257, 382
e_chan_u: .word 763, -252, 511, 126
e_stride: .word 2, 6, 14, 18
e_dil:  .word   64
e_pad:  .word   -8, -3, -2, 10
e_pad_u: .word  760, 509, 510, 10
e_dw:   .word   13, 160
e_dw_u: .word   13, -1376
e_basic2: .word 74, 94, 134, 154
e_mix:  .word   43, 23, 32, 17

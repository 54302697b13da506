# ve_pool.s: vmaxpool, vavgpool (window CSRs as conv; padded positions are ignored) and vgap
# (docs/isa.md, ve.pool; rounding in docs/quantization.md "Average pooling": half away from zero,
# over the valid positions only).
        .include "conformance.inc"
        TEST_START

        .equ    LM_OUT, 0x200
        GM_TO_LM 0, lmimg, lmimg_end - lmimg, s0
        sem.wait s0                                     # the CP holds the VE work until loaded
# POOL op, src, flags: `op` LM_OUT <- LM (src - lmimg), signalling s1
        .macro  POOL op:req, src:req, flags:vararg
        li      x12, LM_OUT
        li      x13, \src - lmimg
        .ifb    \flags
        \op     x12, x13, sig=s1
        .else
        \op     x12, x13, \flags, sig=s1
        .endif
        .endm

# ---- vmaxpool 3x3, 2x2 window, stride 1 on [[1,-5,3],[-128,-2,0],[7,8,-9]] ----
        win_input 3, 3, 1
        win_kernel 2, 2
        win_pad 0, 0, 0, 0
        POOL    vmaxpool, x_a
        TEST_LM_BYTES 2, LM_OUT, e_max_a, 4, s1
# [[1,200,3],[4,5,6],[7,8,250]]: signed 200 = -56, 250 = -6; unsigned they win
        POOL    vmaxpool, x_u
        TEST_LM_BYTES 3, LM_OUT, e_max_s, 4, s1
        POOL    vmaxpool, x_u, u
        TEST_LM_BYTES 4, LM_OUT, e_max_u, 4, s1
# padding is ignored, not read as 0: all-negative [[-8,-6],[-7,-5]] padded above and left
        win_input 2, 2, 1
        win_pad 1, 0, 1, 0
        POOL    vmaxpool, x_neg
        TEST_LM_BYTES 5, LM_OUT, e_max_neg, 4, s1
# two channels, 1x2 window, horizontal stride 2: max of each pair of columns per channel
        win_input 2, 4, 2
        win_kernel 1, 2, 1, 2
        win_pad 0, 0, 0, 0
        POOL    vmaxpool, x_ch
        TEST_LM_BYTES 6, LM_OUT, e_max_ch, 8, s1
# horizontal dilation 2: a 1x2 window over columns 0 and 2 of [-3, 100, -2]
        win_input 1, 3, 1
        win_kernel 1, 2, 1, 1, 1, 2
        POOL    vmaxpool, x_dil
        TEST_LM_BYTES 7, LM_OUT, e_max_dil, 1, s1
# ---- vavgpool: [1, 2, -1, -2], 1x2 windows: 1.5 -> 2, 0.5 -> 1, -1.5 -> -2 ----
        win_input 1, 4, 1
        win_kernel 1, 2
        POOL    vavgpool, x_avg
        TEST_LM_BYTES 8, LM_OUT, e_avg, 3, s1
# padding 1 on every side of [[1,2],[3,5]], 2x2 window: 1, 2, 4 valid positions per window
#   1/1, 3/2 -> 2, 2/1; 4/2, 11/4 -> 3, 7/2 -> 4; 3/1, 8/2, 5/1
        win_input 2, 2, 1
        win_kernel 2, 2
        win_pad 1, 1, 1, 1
        POOL    vavgpool, x_avgpad
        TEST_LM_BYTES 9, LM_OUT, e_avgpad, 9, s1
# negative ties away from zero: (-2,-3) -> -2.5 -> -3, (-1,0) -> -0.5 -> -1, (127,127) -> 127
        win_input 1, 6, 1
        win_kernel 1, 2, 1, 2
        win_pad 0, 0, 0, 0
        POOL    vavgpool, x_avgneg
        TEST_LM_BYTES 10, LM_OUT, e_avgneg, 3, s1
# u: (255, 254) -> 254.5 -> 255, (0, 1) -> 0.5 -> 1
        win_input 1, 4, 1
        POOL    vavgpool, x_avgu, u
        TEST_LM_BYTES 11, LM_OUT, e_avgu, 2, s1
# vertical stride and a 3-tall window: (1 + 1 + 0) / 3 = 0.67 -> 1, (-1 - 1 + 0) / 3 -> -1
        win_input 3, 2, 1
        win_kernel 3, 1, 2, 1
        POOL    vavgpool, x_avg3
        TEST_LM_BYTES 12, LM_OUT, e_avg3, 2, s1
# ---- vgap: column means over ve_rows rows ----
# [[1, -1, -128], [2, -2, -128]] -> 1.5 -> 2, -1.5 -> -2, -128
        ve_shape 2, 3
        POOL    vgap, x_gap
        TEST_LM_BYTES 13, LM_OUT, e_gap, 3, s1
# u: [[255, 0], [254, 1]] -> 254.5 -> 255, 0.5 -> 1
        ve_shape 2, 2
        POOL    vgap, x_gapu, u
        TEST_LM_BYTES 14, LM_OUT, e_gapu, 2, s1
# 3 rows: [[1, -1], [2, -1], [2, 1]] -> 5/3 -> 2, -1/3 -> 0
        ve_shape 3, 2
        POOL    vgap, x_gap3
        TEST_LM_BYTES 15, LM_OUT, e_gap3, 2, s1
        PASS

        .data
        .balign 8
lmimg:
x_a:    .byte   1, -5, 3, -128, -2, 0, 7, 8, -9
x_u:    .byte   1, 200, 3, 4, 5, 6, 7, 8, 250
x_neg:  .byte   -8, -6, -7, -5
x_ch:   .byte   1, -1, 2, -2, 3, -3, 4, -4                  # row 0: (ch0, ch1) x 4 columns
        .byte   -10, 10, 20, -20, 5, 5, -128, 127           # row 1
x_dil:  .byte   -3, 100, -2
x_avg:  .byte   1, 2, -1, -2
x_avgpad: .byte 1, 2, 3, 5
x_avgneg: .byte -2, -3, -1, 0, 127, 127
x_avgu: .byte   255, 254, 0, 1
x_avg3: .byte   1, -1, 1, -1, 0, 0
x_gap:  .byte   1, -1, -128, 2, -2, -128
x_gapu: .byte   255, 0, 254, 1
x_gap3: .byte   1, -1, 2, -1, 2, 1
lmimg_end:
e_max_a: .byte  1, 3, 8, 8
e_max_s: .byte  5, 6, 8, 8
e_max_u: .byte  200, 200, 8, 250
e_max_neg: .byte -8, -6, -7, -5
e_max_ch: .byte 2, -1, 4, -3, 20, 10, 5, 127
e_max_dil: .byte -2
e_avg:  .byte   2, 1, -2
e_avgpad: .byte 1, 2, 2, 2, 3, 4, 3, 4, 5
e_avgneg: .byte -3, -1, 127
e_avgu: .byte   255, 1
e_avg3: .byte   1, -1
e_gap:  .byte   2, -2, -128
e_gapu: .byte   255, 1
e_gap3: .byte   2, 0

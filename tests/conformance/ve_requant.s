# ve_requant.s: vrq.fx and vrq.fp (docs/isa.md, ve.requant; the arithmetic in
# docs/quantization.md): per-column bias/mult/shift, SRDHM ties toward +inf, RDBP ties away from
# zero, double rounding, saturating left shift, the bias wrap, the output clamp (zp, qmin, qmax,
# int8/uint8, empty interval), float32 scale with half-even ties and both float32 roundings, and
# infinite products. The accumulators come from LM through vacc.ld.
        .include "conformance.inc"
        TEST_START

        .equ    LM_OUT, 0x800
        .equ    NACC, (acc_end - lmimg) / 4     # ACC words at ACC 0 = LM words at LM 0
        GM_TO_LM 0, lmimg, lmimg_end - lmimg, s0
        ve_shape 1, NACC
        li      x12, 0
        li      x13, 0
        vacc.ld x12, x13, wait=s0               # the VE runs in order: later vrq see it

# RQ op, acc, params, flags: `op` LM_OUT <- ACC words at label `acc` with LM parameters at label
# `params` (both inside lmimg, which is at LM 0 and ACC 0), signalling s1.
        .macro  RQ op:req, acc:req, params:req, flags:vararg
        li      x12, LM_OUT
        li      x13, (\acc - lmimg) / 4
        li      x14, \params - lmimg
        .ifb    \flags
        \op     x12, x13, x14, sig=s1
        .else
        \op     x12, x13, x14, \flags, sig=s1
        .endif
        .endm

# ---- vrq.fx, the worked example of quantization.md: M = 0.001 = (1099511628, -9), zp -5 ----
#   12345 -> 12.345 -> 12 -> 7; 2500 -> 2.5 -> 3 (RDBP tie away) -> -2; 500 -> 1 -> -4;
#   -499 -> 0 -> -5; 3000000 -> 3000 -> 127 (saturated)
        ve_shape 2, 4
        ve_quant -5, -128, 127
        RQ      vrq.fx, a_ex, p_ex
        TEST_LM_BYTES 2, LM_OUT, e_ex, 8, s1
# ---- per-column parameters: col 0 (2^30, 0): x/2, SRDHM only, ties up; col 1 (2^30, -1): x/4
#   col 0: 3 -> 1.5 -> 2, -3 -> -1.5 -> -1 (toward +inf), 1 -> 0.5 -> 1
#   col 1: 10 -> SRDHM 5 -> RDBP 2.5 -> 3; -10 -> -5 -> -3; 5 -> SRDHM 2.5 -> 3 -> 1.5 -> 2
#   (double rounding: the exact 1.25 would give 1)
        ve_shape 3, 2
        ve_quant 0
        RQ      vrq.fx, a_col, p_col
        TEST_LM_BYTES 3, LM_OUT, e_col, 6, s1
# ---- shifts and the bias wrap, zp 0:
#   col 0: 2, mult 1, shift 31: 2 << 31 saturates to MAX; SRDHM(MAX, 1) = 1
#   col 1: -1, mult 1, shift 31: -2^31 exactly; SRDHM(MIN, 1) = -1
#   col 2: MAX + bias 1 wraps to MIN; mult MAX: SRDHM(MIN, MAX) = -2147483647 -> -128
#   col 3: 100 + bias -90 = 10, identity (2^30, 1)
        ve_shape 1, 4
        RQ      vrq.fx, a_sh, p_sh
        TEST_LM_BYTES 4, LM_OUT, e_sh, 4, s1
# ---- clamps, identity multiplier (2^30, 1): y = clamp(acc + zp) ----
        ve_shape 1, 6
        ve_quant 100, -2147483648, 2147483647
        RQ      vrq.fx, a_cl, p_id6, u                      # uint8: [0, 255]
        TEST_LM_BYTES 5, LM_OUT, e_cl_u, 6, s1
        ve_quant 100, 5, 200
        RQ      vrq.fx, a_cl, p_id6, u                      # [5, 200]
        TEST_LM_BYTES 6, LM_OUT, e_cl_q, 6, s1
        ve_quant 100, 200, 200
        RQ      vrq.fx, a_cl, p_id6                         # int8, [200, 200] misses: 127
        TEST_LM_BYTES 7, LM_OUT, e_all127, 6, s1
        ve_quant 100, -300, -300
        RQ      vrq.fx, a_cl, p_id6                         # [-300, -300]: -128
        TEST_LM_BYTES 8, LM_OUT, e_allm128, 6, s1
        ve_quant -10, -10, 127                              # ReLU: qmin = zp
        RQ      vrq.fx, a_cl, p_id6                         # -111 -110 -10 145 146 20
        TEST_LM_BYTES 9, LM_OUT, e_relu, 6, s1

# ---- vrq.fp: y = clamp(round_half_even(f32(f32(acc + bias) * scale)) + zp) ----
# scale 0.5: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2, -3.5 -> -4, 0.5 -> 0, -0.5 -> 0, 1.5 -> 2
        ve_shape 1, 7
        ve_quant 0
        RQ      vrq.fp, a_half, p_half
        TEST_LM_BYTES 10, LM_OUT, e_half, 7, s1
# float32 roundings: 41943041 -> f32 41943040, * 2^-24 = 2.5 -> 2 (exact product 2.50000006);
# 3 * 0x3f555556 = 2.50000012 rounds to f32 2.5 (a tie, to even) -> 2;
# 3 * 0x3feaaaaa = 5.49999976 rounds to f32 5.5 -> 6
        ve_shape 1, 3
        RQ      vrq.fp, a_f32, p_f32
        TEST_LM_BYTES 11, LM_OUT, e_f32, 3, s1
# infinite products clamp: MAX * FLT_MAX = +inf -> 127, -5 * FLT_MAX = -inf -> -128 (uint8: 255, 0)
        ve_shape 1, 2
        RQ      vrq.fp, a_inf, p_inf
        TEST_LM_BYTES 12, LM_OUT, e_inf, 2, s1
        ve_quant 0, -2147483648, 2147483647                 # (ve_quant's default qmax is 127)
        RQ      vrq.fp, a_inf, p_inf, u
        TEST_LM_BYTES 13, LM_OUT, e_inf_u, 2, s1
# bias wrap and zp: MAX + 1 = MIN, * 2^-31 = -1, + 3 = 2; 100 - 1 = 99, * 0.5 = 49.5 -> 50, + 3
        ve_quant 3
        RQ      vrq.fp, a_fpb, p_fpb
        TEST_LM_BYTES 14, LM_OUT, e_fpb, 2, s1
# uint8 with zp 128 and qmax 200: 300*0.5 = 150 + 128 -> 200; -300*0.5 = -150 + 128 = -22 -> 0
        ve_quant 128, -2147483648, 200
        RQ      vrq.fp, a_fpu, p_fpu, u
        TEST_LM_BYTES 15, LM_OUT, e_fpu, 2, s1
        PASS

        .data
        .balign 8
lmimg:                                          # at LM 0; the accumulators also at ACC 0
a_ex:   .word   12345, -12345, 2500, -2500, 500, -500, -499, 3000000
a_col:  .word   3, 10, -3, -10, 1, 5
a_sh:   .word   2, -1, 0x7fffffff, 100
a_cl:   .word   -101, -100, 0, 155, 156, 30
a_half: .word   5, 7, -5, -7, 1, -1, 3
a_f32:  .word   41943041, 3, 3
a_inf:  .word   0x7fffffff, -5
a_fpb:  .word   0x7fffffff, 100
a_fpu:  .word   300, -300
acc_end:
p_ex:   .word   0, 0, 0, 0                                  # bias
        .word   1099511628, 1099511628, 1099511628, 1099511628  # mult
        .word   -9, -9, -9, -9                              # shift
p_col:  .word   0, 0, 0x40000000, 0x40000000, 0, -1
p_sh:   .word   0, 0, 1, -90
        .word   1, 1, 0x7fffffff, 0x40000000
        .word   31, 31, 0, 1
p_id6:  .word   0, 0, 0, 0, 0, 0
        .word   0x40000000, 0x40000000, 0x40000000, 0x40000000, 0x40000000, 0x40000000
        .word   1, 1, 1, 1, 1, 1
p_half: .word   0, 0, 0, 0, 0, 0, 0                         # bias, then float32 scales
        .word   0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000
p_f32:  .word   0, 0, 0
        .word   0x33800000, 0x3f555556, 0x3feaaaaa          # 2^-24, 0.833333373, 1.83333325
p_inf:  .word   0, 0
        .word   0x7f7fffff, 0x7f7fffff                      # FLT_MAX
p_fpb:  .word   1, -1
        .word   0x30000000, 0x3f000000                      # 2^-31, 0.5
p_fpu:  .word   0, 0
        .word   0x3f000000, 0x3f000000
lmimg_end:
e_ex:   .byte   7, -17, -2, -8, -4, -6, -5, 127
e_col:  .byte   2, 3, -1, -3, 1, 2
e_sh:   .byte   1, -1, -128, 10
e_cl_u: .byte   0, 0, 100, 255, 255, 130
e_cl_q: .byte   5, 5, 100, 200, 200, 130
e_all127: .byte 127, 127, 127, 127, 127, 127
e_allm128: .byte -128, -128, -128, -128, -128, -128
e_relu: .byte   -10, -10, -10, 127, 127, 20
e_half: .byte   2, 4, -2, -4, 0, 0, 2
e_f32:  .byte   2, 2, 6
e_inf:  .byte   127, -128
e_inf_u: .byte  255, 0
e_fpb:  .byte   2, 53
e_fpu:  .byte   200, 0

# ve_qadd.s: vqadd (docs/isa.md, ve.qadd; docs/quantization.md "Quantized add"): TFLite's
# reference quantized add with the LM block [left_shift, a_zp, a_mult, a_shift, b_zp, b_mult,
# b_shift, out_mult, out_shift], the output zero point ve_zp and the clamp.
# "Identity" parameters (mult 2^30, shift 1) make MulQ(x) = x exactly, so y = clamp((a - a_zp) +
# (b - b_zp) + zp) can be checked by hand.
        .include "conformance.inc"
        TEST_START

        .equ    LM_A, 0x000
        .equ    LM_B, 0x010
        .equ    LM_OUT, 0x020
        GM_TO_LM 0, lmimg, lmimg_end - lmimg         # ordered before the later loads (ME in order)
        li      x12, LM_OUT
        li      x13, LM_A
        li      x14, LM_B
# QADD p, flags: vqadd LM_OUT <- LM_A, LM_B with the parameter block at label p; waits for the
# case's operand load (s0), signals s1
        .macro  QADD p:req, flags:vararg
        li      x15, \p - lmimg
        .ifb    \flags
        vqadd   x12, x13, x14, x15, wait=s0, sig=s1
        .else
        vqadd   x12, x13, x14, x15, \flags, wait=s0, sig=s1
        .endif
        .endm

# ---- the worked example: a (0.02, -10) + b (0.03, 5) -> out (0.04, 3) ----
#   (20, 35) -> 37.5 -> 38 (tie away) + 3 = 41; (0, 0) -> 4; (127, 127) -> 127 (sat.);
#   (-128, -128) -> -128 (sat.); (-10, 5) -> 0 + 3 = 3
        GM_TO_LM LM_A, ex_a, 5
        GM_TO_LM LM_B, ex_b, 5, s0
        ve_shape 1, 5
        ve_quant 3
        QADD    p_ex
        TEST_LM_BYTES 2, LM_OUT, e_ex, 5, s1
# ---- identity parameters, int8 saturation: -128-128 -> -128, 100+100 -> 127, 5-7, -1+1 ----
        GM_TO_LM LM_A, id_a, 4
        GM_TO_LM LM_B, id_b, 4, s0
        ve_shape 2, 2
        ve_quant 0
        QADD    p_id
        TEST_LM_BYTES 3, LM_OUT, e_id, 4, s1
# ---- u: the same bytes as uint8: 128+0, 200+100 -> 255, 5+249 = 254, 255+1 -> 255 ----
        GM_TO_LM LM_A, idu_a, 4
        GM_TO_LM LM_B, idu_b, 4, s0
        ve_quant 0, -2147483648, 2147483647
        QADD    p_id, u
        TEST_LM_BYTES 4, LM_OUT, e_idu, 4, s1
# ---- zero points a_zp 10, b_zp -20, zp -5, clamp [-50, 50]:
#   (10, -20) -> 0 - 5 = -5; (0, 0) -> -10 + 20 - 5 = 5; (100, 0) -> 105 -> 50;
#   (-128, -128) -> -138 - 108 - 5 = -251 -> -50
        GM_TO_LM LM_A, zp_a, 4
        GM_TO_LM LM_B, zp_b, 4, s0
        ve_quant -5, -50, 50
        QADD    p_zp
        TEST_LM_BYTES 5, LM_OUT, e_zp, 4, s1
# ---- left_shift 20, inputs scaled by 1/2 (2^30, 0), output (2^30, -19): y = (a + b) / 2 with
#   RDBP's tie away from zero: 1 -> 0.5 -> 1, -1 -> -1, 3 -> 2, 254 -> 127
        GM_TO_LM LM_A, ls_a, 4
        GM_TO_LM LM_B, ls_b, 4, s0
        ve_quant 0
        QADD    p_ls
        TEST_LM_BYTES 6, LM_OUT, e_ls, 4, s1
        PASS

        .data
        .balign 8
lmimg:  .zero   0x30                                    # LM 0 .. 0x2f: a, b, out
p_ex:   .word   20, -10, 1431655765, -1, 5, 1073741824, 0, 1610612736, -19
p_id:   .word   0, 0, 0x40000000, 1, 0, 0x40000000, 1, 0x40000000, 1
p_zp:   .word   0, 10, 0x40000000, 1, -20, 0x40000000, 1, 0x40000000, 1
p_ls:   .word   20, 0, 0x40000000, 0, 0, 0x40000000, 0, 0x40000000, -19
lmimg_end:
ex_a:   .byte   20, 0, 127, -128, -10
ex_b:   .byte   35, 0, 127, -128, 5
e_ex:   .byte   41, 4, 127, -128, 3
id_a:   .byte   -128, 100, 5, -1
id_b:   .byte   -128, 100, -7, 1
e_id:   .byte   -128, 127, -2, 0
idu_a:  .byte   128, 200, 5, 255
idu_b:  .byte   0, 100, 249, 1
e_idu:  .byte   128, 255, 254, 255
zp_a:   .byte   10, 0, 100, -128
zp_b:   .byte   -20, 0, 0, -128
e_zp:   .byte   -5, 5, 50, -50
ls_a:   .byte   1, -1, 3, 127
ls_b:   .byte   0, 0, 0, 127
e_ls:   .byte   1, -1, 2, 127

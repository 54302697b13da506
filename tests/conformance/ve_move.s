# ve_move.s: vacc.ld (LM int32 -> ACC) and vacc.st (ACC -> LM int32), little-endian, 4-byte
# aligned LM (docs/isa.md, ve.move).
        .include "conformance.inc"
        TEST_START

        GM_TO_LM 0x000, words, 16, s0
# ---- LM -> ACC 10..13 (2x2) -> LM 0x100 ----
        TEST_BEGIN 2
        ve_shape 2, 2
        li      x12, 10
        li      x13, 0x000
        vacc.ld x12, x13, wait=s0
        li      x14, 0x100
        vacc.st x14, x12, sig=s1
        LM_TO_GM 0x100, 16, s1
        CHECK_GM_WORDS conf_dump, words, 4
        CHECK_GM_BYTES conf_dump, wbytes, 16            # byte order: little-endian
# the ACC words through TEST_ACC_WORDS (vacc.st to its own scratch)
        TEST_ACC_WORDS 3, 10, words, 4
# ---- ve_rows = 0 / ve_cols = 0: nothing moves ----
        ve_shape 0, 4
        li      x13, 0x040                      # LM 0x40: zeros
        vacc.ld x12, x13
        TEST_ACC_WORDS 4, 10, words, 4          # ACC 10..13 unchanged
        ve_shape 4, 0
        li      x12, 0x100
        li      x13, 20                          # ACC 20: zeros
        vacc.st x12, x13, sig=s1
        TEST_LM_WORDS 5, 0x100, words, 4, s1    # LM 0x100 unchanged
# ---- a 1x1 move at ACC word 0 and back to an unaligned-by-8 LM word ----
        ve_shape 1, 1
        li      x12, 0
        li      x13, 0x00c                      # words[3] = 0x12345678
        vacc.ld x12, x13
        li      x14, 0x104
        vacc.st x14, x12, sig=s1
        TEST_LM_WORDS 6, 0x100, e_mixed, 4, s1
        PASS

        .data
        .balign 8
words:  .word   0x80000000, 0x7fffffff, -1, 0x12345678
wbytes: .byte   0x00, 0x00, 0x00, 0x80, 0xff, 0xff, 0xff, 0x7f
        .byte   0xff, 0xff, 0xff, 0xff, 0x78, 0x56, 0x34, 0x12
e_mixed: .word  0x80000000, 0x12345678, -1, 0x12345678

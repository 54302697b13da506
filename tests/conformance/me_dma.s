# me_dma.s: the memory engine (docs/isa.md, me.dma): dma.ld with strides and padding, dma.st,
# dma.cp (with padding, overlapping regions), dma.tr with element sizes 1, 2 and 4. LM results are
# copied back to GM by the same (in-order) ME and compared by the CP after it waits.
# GM `src` is 4 rows of 6 bytes r*16 + c at a row stride of 8 (two 0xEE filler bytes per row).
        .include "conformance.inc"
        TEST_START

        la      x2, src
# ---- dma.ld: dense 1-D ----
        TEST_BEGIN 2
        dma_copy1d 8
        dma_pad 0, 0, 0, 0
        li      x1, 0x100
        dma.ld  x1, x2
        LM_TO_GM 0x100, 8
        CHECK_GM_BYTES conf_dump, e_dense, 8
# ---- dma.ld: 2-D, source stride 8, destination stride 5 (gap bytes stay 0) ----
        TEST_BEGIN 3
        dma_shape 3, 4, 8, 5
        li      x1, 0x200
        addi    x3, x2, 1                                # from column 1
        dma.ld  x1, x3
        LM_TO_GM 0x200, 15
        CHECK_GM_BYTES conf_dump, e_2d, 15
# ---- dma.ld with padding: frame (1+2+2) x (2+3+1) at stride 7, pad byte 0xA5 ----
        TEST_BEGIN 4
        dma_shape 2, 3, 8, 7
        dma_pad 1, 2, 2, 1, 0xA5
        li      x1, 0x300
        dma.ld  x1, x2
        LM_TO_GM 0x300, 35
        CHECK_GM_BYTES conf_dump, e_pad, 35
# padding value -128 (the lowest legal), left only; then -1, right only
        TEST_BEGIN 5
        dma_shape 1, 2, 0, 0
        dma_pad 0, 0, 1, 0, -128
        li      x1, 0x340
        addi    x3, x2, 16                               # row 2: 20 21
        dma.ld  x1, x3
        dma_pad 0, 0, 0, 2, -1
        li      x1, 0x350
        dma.ld  x1, x3
        LM_TO_GM 0x340, 20
        CHECK_GM_BYTES conf_dump, e_padval, 20
# dma_cols = 0 with padding: the frame, (1 + 1 + 0) rows of (2 + 0 + 1) bytes, is all padding
        TEST_BEGIN 6
        dma_shape 1, 0, 0, 3
        dma_pad 1, 0, 2, 1, 9
        li      x1, 0x360
        dma.ld  x1, x2
        LM_TO_GM 0x360, 7
        CHECK_GM_BYTES conf_dump, e_cols0, 7
# dma_rows = 0: nothing copied (no padding), or only the padding rows
        TEST_BEGIN 7
        GM_TO_LM 0x380, src, 8                           # 00 01 02 03 04 05 EE EE
        dma_shape 0, 5, 8, 8
        li      x1, 0x380
        addi    x3, x2, 8
        dma.ld  x1, x3                                   # writes nothing
        dma_shape 0, 3, 8, 8
        dma_pad 1, 0, 0, 0, 0x77
        li      x1, 0x384
        dma.ld  x1, x3                                   # one padding row of 3 bytes
        LM_TO_GM 0x380, 8
        CHECK_GM_BYTES conf_dump, e_rows0, 8
# source stride 0: the same row three times
        TEST_BEGIN 8
        dma_shape 3, 4, 0, 4
        dma_pad 0, 0, 0, 0
        li      x1, 0x3a0
        addi    x3, x2, 16
        dma.ld  x1, x3
        LM_TO_GM 0x3a0, 12
        CHECK_GM_BYTES conf_dump, e_bcast, 12
# ---- dma.st: LM (stride 5, test 3's tile) -> GM (stride 6); padding CSRs are ignored ----
        TEST_BEGIN 9
        dma_shape 3, 4, 5, 6
        dma_pad 1, 1, 1, 1, 0x55                         # must have no effect
        la      x1, st_out
        li      x3, 0x200
        dma.st  x1, x3, sig=s1
        sem.wait s1
        CHECK_GM_BYTES st_out, e_st, 18
# ---- dma.cp: LM -> LM with padding ----
        TEST_BEGIN 10
        dma_shape 2, 3, 4, 4
        dma_pad 0, 1, 1, 0, 7
        li      x1, 0x400
        li      x3, 0x100                                # test 2: 00 01 02 03 04 05 EE EE
        dma.cp  x1, x3
        LM_TO_GM 0x400, 12
        CHECK_GM_BYTES conf_dump, e_cp, 12
# overlapping, destination above the source: as if the whole source were read first
        TEST_BEGIN 11
        GM_TO_LM 0x420, seq16, 8
        GM_TO_LM 0x440, seq16, 8
        dma_copy1d 6
        li      x1, 0x422
        li      x3, 0x420
        dma.cp  x1, x3                                   # 1 2 3 4 5 6 -> at +2
        li      x1, 0x440
        li      x3, 0x442
        dma.cp  x1, x3                                   # 3 4 5 6 7 8 -> at +0
        LM_TO_GM 0x420, 40
        CHECK_GM_BYTES conf_dump, e_overlap, 40
# ---- dma.tr: transpose within LM ----
        GM_TO_LM 0x480, seq16, 16                        # 1 .. 16
# esz 1 (the default): 3 rows x 4 bytes at stride 5 -> 4 rows x 3 bytes at stride 4
        TEST_BEGIN 12
        dma_shape 3, 4, 5, 4
        li      x1, 0x4a0
        li      x3, 0x480
        dma.tr  x1, x3
        LM_TO_GM 0x4a0, 15
        CHECK_GM_BYTES conf_dump, e_tr1, 15
        TEST_BEGIN 13
        dma_shape 3, 4, 5, 4
        li      x1, 0x4a0
        dma.tr  x1, x3, esz=1
        LM_TO_GM 0x4a0, 15
        CHECK_GM_BYTES conf_dump, e_tr1, 15
# esz 2: 2 rows of 3 halfwords (stride 6) -> 3 rows of 2 halfwords (stride 4)
        TEST_BEGIN 14
        dma_shape 2, 6, 6, 4
        li      x1, 0x4c0
        dma.tr  x1, x3, esz=2
        LM_TO_GM 0x4c0, 12
        CHECK_GM_BYTES conf_dump, e_tr2, 12
# esz 4: 2 rows of 2 words (stride 8) -> 2 rows of 2 words (stride 8)
        TEST_BEGIN 15
        dma_shape 2, 8, 8, 8
        li      x1, 0x4e0
        dma.tr  x1, x3, esz=4
        LM_TO_GM 0x4e0, 16
        CHECK_GM_BYTES conf_dump, e_tr4, 16
# ---- GM -> GM round trip through LM with signals between ME instructions ----
        TEST_BEGIN 16
        GM_TO_LM 0x500, seq16, 16, s2
        dma_copy1d 16
        la      x1, st_out2
        li      x3, 0x500
        dma.st  x1, x3, wait=s2, sig=s3
        sem.wait s3
        CHECK_GM_BYTES st_out2, seq16, 16
        PASS

        .data
        .balign 8
src:    .byte   0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0xee, 0xee
        .byte   0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0xee, 0xee
        .byte   0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0xee, 0xee
        .byte   0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0xee, 0xee
seq16:  .byte   1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
e_dense: .byte  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0xee, 0xee
e_2d:   .byte   0x01, 0x02, 0x03, 0x04, 0
        .byte   0x11, 0x12, 0x13, 0x14, 0
        .byte   0x21, 0x22, 0x23, 0x24, 0
e_pad:  .byte   0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0       # pt row
        .byte   0xa5, 0xa5, 0x00, 0x01, 0x02, 0xa5, 0       # pl 2, data, pr 1
        .byte   0xa5, 0xa5, 0x10, 0x11, 0x12, 0xa5, 0
        .byte   0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0       # pb rows
        .byte   0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0
e_padval: .byte 0x80, 0x20, 0x21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        .byte   0x20, 0x21, 0xff, 0xff
e_cols0: .byte  9, 9, 9, 9, 9, 9, 0                      # 2 rows of 3 padding bytes, stride 3
e_rows0: .byte  0x00, 0x01, 0x02, 0x03, 0x77, 0x77, 0x77, 0xee
e_bcast: .byte  0x20, 0x21, 0x22, 0x23, 0x20, 0x21, 0x22, 0x23, 0x20, 0x21, 0x22, 0x23
e_st:   .byte   0x01, 0x02, 0x03, 0x04, 0, 0
        .byte   0x11, 0x12, 0x13, 0x14, 0, 0
        .byte   0x21, 0x22, 0x23, 0x24, 0, 0
e_cp:   .byte   7, 0x00, 0x01, 0x02                       # rows 00 01 02 and 04 05 EE, pl 1
        .byte   7, 0x04, 0x05, 0xee
        .byte   7, 7, 7, 7                                 # pb row
e_overlap: .byte 1, 2, 1, 2, 3, 4, 5, 6                   # 0x420: memmove up by 2
        .zero   24
        .byte   3, 4, 5, 6, 7, 8, 7, 8                    # 0x440: memmove down by 2
e_tr1:  .byte   1, 6, 11, 0, 2, 7, 12, 0, 3, 8, 13, 0, 4, 9, 14
e_tr2:  .byte   1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12
e_tr4:  .byte   1, 2, 3, 4, 9, 10, 11, 12, 5, 6, 7, 8, 13, 14, 15, 16
        .bss
        .balign 8
st_out: .space  24
st_out2: .space 16

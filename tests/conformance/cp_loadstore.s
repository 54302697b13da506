# cp_loadstore.s: CP scalar GM loads and stores (docs/isa.md, cp.load, cp.store): sign and zero
# extension, little-endian byte order, partial stores, negative and large offsets.
        .include "conformance.inc"
        TEST_START

        la      x1, ld_data
# ---- lb / lbu: bytes 80 7f ff 01 ----
        TEST_CASE  2, x3, 0xffffff80, lb x3, 0(x1)           # -128 sign-extended
        TEST_CASE  3, x3, 0x7f, lb x3, 1(x1)
        TEST_CASE  4, x3, 0xffffffff, lb x3, 2(x1)
        TEST_CASE  5, x3, 0x80, lbu x3, 0(x1)                # zero-extended
        TEST_CASE  6, x3, 0xff, lbu x3, 2(x1)
# ---- lh / lhu: halves 0x8001 at +4, 0x7ffe at +6; bytes 80 7f at +0 ----
        TEST_CASE  7, x3, 0xffff8001, lh x3, 4(x1)
        TEST_CASE  8, x3, 0x7ffe, lh x3, 6(x1)
        TEST_CASE  9, x3, 0x7f80, lh x3, 0(x1)               # little-endian: 80 7f -> 0x7f80
        TEST_CASE 10, x3, 0x8001, lhu x3, 4(x1)
        TEST_CASE 11, x3, 0x01ff, lhu x3, 2(x1)              # ff 01
# ---- lw ----
        TEST_CASE 12, x3, 0x80000001, lw x3, 8(x1)
        TEST_CASE 13, x3, 0xdeadbeef, lw x3, 12(x1)
        TEST_CASE 14, x3, 0x01ff7f80, lw x3, 0(x1)           # 80 7f ff 01
        la      x2, ld_data + 12
        TEST_CASE 15, x3, 0x01ff7f80, lw x3, -12(x2)         # negative offset
        TEST_CASE 16, x3, 0xdeadbeef, lw x3, ld_data + 12(x0) # absolute address as offset
        li      x2, ld_data + 0x10000
        TEST_CASE 17, x3, 0x80000001, lw x3, -0x10000 + 8(x2) # large base, large negative offset
        TEST_CASE 18, x0, 0, lw x0, 8(x1)                    # load into x0: discarded
# ---- sw / sb / sh into st_buf (zero .bss) ----
        la      x1, st_buf
        li      x2, 0x12345678
        sw      x2, 0(x1)
        TEST_CASE 19, x3, 0x12345678, lw x3, 0(x1)
        li      x2, 0xabcdef99
        sb      x2, 1(x1)                                # only the low byte
        TEST_CASE 20, x3, 0x12349978, lw x3, 0(x1)
        li      x2, 0xffff8765
        sh      x2, 2(x1)                                # only the low half
        TEST_CASE 21, x3, 0x87659978, lw x3, 0(x1)
        TEST_CASE 22, x3, 0x87, lbu x3, 3(x1)
        TEST_CASE 23, x3, 0xffffff87, lb x3, 3(x1)
        TEST_CASE 24, x3, 0xffff8765, lh x3, 2(x1)
        addi    x2, x1, 16
        li      x4, 0xa1b2c3d4
        sw      x4, -12(x2)                              # st_buf + 4, negative offset
        sh      x0, -8(x2)                               # st_buf + 8: zero half
        li      x4, 0x55
        sb      x4, -5(x2)                               # st_buf + 11
        sh      x4, 14(x1)                               # st_buf + 14
        TEST_GM_BYTES 25, st_buf, st_expect, 16          # the whole buffer, byte by byte
        TEST_GM_WORDS 26, st_buf, st_expect, 4
        PASS

        .data
        .balign 8
ld_data: .byte  0x80, 0x7f, 0xff, 0x01
        .half   0x8001, 0x7ffe
        .word   0x80000001, 0xdeadbeef
st_expect:
        .byte   0x78, 0x99, 0x65, 0x87, 0xd4, 0xc3, 0xb2, 0xa1
        .byte   0x00, 0x00, 0x00, 0x55, 0x00, 0x00, 0x55, 0x00
        .bss
        .balign 8
st_buf: .space  16

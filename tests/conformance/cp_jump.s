# cp_jump.s: jal and jalr (docs/isa.md, cp.jump) and their aliases j, call, ret, jr. The link
# register gets pc + 8, the address of the instruction after the jump; `li xN, label` gives a
# code label's IMEM address.
        .include "conformance.inc"
        TEST_START

# ---- jal forward: link = pc + 8 ----
        TEST_BEGIN 2
        jal     x3, 1f
2:      j       conf_fail                               # skipped by the jal
1:      TEST_END x3, 2b
# jal x0 (j): no link; x0 stays 0
        TEST_BEGIN 3
        li      x3, 7
        jal     x0, 1f
        li      x3, 8                                   # skipped
1:      bnez    x0, conf_fail
        TEST_END x3, 7
# jal backward
        TEST_BEGIN 4
        li      x3, 0
        j       2f
1:      li      x3, 44                                  # the backward target
        j       3f
2:      jal     x5, 1b
4:      j       conf_fail
3:      TEST_END x5, 4b                                 # link of the backward jal
        li      x30, 44
        bne     x3, x30, conf_fail
# jal with a numeric offset: +16 skips one instruction
        TEST_BEGIN 5
        li      x3, 1
        jal     x6, 16
        li      x3, 2                                   # skipped
        TEST_END x3, 1
# ---- jalr: target = x[rs1] + off; link = pc + 8 ----
        TEST_BEGIN 6
        li      x1, 1f
        jalr    x3, 0(x1)
2:      j       conf_fail
1:      TEST_END x3, 2b
        TEST_BEGIN 7
        li      x1, 1f - 16                             # positive offset
        jalr    x3, 16(x1)
        j       conf_fail
1:      li      x1, 1f + 8                              # negative offset
        jalr    x0, -8(x1)
        j       conf_fail
1:      TEST_END x0, 0
# jalr with rd = rs1: the target uses the old value, then rd gets the link
        TEST_BEGIN 8
        li      x1, 1f
        jalr    x1, 0(x1)
2:      j       conf_fail
1:      TEST_END x1, 2b
# jalr: x[rs1] + off wraps modulo 2^32: 0xffffff00 + (1f + 0x100) = 2^32 + 1f -> 1f
        TEST_BEGIN 9
        li      x1, 0xffffff00
        jalr    x3, 1f + 0x100(x1)
        j       conf_fail
1:      li      x1, 1f + 0x80000000                     # and with off = INT32_MIN
        jalr    x3, -0x80000000(x1)
        j       conf_fail
1:      TEST_END x0, 0
# ---- call / ret / jr ----
        TEST_BEGIN 10
        li      x3, 0
        call    conf_sub                                # x1 = link; the subroutine sets x3 = 99
2:      TEST_END x3, 99
        li      x30, 2b
        bne     x1, x30, conf_fail                      # ret jumped back to the link
        TEST_BEGIN 11
        li      x7, 1f
        jr      x7
        j       conf_fail
1:      TEST_END x7, 1b
        PASS
        .text
conf_sub:
        li      x3, 99
        ret

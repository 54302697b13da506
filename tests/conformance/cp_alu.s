# cp_alu.s: CP integer ALU, register-register and register-immediate forms (docs/isa.md, cp.alu).
# Every expected value is hand-computed from the table's one-line semantics; the comment on each
# case names the edge it exercises. Exit 0 = all pass, else the number of the failing case.
        .include "conformance.inc"
        TEST_START

# ---- add: x[rd] = x[rs1] + x[rs2] mod 2^32 ----
        TEST_RR  2, add, 2, 1, 1
        TEST_RR  3, add, 0x80000000, 0x7fffffff, 1          # INT32_MAX + 1 wraps to INT32_MIN
        TEST_RR  4, add, 0, 0xffffffff, 1                   # -1 + 1 = 0 (carry out discarded)
        TEST_RR  5, add, 0, 0x80000000, 0x80000000          # MIN + MIN wraps to 0
        TEST_RR  6, add, 0xfffffffe, -1, -1
# ---- sub ----
        TEST_RR  7, sub, 0xfffffffc, 3, 7                   # 3 - 7 = -4
        TEST_RR  8, sub, 0x7fffffff, 0x80000000, 1          # MIN - 1 wraps to MAX
        TEST_RR  9, sub, 0x80000000, 0, 0x80000000          # 0 - MIN = MIN
# ---- and / or / xor ----
        TEST_RR 10, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f
        TEST_RR 11, or,  0xff0fff0f, 0xff00ff00, 0x0f0f0f0f
        TEST_RR 12, xor, 0xf00ff00f, 0xff00ff00, 0x0f0f0f0f
# ---- sll / srl / sra: shift by x[rs2] & 31 ----
        TEST_RR 13, sll, 0x80000000, 1, 31                  # shift by 31
        TEST_RR 14, sll, 0x12345678, 0x12345678, 0          # shift by 0
        TEST_RR 15, sll, 2, 1, 33                           # 33 & 31 = 1
        TEST_RR 16, sll, 0xfffffff0, 0xffffffff, 4
        TEST_RR 17, srl, 1, 0x80000000, 31                  # logical: zero fill
        TEST_RR 18, srl, 0x40000000, 0x80000000, 1
        TEST_RR 19, srl, 0xffffffff, 0xffffffff, 0xffffffe0 # -32 & 31 = 0
        TEST_RR 20, sra, 0xffffffff, 0x80000000, 31         # arithmetic: sign fill, by 31
        TEST_RR 21, sra, 0xc0000000, 0x80000000, 1
        TEST_RR 22, sra, 0, 0x7fffffff, 31
        TEST_RR 23, sra, 0xfffffffc, -7, 1                  # -7 >> 1 = floor(-3.5) = -4
        TEST_RR 24, sra, 0xc091a2b3, 0x81234567, 33         # 33 & 31 = 1
# ---- slt (signed) / sltu (unsigned) ----
        TEST_RR 25, slt, 1, -1, 1
        TEST_RR 26, slt, 0, 1, -1
        TEST_RR 27, slt, 1, 0x80000000, 0x7fffffff          # MIN < MAX signed
        TEST_RR 28, slt, 0, 5, 5                            # equal: not less
        TEST_RR 29, sltu, 0, -1, 1                          # 0xffffffff > 1 unsigned
        TEST_RR 30, sltu, 1, 1, 0xffffffff
        TEST_RR 31, sltu, 0, 0, 0
        TEST_RR 32, sltu, 1, 0x7fffffff, 0x80000000         # MAX < MIN unsigned
# ---- addi / andi / ori / xori: 32-bit immediates, written signed or unsigned ----
        TEST_RI 33, addi, 0x80000000, 0x7fffffff, 1         # wraps
        TEST_RI 34, addi, 0xffffffff, 0, -1
        TEST_RI 35, addi, 4, 5, 0xffffffff                  # unsigned spelling of -1
        TEST_RI 36, addi, 0x80000000, 0, 0x80000000
        TEST_RI 37, andi, 0xf000f000, 0xff00ff00, 0xf0f0f0f0
        TEST_RI 38, andi, 0x12345678, 0x12345678, -1
        TEST_RI 39, ori,  0x0fff0fff, 0x00ff00ff, 0x0f0f0f0f
        TEST_RI 40, ori,  0xfffff800, 0, -2048
        TEST_RI 41, xori, 0xff00ff00, 0x00ff00ff, -1
        TEST_RI 42, xori, 0xedcb5678, 0x12345678, 0xffff0000
# ---- slli / srli / srai ----
        TEST_RI 43, slli, 0x80000000, 1, 31
        TEST_RI 44, slli, 0xffffffff, 0xffffffff, 0
        TEST_RI 45, slli, 0x23456780, 0x12345678, 4         # bits shifted out are lost
        TEST_RI 46, srli, 1, 0x80000000, 31
        TEST_RI 47, srli, 0xffffffff, 0xffffffff, 0
        TEST_RI 48, srli, 0x08000000, 0x80000000, 4
        TEST_RI 49, srai, 0xffffffff, 0x80000000, 31
        TEST_RI 50, srai, 0xf8000000, 0x80000000, 4
        TEST_RI 51, srai, 0, 0x7fffffff, 31
        TEST_RI 52, srai, 0x12345678, 0x12345678, 0
# ---- slti (signed imm) / sltiu (imm sign-extended, compared unsigned) ----
        TEST_RI 53, slti, 1, -1, 0
        TEST_RI 54, slti, 0, 0, -1
        TEST_RI 55, slti, 1, 0x80000000, 0x7fffffff
        TEST_RI 56, slti, 0, 0, 0xffffffff                  # imm 0xffffffff is -1 signed
        TEST_RI 57, slti, 0, 0x7fffffff, 0x80000000         # MAX < MIN? no
        TEST_RI 58, sltiu, 1, 0, -1                         # 0 < 0xffffffff
        TEST_RI 59, sltiu, 0, 0xffffffff, -1                # equal
        TEST_RI 60, sltiu, 1, 0xfffffffe, -1
        TEST_RI 61, sltiu, 0, 5, 3
        TEST_RI 62, sltiu, 0, 0x80000000, 0x7fffffff
# ---- x0 and register aliasing ----
        li      x1, 5
        li      x2, 7
        TEST_CASE 63, x0, 0, add x0, x1, x2                 # writes to x0 are discarded
        TEST_CASE 64, x3, 5, add x3, x0, x1                 # x0 reads 0
        li      x1, 21
        TEST_CASE 65, x1, 42, add x1, x1, x1                # rd = rs1 = rs2
        TEST_CASE 66, x0, 0, addi x0, x0, 123
# ---- pseudo-instructions (expand to the instructions above) ----
        li      x1, 0x0f0f0f0f
        TEST_CASE 67, x3, 0xf0f0f0f0, not x3, x1            # xori -1
        li      x1, 0x80000000
        TEST_CASE 68, x3, 0x80000000, neg x3, x1            # sub from x0: -MIN = MIN
        li      x1, 0xcafe
        TEST_CASE 69, x3, 0xcafe, mv x3, x1
        TEST_CASE 70, x3, 0xcafe, nop                       # changes nothing
        PASS

# cp_mul.s: CP multiply (docs/isa.md, cp.mul): mul (low 32 bits), mulh (high 32, signed x signed),
# mulhu (high 32, unsigned x unsigned). Products below are exact integer arithmetic, worked out in
# the comments; the high word is floor(product / 2^32).
        .include "conformance.inc"
        TEST_START

# ---- mul: low 32 bits (the same for signed and unsigned operands) ----
        TEST_RR  2, mul, 21, 3, 7
        TEST_RR  3, mul, 0xffffffeb, -3, 7                  # -21
        TEST_RR  4, mul, 0, 0x10000, 0x10000                # 2^32: low word 0
        TEST_RR  5, mul, 1, 0x7fffffff, 0x7fffffff          # 2^62 - 2^32 + 1
        TEST_RR  6, mul, 0x80000000, 0x80000000, -1         # -MIN wraps to MIN
        TEST_RR  7, mul, 1, 0xffffffff, 0xffffffff          # (-1)(-1) or (2^32-1)^2: low 1
# ---- mulh: signed x signed, high word ----
        TEST_RR  8, mulh, 0, 3, 7
        TEST_RR  9, mulh, 0xffffffff, -3, 7                 # -21: high word -1
        TEST_RR 10, mulh, 0x40000000, 0x80000000, 0x80000000 # MIN*MIN = 2^62
        TEST_RR 11, mulh, 0xc0000000, 0x80000000, 0x7fffffff # -2^62 + 2^31: floor(/2^32) = -2^30
        TEST_RR 12, mulh, 0, -1, -1                         # +1
        TEST_RR 13, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff # (2^62 - 2^32 + 1) >> 32
        TEST_RR 14, mulh, 0xffffffff, -1, 1                 # -1: high word all ones
# ---- mulhu: unsigned x unsigned, high word ----
        TEST_RR 15, mulhu, 0xfffffffe, 0xffffffff, 0xffffffff # 2^64 - 2^33 + 1
        TEST_RR 16, mulhu, 1, 0x80000000, 2                 # 2^32
        TEST_RR 17, mulhu, 0x40000000, 0x80000000, 0x80000000
        TEST_RR 18, mulhu, 0, 3, 7
        TEST_RR 19, mulhu, 1, 0xffffffff, 2                 # 2^33 - 2
        TEST_RR 20, mulhu, 0x7fffffff, 0xffffffff, 0x80000000 # 2^63 - 2^31
        TEST_RR 21, mulh, 0, 0xffffffff, 0x80000000         # signed: (-1)(MIN) = 2^31: high 0
# ---- rd aliasing ----
        li      x1, 0xffffffff
        TEST_CASE 22, x1, 0xfffffffe, mulhu x1, x1, x1      # rd = rs1 = rs2
        TEST_CASE 23, x0, 0, mul x0, x1, x1
        PASS

# cp_branch.s: conditional branches (docs/isa.md, cp.branch). TEST_BR checks both directions: a
# case fails if a branch expected taken falls through, or one expected not taken jumps.
        .include "conformance.inc"
        TEST_START

# ---- beq / bne ----
        TEST_BR  2, beq, 1, 0, 0
        TEST_BR  3, beq, 0, 1, 0
        TEST_BR  4, beq, 1, -1, 0xffffffff                  # same bits
        TEST_BR  5, beq, 0, 0x80000000, 0
        TEST_BR  6, bne, 1, 0, 1
        TEST_BR  7, bne, 0, 5, 5
        TEST_BR  8, bne, 1, -1, 0x7fffffff
# ---- blt / bge: signed ----
        TEST_BR  9, blt, 1, -1, 1
        TEST_BR 10, blt, 0, 1, -1
        TEST_BR 11, blt, 1, 0x80000000, 0x7fffffff         # MIN < MAX
        TEST_BR 12, blt, 0, 5, 5
        TEST_BR 13, blt, 1, -2, -1
        TEST_BR 14, bge, 1, 1, -1
        TEST_BR 15, bge, 0, -1, 1
        TEST_BR 16, bge, 1, 5, 5                            # equal: taken
        TEST_BR 17, bge, 1, 0x7fffffff, 0x80000000
        TEST_BR 18, bge, 0, 0x80000000, 0x7fffffff
# ---- bltu / bgeu: unsigned ----
        TEST_BR 19, bltu, 1, 1, 0xffffffff
        TEST_BR 20, bltu, 0, 0xffffffff, 1
        TEST_BR 21, bltu, 1, 0x7fffffff, 0x80000000
        TEST_BR 22, bltu, 0, 0, 0
        TEST_BR 23, bgeu, 1, 0xffffffff, 1
        TEST_BR 24, bgeu, 0, 1, 0xffffffff
        TEST_BR 25, bgeu, 1, 0, 0                           # equal: taken
        TEST_BR 26, bgeu, 1, 0x80000000, 0x7fffffff

# ---- backward branches: loops. Sum 5 + 4 + 3 + 2 + 1 with bne (bnez) back ----
        TEST_BEGIN 27
        li      x1, 5
        li      x3, 0
1:      add     x3, x3, x1
        addi    x1, x1, -1
        bnez    x1, 1b
        TEST_END x3, 15
# blt back: count x1 from -3 up to 2 (signed compare across 0): 5 iterations
        TEST_BEGIN 28
        li      x1, -3
        li      x2, 2
        li      x3, 0
1:      addi    x3, x3, 1
        addi    x1, x1, 1
        blt     x1, x2, 1b
        TEST_END x3, 5
# bltu back: from 0xfffffffd up, wraps to 0 (not below 0xffffffff any more after 2 steps)
        TEST_BEGIN 29
        li      x1, 0xfffffffd
        li      x2, 0xffffffff
        li      x3, 0
1:      addi    x3, x3, 1
        addi    x1, x1, 1
        bltu    x1, x2, 1b                              # fd -> fe (loop), fe -> ff (exit)
        TEST_END x3, 2
# bgeu and bge back
        TEST_BEGIN 30
        li      x1, 3
        li      x3, 0
1:      addi    x3, x3, 10
        addi    x1, x1, -1
        bge     x1, x0, 1b                              # 3, 2, 1, 0 run; -1 exits: 4 times
        TEST_END x3, 40
        TEST_BEGIN 31
        li      x1, 2
        li      x3, 0
1:      addi    x3, x3, 1
        addi    x1, x1, -1
        bgeu    x1, x0, 2f                              # always taken (unsigned >= 0)
        j       conf_fail
2:      bnez    x1, 1b
        TEST_END x3, 2
        TEST_BEGIN 32
        li      x1, 0
        li      x3, 0
1:      addi    x3, x3, 1
        addi    x1, x1, 1
        beq     x1, x3, 2f                              # always taken here
        j       conf_fail
2:      li      x2, 3
        bne     x1, x2, 1b
        TEST_END x3, 3
# ---- numeric (absolute) offset: +16 skips exactly one instruction ----
        TEST_BEGIN 33
        li      x3, 1
        beq     x0, x0, 16
        li      x3, 2                                   # skipped
        TEST_END x3, 1
        TEST_BEGIN 34
        li      x3, 1
        bne     x0, x0, 16                              # not taken: +8
        li      x3, 2
        TEST_END x3, 2
        PASS

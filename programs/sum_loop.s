# sum_loop.s: a scalar loop on the CP (no engine instructions).
#
# What it does
#   Sums 1..100 in a counted loop (add / addi / bnez), stores the sum at `result` in GM and
#   checks it: exit code 0 when it is 5050, 1 otherwise. 308 instructions retire (the loop body
#   of three instructions runs 100 times).
#
# Run:      thead-run programs/sum_loop.s --stats
# Expected: exit code 0; thead-run programs/sum_loop.s --dump result=r.npy:int32:1 writes [5050].
        .text
        .globl _start
_start: li      x1, 100             # counter
        li      x2, 0               # sum
1:      add     x2, x2, x1
        addi    x1, x1, -1
        bnez    x1, 1b
        la      x3, result
        sw      x2, 0(x3)
        li      x4, 5050
        li      x10, 0
        beq     x2, x4, done
        li      x10, 1              # exit code 1: wrong sum
done:   halt    x10

        .data
result: .word   0

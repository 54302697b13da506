# Fuzz seed: macros with defaults and varargs, .irp/.irpc, conditionals, local labels,
# expressions at their limits, data directives of every width and the engine instructions.
        .equ    N, 4
        .macro  fill3 a=1, b:req, rest:vararg
        .byte   \a, \b
        .ifnb   \rest
        .byte   \rest
        .endif
        .endm
        .text
        .globl  _start
_start: li      x1, 0x7fffffff
        li      x2, -0x80000000
        addi    x3, x0, (1 << 31) - 1
        .irp    r, 4, 5, 6
        addi    x\r, x0, \r * N
        .endr
1:      addi    x4, x4, -1
        bnez    x4, 1b
        csrwi   te_m, N
        csrwi   te_n, N
        csrwi   te_k, N
        gemm    x1, x2, x3, acc, wait=s1, sig=s2
        .if     N > 3
        sem.sig s1
        .else
        .err
        .endif
        halt    x0
        .data
        .irpc   c, 0123
        .byte   \c
        .endr
        fill3   b=2
        fill3   3, 4, 5, 6, 7
        .short  0xffff, -1
        .word   0xffffffff
        .dword  -0x8000000000000000
        .ascii  "a\x41\101\n\"", "z"
        .asciz  "tail"
        .balign 8
        .bss
buf:    .space  64

# Symbols: labels, forward references, local labels (1: 1b 1f), .equ/.set/.equiv/=,
# .globl/.global/.weak/.local, and the entry point _start.
        .equ    N, 3
        .set    M, N * 2 + 1
        K = M - N
        .equiv  LIMIT, 0x100
        .set    COUNT, 0
        .set    COUNT, COUNT + 1            # redefinable: the old value is used
        .set    COUNT, COUNT + 1
        .globl  _start, shared
        .global exported
        .weak   maybe
        .local  hidden
        .text
        nop                                 # CHECK: encoding: 0x0000000000000010
_start: li      x1, N                       # CHECK: encoding: 0x0000000300000110
        li      x2, M                       # CHECK: encoding: 0x0000000700000210
        li      x3, K                       # CHECK: encoding: 0x0000000400000310
        li      x4, COUNT                   # CHECK: encoding: 0x0000000200000410
        li      x5, LATER                   # CHECK: encoding: 0x0000002a00000510
        li      x6, end - _start            # CHECK: encoding: 0x0000009800000610
        li      x7, table + 8               # CHECK: encoding: 0x0000000800000710
# local numeric labels: Nb is the nearest earlier N:, Nf the nearest later one
1:      j       1f                          # CHECK: encoding: 0x0000001000000026
        j       1b                          # CHECK: encoding: 0xfffffff800000026
1:      j       1b                          # CHECK: encoding: 0x0000000000000026
2:      bnez    x1, 2f                      # CHECK: encoding: 0x0000000800002021
2:      beqz    x1, 2b                      # CHECK: encoding: 0x0000000000002020
10:     j       10b                         # CHECK: encoding: 0x0000000000000026
shared: call    exported                    # CHECK: encoding: 0x0000001000000126
maybe:  nop                                 # CHECK: encoding: 0x0000000000000010
exported:ret                                # CHECK: encoding: 0x0000000000002027
        li      x8, fwd_equ                 # CHECK: encoding: 0x000000a800000810
hidden: j       .L.loop                     # CHECK: encoding: 0x0000000800000026
.L.loop:li      x9, BY_EQ                   # CHECK: encoding: 0x0000000500000910
end:    halt    x0                          # CHECK: encoding: 0x000000000000003f
        .equ    LATER, 42
        fwd_equ = end + 8                  # an address: relative to .text
        BY_EQ = 5
a: b:   c:                                 # several labels on one line
        .data
table:  .dword  0, 0
# CHECK-ENTRY: 8
# CHECK-SYM: N *ABS* 3
# CHECK-SYM: M *ABS* 7
# CHECK-SYM: K *ABS* 4
# CHECK-SYM: LIMIT *ABS* 256
# CHECK-SYM: COUNT *ABS* 2
# CHECK-SYM: _start .text 8 global
# CHECK-SYM: shared .text 112 global
# CHECK-SYM: exported .text 128 global
# CHECK-SYM: maybe .text 120 weak
# CHECK-SYM: hidden .text 144
# CHECK-SYM: fwd_equ .text 168
# CHECK-SYM: end .text 160
# CHECK-SYM: a .text 168
# CHECK-SYM: c .text 168
# CHECK-SYM: table .data 0

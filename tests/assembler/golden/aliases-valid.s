# Pseudo-instructions: every alias of the table (li, la, mv, nop, not, neg, j, call, ret, jr,
# beqz, bnez, fence). Expected words: the target instruction from thead_isa.isa.encode.
        .text
# Pseudo-instructions (the table's ALIASES), each with the instruction it stands for
top:    nop                                 # CHECK: encoding: 0x0000000000000010
        li      x1, 5                       # CHECK: encoding: 0x0000000500000110
        li      x2, -1                      # CHECK: encoding: 0xffffffff00000210
        li      x3, 0xdeadbeef              # CHECK: encoding: 0xdeadbeef00000310
        li      x4, -0x80000000             # CHECK: encoding: 0x8000000000000410
        la      x5, top                     # CHECK: encoding: 0x0000000000000510
        la      x6, buf                     # CHECK: encoding: 0x0000001000000610
        la      x6, buf + 4                 # CHECK: encoding: 0x0000001400000610
        mv      x7, x8                      # CHECK: encoding: 0x0000000000010710
        not     x9, x10                     # CHECK: encoding: 0xffffffff00014913
        neg     x11, x12                    # CHECK: encoding: 0x0000000000300b02
back:   j       back                        # CHECK: encoding: 0x0000000000000026
        j       -16                         # CHECK: encoding: 0xfffffff000000026
        call    func                        # CHECK: encoding: 0x0000003000000126
        ret                                 # CHECK: encoding: 0x0000000000002027
        jr      x13                         # CHECK: encoding: 0x000000000001a027
        beqz    x14, back                   # CHECK: encoding: 0xffffffd80001c020
        bnez    x15, func                   # CHECK: encoding: 0x000000100001e021
        fence                               # CHECK: encoding: 0x0000000700000038
func:   ret                                 # CHECK: encoding: 0x0000000000002027
        .data
        .dword  1, 2
buf:    .word   0
# CHECK-SYM: buf .data 0x10

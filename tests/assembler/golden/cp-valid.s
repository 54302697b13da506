# Command-processor instructions: every scalar, branch, jump, load, store, CSR and sync
# instruction, with the operand forms each accepts. Expected words: thead_isa.isa.encode.
        .text
_start: add     x1, x2, x3                  # CHECK: encoding: 0x00000000000c4101
        sub     x31, x0, x31                # CHECK: encoding: 0x00000000007c1f02
        and x4,x5,x6                        # CHECK: encoding: 0x000000000018a403
        or      x7, x8, x9                  # CHECK: encoding: 0x0000000000250704
        xor     x10, x11, x12               # CHECK: encoding: 0x0000000000316a05
        sll     x13, x14, x15               # CHECK: encoding: 0x00000000003dcd06
        srl     x16, x17, x18               # CHECK: encoding: 0x00000000004a3007
        sra     x19, x20, x21               # CHECK: encoding: 0x0000000000569308
        slt     x22, x23, x24               # CHECK: encoding: 0x000000000062f609
        sltu    x25, x26, x27               # CHECK: encoding: 0x00000000006f590a
        mul     x28, x29, x30               # CHECK: encoding: 0x00000000007bbc0b
        mulh    x1, x1, x1                  # CHECK: encoding: 0x000000000004210c
        mulhu   x2, x3, x4                  # CHECK: encoding: 0x000000000010620d
# immediates: every base, character literals, the 32-bit limits
        addi    x1, x2, -2048               # CHECK: encoding: 0xfffff80000004110
        addi    x1, x2, 0x7fffffff          # CHECK: encoding: 0x7fffffff00004110
        addi    x1, x2, -2147483648         # CHECK: encoding: 0x8000000000004110
        addi    x1, x2, 4294967295          # CHECK: encoding: 0xffffffff00004110
        andi    x3, x4, 0xFF                # CHECK: encoding: 0x000000ff00008311
        ori     x5, x6, 0b1010              # CHECK: encoding: 0x0000000a0000c512
        xori    x7, x8, 017                 # CHECK: encoding: 0x0000000f00010713
        xori    x7, x8, 0o17                # CHECK: encoding: 0x0000000f00010713
        slli    x9, x10, 0                  # CHECK: encoding: 0x0000000000014914
        srli    x11, x12, 31                # CHECK: encoding: 0x0000001f00018b15
        srai    x13, x14, 8*2               # CHECK: encoding: 0x000000100001cd16
        slti    x15, x16, -1                # CHECK: encoding: 0xffffffff00020f17
        sltiu   x17, x18, 'A'               # CHECK: encoding: 0x0000004100025118
        sltiu   x17, x18, '\n'              # CHECK: encoding: 0x0000000a00025118
# branches and jumps: a label is a target, a number is the offset itself (as llvm-mc)
loop:   beq     x1, x2, loop                # CHECK: encoding: 0x0000000000082020
        bne     x3, x4, fwd                 # CHECK: encoding: 0x0000002800106021
        blt     x5, x6, -8                  # CHECK: encoding: 0xfffffff80018a022
        bge     x7, x8, 16                  # CHECK: encoding: 0x000000100020e023
        bltu    x9, x10, loop               # CHECK: encoding: 0xffffffe000292024
        bgeu    x11, x12, . + 16            # CHECK: encoding: 0x0000001000316025
fwd:    jal     x1, loop                    # CHECK: encoding: 0xffffffd000000126
        jal     x0, 0x10                    # CHECK: encoding: 0x0000001000000026
        jal     x5, 2147483640              # CHECK: encoding: 0x7ffffff800000526
        jal     x5, -2147483648             # CHECK: encoding: 0x8000000000000526
        jalr    x1, 0(x5)                   # CHECK: encoding: 0x000000000000a127
        jalr    x0, -8(x6)                  # CHECK: encoding: 0xfffffff80000c027
        jalr    x2, (x7)                    # CHECK: encoding: 0x000000000000e227
# loads and stores
        lb      x1, 0(x2)                   # CHECK: encoding: 0x0000000000004128
        lbu     x3, 1(x4)                   # CHECK: encoding: 0x0000000100008329
        lh      x5, -2(x6)                  # CHECK: encoding: 0xfffffffe0000c52a
        lhu     x7, 0x100(x8)               # CHECK: encoding: 0x000001000001072b
        lw      x9, 4*3(x10)                # CHECK: encoding: 0x0000000c0001492c
        lw      x9, (4)(x10)                # CHECK: encoding: 0x000000040001492c
        sb      x1, 0(x2)                   # CHECK: encoding: 0x000000000004402d
        sh      x3, 2(x4)                   # CHECK: encoding: 0x00000002000c802e
        sw      x5, -4 ( x6 )               # CHECK: encoding: 0xfffffffc0014c02f
# CSRs by name or number, sync, semaphores, halt
        csrr    x1, cycle                   # CHECK: encoding: 0x00000000c0000130
        csrr    x2, 0xc02                   # CHECK: encoding: 0x00000000c0200230
        csrr    x3, cfg_imem_bytes          # CHECK: encoding: 0x00000000cc600330
        csrw    dma_rows, x3                # CHECK: encoding: 0x0000000080006031
        csrw    0x801, x4                   # CHECK: encoding: 0x0000000080108031
        csrw    4095, x4                    # CHECK: encoding: 0x00000000fff08031
        csrwi   te_m, 16                    # CHECK: encoding: 0x0000001081000032
        csrwi   ve_zp, -5                   # CHECK: encoding: 0xfffffffb84200032
        csrwi   ve_qmax, 0xffffffff         # CHECK: encoding: 0xffffffff84400032
        sync    7                           # CHECK: encoding: 0x0000000700000038
        sync    0                           # CHECK: encoding: 0x0000000000000038
        sem.sig s0                          # CHECK: encoding: 0x0000000000000039
        sem.sig s15                         # CHECK: encoding: 0x000003c000000039
        sem.wait s3                         # CHECK: encoding: 0x000000060000003a
        halt    x0                          # CHECK: encoding: 0x000000000000003f
        halt    x31                         # CHECK: encoding: 0x000000000003e03f
# CHECK-ENTRY: 0
# CHECK-SYM: loop .text 0xd8

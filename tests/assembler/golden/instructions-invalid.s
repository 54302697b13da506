# Instruction diagnostics: unknown mnemonics, operand counts, kinds and ranges, options, placement.
        .text
        addd    x1, x2, x3              # CHECK-ERROR: :[[@LINE]]:9: error: unknown instruction 'addd'; did you mean 'add', 'addi' or 'vqadd'?
        frobnicate x1                   # CHECK-ERROR: :[[@LINE]]:9: error: unknown instruction 'frobnicate'
        ADD     x1, x2, x3              # CHECK-ERROR: :[[@LINE]]:9: error: unknown instruction 'ADD'; did you mean 'add'?
        add     x1, x2                  # CHECK-ERROR: :[[@LINE]]:9: error: too few operands for 'add' (expected: add rd, rs1, rs2)
        add     x1, x2, x3, x4          # CHECK-ERROR: :[[@LINE]]:29: error: too many operands for 'add' (expected: add rd, rs1, rs2)
        nop     x1                      # CHECK-ERROR: :[[@LINE]]:17: error: too many operands for 'nop' (expected: nop)
        add     x1, x2, 5               # CHECK-ERROR: :[[@LINE]]:25: error: expected a register x0..x31, found the number 5
        add     x1, x2, x32             # CHECK-ERROR: :[[@LINE]]:25: error: expected a register x0..x31, found 'x32'; did you mean 'x3'?
        add     x1, x2, s1              # CHECK-ERROR: :[[@LINE]]:25: error: expected a register x0..x31, found 's1'
        add     x1, x2, foo             # CHECK-ERROR: :[[@LINE]]:25: error: expected a register x0..x31, found 'foo'
        addi    x1, x2, x3              # CHECK-ERROR: :[[@LINE]]:25: error: expected an immediate, found register 'x3'
        addi    x1, x2, 4294967296      # CHECK-ERROR: :[[@LINE]]:25: error: immediate operand must be an integer in the range [-2147483648, 4294967295], not 4294967296
        addi    x1, x2, -2147483649     # CHECK-ERROR: :[[@LINE]]:25: error: immediate operand must be an integer in the range [-2147483648, 4294967295], not -2147483649
        slli    x1, x2, 32              # CHECK-ERROR: :[[@LINE]]:25: error: shift amount operand must be an integer in the range [0, 31], not 32
        slli    x1, x2, -1              # CHECK-ERROR: :[[@LINE]]:25: error: shift amount operand must be an integer in the range [0, 31], not -1
        beq     x1, x2, 12              # CHECK-ERROR: :[[@LINE]]:25: error: branch offset operand must be a multiple of 8 in the range [-2147483648, 2147483640], not 12
        beq     x1, x2, 2147483648      # CHECK-ERROR: :[[@LINE]]:25: error: branch offset operand must be a multiple of 8 in the range [-2147483648, 2147483640], not 2147483648
        beq     x1, x2, x3              # CHECK-ERROR: :[[@LINE]]:25: error: expected a branch offset, found register 'x3'
        jal     x1, data_label          # CHECK-ERROR: :[[@LINE]]:21: error: branch target is in section '.data', not in code (IMEM)
        lw      x1, 4                   # CHECK-ERROR: :[[@LINE]]:21: error: expected a memory operand off(rs1)
        lw      x1, 4(5)                # CHECK-ERROR: :[[@LINE]]:23: error: expected a register x0..x31, found the number 5
        lw      x1, x2(x3)              # CHECK-ERROR: :[[@LINE]]:21: error: expected an immediate, found register 'x2'
        add     x1, 4(x2), x3           # CHECK-ERROR: :[[@LINE]]:21: error: expected a register x0..x31, found a memory operand
        add     x1, "x2", x3            # CHECK-ERROR: :[[@LINE]]:21: error: expected a register x0..x31
        csrr    x1, dma_row             # CHECK-ERROR: :[[@LINE]]:21: error: unknown CSR 'dma_row'; did you mean 'dma_rows', 'dma_pr' or 'dma_cols'?
        csrr    x1, 0x1000              # CHECK-ERROR: :[[@LINE]]:21: error: csr operand must be an integer in the range [0, 4095], not 4096
        csrw    x1, x2                  # CHECK-ERROR: :[[@LINE]]:17: error: expected a csr, found register 'x1'
        sync    8                       # CHECK-ERROR: :[[@LINE]]:17: error: engine mask operand must be an integer in the range [0, 7], not 8
        sem.sig s16                     # CHECK-ERROR: :[[@LINE]]:17: error: expected a semaphore s0..s15, found 's16'; did you mean 's6'?
        sem.wait x1                     # CHECK-ERROR: :[[@LINE]]:18: error: expected a semaphore s0..s15, found 'x1'
        gemm    x1, x2, x3, ac          # CHECK-ERROR: :[[@LINE]]:29: error: unknown option 'ac' for 'gemm'; did you mean 'acc'? (options: acc, u, wait=s0..s15, sig=s0..s15)
        gemm    x1, x2, x3, 5           # CHECK-ERROR: :[[@LINE]]:29: error: unexpected operand for 'gemm' (options: acc, u, wait=s0..s15, sig=s0..s15)
        gemm    x1, x2, x3, acc, acc    # CHECK-ERROR: :[[@LINE]]:34: error: option 'acc' is given more than once
        gemm    x1, x2, x3, acc=1       # CHECK-ERROR: :[[@LINE]]:29: error: option 'acc' takes no value
        gemm    x1, x2, x3, wait        # CHECK-ERROR: :[[@LINE]]:29: error: option 'wait' needs a value: wait=s0..s15
        gemm    x1, x2, x3, wait=s16    # CHECK-ERROR: :[[@LINE]]:34: error: expected a semaphore s0..s15, found 's16'; did you mean 's6'?
        gemm    x1, x2, x3, dw          # CHECK-ERROR: :[[@LINE]]:29: error: unknown option 'dw' for 'gemm' (options: acc, u, wait=s0..s15, sig=s0..s15)
        dma.tr  x1, x2, esz=3           # CHECK-ERROR: :[[@LINE]]:29: error: element size operand must be one of 1, 2, 4, not 3
        dma.tr  x1, x2, esz=nowhere     # CHECK-ERROR: :[[@LINE]]:29: error: undefined symbol 'nowhere'
        gemm    x1, wait=s1, x2, x3     # CHECK-ERROR: :[[@LINE]]:21: error: too few operands for 'gemm' (expected: gemm c, a, b)
        li      x1, undefined           # CHECK-ERROR: :[[@LINE]]:21: error: undefined symbol 'undefined'
        li      x1, 1/0                 # CHECK-ERROR: :[[@LINE]]:22: error: division by zero
        .data
data_label:
        nop                             # CHECK-ERROR: :[[@LINE]]:9: error: instruction in section '.data', which is not executable (code goes in .text or a section with flag "x")
        .text
        .byte   1
        nop                             # CHECK-ERROR: :[[@LINE]]:9: error: instruction at offset 0x139 of '.text' is not 8-byte aligned (use .balign 8)

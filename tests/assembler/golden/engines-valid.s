# Engine instructions (ME, TE, VE): every one, with its flags (acc, u, dw), element size and
# wait=/sig= semaphore options. Expected words: thead_isa.isa.encode.
        .text
# ME: 2-D DMA; options follow the positional operands in any order
        dma.ld  x1, x2                      # CHECK: encoding: 0x0000000000082040
        dma.ld  x1, x2, wait=s3             # CHECK: encoding: 0x0000000700082040
        dma.ld  x1, x2, sig=s15, wait=s0    # CHECK: encoding: 0x000003e100082040
        dma.st  x31, x30, sig=s1            # CHECK: encoding: 0x00000060007be041
        dma.cp  x4, x5                      # CHECK: encoding: 0x0000000000148042
        dma.tr  x6, x7                      # CHECK: encoding: 0x00000000001cc043
        dma.tr  x6, x7, esz=1               # CHECK: encoding: 0x00000000001cc043
        dma.tr  x6, x7, esz=2               # CHECK: encoding: 0x00002000001cc043
        dma.tr  x6, x7, esz=2*2, wait=s2    # CHECK: encoding: 0x00004005001cc043
# TE: flags are bare words
        gemm    x1, x2, x3                  # CHECK: encoding: 0x0000000001882050
        gemm    x1, x2, x3, acc             # CHECK: encoding: 0x0000040001882050
        gemm    x1, x2, x3, u, acc          # CHECK: encoding: 0x00000c0001882050
        gemm    x1, x2, x3, acc, u, wait=s4, sig=s5# CHECK: encoding: 0x00000d6901882050
        conv    x8, x9, x10                 # CHECK: encoding: 0x0000000005250051
        conv    x8, x9, x10, dw             # CHECK: encoding: 0x0000100005250051
        conv    x8, x9, x10, dw, acc, u, sig=s7# CHECK: encoding: 0x00001de005250051
# VE
        vrq.fx   x19, x20, x21              # CHECK: encoding: 0x000000000ad26060
        vrq.fx   x19, x20, x21, u           # CHECK: encoding: 0x000008000ad26060
        vrq.fp   x20, x21, x22              # CHECK: encoding: 0x000000000b568061
        vrq.fp   x20, x21, x22, u           # CHECK: encoding: 0x000008000b568061
        vqadd    x21, x22, x23, x24         # CHECK: encoding: 0x000000000bdab862
        vqadd    x21, x22, x23, x24, u      # CHECK: encoding: 0x000008000bdab862
        vmaxpool x22, x23                   # CHECK: encoding: 0x00000000005ec063
        vmaxpool x22, x23, u                # CHECK: encoding: 0x00000800005ec063
        vavgpool x23, x24                   # CHECK: encoding: 0x000000000062e064
        vavgpool x23, x24, u                # CHECK: encoding: 0x000008000062e064
        vgap     x24, x25                   # CHECK: encoding: 0x0000000000670065
        vgap     x24, x25, u                # CHECK: encoding: 0x0000080000670065
        vlut     x25, x26, x27              # CHECK: encoding: 0x000000000deb2066
        vrmax.b  x26, x27                   # CHECK: encoding: 0x00000000006f4067
        vrmax.b  x26, x27, u                # CHECK: encoding: 0x00000800006f4067
        vrsum.b  x27, x28                   # CHECK: encoding: 0x0000000000736068
        vrsum.b  x27, x28, u                # CHECK: encoding: 0x0000080000736068
        vrmax.w  x28, x29                   # CHECK: encoding: 0x0000000000778069
        vrsum.w  x29, x30                   # CHECK: encoding: 0x00000000007ba06a
        vacc.ld  x30, x31                   # CHECK: encoding: 0x00000000007fc06b
        vacc.st  x31, x0                    # CHECK: encoding: 0x000000000003e06c
        vadd.w   x0, x1, x2                 # CHECK: encoding: 0x0000000001040070
        vadd.wx  x1, x2, x3                 # CHECK: encoding: 0x0000000001882071
        vadd.b   x2, x3, x4                 # CHECK: encoding: 0x00000000020c4072
        vadd.b   x2, x3, x4, u              # CHECK: encoding: 0x00000800020c4072
        vadd.bx  x3, x4, x5                 # CHECK: encoding: 0x0000000002906073
        vadd.bx  x3, x4, x5, u              # CHECK: encoding: 0x0000080002906073
        vsub.w   x4, x5, x6                 # CHECK: encoding: 0x0000000003148074
        vsub.wx  x5, x6, x7                 # CHECK: encoding: 0x000000000398a075
        vsub.b   x6, x7, x8                 # CHECK: encoding: 0x00000000041cc076
        vsub.b   x6, x7, x8, u              # CHECK: encoding: 0x00000800041cc076
        vsub.bx  x7, x8, x9                 # CHECK: encoding: 0x0000000004a0e077
        vsub.bx  x7, x8, x9, u              # CHECK: encoding: 0x0000080004a0e077
        vmul.w   x8, x9, x10                # CHECK: encoding: 0x0000000005250078
        vmul.wx  x9, x10, x11               # CHECK: encoding: 0x0000000005a92079
        vmul.b   x10, x11, x12              # CHECK: encoding: 0x00000000062d407a
        vmul.b   x10, x11, x12, u           # CHECK: encoding: 0x00000800062d407a
        vmul.bx  x11, x12, x13              # CHECK: encoding: 0x0000000006b1607b
        vmul.bx  x11, x12, x13, u           # CHECK: encoding: 0x0000080006b1607b
        vmax.w   x12, x13, x14              # CHECK: encoding: 0x000000000735807c
        vmax.wx  x13, x14, x15              # CHECK: encoding: 0x0000000007b9a07d
        vmax.b   x14, x15, x16              # CHECK: encoding: 0x00000000083dc07e
        vmax.b   x14, x15, x16, u           # CHECK: encoding: 0x00000800083dc07e
        vmax.bx  x15, x16, x17              # CHECK: encoding: 0x0000000008c1e07f
        vmax.bx  x15, x16, x17, u           # CHECK: encoding: 0x0000080008c1e07f
        vmin.w   x16, x17, x18              # CHECK: encoding: 0x0000000009460080
        vmin.wx  x17, x18, x19              # CHECK: encoding: 0x0000000009ca2081
        vmin.b   x18, x19, x20              # CHECK: encoding: 0x000000000a4e4082
        vmin.b   x18, x19, x20, u           # CHECK: encoding: 0x000008000a4e4082
        vmin.bx  x19, x20, x21              # CHECK: encoding: 0x000000000ad26083
        vmin.bx  x19, x20, x21, u           # CHECK: encoding: 0x000008000ad26083
        vsra.w   x20, x21, x22              # CHECK: encoding: 0x000000000b568084
        vsra.wx  x21, x22, x23              # CHECK: encoding: 0x000000000bdaa085
        vsra.b   x22, x23, x24              # CHECK: encoding: 0x000000000c5ec086
        vsra.b   x22, x23, x24, u           # CHECK: encoding: 0x000008000c5ec086
        vsra.bx  x23, x24, x25              # CHECK: encoding: 0x000000000ce2e087
        vsra.bx  x23, x24, x25, u           # CHECK: encoding: 0x000008000ce2e087
        vsll.w   x24, x25, x26              # CHECK: encoding: 0x000000000d670088
        vsll.wx  x25, x26, x27              # CHECK: encoding: 0x000000000deb2089
        vsll.b   x26, x27, x28              # CHECK: encoding: 0x000000000e6f408a
        vsll.b   x26, x27, x28, u           # CHECK: encoding: 0x000008000e6f408a
        vsll.bx  x27, x28, x29              # CHECK: encoding: 0x000000000ef3608b
        vsll.bx  x27, x28, x29, u           # CHECK: encoding: 0x000008000ef3608b
        vadd.b  x1, x2, x3, u, wait=s9, sig=s10# CHECK: encoding: 0x00000ab301882072
        vlut    x1, x2, x3, wait = s1       # CHECK: encoding: 0x0000000301882066

# Macros (named arguments, defaults, :req, :vararg, keyword arguments, \@, \(), .exitm,
# .purgem), .rept/.irp/.irpc, conditional assembly, .include and .incbin.
        .equ    FLAG, 1
        .macro  addk rd, k=1                # a default
        addi    \rd, \rd, \k
        .endm
        .macro  pair a:req, b
        add     \a, \a, \b
        sub     \a, \a, \b
        .endm
        .macro  sum3 dst, rest:vararg
        .irp    r, \rest
        add     \dst, \dst, \r
        .endr
        .endm
        .macro  uniq
        j       skip\@
skip\@:
        .endm
        .macro  cat op, sfx
        v\op\().\sfx x1, x2, x3
        .endm
        .macro  early n
        .if     \n == 0
        .exitm
        .endif
        li      x1, \n
        .endm
        .macro  outer r
        addk    \r, 2
        .endm
        .macro  opt a, b
        .ifb    \b
        mv      \a, x0
        .else
        mv      \a, \b
        .endif
        .endm
        .text
        addk    x5                          # CHECK: encoding: 0x000000010000a510
        addk    x5, 7                       # CHECK: encoding: 0x000000070000a510
        addk    k=3, rd=x6                  # CHECK: encoding: 0x000000030000c610
        pair    x1, x2                      # CHECK: encoding: 0x0000000000082101, 0x0000000000082102
        sum3    x10, x11, x12, x13          # CHECK: encoding: 0x00000000002d4a01, 0x0000000000314a01, 0x0000000000354a01
        uniq                                # CHECK: encoding: 0x0000000800000026
        uniq                                # CHECK: encoding: 0x0000000800000026
        cat     add, w                      # CHECK: encoding: 0x0000000001882070
        cat     max, bx                     # CHECK: encoding: 0x000000000188207f
        early   0                           # CHECK: bytes:
        early   5                           # CHECK: encoding: 0x0000000500000110
        outer   x9                          # CHECK: encoding: 0x0000000200012910
        opt     x1                          # CHECK: encoding: 0x0000000000000110
        opt     x1, x2                      # CHECK: encoding: 0x0000000000004110
        .purgem addk
        .macro  addk r
        addi    \r, \r, 100
        .endm
        addk    x3                          # CHECK: encoding: 0x0000006400006310
# repetition: body lines are listed once per iteration
        .rept   3
        nop                                 # CHECK: encoding: 0x0000000000000010, 0x0000000000000010, 0x0000000000000010
        .endr
        .rept   0
        halt    x0                          # CHECK: bytes:
        .endr
        .rept   1 << 62                     # CHECK: bytes:
# an empty body produces nothing, however often: it is not iterated
        .endr
        .irp    reg, x1, x2
        .endr
        .irp    reg, x1, x2, x3
        mv      \reg, x0                    # CHECK: encoding: 0x0000000000000110, 0x0000000000000210, 0x0000000000000310
        .endr
        .irpc   d, 123
        li      x1, \d                      # CHECK: encoding: 0x0000000100000110, 0x0000000200000110, 0x0000000300000110
        .endr
        .rept   2
        .rept   1 + 1
        sync    1                           # CHECK: encoding: 0x0000000100000038, 0x0000000100000038, 0x0000000100000038, 0x0000000100000038
        .endr
        .endr
# conditionals
        .if     1
        li      x1, 1                       # CHECK: encoding: 0x0000000100000110
        .elseif 1
        li      x1, 2                       # CHECK: bytes:
        .else
        li      x1, 3                       # CHECK: bytes:
        .endif
        .if     0
        li      x2, 1                       # CHECK: bytes:
        .elseif 2 > 1
        li      x2, 2                       # CHECK: encoding: 0x0000000200000210
        .else
        li      x2, 3                       # CHECK: bytes:
        .endif
        .if     0
        .if     1
        li      x3, 1                       # CHECK: bytes:
        .endif
        bogus   lines are not even parsed here
        .else
        li      x3, 2                       # CHECK: encoding: 0x0000000200000310
        .endif
        .ifdef  FLAG
        li      x4, 1                       # CHECK: encoding: 0x0000000100000410
        .endif
        .ifndef FLAG
        li      x4, 2                       # CHECK: bytes:
        .endif
        .ifndef NOT_DEFINED
        li      x4, 3                       # CHECK: encoding: 0x0000000300000410
        .endif
        .ifeq   0
        li      x5, 1                       # CHECK: encoding: 0x0000000100000510
        .endif
        .ifne   0
        li      x5, 2                       # CHECK: bytes:
        .endif
        .ifgt   1
        li      x5, 3                       # CHECK: encoding: 0x0000000300000510
        .endif
        .ifge   -1
        li      x5, 4                       # CHECK: bytes:
        .endif
        .iflt   -1
        li      x5, 5                       # CHECK: encoding: 0x0000000500000510
        .endif
        .ifle   1
        li      x5, 6                       # CHECK: bytes:
        .endif
        .ifc    abc, abc
        li      x6, 1                       # CHECK: encoding: 0x0000000100000610
        .endif
        .ifnc   abc, abd
        li      x6, 2                       # CHECK: encoding: 0x0000000200000610
        .endif
        .ifnb   x
        li      x6, 3                       # CHECK: encoding: 0x0000000300000610
        .endif
# files: .include searches the including file's directory, then -I (include_dirs)
        .include "include/defs.s"
        li      x7, INC_VALUE               # CHECK: encoding: 0x0000004d00000710
        incmac  x8                          # CHECK: encoding: 0x0000004d00010810
        .data
        .incbin "include/blob.bin"          # CHECK: bytes: 01 02 03 04
        .incbin "blob.bin", 1, 2            # CHECK: bytes: 02 03
        .incbin "blob.bin", 3               # CHECK: bytes: 04
# CHECK-SYM: nested_value *ABS* 5

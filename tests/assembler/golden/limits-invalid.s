# Robustness limits: expansion nesting, repeat counts, output size, the 4 GiB address space.
        .macro  recurse n
        recurse \n                      # CHECK-ERROR: :[[@LINE]]:9: error: macro and .rept expansion nested too deeply (more than 64 levels)
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: ... 55 more levels of expansion or inclusion ...
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:3
# CHECK-NOTE: in expansion of macro 'recurse' from limits-invalid.s:16
        .endm
        .text
        recurse 1
        .rept   1000001                 # CHECK-ERROR: :[[@LINE]]:9: error: .rept would produce 1000001 statements, more than the limit of 1000000
        nop
        .endr
# A nesting error abandons the whole expansion that reached it: reported once, not at each of
# the 2**32 leaves of this recursion through .rept 2 (nor again for the second iteration).
        .macro  fork
        .rept   2
        fork                            # CHECK-ERROR: :[[@LINE]]:9: error: macro and .rept expansion nested too deeply (more than 64 levels)
# CHECK-NOTE: in .rept expansion from limits-invalid.s:23
# CHECK-NOTE: in expansion of macro 'fork' from limits-invalid.s:24
# CHECK-NOTE: in .rept expansion from limits-invalid.s:23
# CHECK-NOTE: in expansion of macro 'fork' from limits-invalid.s:24
# CHECK-NOTE: in .rept expansion from limits-invalid.s:23
# CHECK-NOTE: ... 55 more levels of expansion or inclusion ...
# CHECK-NOTE: in .rept expansion from limits-invalid.s:23
# CHECK-NOTE: in expansion of macro 'fork' from limits-invalid.s:24
# CHECK-NOTE: in .rept expansion from limits-invalid.s:23
# CHECK-NOTE: in expansion of macro 'fork' from limits-invalid.s:37
        .endr
        .endm
        fork
        nop
# So does a .rept over the statement limit inside an expansion: once, not once per iteration.
        .macro  many n
        .rept   \n                        # CHECK-ERROR: :[[@LINE]]:9: error: .rept would produce 2000000 statements, more than the limit of 1000000
# CHECK-NOTE: in expansion of macro 'many' from limits-invalid.s:48
# CHECK-NOTE: in .rept expansion from limits-invalid.s:47
        nop
        .endr
        .endm
        .rept   3
        many    2000000
        .endr
        .data
        .space  0x4000001               # CHECK-ERROR: :[[@LINE]]:17: error: output too large: more than 64 MiB of section contents
        .byte   1
        .bss
        .space  0xffffffff
        .space  2                       # CHECK-ERROR: :[[@LINE]]:17: error: section '.bss' would grow beyond 4 GiB
# placement happens after pass 1; its errors have no line:
# CHECK-ERROR: limits-invalid.s: error: section '.bss' ends at 0x100000007, beyond the 32-bit address space of GM
# Text that grows with each expansion level (16 times here) reaches the limit on the characters of
# expanded lines before it is built; this stops assembly, like the statement limit.
        .macro  grow a
        grow    \a\a\a\a\a\a\a\a\a\a\a\a\a\a\a\a # CHECK-ERROR: :[[@LINE]]:9: error: too much text from macro and .rept expansions (limit 16777216 characters); assembly stopped
# CHECK-NOTE: in expansion of macro 'grow' from limits-invalid.s:61
# CHECK-NOTE: in expansion of macro 'grow' from limits-invalid.s:61
# CHECK-NOTE: in expansion of macro 'grow' from limits-invalid.s:61
# CHECK-NOTE: in expansion of macro 'grow' from limits-invalid.s:61
# CHECK-NOTE: in expansion of macro 'grow' from limits-invalid.s:68
        .endm
        grow    x
        .byte   1                       # not assembled: assembly stopped

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
        .data
        .space  0x4000001               # CHECK-ERROR: :[[@LINE]]:17: error: output too large: more than 64 MiB of section contents
        .byte   1
        .bss
        .space  0xffffffff
        .space  2                       # CHECK-ERROR: :[[@LINE]]:17: error: section '.bss' would grow beyond 4 GiB
# placement happens after pass 1; its errors have no line:
# CHECK-ERROR: limits-invalid.s: error: section '.bss' ends at 0x100000007, beyond the 32-bit address space of GM

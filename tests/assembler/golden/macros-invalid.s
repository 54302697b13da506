# Macro, repetition and conditional errors, with notes naming the expansion chain.
        .macro  twice a:req, b=1
        addi    \a, \a, \b              # CHECK-ERROR: :[[@LINE]]:25: error: immediate operand must be an integer in the range [-2147483648, 4294967295], not 5000000000
# CHECK-NOTE: in expansion of macro 'twice' from macros-invalid.s:16
# CHECK-NOTE: in expansion of macro 'outer' from macros-invalid.s:31
        bogus   \a                      # CHECK-ERROR: :[[@LINE]]:9: error: unknown instruction 'bogus'; did you mean 'bgeu'?
# CHECK-NOTE: in expansion of macro 'twice' from macros-invalid.s:27
# CHECK-ERROR: :[[@LINE-2]]:9: error: unknown instruction 'bogus'; did you mean 'bgeu'?
# CHECK-NOTE: in expansion of macro 'twice' from macros-invalid.s:16
# CHECK-NOTE: in expansion of macro 'outer' from macros-invalid.s:31
        .endm
        .macro  twice x                 # CHECK-ERROR: :[[@LINE]]:9: error: macro 'twice' is already defined
# CHECK-NOTE: previous definition of 'twice' is at macros-invalid.s:2
        .endm
        .macro  outer r
        twice   \r, 5000000000
        .endm
        .macro  bad, p:maybe            # CHECK-ERROR: :[[@LINE]]:22: error: unknown parameter qualifier ':maybe' (use :req or :vararg)
        .endm
        .macro  dups p, p               # CHECK-ERROR: :[[@LINE]]:25: error: duplicate macro parameter 'p'
        .endm
        .macro  va a:vararg, b          # CHECK-ERROR: :[[@LINE]]:30: error: parameter 'a:vararg' must be the last one
        .endm
        .macro                          # CHECK-ERROR: :[[@LINE]]:15: error: .macro needs a name
        .endm
        .text
        twice   x1
        twice                           # CHECK-ERROR: :[[@LINE]]:14: error: missing value for required parameter 'a' of macro 'twice'
        twice   x1, 2, 3                # CHECK-ERROR: :[[@LINE]]:24: error: too many arguments for macro 'twice' (it takes 2)
        twice   a=x1, a=x2              # CHECK-ERROR: :[[@LINE]]:23: error: macro parameter 'a' is given more than once
        outer   x7
        .rept   -1                      # CHECK-ERROR: :[[@LINE]]:17: error: repeat count must be at least 0, not -1
        .endr
        .rept   undefined_count         # CHECK-ERROR: :[[@LINE]]:17: error: 'undefined_count' is not defined yet (this value is needed here)
        .endr
        .rept   2
        addi    x1, x1, 1 / 0           # CHECK-ERROR: :[[@LINE]]:27: error: division by zero
# CHECK-NOTE: in .rept expansion from macros-invalid.s:36
# CHECK-ERROR: :[[@LINE-2]]:27: error: division by zero
# CHECK-NOTE: in .rept expansion from macros-invalid.s:36
        .endr
        .irp    1, a                    # CHECK-ERROR: :[[@LINE]]:17: error: .irp needs a parameter name
        .endr
        .endm                           # CHECK-ERROR: :[[@LINE]]:9: error: '.endm' without '.macro'
        .endr                           # CHECK-ERROR: :[[@LINE]]:9: error: '.endr' without '.rept, .irp or .irpc'
        .exitm                          # CHECK-ERROR: :[[@LINE]]:9: error: '.exitm' outside a macro
        .purgem nosuch                  # CHECK-ERROR: :[[@LINE]]:17: error: no macro named 'nosuch'
        .else                           # CHECK-ERROR: :[[@LINE]]:9: error: '.else' without '.if'
        .endif                          # CHECK-ERROR: :[[@LINE]]:9: error: '.endif' without '.if'
        .elseif 1                       # CHECK-ERROR: :[[@LINE]]:9: error: '.elseif' without '.if'
        .if     1
        .else
        .else                           # CHECK-ERROR: :[[@LINE]]:9: error: '.else' after '.else'
        .endif
        .if     1
        .elseif 1
        .else
        .elseif 1                       # CHECK-ERROR: :[[@LINE]]:9: error: '.elseif' after '.else'
        .endif
        .if     undefined_condition     # CHECK-ERROR: :[[@LINE]]:17: error: 'undefined_condition' is not defined yet (this value is needed here)
        .endif
        .ifdef  5                       # CHECK-ERROR: :[[@LINE]]:17: error: expected a symbol name
        .endif
        .ifc    a                       # CHECK-ERROR: :[[@LINE]]:9: error: .ifc needs two comma-separated strings
        .endif
        .if     1, 2                    # CHECK-ERROR: :[[@LINE]]:20: error: .if needs exactly one operand
        .endif
        .if     1                       # CHECK-ERROR: :[[@LINE]]:9: error: '.if' without '.endif'

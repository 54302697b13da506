# A macro recursing through .rept 2: the depth error does not stop the expansion; about 27 s and
# 199983 diagnostics until the statement limit ends it.
        .macro  m
        .rept   2
        m
        .endr
        .endm
        m

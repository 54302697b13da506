# 1,000,000 expanded statements, each a cheap error: about 35 s and 1.2 GB of diagnostics until the
# statement limit ended it.
        .rept   1000
        .rept   1000
        nop     x1
        .endr
        .endr

# 1,000,000 expanded statements, each an unknown instruction: every diagnostic computed a "did you
# mean" suggestion (~0.4-0.8 ms), about 7-13 min until the statement limit ended it.
        .rept   1000
        .rept   1000
        foo
        .endr
        .endr

# Fuzz seed: the smallest program.
        .text
_start: halt    x0

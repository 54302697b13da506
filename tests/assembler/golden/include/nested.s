# Included by include/defs.s (found next to it).
        .equ    nested_value, 5

# Included by include-invalid.s (found through include_dirs): one bad line.
        addd    x1, x2, x3                # CHECK-ERROR: :[[@LINE]]:9: error: unknown instruction 'addd'; did you mean 'add', 'addi' or 'vqadd'?
# CHECK-NOTE: in file included from include-invalid.s:2

# An unterminated block comment.
        nop  /* opened here and never closed # CHECK-ERROR: :[[@LINE]]:14: error: unterminated /* comment
        nop

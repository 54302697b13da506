# The entry point _start must be a label in .text.
        .data
_start: .word   0                       # CHECK-ERROR: :[[@LINE]]:1: error: entry symbol '_start' must be a label in .text

# A source file that is not UTF-8 is a diagnostic, not a crash.
# CHECK-ERROR: :[[@LINE+1]]:18: error: source is not valid UTF-8 (byte 0xff)
        .ascii  "ÿ"

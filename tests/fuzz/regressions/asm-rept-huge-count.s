# .rept allocates one table per iteration before checking the expansion limit:
# 2^32 iterations -> MemoryError (and 10^9 -> about 8 GB of memory, 10 s).
        .rept   0x100000000
        nop
        .endr

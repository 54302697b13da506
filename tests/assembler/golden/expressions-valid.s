# Expressions: GNU as precedence (loosest first: ||, &&, comparisons, + -, | & ^ !, * / % << >>),
# 64-bit wrapping, signed comparisons giving -1, logical shift right, labels and `.`.
        .data
start:  .dword 1, 2
end:
        .dword  1 + 2 * 3                         # CHECK: bytes: 07 00 00 00 00 00 00 00
        .dword  (1 + 2) * 3                       # CHECK: bytes: 09 00 00 00 00 00 00 00
        .dword  2 == 1 + 1                        # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  1 + 1 == 2                        # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  3 > 2 + 2                         # CHECK: bytes: 00 00 00 00 00 00 00 00
        .dword  6 & 3 + 1                         # CHECK: bytes: 03 00 00 00 00 00 00 00
        .dword  1 << 2 + 1                        # CHECK: bytes: 05 00 00 00 00 00 00 00
        .dword  2 * 3 << 1                        # CHECK: bytes: 0c 00 00 00 00 00 00 00
        .dword  1 << 3 * 2                        # CHECK: bytes: 10 00 00 00 00 00 00 00
        .dword  1 || 0 && 0                       # CHECK: bytes: 01 00 00 00 00 00 00 00
        .dword  0 && 1 || 1                       # CHECK: bytes: 01 00 00 00 00 00 00 00
        .dword  2 + 3 == 5 && 1                   # CHECK: bytes: 01 00 00 00 00 00 00 00
        .dword  0x10 >> 2                         # CHECK: bytes: 04 00 00 00 00 00 00 00
        .dword  -1 >> 60                          # CHECK: bytes: 0f 00 00 00 00 00 00 00
        .dword  -1 << 63                          # CHECK: bytes: 00 00 00 00 00 00 00 80
        .dword  7 / 2                             # CHECK: bytes: 03 00 00 00 00 00 00 00
        .dword  -7 / 2                            # CHECK: bytes: fd ff ff ff ff ff ff ff
        .dword  7 / -2                            # CHECK: bytes: fd ff ff ff ff ff ff ff
        .dword  -7 % 2                            # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  7 % -2                            # CHECK: bytes: 01 00 00 00 00 00 00 00
        .dword  ~0                                # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  !0                                # CHECK: bytes: 01 00 00 00 00 00 00 00
        .dword  !5                                # CHECK: bytes: 00 00 00 00 00 00 00 00
        .dword  -(-3)                             # CHECK: bytes: 03 00 00 00 00 00 00 00
        .dword  +4                                # CHECK: bytes: 04 00 00 00 00 00 00 00
        .dword  - -4                              # CHECK: bytes: 04 00 00 00 00 00 00 00
        .dword  ~~5                               # CHECK: bytes: 05 00 00 00 00 00 00 00
        .dword  5 ! 2                             # CHECK: bytes: fd ff ff ff ff ff ff ff
        .dword  3 ^ 5                             # CHECK: bytes: 06 00 00 00 00 00 00 00
        .dword  12 & 10                           # CHECK: bytes: 08 00 00 00 00 00 00 00
        .dword  12 | 3                            # CHECK: bytes: 0f 00 00 00 00 00 00 00
        .dword  1 && 2                            # CHECK: bytes: 01 00 00 00 00 00 00 00
        .dword  0 || 0                            # CHECK: bytes: 00 00 00 00 00 00 00 00
        .dword  0 || 3                            # CHECK: bytes: 01 00 00 00 00 00 00 00
        .dword  2 < 3                             # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  3 <= 3                            # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  4 >= 5                            # CHECK: bytes: 00 00 00 00 00 00 00 00
        .dword  4 != 5                            # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  4 <> 4                            # CHECK: bytes: 00 00 00 00 00 00 00 00
        .dword  -1 < 0                            # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  0xffffffffffffffff == -1          # CHECK: bytes: ff ff ff ff ff ff ff ff
        .dword  'a' + 1                           # CHECK: bytes: 62 00 00 00 00 00 00 00
        .dword  '\\'                              # CHECK: bytes: 5c 00 00 00 00 00 00 00
        .dword  '\''                              # CHECK: bytes: 27 00 00 00 00 00 00 00
        .dword  0b101 + 0o7 + 010 + 10 + 0        # CHECK: bytes: 1e 00 00 00 00 00 00 00
        .dword  0X1F + 0B11                       # CHECK: bytes: 22 00 00 00 00 00 00 00
        .dword  0x7fffffffffffffff + 1            # CHECK: bytes: 00 00 00 00 00 00 00 80
        .dword  -0x8000000000000000 / -1          # CHECK: bytes: 00 00 00 00 00 00 00 80
        .dword  3 - 2 - 1                         # CHECK: bytes: 00 00 00 00 00 00 00 00
        .dword  100 / 10 / 5                      # CHECK: bytes: 02 00 00 00 00 00 00 00
        .dword  2 * (3 + 4) - (10 % 4)            # CHECK: bytes: 0c 00 00 00 00 00 00 00
        .dword  end - start                       # CHECK: bytes: 10 00 00 00 00 00 00 00
        .dword  start + 4 - start                 # CHECK: bytes: 04 00 00 00 00 00 00 00
        .dword  . - start                         # CHECK: bytes: b8 01 00 00 00 00 00 00
        .dword  (end - start) / 8                 # CHECK: bytes: 02 00 00 00 00 00 00 00
        .byte   1 + 2 * 3, 'z' - 'a' + 0b1       # CHECK: bytes: 07 1a
        .word   -1 >> 32                          # CHECK: bytes: ff ff ff ff
        .half   1 << 15, ~0 & 0xffff              # CHECK: bytes: 00 80 ff ff

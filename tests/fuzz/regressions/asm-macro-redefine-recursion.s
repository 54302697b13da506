# atheris (fuzz/fuzz_assembler.py) timeout: macros that redefine themselves and recurse; ~40 s, 720 MB
# and 299958 diagnostics before the statement limit ends it.
.macro q
.macro q


# The en    .data

q
.macro q
.endm

# The en    .data
.endm
q
.macro q

dup:    .word   21476553642949672963647                       # CHECK-ERROR: :[[try point _start murt be a label in .tex
.endm
q
.endm
q

.include "self_include.s"
nop

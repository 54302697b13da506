# The engine-kernel registry: the compute function of each engine opcode (engine.pxd contract).
from libc.stdint cimport uint32_t

from thead_isa.core.engine cimport compute_fn

# NULL for an opcode that is not an engine instruction.
cdef compute_fn kernel_for(uint32_t opcode) noexcept nogil

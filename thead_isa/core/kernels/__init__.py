# The engine data kernels (ME, TE, VE) in Cython; registry.kernel_for maps an opcode to its kernel.

# Bit-exact requantization primitives in C, shared by the compiled engines (see docs/quantization.md).
from libc.stdint cimport int32_t, int64_t

cdef int32_t srdhm(int32_t a, int32_t b) noexcept nogil
cdef int32_t rounding_divide_by_pot(int32_t x, int exponent) noexcept nogil
cdef int32_t mulq(int32_t x, int32_t mult, int shift) noexcept nogil
cdef int32_t requant_fx_one(int32_t acc, int32_t bias, int32_t mult, int shift, int32_t zp,
                            int32_t lo, int32_t hi) noexcept nogil
cdef int32_t requant_fp_one(int32_t acc, int32_t bias, float scale, int32_t zp,
                            int32_t lo, int32_t hi) noexcept nogil

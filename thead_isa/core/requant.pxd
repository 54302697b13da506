# Bit-exact requantization primitives in C, shared by the compiled engines (see docs/quantization.md).
# Defined here (inline) so that every kernel module compiles them into its loops.
from libc.math cimport nearbyint
from libc.stdint cimport INT32_MAX, INT32_MIN, int32_t, int64_t, uint32_t


cdef inline int32_t srdhm(int32_t a, int32_t b) noexcept nogil:
    """gemmlowp SaturatingRoundingDoublingHighMul. Branch-free on the data (the signs of
    requantized values are unpredictable), in integers only (a double would round |x| > 2^53)."""
    if a == b and a == INT32_MIN:
        return INT32_MAX
    cdef int64_t ab = <int64_t>a * <int64_t>b
    cdef int64_t negative = <int64_t>(ab < 0)
    cdef int64_t x = ab + (1 << 30) - negative * ((<int64_t>1 << 31) - 1)   # nudge 1 - 2^30
    # x / 2^31 rounded toward zero: the floor, plus 1 for a negative x with a remainder
    return <int32_t>((x >> 31) + (<int64_t>(x < 0) & <int64_t>((x & 0x7FFFFFFF) != 0)))


cdef inline int32_t rounding_divide_by_pot(int32_t x, int exponent) noexcept nogil:
    """gemmlowp RoundingDivideByPOT: divide by 2^exponent, ties away from zero."""
    cdef int64_t mask = ((<int64_t>1) << exponent) - 1
    cdef int64_t remainder = x & mask
    cdef int64_t threshold = (mask >> 1) + <int64_t>(x < 0)
    return <int32_t>((x >> exponent) + <int64_t>(remainder > threshold))


cdef inline int32_t mulq(int32_t x, int32_t mult, int shift) noexcept nogil:
    """TFLite MultiplyByQuantizedMultiplier with the left shift saturated to int32."""
    cdef int left = shift if shift > 0 else 0
    cdef int right = -shift if shift < 0 else 0
    cdef int64_t t = (<int64_t>x) * ((<int64_t>1) << left)
    if t > INT32_MAX:
        t = INT32_MAX
    elif t < INT32_MIN:
        t = INT32_MIN
    return rounding_divide_by_pot(srdhm(<int32_t>t, mult), right)


cdef inline int32_t _clamp(int64_t v, int32_t lo, int32_t hi) noexcept nogil:
    return lo if v < lo else (hi if v > hi else <int32_t>v)


cdef inline int32_t _wrap_add(int32_t a, int32_t b) noexcept nogil:
    return <int32_t>(<uint32_t>a + <uint32_t>b)


cdef inline int32_t requant_fx_one(int32_t acc, int32_t bias, int32_t mult, int shift, int32_t zp,
                            int32_t lo, int32_t hi) noexcept nogil:
    return _clamp(<int64_t>mulq(_wrap_add(acc, bias), mult, shift) + zp, lo, hi)


cdef inline int32_t requant_fp_one(int32_t acc, int32_t bias, float scale, int32_t zp,
                            int32_t lo, int32_t hi) noexcept nogil:
    cdef float product = (<float>_wrap_add(acc, bias)) * scale
    cdef double r = nearbyint(<double>product) + zp        # exact: r is an integer-valued float
    if r < lo:
        return lo
    if r > hi:
        return hi
    return <int32_t>r

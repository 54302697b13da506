# cython: language_level=3, cdivision=True, boundscheck=False, wraparound=False
# Bit-exact requantization primitives in C: gemmlowp fixed-point and fp32-scale modes.
from libc.math cimport nearbyint
from libc.stdint cimport INT32_MAX, INT32_MIN, int32_t, int64_t, uint32_t

import numpy as np


cdef int32_t srdhm(int32_t a, int32_t b) noexcept nogil:
    """gemmlowp SaturatingRoundingDoublingHighMul."""
    if a == b and a == INT32_MIN:
        return INT32_MAX
    cdef int64_t ab = <int64_t>a * <int64_t>b
    cdef int64_t nudge = (1 << 30) if ab >= 0 else (1 - (1 << 30))
    return <int32_t>((ab + nudge) / (<int64_t>1 << 31))     # C division: toward zero


cdef int32_t rounding_divide_by_pot(int32_t x, int exponent) noexcept nogil:
    """gemmlowp RoundingDivideByPOT: divide by 2^exponent, ties away from zero."""
    cdef int64_t mask = ((<int64_t>1) << exponent) - 1
    cdef int64_t remainder = x & mask
    cdef int64_t threshold = (mask >> 1) + (1 if x < 0 else 0)
    return <int32_t>((x >> exponent) + (1 if remainder > threshold else 0))


cdef int32_t mulq(int32_t x, int32_t mult, int shift) noexcept nogil:
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


cdef int32_t requant_fx_one(int32_t acc, int32_t bias, int32_t mult, int shift, int32_t zp,
                            int32_t lo, int32_t hi) noexcept nogil:
    return _clamp(<int64_t>mulq(_wrap_add(acc, bias), mult, shift) + zp, lo, hi)


cdef int32_t requant_fp_one(int32_t acc, int32_t bias, float scale, int32_t zp,
                            int32_t lo, int32_t hi) noexcept nogil:
    cdef float product = (<float>_wrap_add(acc, bias)) * scale
    cdef double r = nearbyint(<double>product) + zp        # exact: r is an integer-valued float
    if r < lo:
        return lo
    if r > hi:
        return hi
    return <int32_t>r


def requant_fx(acc, bias, mult, shift, int zp, int lo, int hi):
    """Vectorised over equal-length int32 arrays (a Python entry point for tests and tools)."""
    cdef int32_t[::1] a = np.ascontiguousarray(acc, np.int32)
    cdef int32_t[::1] b = np.ascontiguousarray(bias, np.int32)
    cdef int32_t[::1] m = np.ascontiguousarray(mult, np.int32)
    cdef int32_t[::1] s = np.ascontiguousarray(shift, np.int32)
    n = a.shape[0]
    if not (b.shape[0] == m.shape[0] == s.shape[0] == n):
        raise ValueError("acc, bias, mult and shift must have the same length")
    out = np.empty(n, np.int32)
    cdef int32_t[::1] o = out
    cdef Py_ssize_t i
    for i in range(n):
        if not -31 <= s[i] <= 31:
            raise ValueError(f"shift {s[i]} outside [-31, 31]")
        o[i] = requant_fx_one(a[i], b[i], m[i], s[i], zp, lo, hi)
    return out


def requant_fp(acc, bias, scale, int zp, int lo, int hi):
    """Vectorised fp32-scale requantization over equal-length arrays."""
    cdef int32_t[::1] a = np.ascontiguousarray(acc, np.int32)
    cdef int32_t[::1] b = np.ascontiguousarray(bias, np.int32)
    scale = np.ascontiguousarray(scale, np.float32)
    if not np.isfinite(scale).all():
        raise ValueError("requantization scales must be finite")
    cdef float[::1] f = scale
    n = a.shape[0]
    if not (b.shape[0] == f.shape[0] == n):
        raise ValueError("acc, bias and scale must have the same length")
    out = np.empty(n, np.int32)
    cdef int32_t[::1] o = out
    cdef Py_ssize_t i
    for i in range(n):
        o[i] = requant_fp_one(a[i], b[i], f[i], zp, lo, hi)
    return out

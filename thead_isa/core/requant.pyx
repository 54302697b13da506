# cython: language_level=3, cdivision=True, boundscheck=False, wraparound=False
# Bit-exact requantization primitives in C: gemmlowp fixed-point and fp32-scale modes.
from libc.math cimport nearbyint
from libc.stdint cimport INT32_MAX, INT32_MIN, int32_t, int64_t, uint32_t

import numpy as np


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

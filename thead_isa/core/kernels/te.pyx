# Tensor-engine kernels: int8 GEMM and 2-D convolution (dense via the GEMM core, depthwise direct).
# cython: language_level=3, cdivision=True, boundscheck=False, wraparound=False
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy, memset

from thead_isa.core.engine cimport (FLAG_ACC, FLAG_DW, FLAG_U, MEM_ACC, MEM_LM, EngineOp,
                                    Memories, Scratch, TrapInfo)
from thead_isa.core.isa_tables cimport (
    CONV_WIN_C, CONV_WIN_DH, CONV_WIN_DW, CONV_WIN_IH, CONV_WIN_IW, CONV_WIN_KH, CONV_WIN_KW,
    CONV_WIN_OC, CONV_WIN_PADVAL, CONV_WIN_PB, CONV_WIN_PL, CONV_WIN_PR, CONV_WIN_PT,
    CONV_WIN_SH, CONV_WIN_SW, GEMM_TE_K, GEMM_TE_LDA, GEMM_TE_LDB, GEMM_TE_LDC, GEMM_TE_M,
    GEMM_TE_N)
from thead_isa.core.kernels.common cimport (add_read, begin_write, check_cfg, check_region,
                                            out_size, row_need, trap_nomem)


cdef extern from "gemm_core.h" nogil:
    ctypedef const uint8_t* (*thead_row_fn)(const void* ctx, int64_t i, int64_t k0, int64_t kc,
                                           uint8_t* tmp) noexcept nogil
    ctypedef void (*thead_rows_fn)(const void* ctx, int64_t i0, int64_t n, int64_t k0,
                                   int64_t kc, uint8_t* d, int64_t pitch) noexcept nogil
    ctypedef struct thead_gemm_t:
        thead_row_fn row
        thead_rows_fn rows
        const void* ctx
        int64_t m, n, k
        int a_unsigned
        const uint8_t* b
        int64_t ldb
        int32_t* c
        int64_t ldc
    enum:
        THEAD_GEMM_AUTO
        THEAD_GEMM_SCALAR
        THEAD_GEMM_AVX2
        THEAD_GEMM_VNNI512
    int thead_gemm(const thead_gemm_t* g, int path)
    int thead_gemm_available(int path)
    int thead_gemm_best()
    void thead_dw_tap(int32_t* o, const uint8_t* x, const uint8_t* w, int64_t c, int x_unsigned)
    void thead_dw_pad(int32_t* o, int32_t pad, const uint8_t* w, int64_t c)

cdef extern from "conv_core.h" nogil:
    ctypedef struct thead_conv_t:      # the implicit im2col matrix of a dense conv
        const uint8_t* x
        int64_t ih, iw, c, kh, kw, sh, sw, dh, dw, pt, pl, ow
        uint8_t pad
        int64_t next
    const uint8_t* thead_conv_row(const void* ctx, int64_t i, int64_t k0, int64_t kc,
                                  uint8_t* tmp)
    void thead_conv_rows(const void* ctx, int64_t i0, int64_t n, int64_t k0, int64_t kc,
                         uint8_t* d, int64_t pitch)


cdef int _gemm_path = THEAD_GEMM_AUTO
_PATHS = {"auto": THEAD_GEMM_AUTO, "scalar": THEAD_GEMM_SCALAR, "avx2": THEAD_GEMM_AVX2,
          "avx512vnni": THEAD_GEMM_VNNI512}


def gemm_paths():
    """The GEMM paths this host can run (besides "auto")."""
    return [name for name, p in _PATHS.items() if p != THEAD_GEMM_AUTO and thead_gemm_available(p)]


def gemm_path():
    """The path gemm and conv take for a large product under the current setting."""
    cdef int p = thead_gemm_best() if _gemm_path == THEAD_GEMM_AUTO else _gemm_path
    return next(k for k, v in _PATHS.items() if v == p)


def set_gemm_path(str name):
    """Force one GEMM path for gemm and conv (tests, benchmarks); "auto" restores the choice by
    size and host. Returns the previous setting."""
    global _gemm_path
    if name not in _PATHS:
        raise ValueError(f"unknown GEMM path {name!r}; one of {', '.join(_PATHS)}")
    if _PATHS[name] != THEAD_GEMM_AUTO and not thead_gemm_available(_PATHS[name]):
        raise ValueError(f"GEMM path {name!r} is not available on this host")
    previous = [k for k, v in _PATHS.items() if v == _gemm_path][0]
    _gemm_path = _PATHS[name]
    return previous


cdef struct LmRows:                    # A[i][k] = base[i * ld + k]
    const uint8_t* base
    int64_t ld


cdef const uint8_t* _lm_row(const void* ctx, int64_t i, int64_t k0, int64_t kc,
                            uint8_t* tmp) noexcept nogil:
    cdef const LmRows* r = <const LmRows*>ctx
    return r.base + i * r.ld + k0


cdef int _gemm(const uint8_t* a, int64_t lda, int64_t m, int64_t n, int64_t k, int a_unsigned,
               const uint8_t* b, int64_t ldb, int32_t* c, int64_t ldc) noexcept nogil:
    cdef LmRows rows
    cdef thead_gemm_t g
    rows.base = a
    rows.ld = lda
    g.row = _lm_row
    g.rows = NULL
    g.ctx = &rows
    g.m, g.n, g.k, g.a_unsigned = m, n, k, a_unsigned
    g.b, g.ldb, g.c, g.ldc = b, ldb, c, ldc
    return thead_gemm(&g, _gemm_path)


cdef int gemm_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef int64_t m, n, k, lda, ldb, ldc, c, a, b, pitch, i
    cdef int acc, u
    cdef int32_t* dst
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    m, n, k = op.cfg[GEMM_TE_M], op.cfg[GEMM_TE_N], op.cfg[GEMM_TE_K]
    lda, ldb, ldc = op.cfg[GEMM_TE_LDA], op.cfg[GEMM_TE_LDB], op.cfg[GEMM_TE_LDC]
    c, a, b = op.reg[0], op.reg[1], op.reg[2]
    acc, u = (op.flags & FLAG_ACC) != 0, (op.flags & FLAG_U) != 0
    if m == 0 or n == 0:                # an empty tile: nothing is read or written
        return begin_write(out, t, MEM_ACC, c, 0, 0, ldc, 4, &pitch, "gemm")
    if (check_region(t, mem, MEM_ACC, c, m, n, ldc, "gemm c")
            or check_region(t, mem, MEM_LM, a, m, k, lda, "gemm a")
            or check_region(t, mem, MEM_LM, b, k, n, ldb, "gemm b")):
        return t.cause
    if begin_write(out, t, MEM_ACC, c, m, n, ldc, 4, &pitch, "gemm"):
        return t.cause
    dst = <int32_t*>out.data
    if acc:
        for i in range(m):
            memcpy(dst + i * pitch, mem.acc + c + i * ldc, row_need(i, m, n, pitch) * 4)
        add_read(out, MEM_ACC, c, m, n, ldc)
    else:
        memset(dst, 0, ((m - 1) * pitch + n) * 4)
    add_read(out, MEM_LM, a, m, k, lda)
    add_read(out, MEM_LM, b, k, n, ldb)
    if k == 0:
        return 0
    if pitch >= n:
        if _gemm(mem.lm + a, lda, m, n, k, u, mem.lm + b, ldb, dst, n):
            return trap_nomem(t, 0, "gemm")
        return 0
    # overlapping ACC rows (ldc < n): rows before the last keep only their first ldc columns
    if pitch > 0 and _gemm(mem.lm + a, lda, m - 1, pitch, k, u, mem.lm + b, ldb, dst, pitch):
        return trap_nomem(t, 0, "gemm")
    if _gemm(mem.lm + a + (m - 1) * lda, lda, 1, n, k, u, mem.lm + b, ldb,
             dst + (m - 1) * pitch, n):
        return trap_nomem(t, 0, "gemm")
    return 0


cdef int conv_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef int64_t ih, iw, ch, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, oc, oh, ow, nout, wsize
    cdef int64_t c, x, w, pitch, oy, ox, ti, tj, yy, xx
    cdef int acc, u, dwise
    cdef int32_t pad
    cdef int32_t* dst
    cdef int32_t* o
    cdef thead_conv_t g
    cdef thead_gemm_t gg
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    ih, iw, ch = op.cfg[CONV_WIN_IH], op.cfg[CONV_WIN_IW], op.cfg[CONV_WIN_C]
    kh, kw = op.cfg[CONV_WIN_KH], op.cfg[CONV_WIN_KW]
    sh, sw, dh, dw = op.cfg[CONV_WIN_SH], op.cfg[CONV_WIN_SW], op.cfg[CONV_WIN_DH], op.cfg[CONV_WIN_DW]
    pt, pb, pl, pr = op.cfg[CONV_WIN_PT], op.cfg[CONV_WIN_PB], op.cfg[CONV_WIN_PL], op.cfg[CONV_WIN_PR]
    acc, u, dwise = (op.flags & FLAG_ACC) != 0, (op.flags & FLAG_U) != 0, (op.flags & FLAG_DW) != 0
    if (out_size(t, "conv", ih, pt, pb, kh, dh, sh, "height", &oh)
            or out_size(t, "conv", iw, pl, pr, kw, dw, sw, "width", &ow)):
        return t.cause
    oc = ch if dwise else op.cfg[CONV_WIN_OC]
    wsize = kh * kw * ch * (1 if dwise else oc)
    nout = oh * ow * oc
    c, x, w = op.reg[0], op.reg[1], op.reg[2]
    if (check_region(t, mem, MEM_ACC, c, 1, nout, 0, "conv c")
            or check_region(t, mem, MEM_LM, x, 1, ih * iw * ch, 0, "conv x")
            or check_region(t, mem, MEM_LM, w, 1, wsize, 0, "conv w")):
        return t.cause
    if begin_write(out, t, MEM_ACC, c, 1, nout, 0, 4, &pitch, "conv"):
        return t.cause
    dst = <int32_t*>out.data
    if acc:
        memcpy(dst, mem.acc + c, nout * 4)
        add_read(out, MEM_ACC, c, 1, nout, 0)
    else:
        memset(dst, 0, nout * 4)
    add_read(out, MEM_LM, x, 1, ih * iw * ch, 0)
    add_read(out, MEM_LM, w, 1, wsize, 0)
    pad = op.cfg[CONV_WIN_PADVAL] & 0xFF
    if not u and pad > 127:
        pad -= 256
    if dwise:
        for oy in range(oh):
            for ox in range(ow):
                o = dst + (oy * ow + ox) * ch
                for ti in range(kh):
                    yy = oy * sh + ti * dh - pt
                    for tj in range(kw):
                        xx = ox * sw + tj * dw - pl
                        if 0 <= yy < ih and 0 <= xx < iw:
                            thead_dw_tap(o, mem.lm + x + (yy * iw + xx) * ch,
                                         mem.lm + w + (ti * kw + tj) * ch, ch, u)
                        else:
                            thead_dw_pad(o, pad, mem.lm + w + (ti * kw + tj) * ch, ch)
        return 0
    g.x = mem.lm + x
    g.ih, g.iw, g.c, g.kh, g.kw = ih, iw, ch, kh, kw
    g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.ow = sh, sw, dh, dw, pt, pl, ow
    g.pad = <uint8_t>(op.cfg[CONV_WIN_PADVAL] & 0xFF)
    g.next = -1
    gg.row = thead_conv_row
    gg.rows = thead_conv_rows
    gg.ctx = &g
    gg.m, gg.n, gg.k, gg.a_unsigned = oh * ow, oc, kh * kw * ch, u
    gg.b, gg.ldb, gg.c, gg.ldc = mem.lm + w, oc, dst, oc
    if thead_gemm(&gg, _gemm_path):
        return trap_nomem(t, 0, "conv")
    return 0

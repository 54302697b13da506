# Vector-engine kernels: requantization, quantized add, pooling, lookup, reductions, moves, eltwise.
# cython: language_level=3, cdivision=True, boundscheck=False, wraparound=False
# Check order (as refmodel/semantics/ve.py): operand checks that need only CSRs, then the memory
# operands in syntax order (int32 LM data: alignment, then bounds), then parameters read from LM.
from libc.math cimport isfinite
from libc.stdint cimport INT32_MIN, int8_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdio cimport snprintf
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from thead_isa.core.engine cimport FLAG_U, MEM_ACC, MEM_LM, EngineOp, Memories, Scratch, TrapInfo
from thead_isa.core.isa_tables cimport (
    OP_VADD_W, OP_VMAXPOOL, OP_VRMAX_B, OP_VRMAX_W, OP_VRQ_FX, OP_VRSUM_W, VGAP_VE_COLS,
    VGAP_VE_ROWS,
    VMAXPOOL_WIN_C, VMAXPOOL_WIN_DH, VMAXPOOL_WIN_DW, VMAXPOOL_WIN_IH, VMAXPOOL_WIN_IW,
    VMAXPOOL_WIN_KH, VMAXPOOL_WIN_KW, VMAXPOOL_WIN_PB, VMAXPOOL_WIN_PL, VMAXPOOL_WIN_PR,
    VMAXPOOL_WIN_PT, VMAXPOOL_WIN_SH, VMAXPOOL_WIN_SW, VRQ_FX_VE_COLS, VRQ_FX_VE_QMAX,
    VRQ_FX_VE_QMIN, VRQ_FX_VE_ROWS, VRQ_FX_VE_ZP)
from thead_isa.core.kernels.common cimport (CAUSE_BAD_OPERAND, add_read, begin_write,
                                            check_aligned, check_cfg, check_region, floordiv,
                                            ld_i32, mnemonic, out_size, set_trap, st_i32,
                                            trap_nomem)
from thead_isa.core.requant cimport mulq, requant_fp_one, requant_fx_one

cdef extern from "ve_core.h" nogil:
    # the elementwise operation of opcode OP_VADD_W + 4 * op + 2 * bytes + register form
    void thead_ew_words(int op, int32_t* d, const int32_t* a, const int32_t* b, int32_t by,
                        int64_t n)
    void thead_ew_bytes(int op, uint8_t* d, const uint8_t* a, const uint8_t* b, int32_t by,
                        int64_t n, int u)
    void thead_pool_max(int32_t* acc, const uint8_t* x, int64_t c, int u)
    void thead_pool_sum(int32_t* acc, const uint8_t* x, int64_t c, int u)
    void thead_vrq_fx(uint8_t* d, const int32_t* acc, int64_t n, const int32_t* bias,
                      const int32_t* mult, const int32_t* rsh, int64_t period, int32_t zp,
                      int32_t lo, int32_t hi)

cdef enum:
    WHAT_LEN = 48
    VRQ_MAX_PERIOD = 1 << 14        # parameters expanded for the vectorised vrq.fx, at most


cdef inline int _bad(TrapInfo* t, const EngineOp* op, uint64_t tval,
                     const char* text) noexcept nogil:
    return set_trap(t, CAUSE_BAD_OPERAND, <uint32_t>tval, mnemonic(op.opcode), text)


cdef int _bad_range(TrapInfo* t, const EngineOp* op, const char* name, int64_t index,
                    int64_t v, int64_t lo, int64_t hi) noexcept nogil:
    """_check_param: bad_operand, tval = the 32-bit value."""
    t.cause = CAUSE_BAD_OPERAND
    t.tval = <uint32_t>v
    if index >= 0:
        snprintf(t.message, sizeof(t.message), "%s: %s[%lld] = %lld outside [%lld, %lld]",
                 mnemonic(op.opcode), name, <long long>index, <long long>v, <long long>lo,
                 <long long>hi)
    else:
        snprintf(t.message, sizeof(t.message), "%s: %s = %lld outside [%lld, %lld]",
                 mnemonic(op.opcode), name, <long long>v, <long long>lo, <long long>hi)
    return t.cause


cdef int _check_clamp(TrapInfo* t, const EngineOp* op) noexcept nogil:
    cdef int64_t qmin = op.cfg[VRQ_FX_VE_QMIN], qmax = op.cfg[VRQ_FX_VE_QMAX]
    if qmin <= qmax:
        return 0
    t.cause = CAUSE_BAD_OPERAND
    t.tval = <uint32_t>qmin
    snprintf(t.message, sizeof(t.message), "%s: ve_qmin = %lld > ve_qmax = %lld",
             mnemonic(op.opcode), <long long>qmin, <long long>qmax)
    return t.cause


cdef int _operand(TrapInfo* t, const Memories* m, const EngineOp* op, int index, const char* name,
                  int mem, int64_t n, bint int32_lm) noexcept nogil:
    """Check the dense region of n elements (int32 in LM: 4n aligned bytes) at register operand
    index, named as the reference names it ("vlut table")."""
    cdef char what[WHAT_LEN]
    cdef int64_t addr = op.reg[index]
    snprintf(what, WHAT_LEN, "%s %s", mnemonic(op.opcode), name)
    if int32_lm:
        if check_aligned(t, addr, 4, what):
            return t.cause
        n *= 4
    return check_region(t, m, mem, addr, 1, n, 0, what)


cdef inline void _clamp_bounds(const EngineOp* op, bint u, int32_t* lo, int32_t* hi) noexcept nogil:
    """[ve_qmin, ve_qmax] clipped into the int8 (uint8) range."""
    cdef int64_t tmin = 0 if u else -128, tmax = 255 if u else 127
    cdef int64_t a = op.cfg[VRQ_FX_VE_QMIN], b = op.cfg[VRQ_FX_VE_QMAX]
    lo[0] = <int32_t>(tmin if a < tmin else (tmax if a > tmax else a))
    hi[0] = <int32_t>(tmin if b < tmin else (tmax if b > tmax else b))


cdef inline int32_t _byte(const uint8_t* p, bint u) noexcept nogil:
    if u:
        return p[0]
    return <int8_t>p[0]


cdef inline int64_t _rounding_div(int64_t num, int64_t den) noexcept nogil:
    """quant.rounding_div: num / den rounded half away from zero, den > 0."""
    if num >= 0:
        return (num + den // 2) // den
    return -((-num + den // 2) // den)


cdef int _begin(Scratch* out, TrapInfo* t, const EngineOp* op, int mem, int64_t n,
                int64_t elsz) noexcept nogil:
    cdef int64_t pitch
    return begin_write(out, t, mem, op.reg[0], 1, n, 0, elsz, &pitch, mnemonic(op.opcode))


cdef inline int64_t _gcd(int64_t a, int64_t b) noexcept nogil:
    while b:
        a, b = b, a % b
    return a


cdef bint _vrq_fx_fast(uint8_t* d, const int32_t* acc, int64_t n, int64_t cols,
                       const int32_t* prm, int32_t zp, int32_t lo, int32_t hi) noexcept nogil:
    """vrq.fx through the vectorised loop of ve_core.h when its conditions hold (every shift <=
    0, no multiplier INT32_MIN, |zp| <= 2^16): the bias, multiplier and right shift of each
    column repeated over a period of lcm(cols, 8) elements. False: use the generic loop."""
    cdef int64_t period, c, e
    cdef int32_t* ex
    if zp < -65536 or zp > 65536:
        return False
    for c in range(cols):
        if prm[2 * cols + c] > 0 or prm[cols + c] == INT32_MIN:
            return False
    period = cols // _gcd(cols, 8) * 8
    if period > VRQ_MAX_PERIOD:
        return False
    ex = <int32_t*>malloc(3 * period * 4)
    if ex == NULL:
        return False
    for e in range(period):
        c = e % cols
        ex[e] = prm[c]
        ex[period + e] = prm[cols + c]
        ex[2 * period + e] = -prm[2 * cols + c]
    thead_vrq_fx(d, acc, n, ex, ex + period, ex + 2 * period, period, zp, lo, hi)
    free(ex)
    return True


cdef int vrq_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef bint fx = op.opcode == OP_VRQ_FX, u = (op.flags & FLAG_U) != 0
    cdef int64_t rows, cols, n, np, c, r, p
    cdef int32_t lo, hi, zp, v
    cdef int32_t* prm
    cdef float* scale
    cdef const int32_t* acc
    cdef char text[96]
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t) or _check_clamp(t, op):
        return t.cause
    rows, cols, zp = op.cfg[VRQ_FX_VE_ROWS], op.cfg[VRQ_FX_VE_COLS], <int32_t>op.cfg[VRQ_FX_VE_ZP]
    n, np, p = rows * cols, (3 if fx else 2), op.reg[2]
    if (_operand(t, mem, op, 0, "dst", MEM_LM, n, False)
            or _operand(t, mem, op, 1, "src", MEM_ACC, n, False)
            or _operand(t, mem, op, 2, "p", MEM_LM, np * cols, True)):
        return t.cause
    prm = <int32_t*>malloc(np * cols * 4 + 4)
    if prm == NULL:
        return trap_nomem(t, np * cols * 4, mnemonic(op.opcode))
    for c in range(np * cols):
        prm[c] = ld_i32(mem.lm + p + 4 * c)
    scale = <float*>(prm + cols)
    for c in range(cols):
        if fx and not -31 <= prm[2 * cols + c] <= 31:
            v = prm[2 * cols + c]
            free(prm)
            return _bad_range(t, op, "shift", c, v, -31, 31)
        if not fx and not isfinite(scale[c]):
            snprintf(text, sizeof(text), "scale[%lld] = %g is not finite", <long long>c,
                     <double>scale[c])
            v = prm[cols + c]
            free(prm)
            return _bad(t, op, <uint32_t>v, text)
    if _begin(out, t, op, MEM_LM, n, 1):
        free(prm)
        return t.cause
    add_read(out, MEM_ACC, op.reg[1], 1, n, 0)
    add_read(out, MEM_LM, p, 1, 4 * np * cols, 0)
    _clamp_bounds(op, u, &lo, &hi)
    acc = mem.acc + op.reg[1]
    if fx and n > 0 and _vrq_fx_fast(out.data, acc, n, cols, prm, zp, lo, hi):
        free(prm)
        return 0
    for r in range(rows):
        if fx:
            for c in range(cols):
                out.data[r * cols + c] = <uint8_t>requant_fx_one(
                    acc[r * cols + c], prm[c], prm[cols + c], prm[2 * cols + c], zp, lo, hi)
        else:
            for c in range(cols):
                out.data[r * cols + c] = <uint8_t>requant_fp_one(
                    acc[r * cols + c], prm[c], scale[c], zp, lo, hi)
    free(prm)
    return 0


cdef inline int32_t _qadd_side(int32_t x, int32_t zp, int ls, int32_t mult,
                               int shift) noexcept nogil:
    """mulq(wrap32((x - zp) << left_shift), mult, shift)."""
    cdef int64_t d = <int64_t>x - zp
    return mulq(<int32_t><uint32_t>(<uint64_t>d << ls), mult, shift)


cdef int vqadd_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef bint u = (op.flags & FLAG_U) != 0
    cdef int64_t n, e, k
    cdef int32_t prm[9]
    cdef int32_t lo, hi, zp, sa, sb
    cdef const uint8_t* a
    cdef const uint8_t* b
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t) or _check_clamp(t, op):
        return t.cause
    n, zp = op.cfg[VRQ_FX_VE_ROWS] * op.cfg[VRQ_FX_VE_COLS], <int32_t>op.cfg[VRQ_FX_VE_ZP]
    if (_operand(t, mem, op, 0, "dst", MEM_LM, n, False)
            or _operand(t, mem, op, 1, "a", MEM_LM, n, False)
            or _operand(t, mem, op, 2, "b", MEM_LM, n, False)
            or _operand(t, mem, op, 3, "p", MEM_LM, 9, True)):
        return t.cause
    for k in range(9):
        prm[k] = ld_i32(mem.lm + op.reg[3] + 4 * k)
    # the AddParams order: left_shift, a_zp, a_mult, a_shift, b_zp, b_mult, b_shift, out_mult,
    # out_shift
    if not 0 <= prm[0] <= 20:
        return _bad_range(t, op, "left_shift", -1, prm[0], 0, 20)
    if not -31 <= prm[3] <= 31:
        return _bad_range(t, op, "a_shift", -1, prm[3], -31, 31)
    if not -31 <= prm[6] <= 31:
        return _bad_range(t, op, "b_shift", -1, prm[6], -31, 31)
    if not -31 <= prm[8] <= 31:
        return _bad_range(t, op, "out_shift", -1, prm[8], -31, 31)
    if _begin(out, t, op, MEM_LM, n, 1):
        return t.cause
    add_read(out, MEM_LM, op.reg[1], 1, n, 0)
    add_read(out, MEM_LM, op.reg[2], 1, n, 0)
    add_read(out, MEM_LM, op.reg[3], 1, 36, 0)
    _clamp_bounds(op, u, &lo, &hi)
    a, b = mem.lm + op.reg[1], mem.lm + op.reg[2]
    for e in range(n):
        sa = _qadd_side(_byte(a + e, u), prm[1], prm[0], prm[2], prm[3])
        sb = _qadd_side(_byte(b + e, u), prm[4], prm[0], prm[5], prm[6])
        out.data[e] = <uint8_t>requant_fx_one(sa, sb, prm[7], prm[8], zp, lo, hi)
    return 0


cdef inline void _taps(int64_t o, int64_t stride, int64_t k, int64_t dil, int64_t before,
                       int64_t ins, int64_t* first, int64_t* last) noexcept nogil:
    """The kernel taps i of output o whose padded position o*stride + i*dil lies in the input
    [before, before + ins): the range first..last (empty when last < first)."""
    cdef int64_t p0 = o * stride
    first[0] = -floordiv(p0 - before, dil)          # ceil((before - p0) / dil)
    if first[0] < 0:
        first[0] = 0
    last[0] = floordiv(before + ins - 1 - p0, dil)
    if last[0] > k - 1:
        last[0] = k - 1


cdef int pool_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef bint is_max = op.opcode == OP_VMAXPOOL, u = (op.flags & FLAG_U) != 0
    cdef int64_t ih, iw, ch, kh, kw, sh, sw, dh, dw, pt, pb, pl, pr, oh, ow, y, x, i, j, c
    cdef int64_t y0 = -1, x0 = -1, bad, yl, yh, xl, xh, count, n
    cdef int32_t* acc
    cdef const uint8_t* src
    cdef const uint8_t* row
    cdef const char* mn = mnemonic(op.opcode)
    cdef char text[96]
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    ih, iw, ch = op.cfg[VMAXPOOL_WIN_IH], op.cfg[VMAXPOOL_WIN_IW], op.cfg[VMAXPOOL_WIN_C]
    kh, kw = op.cfg[VMAXPOOL_WIN_KH], op.cfg[VMAXPOOL_WIN_KW]
    sh, sw = op.cfg[VMAXPOOL_WIN_SH], op.cfg[VMAXPOOL_WIN_SW]
    dh, dw = op.cfg[VMAXPOOL_WIN_DH], op.cfg[VMAXPOOL_WIN_DW]
    pt, pb = op.cfg[VMAXPOOL_WIN_PT], op.cfg[VMAXPOOL_WIN_PB]
    pl, pr = op.cfg[VMAXPOOL_WIN_PL], op.cfg[VMAXPOOL_WIN_PR]
    if out_size(t, mn, ih, pt, pb, kh, dh, sh, "height", &oh):
        return t.cause
    if out_size(t, mn, iw, pl, pr, kw, dw, sw, "width", &ow):
        return t.cause
    # valid positions of a window: a rectangle of taps, empty when a row or a column range is
    for y in range(oh):
        _taps(y, sh, kh, dh, pt, ih, &yl, &yh)
        if yh < yl:
            y0 = y
            break
    for x in range(ow):
        _taps(x, sw, kw, dw, pl, iw, &xl, &xh)
        if xh < xl:
            x0 = x
            break
    if y0 >= 0 or x0 >= 0:
        bad = y0 * ow if y0 >= 0 else x0
        if x0 >= 0 and x0 < bad:
            bad = x0
        snprintf(text, sizeof(text), "the window of output (%lld, %lld) covers only padding",
                 <long long>(bad // ow), <long long>(bad % ow))
        return _bad(t, op, <uint64_t>bad, text)
    n = oh * ow * ch
    if (_operand(t, mem, op, 0, "dst", MEM_LM, n, False)
            or _operand(t, mem, op, 1, "src", MEM_LM, ih * iw * ch, False)):
        return t.cause
    if _begin(out, t, op, MEM_LM, n, 1):
        return t.cause
    add_read(out, MEM_LM, op.reg[1], 1, ih * iw * ch, 0)
    if n == 0:
        return 0
    acc = <int32_t*>malloc(ch * 4)
    if acc == NULL:
        return trap_nomem(t, ch * 4, mn)
    src = mem.lm + op.reg[1]
    for y in range(oh):
        _taps(y, sh, kh, dh, pt, ih, &yl, &yh)
        for x in range(ow):
            _taps(x, sw, kw, dw, pl, iw, &xl, &xh)
            for c in range(ch):
                acc[c] = INT32_MIN if is_max else 0
            for i in range(yl, yh + 1):
                for j in range(xl, xh + 1):
                    row = src + ((y * sh + i * dh - pt) * iw + (x * sw + j * dw - pl)) * ch
                    if is_max:
                        thead_pool_max(acc, row, ch, u)
                    else:
                        thead_pool_sum(acc, row, ch, u)
            count = (yh - yl + 1) * (xh - xl + 1)
            for c in range(ch):
                out.data[(y * ow + x) * ch + c] = <uint8_t>(
                    acc[c] if is_max else _rounding_div(acc[c], count))
    free(acc)
    return 0


cdef int vgap_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef bint u = (op.flags & FLAG_U) != 0
    cdef int64_t rows, cols, r, c
    cdef int64_t* acc
    cdef const uint8_t* src
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    rows, cols = op.cfg[VGAP_VE_ROWS], op.cfg[VGAP_VE_COLS]
    if rows == 0:
        return _bad(t, op, 0, "ve_rows = 0: the average of no rows is undefined")
    if (_operand(t, mem, op, 0, "dst", MEM_LM, cols, False)
            or _operand(t, mem, op, 1, "src", MEM_LM, rows * cols, False)):
        return t.cause
    if _begin(out, t, op, MEM_LM, cols, 1):
        return t.cause
    add_read(out, MEM_LM, op.reg[1], 1, rows * cols, 0)
    acc = <int64_t*>malloc(cols * 8 + 8)
    if acc == NULL:
        return trap_nomem(t, cols * 8, "vgap")
    src = mem.lm + op.reg[1]
    for c in range(cols):
        acc[c] = 0
    for r in range(rows):
        if u:
            for c in range(cols):
                acc[c] += src[r * cols + c]
        else:
            for c in range(cols):
                acc[c] += <int8_t>src[r * cols + c]
    for c in range(cols):
        out.data[c] = <uint8_t>_rounding_div(acc[c], rows)
    free(acc)
    return 0


cdef int vlut_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef int64_t n, e
    cdef const uint8_t* src
    cdef const uint8_t* table
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    n = op.cfg[VGAP_VE_ROWS] * op.cfg[VGAP_VE_COLS]
    if (_operand(t, mem, op, 0, "dst", MEM_LM, n, False)
            or _operand(t, mem, op, 1, "src", MEM_LM, n, False)
            or _operand(t, mem, op, 2, "table", MEM_LM, 256, False)):
        return t.cause
    if _begin(out, t, op, MEM_LM, n, 1):
        return t.cause
    add_read(out, MEM_LM, op.reg[1], 1, n, 0)
    add_read(out, MEM_LM, op.reg[2], 1, 256, 0)
    src, table = mem.lm + op.reg[1], mem.lm + op.reg[2]
    for e in range(n):
        out.data[e] = table[src[e]]
    return 0


cdef int reduce_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef bint words = op.opcode == OP_VRMAX_W or op.opcode == OP_VRSUM_W
    cdef bint is_max = op.opcode == OP_VRMAX_B or op.opcode == OP_VRMAX_W
    cdef bint u = (op.flags & FLAG_U) != 0
    cdef int64_t rows, cols, r, c, best, total
    cdef uint32_t wsum
    cdef const int32_t* w
    cdef const uint8_t* b
    cdef int32_t* dw
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    rows, cols = op.cfg[VGAP_VE_ROWS], op.cfg[VGAP_VE_COLS]
    if is_max and cols == 0:
        return _bad(t, op, 0, "ve_cols = 0: the maximum of an empty row is undefined")
    if _operand(t, mem, op, 0, "dst", MEM_ACC if words else MEM_LM, rows,
                not (is_max or words)):
        return t.cause
    if _operand(t, mem, op, 1, "src", MEM_ACC if words else MEM_LM, rows * cols, False):
        return t.cause
    if words:
        if _begin(out, t, op, MEM_ACC, rows, 4):
            return t.cause
        add_read(out, MEM_ACC, op.reg[1], 1, rows * cols, 0)
        w = mem.acc + op.reg[1]
        dw = <int32_t*>out.data
        for r in range(rows):
            if is_max:
                best = w[r * cols]
                for c in range(1, cols):
                    if w[r * cols + c] > best:
                        best = w[r * cols + c]
                dw[r] = <int32_t>best
            else:
                wsum = 0
                for c in range(cols):
                    wsum += <uint32_t>w[r * cols + c]
                dw[r] = <int32_t>wsum
        return 0
    if _begin(out, t, op, MEM_LM, rows if is_max else 4 * rows, 1):
        return t.cause
    add_read(out, MEM_LM, op.reg[1], 1, rows * cols, 0)
    b = mem.lm + op.reg[1]
    for r in range(rows):
        if is_max:
            best = _byte(b + r * cols, u)
            for c in range(1, cols):
                if _byte(b + r * cols + c, u) > best:
                    best = _byte(b + r * cols + c, u)
            out.data[r] = <uint8_t>best
        else:
            total = 0
            if u:
                for c in range(cols):
                    total += b[r * cols + c]
            else:
                for c in range(cols):
                    total += <int8_t>b[r * cols + c]
            st_i32(out.data + 4 * r, <int32_t>total)
    return 0


cdef int vacc_ld_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef int64_t n, e
    cdef int32_t* d
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    n = op.cfg[VGAP_VE_ROWS] * op.cfg[VGAP_VE_COLS]
    if (_operand(t, mem, op, 0, "dst", MEM_ACC, n, False)
            or _operand(t, mem, op, 1, "src", MEM_LM, n, True)):
        return t.cause
    if _begin(out, t, op, MEM_ACC, n, 4):
        return t.cause
    add_read(out, MEM_LM, op.reg[1], 1, 4 * n, 0)
    d = <int32_t*>out.data
    for e in range(n):
        d[e] = ld_i32(mem.lm + op.reg[1] + 4 * e)
    return 0


cdef int vacc_st_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef int64_t n, e
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    n = op.cfg[VGAP_VE_ROWS] * op.cfg[VGAP_VE_COLS]
    if (_operand(t, mem, op, 0, "dst", MEM_LM, n, True)
            or _operand(t, mem, op, 1, "src", MEM_ACC, n, False)):
        return t.cause
    if _begin(out, t, op, MEM_LM, 4 * n, 1):
        return t.cause
    add_read(out, MEM_ACC, op.reg[1], 1, n, 0)
    for e in range(n):
        st_i32(out.data + 4 * e, mem.acc[op.reg[1] + e])
    return 0


cdef int eltwise_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    cdef int code = op.opcode - OP_VADD_W
    cdef int ew = code // 4
    cdef bint words = (code & 2) == 0, xform = (code & 1) != 0
    cdef bint u = (op.flags & FLAG_U) != 0 and not words
    cdef int mem_kind = MEM_ACC if words else MEM_LM
    cdef int64_t n
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    n = op.cfg[VGAP_VE_ROWS] * op.cfg[VGAP_VE_COLS]
    if (_operand(t, mem, op, 0, "dst", mem_kind, n, False)
            or _operand(t, mem, op, 1, "a", mem_kind, n, False)):
        return t.cause
    if not xform and _operand(t, mem, op, 2, "b", mem_kind, n, False):
        return t.cause
    if _begin(out, t, op, mem_kind, n, 4 if words else 1):
        return t.cause
    add_read(out, mem_kind, op.reg[1], 1, n, 0)
    if not xform:
        add_read(out, mem_kind, op.reg[2], 1, n, 0)
    if words:
        thead_ew_words(ew, <int32_t*>out.data, mem.acc + op.reg[1],
                       NULL if xform else mem.acc + op.reg[2], <int32_t>op.reg[2], n)
    else:
        thead_ew_bytes(ew, out.data, mem.lm + op.reg[1], NULL if xform else mem.lm + op.reg[2],
                       <int32_t>op.reg[2], n, u)
    return 0

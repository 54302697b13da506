# Memory-engine kernels: 2-D DMA between GM and LM with padding, LM copy and LM transpose.
# cython: language_level=3, cdivision=True, boundscheck=False, wraparound=False
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.stdio cimport snprintf
from libc.string cimport memcpy, memset

from thead_isa.core.engine cimport MEM_GM, MEM_LM, EngineOp, Memories, Scratch, TrapInfo
from thead_isa.core.isa_tables cimport (
    DMA_LD_DMA_COLS, DMA_LD_DMA_DSTRIDE, DMA_LD_DMA_PADVAL, DMA_LD_DMA_PB, DMA_LD_DMA_PL,
    DMA_LD_DMA_PR, DMA_LD_DMA_PT, DMA_LD_DMA_ROWS, DMA_LD_DMA_SSTRIDE, DMA_ST_DMA_COLS,
    DMA_ST_DMA_DSTRIDE, DMA_ST_DMA_ROWS, DMA_ST_DMA_SSTRIDE, OP_DMA_CP, OP_DMA_LD, OP_DMA_ST)
from thead_isa.core.kernels.common cimport (CAUSE_BAD_OPERAND, add_read, begin_write,
                                            check_cfg, check_region, row_need, set_trap)

cdef inline uint8_t* _bytes(Memories* m, int mem) noexcept nogil:
    return m.gm if mem == MEM_GM else m.lm


cdef int dma_copy_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    """dma.ld, dma.st, dma.cp: the destination frame (padding around the copied rows) is checked
    first, then the source."""
    cdef int dst_mem, src_mem, pad = op.opcode != OP_DMA_ST
    cdef const char* dst_what
    cdef const char* src_what
    cdef int64_t dst = op.reg[0], src = op.reg[1], rows, cols, ss, ds
    cdef int64_t pt = 0, pb = 0, pl = 0, pr = 0, fr, fc, pitch, r, need, n
    cdef uint8_t padval = 0
    cdef uint8_t* d
    cdef const uint8_t* s
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    if op.opcode == OP_DMA_LD:
        dst_mem, src_mem, dst_what, src_what = MEM_LM, MEM_GM, "dma.ld lm", "dma.ld gm"
    elif op.opcode == OP_DMA_ST:
        dst_mem, src_mem, dst_what, src_what = MEM_GM, MEM_LM, "dma.st gm", "dma.st lm"
    else:
        dst_mem, src_mem, dst_what, src_what = MEM_LM, MEM_LM, "dma.cp dst", "dma.cp src"
    # dma.st reads the same four CSRs at the same indices as dma.ld
    rows, cols = op.cfg[DMA_LD_DMA_ROWS], op.cfg[DMA_LD_DMA_COLS]
    ss, ds = op.cfg[DMA_LD_DMA_SSTRIDE], op.cfg[DMA_LD_DMA_DSTRIDE]
    if pad:
        pt, pb, pl, pr = (op.cfg[DMA_LD_DMA_PT], op.cfg[DMA_LD_DMA_PB], op.cfg[DMA_LD_DMA_PL],
                          op.cfg[DMA_LD_DMA_PR])
        padval = <uint8_t>(op.cfg[DMA_LD_DMA_PADVAL] & 0xFF)
    fr, fc = pt + rows + pb, pl + cols + pr
    if (check_region(t, mem, dst_mem, dst, fr, fc, ds, dst_what)
            or check_region(t, mem, src_mem, src, rows, cols, ss, src_what)):
        return t.cause
    if begin_write(out, t, dst_mem, dst, fr, fc, ds, 1, &pitch, dst_what):
        return t.cause
    add_read(out, src_mem, src, rows, cols, ss)
    if fr == 0 or fc == 0:
        return 0
    s = _bytes(mem, src_mem) + src
    for r in range(fr):
        need = row_need(r, fr, fc, pitch)
        d = out.data + r * pitch
        if r < pt or r >= pt + rows:
            memset(d, padval, need)
            continue
        memset(d, padval, pl if pl < need else need)
        if need > pl:
            n = need - pl
            memcpy(d + pl, s + (r - pt) * ss, cols if cols < n else n)
        if need > pl + cols:
            memset(d + pl + cols, padval, need - pl - cols)
    return 0


cdef int dma_tr_compute(Memories* mem, EngineOp* op, Scratch* out, TrapInfo* t) noexcept nogil:
    """dma.tr: destination row j holds element j (esz bytes) of every source row."""
    cdef int64_t esz = op.esz, dst = op.reg[0], src = op.reg[1]
    cdef int64_t rows, cols, ss, ds, n, width, pitch, j, r, j0, r0, j1, r1, need, e
    cdef const uint8_t* s
    out.nreads = 0
    out.write.rows = out.write.cols = 0
    if check_cfg(op, t):
        return t.cause
    rows, cols = op.cfg[DMA_ST_DMA_ROWS], op.cfg[DMA_ST_DMA_COLS]
    ss, ds = op.cfg[DMA_ST_DMA_SSTRIDE], op.cfg[DMA_ST_DMA_DSTRIDE]
    if esz != 1 and esz != 2 and esz != 4:
        return set_trap(t, CAUSE_BAD_OPERAND, <uint64_t>esz, "dma.tr", "esz is not 1, 2 or 4")
    if cols % esz:
        t.cause = CAUSE_BAD_OPERAND
        t.tval = <uint64_t>cols
        snprintf(t.message, sizeof(t.message),
                 "dma.tr: dma_cols = %lld is not a multiple of esz = %lld", <long long>cols,
                 <long long>esz)
        return t.cause
    n = cols // esz
    width = rows * esz
    if (check_region(t, mem, MEM_LM, dst, n, width, ds, "dma.tr dst")
            or check_region(t, mem, MEM_LM, src, rows, cols, ss, "dma.tr src")):
        return t.cause
    if begin_write(out, t, MEM_LM, dst, n, width, ds, 1, &pitch, "dma.tr"):
        return t.cause
    add_read(out, MEM_LM, src, rows, cols, ss)
    if n == 0 or rows == 0:
        return 0
    s = mem.lm + src
    if pitch >= width:                  # dense: transpose in blocks of 64 x 64 elements
        for j0 in range(0, n, 64):
            j1 = j0 + 64 if j0 + 64 < n else n
            for r0 in range(0, rows, 64):
                r1 = r0 + 64 if r0 + 64 < rows else rows
                if esz == 1:
                    for r in range(r0, r1):
                        for j in range(j0, j1):
                            out.data[j * width + r] = s[r * ss + j]
                else:
                    for r in range(r0, r1):
                        for j in range(j0, j1):
                            memcpy(out.data + j * width + r * esz, s + r * ss + j * esz, esz)
        return 0
    for j in range(n):                  # overlapping rows: only what survives the commit
        need = row_need(j, n, width, pitch)
        for r in range(rows):
            e = need - r * esz
            if e <= 0:
                break
            memcpy(out.data + j * pitch + r * esz, s + r * ss + j * esz, esz if esz < e else e)
    return 0

# Helpers shared by the engine kernels: scratch, bounds (first_fault), alignment, traps, CSR ranges.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t

from thead_isa.core.engine cimport EngineOp, Memories, Region, Scratch, TrapInfo

# thead_isa.isa.traps.Cause values (tests/core/test_kernels.py checks them against the enum)
cdef enum:
    CAUSE_ILLEGAL_INSTRUCTION = 1
    CAUSE_GM_FAULT = 4
    CAUSE_LM_FAULT = 5
    CAUSE_ACC_FAULT = 6
    CAUSE_MISALIGNED_ACCESS = 7
    CAUSE_BAD_OPERAND = 8
    # The ISA has no cause for the host running out of memory; a kernel that cannot allocate
    # its scratch reports bad_operand with tval = the bytes requested and says so in the message.
    CAUSE_HOST_NOMEM = CAUSE_BAD_OPERAND

cdef int set_trap(TrapInfo* t, int cause, uint64_t tval, const char* what,
                  const char* text) noexcept nogil
cdef int trap_nomem(TrapInfo* t, int64_t nbytes, const char* what) noexcept nogil

# first_fault of refmodel/memory.py: the lowest out-of-range element address, or -1.
cdef int64_t first_fault(int64_t base, int64_t rows, int64_t cols, int64_t stride,
                         int64_t size) noexcept nogil
cdef int64_t mem_size(const Memories* m, int mem) noexcept nogil
cdef int check_region(TrapInfo* t, const Memories* m, int mem, int64_t base, int64_t rows,
                      int64_t cols, int64_t stride, const char* what) noexcept nogil
cdef int check_aligned(TrapInfo* t, int64_t addr, int64_t align, const char* what) noexcept nogil

# Range check of op.cfg against the CSR table (the framework's dispatch check, repeated so that
# a kernel stays safe for any EngineOp). op.cfg holds the values engine_csrs reads: signed CSRs
# sign-extended. Traps bad_operand with tval = the 32-bit CSR value, as the reference.
cdef int check_cfg(const EngineOp* op, TrapInfo* t) noexcept nogil
cdef const char* mnemonic(uint32_t opcode) noexcept nogil

# window.out_size of the reference: outputs along one axis, or bad_operand (tval = the span)
cdef int out_size(TrapInfo* t, const char* mn, int64_t ins, int64_t before, int64_t after,
                  int64_t k, int64_t dil, int64_t stride, const char* axis,
                  int64_t* out) noexcept nogil

cdef uint8_t* scratch_reserve(Scratch* s, int64_t nbytes) noexcept nogil
cdef void add_read(Scratch* s, int mem, int64_t base, int64_t rows, int64_t cols,
                   int64_t stride) noexcept nogil

# Set out.write to the destination region (rows x cols, row stride, in elements of elsz bytes)
# and reserve its data. Rows that overlap (stride < cols) are stored compactly: the region
# becomes the single row of (rows - 1) * stride + cols elements they cover, and row r of the
# result lives at element r * pitch of out.data, where only its first min(cols, pitch) elements
# matter (all cols for the last row): later rows overwrite the rest, exactly as the generic
# commit would. Non-overlapping rows are dense: pitch = cols. Returns 0 or a trap cause.
cdef int begin_write(Scratch* out, TrapInfo* t, int mem, int64_t base, int64_t rows,
                     int64_t cols, int64_t stride, int64_t elsz, int64_t* pitch,
                     const char* what) noexcept nogil


cdef inline int64_t row_need(int64_t r, int64_t rows, int64_t cols, int64_t pitch) noexcept nogil:
    """Elements of result row r that survive the commit (see begin_write)."""
    if r == rows - 1 or pitch >= cols:
        return cols
    return pitch


cdef inline int64_t floordiv(int64_t a, int64_t b) noexcept nogil:
    """Floor division for b > 0 (written with non-negative operands only)."""
    if a >= 0:
        return a // b
    return -((b - 1 - a) // b)


cdef inline int32_t ld_i32(const uint8_t* p) noexcept nogil:
    """A little-endian int32 from LM bytes."""
    return <int32_t>(<uint32_t>p[0] | (<uint32_t>p[1] << 8) | (<uint32_t>p[2] << 16)
                     | (<uint32_t>p[3] << 24))


cdef inline void st_i32(uint8_t* p, int32_t v) noexcept nogil:
    cdef uint32_t u = <uint32_t>v
    p[0] = u & 0xFF
    p[1] = (u >> 8) & 0xFF
    p[2] = (u >> 16) & 0xFF
    p[3] = u >> 24

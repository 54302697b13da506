# Helpers shared by the engine kernels: scratch, bounds (first_fault), alignment, traps, CSR ranges.
# cython: language_level=3, cdivision=True, boundscheck=False, wraparound=False
from libc.stdint cimport INT64_MAX
from libc.stdio cimport snprintf
from libc.stdlib cimport realloc
from libc.string cimport strncpy

from thead_isa.core.engine cimport MAX_ENGINE_CSRS, MAX_READS, MEM_ACC, MEM_GM, MEM_LM

from thead_isa.isa.csrs import BY_NAME as _CSR_BY_NAME
from thead_isa.isa.table import INSTRUCTIONS as _INSTRUCTIONS

cdef enum:
    NAME_LEN = 24

cdef int64_t MAX_SCRATCH_BYTES = (<int64_t>1) << 40     # beyond any configured memory

cdef char _mnemonic[256][NAME_LEN]
cdef int _ncfg[256]
cdef char _cfg_name[256][MAX_ENGINE_CSRS][NAME_LEN]
cdef int64_t _cfg_lo[256][MAX_ENGINE_CSRS]
cdef int64_t _cfg_hi[256][MAX_ENGINE_CSRS]



cdef inline const char* _mem_name(int mem) noexcept nogil:
    return "GM" if mem == MEM_GM else ("LM" if mem == MEM_LM else "ACC")


cdef inline const char* _unit(int mem) noexcept nogil:
    return "word" if mem == MEM_ACC else "byte"


cdef void _copy_name(char* dst, str name):
    b = name.encode()[:NAME_LEN - 1]
    strncpy(dst, b, NAME_LEN - 1)
    dst[NAME_LEN - 1] = 0


def _init_tables():
    cdef int op, k
    for op in range(256):
        _mnemonic[op][0] = 0
        _ncfg[op] = 0
    for insn in _INSTRUCTIONS:
        op = insn.opcode
        _copy_name(_mnemonic[op], insn.mnemonic)
        if insn.engine == "cp":
            continue
        if len(insn.csrs) > MAX_ENGINE_CSRS:
            raise RuntimeError(f"{insn.mnemonic} reads more than {MAX_ENGINE_CSRS} CSRs")
        _ncfg[op] = len(insn.csrs)
        for k, name in enumerate(insn.csrs):
            _copy_name(_cfg_name[op][k], name)
            _cfg_lo[op][k], _cfg_hi[op][k] = _CSR_BY_NAME[name].use


_init_tables()


def causes():
    """The trap causes the kernels raise, by Cause name (tests compare them with the enum)."""
    return {"ILLEGAL_INSTRUCTION": CAUSE_ILLEGAL_INSTRUCTION, "GM_FAULT": CAUSE_GM_FAULT,
            "LM_FAULT": CAUSE_LM_FAULT, "ACC_FAULT": CAUSE_ACC_FAULT,
            "MISALIGNED_ACCESS": CAUSE_MISALIGNED_ACCESS, "BAD_OPERAND": CAUSE_BAD_OPERAND}


def first_fault_py(int64_t base, int64_t rows, int64_t cols, int64_t stride, int64_t size):
    """first_fault for tests: the lowest out-of-range address, or None."""
    cdef int64_t bad = first_fault(base, rows, cols, stride, size)
    return None if bad < 0 else bad


def cfg_ranges(int opcode):
    """[(name, lo, hi)] of the configuration CSRs opcode reads, as the kernels check them."""
    return [(_cfg_name[opcode][k].decode(), _cfg_lo[opcode][k], _cfg_hi[opcode][k])
            for k in range(_ncfg[opcode & 0xFF])]


cdef const char* mnemonic(uint32_t opcode) noexcept nogil:
    return _mnemonic[opcode & 0xFF]


cdef int set_trap(TrapInfo* t, int cause, uint64_t tval, const char* what,
                  const char* text) noexcept nogil:
    t.cause = cause
    t.tval = tval
    snprintf(t.message, sizeof(t.message), "%s: %s", what, text)
    return cause


cdef int trap_nomem(TrapInfo* t, int64_t nbytes, const char* what) noexcept nogil:
    t.cause = CAUSE_HOST_NOMEM
    t.tval = <uint64_t>nbytes if nbytes > 0 else 0
    if nbytes > 0:
        snprintf(t.message, sizeof(t.message),
                 "%s: the emulator host cannot allocate %lld bytes of scratch memory",
                 what, <long long>nbytes)
    else:
        snprintf(t.message, sizeof(t.message),
                 "%s: the emulator host cannot allocate the kernel's working memory", what)
    return t.cause


cdef int64_t first_fault(int64_t base, int64_t rows, int64_t cols, int64_t stride,
                         int64_t size) noexcept nogil:
    cdef int64_t x, r
    if rows <= 0 or cols <= 0:
        return -1
    if base + (rows - 1) * stride + cols <= size:
        return -1
    if base + cols > size or stride == 0:
        return base if base > size else size
    x = size - cols + 1 - base          # the first row r with base + r * stride + cols > size
    r = 0 if x <= 0 else (x + stride - 1) // stride
    x = base + r * stride
    return x if x > size else size


cdef int64_t mem_size(const Memories* m, int mem) noexcept nogil:
    if mem == MEM_GM:
        return m.gm_size
    if mem == MEM_LM:
        return m.lm_size
    return m.acc_words


cdef int check_region(TrapInfo* t, const Memories* m, int mem, int64_t base, int64_t rows,
                      int64_t cols, int64_t stride, const char* what) noexcept nogil:
    cdef int64_t size = mem_size(m, mem)
    cdef int64_t bad = first_fault(base, rows, cols, stride, size)
    if bad < 0:
        return 0
    t.cause = CAUSE_GM_FAULT if mem == MEM_GM else (CAUSE_LM_FAULT if mem == MEM_LM
                                                     else CAUSE_ACC_FAULT)
    t.tval = <uint64_t>bad
    snprintf(t.message, sizeof(t.message), "%s: %s %ss 0x%llx..0x%llx outside %s of %lld %ss",
             what, _mem_name(mem), _unit(mem), <unsigned long long>base,
             <unsigned long long>(base + (rows - 1) * stride + cols - 1), _mem_name(mem),
             <long long>size, _unit(mem))
    return t.cause


cdef int check_aligned(TrapInfo* t, int64_t addr, int64_t align, const char* what) noexcept nogil:
    if addr % align == 0:
        return 0
    t.cause = CAUSE_MISALIGNED_ACCESS
    t.tval = <uint64_t>addr
    snprintf(t.message, sizeof(t.message), "%s: address 0x%llx is not %lld-byte aligned",
             what, <unsigned long long>addr, <long long>align)
    return t.cause


cdef int check_cfg(const EngineOp* op, TrapInfo* t) noexcept nogil:
    cdef uint32_t code = op.opcode & 0xFF
    cdef int k
    cdef int64_t v
    for k in range(_ncfg[code]):
        v = op.cfg[k]
        if v < _cfg_lo[code][k] or v > _cfg_hi[code][k]:
            t.cause = CAUSE_BAD_OPERAND
            t.tval = <uint32_t>v
            snprintf(t.message, sizeof(t.message), "%s: %s = %lld outside [%lld, %lld]",
                     _mnemonic[code], _cfg_name[code][k], <long long>v,
                     <long long>_cfg_lo[code][k], <long long>_cfg_hi[code][k])
            return t.cause
    return 0


cdef uint8_t* scratch_reserve(Scratch* s, int64_t nbytes) noexcept nogil:
    cdef void* p
    if nbytes < 64:
        nbytes = 64                     # never NULL on success, even for an empty result
    if nbytes > MAX_SCRATCH_BYTES:
        return NULL
    if nbytes > s.capacity or s.data == NULL:
        p = realloc(s.data, <size_t>nbytes)
        if p == NULL:
            return NULL
        s.data = <uint8_t*>p
        s.capacity = nbytes
    return s.data


cdef void add_read(Scratch* s, int mem, int64_t base, int64_t rows, int64_t cols,
                   int64_t stride) noexcept nogil:
    if rows <= 0 or cols <= 0 or s.nreads >= MAX_READS:
        return
    cdef Region* r = &s.reads[s.nreads]
    r.mem = mem
    r.base = base
    r.rows = rows
    r.cols = cols
    r.stride = stride
    s.nreads += 1


cdef int begin_write(Scratch* out, TrapInfo* t, int mem, int64_t base, int64_t rows,
                     int64_t cols, int64_t stride, int64_t elsz, int64_t* pitch,
                     const char* what) noexcept nogil:
    cdef int64_t n
    out.write.mem = mem
    out.write.base = base
    if rows <= 0 or cols <= 0:
        rows = cols = 0
    if rows > 1 and stride < cols:
        pitch[0] = stride
        n = (rows - 1) * stride + cols
        out.write.rows = 1
        out.write.cols = n
        out.write.stride = 0
    else:
        pitch[0] = cols
        n = rows * cols
        out.write.rows = rows
        out.write.cols = cols
        out.write.stride = stride
    if scratch_reserve(out, n * elsz) == NULL:
        out.write.rows = out.write.cols = 0
        return trap_nomem(t, n * elsz, what)
    return 0


cdef int out_size(TrapInfo* t, const char* mn, int64_t ins, int64_t before, int64_t after,
                  int64_t k, int64_t dil, int64_t stride, const char* axis,
                  int64_t* out) noexcept nogil:
    """window.out_size: outputs along one axis, or bad_operand (tval = the window's span)."""
    cdef int64_t span = dil * (k - 1) + 1
    if ins + before + after < span:
        t.cause = CAUSE_BAD_OPERAND
        t.tval = <uint64_t>span
        snprintf(t.message, sizeof(t.message),
                 "%s: window larger than padded input: the %s window spans %lld (kernel %lld, "
                 "dilation %lld) but the padded input %s is %lld", mn, axis, <long long>span,
                 <long long>k, <long long>dil, axis, <long long>(ins + before + after))
        return t.cause
    out[0] = (ins + before + after - span) // stride + 1
    return 0

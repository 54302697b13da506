# Decodes an IMEM image once (Python, at load time) into a C array of Insn for the run loops.
# cython: language_level=3, boundscheck=False, wraparound=False
from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free
from libc.string cimport memset, strncpy

import numpy as np

cdef extern from "stdlib.h":
    int posix_memalign(void** memptr, size_t alignment, size_t size) nogil

from ..isa.csrs import BY_NUMBER as CSR_BY_NUMBER, CSRS
from ..isa.encoding import IllegalInstruction, decode
from ..isa.operands import XREG, CsrKind
from ..isa.spec import ENGINES
from ..isa.table import INSTRUCTIONS

from .engine cimport FLAG_ACC, FLAG_DW, FLAG_U
from .isa_tables cimport *

CONFIG_CSRS = tuple(c for c in CSRS if c.writable)            # in SLOT_* order (gen_tables)
# read-only counter CSRs and the bit offset of their 32 bits (functional mode: cycle = instret)
COUNTER_SHIFT = {"cycle": 0, "instret": 0, "cycleh": 32, "instreth": 32}
CONSTANT_CSRS = tuple(c for c in CSRS if not c.writable and c.name not in COUNTER_SHIFT)
_SLOT = {c.number: n for n, c in enumerate(CONFIG_CSRS)}
_CONSTANT = {c.number: n for n, c in enumerate(CONSTANT_CSRS)}
_FLAGS = {"acc": FLAG_ACC, "u": FLAG_U, "dw": FLAG_DW}
assert len(CONFIG_CSRS) == NUM_CONFIG_CSRS, "isa_tables.pxd is stale: run gen_tables"
assert sizeof(Insn) == INSN_BYTES

cdef OpInfo _INFO[256]

# Insn.fast of each CP opcode the functional fast path (cp_fast.h) executes; CPF_EXIT otherwise.
# Branches and jal keep theirs only when their target lies inside IMEM (Code.__cinit__); csrr
# gets the handler of its kind of CSR, a trapping CSR access CPF_EXIT (_csr).
cdef uint8_t _FAST[256]
memset(_FAST, CPF_EXIT, sizeof(_FAST))
for _op, _h in ((OP_ADD, CPF_ADD), (OP_SUB, CPF_SUB), (OP_AND, CPF_AND), (OP_OR, CPF_OR),
                (OP_XOR, CPF_XOR), (OP_SLL, CPF_SLL), (OP_SRL, CPF_SRL), (OP_SRA, CPF_SRA),
                (OP_SLT, CPF_SLT), (OP_SLTU, CPF_SLTU), (OP_MUL, CPF_MUL), (OP_MULH, CPF_MULH),
                (OP_MULHU, CPF_MULHU), (OP_ADDI, CPF_ADDI), (OP_ANDI, CPF_ANDI),
                (OP_ORI, CPF_ORI), (OP_XORI, CPF_XORI), (OP_SLLI, CPF_SLLI), (OP_SRLI, CPF_SRLI),
                (OP_SRAI, CPF_SRAI), (OP_SLTI, CPF_SLTI), (OP_SLTIU, CPF_SLTIU),
                (OP_BEQ, CPF_BEQ), (OP_BNE, CPF_BNE), (OP_BLT, CPF_BLT), (OP_BGE, CPF_BGE),
                (OP_BLTU, CPF_BLTU), (OP_BGEU, CPF_BGEU), (OP_JAL, CPF_JAL), (OP_JALR, CPF_JALR),
                (OP_LB, CPF_LB), (OP_LBU, CPF_LBU), (OP_LH, CPF_LH), (OP_LHU, CPF_LHU),
                (OP_LW, CPF_LW), (OP_SB, CPF_SB), (OP_SH, CPF_SH), (OP_SW, CPF_SW),
                (OP_CSRW, CPF_CSRW), (OP_CSRWI, CPF_CSRWI), (OP_SEM_SIG, CPF_SEM_SIG),
                (OP_SEM_WAIT, CPF_SEM_WAIT), (OP_SYNC, CPF_NOP)):
    _FAST[_op] = _h
cdef uint8_t _CSRR_FAST[8]
_CSRR_FAST[CSR_TRAPS] = CPF_EXIT
_CSRR_FAST[CSR_CONFIG] = CPF_CSRR_CONFIG
_CSRR_FAST[CSR_CONSTANT] = CPF_CSRR_CONSTANT
_CSRR_FAST[CSR_COUNT_LO] = _CSRR_FAST[CSR_CYCLE_LO] = CPF_CSRR_COUNT_LO
_CSRR_FAST[CSR_COUNT_HI] = _CSRR_FAST[CSR_CYCLE_HI] = CPF_CSRR_COUNT_HI
_CSRR_FAST[CSR_ESTAT] = CPF_CSRR_ZERO


cdef const OpInfo* op_info(uint32_t op) noexcept nogil:
    return &_INFO[op & 0xFF]


cdef void _name(char* dst, str name) except *:
    data = name.encode()
    if len(data) >= NAME_LEN:
        raise ValueError(f"name {name!r} too long for the core's tables")
    strncpy(dst, data, NAME_LEN)


cdef void _fill_info() except *:
    cdef OpInfo* info
    memset(_INFO, 0, sizeof(_INFO))
    for insn in INSTRUCTIONS:
        info = &_INFO[insn.opcode]
        _name(info.mnemonic, insn.mnemonic)
        info.engine = ENGINES.index(insn.engine)
        info.nreg = sum(o.kind is XREG for o in insn.positional)
        if info.nreg > 4:
            raise ValueError(f"{insn.mnemonic} has more register operands than EngineOp.reg")
        if len(insn.csrs) > MAX_ENGINE_CSRS:
            raise ValueError(f"{insn.mnemonic} reads more than {MAX_ENGINE_CSRS} CSRs")
        info.ncfg = len(insn.csrs)
        for k, name in enumerate(insn.csrs):
            c = next(c for c in CONFIG_CSRS if c.name == name)
            info.cfg_slot[k] = _SLOT[c.number]
            info.cfg_lo[k], info.cfg_hi[k] = c.use
            info.cfg_signed[k] = c.signed
            _name(info.cfg_name[k], name)


_fill_info()


cdef class Code:
    """The predecoded image of an IMEM: insns[pc / 8] for every 8-byte word, then one OP_END
    entry at pc = IMEM size (the loops fetch it instead of bounds-checking every pc). Insn.fast
    holds the handler number of the functional fast path (cp_fast.h); Core.decode links it."""

    def __cinit__(self, imem):
        words = np.ascontiguousarray(imem, dtype=np.uint8).view("<u8")
        self.n = len(words)
        if posix_memalign(<void**>&self.insns, 64, (self.n + 1) * sizeof(Insn)):
            raise MemoryError()                  # cache-line aligned: no Insn straddles two lines
        memset(&self.insns[self.n], 0, sizeof(Insn))
        self.insns[self.n].op = OP_END
        self.insns[self.n].aux = -1
        self.messages = []
        unique, inverse = np.unique(words, return_inverse=True)
        cdef Insn* templates = <Insn*>calloc(max(len(unique), 1), sizeof(Insn))
        if templates == NULL:
            raise MemoryError()
        inverse = np.ascontiguousarray(inverse.reshape(-1), dtype=np.int64)
        cdef const int64_t* which = <const int64_t*><uintptr_t>inverse.ctypes.data
        cdef int64_t k, t
        cdef Insn* i
        try:
            index = {}
            for k, w in enumerate(unique.tolist()):
                templates[k] = _decode(w, self.messages, index)
            for k in range(self.n):
                i = &self.insns[k]
                i[0] = templates[which[k]]
                if CPF_BEQ <= i.fast <= CPF_JAL:     # the fast path takes only targets in IMEM
                    t = k * 8 + i.imm
                    if not 0 <= t < self.n * 8:
                        i.fast = CPF_EXIT
        finally:
            free(templates)

    def __dealloc__(self):
        free(self.insns)

    def __len__(self):
        return self.n


cdef int32_t _message(list messages, dict index, str text) except -1:
    if text not in index:
        index[text] = len(messages)
        messages.append(text)
    return index[text]


cdef Insn _decode(word, list messages, dict index) except *:
    cdef Insn i
    memset(&i, 0, sizeof(Insn))
    i.wait = i.sig = -1
    i.aux = -1
    try:
        d = decode(word)
    except IllegalInstruction as e:
        i.op = OP_ILLEGAL
        i.aux = _message(messages, index, e.reason)
        return i
    spec, v = d.insn, d.values
    i.op = spec.opcode
    i.fast = _FAST[spec.opcode]
    i.rd, i.rs1, i.rs2 = v.get("rd", 0) or SINK, v.get("rs1", 0), v.get("rs2", 0)
    regs = [v[o.name] for o in spec.positional if o.kind is XREG]
    for k, r in enumerate(regs):
        i.reg[k] = r
    for o in spec.operands:
        if o.option:
            if o.name in _FLAGS and v[o.name]:
                i.flags |= _FLAGS[o.name]
            elif o.name == "esz":
                i.esz = v[o.name]
            elif o.name == "wait" and v["wait"] is not None:
                i.wait = v["wait"]
            elif o.name == "sig" and v["sig"] is not None:
                i.sig = v["sig"]
        elif isinstance(o.kind, CsrKind):
            _csr(&i, v[o.name], spec.opcode != OP_CSRR, messages, index)
        elif o.kind is not XREG:
            i.imm = v[o.name]
    return i


cdef void _csr(Insn* i, int number, bint write, list messages, dict index) except *:
    c = CSR_BY_NUMBER.get(number)
    if c is None or (write and not c.writable):
        i.csr_kind = CSR_TRAPS
        text = f"unknown CSR 0x{number:03x}" if c is None else f"CSR {c.name} is read-only"
        i.aux = _message(messages, index, text)
        i.fast = CPF_EXIT
    elif c.writable:
        i.csr_kind, i.csr_slot = CSR_CONFIG, _SLOT[number]
    elif c.name == "estat":
        i.csr_kind = CSR_ESTAT
    elif c.name in COUNTER_SHIFT:
        if c.name.startswith("cycle"):
            i.csr_kind = CSR_CYCLE_HI if COUNTER_SHIFT[c.name] else CSR_CYCLE_LO
        else:
            i.csr_kind = CSR_COUNT_HI if COUNTER_SHIFT[c.name] else CSR_COUNT_LO
    else:
        i.csr_kind, i.csr_slot = CSR_CONSTANT, _CONSTANT[number]
    if not write and i.aux < 0:     # csrr in functional mode: cycle = instret, estat = 0
        i.fast = _CSRR_FAST[i.csr_kind]


def describe(Code code, int64_t index):
    """The predecoded entry at word index as a dict (for tests and debugging)."""
    if not 0 <= index < code.n:
        raise IndexError(index)
    return dict(code.insns[index])

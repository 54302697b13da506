# Functional mode: the machine state in C and the nogil program-order loop over predecoded code.
# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: extra_compile_args = -falign-loops=64
from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport int8_t, int16_t, uint16_t, uintptr_t
from libc.stdio cimport snprintf
from libc.stdlib cimport free
from libc.string cimport memcpy, memset

import sys

import numpy as np

from ..isa.traps import SEM_MAX as _SEM_MAX, Cause

from .engine cimport (MEM_ACC, MEM_GM, MEM_LM, EngineOp, Memories, Region, Scratch, TrapInfo,
                      compute_fn)
from .isa_tables cimport *
from .kernels.registry cimport kernel_for
from .predecode cimport (CSR_CONFIG, CSR_CONSTANT, CSR_COUNT_HI, CSR_COUNT_LO, INSN_BYTES,
                         OP_ILLEGAL, Code, Insn, OpInfo, op_info)

from .predecode import CONFIG_CSRS, CONSTANT_CSRS

cdef int ILLEGAL_INSTRUCTION = Cause.ILLEGAL_INSTRUCTION
cdef int FETCH_FAULT = Cause.FETCH_FAULT
cdef int MISALIGNED_FETCH = Cause.MISALIGNED_FETCH
cdef int GM_FAULT = Cause.GM_FAULT
cdef int LM_FAULT = Cause.LM_FAULT
cdef int ACC_FAULT = Cause.ACC_FAULT
cdef int MISALIGNED_ACCESS = Cause.MISALIGNED_ACCESS
cdef int BAD_OPERAND = Cause.BAD_OPERAND
cdef int SEM_DEADLOCK = Cause.SEM_DEADLOCK
cdef int SEM_OVERFLOW = Cause.SEM_OVERFLOW
cdef int32_t SEM_MAX = _SEM_MAX
assert len(CONSTANT_CSRS) <= MAX_CONSTANT_CSRS
assert sys.byteorder == "little", "the core keeps GM words and ACC in host byte order"

CHUNK = 1 << 26          # instructions between checks for KeyboardInterrupt


# ---- traps: record cause, pc, word and tval; the caller formats the message ----

cdef void trap(CoreState* s, const Env* env, int cause, int64_t pc, uint64_t tval) noexcept nogil:
    s.trap_cause = cause
    s.trap_pc = pc
    s.trap_tval = tval
    s.trap_aux = -1
    s.trap_word = 0
    if 0 <= pc and <uint64_t>pc + 8 <= env.imem_bytes:
        memcpy(&s.trap_word, env.imem + pc, 8)
    s.trap_message[0] = 0


cdef void static_trap(CoreState* s, const Env* env, int cause, int64_t pc,
                      const Insn* i) noexcept nogil:
    """A trap whose message predecode computed (illegal word, bad CSR); tval is the word."""
    trap(s, env, cause, pc, 0)
    s.trap_tval = s.trap_word
    s.trap_aux = i.aux


cdef void fetch_fault(CoreState* s, const Env* env, int64_t pc) noexcept nogil:
    trap(s, env, FETCH_FAULT, pc, pc)
    snprintf(s.trap_message, MSG_LEN, "pc 0x%llx outside IMEM of %llu bytes",
             <unsigned long long>pc, <unsigned long long>env.imem_bytes)


cdef void scalar_fault(CoreState* s, const Env* env, const Insn* i, int64_t pc, int64_t addr,
                       int64_t size) noexcept nogil:
    """The trap of a GM access that failed the fast check, in the reference model's order."""
    cdef const char* mn = <const char*>op_info(i.op).mnemonic
    cdef int64_t gm = env.mem.gm_size
    if addr < 0:
        trap(s, env, GM_FAULT, pc, <uint32_t>addr)
        snprintf(s.trap_message, MSG_LEN, "%s: address %lld is negative", mn, <long long>addr)
    elif addr + size > gm:
        trap(s, env, GM_FAULT, pc, addr if addr > gm else gm)
        snprintf(s.trap_message, MSG_LEN, "%s: GM bytes 0x%llx..0x%llx outside GM of %lld bytes",
                 mn, <long long>addr, <long long>(addr + size - 1), <long long>gm)
    else:
        trap(s, env, MISALIGNED_ACCESS, pc, addr)
        snprintf(s.trap_message, MSG_LEN, "%s: address 0x%llx is not %d-byte aligned", mn,
                 <long long>addr, <int>size)


# ---- engine instructions: snapshot, check, compute, semaphores, commit ----

cdef bint bad_region(const Region* w, int64_t size, int64_t capacity, int64_t esize) noexcept nogil:
    if w.base < 0 or w.stride < 0 or w.cols > capacity / esize / w.rows:
        return True
    return w.base + (w.rows - 1) * w.stride + w.cols > size


cdef bint commit(CoreState* s, Env* env, const OpInfo* info, int64_t pc) noexcept nogil:
    """Write the Scratch rows into their region in increasing row order (later rows win)."""
    cdef Scratch* sc = env.scratch
    cdef Region* w = &sc.write
    cdef uint8_t* base = NULL
    cdef int64_t size = 0, esize = 1, r
    if w.rows <= 0 or w.cols <= 0:
        return True
    if w.mem == MEM_GM:
        base, size = env.mem.gm, env.mem.gm_size
    elif w.mem == MEM_LM:
        base, size = env.mem.lm, env.mem.lm_size
    elif w.mem == MEM_ACC:
        base, size, esize = <uint8_t*>env.mem.acc, env.mem.acc_words, 4
    if base == NULL or bad_region(w, size, sc.capacity, esize):
        trap(s, env, BAD_OPERAND, pc, 0)
        snprintf(s.trap_message, MSG_LEN, "internal error: the %s kernel's result region is "
                 "invalid (mem %d, base %lld, %lld x %lld, stride %lld)", info.mnemonic, w.mem,
                 <long long>w.base, <long long>w.rows, <long long>w.cols, <long long>w.stride)
        return False
    for r in range(w.rows):
        memcpy(base + (w.base + r * w.stride) * esize, sc.data + r * w.cols * esize,
               w.cols * esize)
    return True


cdef bint check_cfg(CoreState* s, const Env* env, const OpInfo* info, EngineOp* op,
                    int64_t pc) noexcept nogil:
    cdef int k
    cdef uint32_t raw
    cdef int64_t v
    for k in range(info.ncfg):
        raw = s.csr[info.cfg_slot[k]]
        v = <int32_t>raw if info.cfg_signed[k] else <int64_t>raw
        if v < info.cfg_lo[k] or v > info.cfg_hi[k]:
            trap(s, env, BAD_OPERAND, pc, raw)
            snprintf(s.trap_message, MSG_LEN, "%s: %s = %lld outside [%lld, %lld]",
                     info.mnemonic, info.cfg_name[k], <long long>v,
                     <long long>info.cfg_lo[k], <long long>info.cfg_hi[k])
            return False
        op.cfg[k] = v
    return True


cdef bint check_sems(CoreState* s, const Env* env, const OpInfo* info, const Insn* i,
                     int64_t pc) noexcept nogil:
    if i.wait >= 0 and s.sem[i.wait] == 0:
        trap(s, env, SEM_DEADLOCK, pc, i.wait)
        snprintf(s.trap_message, MSG_LEN, "%s waits on s%d, whose count is 0 and no earlier "
                 "instruction signals it", info.mnemonic, <int>i.wait)
        return False
    if i.sig >= 0 and s.sem[i.sig] - (i.wait == i.sig) + 1 > SEM_MAX:
        trap(s, env, SEM_OVERFLOW, pc, i.sig)
        snprintf(s.trap_message, MSG_LEN, "%s signals s%d above %d", info.mnemonic, <int>i.sig,
                 <int>SEM_MAX)
        return False
    return True


cdef bint exec_engine(CoreState* s, Env* env, const Insn* i, int64_t pc) noexcept nogil:
    cdef const OpInfo* info = op_info(i.op)
    cdef EngineOp op
    cdef TrapInfo t
    cdef compute_fn compute = env.kernels[i.op & 0xFF]
    cdef int k, cause
    memset(&op, 0, sizeof(op))
    op.pc, op.opcode, op.flags, op.esz, op.wait, op.sig = pc, i.op, i.flags, i.esz, i.wait, i.sig
    for k in range(info.nreg):
        op.reg[k] = s.x[i.reg[k]]
    if not check_cfg(s, env, info, &op, pc):
        return False
    if compute == NULL:
        trap(s, env, ILLEGAL_INSTRUCTION, pc, 0)
        s.trap_tval = s.trap_word
        snprintf(s.trap_message, MSG_LEN, "internal error: no kernel for %s", info.mnemonic)
        return False
    memset(&t, 0, sizeof(t))
    memset(&env.scratch.write, 0, sizeof(Region))
    env.scratch.nreads = 0
    cause = compute(&env.mem, &op, env.scratch, &t)
    if cause:
        trap(s, env, cause, pc, t.tval)
        memcpy(s.trap_message, t.message, MSG_LEN)
        s.trap_message[MSG_LEN - 1] = 0
        return False
    if not check_sems(s, env, info, i, pc) or not commit(s, env, info, pc):
        return False
    if i.wait >= 0:
        s.sem[i.wait] -= 1
    if i.sig >= 0:
        s.sem[i.sig] += 1
    return True


# ---- the loop ----

cdef inline uint32_t csr_value(CoreState* s, const Insn* i, uint64_t instret) noexcept nogil:
    if i.csr_kind == CSR_CONFIG:
        return s.csr[i.csr_slot]
    if i.csr_kind == CSR_CONSTANT:
        return s.constant[i.csr_slot]
    if i.csr_kind == CSR_COUNT_LO:
        return <uint32_t>instret
    return <uint32_t>(instret >> 32)


cdef uint64_t run_functional(CoreState* s, Env* env, uint64_t limit) noexcept nogil:
    """Execute up to limit instructions in program order; stops early at halt or a trap.

    Returns the number retired. A trapping instruction changes nothing and is not counted.
    """
    cdef uint32_t* x = s.x
    cdef const Insn* code = env.code
    cdef const Insn* i
    cdef uint64_t imem = env.imem_bytes, n = 0
    cdef uint8_t* gm = env.mem.gm
    cdef uint64_t gm1 = env.mem.gm_size - 1, gm2 = env.mem.gm_size - 2
    cdef uint64_t gm4 = env.mem.gm_size - 4
    cdef int64_t pc = s.pc, addr
    cdef uint32_t op, t
    cdef uint16_t h
    while n < limit:
        if <uint64_t>pc >= imem:
            fetch_fault(s, env, pc)
            break
        i = <const Insn*>(<const char*>code + pc * (INSN_BYTES // 8))
        op = i.op
        if op == OP_ADD:
            x[i.rd] = x[i.rs1] + x[i.rs2]
        elif op == OP_SUB:
            x[i.rd] = x[i.rs1] - x[i.rs2]
        elif op == OP_AND:
            x[i.rd] = x[i.rs1] & x[i.rs2]
        elif op == OP_OR:
            x[i.rd] = x[i.rs1] | x[i.rs2]
        elif op == OP_XOR:
            x[i.rd] = x[i.rs1] ^ x[i.rs2]
        elif op == OP_SLL:
            x[i.rd] = x[i.rs1] << (x[i.rs2] & 31)
        elif op == OP_SRL:
            x[i.rd] = x[i.rs1] >> (x[i.rs2] & 31)
        elif op == OP_SRA:
            x[i.rd] = <uint32_t>(<int32_t>x[i.rs1] >> (x[i.rs2] & 31))
        elif op == OP_SLT:
            x[i.rd] = <int32_t>x[i.rs1] < <int32_t>x[i.rs2]
        elif op == OP_SLTU:
            x[i.rd] = x[i.rs1] < x[i.rs2]
        elif op == OP_MUL:
            x[i.rd] = x[i.rs1] * x[i.rs2]
        elif op == OP_MULH:
            x[i.rd] = <uint32_t>((<int64_t><int32_t>x[i.rs1] * <int64_t><int32_t>x[i.rs2]) >> 32)
        elif op == OP_MULHU:
            x[i.rd] = <uint32_t>((<uint64_t>x[i.rs1] * <uint64_t>x[i.rs2]) >> 32)
        elif op == OP_ADDI:
            x[i.rd] = x[i.rs1] + <uint32_t>i.imm
        elif op == OP_ANDI:
            x[i.rd] = x[i.rs1] & <uint32_t>i.imm
        elif op == OP_ORI:
            x[i.rd] = x[i.rs1] | <uint32_t>i.imm
        elif op == OP_XORI:
            x[i.rd] = x[i.rs1] ^ <uint32_t>i.imm
        elif op == OP_SLLI:
            x[i.rd] = x[i.rs1] << i.imm
        elif op == OP_SRLI:
            x[i.rd] = x[i.rs1] >> i.imm
        elif op == OP_SRAI:
            x[i.rd] = <uint32_t>(<int32_t>x[i.rs1] >> i.imm)
        elif op == OP_SLTI:
            x[i.rd] = <int32_t>x[i.rs1] < i.imm
        elif op == OP_SLTIU:
            x[i.rd] = x[i.rs1] < <uint32_t>i.imm
        # targets wrap modulo 2^32; offsets are multiples of 8 (predecode): targets are aligned
        elif op == OP_BEQ:
            if x[i.rs1] == x[i.rs2]:
                pc = <int64_t><uint32_t>(pc + i.imm) - 8
        elif op == OP_BNE:
            if x[i.rs1] != x[i.rs2]:
                pc = <int64_t><uint32_t>(pc + i.imm) - 8
        elif op == OP_BLT:
            if <int32_t>x[i.rs1] < <int32_t>x[i.rs2]:
                pc = <int64_t><uint32_t>(pc + i.imm) - 8
        elif op == OP_BGE:
            if <int32_t>x[i.rs1] >= <int32_t>x[i.rs2]:
                pc = <int64_t><uint32_t>(pc + i.imm) - 8
        elif op == OP_BLTU:
            if x[i.rs1] < x[i.rs2]:
                pc = <int64_t><uint32_t>(pc + i.imm) - 8
        elif op == OP_BGEU:
            if x[i.rs1] >= x[i.rs2]:
                pc = <int64_t><uint32_t>(pc + i.imm) - 8
        elif op == OP_JAL:
            x[i.rd] = <uint32_t>(pc + 8)
            pc = <int64_t><uint32_t>(pc + i.imm) - 8
        elif op == OP_JALR:
            t = x[i.rs1] + <uint32_t>i.imm
            if t & 7:
                trap(s, env, MISALIGNED_FETCH, pc, t)
                snprintf(s.trap_message, MSG_LEN, "jump target 0x%x is not a multiple of 8", t)
                break
            x[i.rd] = <uint32_t>(pc + 8)
            pc = <int64_t>t - 8
        elif op == OP_LB:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm1:
                scalar_fault(s, env, i, pc, addr, 1)
                break
            x[i.rd] = <uint32_t><int32_t>(<int8_t>gm[addr])
        elif op == OP_LBU:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm1:
                scalar_fault(s, env, i, pc, addr, 1)
                break
            x[i.rd] = gm[addr]
        elif op == OP_LH:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm2 or addr & 1:
                scalar_fault(s, env, i, pc, addr, 2)
                break
            memcpy(&h, gm + addr, 2)
            x[i.rd] = <uint32_t><int32_t><int16_t>h
        elif op == OP_LHU:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm2 or addr & 1:
                scalar_fault(s, env, i, pc, addr, 2)
                break
            memcpy(&h, gm + addr, 2)
            x[i.rd] = h
        elif op == OP_LW:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm4 or addr & 3:
                scalar_fault(s, env, i, pc, addr, 4)
                break
            memcpy(&x[i.rd], gm + addr, 4)
        elif op == OP_SB:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm1:
                scalar_fault(s, env, i, pc, addr, 1)
                break
            gm[addr] = <uint8_t>x[i.rs2]
        elif op == OP_SH:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm2 or addr & 1:
                scalar_fault(s, env, i, pc, addr, 2)
                break
            h = <uint16_t>x[i.rs2]
            memcpy(gm + addr, &h, 2)
        elif op == OP_SW:
            addr = <int64_t>x[i.rs1] + i.imm
            if <uint64_t>addr > gm4 or addr & 3:
                scalar_fault(s, env, i, pc, addr, 4)
                break
            memcpy(gm + addr, &x[i.rs2], 4)
        elif op == OP_CSRR:
            if i.aux >= 0:
                static_trap(s, env, ILLEGAL_INSTRUCTION, pc, i)
                break
            x[i.rd] = csr_value(s, i, s.instret + n)
        elif op == OP_CSRW:
            if i.aux >= 0:
                static_trap(s, env, ILLEGAL_INSTRUCTION, pc, i)
                break
            s.csr[i.csr_slot] = x[i.rs1]
        elif op == OP_CSRWI:
            if i.aux >= 0:
                static_trap(s, env, ILLEGAL_INSTRUCTION, pc, i)
                break
            s.csr[i.csr_slot] = <uint32_t>i.imm
        elif op == OP_SYNC:
            pass
        elif op == OP_SEM_SIG:
            if s.sem[i.imm] + 1 > SEM_MAX:
                trap(s, env, SEM_OVERFLOW, pc, i.imm)
                snprintf(s.trap_message, MSG_LEN, "sem.sig s%d above %d", i.imm, <int>SEM_MAX)
                break
            s.sem[i.imm] += 1
        elif op == OP_SEM_WAIT:
            if s.sem[i.imm] == 0:
                trap(s, env, SEM_DEADLOCK, pc, i.imm)
                snprintf(s.trap_message, MSG_LEN,
                         "sem.wait s%d with count 0 and no earlier signal", i.imm)
                break
            s.sem[i.imm] -= 1
        elif op == OP_HALT:
            s.halted = 1
            s.exit_code = x[i.rs1]
            n += 1
            break
        elif op == OP_ILLEGAL:
            static_trap(s, env, ILLEGAL_INSTRUCTION, pc, i)
            break
        else:
            if not exec_engine(s, env, i, pc):
                break
        pc += 8
        n += 1
    s.pc = pc
    s.instret += n
    return n


# ---- the Python-facing object ----

def constant_csr_values(config):
    """Values of the read-only CSRs fixed by the configuration (cfg_* = the parameter)."""
    return [getattr(config, c.name[4:]) if c.name.startswith("cfg_") else 0
            for c in CONSTANT_CSRS]


cdef int _index(int i, int n) except -1:
    if not 0 <= i < n:
        raise IndexError(f"index {i} outside [0, {n - 1}]")
    return i


cdef uint8_t* _address(array):
    return <uint8_t*><uintptr_t>array.ctypes.data


cdef class Core:
    """Registers, CSRs, semaphores and memories of one core, and its compiled loops."""

    def __cinit__(self, config):
        self.config = config
        self.imem = np.zeros(config.imem_bytes, np.uint8)
        self.gm = np.zeros(config.gm_bytes, np.uint8)
        self.lm = np.zeros(config.lm_bytes, np.uint8)
        self.acc = np.zeros(config.acc_words, np.int32)
        self.env.imem, self.env.imem_bytes = _address(self.imem), len(self.imem)
        self.env.mem.gm, self.env.mem.gm_size = _address(self.gm), len(self.gm)
        self.env.mem.lm, self.env.mem.lm_size = _address(self.lm), len(self.lm)
        self.env.mem.acc, self.env.mem.acc_words = <int32_t*>_address(self.acc), len(self.acc)
        memset(&self.scratch, 0, sizeof(Scratch))
        self.env.scratch = &self.scratch
        cdef int op
        for op in range(256):
            self.env.kernels[op] = kernel_for(op)
        self.reset()

    def __dealloc__(self):
        free(self.scratch.data)

    def reset(self):
        """Reset values of every register, CSR and semaphore; memories cleared; IMEM re-decoded."""
        memset(&self.s, 0, sizeof(CoreState))
        for k, c in enumerate(CONFIG_CSRS):
            self.s.csr[k] = c.reset
        for k, v in enumerate(constant_csr_values(self.config)):
            self.s.constant[k] = v & 0xFFFFFFFF
        self.s.trap_aux = -1
        for mem in (self.imem, self.gm, self.lm, self.acc):
            mem[:] = 0
        self.decode()

    def decode(self):
        """Predecode IMEM; call after any change to it."""
        self.code = Code(self.imem)
        self.env.code = self.code.insns

    def run(self, uint64_t limit):
        """Execute up to limit instructions; returns the number retired."""
        cdef uint64_t done = 0, n, chunk
        while done < limit and not self.stopped:
            chunk = min(limit - done, CHUNK)
            with nogil:
                n = run_functional(&self.s, &self.env, chunk)
            done += n
            if self.s.trap_aux >= 0:
                self.trap_text = self.code.messages[self.s.trap_aux]
            if n < chunk:
                break
            PyErr_CheckSignals()
        return done

    @property
    def stopped(self):
        return bool(self.s.halted or self.s.trap_cause)

    def get_x(self, int i):
        return self.s.x[_index(i, NUM_XREGS)] if i else 0

    def set_x(self, int i, uint64_t value):
        if _index(i, NUM_XREGS):
            self.s.x[i] = <uint32_t>value

    property pc:
        def __get__(self):
            return self.s.pc

        def __set__(self, int64_t value):
            if value % 8 or not 0 <= value <= 0xFFFFFFFF:
                raise ValueError(f"pc must be a 32-bit multiple of 8, not {value:#x}")
            self.s.pc = value

    property instret:
        def __get__(self):
            return self.s.instret

        def __set__(self, uint64_t value):
            self.s.instret = value

    def get_csr(self, int slot):
        return self.s.csr[_index(slot, NUM_CONFIG_CSRS)]

    def set_csr(self, int slot, uint64_t value):
        self.s.csr[_index(slot, NUM_CONFIG_CSRS)] = <uint32_t>value

    def has_kernel(self, uint32_t opcode):
        return self.env.kernels[opcode & 0xFF] != NULL

    def get_constant(self, int k):
        return self.s.constant[_index(k, len(CONSTANT_CSRS))]

    def get_sem(self, int k):
        return self.s.sem[_index(k, NUM_SEMS)]

    def set_sem(self, int k, int value):
        if not 0 <= value <= SEM_MAX:
            raise ValueError(f"semaphore count must be in [0, {SEM_MAX}], not {value}")
        self.s.sem[_index(k, NUM_SEMS)] = value

    @property
    def halted(self):
        return bool(self.s.halted)

    @property
    def exit_code(self):
        return self.s.exit_code if self.s.halted else None

    @property
    def trap(self):
        """(cause, pc, word, tval, message) or None."""
        if not self.s.trap_cause:
            return None
        if self.s.trap_aux >= 0:
            message = self.trap_text
        else:
            message = self.s.trap_message.decode("utf-8", "replace")
        return (Cause(self.s.trap_cause), self.s.trap_pc, self.s.trap_word, self.s.trap_tval,
                message)

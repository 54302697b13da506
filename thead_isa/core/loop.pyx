# The CP loop of both modes (one source, compiled per mode) and Core, the Python-facing object.
# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# distutils: extra_compile_args = -falign-loops=64
#
# run_loop is a fused function: Cython compiles one copy per Mode, and `if Mode is ...` branches
# are resolved at compile time, so the plain loops carry no tracing or timing code they do not
# need. Functional mode executes every engine instruction at dispatch (program order); cycle mode
# queues it and advances the engines in time order (engines.pyx). Observed variants fill an event
# buffer for traces, race checks and commit logs (events.py). The plain functional loop hands the
# CP instructions to the threaded interpreter of cp_fast.h and executes here only what it leaves
# (engine instructions, halt, traps).
from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport int8_t, int16_t, uint16_t, uintptr_t
from libc.stdio cimport snprintf
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy, memset

import sys

import numpy as np

from ..isa.traps import SEM_MAX as _SEM_MAX, Cause

from .engine cimport MEM_GM, Memories, Region, Scratch
from .engines cimport (DONE, TRAPPED, dispatch, drain, emit, engine_status, exec_engine, settle,
                       signal_sem, trap, update_horizon, wait_sem)
from .isa_tables cimport *
from .kernels.registry cimport kernel_for
from .predecode cimport (CSR_CONFIG, CSR_CONSTANT, CSR_COUNT_HI, CSR_COUNT_LO, CSR_CYCLE_HI,
                         CSR_CYCLE_LO, CSR_ESTAT, INSN_BYTES, OP_END, OP_ILLEGAL, SINK, Code, Insn, OpInfo, op_info)
from .state cimport *
from .timing cimport fill_params

cdef extern from "cp_fast.h" nogil:
    # the threaded fast path of functional mode (see there); 0 with compilers other than GCC/Clang
    bint CPF_AVAILABLE
    ctypedef struct cpf_env:
        uint32_t* x
        uint32_t* csr
        const uint32_t* constant
        int32_t* sem
        uint8_t* gm
        uint64_t gm_size
        uint64_t instret
        int32_t sem_max
    uint64_t cpf_run(Insn* code, uint64_t imem, int64_t* pc, uint64_t limit, const cpf_env* env)
    void cpf_link(Insn* code, int64_t n)

from .events import EVENT
from .predecode import CONFIG_CSRS, CONSTANT_CSRS

cdef int ILLEGAL_INSTRUCTION = Cause.ILLEGAL_INSTRUCTION
cdef int FETCH_FAULT = Cause.FETCH_FAULT
cdef int MISALIGNED_FETCH = Cause.MISALIGNED_FETCH
cdef int GM_FAULT = Cause.GM_FAULT
cdef int MISALIGNED_ACCESS = Cause.MISALIGNED_ACCESS
cdef int SEM_DEADLOCK = Cause.SEM_DEADLOCK
cdef int SEM_OVERFLOW = Cause.SEM_OVERFLOW
cdef int32_t SEM_MAX = _SEM_MAX
assert len(CONSTANT_CSRS) <= MAX_CONSTANT_CSRS
assert sys.byteorder == "little", "the core keeps GM words and ACC in host byte order"
assert sizeof(Event) == EVENT.itemsize, "events.py EVENT does not match state.pxd Event"

CHUNK = 1 << 26          # instructions between checks for KeyboardInterrupt
EVENT_CAPACITY = 1 << 14  # events per batch handed to observers
EVENT_SLACK = 1 << 13     # room for the events of one instruction past the capacity
MODES = ("functional", "cycle")

ctypedef struct Functional:
    char unused
ctypedef struct FunctionalObserved:
    char unused
ctypedef struct Cycle:
    char unused
ctypedef struct CycleObserved:
    char unused
ctypedef fused Mode:
    Functional
    FunctionalObserved
    Cycle
    CycleObserved


# ---- traps: record cause, pc, word and tval; the caller formats the message ----

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



# ---- the loop ----

cdef inline int64_t target(uint32_t t, uint64_t imem, int64_t* fault_pc) noexcept nogil:
    """A jump target inside IMEM, or IMEM's size (the OP_END entry) remembering the target."""
    if t < imem:
        return t
    fault_pc[0] = t
    return imem


cdef inline uint32_t csr_value(CoreState* s, const Insn* i, uint64_t instret,
                               uint64_t cycle) noexcept nogil:
    if i.csr_kind == CSR_CONFIG:
        return s.csr[i.csr_slot]
    if i.csr_kind == CSR_CONSTANT:
        return s.constant[i.csr_slot]
    if i.csr_kind == CSR_COUNT_LO:
        return <uint32_t>instret
    if i.csr_kind == CSR_COUNT_HI:
        return <uint32_t>(instret >> 32)
    if i.csr_kind == CSR_CYCLE_LO:
        return <uint32_t>cycle
    if i.csr_kind == CSR_CYCLE_HI:
        return <uint32_t>(cycle >> 32)
    return 0                                # CSR_ESTAT in functional mode: engines are idle


cdef void emit_cp(Env* env, const Insn* i, int64_t pc, uint64_t seq, uint64_t t0, uint64_t t1,
                  uint64_t t2, int64_t addr, const uint32_t* x) noexcept nogil:
    """The EV_CP record of a retired CP instruction (after its effect)."""
    cdef Event* e = emit(env)
    cdef uint32_t op = i.op
    cdef Region* r
    if e == NULL:
        return
    e.kind, e.unit, e.op, e.pc, e.seq = EV_CP, 0, op, pc, seq
    e.t0, e.t1, e.t2 = t0, t1, t2
    memcpy(&e.word, env.imem + pc, 8)
    if i.rd != SINK and op < OP_DMA_LD:
        e.rd, e.value = i.rd, x[i.rd]
    if t1 > t0:
        if op == OP_SEM_WAIT:
            e.arg = STALL_SEM
        elif op == OP_SYNC or op == OP_HALT:
            e.arg = STALL_DRAIN
        else:
            e.arg = STALL_QUEUE + op_info(op).engine - 1
    if op == OP_SEM_WAIT:
        e.wait = i.imm
    elif op == OP_SEM_SIG:
        e.sig = i.imm
    elif op == OP_SYNC:
        e.value = i.imm & 7
    elif op == OP_HALT:
        e.value = 7
    elif OP_LB <= op <= OP_SW:
        r = &e.write if op >= OP_SB else &e.reads[0]
        e.nreads = op < OP_SB
        r.mem, r.base, r.rows, r.stride = MEM_GM, addr, 1, 0
        r.cols = 4 if op == OP_LW or op == OP_SW else (
            2 if op == OP_LH or op == OP_LHU or op == OP_SH else 1)


cdef uint64_t run_loop(Mode* mode, CoreState* s, Env* env, uint64_t limit) noexcept nogil:
    """Execute up to limit instructions; stops early at halt, a trap, the cycle limit (cycle
    mode) or a full event buffer (observed). Returns the number retired. A trapping instruction
    changes nothing and is not counted."""
    cdef uint32_t* x = s.x
    cdef const Insn* code = env.code
    cdef const Insn* i
    cdef uint64_t imem = env.imem_bytes, n = 0
    cdef uint8_t* gm = env.mem.gm
    cdef uint64_t gm1 = env.mem.gm_size - 1, gm2 = env.mem.gm_size - 2
    cdef uint64_t gm4 = env.mem.gm_size - 4
    cdef int64_t pc = s.pc, addr = 0
    cdef uint32_t op, t
    cdef uint16_t h
    cdef uint64_t now = s.now, reached = 0, issued = 0
    cdef const uint32_t* cost = env.tp.cp_cost
    cdef int64_t mark = 0, here = 0
    cdef int64_t fault_pc = imem            # the pc outside IMEM that brought the loop to OP_END
    cdef cpf_env fast
    if Mode is Functional:
        fast.x, fast.csr, fast.constant, fast.sem = x, s.csr, s.constant, s.sem
        fast.gm, fast.gm_size, fast.sem_max = gm, env.mem.gm_size, SEM_MAX
    if <uint64_t>pc >= imem:
        fault_pc, pc = pc, imem
    while n < limit:
        if Mode is Functional and CPF_AVAILABLE:
            # the threaded fast path (cp_fast.h) runs the plain CP instructions; it stops before
            # anything else and before a trap, and this iteration executes that instruction below
            fast.instret = s.instret + n
            n += cpf_run(<Insn*>code, imem, &pc, limit - n, &fast)
            if n >= limit:
                break
        if Mode is Cycle or Mode is CycleObserved:
            if now >= env.horizon:          # an engine event is due, or the cycle limit
                if now >= env.cycle_limit or settle(s, env, now) != DONE:
                    break
        if Mode is CycleObserved:
            reached = issued = now
        if Mode is FunctionalObserved or Mode is CycleObserved:
            here = pc                       # the instruction's own pc (a branch changes pc)
        if Mode is FunctionalObserved or Mode is CycleObserved:
            if env.events.n >= env.events.cap:
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
                pc = target(<uint32_t>(pc + i.imm), imem, &fault_pc) - 8
                if Mode is Cycle or Mode is CycleObserved:
                    now += env.tp.branch_penalty
        elif op == OP_BNE:
            if x[i.rs1] != x[i.rs2]:
                pc = target(<uint32_t>(pc + i.imm), imem, &fault_pc) - 8
                if Mode is Cycle or Mode is CycleObserved:
                    now += env.tp.branch_penalty
        elif op == OP_BLT:
            if <int32_t>x[i.rs1] < <int32_t>x[i.rs2]:
                pc = target(<uint32_t>(pc + i.imm), imem, &fault_pc) - 8
                if Mode is Cycle or Mode is CycleObserved:
                    now += env.tp.branch_penalty
        elif op == OP_BGE:
            if <int32_t>x[i.rs1] >= <int32_t>x[i.rs2]:
                pc = target(<uint32_t>(pc + i.imm), imem, &fault_pc) - 8
                if Mode is Cycle or Mode is CycleObserved:
                    now += env.tp.branch_penalty
        elif op == OP_BLTU:
            if x[i.rs1] < x[i.rs2]:
                pc = target(<uint32_t>(pc + i.imm), imem, &fault_pc) - 8
                if Mode is Cycle or Mode is CycleObserved:
                    now += env.tp.branch_penalty
        elif op == OP_BGEU:
            if x[i.rs1] >= x[i.rs2]:
                pc = target(<uint32_t>(pc + i.imm), imem, &fault_pc) - 8
                if Mode is Cycle or Mode is CycleObserved:
                    now += env.tp.branch_penalty
        elif op == OP_JAL:
            x[i.rd] = <uint32_t>(pc + 8)
            pc = target(<uint32_t>(pc + i.imm), imem, &fault_pc) - 8
        elif op == OP_JALR:
            t = x[i.rs1] + <uint32_t>i.imm
            if t & 7:
                trap(s, env, MISALIGNED_FETCH, pc, t)
                snprintf(s.trap_message, MSG_LEN, "jump target 0x%x is not a multiple of 8", t)
                break
            x[i.rd] = <uint32_t>(pc + 8)
            pc = target(t, imem, &fault_pc) - 8
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
            if Mode is Cycle or Mode is CycleObserved:
                if i.csr_kind == CSR_ESTAT:
                    x[i.rd] = engine_status(env)
                else:
                    x[i.rd] = csr_value(s, i, s.instret + n, now)
            else:
                x[i.rd] = csr_value(s, i, s.instret + n, s.instret + n)
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
            if Mode is Cycle or Mode is CycleObserved:
                if drain(s, env, i.imm, pc, &now) != DONE:
                    break
                issued = now
        elif op == OP_SEM_SIG:
            if Mode is Cycle or Mode is CycleObserved:
                if signal_sem(s, env, i.imm, pc, now) != DONE:
                    break
            else:
                if s.sem[i.imm] + 1 > SEM_MAX:
                    trap(s, env, SEM_OVERFLOW, pc, i.imm)
                    snprintf(s.trap_message, MSG_LEN, "sem.sig s%d above %d", i.imm, <int>SEM_MAX)
                    break
                s.sem[i.imm] += 1
        elif op == OP_SEM_WAIT:
            if Mode is Cycle or Mode is CycleObserved:
                if wait_sem(s, env, i.imm, pc, &now) != DONE:
                    break
                issued = now
            else:
                if s.sem[i.imm] == 0:
                    trap(s, env, SEM_DEADLOCK, pc, i.imm)
                    snprintf(s.trap_message, MSG_LEN,
                             "sem.wait s%d with count 0 and no earlier signal", i.imm)
                    break
                s.sem[i.imm] -= 1
        elif op == OP_HALT:
            if Mode is Cycle or Mode is CycleObserved:
                if drain(s, env, 7, pc, &now) != DONE:
                    break
                issued = now
                now += cost[op & 0xFF]
            s.halted = 1
            s.exit_code = x[i.rs1]
            if Mode is FunctionalObserved:
                emit_cp(env, i, here, s.instret + n, s.instret + n, s.instret + n, s.instret + n + 1,
                        addr, x)
            elif Mode is CycleObserved:
                emit_cp(env, i, here, s.instret + n, reached, issued, now, addr, x)
            n += 1
            break
        elif op == OP_ILLEGAL:
            static_trap(s, env, ILLEGAL_INSTRUCTION, pc, i)
            break
        elif op == OP_END:
            pc = fault_pc
            fetch_fault(s, env, pc)
            break
        else:
            if Mode is Cycle or Mode is CycleObserved:
                if dispatch(s, env, i, pc, s.instret + n, &now) != DONE:
                    break
                issued = now
            else:
                if Mode is FunctionalObserved:
                    mark = env.events.n
                    emit_cp(env, i, here, s.instret + n, s.instret + n, s.instret + n,
                            s.instret + n + 1, addr, x)
                if not exec_engine(s, env, i, pc, s.instret + n):
                    if Mode is FunctionalObserved:
                        env.events.n = mark
                    break
        if Mode is Cycle or Mode is CycleObserved:
            now += cost[op & 0xFF]
        if Mode is CycleObserved:
            emit_cp(env, i, here, s.instret + n, reached, issued, now, addr, x)
        elif Mode is FunctionalObserved:
            if op < OP_DMA_LD:
                emit_cp(env, i, here, s.instret + n, s.instret + n, s.instret + n,
                        s.instret + n + 1, addr, x)
        pc += 8
        n += 1
    if not env.engine_trapped:              # an engine trap has set pc and instret itself
        s.pc = fault_pc if pc == <int64_t>imem else pc
        s.instret += n
    if Mode is Cycle or Mode is CycleObserved:
        s.now = now
    return n


cdef void finish_cp_trap(CoreState* s, Env* env) noexcept nogil:
    """Cycle mode: a CP trap stops the machine once the engines have finished what was
    dispatched before it, as in program order; an engine trap on the way takes precedence."""
    cdef CoreState saved = s[0]
    cdef uint64_t now = s.now
    s.trap_cause = 0
    if drain(s, env, 7, s.trap_pc, &now) != TRAPPED or not s.trap_cause:
        s.trap_cause, s.trap_pc, s.trap_word = saved.trap_cause, saved.trap_pc, saved.trap_word
        s.trap_tval, s.trap_aux = saved.trap_tval, saved.trap_aux
        memcpy(s.trap_message, saved.trap_message, MSG_LEN)
    s.now = now


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


cdef void idle_engines(Env* env) noexcept:
    cdef int k
    for k in range(NUM_ENGINES):
        env.eng[k].head = env.eng[k].count = env.eng[k].busy = 0
        env.eng[k].free_at = 0
    env.active = env.engine_trapped = 0


cdef class Core:
    """Registers, CSRs, semaphores, memories, engine queues and time of one core, and its
    compiled loops."""

    def __cinit__(self, config, mode="functional"):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.config, self.mode = config, mode
        self.imem = np.zeros(config.imem_bytes, np.uint8)
        self.gm = np.zeros(config.gm_bytes, np.uint8)
        self.lm = np.zeros(config.lm_bytes, np.uint8)
        self.acc = np.zeros(config.acc_words, np.int32)
        memset(&self.env, 0, sizeof(Env))
        memset(&self.buf, 0, sizeof(EventBuf))
        self.env.imem, self.env.imem_bytes = _address(self.imem), len(self.imem)
        self.env.mem.gm, self.env.mem.gm_size = _address(self.gm), len(self.gm)
        self.env.mem.lm, self.env.mem.lm_size = _address(self.lm), len(self.lm)
        self.env.mem.acc, self.env.mem.acc_words = <int32_t*>_address(self.acc), len(self.acc)
        cdef int op
        for op in range(256):
            self.env.kernels[op] = kernel_for(op)
        fill_params(&self.env.tp, config)
        if not 1 <= self.env.tp.queue_depth <= MAX_QUEUE:
            raise ValueError(f"queue_depth {self.env.tp.queue_depth} outside [1, {MAX_QUEUE}]")
        self.reset()

    def __dealloc__(self):
        cdef int k
        for k in range(NUM_ENGINES):
            free(self.env.eng[k].scratch.data)
        free(self.buf.ev)

    def reset(self):
        """Reset values of every register, CSR and semaphore; memories cleared; engines idle at
        cycle 0; IMEM re-decoded."""
        memset(&self.s, 0, sizeof(CoreState))
        for k, c in enumerate(CONFIG_CSRS):
            self.s.csr[k] = c.reset
        for k, v in enumerate(constant_csr_values(self.config)):
            self.s.constant[k] = v & 0xFFFFFFFF
        self.s.trap_aux = -1
        idle_engines(&self.env)
        memset(&self.env.cnt, 0, sizeof(Counters))
        memset(self.env.sem_since, 0, sizeof(self.env.sem_since))
        self.env.last_event = 0
        for mem in (self.imem, self.gm, self.lm, self.acc):
            mem[:] = 0
        self.decode()

    def restart(self):
        """Clear a halt so the machine runs on from pc; state, memories and counters are kept."""
        if self.s.trap_cause:
            raise RuntimeError("a trapped core cannot restart; reset it")
        self.s.halted = 0
        self.s.exit_code = 0

    def decode(self):
        """Predecode IMEM; call after any change to it."""
        self.code = Code(self.imem)
        cpf_link(self.code.insns, self.code.n + 1)      # handler addresses for cpf_run
        self.env.code = self.code.insns

    def run(self, uint64_t limit, uint64_t cycle_limit=0xFFFFFFFFFFFFFFFF, bint observed=False):
        """Execute up to limit instructions (cycle mode: and below cycle_limit); returns the
        number retired. Observed runs also stop when the event buffer is full: events_pending
        is then True and take_events() returns the batch."""
        cdef uint64_t done = 0, n, chunk
        cdef bint cycle = self.mode == "cycle"
        self.env.cycle_limit = cycle_limit
        update_horizon(&self.s, &self.env)
        if observed:
            self._open_events()
        self.events_pending = False
        while done < limit and not self.stopped:
            chunk = min(limit - done, CHUNK)
            with nogil:
                if cycle and observed:
                    n = run_loop(<CycleObserved*>NULL, &self.s, &self.env, chunk)
                elif cycle:
                    n = run_loop(<Cycle*>NULL, &self.s, &self.env, chunk)
                elif observed:
                    n = run_loop(<FunctionalObserved*>NULL, &self.s, &self.env, chunk)
                else:
                    n = run_loop(<Functional*>NULL, &self.s, &self.env, chunk)
                if cycle and self.s.trap_cause and not self.env.engine_trapped:
                    finish_cp_trap(&self.s, &self.env)
                elif cycle and not self.s.trap_cause and not self.s.halted and self.env.active:
                    settle(&self.s, &self.env, self.s.now)     # a trap there is recorded
            done += n
            if self.s.trap_aux >= 0:
                self.trap_text = self.code.messages[self.s.trap_aux]
            if observed and self.buf.n >= self.buf.cap:
                self.events_pending = True
                break
            if n < chunk:
                break
            PyErr_CheckSignals()
        self.env.events = NULL
        return done

    def _open_events(self):
        if self.buf.ev == NULL:
            self.buf.alloc = EVENT_CAPACITY + EVENT_SLACK
            self.buf.ev = <Event*>malloc(self.buf.alloc * sizeof(Event))
            if self.buf.ev == NULL:
                raise MemoryError()
            self.buf.cap = EVENT_CAPACITY
        self.env.events = &self.buf

    def take_events(self):
        """The events recorded since the last call, as an array of EVENT records."""
        cdef int64_t n = self.buf.n
        if self.buf.dropped:
            raise RuntimeError(f"internal error: {self.buf.dropped} events did not fit the buffer")
        out = np.empty(n, EVENT)
        if n:
            memcpy(<void*><uintptr_t>out.ctypes.data, self.buf.ev, n * sizeof(Event))
        self.buf.n = 0
        return out

    @property
    def estat(self):
        """Engine status (bit e: engine e has work queued or in flight); 0 in functional mode."""
        return engine_status(&self.env)

    @property
    def cycles(self):
        """Cycle mode: the CP's cycle (at least the last engine event), or the cycle of an
        engine trap; functional mode: instret."""
        if self.mode == "cycle":
            if self.env.engine_trapped:
                return self.env.last_event
            return max(self.s.now, self.env.last_event)
        return self.s.instret

    def counters(self):
        """Raw counters of the run so far (thead_isa/core/stats.py defines and derives them)."""
        cdef Counters* c = &self.env.cnt
        out = {"cycles": self.cycles, "instructions": self.s.instret,
               "cp_stall_queue_me": c.cp_stall[STALL_QUEUE],
               "cp_stall_queue_te": c.cp_stall[STALL_QUEUE + 1],
               "cp_stall_queue_ve": c.cp_stall[STALL_QUEUE + 2],
               "cp_stall_sem": c.cp_stall[STALL_SEM], "cp_stall_drain": c.cp_stall[STALL_DRAIN],
               "macs": c.macs}
        out["cp_instructions"] = self.s.instret        # every instruction the CP retired
        for k, e in enumerate(("me", "te", "ve")):
            out[f"{e}_instructions"] = c.insns[k]
            out[f"{e}_busy"] = c.busy[k]
            out[f"{e}_stall_sem"] = c.stall_sem[k]
        for k, m in enumerate(("gm", "lm", "acc")):
            out[f"{m}_read"] = c.bytes_read[k]
            out[f"{m}_written"] = c.bytes_written[k]
        return out

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

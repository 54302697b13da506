# The engine framework: dispatch, checks, commit; in cycle mode queues, semaphores and time.
# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
#
# The kernels (kernels/*.pyx) know data; timing.pyx knows durations; this module orders events.
# Cycle mode is event-driven: the CP runs ahead and the engines are advanced lazily, in time order,
# whenever the CP does something that can observe or affect them. Events at one cycle are ordered:
# completions (ME, TE, VE), then the CP, then starts (ME, TE, VE). See docs/timing.md.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdio cimport snprintf
from libc.string cimport memcpy, memset

from ..isa.traps import SEM_MAX as _SEM_MAX, Cause

from .engine cimport (MAX_READS, MEM_ACC, MEM_GM, MEM_LM, EngineOp, Region, Scratch, TrapInfo,
                      compute_fn)
from .predecode cimport Insn, OpInfo, op_info
from .state cimport (EV_END, EV_START, MSG_LEN, NUM_ENGINES, STALL_DRAIN, STALL_QUEUE, STALL_SEM,
                     CoreState, EngineState, Env, Event, EventBuf, Slot)
from .timing cimport engine_cycles, engine_macs

cdef int ILLEGAL_INSTRUCTION = Cause.ILLEGAL_INSTRUCTION
cdef int BAD_OPERAND = Cause.BAD_OPERAND
cdef int SEM_DEADLOCK = Cause.SEM_DEADLOCK
cdef int SEM_OVERFLOW = Cause.SEM_OVERFLOW
cdef int32_t SEM_MAX = _SEM_MAX
cdef uint64_t NEVER = 0xFFFFFFFFFFFFFFFF
cdef int64_t ESIZE[3]
ESIZE[:] = [1, 1, 4]                    # bytes per element of GM, LM, ACC


# ---- traps and events ----

cdef void trap(CoreState* s, const Env* env, int cause, int64_t pc, uint64_t tval) noexcept nogil:
    s.trap_cause = cause
    s.trap_pc = pc
    s.trap_tval = tval
    s.trap_aux = -1
    s.trap_word = 0
    if 0 <= pc and <uint64_t>pc + 8 <= env.imem_bytes:
        memcpy(&s.trap_word, env.imem + pc, 8)
    s.trap_message[0] = 0


cdef void engine_trapped_at(CoreState* s, Env* env, const Slot* sl) noexcept nogil:
    """Mark the trap in CoreState as that of a queued or started engine instruction (cycle
    mode): its word, and the machine's pc and instret go back to it."""
    s.trap_word = sl.word
    s.pc = sl.op.pc
    s.instret = sl.seq
    env.engine_trapped = 1


cdef void engine_trap(CoreState* s, Env* env, const Slot* sl, int cause,
                      uint64_t tval) noexcept nogil:
    """A trap of an engine instruction (cycle mode); the caller writes the message."""
    trap(s, env, cause, sl.op.pc, tval)
    engine_trapped_at(s, env, sl)


cdef Event* emit(Env* env) noexcept nogil:
    """The next event record, zeroed (NULL when the run is not observed)."""
    cdef EventBuf* b = env.events
    cdef Event* e
    if b == NULL:
        return NULL
    if b.n >= b.alloc:
        b.dropped += 1
        return NULL
    e = &b.ev[b.n]
    b.n += 1
    memset(e, 0, sizeof(Event))
    e.rd = e.wait = e.sig = -1
    return e


cdef void emit_engine(Env* env, int kind, int k, const Slot* sl, const Scratch* sc, uint64_t t0,
                      uint64_t t1) noexcept nogil:
    cdef Event* e = emit(env)
    cdef int r
    if e == NULL:
        return
    e.kind, e.unit, e.op, e.pc, e.word, e.seq = kind, k + 1, sl.op.opcode, sl.op.pc, sl.word, sl.seq
    e.t0, e.t1, e.t2 = t0, t1, t1
    if kind == EV_START:
        e.wait = sl.op.wait
        e.nreads = sc.nreads
        for r in range(sc.nreads):
            e.reads[r] = sc.reads[r]
    else:
        e.sig = sl.op.sig
        e.write = sc.write


# ---- checks, commit and counters shared by both modes ----

cdef bint bad_region(const Region* w, int64_t size, int64_t capacity, int64_t esize) noexcept nogil:
    if w.base < 0 or w.stride < 0 or w.cols > capacity // esize // w.rows:
        return True
    return w.base + (w.rows - 1) * w.stride + w.cols > size


cdef bint commit(CoreState* s, Env* env, Scratch* sc, const OpInfo* info, int64_t pc) noexcept nogil:
    """Write the Scratch rows into their region in increasing row order (later rows win)."""
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
    env.cnt.bytes_written[w.mem] += w.rows * w.cols * esize
    return True


cdef void count_start(Env* env, int k, const EngineOp* op, const Scratch* sc) noexcept nogil:
    cdef int r
    env.cnt.insns[k] += 1
    env.cnt.macs += engine_macs(op)
    for r in range(sc.nreads):
        if 0 <= sc.reads[r].mem <= MEM_ACC:
            env.cnt.bytes_read[sc.reads[r].mem] += (sc.reads[r].rows * sc.reads[r].cols
                                                    * ESIZE[sc.reads[r].mem])


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


cdef bint snapshot(CoreState* s, Env* env, const Insn* i, int64_t pc, Slot* sl) noexcept nogil:
    """Fill sl from the instruction, its registers and CSRs; False (trapped) if a CSR is out of
    range or the opcode has no kernel."""
    cdef const OpInfo* info = op_info(i.op)
    cdef EngineOp* op = &sl.op
    cdef int k
    memset(sl, 0, sizeof(Slot))
    op.pc, op.opcode, op.flags, op.esz, op.wait, op.sig = pc, i.op, i.flags, i.esz, i.wait, i.sig
    for k in range(info.nreg):
        op.reg[k] = s.x[i.reg[k]]
    if not check_cfg(s, env, info, op, pc):
        return False
    if env.kernels[i.op & 0xFF] == NULL:
        trap(s, env, ILLEGAL_INSTRUCTION, pc, 0)
        s.trap_tval = s.trap_word
        snprintf(s.trap_message, MSG_LEN, "internal error: no kernel for %s", info.mnemonic)
        return False
    memcpy(&sl.word, env.imem + pc, 8)
    return True


cdef int compute(Env* env, EngineState* e, Slot* sl, TrapInfo* t) noexcept nogil:
    memset(t, 0, sizeof(TrapInfo))
    memset(&e.scratch.write, 0, sizeof(Region))
    e.scratch.nreads = 0
    return env.kernels[sl.op.opcode & 0xFF](&env.mem, &sl.op, &e.scratch, t)


cdef void kernel_message(CoreState* s, const TrapInfo* t) noexcept nogil:
    memcpy(s.trap_message, t.message, MSG_LEN)
    s.trap_message[MSG_LEN - 1] = 0


# ---- functional mode: the whole instruction at dispatch ----

cdef bint exec_engine(CoreState* s, Env* env, const Insn* i, int64_t pc, uint64_t t) noexcept nogil:
    cdef const OpInfo* info = op_info(i.op)
    cdef int k = info.engine - 1
    cdef EngineState* e = &env.eng[k]
    cdef Slot sl
    cdef TrapInfo ti
    cdef int cause
    if not snapshot(s, env, i, pc, &sl):
        return False
    cause = compute(env, e, &sl, &ti)
    if cause:
        trap(s, env, cause, pc, ti.tval)
        kernel_message(s, &ti)
        return False
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
    if not commit(s, env, &e.scratch, info, pc):
        return False
    if i.wait >= 0:
        s.sem[i.wait] -= 1
    if i.sig >= 0:
        s.sem[i.sig] += 1
    count_start(env, k, &sl.op, &e.scratch)
    if env.events != NULL:
        sl.seq = t
        emit_engine(env, EV_START, k, &sl, &e.scratch, t, t)
        emit_engine(env, EV_END, k, &sl, &e.scratch, t, t)
    return True


# ---- cycle mode: queues, starts and completions in time order ----

cdef inline uint64_t umax(uint64_t a, uint64_t b) noexcept nogil:
    return a if a > b else b


cdef uint64_t start_time(const CoreState* s, const Env* env, const EngineState* e) noexcept nogil:
    """The cycle the head of an idle engine can start, NEVER while its semaphore is 0."""
    cdef const Slot* sl = &e.queue[e.head]
    cdef uint64_t t = umax(e.free_at, sl.visible)
    if sl.op.wait >= 0:
        if s.sem[sl.op.wait] == 0:
            return NEVER
        t = umax(t, env.sem_since[sl.op.wait])
    return t


cdef void update_active(Env* env) noexcept nogil:
    cdef int k
    env.active = 0
    for k in range(NUM_ENGINES):
        env.active += env.eng[k].busy != 0 or env.eng[k].count > 0


cdef uint32_t engine_status(const Env* env) noexcept nogil:
    """estat: bit e set while engine e has an instruction queued or in flight."""
    cdef uint32_t mask = 0
    cdef int k
    for k in range(NUM_ENGINES):
        if env.eng[k].busy or env.eng[k].count:
            mask |= 1u << k
    return mask


cdef void update_horizon(const CoreState* s, Env* env) noexcept nogil:
    """The cycle at which the CP loop must next let the engines catch up (or stop)."""
    cdef uint64_t h = env.cycle_limit, t
    cdef const EngineState* e
    cdef int k
    for k in range(NUM_ENGINES):
        e = &env.eng[k]
        if e.busy:
            t = e.current.end
        elif e.count:
            t = start_time(s, env, e)
        else:
            continue
        if t < h:
            h = t
    env.horizon = h


cdef int start(CoreState* s, Env* env, int k, uint64_t t) noexcept nogil:
    cdef EngineState* e = &env.eng[k]
    cdef Slot* sl = &e.queue[e.head]
    cdef TrapInfo ti
    cdef int cause = compute(env, e, sl, &ti)
    cdef int64_t d
    if cause:
        engine_trap(s, env, sl, cause, ti.tval)
        kernel_message(s, &ti)
        env.last_event = t
        return TRAPPED
    if sl.op.wait >= 0:
        s.sem[sl.op.wait] -= 1
    d = engine_cycles(&sl.op, &env.tp)
    e.current = sl[0]
    e.current.ready = umax(e.free_at, sl.visible)
    e.current.start = t
    e.current.end = t + d
    e.head = (e.head + 1) % env.tp.queue_depth
    e.count -= 1
    e.busy = 1
    count_start(env, k, &e.current.op, &e.scratch)
    env.cnt.busy[k] += d
    env.cnt.stall_sem[k] += t - e.current.ready
    env.last_event = t
    emit_engine(env, EV_START, k, &e.current, &e.scratch, e.current.ready, t)
    return DONE


cdef int complete(CoreState* s, Env* env, int k) noexcept nogil:
    cdef EngineState* e = &env.eng[k]
    cdef Slot* sl = &e.current
    cdef int sig = sl.op.sig
    env.last_event = sl.end
    if sig >= 0 and s.sem[sig] + 1 > SEM_MAX:
        if sl.op.wait >= 0:             # a trapping instruction changes nothing: give it back
            s.sem[sl.op.wait] += 1
        engine_trap(s, env, sl, SEM_OVERFLOW, sig)
        snprintf(s.trap_message, MSG_LEN, "%s signals s%d above %d",
                 op_info(sl.op.opcode).mnemonic, sig, <int>SEM_MAX)
        return TRAPPED
    if not commit(s, env, &e.scratch, op_info(sl.op.opcode), sl.op.pc):
        engine_trapped_at(s, env, sl)           # commit wrote the cause and message
        return TRAPPED
    if sig >= 0:
        if s.sem[sig] == 0:
            env.sem_since[sig] = sl.end
        s.sem[sig] += 1
    e.busy = 0
    e.free_at = sl.end
    env.last_event = sl.end
    emit_engine(env, EV_END, k, sl, &e.scratch, sl.start, sl.end)
    return DONE


cdef enum:
    STEP_DONE = 0               # one event processed
    STEP_TRAPPED = 1
    STEP_BEYOND = 2             # the earliest event is past the horizon
    STEP_NONE = 3               # no engine can do anything until the CP acts


cdef int step(CoreState* s, Env* env, uint64_t horizon, bint starts_at_horizon) noexcept nogil:
    """Process the earliest engine event if it lies before the horizon (or at it: completions,
    and starts when starts_at_horizon)."""
    cdef uint64_t best = NEVER, t
    cdef int best_k = -1, best_kind = 2, kind, k, r
    cdef EngineState* e
    for k in range(NUM_ENGINES):
        e = &env.eng[k]
        if e.busy:
            t, kind = e.current.end, 0
        elif e.count:
            t, kind = start_time(s, env, e), 1
        else:
            continue
        if t < best or (t == best and t != NEVER and kind < best_kind):
            best, best_k, best_kind = t, k, kind
    if best_k < 0:
        return STEP_NONE
    if best > horizon or (best == horizon and best_kind == 1 and not starts_at_horizon):
        return STEP_BEYOND
    r = complete(s, env, best_k) if best_kind == 0 else start(s, env, best_k, best)
    update_active(env)
    return STEP_TRAPPED if r == TRAPPED else STEP_DONE


cdef int settle(CoreState* s, Env* env, uint64_t now) noexcept nogil:
    """Process every engine event the CP at cycle `now` can observe."""
    cdef int r = STEP_DONE
    while env.active and r == STEP_DONE:
        r = step(s, env, now, False)
    update_horizon(s, env)
    return TRAPPED if r == STEP_TRAPPED else DONE


cdef enum:
    UNTIL_QUEUE = 0             # engine `arg`'s queue has room
    UNTIL_SEM = 1               # semaphore `arg` is above 0
    UNTIL_DRAINED = 2           # the engines of mask `arg` are idle with empty queues


cdef bint holds(const CoreState* s, const Env* env, int what, uint32_t arg) noexcept nogil:
    cdef int k
    if what == UNTIL_QUEUE:
        return env.eng[arg].count < env.tp.queue_depth
    if what == UNTIL_SEM:
        return s.sem[arg] > 0
    for k in range(NUM_ENGINES):
        if arg >> k & 1 and (env.eng[k].busy or env.eng[k].count):
            return False
    return True


cdef void deadlock(CoreState* s, Env* env, int what, uint32_t arg, int64_t pc) noexcept nogil:
    """Every unit is blocked: report the CP's sem.wait, else the blocked engine instruction
    earliest in program order (its operand checks first, as in program order)."""
    cdef Slot* blocked = NULL
    cdef Slot* sl
    cdef int k, owner = 0, cause
    cdef TrapInfo ti
    if what == UNTIL_SEM:
        trap(s, env, SEM_DEADLOCK, pc, arg)
        snprintf(s.trap_message, MSG_LEN, "sem.wait s%d: the count is 0 and every engine is "
                 "idle or blocked (deadlock)", <int>arg)
        return
    for k in range(NUM_ENGINES):
        if env.eng[k].count and not env.eng[k].busy:
            sl = &env.eng[k].queue[env.eng[k].head]
            if blocked == NULL or sl.seq < blocked.seq:
                blocked, owner = sl, k
    if blocked == NULL:             # cannot happen: nothing runnable means a blocked head
        trap(s, env, SEM_DEADLOCK, pc, 0)
        snprintf(s.trap_message, MSG_LEN, "internal error: deadlock with no blocked engine")
        return
    cause = compute(env, &env.eng[owner], blocked, &ti)     # its own checks come first
    if cause:
        engine_trap(s, env, blocked, cause, ti.tval)
        kernel_message(s, &ti)
        return
    engine_trap(s, env, blocked, SEM_DEADLOCK, blocked.op.wait)
    snprintf(s.trap_message, MSG_LEN, "%s waits on s%d, whose count is 0, and every unit is "
             "blocked (deadlock)", op_info(blocked.op.opcode).mnemonic, <int>blocked.op.wait)


cdef int wait_until(CoreState* s, Env* env, int what, uint32_t arg, int cause, int64_t pc,
                    uint64_t* now) noexcept nogil:
    """Advance the engines in time order until the condition holds; the CP's cycle moves to the
    event that made it hold, and the wait is counted as a stall of `cause`."""
    cdef int r
    if settle(s, env, now[0]) == TRAPPED:
        return TRAPPED
    while not holds(s, env, what, arg):
        r = step(s, env, env.cycle_limit - 1, True) if env.cycle_limit else STEP_BEYOND
        if r == STEP_TRAPPED:
            return TRAPPED
        if r == STEP_BEYOND:
            return LIMIT
        if r == STEP_NONE:
            deadlock(s, env, what, arg, pc)
            return TRAPPED
    if env.last_event > now[0]:
        env.cnt.cp_stall[cause] += env.last_event - now[0]
        now[0] = env.last_event
    update_horizon(s, env)
    return DONE


cdef int dispatch(CoreState* s, Env* env, const Insn* i, int64_t pc, uint64_t seq,
                  uint64_t* now) noexcept nogil:
    """Queue an engine instruction; the CP stalls while the queue is full."""
    cdef int k = op_info(i.op).engine - 1
    cdef EngineState* e = &env.eng[k]
    cdef Slot* sl
    cdef int r
    if e.count >= env.tp.queue_depth:
        r = wait_until(s, env, UNTIL_QUEUE, k, STALL_QUEUE + k, pc, now)
        if r != DONE:
            return r
    sl = &e.queue[(e.head + e.count) % env.tp.queue_depth]
    if not snapshot(s, env, i, pc, sl):
        return TRAPPED
    sl.seq = seq
    sl.visible = now[0] + env.tp.cp_cost[i.op & 0xFF]
    e.count += 1
    update_active(env)
    update_horizon(s, env)
    return DONE


cdef int wait_sem(CoreState* s, Env* env, int k, int64_t pc, uint64_t* now) noexcept nogil:
    """sem.wait on the CP: block until the count is above 0, then take one."""
    cdef int r = wait_until(s, env, UNTIL_SEM, k, STALL_SEM, pc, now)
    if r == DONE:
        s.sem[k] -= 1
        update_horizon(s, env)
    return r


cdef int signal_sem(CoreState* s, Env* env, int k, int64_t pc, uint64_t now) noexcept nogil:
    """sem.sig on the CP at cycle now."""
    if settle(s, env, now) == TRAPPED:
        return TRAPPED
    if s.sem[k] + 1 > SEM_MAX:
        trap(s, env, SEM_OVERFLOW, pc, k)
        snprintf(s.trap_message, MSG_LEN, "sem.sig s%d above %d", k, <int>SEM_MAX)
        return TRAPPED
    if s.sem[k] == 0:
        env.sem_since[k] = now
    s.sem[k] += 1
    update_horizon(s, env)
    return DONE


cdef int drain(CoreState* s, Env* env, uint32_t mask, int64_t pc, uint64_t* now) noexcept nogil:
    """sync mask / halt: wait until the selected engines are idle with empty queues."""
    return wait_until(s, env, UNTIL_DRAINED, mask & 7, STALL_DRAIN, pc, now)

/* The threaded fast path of the functional CP loop (loop.pyx: run_loop, Mode Functional).
 *
 * cpf_run executes the CP instructions other than halt: ALU, branches and jal whose target
 * predecode proved inside IMEM, jalr, loads and stores, CSR reads and writes, semaphores and
 * sync (functional mode: nothing to wait for). Each handler ends by jumping straight to the next
 * instruction's handler, whose address cpf_link stored in the Insn (GCC/Clang labels as
 * values): one indirect jump per instruction, no switch, no bounds test of the opcode.
 *
 * It stops BEFORE any instruction it does not complete itself and changes nothing for it: an
 * instruction whose handler is CPF_EXIT (engine instructions, halt, an illegal word, the OP_END
 * entry past IMEM, a branch or jal whose target lies outside IMEM, a CSR access that traps), a
 * jalr to a misaligned or outside target, a load or store that fails its bounds or alignment
 * test, a sem.sig above the maximum, a sem.wait on a zero count. run_loop
 * then executes that instruction through its general switch, which raises every trap exactly as
 * before, and calls cpf_run again. It also stops once it has retired `limit` instructions.
 *
 * The instruction count costs nothing per instruction. `stop` = ip + left * sizeof(Insn) is the
 * entry at which the budget runs out if execution goes on in sequence; it does not change while
 * it does (ip and left move together), only at a taken branch or jump. While stop lies past the
 * end of IMEM, straight-line code reaches OP_END (an exit) before the budget runs out, so only
 * taken branches compare stop with the end. When the budget ends inside IMEM, the entry at stop
 * gets the CPF_EXIT handler until the next taken branch or the exit (at most one entry is
 * patched, and it is restored before cpf_run returns); a stale patch could only make cpf_run stop
 * early before an instruction that run_loop then executes, never change what is executed.
 *
 * The handler numbers CPF_* are in cp_insn.h; predecode.pyx maps OP_* to them. */
#ifndef THEAD_CP_FAST_H
#define THEAD_CP_FAST_H

#include <stdint.h>
#include <string.h>

#include "cp_insn.h"

typedef struct cpf_env {            /* what cpf_run reads and writes besides pc */
    uint32_t *x;                    /* 33 registers: x[32] takes the writes to x0 */
    uint32_t *csr;                  /* writable configuration CSRs by slot */
    const uint32_t *constant;       /* read-only CSRs fixed by the configuration */
    int32_t *sem;                   /* semaphore counts */
    uint8_t *gm;
    uint64_t gm_size;
    uint64_t instret;               /* instructions retired before this call */
    int32_t sem_max;                /* the largest semaphore count */
} cpf_env;

#if defined(__GNUC__)               /* GCC and Clang: labels as values */
#define CPF_AVAILABLE 1
#define CPF_UNLIKELY(c) __builtin_expect(!!(c), 0)

/* GCC merges the identical tails of handlers (the taken path of every branch, say) into one
 * indirect jump, which then predicts worse: keep each handler's own jump. */
#if defined(__clang__)
#define CPF_OPTIMIZE
#else
#define CPF_OPTIMIZE __attribute__((optimize("no-crossjumping")))
#endif

static const void *const *cpf_handlers;     /* the label of each CPF_* handler */

/* Execute from *pc (a byte pc inside IMEM of imem bytes, or imem itself, whose entry is OP_END)
 * for at most limit instructions; *pc is left at the first instruction not executed. Returns the
 * number retired. code must have been linked (cpf_link). Called with code NULL, it only sets
 * cpf_handlers. */
CPF_OPTIMIZE
static uint64_t cpf_run(thead_insn *code, uint64_t imem, int64_t *pc, uint64_t limit,
                        const cpf_env *env)
{
    static const void *const handler[CPF_COUNT] = {
        &&L_EXIT,
        &&L_ADD, &&L_SUB, &&L_AND, &&L_OR, &&L_XOR, &&L_SLL, &&L_SRL, &&L_SRA, &&L_SLT, &&L_SLTU,
        &&L_MUL, &&L_MULH, &&L_MULHU,
        &&L_ADDI, &&L_ANDI, &&L_ORI, &&L_XORI, &&L_SLLI, &&L_SRLI, &&L_SRAI, &&L_SLTI, &&L_SLTIU,
        &&L_BEQ, &&L_BNE, &&L_BLT, &&L_BGE, &&L_BLTU, &&L_BGEU, &&L_JAL, &&L_JALR,
        &&L_LB, &&L_LBU, &&L_LH, &&L_LHU, &&L_LW, &&L_SB, &&L_SH, &&L_SW,
        &&L_CSRR_CONFIG, &&L_CSRR_CONSTANT, &&L_CSRR_COUNT_LO, &&L_CSRR_COUNT_HI, &&L_CSRR_ZERO,
        &&L_CSRW, &&L_CSRWI, &&L_SEM_SIG, &&L_SEM_WAIT, &&L_NOP,
    };
    uint32_t *restrict x;
    uint32_t *restrict csr;
    int32_t *restrict sem;
    uint8_t *restrict gm;
    uint64_t gm1, gm2, gm4, count;
    const thead_insn *ip;
    uintptr_t stop, end;                /* stop: see above; end: the OP_END entry */
    thead_insn *patched = NULL;         /* the entry given CPF_EXIT at stop, and its handler */
    const void *saved = NULL;
    int64_t addr;
    intptr_t d;
    uint32_t t;
    uint16_t h;

    if (code == NULL) {
        cpf_handlers = handler;
        return 0;
    }
    if (limit > ((uint64_t)1 << 40))    /* keep stop far from overflowing; run_loop calls again */
        limit = (uint64_t)1 << 40;
    if (limit == 0)
        return 0;
    x = env->x;
    csr = env->csr;
    sem = env->sem;
    gm = env->gm;
    gm1 = env->gm_size - 1;
    gm2 = env->gm_size - 2;
    gm4 = env->gm_size - 4;
    ip = code + (*pc >> 3);
    end = (uintptr_t)(code + (imem >> 3));
    stop = (uintptr_t)ip + limit * sizeof(thead_insn);
    if (CPF_UNLIKELY(stop < end))
        goto near;

#define DISPATCH() goto *ip->handler
/* retire the current instruction and go on in sequence */
#define NEXT() do { ip++; DISPATCH(); } while (0)
/* retire a taken branch or jump to the entry ip + d bytes */
#define JUMP(dist) do { d = (dist); ip = (const thead_insn *)((const char *)ip + d); \
        stop += d - sizeof(thead_insn); if (CPF_UNLIKELY(stop < end)) goto near; DISPATCH(); } while (0)
/* branch offsets are multiples of 8 (the decoder checks): 8 bytes of pc = one 32-byte entry */
#define TAKE() JUMP((intptr_t)ip->imm * (intptr_t)(sizeof(thead_insn) / 8))
#define R1 x[ip->rs1]
#define R2 x[ip->rs2]
#define RD x[ip->rd]
#define IMM ((uint32_t)ip->imm)
/* instret before the current instruction */
#define INSTRET (env->instret + limit - (stop - (uintptr_t)ip) / sizeof(thead_insn))

    DISPATCH();
L_EXIT:
    goto out;
L_ADD: RD = R1 + R2; NEXT();
L_SUB: RD = R1 - R2; NEXT();
L_AND: RD = R1 & R2; NEXT();
L_OR: RD = R1 | R2; NEXT();
L_XOR: RD = R1 ^ R2; NEXT();
L_SLL: RD = R1 << (R2 & 31); NEXT();
L_SRL: RD = R1 >> (R2 & 31); NEXT();
L_SRA: RD = (uint32_t)((int32_t)R1 >> (R2 & 31)); NEXT();
L_SLT: RD = (int32_t)R1 < (int32_t)R2; NEXT();
L_SLTU: RD = R1 < R2; NEXT();
L_MUL: RD = R1 * R2; NEXT();
L_MULH: RD = (uint32_t)(((int64_t)(int32_t)R1 * (int64_t)(int32_t)R2) >> 32); NEXT();
L_MULHU: RD = (uint32_t)(((uint64_t)R1 * (uint64_t)R2) >> 32); NEXT();
L_ADDI: RD = R1 + IMM; NEXT();
L_ANDI: RD = R1 & IMM; NEXT();
L_ORI: RD = R1 | IMM; NEXT();
L_XORI: RD = R1 ^ IMM; NEXT();
L_SLLI: RD = R1 << (ip->imm & 31); NEXT();
L_SRLI: RD = R1 >> (ip->imm & 31); NEXT();
L_SRAI: RD = (uint32_t)((int32_t)R1 >> (ip->imm & 31)); NEXT();
L_SLTI: RD = (int32_t)R1 < ip->imm; NEXT();
L_SLTIU: RD = R1 < IMM; NEXT();
L_BEQ: if (R1 == R2) TAKE(); NEXT();
L_BNE: if (R1 != R2) TAKE(); NEXT();
L_BLT: if ((int32_t)R1 < (int32_t)R2) TAKE(); NEXT();
L_BGE: if ((int32_t)R1 >= (int32_t)R2) TAKE(); NEXT();
L_BLTU: if (R1 < R2) TAKE(); NEXT();
L_BGEU: if (R1 >= R2) TAKE(); NEXT();
L_JAL:
    RD = (uint32_t)((ip - code) * 8 + 8);
    TAKE();
L_JALR:                             /* rd may be rs1: the target first */
    t = R1 + IMM;
    if (CPF_UNLIKELY((t & 7) || t >= imem))
        goto out;
    RD = (uint32_t)((ip - code) * 8 + 8);
    JUMP((const char *)(code + (t >> 3)) - (const char *)ip);
L_LB:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm1))
        goto out;
    RD = (uint32_t)(int32_t)(int8_t)gm[addr];
    NEXT();
L_LBU:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm1))
        goto out;
    RD = gm[addr];
    NEXT();
L_LH:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm2 || (addr & 1)))
        goto out;
    memcpy(&h, gm + addr, 2);
    RD = (uint32_t)(int32_t)(int16_t)h;
    NEXT();
L_LHU:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm2 || (addr & 1)))
        goto out;
    memcpy(&h, gm + addr, 2);
    RD = h;
    NEXT();
L_LW:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm4 || (addr & 3)))
        goto out;
    memcpy(&RD, gm + addr, 4);
    NEXT();
L_SB:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm1))
        goto out;
    gm[addr] = (uint8_t)R2;
    NEXT();
L_SH:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm2 || (addr & 1)))
        goto out;
    h = (uint16_t)R2;
    memcpy(gm + addr, &h, 2);
    NEXT();
L_SW:
    addr = (int64_t)R1 + ip->imm;
    if (CPF_UNLIKELY((uint64_t)addr > gm4 || (addr & 3)))
        goto out;
    memcpy(gm + addr, &R2, 4);
    NEXT();
L_CSRR_CONFIG: RD = csr[ip->csr_slot]; NEXT();
L_CSRR_CONSTANT: RD = env->constant[ip->csr_slot]; NEXT();
L_CSRR_COUNT_LO: count = INSTRET; RD = (uint32_t)count; NEXT();
L_CSRR_COUNT_HI: count = INSTRET; RD = (uint32_t)(count >> 32); NEXT();
L_CSRR_ZERO: RD = 0; NEXT();
L_CSRW: csr[ip->csr_slot] = R1; NEXT();
L_CSRWI: csr[ip->csr_slot] = IMM; NEXT();
L_SEM_SIG:
    if (CPF_UNLIKELY(sem[ip->imm] + 1 > env->sem_max))
        goto out;
    sem[ip->imm] += 1;
    NEXT();
L_SEM_WAIT:
    if (CPF_UNLIKELY(sem[ip->imm] == 0))
        goto out;
    sem[ip->imm] -= 1;
    NEXT();
L_NOP: NEXT();

near:                               /* the budget runs out inside IMEM, at stop */
    if (patched != NULL)
        patched->handler = saved;
    patched = (thead_insn *)stop;
    saved = patched->handler;
    patched->handler = &&L_EXIT;
    DISPATCH();

out:
    if (patched != NULL)
        patched->handler = saved;
    *pc = (int64_t)(ip - code) * 8;
    return limit - (stop - (uintptr_t)ip) / sizeof(thead_insn);
#undef DISPATCH
#undef NEXT
#undef JUMP
#undef TAKE
#undef R1
#undef R2
#undef RD
#undef IMM
#undef INSTRET
}

/* Replace each entry's handler number by its address (once per predecoded image, n entries
 * including OP_END's). */
static void cpf_link(thead_insn *code, int64_t n)
{
    int64_t k;
    if (cpf_handlers == NULL)
        cpf_run(NULL, 0, NULL, 0, NULL);
    for (k = 0; k < n; k++)
        code[k].handler = cpf_handlers[code[k].fast < CPF_COUNT ? code[k].fast : CPF_EXIT];
}

#else                               /* other compilers: run_loop's switch runs everything */
#define CPF_AVAILABLE 0
static uint64_t cpf_run(thead_insn *code, uint64_t imem, int64_t *pc, uint64_t limit,
                        const cpf_env *env)
{
    (void)code; (void)imem; (void)pc; (void)limit; (void)env;
    return 0;
}
static void cpf_link(thead_insn *code, int64_t n) { (void)code; (void)n; }
#endif

#endif

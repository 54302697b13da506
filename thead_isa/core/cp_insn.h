/* One predecoded IMEM word, 32 bytes (predecode.pyx builds them; predecode.pxd declares this
 * struct to Cython as Insn). Defined in C because the threaded functional loop of cp_fast.h reads
 * it too, and C headers come before Cython's own type declarations in the generated code. */
#ifndef THEAD_CP_INSN_H
#define THEAD_CP_INSN_H

#include <stdint.h>

/* Insn.fast: the handler of the threaded functional loop (cp_fast.h); predecode.pyx maps each
 * OP_* to one, CPF_EXIT for every instruction that loop leaves to run_loop's switch (and for a
 * branch or jal whose target is outside IMEM, a CSR access that traps). csrr has one handler per
 * kind of CSR (functional mode: the cycle CSRs read instret, estat reads 0); sync is CPF_NOP. */
enum {
    CPF_EXIT = 0,
    CPF_ADD, CPF_SUB, CPF_AND, CPF_OR, CPF_XOR, CPF_SLL, CPF_SRL, CPF_SRA, CPF_SLT, CPF_SLTU,
    CPF_MUL, CPF_MULH, CPF_MULHU,
    CPF_ADDI, CPF_ANDI, CPF_ORI, CPF_XORI, CPF_SLLI, CPF_SRLI, CPF_SRAI, CPF_SLTI, CPF_SLTIU,
    CPF_BEQ, CPF_BNE, CPF_BLT, CPF_BGE, CPF_BLTU, CPF_BGEU, CPF_JAL, CPF_JALR,
    CPF_LB, CPF_LBU, CPF_LH, CPF_LHU, CPF_LW, CPF_SB, CPF_SH, CPF_SW,
    CPF_CSRR_CONFIG, CPF_CSRR_CONSTANT, CPF_CSRR_COUNT_LO, CPF_CSRR_COUNT_HI, CPF_CSRR_ZERO,
    CPF_CSRW, CPF_CSRWI, CPF_SEM_SIG, CPF_SEM_WAIT, CPF_NOP,
    CPF_COUNT
};

typedef struct thead_insn {
    uint16_t op;            /* OP_* (isa_tables.pxd), OP_ILLEGAL or OP_END */
    uint8_t rd;             /* SINK (32) when the instruction's rd is x0 */
    uint8_t rs1;
    uint8_t rs2;
    uint8_t flags;          /* engine.pxd FLAG_* bits */
    uint8_t esz;            /* dma.tr element size */
    uint8_t csr_kind;       /* CSR_* (csrr, csrw, csrwi) */
    int16_t csr_slot;
    int8_t wait;            /* semaphore waited on, -1 for none */
    int8_t sig;             /* semaphore signalled, -1 for none */
    uint8_t reg[4];         /* register operands in syntax order (engine instructions) */
    int32_t imm;            /* sign-extended immediate, offset, shift amount, mask or semaphore */
    int32_t aux;            /* index into Code.messages for static trap messages, else -1 */
    union {                 /* the handler of the threaded functional loop (cp_fast.h): */
        uint64_t fast;      /* its number CPF_* as predecode sets it (CPF_EXIT: none), */
        const void *handler;    /* its address once cpf_link has run (Core.decode) */
    };
} thead_insn;

#endif

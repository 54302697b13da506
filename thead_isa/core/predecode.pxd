# The predecoded program: one compact Insn per IMEM word, decoded once from the instruction table.
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t

from .engine cimport MAX_ENGINE_CSRS

cdef enum:
    OP_ILLEGAL = 0x100          # a word that encodes no instruction (aux: index of the reason)
    OP_END = 0x101              # the entry past the end of IMEM: fetching it is a fetch fault
    INSN_BYTES = 32             # sizeof(Insn): the loops find the Insn of pc at code + pc * 4
    SINK = 32                   # Insn.rd of an instruction whose rd is x0: x[SINK] is never read
    NAME_LEN = 16
    # Insn.csr_kind
    CSR_TRAPS = 0               # unknown CSR, or a write to a read-only one (aux: the message)
    CSR_CONFIG = 1              # writable configuration CSR: csr_slot is its SLOT_*
    CSR_CONSTANT = 2            # read-only, fixed by the configuration: csr_slot indexes constants
    CSR_COUNT_LO = 3            # low 32 bits of the retired-instruction count
    CSR_COUNT_HI = 4            # high 32 bits
    CSR_CYCLE_LO = 5            # low 32 bits of the cycle count (cycle mode: the CP's cycle)
    CSR_CYCLE_HI = 6            # high 32 bits
    CSR_ESTAT = 7               # engine status (cycle mode: engines with work; functional: 0)

cdef extern from "cp_insn.h":
    enum:                       # Insn.fast: handlers of the functional fast path (cp_fast.h)
        CPF_EXIT
        CPF_ADD, CPF_SUB, CPF_AND, CPF_OR, CPF_XOR, CPF_SLL, CPF_SRL, CPF_SRA, CPF_SLT, CPF_SLTU
        CPF_MUL, CPF_MULH, CPF_MULHU
        CPF_ADDI, CPF_ANDI, CPF_ORI, CPF_XORI, CPF_SLLI, CPF_SRLI, CPF_SRAI, CPF_SLTI, CPF_SLTIU
        CPF_BEQ, CPF_BNE, CPF_BLT, CPF_BGE, CPF_BLTU, CPF_BGEU, CPF_JAL, CPF_JALR
        CPF_LB, CPF_LBU, CPF_LH, CPF_LHU, CPF_LW, CPF_SB, CPF_SH, CPF_SW
        CPF_CSRR_CONFIG, CPF_CSRR_CONSTANT, CPF_CSRR_COUNT_LO, CPF_CSRR_COUNT_HI, CPF_CSRR_ZERO
        CPF_CSRW, CPF_CSRWI, CPF_SEM_SIG, CPF_SEM_WAIT, CPF_NOP
        CPF_COUNT
    # one IMEM word, predecoded; defined in C (cp_insn.h) for the threaded loop of cp_fast.h
    ctypedef struct Insn "thead_insn":
        uint16_t op             # OP_* (isa_tables.pxd), OP_ILLEGAL or OP_END
        uint8_t rd
        uint8_t rs1
        uint8_t rs2
        uint8_t flags           # engine.pxd FLAG_* bits
        uint8_t esz             # dma.tr element size
        uint8_t csr_kind        # CSR_* (csrr, csrw, csrwi)
        int16_t csr_slot
        int8_t wait             # semaphore waited on, -1 for none
        int8_t sig              # semaphore signalled, -1 for none
        uint8_t reg[4]          # register operands in syntax order (engine instructions)
        int32_t imm             # sign-extended immediate, offset, shift amount, mask or semaphore
        int32_t aux             # index into Code.messages for static trap messages, else -1
        uint64_t fast           # CPF_* handler of the functional fast path; cpf_link (loop.pyx)
                                # replaces it by the handler's address (a union in cp_insn.h)

cdef struct OpInfo:             # per opcode: what the dispatcher checks before an engine kernel
    char mnemonic[NAME_LEN]
    int32_t ncfg                # configuration CSRs read, in Insn.csrs order
    int32_t cfg_slot[MAX_ENGINE_CSRS]
    int64_t cfg_lo[MAX_ENGINE_CSRS]
    int64_t cfg_hi[MAX_ENGINE_CSRS]
    uint8_t cfg_signed[MAX_ENGINE_CSRS]
    char cfg_name[MAX_ENGINE_CSRS][NAME_LEN]
    int32_t nreg                # register operands in syntax order
    uint8_t engine              # 0 for CP instructions, else 1 ME, 2 TE, 3 VE

cdef const OpInfo* op_info(uint32_t op) noexcept nogil


cdef class Code:
    cdef Insn* insns
    cdef int64_t n
    cdef readonly list messages

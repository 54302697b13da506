# Semantics of the command processor: ALU, branches, jumps, scalar GM access, CSRs, sync, halt.
from __future__ import annotations

import operator

from ...isa.csrs import BY_NUMBER as CSR_BY_NUMBER
from ...isa.traps import SEM_MAX, Cause, Trap
from ..memory import check, check_aligned
from ..state import MASK32, MachineState, s32, u32
from . import defines

_RR = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "and": operator.and_,
    "or": operator.or_,
    "xor": operator.xor,
    "sll": lambda a, b: a << (b & 31),
    "srl": lambda a, b: a >> (b & 31),
    "sra": lambda a, b: s32(a) >> (b & 31),
    "slt": lambda a, b: int(s32(a) < s32(b)),
    "sltu": lambda a, b: int(a < b),
    "mul": lambda a, b: a * b,
    "mulh": lambda a, b: (s32(a) * s32(b)) >> 32,
    "mulhu": lambda a, b: (a * b) >> 32,
}
_RI = {"addi": "add", "andi": "and", "ori": "or", "xori": "xor", "slli": "sll", "srli": "srl",
       "srai": "sra", "slti": "slt", "sltiu": "sltu"}
_BRANCH = {
    "beq": lambda a, b: a == b,
    "bne": lambda a, b: a != b,
    "blt": lambda a, b: s32(a) < s32(b),
    "bge": lambda a, b: s32(a) >= s32(b),
    "bltu": lambda a, b: a < b,
    "bgeu": lambda a, b: a >= b,
}
# mnemonic: (bytes, signed)
_LOAD = {"lb": (1, True), "lbu": (1, False), "lh": (2, True), "lhu": (2, False), "lw": (4, False)}
_STORE = {"sb": 1, "sh": 2, "sw": 4}


@defines(*_RR)
def _alu_rr(s: MachineState, d):
    s.set_x(d.rd, _RR[d.mnemonic](s.get_x(d.rs1), s.get_x(d.rs2)))


@defines(*_RI)
def _alu_ri(s: MachineState, d):
    imm = d.values.get("imm", d.values.get("shamt"))
    s.set_x(d.rd, _RR[_RI[d.mnemonic]](s.get_x(d.rs1), u32(imm)))


@defines(*_BRANCH)
def _branch(s: MachineState, d):
    if _BRANCH[d.mnemonic](s.get_x(d.rs1), s.get_x(d.rs2)):
        return _jump_target(s, u32(s.pc + d.off))
    return None


def _jump_target(s: MachineState, target: int) -> int:
    if target % 8:
        raise Trap(Cause.MISALIGNED_FETCH, f"jump target 0x{target:x} is not a multiple of 8",
                   tval=target)
    return target


@defines("jal")
def _jal(s: MachineState, d):
    target = _jump_target(s, u32(s.pc + d.off))
    s.set_x(d.rd, s.pc + 8)
    return target


@defines("jalr")
def _jalr(s: MachineState, d):
    target = _jump_target(s, u32(s.get_x(d.rs1) + d.off))
    s.set_x(d.rd, s.pc + 8)
    return target


def _scalar_addr(s: MachineState, d, size: int) -> int:
    addr = s.get_x(d.rs1) + d.off
    if addr < 0:
        raise Trap(Cause.GM_FAULT, f"{d.mnemonic}: address {addr} is negative", tval=u32(addr))
    check(s, "gm", addr, 1, size, 0, d.mnemonic)
    check_aligned(addr, size, d.mnemonic)
    return addr


@defines(*_LOAD)
def _load(s: MachineState, d):
    size, signed = _LOAD[d.mnemonic]
    addr = _scalar_addr(s, d, size)
    s.set_x(d.rd, int.from_bytes(s.gm[addr:addr + size].tobytes(), "little", signed=signed))


@defines(*_STORE)
def _store(s: MachineState, d):
    size = _STORE[d.mnemonic]
    addr = _scalar_addr(s, d, size)
    value = s.get_x(d.rs2) & ((1 << 8 * size) - 1)
    s.gm[addr:addr + size] = list(value.to_bytes(size, "little"))


def _csr(d, write: bool):
    c = CSR_BY_NUMBER.get(d.csr)
    if c is None:
        raise Trap(Cause.ILLEGAL_INSTRUCTION, f"unknown CSR 0x{d.csr:03x}", tval=d.word)
    if write and not c.writable:
        raise Trap(Cause.ILLEGAL_INSTRUCTION, f"CSR {c.name} is read-only", tval=d.word)
    return c


def read_csr(s: MachineState, number: int) -> int:
    cfg = s.config
    computed = {
        "cycle": s.instret & MASK32, "cycleh": s.instret >> 32,
        "instret": s.instret & MASK32, "instreth": s.instret >> 32, "estat": 0,
        "cfg_te_rows": cfg.te_rows, "cfg_te_cols": cfg.te_cols, "cfg_ve_lanes": cfg.ve_lanes,
        "cfg_lm_bytes": cfg.lm_bytes, "cfg_acc_words": cfg.acc_words,
        "cfg_gm_bytes": cfg.gm_bytes, "cfg_imem_bytes": cfg.imem_bytes,
    }
    c = CSR_BY_NUMBER[number]
    return s.csr[number] if c.writable else computed[c.name] & MASK32


@defines("csrr")
def _csrr(s: MachineState, d):
    c = _csr(d, write=False)
    s.set_x(d.rd, read_csr(s, c.number))


@defines("csrw", "csrwi")
def _csrw(s: MachineState, d):
    c = _csr(d, write=True)
    s.csr[c.number] = u32(s.get_x(d.rs1) if d.mnemonic == "csrw" else d.imm)


@defines("sync")
def _sync(s: MachineState, d):
    return None


@defines("sem.sig")
def _sem_sig(s: MachineState, d):
    if s.sem[d.sem] + 1 > SEM_MAX:
        raise Trap(Cause.SEM_OVERFLOW, f"sem.sig s{d.sem} above {SEM_MAX}", tval=d.sem)
    s.sem[d.sem] += 1


@defines("sem.wait")
def _sem_wait(s: MachineState, d):
    if s.sem[d.sem] == 0:
        raise Trap(Cause.SEM_DEADLOCK, f"sem.wait s{d.sem} with count 0 and no earlier signal",
                   tval=d.sem)
    s.sem[d.sem] -= 1


@defines("halt")
def _halt(s: MachineState, d):
    s.halted = True
    s.exit_code = s.get_x(d.rs1)
    return s.pc

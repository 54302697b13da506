# Random programs (TestRIG-style) for the conformance suite: hypothesis strategies of abstract
# program items mixing the CP and the ME/TE/VE engines, and one deterministic lowering of an item
# list to instruction words that inserts the synchronization the items need (semaphores, sync).
#
# Items are abstract on purpose: hypothesis shrinks the item list by deleting items, and the
# lowering recomputes every register load, CSR write, semaphore and sync from the items left, so
# every shrunk list is again a valid, race-free program. The lowering keeps a model of the race
# checker's happens-before relation (vector clocks per unit, exactly as thead_isa.core.races
# builds them from the event stream) and of every region each instruction reads or writes:
#
# - synchronized (`lower(items)`): before each instruction, every earlier access by another unit
#   that overlaps one of its accesses, one of the two a write, and that does not happen before
#   it, is ordered: an engine instruction waits on a semaphore that a later-enough instruction of
#   the producing engine signals (patched in), or the CP syncs the engine first; a CP load/store
#   does sem.wait or sync. The lowering asserts that nothing is left unordered.
# - unsynchronized (`lower(items, synchronize=False)`): items marked how=2 get no ordering; every
#   conflicting pair left unordered is recorded in `Lowered.conflicts` as {(unit, pc), (unit, pc)},
#   which is exactly what the race checker must report.
#
# Semaphores: one per (producer, consumer) pair of units, signals only when a wait consumes them
# (kth signal <-> kth wait, the race checker's FIFO matching), so every program is well formed
# (each wait satisfied by earlier signals in program order, counts at most a few) and every
# semaphore is back to 0 at the end. Loops: `sync 7` at the loop entry and at the end of the body,
# so one lowering of the body is right for every iteration; the body never writes the counter.
#
# Programs are self-contained: they start from the reset state; GM holds a data image (random
# bytes and valid requantization / quantized-add parameter blocks) that a fixed prologue copies
# into LM and ACC. The same program text is saved under tests/regressions/ on failure.
from __future__ import annotations

import functools
import hashlib
import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import strategies as st

from thead_isa.isa import decode, encode, format_insn  # noqa: F401 (encode: tests)
from thead_isa.isa.config import preset
from thead_isa.isa.csrs import BY_NAME as CSR, CSRS
from thead_isa.isa.operands import UIMM32
from thead_isa.isa.strategies import kind_values
from thead_isa.isa.table import BY_MNEMONIC, INSTRUCTIONS

# the small preset with small memories (snapshots compare every byte); IMEM room for long programs
CONFIG = preset("small").replace(imem_bytes=16 * 1024, gm_bytes=64 * 1024, lm_bytes=16 * 1024,
                                 acc_words=4096, name="random-programs")
MAX_INSTRUCTIONS = 200_000

CP, ME, TE, VE = 0, 1, 2, 3
UNITS = ("cp", "me", "te", "ve")
ENGINE_UNIT = {"me": ME, "te": TE, "ve": VE}
MEMS = ("gm", "lm", "acc")

# ---- memory layout ----
GM_BUFS = (0, 512, 1024, 1536)                  # bytes, each 512 long (regions may run over)
LM_BUFS = (0, 512, 1024, 1536, 2048, 2560)
ACC_BUFS = (0, 256, 512, 768)                   # words
RANDOM_BYTES = 4096                             # GM [0, 4096): random, copied to LM [0, 4096)
ACC_INIT_WORDS = 1024                           # ACC [0, 1024) loaded from LM [0, 4096)
LM_PARAMS = 0x3000                              # read-only parameter blocks (engines never write)
PARAMS_BYTES = 0x800                            # GM [4096, 6144) -> LM [0x3000, 0x3800)
DATA_BYTES = RANDOM_BYTES + PARAMS_BYTES
MAX_VE_COLS = 8
QADD_BLOCKS = 4


def fx_block(cols: int) -> int:                 # int32 bias[cols], mult[cols], shift[cols]
    return LM_PARAMS + 96 * cols


def fp_block(cols: int) -> int:                 # int32 bias[cols], float32 scale[cols]
    return LM_PARAMS + 0x400 + 64 * cols


def qadd_block(i: int) -> int:                  # int32 x 9
    return LM_PARAMS + 0x700 + 48 * i


# ---- registers ----
OPERAND_REGS = (1, 2, 3, 4)                     # engine address operands, in syntax order
BASE_REG = 5                                    # base of CP loads and stores
SCRATCH = tuple(range(6, 28))                   # written by ALU items, loads, csrr
COUNTERS = (31, 30)                             # loop counters by depth (never written by bodies)
BOUNDS = (29, 28)                               # loop bounds of the counting-up shapes
MAX_WORDS = CONFIG.imem_bytes // 8 - 64         # the lowering stops adding items beyond this

# one semaphore per (producer, consumer)
SEMS = {(ME, CP): 0, (ME, TE): 1, (ME, VE): 2, (TE, CP): 3, (TE, ME): 4, (TE, VE): 5,
        (VE, CP): 6, (VE, ME): 7, (VE, TE): 8, (CP, ME): 9, (CP, TE): 10, (CP, VE): 11,
        (CP, CP): 12}

SPECIAL = [0, 1, 2, 3, 7, 8, 31, 32, 127, 128, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF,
           0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFF80]
CLAMPS = ((-(1 << 31), (1 << 31) - 1), (-128, 127), (0, 255), (0, 127), (-10, 10), (3, 3))


# ---- items ----
@dataclass(frozen=True)
class Alu:                    # a CP ALU / multiply instruction on scratch registers
    mn: str
    rd: int
    rs1: int
    rs2: int = 0
    imm: int = 0


@dataclass(frozen=True)
class CsrOp:                  # csrr of a non-volatile CSR, or csrwi of a configuration CSR
    write: bool
    csr: str
    rd: int = 6
    imm: int = 0


@dataclass(frozen=True)
class Mem:                    # CP load or store of a GM buffer; buf -1: a faulting access
    mn: str
    reg: int
    buf: int
    off: int
    how: int = 0


@dataclass(frozen=True)
class Skip:                   # a forward branch over ALU items
    mn: str
    rs1: int
    rs2: int
    body: tuple = ()


@dataclass(frozen=True)
class Eng:                    # an engine instruction; params: operands (buf, off), shapes, flags
    mn: str
    params: tuple             # sorted (name, value) pairs
    how: int = 0              # 0 order by semaphores, 1 by sync, 2 leave unordered (unsync only)

    @property
    def p(self) -> dict:
        return dict(self.params)


@dataclass(frozen=True)
class Fence:                  # an explicit sync of some engines
    mask: int


@dataclass(frozen=True)
class Signal:                 # CP sem.sig for the next instruction of a unit (consumed later)
    unit: int


@dataclass(frozen=True)
class Loop:
    n: int                    # iterations, >= 1
    shape: int                # 0: count down, bne; 1: count up, blt; 2: count up, bne
    body: tuple


# ---- engine instructions: CSRs, operand addresses, flags and accessed regions ----
@dataclass
class Access:
    mem: int                  # index into MEMS
    region: tuple             # normalized (base, rows, cols, stride), as the race checker keys it
    elems: frozenset
    write: bool


def normal(base, rows, cols, stride):
    if rows <= 0 or cols <= 0:
        return None
    if rows == 1:
        return (base, 1, cols, 0)
    if stride < 0:
        base, stride = base + (rows - 1) * stride, -stride
    return (base, rows, cols, stride)


def access(mem: str, base: int, rows: int, cols: int, stride: int, write: bool):
    region = normal(base, rows, cols, stride)
    if region is None:
        return None
    b, r, c, s = region
    elems = frozenset(b + i * s + j for i in range(r) for j in range(c))
    return Access(MEMS.index(mem), region, elems, write)


def out_size(n, before, after, k, dil, stride):
    span = dil * (k - 1) + 1
    return None if n + before + after < span else (n + before + after - span) // stride + 1


def window(p: dict, pool: bool) -> dict:
    """Window CSRs from the params, made valid: the kernel fits the padded input and (pooling)
    no window covers only padding."""
    w = {k: p[k] for k in ("ih", "iw", "c", "kh", "kw", "sh", "sw", "dh", "dw",
                           "pt", "pb", "pl", "pr")}
    for n, k, d, a, b in (("ih", "kh", "dh", "pt", "pb"), ("iw", "kw", "dw", "pl", "pr")):
        for _ in range(2):
            while out_size(w[n], w[a], w[b], w[k], w[d], 1) is None:
                if w[d] > 1:
                    w[d] -= 1
                else:
                    w[k] -= 1
            if pool and not _pool_ok(w[n], w[a], w[b], w[k], w[d], w["s" + n[1]]):
                w[a] = w[b] = 0                 # then no window covers only padding
    return w


def _pool_ok(n, before, after, k, dil, stride):
    o = out_size(n, before, after, k, dil, stride)
    return all(any(before <= y * stride + i * dil < before + n for i in range(k))
               for y in range(o))


def _win_csrs(w):
    return {"win_" + k: v for k, v in w.items()}


def addr(kind: str, op) -> int:
    buf, off = op
    return {"lm": LM_BUFS, "acc": ACC_BUFS, "gm": GM_BUFS}[kind][buf] + off


def engine_plan(mn: str, p: dict):
    """(csrs {name: value}, operands {name: address}, values {name: register value or flag},
    accesses) of one engine instruction."""
    csrs, ops, vals, acc = {}, {}, {}, []

    def a(*args):
        x = access(*args)
        if x is not None:
            acc.append(x)

    if mn.startswith("dma."):
        rows, ss, ds = p["rows"], p["ss"], p["ds"]
        cols = p["n"] * p["esz"] if mn == "dma.tr" else p["cols"]
        csrs.update(dma_rows=rows, dma_cols=cols, dma_sstride=ss, dma_dstride=ds)
        names = {"dma.ld": ("lm", "gm"), "dma.st": ("gm", "lm"), "dma.cp": ("dst", "src"),
                 "dma.tr": ("dst", "src")}[mn]
        dmem, smem = {"dma.ld": ("lm", "gm"), "dma.st": ("gm", "lm")}.get(mn, ("lm", "lm"))
        ops[names[0]], ops[names[1]] = addr(dmem, p["d"]), addr(smem, p["s"])
        if mn in ("dma.ld", "dma.cp"):
            pt, pb, pl, pr = p["pt"], p["pb"], p["pl"], p["pr"]
            csrs.update(dma_pt=pt, dma_pb=pb, dma_pl=pl, dma_pr=pr, dma_padval=p["padval"])
            a(dmem, ops[names[0]], pt + rows + pb, pl + cols + pr, ds, True)
        elif mn == "dma.tr":
            vals["esz"] = p["esz"]
            a("lm", ops["dst"], p["n"], rows * p["esz"], ds, True)
        else:
            a(dmem, ops[names[0]], rows, cols, ds, True)
        a(smem, ops[names[1]], rows, cols, ss, False)
    elif mn == "gemm":
        m, n, k = p["m"], p["n"], p["k"]
        csrs.update(te_m=m, te_n=n, te_k=k, te_lda=p["lda"], te_ldb=p["ldb"], te_ldc=p["ldc"])
        ops.update(c=addr("acc", p["c"]), a=addr("lm", p["a"]), b=addr("lm", p["b"]))
        vals.update(acc=p["acc"], u=p["u"])
        if m and n:
            a("acc", ops["c"], m, n, p["ldc"], True)
            if p["acc"]:
                a("acc", ops["c"], m, n, p["ldc"], False)
            a("lm", ops["a"], m, k, p["lda"], False)
            a("lm", ops["b"], k, n, p["ldb"], False)
    elif mn == "conv":
        w = window(p, pool=False)
        csrs.update(_win_csrs(w), win_oc=p["oc"], win_padval=p["padval"])
        ops.update(c=addr("acc", p["c_"]), x=addr("lm", p["x"]), w=addr("lm", p["w"]))
        vals.update(acc=p["acc"], u=p["u"], dw=p["depthwise"])
        oh = out_size(w["ih"], w["pt"], w["pb"], w["kh"], w["dh"], w["sh"])
        ow = out_size(w["iw"], w["pl"], w["pr"], w["kw"], w["dw"], w["sw"])
        oc = w["c"] if p["depthwise"] else p["oc"]
        a("acc", ops["c"], 1, oh * ow * oc, 0, True)
        if p["acc"]:
            a("acc", ops["c"], 1, oh * ow * oc, 0, False)
        a("lm", ops["x"], 1, w["ih"] * w["iw"] * w["c"], 0, False)
        a("lm", ops["w"], 1, w["kh"] * w["kw"] * w["c"] * (1 if p["depthwise"] else p["oc"]), 0, False)
    elif mn in ("vmaxpool", "vavgpool"):
        w = window(p, pool=True)
        csrs.update(_win_csrs(w))
        ops.update(dst=addr("lm", p["dst"]), src=addr("lm", p["src"]))
        vals["u"] = p["u"]
        oh = out_size(w["ih"], w["pt"], w["pb"], w["kh"], w["dh"], w["sh"])
        ow = out_size(w["iw"], w["pl"], w["pr"], w["kw"], w["dw"], w["sw"])
        a("lm", ops["dst"], 1, oh * ow * w["c"], 0, True)
        a("lm", ops["src"], 1, w["ih"] * w["iw"] * w["c"], 0, False)
    else:
        rows, cols = p["rows"], p["cols"]
        n = rows * cols
        csrs.update(ve_rows=rows, ve_cols=cols)
        if "u" in p:
            vals["u"] = p["u"]
        if mn in ("vrq.fx", "vrq.fp", "vqadd"):
            lo, hi = CLAMPS[p["clamp"]]
            csrs.update(ve_zp=p["zp"], ve_qmin=lo, ve_qmax=hi)
        if mn in ("vrq.fx", "vrq.fp"):
            fx = mn == "vrq.fx"
            ops.update(dst=addr("lm", p["dst"]), src=addr("acc", p["src"]),
                       p=fx_block(cols) if fx else fp_block(cols))
            a("lm", ops["dst"], 1, n, 0, True)
            a("acc", ops["src"], 1, n, 0, False)
            a("lm", ops["p"], 1, 4 * (3 if fx else 2) * cols, 0, False)
        elif mn == "vqadd":
            ops.update(dst=addr("lm", p["dst"]), a=addr("lm", p["a"]), b=addr("lm", p["b"]),
                       p=qadd_block(p["block"]))
            a("lm", ops["dst"], 1, n, 0, True)
            a("lm", ops["a"], 1, n, 0, False)
            a("lm", ops["b"], 1, n, 0, False)
            a("lm", ops["p"], 1, 36, 0, False)
        elif mn == "vgap":
            ops.update(dst=addr("lm", p["dst"]), src=addr("lm", p["src"]))
            a("lm", ops["dst"], 1, cols, 0, True)
            a("lm", ops["src"], 1, n, 0, False)
        elif mn == "vlut":
            ops.update(dst=addr("lm", p["dst"]), src=addr("lm", p["src"]),
                       table=addr("lm", p["table"]))
            a("lm", ops["dst"], 1, n, 0, True)
            a("lm", ops["src"], 1, n, 0, False)
            a("lm", ops["table"], 1, 256, 0, False)
        elif mn in ("vrmax.b", "vrsum.b", "vrmax.w", "vrsum.w"):
            mem = "acc" if mn.endswith(".w") else "lm"
            ops.update(dst=addr(mem, p["dst"]), src=addr(mem, p["src"]))
            a(mem, ops["dst"], 1, 4 * rows if mn == "vrsum.b" else rows, 0, True)
            a(mem, ops["src"], 1, n, 0, False)
        elif mn == "vacc.ld":
            ops.update(dst=addr("acc", p["dst"]), src=addr("lm", p["src"]))
            a("acc", ops["dst"], 1, n, 0, True)
            a("lm", ops["src"], 1, 4 * n, 0, False)
        elif mn == "vacc.st":
            ops.update(dst=addr("lm", p["dst"]), src=addr("acc", p["src"]))
            a("lm", ops["dst"], 1, 4 * n, 0, True)
            a("acc", ops["src"], 1, n, 0, False)
        else:                                   # eltwise v<op>.{w,wx,b,bx}
            form = mn.split(".")[1]
            mem = "acc" if form[0] == "w" else "lm"
            ops.update(dst=addr(mem, p["dst"]), a=addr(mem, p["a"]))
            a(mem, ops["dst"], 1, n, 0, True)
            a(mem, ops["a"], 1, n, 0, False)
            if form.endswith("x"):
                vals["b"] = p["breg"]           # a value register, not an address
            else:
                ops["b"] = addr(mem, p["b"])
                a(mem, ops["b"], 1, n, 0, False)
    return csrs, ops, vals, acc


# ---- lowering ----
@dataclass
class Rec:
    mn: str
    values: dict
    unit: int = CP
    clock: list | None = None
    index: int = 0

    def word(self) -> int:
        key = (self.mn, tuple(sorted(self.values.items())))
        w = _WORDS.get(key)
        if w is None:
            w = _WORDS[key] = encode(self.mn, **self.values)
        return w


_WORDS: dict = {}


@dataclass
class Lowered:
    words: list
    data: bytes
    conflicts: set            # {frozenset({(unit, pc), (unit, pc)})} left unordered
    dropped: int = 0          # items left out (unsync: same-unit same-region repeats)
    engines: set = field(default_factory=set)

    def assembly(self, header: str = "") -> str:
        return program_text(self.words, self.data, header)


def _join(a, b):
    return [max(x, y) for x, y in zip(a, b)]


CSR_RESET = {c.name: c.reset for c in CSRS if c.writable}


class Lowerer:
    def __init__(self, synchronize: bool = True):
        self.sync_mode = synchronize
        self.out: list[Rec] = []
        self.clock = [[1 if u == v else 0 for v in range(4)] for u in range(4)]
        self.live: list[tuple[Rec, Access]] = []      # accesses since the last fence
        self.last_end: dict[int, list] = {}           # engine -> clock of its last instruction
        self.last_sig: dict[int, int] = {}            # semaphore -> index of its last signaller
        self.tokens: dict[int, deque] = {u: deque() for u in range(4)}   # CP signals pending
        self.known_x: dict[int, int | None] = {r: 0 for r in range(32)}
        self.known_csr: dict[str, int | None] = dict(CSR_RESET)
        self.conflicts: set = set()
        self.dropped = 0
        self.engines: set = set()
        self.depth = 0

    # -- emission --
    def _emit(self, mn, unit=CP, clock=None, **values) -> Rec:
        rec = Rec(mn, values, unit, clock, len(self.out))
        self.out.append(rec)
        return rec

    def cp(self, mn, accesses=(), join=None, **values) -> Rec:
        if join is not None:
            self.clock[CP] = _join(self.clock[CP], join)
        rec = self._emit(mn, CP, list(self.clock[CP]), **values)
        self._record(rec, accesses)
        self.clock[CP][CP] += 1
        return rec

    def li(self, reg: int, value: int) -> None:
        value &= 0xFFFFFFFF
        if self.known_x.get(reg) != value:
            self.cp("addi", rd=reg, rs1=0, imm=value)
            self.known_x[reg] = value

    def csrwi(self, name: str, value: int) -> None:
        if self.known_csr.get(name) != value & 0xFFFFFFFF:
            self.cp("csrwi", csr=CSR[name].number, imm=value)
            self.known_csr[name] = value & 0xFFFFFFFF

    def sync(self, mask: int) -> None:
        join = self.clock[CP]
        for e in (ME, TE, VE):
            if mask >> (e - 1) & 1 and e in self.last_end:
                join = _join(join, self.last_end[e])
        self.cp("sync", join=join, mask=mask)

    def fence(self) -> None:
        """Consume pending CP signals, sync every engine: nothing before is unordered after."""
        for unit, q in self.tokens.items():
            while q:
                self.cp("sem.wait", join=q.popleft(), sem=SEMS[(CP, unit)])
        self.sync(7)
        self.live.clear()

    # -- the happens-before model --
    def _record(self, rec: Rec, accesses) -> None:
        for x in accesses:
            self.live.append((rec, x))

    def unordered(self, unit: int, clock: list, accesses) -> list[tuple[Rec, Access]]:
        out = []
        for q, qa in self.live:
            if q.unit == unit or q.clock[q.unit] <= clock[q.unit]:
                continue
            for x in accesses:
                if x.mem == qa.mem and (x.write or qa.write) and not x.elems.isdisjoint(qa.elems):
                    out.append((q, qa))
                    break
        return out

    def repeats_region(self, unit: int, accesses) -> bool:
        """An earlier instruction of the same unit since the last fence accessed one of the same
        regions: the race checker's stand-in rule would report the pair for the newer one only."""
        keys = {(x.mem, x.region) for x in accesses}
        return any(q.unit == unit and (qa.mem, qa.region) in keys for q, qa in self.live)

    def find_signaller(self, producer: int, consumer: int, after: int) -> Rec | None:
        """The latest instruction of producer at index >= after, with its sig free, after the
        last signal of the (producer, consumer) semaphore (FIFO matching)."""
        sem = SEMS[(producer, consumer)]
        floor = max(after, self.last_sig.get(sem, -1) + 1)
        for rec in reversed(self.out):
            if rec.index < floor:
                break
            if rec.unit == producer and rec.values.get("sig") is None:
                return rec
        return None

    def _note_conflicts(self, rec: Rec, needs) -> None:
        for q, _ in needs:
            self.conflicts.add(frozenset({(UNITS[q.unit], 8 * q.index),
                                          (UNITS[rec.unit], 8 * rec.index)}))

    # -- items --
    def item(self, it) -> None:
        if len(self.out) > MAX_WORDS:
            self.dropped += 1
            return
        getattr(self, "do_" + type(it).__name__.lower())(it)

    def do_alu(self, it: Alu) -> None:
        spec = BY_MNEMONIC[it.mn]
        names = [o.name for o in spec.operands]
        values = {"rd": it.rd, "rs1": it.rs1}
        if "rs2" in names:
            values["rs2"] = it.rs2
        else:
            values["shamt" if "shamt" in names else "imm"] = it.imm
        self.cp(it.mn, **values)
        self.known_x[it.rd] = None

    def do_csrop(self, it: CsrOp) -> None:
        if it.write:
            self.cp("csrwi", csr=CSR[it.csr].number, imm=it.imm)
            self.known_csr[it.csr] = it.imm & 0xFFFFFFFF
        else:
            self.cp("csrr", rd=it.rd, csr=CSR[it.csr].number)
            self.known_x[it.rd] = None

    def do_mem(self, it: Mem) -> None:
        size = {"b": 1, "h": 2, "w": 4}[it.mn[1]]
        if it.buf < 0:                          # faulting: past the end or misaligned
            base, off = CONFIG.gm_bytes - 4, it.off % 8
        else:
            base, off = GM_BUFS[it.buf], it.off - it.off % size
        store = it.mn[0] == "s"
        accesses = [access("gm", base + off, 1, size, 0, store)] if it.buf >= 0 else []
        if not self.sync_mode and self.repeats_region(CP, accesses):
            self.dropped += 1
            return
        self.li(BASE_REG, base)
        needs = self.order_cp(accesses, it.how)
        values = {"rs2": it.reg} if store else {"rd": it.reg}
        rec = self.cp(it.mn, accesses, rs1=BASE_REG, off=off, **values)
        if needs:
            assert not self.sync_mode, f"unordered accesses left at {it.mn}"
            self._note_conflicts(rec, needs)
        if not store:
            self.known_x[it.reg] = None

    def order_cp(self, accesses, how) -> None:
        while True:
            needs = self.unordered(CP, self.clock[CP], accesses)
            if not needs or (how == 2 and not self.sync_mode):
                break
            engines = sorted({q.unit for q, _ in needs})
            if how == 0:
                e = engines[0]
                rec = self.find_signaller(e, CP, max(q.index for q, _ in needs if q.unit == e))
                if rec is not None:
                    sem = SEMS[(e, CP)]
                    rec.values["sig"] = sem
                    self.last_sig[sem] = rec.index
                    self.cp("sem.wait", join=rec.clock, sem=sem)
                    continue
            self.sync(sum(1 << (e - 1) for e in engines))
        return needs

    def do_skip(self, it: Skip) -> None:
        self.cp(it.mn, rs1=it.rs1, rs2=it.rs2, off=8 * (len(it.body) + 1))
        for a in it.body:
            self.do_alu(a)

    def do_fence(self, it: Fence) -> None:
        self.sync(it.mask)

    def do_signal(self, it: Signal) -> None:
        rec = self.cp("sem.sig", sem=SEMS[(CP, it.unit)])
        self.tokens[it.unit].append(rec.clock)

    def do_eng(self, it: Eng) -> None:
        spec = BY_MNEMONIC[it.mn]
        unit = ENGINE_UNIT[spec.engine]
        csrs, ops, vals, accesses = engine_plan(it.mn, it.p)
        if not self.sync_mode and self.repeats_region(unit, accesses):
            self.dropped += 1
            return
        for name in spec.csrs:
            self.csrwi(name, csrs[name])
        regs = iter(OPERAND_REGS)
        values = dict(vals)
        for o in spec.positional:
            if o.name in ops:
                r = next(regs)
                self.li(r, ops[o.name])
                values[o.name] = r
        wait, wclock = None, None
        while True:
            clock = _join(self.clock[unit], self.clock[CP])
            if wclock is not None:
                clock = _join(clock, wclock)
            needs = self.unordered(unit, clock, accesses)
            if not needs or (it.how == 2 and not self.sync_mode):
                break
            engines = sorted({q.unit for q, _ in needs})
            if wait is None and it.how != 1:
                e = engines[0]
                rec = self.find_signaller(e, unit, max(q.index for q, _ in needs if q.unit == e))
                if rec is not None:
                    wait = SEMS[(e, unit)]
                    rec.values["sig"] = wait
                    self.last_sig[wait] = rec.index
                    wclock = rec.clock
                    continue
            self.sync(sum(1 << (e - 1) for e in engines))
        if wait is None and self.tokens[unit]:        # a CP signal meant for this engine
            wait, wclock = SEMS[(CP, unit)], self.tokens[unit].popleft()
            clock = _join(clock, wclock)
        if wait is not None:
            values["wait"] = wait
        rec = self._emit(it.mn, unit, clock, **values)
        if needs:
            assert not self.sync_mode, f"unordered accesses left at {it.mn}"
            self._note_conflicts(rec, needs)
        self._record(rec, accesses)
        self.clock[unit] = list(clock)
        self.clock[unit][unit] += 1
        self.last_end[unit] = clock
        self.clock[CP][CP] += 1                      # the dispatch is a CP event
        self.engines.add(it.mn)

    def do_loop(self, it: Loop) -> None:
        depth = self.depth
        counter, bound = COUNTERS[depth], BOUNDS[depth]
        self.fence()
        if it.shape == 0:
            self.cp("addi", rd=counter, rs1=0, imm=it.n)
        else:
            self.cp("addi", rd=counter, rs1=0, imm=0)
            self.cp("addi", rd=bound, rs1=0, imm=it.n)
        self.known_x = {r: None for r in range(32)}
        self.known_csr = {k: None for k in self.known_csr}
        top = len(self.out)
        self.depth = depth + 1
        for sub in it.body:
            self.item(sub)
        self.depth = depth
        self.fence()
        if it.shape == 0:
            self.cp("addi", rd=counter, rs1=counter, imm=-1)
            self.cp("bne", rs1=counter, rs2=0, off=8 * (top - len(self.out)))
        else:
            self.cp("addi", rd=counter, rs1=counter, imm=1)
            self.cp("blt" if it.shape == 1 else "bne", rs1=counter, rs2=bound,
                    off=8 * (top - len(self.out)))

    # -- whole programs --
    def prologue(self, seed: int) -> None:
        """Copy the GM data image to LM (random bytes, parameter blocks) and ACC, then random
        values into the scratch registers."""
        for lm, gm, n in ((0, 0, RANDOM_BYTES), (LM_PARAMS, RANDOM_BYTES, PARAMS_BYTES)):
            self.csrwi("dma_rows", 1)
            self.csrwi("dma_cols", n)
            self.li(1, lm)
            self.li(2, gm)
            self.do_raw_engine("dma.ld", ME, lm=1, gm=2)
        self.sync(1)
        self.csrwi("ve_rows", 1)
        self.csrwi("ve_cols", ACC_INIT_WORDS)
        self.li(1, 0)
        self.li(2, 0)
        self.do_raw_engine("vacc.ld", VE, dst=1, src=2)
        self.fence()
        rng = np.random.default_rng(seed ^ 0x5EED)
        for r in SCRATCH:
            v = int(rng.choice(SPECIAL)) if rng.random() < 0.6 else int(rng.integers(0, 1 << 32))
            self.li(r, v)

    def do_raw_engine(self, mn, unit, **values) -> None:
        """A prologue engine instruction (ordered by the syncs around it, accesses not tracked)."""
        clock = _join(self.clock[unit], self.clock[CP])
        self._emit(mn, unit, clock, **values)
        self.clock[unit] = list(clock)
        self.clock[unit][unit] += 1
        self.last_end[unit] = clock
        self.clock[CP][CP] += 1

    def epilogue(self, halt_reg: int) -> None:
        for unit, q in self.tokens.items():
            while q:
                self.cp("sem.wait", join=q.popleft(), sem=SEMS[(CP, unit)])
        self.cp("halt", rs1=halt_reg)


def lower(items, seed: int = 0, halt_reg: int = 0, synchronize: bool = True) -> Lowered:
    lw = Lowerer(synchronize)
    lw.prologue(seed)
    for it in items:
        lw.item(it)
    lw.epilogue(halt_reg)
    return Lowered([r.word() for r in lw.out], data_image(seed), lw.conflicts, lw.dropped,
                   lw.engines)


# ---- the GM data image ----
@functools.lru_cache(maxsize=256)
def data_image(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    kind = rng.integers(0, 3)
    if kind == 0:
        rand = rng.integers(0, 256, RANDOM_BYTES, dtype=np.uint8)
    elif kind == 1:                              # small values: products and sums stay small
        rand = rng.integers(-4, 5, RANDOM_BYTES).astype(np.int8).view(np.uint8)
    else:                                        # extremes
        rand = rng.choice(np.array([0, 1, 0x7F, 0x80, 0xFF, 0xFE], np.uint8), RANDOM_BYTES)
    params = np.zeros(PARAMS_BYTES, np.uint8)

    def put(at, values, dtype="<i4"):
        raw = np.asarray(values, dtype).view(np.uint8)
        params[at - LM_PARAMS:at - LM_PARAMS + raw.nbytes] = raw

    def i32(n, lo=-(1 << 31), hi=(1 << 31) - 1):
        return rng.integers(lo, hi, n, endpoint=True)

    for cols in range(MAX_VE_COLS + 1):
        mult = np.where(rng.random(cols) < 0.3, rng.choice([(1 << 31) - 1, 1 << 30, -(1 << 31),
                                                             0, 1], cols), i32(cols, 1 << 28))
        shift = rng.integers(-31, 32, cols) if rng.random() < 0.3 else rng.integers(-2, 12, cols)
        put(fx_block(cols), np.concatenate([i32(cols, -5000, 5000), mult, shift]))
        put(fp_block(cols), i32(cols, -5000, 5000))
        scale = (rng.choice([-1, 1], cols) * 10.0 ** rng.uniform(-4, 1, cols)).astype("<f4")
        put(fp_block(cols) + 4 * cols, scale, "<f4")
    for i in range(QADD_BLOCKS):
        ls = 20 if i == 0 else int(rng.integers(0, 21))
        shifts = rng.integers(-31, 32, 3) if i == 3 else rng.integers(-12, 1, 3)
        put(qadd_block(i), [ls, rng.integers(-128, 128), i32(1, 1 << 29)[0], shifts[0],
                            rng.integers(-128, 128), i32(1, 1 << 29)[0], shifts[1],
                            i32(1, 1 << 29)[0], shifts[2]])
    return rand.tobytes() + params.tobytes()


# ---- strategies ----
ALU_RR = ("add", "sub", "and", "or", "xor", "sll", "srl", "sra", "slt", "sltu", "mul", "mulh",
          "mulhu")
ALU_RI = ("addi", "andi", "ori", "xori", "slti", "sltiu")
ALU_SH = ("slli", "srli", "srai")
BRANCHES = ("beq", "bne", "blt", "bge", "bltu", "bgeu")
REG = st.integers(0, 31)
SCR = st.sampled_from(SCRATCH)
READABLE = [c.name for c in CSRS if not c.volatile]
WRITABLE = [c.name for c in CSRS if c.writable]

alu_items = st.one_of(
    st.builds(Alu, st.sampled_from(ALU_RR), SCR, REG, REG),
    st.builds(Alu, st.sampled_from(ALU_RI), SCR, REG, imm=st.integers(-16, 16)
              | kind_values(UIMM32)),
    st.builds(Alu, st.sampled_from(ALU_SH), SCR, REG, imm=st.integers(0, 31)),
)
csr_items = st.one_of(
    st.builds(CsrOp, st.just(False), st.sampled_from(READABLE), SCR),
    st.builds(CsrOp, st.just(True), st.sampled_from(WRITABLE), imm=st.integers(0, 8)),
)
skip_items = st.builds(Skip, st.sampled_from(BRANCHES), REG, REG,
                       st.lists(alu_items, min_size=1, max_size=3).map(tuple))


def mem_items(how, narrow=False):
    if narrow:
        buf, off = st.sampled_from([0, 0, 0, 1]), st.sampled_from([0, 4, 8]) | st.integers(0, 31)
    else:
        buf = st.sampled_from([0, 0, 1]) | st.integers(0, 3)
        off = st.sampled_from([0, 4, 8, 16]) | st.integers(0, 63)
    return st.builds(Mem, st.sampled_from(("lw", "lb", "lbu", "lh", "lhu", "sw", "sh", "sb")),
                     SCR, buf, off, how)


faulting_mem = st.builds(Mem, st.sampled_from(("lw", "lh", "sw", "lb")), SCR, st.just(-1),
                         st.integers(0, 7))

ONE = st.integers(0, 5)


def _op(bufs, aligned=False, hi=255, narrow=False):
    """(buffer, offset): mostly the first buffers at small offsets, so that operands overlap
    (narrow: the first two buffers only, offsets below 32, so that most operands overlap)."""
    if narrow:
        buf, off = st.sampled_from([0, 0, 1]), st.sampled_from([0, 4, 8, 16]) | st.integers(0, 31)
    else:
        buf = st.sampled_from([0, 0, 1, 1, 2]) | st.integers(0, len(bufs) - 1)
        off = st.sampled_from([0, 0, 4, 8, 16, 32]) | st.integers(0, hi)
    s = st.tuples(buf, off)
    return s.map(lambda t: (t[0], t[1] & ~3)) if aligned else s


FLAG = st.booleans()
BYTEVAL = st.sampled_from([0, -128, 127, 255, -1]) | st.integers(-128, 255)
PADS = dict(pt=st.integers(0, 2), pb=st.integers(0, 2), pl=st.integers(0, 3), pr=st.integers(0, 3),
            padval=BYTEVAL)
STRIDES = dict(ss=st.integers(0, 24), ds=st.integers(0, 24))
WIN = dict(ih=st.integers(1, 4), iw=st.integers(1, 4), c=st.integers(1, 3), kh=st.integers(1, 3),
           kw=st.integers(1, 3), sh=st.integers(1, 2), sw=st.integers(1, 2), dh=st.integers(1, 2),
           dw=st.integers(1, 2), pt=st.integers(0, 1), pb=st.integers(0, 1), pl=st.integers(0, 1),
           pr=st.integers(0, 1))
VESHAPE = dict(rows=ONE, cols=st.integers(0, MAX_VE_COLS))
QUANT = dict(zp=st.integers(-5, 5), clamp=st.integers(0, len(CLAMPS) - 1), u=FLAG)


def make_params(narrow: bool) -> dict[str, dict]:
    """Strategies of every engine instruction's params, by mnemonic."""
    lm, lm4 = _op(LM_BUFS, narrow=narrow), _op(LM_BUFS, True, narrow=narrow)
    acc, gm = _op(ACC_BUFS, hi=127, narrow=narrow), _op(GM_BUFS, narrow=narrow)
    params = {
        "dma.ld": dict(d=lm, s=gm, rows=ONE, cols=st.integers(0, 16), **STRIDES, **PADS),
        "dma.st": dict(d=gm, s=lm, rows=ONE, cols=st.integers(0, 16), **STRIDES),
        "dma.cp": dict(d=lm, s=lm, rows=ONE, cols=st.integers(0, 16), **STRIDES, **PADS),
        "dma.tr": dict(d=lm, s=lm, rows=ONE, n=ONE, esz=st.sampled_from([1, 2, 4]), **STRIDES),
        "gemm": dict(c=acc, a=lm, b=lm, m=ONE, n=ONE, k=ONE, lda=st.integers(0, 12),
                     ldb=st.integers(0, 12), ldc=st.integers(0, 12), acc=FLAG, u=FLAG),
        "conv": dict(c_=acc, x=lm, w=lm, oc=st.integers(1, 3), padval=BYTEVAL, acc=FLAG,
                     u=FLAG, depthwise=FLAG, **WIN),
        "vmaxpool": dict(dst=lm, src=lm, u=FLAG, **WIN),
        "vavgpool": dict(dst=lm, src=lm, u=FLAG, **WIN),
        "vrq.fx": dict(dst=lm, src=acc, **VESHAPE, **QUANT),
        "vrq.fp": dict(dst=lm, src=acc, **VESHAPE, **QUANT),
        "vqadd": dict(dst=lm, a=lm, b=lm, block=st.integers(0, QADD_BLOCKS - 1), **VESHAPE,
                      **QUANT),
        "vgap": dict(dst=lm, src=lm, rows=st.integers(1, 5), cols=st.integers(0, MAX_VE_COLS),
                     u=FLAG),
        "vlut": dict(dst=lm, src=lm, table=lm, **VESHAPE),
        "vrmax.b": dict(dst=lm, src=lm, rows=ONE, cols=st.integers(1, MAX_VE_COLS), u=FLAG),
        "vrsum.b": dict(dst=lm4, src=lm, **VESHAPE, u=FLAG),
        "vrmax.w": dict(dst=acc, src=acc, rows=ONE, cols=st.integers(1, MAX_VE_COLS)),
        "vrsum.w": dict(dst=acc, src=acc, **VESHAPE),
        "vacc.ld": dict(dst=acc, src=lm4, **VESHAPE),
        "vacc.st": dict(dst=lm4, src=acc, **VESHAPE),
    }
    for i in INSTRUCTIONS:
        if i.iclass == "eltwise":
            form = i.mnemonic.split(".")[1]
            o = acc if form[0] == "w" else lm
            p = dict(dst=o, a=o, **VESHAPE)
            p.update(breg=SCR) if form.endswith("x") else p.update(b=o)
            if form[0] == "b":
                p["u"] = FLAG
            params[i.mnemonic] = p
    return params


PARAMS = {False: make_params(False), True: make_params(True)}
ENGINE_MNEMONICS = tuple(i.mnemonic for i in INSTRUCTIONS if i.engine != "cp")
assert set(PARAMS[False]) == set(ENGINE_MNEMONICS), set(ENGINE_MNEMONICS) ^ set(PARAMS[False])
# engine mnemonics grouped so that each group is drawn about equally often
GROUPS = (
    tuple(m for m in ENGINE_MNEMONICS if BY_MNEMONIC[m].engine == "me"),
    tuple(m for m in ENGINE_MNEMONICS if BY_MNEMONIC[m].engine == "te"),
    tuple(m for m in ENGINE_MNEMONICS if BY_MNEMONIC[m].engine == "ve"
          and BY_MNEMONIC[m].iclass != "eltwise"),
    tuple(m for m in ENGINE_MNEMONICS if BY_MNEMONIC[m].iclass == "eltwise"),
)


@functools.lru_cache(maxsize=None)
def engine_items(how, narrow=False):
    """Engine items, each group of GROUPS about equally often (one_of with repeated branches:
    cheaper for hypothesis than a flatmap over the group)."""
    def build(mn):
        return st.builds(Eng, st.just(mn), st.fixed_dictionaries(PARAMS[narrow][mn]).map(
            lambda p: tuple(sorted(p.items()))), how)
    per = {mn: build(mn) for g in GROUPS for mn in g}
    weight = max(len(g) for g in GROUPS)
    return st.one_of(*[per[mn] for g in GROUPS for mn in g for _ in range(weight // len(g))])


HOW = {False: st.sampled_from([0, 1]), True: st.sampled_from([2, 2, 2, 0, 1])}


@functools.lru_cache(maxsize=None)
def items(unsync: bool = False, depth: int = 0):
    how = HOW[unsync]
    eng = engine_items(how, narrow=unsync)
    leaf = [alu_items, eng, eng, eng, eng, eng, eng, mem_items(how, unsync), mem_items(how, unsync), csr_items,
            skip_items,
            st.builds(Fence, st.integers(1, 7)), st.builds(Signal, st.integers(0, 3))]
    if depth < 2:
        leaf.append(st.builds(Loop, st.integers(1, 4 if depth == 0 else 3), st.integers(0, 2),
                              st.lists(items(unsync, depth + 1), min_size=1,
                                       max_size=6 if depth == 0 else 4).map(tuple)))
    return st.one_of(*leaf)


@st.composite
def programs(draw, unsync: bool = False, max_groups: int = 8):
    """(items, data seed, halt register); lower(*program) gives the words. Items are drawn in
    groups (hypothesis draws short lists of large elements): deleting a group or an item in a
    group leaves a valid item list."""
    groups = draw(st.lists(st.lists(items(unsync), min_size=1, max_size=5), min_size=1,
                           max_size=max_groups))
    its = [it for g in groups for it in g]
    if not unsync and draw(st.integers(0, 9)) == 9:        # now and then a CP access that faults
        its.insert(draw(st.integers(0, len(its))), draw(faulting_mem))
    seed = draw(st.integers(0, 2**32 - 1))
    return tuple(its), seed, draw(st.sampled_from([0] + list(SCRATCH)))


# ---- text ----
def program_text(words, data: bytes, header: str = "") -> str:
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += ["", "        .text"]
    lines += [f"        {format_insn(decode(w))}" for w in words]
    lines += ["", "        .data"]
    for i in range(0, len(data), 8):
        chunk = data[i:i + 8]
        if len(chunk) == 8:
            lines.append(f"        .quad 0x{int.from_bytes(chunk, 'little'):016x}")
        else:
            lines.append("        .byte " + ", ".join(str(b) for b in chunk))
    return "\n".join(lines) + "\n"


def text_hash(text: str) -> str:
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return hashlib.sha256(body.encode()).hexdigest()[:12]


RACES_RE = re.compile(r"^#\s*races:\s*(.*)$", re.M)


def format_pairs(pairs) -> str:
    if not pairs:
        return "none"
    return " ".join(sorted("/".join(f"{u}@0x{pc:x}" for u, pc in sorted(p)) for p in pairs))


def parse_pairs(text: str):
    """The `# races:` header of a regression file: None (no header: no race check), else the
    set of expected pairs."""
    m = RACES_RE.search(text)
    if m is None:
        return None
    body = m.group(1).strip()
    if body == "none":
        return set()
    out = set()
    for pair in body.split():
        out.add(frozenset((u, int(pc, 16)) for u, pc in (a.split("@") for a in pair.split("/"))))
    return out


# ---- running ----
def load_words(words, data: bytes):
    """A reference machine and the two core machines, program and data image loaded."""
    from thead_isa.core.machine import Machine
    from thead_isa.refmodel.machine import RefMachine
    ref = RefMachine(CONFIG)
    ref.load_program(words)
    ref.write("gm", 0, data)
    cores = []
    for mode in ("functional", "cycle"):
        m = Machine(CONFIG, mode)
        m.load(words)
        m.gm[:len(data)] = np.frombuffer(data, np.uint8)
        cores.append(m)
    return ref, cores


def load_program(prog):
    """The same for an assembled Program (tests/regressions/*.s)."""
    from thead_isa.core.machine import Machine
    from thead_isa.refmodel.machine import RefMachine
    ref = RefMachine(CONFIG)
    ref.load(prog)
    cores = []
    for mode in ("functional", "cycle"):
        m = Machine(CONFIG, mode)
        m.load(prog)
        cores.append(m)
    return ref, cores


def differences(ref, m) -> list[str]:
    """Where the core's architectural state differs from the reference model's."""
    a, b = m.snapshot(), ref.state.snapshot()
    out = []
    for key in b:
        if a[key] != b[key]:
            if isinstance(b[key], bytes):
                x, y = np.frombuffer(a[key], np.uint8), np.frombuffer(b[key], np.uint8)
                idx = np.flatnonzero(x != y)
                out.append(f"{key} differs at {len(idx)} bytes from 0x{idx[0]:x}: core "
                           f"{x[idx[:8]].tolist()} ref {y[idx[:8]].tolist()}")
            else:
                out.append(f"{key} differs: core {str(a[key])[:300]} ref {str(b[key])[:300]}")
    t, r = m.trap, ref.state.trap
    if t is not None and r is not None and t.word != r.word:
        out.append(f"trap word differs: core 0x{t.word:x} ref 0x{r.word:x}")
    return out


def race_pairs(races) -> set:
    return {frozenset({(r.first.unit, r.first.pc), (r.second.unit, r.second.pc)})
            for r in races}


def run_all(ref, cores, check_races: bool = True):
    """Run the reference and both modes (cycle mode under a RaceChecker). Returns
    (differences by mode, race pairs or None)."""
    from thead_isa.core.races import RaceChecker
    ref.run(MAX_INSTRUCTIONS)
    diffs, pairs = {}, None
    for m in cores:
        if m.mode == "cycle" and check_races:
            rc = RaceChecker(m.program)
            m.run(MAX_INSTRUCTIONS, observers=[rc])
            rc.close()
            pairs = race_pairs(rc.races)
            m.race_report = rc.report()
        else:
            m.run(MAX_INSTRUCTIONS)
        diffs[m.mode] = differences(ref, m)
    return diffs, pairs


def check_program(low: Lowered):
    """Run a synchronized program on all three: (problems, the reference machine)."""
    ref, cores = load_words(low.words, low.data)
    diffs, pairs = run_all(ref, cores)
    problems = [f"{mode}: {d}" for mode, ds in diffs.items() for d in ds]
    if not ref.state.stopped:
        problems.append("the reference model neither halted nor trapped")
    if pairs:
        problems.append("the race checker flagged a synchronized program:\n"
                        + cores[1].race_report)
    return problems, ref


def run_racy(words, data):
    """Cycle mode only, under a RaceChecker: (race pairs, report, the machine)."""
    from thead_isa.core.machine import Machine
    from thead_isa.core.races import RaceChecker
    m = Machine(CONFIG, "cycle")
    m.load(words)
    m.gm[:len(data)] = np.frombuffer(data, np.uint8)
    rc = RaceChecker()
    m.run(MAX_INSTRUCTIONS, observers=[rc])
    rc.close()
    return race_pairs(rc.races), rc.report(), m


# ---- regressions: failures are saved as self-contained assembly and replayed forever ----
ROOT = Path(__file__).resolve().parents[2]
REGRESSION_DIR = ROOT / "tests" / "regressions"       # tests monkeypatch this
STATE_RE = re.compile(r"^#\s*state:\s*compare\s*$", re.M)


def save_regression(text: str) -> Path:
    """Write tests/regressions/random_<hash>.s (the hash of the program, not of the header)."""
    REGRESSION_DIR.mkdir(parents=True, exist_ok=True)
    path = REGRESSION_DIR / f"random_{text_hash(text)}.s"
    path.write_text(text)
    return path


def regression_header(test: str, problems, compare_state: bool, races) -> str:
    lines = ["Random program regression: replayed by tests/conformance/test_random_programs.py",
             f"(test_replay_regression); found by {test}, shrunk by hypothesis.",
             "Runs from the reset state with the .data image at GM 0 on the reference model and",
             f"on the core in functional and cycle mode, config {CONFIG.name!r} (see",
             "tests/conformance/conformance_random.py CONFIG).", "Problems found:"]
    lines += [f"  {line}" for p in problems for line in str(p).splitlines()[:12]]
    if compare_state:
        lines.append("state: compare")
    lines.append(f"races: {format_pairs(races)}")
    return "\n".join(lines)


def code_text(words) -> str:
    return "\n".join(f"  0x{8 * i:04x}  {format_insn(decode(w))}" for i, w in enumerate(words))


def report_failure(low: Lowered, test: str, problems, compare_state: bool, races):
    """Print the program as assembly (hypothesis note) and, for the final shrunk example, save
    it under REGRESSION_DIR; then fail."""
    from hypothesis import note
    from hypothesis.control import current_build_context
    text = low.assembly(regression_header(test, problems, compare_state, races))
    saved = ""
    try:
        final = current_build_context().is_final
        note("program:\n" + code_text(low.words))
    except Exception:                       # not inside a hypothesis test: save, print
        final = True
        problems = [*problems, "program:\n" + code_text(low.words)]
    if final:
        saved = f"\nsaved as {save_regression(text)}"
    raise AssertionError("\n".join(str(p) for p in problems) + saved)


def replay(path: Path) -> None:
    """Assemble a regression file, run it on all three, check what its header asks for."""
    from thead_isa.assembler import assemble
    text = path.read_text()
    prog = assemble(text, filename=str(path))
    ref, cores = load_program(prog)
    expected = parse_pairs(text)
    diffs, pairs = run_all(ref, cores, check_races=expected is not None)
    problems = []
    if STATE_RE.search(text):
        if not ref.state.stopped:
            problems.append("the reference model did not halt or trap")
        problems += [f"{mode}: {d}" for mode, ds in diffs.items() for d in ds]
    if expected is not None and pairs != expected:
        problems.append(f"race checker: expected {format_pairs(expected)}, "
                        f"flagged {format_pairs(pairs)}\n{cores[1].race_report}")
    assert not problems, "\n".join(problems)

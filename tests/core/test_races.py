# Race checker: exact 2-D overlap against brute force, each happens-before edge both present (no
# report) and removed (exact race reported), FIFO semaphore matching, report text, pruning.
import numpy as np
from hypothesis import given, strategies as st

from thead_isa.assembler.program import LineEntry, Program
from thead_isa.core.events import EV_CP, EV_END, EV_START, EVENT, UNIT_CP, UNIT_ME, UNIT_TE, \
    UNIT_VE
from thead_isa.core.races import RaceChecker, overlap
from thead_isa.isa import encode

GM, LM, ACC = 0, 1, 2
SYNC_ME = encode("sync", mask=1)


def events(*specs):
    """An EVENT array from dicts of field values; regions as (mem, base, rows, cols, stride)."""
    a = np.zeros(len(specs), EVENT)
    a["rd"] = a["wait"] = a["sig"] = -1
    for i, spec in enumerate(specs):
        for k, v in spec.items():
            if k == "reads":
                a["nreads"][i] = len(v)
                for j, (mem, base, rows, cols, stride) in enumerate(v):
                    a["reads"][i, j] = (mem, 0, base, rows, cols, stride)
            elif k == "write":
                mem, base, rows, cols, stride = v
                a["write"][i] = (mem, 0, base, rows, cols, stride)
            else:
                a[k][i] = v
        a["op"][i] = a["word"][i] & 0xFF
    return a


class Prog:
    """Builds an event stream: CP instructions at pc 0, 8, 16, ...; seq = CP retire order."""

    def __init__(self):
        self.specs, self.seq, self.t = [], 0, 0

    def cp(self, word, **kw):
        self.t += 1
        d = dict(kind=EV_CP, unit=UNIT_CP, word=word, pc=8 * self.seq, seq=self.seq,
                 t0=self.t, t1=self.t, t2=self.t + 1, **kw)
        self.specs.append(d)
        self.seq += 1
        return d

    def dispatch(self, unit, word):
        d = self.cp(word)
        return dict(unit=unit, word=word, pc=d["pc"], seq=d["seq"])

    def start(self, insn, reads=(), wait=-1):
        self.t += 1
        self.specs.append(dict(kind=EV_START, t0=self.t, t1=self.t, reads=list(reads), wait=wait,
                               **insn))

    def end(self, insn, write=None, sig=-1):
        self.t += 1
        d = dict(kind=EV_END, t0=self.t - 1, t1=self.t, sig=sig, **insn)
        if write:
            d["write"] = write
        self.specs.append(d)

    def check(self, program=None, batch=3):
        rc = RaceChecker(program)
        a = events(*self.specs)
        for i in range(0, len(a), batch):
            rc.feed(a[i:i + batch])
        rc.close()
        return rc


def pairs(rc):
    return [(r.first.unit, r.first.pc, r.first.kind, r.second.unit, r.second.pc, r.second.kind,
             r.memory, r.address) for r in rc.races]


# ---- overlap ----
def brute(a, b):
    def elems(base, rows, cols, stride):
        return {base + r * stride + c for r in range(max(rows, 0)) for c in range(max(cols, 0))}
    return elems(*a) & elems(*b)


region = st.tuples(st.integers(-20, 60), st.integers(0, 6), st.integers(0, 7),
                   st.integers(-10, 14))


@given(region, region)
def test_overlap_matches_brute_force(a, b):
    common = brute(a, b)
    hit = overlap(a, b)
    assert (hit is None) == (not common)
    assert hit is None or hit in common
    assert (overlap(b, a) is None) == (not common)


def test_overlap_examples():
    assert overlap((0, 4, 4, 16), (4, 4, 4, 16)) is None          # side-by-side tiles
    assert overlap((0, 4, 4, 16), (3, 4, 4, 16)) == 3
    assert overlap((0, 3, 2, 10), (5, 1, 4, 0)) is None           # in a gap between rows
    assert overlap((0, 3, 2, 10), (5, 1, 6, 0)) == 10
    assert overlap((0, 100, 8, 1000), (50_008, 100, 8, 1001)) is None
    assert overlap((0, 100, 8, 1000), (50_007, 100, 8, 999)) == 50_007
    assert overlap((0, 0, 8, 8), (0, 4, 8, 8)) is None            # empty region


# ---- happens-before edges ----
DMA_LD = encode("dma.ld", lm=1, gm=2)
GEMM = encode("gemm", c=1, a=2, b=3)
VADD = encode("vadd.w", dst=1, a=2, b=3)
LW = encode("lw", rd=5, rs1=1, off=0)
SW = encode("sw", rs2=5, rs1=1, off=0)
TILE = (LM, 0x100, 4, 16, 32)          # LM rows 0x100.., 16 bytes each, stride 32
OTHER = (LM, 0x110, 4, 16, 32)         # the gaps between TILE's rows


def me_then_te(sync=False, sem=False, te_read=TILE):
    p = Prog()
    dma = p.dispatch(UNIT_ME, DMA_LD)
    p.start(dma, reads=[(GM, 0, 4, 16, 16)])
    p.end(dma, write=TILE, sig=1 if sem else -1)
    if sync:
        p.cp(SYNC_ME, value=1)
    gemm = p.dispatch(UNIT_TE, GEMM)
    p.start(gemm, reads=[te_read, (LM, 0x400, 16, 16, 16)], wait=1 if sem else -1)
    p.end(gemm, write=(ACC, 0, 4, 16, 16))
    return p


def test_semaphore_edge_engine_to_engine():
    assert me_then_te(sem=True).check().races == []
    assert pairs(me_then_te().check()) == [("me", 0, "write", "te", 8, "read", "lm", 0x100)]


def test_sync_edge():
    assert me_then_te(sync=True).check().races == []
    p = me_then_te()
    assert pairs(p.check()) == [("me", 0, "write", "te", 8, "read", "lm", 0x100)]


def test_sync_mask_selects_engines():
    p = Prog()
    dma = p.dispatch(UNIT_ME, DMA_LD)
    p.start(dma)
    p.end(dma, write=TILE)
    p.cp(encode("sync", mask=6), value=6)          # TE and VE only: ME is not joined
    gemm = p.dispatch(UNIT_TE, GEMM)
    p.start(gemm, reads=[TILE])
    p.end(gemm)
    assert pairs(p.check()) == [("me", 0, "write", "te", 16, "read", "lm", 0x100)]


def test_disjoint_and_read_read_are_not_races():
    assert me_then_te(te_read=OTHER).check().races == []
    p = Prog()
    a = p.dispatch(UNIT_TE, GEMM)
    b = p.dispatch(UNIT_VE, VADD)
    p.start(a, reads=[TILE])
    p.start(b, reads=[TILE])
    p.end(a)
    p.end(b)
    assert p.check().races == []


def test_dispatch_edge_orders_cp_store_before_engine():
    p = Prog()
    p.cp(SW, write=(GM, 0x200, 1, 4, 0))
    dma = p.dispatch(UNIT_ME, DMA_LD)
    p.start(dma, reads=[(GM, 0x200, 2, 4, 8)])
    p.end(dma, write=TILE)
    assert p.check().races == []
    # the store after the dispatch (still before the DMA starts) is not ordered
    p = Prog()
    dma = p.dispatch(UNIT_ME, DMA_LD)
    p.cp(SW, write=(GM, 0x208, 1, 4, 0))
    p.start(dma, reads=[(GM, 0x200, 2, 4, 8)])
    p.end(dma, write=TILE)
    assert pairs(p.check()) == [("cp", 8, "write", "me", 0, "read", "gm", 0x208)]


def test_cp_sem_sig_to_engine_wait():
    def run(signal):
        p = Prog()
        dma = p.dispatch(UNIT_ME, DMA_LD)
        p.cp(SW, write=(GM, 0x200, 1, 4, 0))
        if signal:
            p.cp(encode("sem.sig", sem=3), sig=3)
        p.start(dma, reads=[(GM, 0x200, 1, 4, 0)], wait=3)
        p.end(dma, write=TILE)
        return p.check()
    assert run(True).races == []
    assert pairs(run(False)) == [("cp", 8, "write", "me", 0, "read", "gm", 0x200)]


def test_engine_signal_to_cp_sem_wait():
    def run(wait):
        p = Prog()
        st_ = p.dispatch(UNIT_ME, encode("dma.st", gm=1, lm=2, sig=2))
        p.start(st_, reads=[TILE])
        p.end(st_, write=(GM, 0x300, 2, 16, 16), sig=2)
        if wait:
            p.cp(encode("sem.wait", sem=2), wait=2)
        p.cp(LW, rd=5, reads=[(GM, 0x31C, 1, 4, 0)])
        return p.check()
    assert run(True).races == []
    assert pairs(run(False)) == [("me", 0, "write", "cp", 8, "read", "gm", 0x31C)]


def test_transitive_chain_and_halt():
    p = Prog()
    dma = p.dispatch(UNIT_ME, DMA_LD)
    gemm = p.dispatch(UNIT_TE, GEMM)
    vadd = p.dispatch(UNIT_VE, VADD)
    p.start(dma)
    p.end(dma, write=TILE, sig=1)
    p.start(gemm, reads=[TILE], wait=1)
    p.end(gemm, write=(ACC, 0, 4, 16, 16), sig=2)
    p.start(vadd, reads=[(ACC, 0, 4, 16, 16), TILE], wait=2)   # ME -> TE -> VE
    p.end(vadd, write=(LM, 0x800, 1, 64, 0))
    p.cp(encode("halt", rs1=0), value=7)
    p.cp(LW, reads=[(GM, 0, 1, 4, 0)])
    assert p.check().races == []


def test_fifo_semaphore_matching():
    # ME signals s1 twice; TE's only wait consumes the first signal, which does not order the
    # second DMA's write before the gemm's read
    p = Prog()
    a = p.dispatch(UNIT_ME, DMA_LD)
    b = p.dispatch(UNIT_ME, DMA_LD)
    g = p.dispatch(UNIT_TE, GEMM)
    p.start(a)
    p.end(a, write=(LM, 0, 1, 16, 0), sig=1)
    p.start(g, reads=[(LM, 0, 1, 16, 0), (LM, 64, 1, 16, 0)], wait=1)
    p.start(b)
    p.end(b, write=(LM, 64, 1, 16, 0), sig=1)
    p.end(g)
    assert pairs(p.check()) == [("te", 16, "read", "me", 8, "write", "lm", 64)]


def test_fifo_between_pending_signals():
    # ME then VE signal s1 before TE waits once: TE is ordered after the ME write (the first
    # signal) and not after the VE write
    def run(te_read):
        p = Prog()
        a = p.dispatch(UNIT_ME, DMA_LD)
        v = p.dispatch(UNIT_VE, VADD)
        g = p.dispatch(UNIT_TE, GEMM)
        p.start(a)
        p.end(a, write=(LM, 0, 1, 16, 0), sig=1)
        p.start(v)
        p.end(v, write=(LM, 64, 1, 16, 0), sig=1)
        p.start(g, reads=[te_read], wait=1)
        p.end(g)
        return p.check()
    assert run((LM, 0, 1, 16, 0)).races == []
    assert pairs(run((LM, 64, 1, 16, 0))) == [("ve", 8, "write", "te", 16, "read", "lm", 64)]


def test_write_write_and_acc_words():
    p = Prog()
    g = p.dispatch(UNIT_TE, GEMM)
    v = p.dispatch(UNIT_VE, encode("vacc.st", dst=1, src=2))
    p.start(g)
    p.start(v)
    p.end(g, write=(ACC, 0x40, 4, 8, 8))
    p.end(v, write=(ACC, 0x58, 1, 4, 0))
    assert pairs(p.check()) == [("te", 0, "write", "ve", 8, "write", "acc", 0x58)]


def test_report_names_both_instructions_once_per_static_pair():
    p = Prog()
    for _ in range(3):                          # the same racy pair, then a sync; three times
        dma = p.dispatch(UNIT_ME, DMA_LD)
        gemm = p.dispatch(UNIT_TE, GEMM)
        p.start(dma)
        p.start(gemm, reads=[TILE, TILE])       # two overlapping reads: still one pair
        p.end(dma, write=TILE)
        p.end(gemm)
        p.cp(encode("sync", mask=7), value=7)
    for s in p.specs:                           # a loop: each iteration reuses the same pcs
        s["pc"] = {DMA_LD: 0, GEMM: 8}.get(s["word"], 16)
    prog = Program(lines=[LineEntry(0, "loop.s", 4), LineEntry(8, "loop.s", 5)])
    rc = p.check(prog)
    assert len(rc.races) == 1 and rc.races[0].count == 3
    assert rc.report() == (
        "race on lm address 0x100, 3 times:\n"
        "  TE pc 0x00000008 `gemm x1, x2, x3` [loop.s:5] reads (seq 1)\n"
        "  ME pc 0x00000000 `dma.ld x1, x2` [loop.s:4] writes (seq 0)\n"
        "  neither happens before the other (no dispatch, semaphore or sync orders them)")
    assert RaceChecker().report() == "no races"


def test_memory_stays_bounded_on_long_synchronised_runs():
    p = Prog()
    for i in range(400):                        # ME -> TE by semaphore, TE -> CP sem.wait
        dma = p.dispatch(UNIT_ME, DMA_LD)
        gemm = p.dispatch(UNIT_TE, GEMM)
        p.start(dma, reads=[(GM, 64 * i, 4, 16, 16)])
        p.end(dma, write=TILE, sig=1)
        p.start(gemm, reads=[TILE], wait=1)
        p.end(gemm, write=(ACC, 0, 4, 16, 16), sig=2)
        p.cp(encode("sem.wait", sem=2), wait=2)
    rc = RaceChecker()
    a = events(*p.specs)
    peak = 0
    for i in range(0, len(a), 16):
        rc.feed(a[i:i + 16])
        peak = max(peak, rc.live_accesses())
    rc.close()
    assert rc.races == []
    assert peak <= 16


def test_same_region_accesses_coalesce_without_hiding_races():
    # no CP synchronisation at all until the halt: repeated accesses to the same buffers by the
    # same unit stand in for one another, so memory stays bounded
    p = Prog()
    for i in range(200):
        dma = p.dispatch(UNIT_ME, DMA_LD)
        gemm = p.dispatch(UNIT_TE, GEMM)
        p.start(dma, reads=[(GM, 0, 4, 16, 16)], wait=2 if i else -1)
        p.end(dma, write=TILE, sig=1)
        p.start(gemm, reads=[TILE], wait=1)
        p.end(gemm, write=(ACC, 0, 4, 16, 16), sig=2)
    p.cp(encode("halt", rs1=0), value=7)
    rc = RaceChecker()
    a = events(*p.specs)
    peak = 0
    for i in range(0, len(a), 16):
        rc.feed(a[i:i + 16])
        peak = max(peak, rc.live_accesses())
    rc.close()
    assert rc.races == [] and peak <= 6 and rc.live_accesses() == 0
    # a later read of the region by the writer does not stand in for its write
    p = Prog()
    w = p.dispatch(UNIT_ME, DMA_LD)
    r = p.dispatch(UNIT_ME, encode("dma.st", gm=1, lm=2))
    g = p.dispatch(UNIT_TE, GEMM)
    p.start(w)
    p.end(w, write=TILE)
    p.start(r, reads=[TILE])
    p.end(r, write=(GM, 0, 1, 16, 0))
    p.start(g, reads=[TILE])
    p.end(g)
    assert pairs(p.check()) == [("me", 0, "write", "te", 16, "read", "lm", 0x100)]
    # a later write of the same region by the same unit does stand in for the earlier one
    p = Prog()
    w1 = p.dispatch(UNIT_ME, DMA_LD)
    w2 = p.dispatch(UNIT_ME, DMA_LD)
    g = p.dispatch(UNIT_TE, GEMM)
    p.start(w1)
    p.end(w1, write=TILE, sig=1)
    p.start(w2)
    p.end(w2, write=TILE)
    p.start(g, reads=[TILE], wait=1)
    p.end(g)
    assert pairs(p.check()) == [("me", 8, "write", "te", 16, "read", "lm", 0x100)]

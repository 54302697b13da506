# Random programs (TestRIG-style): random valid programs mixing the CP and all three engines,
# straight-line and with bounded (nested) loops, compared between the reference model and the
# core in functional and cycle mode; the race checker must flag nothing on the synchronized
# generator and exactly the unordered conflicting pairs of the unsynchronized one. Failures shrink
# to a minimal item list, print as assembly and are saved under tests/regressions/, whose every
# file test_replay_regression runs forever. Generators and lowering: conformance_random.py.
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:                  # --import-mode=importlib: make the helper importable
    sys.path.insert(0, _HERE)

import conformance_random as cr  # noqa: E402
from thead_isa.assembler import assemble  # noqa: E402
from thead_isa.isa import decode  # noqa: E402

# Known disagreements, regression file name -> reason: xfail(strict=True), so a fix makes the
# replay fail until the entry is removed.
XFAIL: dict[str, str] = {}


# the explain phase re-runs a failure many times to annotate it; the assembly note says more
PHASES = [p for p in Phase if p is not Phase.explain]
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")


def _examples(factor: float) -> int:
    return max(20, int(settings().max_examples * factor))


# ---- the synchronized generator: same state everywhere, no race ----

def check_synchronized(prog, test="test_synchronized_programs"):
    low = cr.lower(*prog)
    problems, ref = cr.check_program(low)
    if problems:
        cr.report_failure(low, test, problems, True, set())
    return low, ref


@settings(max_examples=_examples(4), phases=PHASES)
@given(cr.programs())
def test_synchronized_programs(prog):
    check_synchronized(prog)


@pytest.mark.parametrize("mnemonic", cr.ENGINE_MNEMONICS)
def test_every_engine_instruction_in_random_programs(mnemonic):
    """Each engine instruction, with random operands, among a few random items (so the suite
    covers all of them whatever the random programs happened to draw)."""
    found = []

    @settings(max_examples=3, phases=PHASES, suppress_health_check=[HealthCheck.too_slow])
    @given(st.fixed_dictionaries(cr.PARAMS[False][mnemonic]), st.sampled_from([0, 1]),
           st.lists(cr.items(), max_size=3), st.integers(0, 2**32 - 1))
    def prop(params, how, others, seed):
        item = cr.Eng(mnemonic, tuple(sorted(params.items())), how)
        low, ref = check_synchronized(((item, *others), seed, 0),
                                      f"test_every_engine_instruction_in_random_programs"
                                      f"[{mnemonic}]")
        found.append(ref.state.trap is None)
    prop()
    assert any(found)


# ---- the unsynchronized generator: the race checker flags exactly the unordered pairs ----

def check_unsynchronized(low, test="test_unsynchronized_programs_races_flagged"):
    pairs, report, m = cr.run_racy(low.words, low.data)
    problems = []
    if not m.halted:
        problems.append(f"did not halt: {m.trap}")
    if low.conflicts - pairs:
        problems.append(f"race checker missed {cr.format_pairs(low.conflicts - pairs)}")
    if pairs - low.conflicts:
        problems.append(f"race checker flagged ordered or disjoint pairs "
                        f"{cr.format_pairs(pairs - low.conflicts)}")
    if problems:
        cr.report_failure(low, test, problems + [report], False, low.conflicts)
    return pairs


def test_unsynchronized_programs_races_flagged():
    """Every conflicting pair the generator left unordered is flagged (by pc pair), nothing else
    is; and the generator does create conflicts, between several pairs of units (each pair of
    units has a hand-written case in test_races_by_hand)."""
    seen, total = set(), []

    @settings(max_examples=_examples(4), phases=PHASES)
    @given(cr.programs(unsync=True))
    def prop(prog):
        low = cr.lower(*prog, synchronize=False)
        check_unsynchronized(low)
        seen.update(frozenset(u for u, _ in pair) for pair in low.conflicts)
        total.append(len(low.conflicts))
    prop()
    assert len(seen) >= 2 and sum(total) >= 20, (seen, sum(total))


def _eng(mn, how=2, **params):
    return cr.Eng(mn, tuple(sorted(params.items())), how)


DMA = dict(rows=2, cols=8, ss=8, ds=8, pt=0, pb=0, pl=0, pr=0, padval=0)
EW = dict(rows=2, cols=4)


@pytest.mark.parametrize("name, items, expected", [
    # an engine write, then a CP load of it (RAW), and an engine read, then a CP store (WAR)
    ("cp load after dma.st", [_eng("dma.st", d=(0, 0), s=(0, 0), **{k: DMA[k] for k in
                                                                      ("rows", "cols", "ss", "ds")}),
                              cr.Mem("lw", 9, 0, 4, how=2)], {("me", "cp")}),
    ("cp store after dma.ld", [_eng("dma.ld", d=(0, 0), s=(0, 0), **DMA),
                               cr.Mem("sb", 9, 0, 9, how=2)], {("me", "cp")}),
    # engine -> engine: RAW, WAR, WAW
    ("vadd.w reads gemm", [_eng("gemm", c=(0, 0), a=(0, 0), b=(0, 0), m=2, n=2, k=2, lda=2,
                                ldb=2, ldc=2, acc=False, u=False),
                           _eng("vadd.w", dst=(1, 0), a=(0, 0), b=(0, 0), **EW)], {("te", "ve")}),
    ("gemm reads dma.ld", [_eng("dma.ld", d=(0, 0), s=(0, 0), **DMA),
                           _eng("gemm", c=(0, 0), a=(0, 4), b=(1, 0), m=2, n=2, k=2, lda=2,
                                ldb=2, ldc=2, acc=False, u=False)], {("me", "te")}),
    ("dma.ld overwrites vadd.b input", [_eng("vadd.b", dst=(1, 0), a=(0, 0), b=(0, 0), u=False,
                                             **EW),
                                        _eng("dma.ld", d=(0, 4), s=(0, 0), **DMA)],
     {("ve", "me")}),
    ("gemm and vacc.ld write one tile", [_eng("vacc.ld", dst=(0, 0), src=(0, 0), **EW),
                                         _eng("gemm", c=(0, 0), a=(0, 0), b=(0, 0), m=1, n=1,
                                              k=1, lda=1, ldb=1, ldc=1, acc=False, u=False)],
     {("ve", "te")}),
    # the same pairs ordered: by semaphores (how=0), by sync (how=1), by an explicit fence
    ("ordered by semaphore", [_eng("dma.ld", d=(0, 0), s=(0, 0), **DMA),
                              cr.Mem("sb", 9, 0, 9, how=0),
                              _eng("vadd.b", 0, dst=(1, 0), a=(0, 0), b=(0, 0), u=False, **EW)],
     set()),
    ("ordered by sync", [_eng("gemm", c=(0, 0), a=(0, 0), b=(0, 0), m=2, n=2, k=2, lda=2, ldb=2,
                              ldc=2, acc=False, u=False),
                         _eng("vadd.w", 1, dst=(1, 0), a=(0, 0), b=(0, 0), **EW)], set()),
    ("ordered by a fence", [_eng("dma.st", d=(0, 0), s=(0, 0), **{k: DMA[k] for k in
                                                                  ("rows", "cols", "ss", "ds")}),
                            cr.Fence(1), cr.Mem("lw", 9, 0, 4, how=2)], set()),
    ("not ordered by a fence of another engine",
     [_eng("dma.st", d=(0, 0), s=(0, 0), **{k: DMA[k] for k in ("rows", "cols", "ss", "ds")}),
      cr.Fence(6), cr.Mem("lw", 9, 0, 4, how=2)], {("me", "cp")}),
    # a CP signal consumed by the engine orders nothing the dispatch does not already order
    ("cp signal", [_eng("dma.ld", d=(0, 0), s=(0, 0), **DMA), cr.Signal(3),
                   _eng("vadd.b", dst=(1, 0), a=(0, 0), b=(0, 0), u=False, **EW)], {("me", "ve")}),
    # in a loop body: flagged once per static pair
    ("in a loop", [cr.Loop(3, 0, (_eng("dma.ld", d=(0, 0), s=(0, 0), **DMA),
                                  _eng("vadd.b", dst=(1, 0), a=(0, 0), b=(0, 0), u=False,
                                       **EW)))], {("me", "ve")}),
])
def test_races_by_hand(name, items, expected):
    low = cr.lower(tuple(items), seed=3, synchronize=False)
    assert {tuple(sorted(u for u, _ in p)) for p in low.conflicts} == {tuple(sorted(e))
                                                                       for e in expected}
    check_unsynchronized(low, f"test_races_by_hand[{name}]")


# ---- regressions ----

REGRESSIONS = sorted(cr.REGRESSION_DIR.glob("*.s"))


def _param(path):
    reason = XFAIL.get(path.name)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, marks=marks, id=path.name)


def test_regressions_exist():
    assert REGRESSIONS, f"no regression programs in {cr.REGRESSION_DIR}"


@pytest.mark.parametrize("path", [_param(p) for p in REGRESSIONS])
def test_replay_regression(path):
    cr.replay(path)


SAMPLE = (cr.Eng("dma.ld", tuple(sorted(dict(d=(0, 0), s=(0, 8), rows=2, cols=6, ss=8, ds=6, pt=0,
                                              pb=0, pl=0, pr=0, padval=0).items())), 0),
          cr.Eng("gemm", tuple(sorted(dict(c=(0, 0), a=(0, 0), b=(0, 4), m=2, n=2, k=2, lda=6,
                                            ldb=6, ldc=2, acc=True, u=False).items())), 0),
          cr.Mem("lw", 9, 0, 8), cr.Loop(2, 0, (cr.Alu("add", 10, 9, 31),)))


def test_saving_a_failure(tmp_path, monkeypatch):
    """report_failure writes a file that assembles to the same program and data, and that the
    replay runs (and passes, since the sample program is right)."""
    monkeypatch.setattr(cr, "REGRESSION_DIR", tmp_path / "regressions")
    low = cr.lower(SAMPLE, seed=5, halt_reg=10)
    with pytest.raises(AssertionError, match="saved as"):
        cr.report_failure(low, "test_saving_a_failure", ["planted"], True, set())
    (path,) = (tmp_path / "regressions").glob("random_*.s")
    text = path.read_text()
    assert "# state: compare" in text and "# races: none" in text and "#   planted" in text
    prog = assemble(text)
    assert bytes(prog.sections[".text"].data) == b"".join(w.to_bytes(8, "little")
                                                          for w in low.words)
    assert bytes(prog.sections[".data"].data) == low.data
    cr.replay(path)
    # the same program saves under the same name whatever the header says
    with pytest.raises(AssertionError):
        cr.report_failure(low, "another test", ["other"], True, set())
    assert len(list((tmp_path / "regressions").glob("*.s"))) == 1


def test_a_planted_bug_shrinks_and_saves(tmp_path, monkeypatch):
    """End to end: a planted difference on every program containing a `gemm ..., acc` is found,
    shrunk to a minimal program (the prologue and one gemm), printed and saved once (the final
    example), and the replay of the saved file reports it."""
    monkeypatch.setattr(cr, "REGRESSION_DIR", tmp_path)
    acc_bit = cr.encode("gemm", c=0, a=0, b=0, acc=True) ^ cr.encode("gemm", c=0, a=0, b=0)

    def has_gemm_acc(words):
        words = np.asarray(words, np.uint64)
        return bool(np.any(((words & 0xFF) == 0x50) & ((words & acc_bit) != 0)))

    # the search and the shrinking only look at the program (running each candidate would take
    # minutes); the replay below runs the saved file for real with the planted difference
    monkeypatch.setattr(cr, "check_program", lambda low: (
        ["planted: gemm with acc"] if has_gemm_acc(low.words) else [], None))
    real = cr.differences
    monkeypatch.setattr(cr, "differences", lambda ref, m: real(ref, m) + (
        ["planted: gemm with acc"] if has_gemm_acc(ref.state.imem.view("<u8")) else []))

    @settings(max_examples=100, derandomize=True, database=None,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(cr.programs())
    def prop(prog):
        check_synchronized(prog, "test_a_planted_bug_shrinks_and_saves")

    with pytest.raises(AssertionError, match="planted"):
        prop()
    (path,) = tmp_path.glob("random_*.s")
    code = path.read_text().split("\n        .data")[0]
    engine = [line.split()[0] for line in code.splitlines()
              if line.startswith("        ") and line.split()[0] in cr.ENGINE_MNEMONICS]
    assert engine == ["dma.ld", "dma.ld", "vacc.ld", "gemm"], code   # prologue + the gemm
    with pytest.raises(AssertionError, match="planted"):
        cr.replay(path)

# Observers on real programs in cycle mode: determinism (cycles, stats, trace bytes, commit log
# text identical run to run) and the traces of programs/*.s (valid trace-event JSON, one track
# per unit, one slice per instruction, one flow per semaphore hand-off, worked out by hand from
# each program's synchronisation). The trace and log formats themselves are pinned on synthetic
# streams in test_trace.py and test_commitlog.py.
from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from thead_isa.assembler import assemble
from thead_isa.core.commitlog import CommitLog
from thead_isa.core.machine import Machine
from thead_isa.core.races import RaceChecker
from thead_isa.core.trace import TraceWriter, validate_trace

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.stem for p in (ROOT / "programs").glob("*.s"))
_ASSEMBLED: dict[str, object] = {}
CP, ME, TE, VE = 1, 2, 3, 4                     # trace tids

# (semaphore, signalling track, waiting track) -> hand-offs, from each program's text
FLOWS = {
    "sum_loop": {},
    "gemm_requant": {("s0", ME, TE): 1, ("s1", TE, VE): 1, ("s2", VE, ME): 1,
                     ("s3", ME, CP): 1},
    "conv_relu": {("s0", ME, TE): 1, ("s1", TE, VE): 1, ("s2", VE, ME): 1, ("s3", ME, CP): 1},
    "mlp": {("s0", ME, TE): 1, ("s1", ME, CP): 1, ("s2", TE, VE): 1, ("s3", VE, TE): 1,
            ("s4", TE, VE): 1, ("s5", VE, ME): 1, ("s6", ME, CP): 1},
    # 8 tiles: full buffers s0/s1 ME -> TE 4 each; empty buffers s2/s3: the CP's initial signal,
    # then the gemms of tiles 0, 2, 4 (s2) and 1, 3, 5 (s3); tile 6's signal is never consumed
    "gemm_tiled": {("s0", ME, TE): 4, ("s1", ME, TE): 4, ("s2", CP, ME): 1, ("s2", TE, ME): 3,
                   ("s3", CP, ME): 1, ("s3", TE, ME): 3, ("s4", TE, VE): 1, ("s5", VE, ME): 1,
                   ("s6", ME, CP): 1},
}


def example(name: str):
    if name not in _ASSEMBLED:
        _ASSEMBLED[name] = assemble(ROOT / "programs" / f"{name}.s")
    return _ASSEMBLED[name]


def observed_run(name: str, tmp: Path, tag: str, config: str = "small", mode: str = "cycle"):
    p = example(name)
    m = Machine(config, mode=mode)
    m.load(p)
    if name == "mlp":
        for sym in ("x", "w1", "p1", "w2", "p2"):
            m.write(sym, np.load(ROOT / "programs" / "data" / f"mlp_{sym}.npy"))
    trace = tmp / f"{name}-{tag}.json"
    log = io.StringIO()
    tw, cl, rc = TraceWriter(trace, program=p, config=m.config), CommitLog(log, program=p), \
        RaceChecker(p)
    r = m.run(observers=[tw, cl, rc])
    tw.close()
    cl.close()
    rc.close()
    assert r.halted and r.trap is None and rc.races == []
    return m, r, trace.read_bytes(), log.getvalue()


@pytest.mark.parametrize("name", EXAMPLES)
def test_runs_are_deterministic(name, tmp_path):
    m1, r1, trace1, log1 = observed_run(name, tmp_path, "a")
    m2, r2, trace2, log2 = observed_run(name, tmp_path, "b")
    assert r1.cycles == r2.cycles and r1.instructions == r2.instructions
    assert r1.stats.as_dict() == r2.stats.as_dict()
    assert trace1 == trace2 and log1 == log2
    assert m1.snapshot() == m2.snapshot()
    # the commit log has one line per retired CP instruction, in cycle order
    lines = log1.splitlines()
    assert len(lines) == r1.instructions
    cycles = [int(s.split()[0]) for s in lines]
    assert cycles == sorted(cycles) and cycles[-1] == r1.cycles - 1        # the halt
    # observing does not change the run
    plain = Machine("small", mode="cycle")
    plain.load(example(name))
    if name == "mlp":
        for sym in ("x", "w1", "p1", "w2", "p2"):
            plain.write(sym, np.load(ROOT / "programs" / "data" / f"mlp_{sym}.npy"))
    r = plain.run()
    assert (r.cycles, r.stats.as_dict(), plain.snapshot()) == (
        r1.cycles, r1.stats.as_dict(), m1.snapshot())


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_traces(name, tmp_path):
    m, r, raw, _ = observed_run(name, tmp_path, "t")
    trace = json.loads(raw)
    assert validate_trace(trace) == []
    ev = trace["traceEvents"]
    assert {e["tid"]: e["args"]["name"] for e in ev if e.get("name") == "thread_name"} == {
        CP: "CP", ME: "ME", TE: "TE", VE: "VE"}
    assert {e["pid"] for e in ev} == {1}
    slices = Counter(e["tid"] for e in ev if e["ph"] == "X" and e["cat"] != "stall")
    d = r.stats.as_dict()["engines"]
    assert slices[CP] == r.instructions == m.instret
    assert (slices[ME], slices[TE], slices[VE]) == tuple(d[e]["instructions"]
                                                         for e in ("me", "te", "ve"))
    # every slice carries its source line (the Program was given)
    assert all(e["args"]["source"].startswith(str(ROOT / "programs" / f"{name}.s:"))
               for e in ev if e["ph"] == "X" and e["cat"] != "stall")
    # flows: one "s" and one "f" per id, from the signalling to the waiting track
    ends: dict[int, dict] = {}
    for e in ev:
        if e["ph"] in ("s", "f"):
            assert e["cat"] == "sem" and e["ph"] not in ends.setdefault(e["id"], {})
            ends[e["id"]][e["ph"]] = e
    assert all(set(f) == {"s", "f"} for f in ends.values())
    assert all(f["s"]["name"] == f["f"]["name"] and f["s"]["ts"] <= f["f"]["ts"]
               for f in ends.values())
    flows = Counter((f["s"]["name"], f["s"]["tid"], f["f"]["tid"]) for f in ends.values())
    assert flows == Counter(FLOWS[name])
    # time: microseconds at the configured clock; the last slice ends at the run's cycle count
    end = max(e["ts"] + e["dur"] for e in ev if e["ph"] == "X")
    assert end * m.config.clock_mhz == pytest.approx(r.cycles)


@pytest.mark.parametrize("name", ["gemm_requant", "gemm_tiled"])
def test_functional_trace_is_valid_too(name, tmp_path):
    m, r, raw, log = observed_run(name, tmp_path, "f", mode="functional")
    trace = json.loads(raw)
    assert validate_trace(trace) == []
    slices = Counter(e["tid"] for e in json.loads(raw)["traceEvents"]
                     if e["ph"] == "X" and e["cat"] != "stall")
    assert slices[CP] == r.instructions and len(log.splitlines()) == r.instructions


class _Collect:
    def __init__(self):
        self.batches = []

    def feed(self, batch):
        self.batches.append(batch.copy())

    def close(self):
        pass


@pytest.mark.parametrize("mode", ["functional", "cycle"])
def test_cp_events_name_the_executed_instructions(mode):
    """Each EV_CP record carries the pc and word of the instruction that retired, also for taken
    branches and jumps (which change the pc before the record is written)."""
    from thead_isa.core.events import EV_CP
    program = assemble("""
        li x1, 3
    loop:
        addi x1, x1, -1
        bne x1, x0, loop
        jal x2, done
        nop
    done:
        halt x0
    """, filename="b.s")
    m = Machine("small", mode)
    m.load(program)
    c = _Collect()
    r = m.run(observers=[c])
    events = np.concatenate(c.batches)
    cp = events[events["kind"] == EV_CP]
    expected = [0, 8, 16, 8, 16, 8, 16, 24, 40]             # li, 3 x (addi, bne), jal, halt
    assert r.halted and cp["pc"].tolist() == expected
    words = m.imem.view("<u8")
    assert cp["word"].tolist() == [int(words[pc // 8]) for pc in expected]

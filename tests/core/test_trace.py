# Trace writer: exact slices, stall slices, semaphore flows and metadata of a synthetic stream;
# validity against the trace-event format; atomic streaming to a path; file objects; the validator.
import io
import json
import os
from types import SimpleNamespace

import numpy as np
import pytest

from thead_isa.assembler.program import LineEntry, Program
from thead_isa.core.events import EV_CP, EV_END, EV_START, EVENT, STALL_QUEUE_TE, STALL_SEM, \
    UNIT_CP, UNIT_ME, UNIT_TE, UNIT_VE
from thead_isa.core.trace import TraceWriter, validate_trace
from thead_isa.isa import encode
from thead_isa.isa.config import preset


def events(*specs):
    a = np.zeros(len(specs), EVENT)
    a["rd"] = a["wait"] = a["sig"] = -1
    for i, spec in enumerate(specs):
        for k, v in spec.items():
            a[k][i] = v
        a["op"][i] = a["word"][i] & 0xFF
    return a


def cp(pc, seq, word, t0, t1, t2, **kw):
    return dict(kind=EV_CP, unit=UNIT_CP, pc=pc, seq=seq, word=word, t0=t0, t1=t1, t2=t2, **kw)


def eng(kind, unit, pc, seq, word, t0, t1, **kw):
    return dict(kind=kind, unit=unit, pc=pc, seq=seq, word=word, t0=t0, t1=t1, t2=t1, **kw)


ADD = encode("add", rd=5, rs1=1, rs2=2)
DMA = encode("dma.ld", lm=1, gm=2, sig=1)
VADD = encode("vadd.w", dst=1, a=2, b=3, wait=2)
GEMM = encode("gemm", c=1, a=2, b=3, wait=1, sig=3)

STREAM = events(
    cp(0, 0, ADD, 0, 0, 1, rd=5, value=42),
    cp(8, 1, DMA, 1, 1, 2),
    cp(16, 2, VADD, 2, 2, 3),
    eng(EV_START, UNIT_ME, 8, 1, DMA, 3, 3),
    cp(24, 3, GEMM, 3, 5, 6, arg=STALL_QUEUE_TE),
    cp(32, 4, encode("sem.sig", sem=2), 6, 6, 7, sig=2),
    eng(EV_START, UNIT_VE, 16, 2, VADD, 3, 7, wait=2),
    eng(EV_END, UNIT_VE, 16, 2, VADD, 7, 9),
    eng(EV_END, UNIT_ME, 8, 1, DMA, 3, 10, sig=1),
    eng(EV_START, UNIT_TE, 24, 3, GEMM, 6, 10, wait=1),
    eng(EV_END, UNIT_TE, 24, 3, GEMM, 10, 18, sig=3),
    cp(40, 5, encode("sem.wait", sem=3), 7, 18, 19, wait=3, arg=STALL_SEM),
    cp(48, 6, encode("halt", rs1=0), 19, 19, 20, value=7),
)
PROGRAM = Program(lines=[LineEntry(8 * k, "t.s", k + 1) for k in range(7)])
CLOCK = SimpleNamespace(clock_mhz=2, name="test")


def write(dest, batch=4, **kw):
    w = TraceWriter(dest, **kw)
    for i in range(0, len(STREAM), batch):
        w.feed(STREAM[i:i + batch])
    w.close()


def test_slices_flows_and_metadata(tmp_path):
    path = tmp_path / "t.json"
    write(path, program=PROGRAM, config=CLOCK)
    trace = json.loads(path.read_text())
    assert validate_trace(trace) == []
    assert trace["displayTimeUnit"] == "ns"
    assert trace["otherData"]["clock_mhz"] == 2
    ev = trace["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in ev if e.get("name") == "thread_name"}
    assert names == {1: "CP", 2: "ME", 3: "TE", 4: "VE"}
    slices = sorted((e["tid"], e["ts"] * 2, (e["ts"] + e["dur"]) * 2, e["cat"], e["name"])
                    for e in ev if e["ph"] == "X")
    assert slices == sorted([
        (1, 0, 1, "cp", "add"), (1, 1, 2, "cp", "dma.ld"), (1, 2, 3, "cp", "vadd.w"),
        (1, 3, 5, "stall", "queue_full_te"), (1, 5, 6, "cp", "gemm"), (1, 6, 7, "cp", "sem.sig"),
        (1, 7, 18, "stall", "sem_wait"), (1, 18, 19, "cp", "sem.wait"), (1, 19, 20, "cp", "halt"),
        (2, 3, 10, "me", "dma.ld"),
        (3, 6, 10, "stall", "sem_wait"), (3, 10, 18, "te", "gemm"),
        (4, 3, 7, "stall", "sem_wait"), (4, 7, 9, "ve", "vadd.w")])
    by = {(e["tid"], e["name"]): e["args"] for e in ev if e["ph"] == "X" and e["cat"] != "stall"}
    assert by[(1, "add")] == {"pc": "0x00000000", "insn": "add x5, x1, x2", "seq": 0,
                              "source": "t.s:1", "x5": "0x0000002a"}
    assert by[(3, "gemm")] == {"pc": "0x00000018", "insn": "gemm x1, x2, x3, wait=s1, sig=s3",
                               "seq": 3, "source": "t.s:4", "wait": "s1", "sig": "s3"}
    flows = {}
    for e in ev:
        if e["ph"] in "sf":
            flows.setdefault(e["id"], {})[e["ph"]] = (e["name"], e["tid"], e["ts"] * 2)
    assert sorted(flows.values(), key=lambda f: f["s"][0]) == [
        {"s": ("s1", 2, 6.5), "f": ("s1", 3, 14)},       # ME dma.ld -> TE gemm
        {"s": ("s2", 1, 6.5), "f": ("s2", 4, 8)},        # CP sem.sig -> VE vadd.w
        {"s": ("s3", 3, 14), "f": ("s3", 1, 18.5)}]      # TE gemm -> CP sem.wait


def test_time_units():
    out = io.StringIO()
    write(out)                                           # no config: one cycle shown as 1 us
    trace = json.loads(out.getvalue())
    assert validate_trace(trace) == []
    gemm = [e for e in trace["traceEvents"] if e.get("cat") == "te"][0]
    assert (gemm["ts"], gemm["dur"]) == (10, 8)
    assert trace["otherData"]["clock_mhz"] is None
    out = io.BytesIO()
    write(out, config=preset("small"))                   # 700 MHz: us = cycles / 700
    trace = json.loads(out.getvalue())
    gemm = [e for e in trace["traceEvents"] if e.get("cat") == "te"][0]
    assert gemm["ts"] == pytest.approx(10 / 700) and gemm["dur"] == pytest.approx(8 / 700)
    assert validate_trace(trace) == []


def test_unmatched_waits_and_signals_have_no_flows():
    out = io.StringIO()
    w = TraceWriter(out)
    w.feed(events(cp(0, 0, encode("sem.wait", sem=4), 0, 0, 1, wait=4),   # initial count
                  cp(8, 1, encode("sem.sig", sem=5), 1, 1, 2, sig=5)))   # never consumed
    w.close()
    trace = json.loads(out.getvalue())
    assert validate_trace(trace) == []
    assert not [e for e in trace["traceEvents"] if e["ph"] in "sf"]


def test_path_is_written_atomically(tmp_path):
    path = tmp_path / "run.json"
    w = TraceWriter(path)
    for _ in range(300):                                 # streamed: the temporary grows
        w.feed(STREAM)
    assert not path.exists()
    (tmp,) = [p for p in tmp_path.iterdir()]
    assert tmp.name.startswith(".run.json.") and tmp.stat().st_size > 0
    w.close()
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]
    trace = json.loads(path.read_text())
    assert validate_trace(trace) == []
    assert len(trace["traceEvents"]) == 9 + 300 * 20
    assert len(w._pending) == 0 or all(not q for q in w._pending.values())


def test_aborted_run_leaves_nothing(tmp_path):
    path = tmp_path / "run.json"
    with pytest.raises(RuntimeError):
        with TraceWriter(path) as w:
            w.feed(STREAM)
            raise RuntimeError("trap")
    assert list(tmp_path.iterdir()) == []
    with TraceWriter(path) as w:
        w.feed(STREAM[:3])
    assert validate_trace(json.loads(path.read_text())) == []
    assert os.listdir(tmp_path) == ["run.json"]


def test_validator_catches_format_errors():
    ok = {"name": "a", "ph": "X", "ts": 0, "dur": 5, "pid": 1, "tid": 1}
    assert validate_trace([ok]) == []
    assert validate_trace({"traceEvents": [ok], "displayTimeUnit": "us"}) != []
    bad = [
        [dict(ok, dur=None)], [dict(ok, tid="1")], [dict(ok, ts="0")], [dict(ok, ph="Q")],
        [{k: v for k, v in ok.items() if k != "pid"}],
        [ok, dict(ok, ts=3, dur=5)],                                    # partial overlap
        [ok, {"ph": "s", "id": 1, "cat": "c", "name": "f", "ts": 1, "pid": 1, "tid": 1}],
        [ok, {"ph": "s", "id": 1, "cat": "c", "name": "f", "ts": 1, "pid": 1, "tid": 1},
         {"ph": "f", "bp": "e", "id": 1, "cat": "c", "name": "f", "ts": 9, "pid": 1, "tid": 1}],
        [{"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {}}],
    ]
    for events_ in bad:
        assert validate_trace(events_) != [], events_
    nested = [ok, dict(ok, ts=1, dur=2),
              {"ph": "s", "id": 1, "cat": "c", "name": "f", "ts": 1, "pid": 1, "tid": 1},
              {"ph": "f", "bp": "e", "id": 1, "cat": "c", "name": "f", "ts": 4, "pid": 1, "tid": 1}]
    assert validate_trace(nested) == []

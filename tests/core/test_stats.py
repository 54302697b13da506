# Stats: derived figures from raw counters in cycle and functional mode, JSON round trip, the
# aligned text table, and zero cycles.
import json

import pytest

from thead_isa.core.stats import Stats
from thead_isa.isa.config import preset

SMALL = preset("small")            # 4x4 TE, 700 MHz
COUNTERS = dict(
    cycles=1000, instructions=50, cp_instructions=50, cp_stall_queue_me=10, cp_stall_queue_te=5,
    cp_stall_queue_ve=0, cp_stall_sem=7, cp_stall_drain=100,
    me_instructions=4, me_busy=400, me_stall_sem=3, te_instructions=2, te_busy=900,
    te_stall_sem=20, ve_instructions=1, ve_busy=10, ve_stall_sem=0,
    gm_read=4096, gm_written=1024, lm_read=8192, lm_written=4096, acc_read=0, acc_written=256,
    macs=12000)


def test_cycle_mode_figures():
    d = Stats.from_counters(COUNTERS, SMALL, "cycle").as_dict()
    assert d["cycles"] == 1000 and d["instructions"] == 50 and d["timing"] is True
    assert d["cp"] == {"instructions": 50, "stall_cycles": {
        "queue_full_me": 10, "queue_full_te": 5, "queue_full_ve": 0, "sem_wait": 7, "drain": 100}}
    assert d["engines"]["te"] == {"instructions": 2, "busy_cycles": 900, "utilization": 0.9,
                                  "stall_cycles": {"sem_wait": 20, "cp_queue_full": 5}}
    assert d["engines"]["me"]["utilization"] == 0.4
    assert d["memory"]["gm"] == {"read_bytes": 4096, "written_bytes": 1024}
    assert d["memory"]["acc"] == {"read_bytes": 0, "written_bytes": 256}
    assert d["macs"] == 12000 and d["peak_macs_per_cycle"] == 16
    assert d["macs_per_cycle"] == 12.0
    assert d["mac_utilization"] == 0.75
    assert d["effective_tops"] == pytest.approx(2 * 12000 * 700e6 / 1000 / 1e12)
    assert d["peak_tops"] == pytest.approx(SMALL.peak_tops)
    assert d["counters"] == dict(sorted(COUNTERS.items()))


def test_json_round_trip():
    s = Stats.from_counters(COUNTERS, SMALL, "cycle")
    assert json.loads(s.json()) == s.as_dict()
    assert json.loads(s.json(indent=None)) == s.as_dict()


def test_text_table():
    text = Stats.from_counters(COUNTERS, SMALL, "cycle").text()
    assert text.splitlines()[:6] == [
        "mode cycle, config small",
        "cycles 1,000 at 700 MHz, instructions 50",
        "unit  instructions  busy   util  stall queue  stall sem  stall drain",
        "cp              50     -      -           15          7          100",
        "me               4   400  40.0%           10          3            -",
        "te               2   900  90.0%            5         20            -"]
    assert "MACs 12,000; MACs/cycle 12.00 of peak 16 (75.0%); effective TOPS 0.0168 of peak " \
           "0.0224" in text


def test_functional_mode_has_no_timing():
    counters = dict(COUNTERS, cycles=50)
    s = Stats.from_counters(counters, SMALL, "functional")
    d = s.as_dict()
    assert d["timing"] is False and d["cycles"] == 50 and d["macs"] == 12000
    assert d["engines"]["me"]["utilization"] is None
    assert d["cp"]["stall_cycles"]["drain"] is None
    assert d["macs_per_cycle"] is None and d["effective_tops"] is None
    assert d["memory"]["lm"]["read_bytes"] == 8192
    assert "functional mode: no timing model" in s.text()


def test_zero_cycles_and_missing_counters():
    s = Stats.from_counters({}, SMALL, "cycle")
    d = s.as_dict()
    assert d["cycles"] == 0 and d["macs"] == 0
    assert d["engines"]["ve"]["utilization"] is None
    assert d["macs_per_cycle"] is None and d["mac_utilization"] is None
    assert d["effective_tops"] is None
    assert "MACs/cycle - of peak 16 (-)" in s.text()
    with pytest.raises(ValueError):
        Stats.from_counters({}, SMALL, "fast")

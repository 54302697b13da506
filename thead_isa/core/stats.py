# Run statistics: figures derived from the core's raw counters, as a JSON-able dict or a table.
"""Stats.from_counters(counters, config, mode) derives (names as in as_dict()):

- cycles, instructions; cp.instructions; cp.stall_cycles by cause (STALL_CAUSES names:
  queue_full_me/te/ve = the CP waited for room in that engine's queue, sem_wait, drain = sync/halt
  waiting for engines);
- per engine: instructions, busy_cycles, utilization = busy / cycles, stall_cycles.sem_wait (head
  ready and engine free but its semaphore zero), stall_cycles.cp_queue_full (the CP's wait for room
  in this engine's queue, the same figure as cp.stall_cycles.queue_full_<engine>);
- memory: bytes read and written per memory (gm, lm, acc; ACC in bytes);
- macs; macs_per_cycle = macs / cycles; peak_macs_per_cycle = te_rows * te_cols;
  mac_utilization = macs / (cycles * peak); effective_tops = 2 * macs * clock_mhz * 1e6 / cycles
  / 1e12; peak_tops.

Functional mode has no timing model: its `cycles` counter is the instruction count, so every
time-derived figure (utilization, stalls, MACs/cycle, TOPS) is None in as_dict() and the text says
so. A zero cycle count gives None for the ratios instead of dividing by zero. Missing counters
count as 0.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .events import MEM_NAMES, STALL_CAUSES

ENGINES = ("me", "te", "ve")


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


@dataclass(frozen=True)
class Stats:
    mode: str
    data: dict[str, Any]

    @classmethod
    def from_counters(cls, counters: dict, config, mode: str) -> "Stats":
        if mode not in ("functional", "cycle"):
            raise ValueError(f"mode {mode!r} is not 'functional' or 'cycle'")
        c = {k: int(v) for k, v in counters.items()}
        get = lambda name: c.get(name, 0)  # noqa: E731
        timed = mode == "cycle"
        cycles = get("cycles")
        t = (lambda v: v) if timed else (lambda v: None)
        peak = config.te_rows * config.te_cols
        macs = get("macs")
        raw_stall = ("", "cp_stall_queue_me", "cp_stall_queue_te", "cp_stall_queue_ve",
                     "cp_stall_sem", "cp_stall_drain")      # counter of each STALL_CAUSES entry
        cp_stalls = {cause: get(name) for cause, name in zip(STALL_CAUSES[1:], raw_stall[1:])}
        data = {
            "mode": mode,
            "timing": timed,
            "config": getattr(config, "name", None),
            "clock_mhz": config.clock_mhz,
            "cycles": cycles,
            "instructions": get("instructions"),
            "cp": {"instructions": get("cp_instructions"),
                   "stall_cycles": {k: t(v) for k, v in cp_stalls.items()}},
            "engines": {e: {"instructions": get(f"{e}_instructions"),
                            "busy_cycles": t(get(f"{e}_busy")),
                            "utilization": t(_ratio(get(f"{e}_busy"), cycles)),
                            "stall_cycles": {"sem_wait": t(get(f"{e}_stall_sem")),
                                             "cp_queue_full": t(get(f"cp_stall_queue_{e}"))}}
                        for e in ENGINES},
            "memory": {m: {"read_bytes": get(f"{m}_read"), "written_bytes": get(f"{m}_written")}
                       for m in MEM_NAMES},
            "macs": macs,
            "peak_macs_per_cycle": peak,
            "macs_per_cycle": t(_ratio(macs, cycles)),
            "mac_utilization": t(_ratio(macs, cycles * peak)),
            "effective_tops": t(_ratio(2 * macs * config.clock_mhz * 1e6, cycles * 1e12)),
            "peak_tops": 2 * peak * config.clock_mhz * 1e6 / 1e12,
            "counters": dict(sorted(c.items())),
        }
        return cls(mode, data)

    def as_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.data))       # a deep copy, JSON-clean

    def json(self, indent: int | None = 2) -> str:
        return json.dumps(self.data, indent=indent)

    def text(self) -> str:
        d = self.data
        num = lambda v: "-" if v is None else f"{v:,}"  # noqa: E731
        pct = lambda v: "-" if v is None else f"{100 * v:.1f}%"  # noqa: E731
        head = f"mode {d['mode']}" + (f", config {d['config']}" if d["config"] else "")
        lines = [head]
        if d["timing"]:
            lines.append(f"cycles {d['cycles']:,} at {d['clock_mhz']} MHz, "
                         f"instructions {d['instructions']:,}")
        else:
            lines.append(f"functional mode: no timing model (cycles = instructions = "
                         f"{d['instructions']:,}); utilization, stalls, MACs/cycle and TOPS "
                         f"are not measured")
        cp = d["cp"]["stall_cycles"]
        rows = [("unit", "instructions", "busy", "util", "stall queue", "stall sem",
                 "stall drain")]
        queue = None if cp["drain"] is None else sum(cp[f"queue_full_{e}"] for e in ENGINES)
        rows.append(("cp", num(d["cp"]["instructions"]), "-", "-", num(queue),
                     num(cp["sem_wait"]), num(cp["drain"])))
        for e, v in d["engines"].items():
            rows.append((e, num(v["instructions"]), num(v["busy_cycles"]), pct(v["utilization"]),
                         num(v["stall_cycles"]["cp_queue_full"]),
                         num(v["stall_cycles"]["sem_wait"]), "-"))
        lines += _table(rows, left=1)
        lines.append("")
        rows = [("memory", "read bytes", "written bytes")]
        rows += [(m, num(v["read_bytes"]), num(v["written_bytes"]))
                 for m, v in d["memory"].items()]
        lines += _table(rows, left=1)
        lines.append("")
        mpc = "-" if d["macs_per_cycle"] is None else f"{d['macs_per_cycle']:,.2f}"
        tops = "-" if d["effective_tops"] is None else f"{d['effective_tops']:.4f}"
        lines.append(f"MACs {d['macs']:,}; MACs/cycle {mpc} of peak "
                     f"{d['peak_macs_per_cycle']:,} ({pct(d['mac_utilization'])}); "
                     f"effective TOPS {tops} of peak {d['peak_tops']:.4f}")
        lines.append("(stall queue on an engine row: cycles the CP waited for room in its queue)")
        return "\n".join(lines)


def _table(rows: list[tuple], left: int) -> list[str]:
    """Columns padded to their widest cell; the first `left` columns left-aligned, others right."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i < left else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(r, widths))).rstrip() for r in rows]

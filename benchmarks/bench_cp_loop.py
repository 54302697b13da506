# CP dispatch speed: a 4-instruction add/xor/addi/bne loop in functional and cycle mode vs pure Python.
"""Usage: python benchmarks/bench_cp_loop.py [--instructions N] [--config PRESET] [--repeat R]

Runs `loop: add x3, x3, x1; xor x4, x4, x3; addi x1, x1, -1; bne x1, x0, loop` for about N
instructions (default 1e8) on the compiled core in functional mode and in cycle mode, and a
shorter run of the same program on a naive pure-Python interpreter (words decoded once, one
if/elif chain per instruction) in the same process. Each figure is the median of R runs
(default 3), with the range of the runs beside it. All three give the same registers (checked).

Printed ratios: cycle / functional (issue 4's goal: at least 0.5 of the Spike figure, i.e. cycle
mode >= 215 M instr/s), core / pure Python, and core / Spike. The Spike figure, about 430 M
instructions/s on this kind of loop, is the one quoted in issue 4, NOT measured here: Spike
(riscv-isa-sim) has no Debian package on this machine (`apt-cache policy spike`: no candidate),
and building it from source is out of scope for this script.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from thead_isa.core.machine import Machine
from thead_isa.isa import decode, encode

SPIKE_REFERENCE = 430e6        # quoted in issue 4 ("Performance goals"), not measured here
M32 = 0xFFFFFFFF


def loop_program(iterations: int) -> list[int]:
    return [
        encode("addi", rd=1, rs1=0, imm=iterations),
        encode("add", rd=3, rs1=3, rs2=1),
        encode("xor", rd=4, rs1=4, rs2=3),
        encode("addi", rd=1, rs1=1, imm=-1),
        encode("bne", rs1=1, rs2=0, off=-24),
        encode("halt", rs1=0),
    ]


def run_core(words: list[int], config: str, mode: str) -> tuple[int, float, tuple[int, int], int]:
    m = Machine(config, mode=mode)
    m.load(words)
    start = time.perf_counter()
    result = m.run(max_instructions=1 << 62)
    elapsed = time.perf_counter() - start
    assert result.halted and result.trap is None, result
    return result.instructions, elapsed, (m.x[3], m.x[4]), result.cycles


def run_python(words: list[int]) -> tuple[int, float, tuple[int, int], int]:
    """A naive interpreter of the same words: the baseline the issue quotes (7-9 M/s)."""
    code = []
    for w in words:
        d = decode(w)
        v = d.values
        code.append((d.mnemonic, v.get("rd", 0), v.get("rs1", 0), v.get("rs2", 0),
                     v.get("imm", v.get("off", 0))))
    x = [0] * 32
    pc = n = 0
    start = time.perf_counter()
    while True:
        mn, rd, rs1, rs2, imm = code[pc >> 3]
        n += 1
        if mn == "add":
            x[rd] = (x[rs1] + x[rs2]) & M32
        elif mn == "xor":
            x[rd] = x[rs1] ^ x[rs2]
        elif mn == "addi":
            x[rd] = (x[rs1] + imm) & M32
        elif mn == "bne":
            if x[rs1] != x[rs2]:
                pc += imm
                continue
        elif mn == "halt":
            break
        x[0] = 0
        pc += 8
    return n, time.perf_counter() - start, (x[3], x[4]), n


def measure(fn, repeat: int) -> dict:
    """Median and range of instructions/s over `repeat` runs of fn() -> (n, seconds, regs, cycles)."""
    runs = [fn() for _ in range(repeat)]
    rates = sorted(n / t for n, t, _, _ in runs)
    n, _, regs, cycles = runs[0]
    return {"n": n, "regs": regs, "cycles": cycles, "median": statistics.median(rates),
            "lo": rates[0], "hi": rates[-1],
            "seconds": statistics.median(t for _, t, _, _ in runs)}


def line(label: str, r: dict) -> str:
    return (f"{label:<16}: {r['n']:>12,} instructions, median {r['seconds']:7.3f} s = "
            f"{r['median'] / 1e6:8.1f} M instr/s (range {r['lo'] / 1e6:.1f}-{r['hi'] / 1e6:.1f})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instructions", type=float, default=1e8)
    ap.add_argument("--python-instructions", type=float, default=2e6)
    ap.add_argument("--config", default="default")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; median and range printed")
    args = ap.parse_args(argv)

    load = os.getloadavg()
    print(f"host: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"before the run; config {args.config}; {args.repeat} runs each")
    core_words = loop_program(int(args.instructions) // 4)
    func = measure(lambda: run_core(core_words, args.config, "functional"), args.repeat)
    cyc = measure(lambda: run_core(core_words, args.config, "cycle"), args.repeat)
    py_words = loop_program(int(args.python_instructions) // 4)
    py = measure(lambda: run_python(py_words), args.repeat)

    assert func["regs"] == cyc["regs"], f"functional {func['regs']} != cycle {cyc['regs']}"
    _, _, check, _ = run_core(py_words, args.config, "functional")
    assert check == py["regs"], f"core {check} != python {py['regs']}"

    print(line("functional core", func))
    print(line("cycle core", cyc) + f"; {cyc['cycles']:,} simulated cycles "
          f"({cyc['cycles'] / cyc['n']:.2f}/instr, {cyc['cycles'] / cyc['seconds'] / 1e6:.1f} "
          f"M cycles/s)")
    print(line("pure Python", py))
    f, c, p = func["median"], cyc["median"], py["median"]
    print(f"cycle / functional: {c / f:.2f}")
    print(f"core / Python: functional {f / p:.0f}x, cycle {c / p:.0f}x")
    print(f"vs Spike {SPIKE_REFERENCE / 1e6:.0f} M instr/s (figure quoted in issue 4, not measured "
          f"here): functional {f / SPIKE_REFERENCE:.2f} (goal >= 1), cycle "
          f"{c / SPIKE_REFERENCE:.2f} (goal >= 0.5)")
    load = os.getloadavg()
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

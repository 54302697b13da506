# CP dispatch speed: a 4-instruction add/xor/addi/bne loop in functional mode vs a pure-Python loop.
"""Usage: python benchmarks/bench_cp_loop.py [--instructions N] [--config PRESET]

Runs `loop: add x3, x3, x1; xor x4, x4, x3; addi x1, x1, -1; bne x1, x0, loop` for about N
instructions (default 1e8) on the compiled functional core, and a shorter run of the same program
on a naive pure-Python interpreter (words decoded once, one if/elif chain per instruction) in the
same process, and prints instructions per second for both (the fastest of --repeat runs). The
issue's reference figure for Spike on this kind of loop is about 430 M instructions/s on the
project's machine.
"""
from __future__ import annotations

import argparse
import time

from thead_isa.core.machine import Machine
from thead_isa.isa import decode, encode

SPIKE_REFERENCE = 430e6
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


def run_core(words: list[int], config: str) -> tuple[int, float, tuple[int, int]]:
    m = Machine(config)
    m.load(words)
    start = time.perf_counter()
    result = m.run(max_instructions=1 << 62)
    elapsed = time.perf_counter() - start
    assert result.halted and result.trap is None, result
    return result.instructions, elapsed, (m.x[3], m.x[4])


def run_python(words: list[int]) -> tuple[int, float, tuple[int, int]]:
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
    return n, time.perf_counter() - start, (x[3], x[4])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instructions", type=float, default=1e8)
    ap.add_argument("--python-instructions", type=float, default=2e6)
    ap.add_argument("--config", default="default")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest is reported")
    args = ap.parse_args(argv)

    core_words = loop_program(int(args.instructions) // 4)
    n_core, t_core, _ = min((run_core(core_words, args.config) for _ in range(args.repeat)),
                            key=lambda r: r[1])
    py_words = loop_program(int(args.python_instructions) // 4)
    n_py, t_py, regs_py = min((run_python(py_words) for _ in range(args.repeat)),
                              key=lambda r: r[1])
    _, _, check = run_core(loop_program(int(args.python_instructions) // 4), args.config)
    assert check == regs_py, f"core {check} != python {regs_py}"

    core_rate, py_rate = n_core / t_core, n_py / t_py
    print(f"functional core : {n_core:>12,} instructions in {t_core:7.3f} s = "
          f"{core_rate / 1e6:8.1f} M instr/s")
    print(f"pure Python     : {n_py:>12,} instructions in {t_py:7.3f} s = "
          f"{py_rate / 1e6:8.1f} M instr/s")
    print(f"ratio core / Python: {core_rate / py_rate:.0f}x; "
          f"core / Spike reference ({SPIKE_REFERENCE / 1e6:.0f} M/s, not measured here): "
          f"{core_rate / SPIKE_REFERENCE:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

# Benchmark: thead-as on a generated 100,000-line program, beside GNU as on a like-sized x86 file.
"""Run: python benchmarks/bench_assembler.py [LINES]

Prints lines/s for thead_isa.assembler.assemble (parse, expand, encode, lay out; no file I/O)
and, when GNU as is installed, for `as` assembling an x86-64 file of the same line count and a
similar mix (labels, ALU, loads/stores, branches, data), measured in the same run. The ratio is
what to read; absolute figures depend on the machine.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from thead_isa.assembler import assemble

NPU_BLOCK = """\
loop{n}: addi x1, x1, 1
        add x2, x2, x1
        lw x3, 8(x4)
        sw x3, 16(x4)
        csrwi te_m, 64
        gemm x5, x6, x7, acc, wait=s0, sig=s1
        xor x8, x8, x2
        bne x1, x9, loop{n}
"""
X86_BLOCK = """\
loop{n}: addl $1, %eax
        addl %eax, %ebx
        movl 8(%rsi), %ecx
        movl %ecx, 16(%rsi)
        movl $64, %edx
        imull %ecx, %edx
        xorl %ebx, %r8d
        cmpl %r9d, %eax
        jne loop{n}
"""


def generate(block: str, lines: int) -> str:
    per = block.count("\n")
    body = "".join(block.format(n=n) for n in range(lines // per))
    return "\t.text\n" + body


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(lines: int = 100_000) -> None:
    npu = generate(NPU_BLOCK, lines)
    n_npu = npu.count("\n")
    t_npu = best_of(3, lambda: assemble(npu, filename="bench.s"))
    print(f"thead-as : {n_npu:>7} lines in {t_npu:6.3f} s = {n_npu / t_npu:>12,.0f} lines/s")
    gas = shutil.which("as")
    if gas is None:
        print("GNU as   : not installed, no baseline")
        return
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "bench.s"
        src.write_text(generate(X86_BLOCK, lines))
        n_x86 = src.read_text().count("\n")
        t_gas = best_of(3, lambda: subprocess.run([gas, "-o", str(Path(d) / "bench.o"), str(src)],
                                                  check=True))
    print(f"GNU as   : {n_x86:>7} lines in {t_gas:6.3f} s = {n_x86 / t_gas:>12,.0f} lines/s "
          f"(x86-64, process start included)")
    print(f"ratio    : thead-as runs at {(n_npu / t_npu) / (n_x86 / t_gas):.3f} x GNU as's speed")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:2]))

# Benchmark: thead-as on a generated 100,000-line program, beside GNU as on a like-sized x86 file.
"""Run: python benchmarks/bench_assembler.py [LINES] [RUNS]

Prints lines/s for thead_isa.assembler.assemble followed by write_elf: source text to the bytes of
the ELF file (read, parse, match, encode, lay out, symbols, line table; not the listing, which
thead-as builds only for -a; no file I/O) and, when GNU as is installed, for `as` assembling an x86-64 file of the same
line count and the same mix, measured in the same run. The ratio is what to read; absolute
figures depend on the machine. Each figure is the median of RUNS runs (default 5); the parser's
caches of statements seen are cleared (and garbage collected) before each run, so no run reuses
work of another.

The program is like compiler or generator output: blocks of 20 lines with a comment line, a blank
line, labels on lines of their own and before instructions, scalar ALU, loads and stores, pseudo-
instructions (li, la, beqz, j), a CSR write, a TE instruction with options, backward and forward
branches (named and local `1f`), a forward reference into .data, section switches, trailing
comments and .word data. Registers, immediates and offsets vary from block to block, so few
lines repeat. Every fifth block also has an `.equ` whose value is an expression with operators
(statements like that go through the Lark grammar, not the fast path) and uses it.
"""
from __future__ import annotations

import gc
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from thead_isa.assembler import assemble
from thead_isa.assembler.elf import write_elf
from thead_isa.assembler.grammar import clear_caches, parser

NPU_BLOCK = """\
# tile {n}: load a row, scale it, multiply-accumulate on the TE, store the sum
tile{n}:
        li      x{r1}, {imm}              # element count
        addi    x{r2}, x{r2}, {small}
        add     x{r3}, x{r2}, x{r1}
        lw      x{r4}, {off}(x{r5})
        sw      x{r4}, {off2}(x{r5})
        la      x{r6}, buf{n}             # forward reference into .data
        csrwi   te_m, {m}
        gemm    x{r7}, x{r8}, x{r9}, acc, wait=s{s1}, sig=s{s2}
        beqz    x{r1}, 1f
        xor     x{r3}, x{r3}, x{r2}
        slli    x{r3}, x{r3}, {sh}
1:      bne     x{r1}, x{r2}, tile{n}
        j       next{n}                   # forward branch

        .data
buf{n}: .word   {v}, -{w}, tile{n}
        .text
next{n}:
"""
NPU_EXTRA = """\
        .equ    SIZE{n}, {m} * {sh} + 8
        li      x{r6}, SIZE{n}
"""
X86_BLOCK = """\
# tile {n}: load a row, scale it, multiply-accumulate, store the sum
tile{n}:
        movl    ${imm}, %eax              # element count
        addl    ${small}, %ebx
        leal    (%ebx,%eax), %ecx
        movl    {off}(%rsi), %edx
        movl    %edx, {off2}(%rsi)
        leaq    buf{n}(%rip), %rdi        # forward reference into .data
        movl    ${m}, %r8d
        imull   %ecx, %edx
        testl   %eax, %eax
        je      1f
        xorl    %ebx, %ecx
        shll    ${sh}, %ecx
1:      cmpl    %ebx, %eax
        jne     tile{n}                   # forward branch

        .data
buf{n}: .long   {v}, -{w}, tile{n}
        .text
next{n}:
"""
X86_EXTRA = """\
        .equ    SIZE{n}, {m} * {sh} + 8
        movl    $SIZE{n}, %r9d
"""


def fields(n: int) -> dict[str, int]:
    """Operand values of block n: registers x1..x31, semaphores, immediates and offsets vary."""
    reg = [(n * 7 + k * 5) % 31 + 1 for k in range(10)]
    return dict(n=n, **{f"r{k}": reg[k] for k in range(1, 10)}, imm=(n * 37) % 4000,
                small=(n % 17) - 8, off=8 * (n % 50), off2=8 * (n % 50) + 4, m=1 + n % 64,
                s1=n % 16, s2=(n + 3) % 16, sh=n % 32, v=n * 3, w=n % 1000)


def generate(block: str, extra: str, lines: int) -> str:
    out, total, n = ["\t.text\n"], 1, 0
    per, per_extra = block.count("\n"), extra.count("\n")
    while total + per <= lines:
        out.append(block.format(**fields(n)))
        total += per
        if n % 5 == 4 and total + per_extra <= lines:
            out.append(extra.format(**fields(n)))
            total += per_extra
        n += 1
    return "".join(out)


def fresh() -> None:
    """A cold start for the next run: no remembered statements, no garbage of the last run."""
    clear_caches()
    gc.collect()


def timed(runs: int, fn, before=lambda: None) -> list[float]:
    times = []
    for _ in range(runs):
        before()
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        del result                           # freeing the Program is not part of assembling
    return times


def main(lines: int = 100_000, runs: int = 5) -> None:
    npu = generate(NPU_BLOCK, NPU_EXTRA, lines)
    n_npu = npu.count("\n")
    assemble("nop\n")
    parser()                                 # builds the Lark parser once, as any long-lived process
    # source text to ELF bytes, as `thead-as -o` does (GNU as writes its object file too);
    # the listing is not built (thead-as builds it only for -a)
    times = timed(runs, lambda: write_elf(assemble(npu, filename="bench.s")), fresh)
    t_npu = statistics.median(times)
    print(f"thead-as : {n_npu:>7} lines in {t_npu:6.3f} s = {n_npu / t_npu:>12,.0f} lines/s "
          f"(median of {runs}; runs: {', '.join(f'{n_npu / t:,.0f}' for t in times)})")
    gas = shutil.which("as")
    if gas is None:
        print("GNU as   : not installed, no baseline")
        return
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "bench.s"
        src.write_text(generate(X86_BLOCK, X86_EXTRA, lines))
        n_x86 = src.read_text().count("\n")
        t_gas = statistics.median(timed(runs, lambda: subprocess.run(
            [gas, "-o", str(Path(d) / "bench.o"), str(src)], check=True)))
    print(f"GNU as   : {n_x86:>7} lines in {t_gas:6.3f} s = {n_x86 / t_gas:>12,.0f} lines/s "
          f"(x86-64, process start included, median of {runs})")
    print(f"ratio    : thead-as runs at {(n_npu / t_npu) / (n_x86 / t_gas):.3f} x GNU as's speed")


if __name__ == "__main__":
    main(*map(int, sys.argv[1:3]))

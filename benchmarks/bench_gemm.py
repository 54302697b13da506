# Int8 GEMM through TE instructions (functional and cycle mode) beside numpy and ONNX Runtime.
"""Usage: python benchmarks/bench_gemm.py [--size M[xKxN]] [--config PRESET] [--tile MTxNT]
          [--activations int8|uint8|both] [--repeat R] [--path auto|scalar|avx2|avx512vnni]
          [--no-cycle] [--check-races]

Builds (with thead_isa.isa.encode; no assembler needed) a program that computes
C[M][N] = A[M][K] @ B[K][N] (int8 or uint8 A, int8 B, int32 C; default 1024^3) on the Machine:

    GM --dma.ld--> LM (A and B whole)        ME, once; sig s0
    per C tile [MT][NT] t (row-major order of tiles):
      gemm    ACC[t%2] <- A[i rows] @ B[j cols]    TE, K whole; waits s0 (t=0) or s1 (t>=2); sig s2
      vacc.st LM stage[t%2] <- ACC[t%2]             VE; waits s2; sig s3
      dma.st  GM C[i][j] <- LM stage[t%2]           ME; waits s3; sig s1 (last two: s4)
    sem.wait s4 twice (the CP waits for the last two stores); halt

ACC and the LM staging buffer are double-buffered, so in cycle mode the TE computes tile t+1
while the VE and ME drain tile t. The program is race-free (each gemm waits for the store of the
tile two back, which waited for that tile's vacc.st; each vacc.st waits for its gemm;
--check-races confirms it), so both modes give the same C; every run's C is checked bit-exact
against numpy's int32 matmul of the same data. The default tile is the largest with two tiles in
ACC, the squarest of those (`default`, ACC 64 Ki words: 256 x 128).

Both activation types are measured by default, because ONNX Runtime's speed depends on it: its
MLAS kernels for uint8 x int8 use VNNI, while int8 x int8 falls back to a far slower path on this
host (about 6 vs 240 G MAC/s at 1024^3). The core runs `gemm` (int8 A) and `gemm ..., u` (uint8 A).

Printed, each as the median and range of R runs (default 3, after one warm-up), in one process:
- functional mode: host G MAC/s of the whole program run (M*N*K / seconds of Machine.run);
- numpy: int32 matmul of the same operands (no BLAS for integers), timed once; it is the
  reference (the uint8 reference is derived from it: (A + 128) @ B = A @ B + 128 * colsum(B));
- ONNX Runtime, single-threaded (intra_op_num_threads=1): QLinearMatMul (8-bit out, requantized)
  and MatMulInteger (int32 out: the exact equivalent, checked bit-exact) on the same shape, B a
  constant initializer; "onnxruntime not installed" without it (pip install 'thead-isa[bench]');
- cycle mode: simulated cycles per host second (issue 4's goal: >= 1e8), the cycle count, TE
  utilization and MAC utilization from result.stats.as_dict().
Ratios: functional / numpy, functional / ORT; issue 4's goal is >= 40 G MAC/s on one thread.
The core's GEMM kernel runs on the calling thread only.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import numpy as np

from thead_isa.core.kernels import te as te_kernels
from thead_isa.core.machine import Machine
from thead_isa.isa import encode
from thead_isa.isa.config import load_config
from thead_isa.isa.csrs import BY_NAME

GOAL_GMACS = 40e9
GOAL_CYCLES_PER_S = 1e8


# ---- the program ---------------------------------------------------------------------------

def _align(v: int, a: int = 64) -> int:
    return (v + a - 1) // a * a


def csrwi(name: str, value: int) -> int:
    return encode("csrwi", csr=BY_NAME[name].number, imm=value)


def li(rd: int, value: int) -> int:
    return encode("addi", rd=rd, rs1=0, imm=value)


def dma_shape(rows: int, cols: int, sstride: int, dstride: int) -> list[int]:
    return [csrwi("dma_rows", rows), csrwi("dma_cols", cols),
            csrwi("dma_sstride", sstride), csrwi("dma_dstride", dstride)]


def layout(cfg, m: int, k: int, n: int, mt: int, nt: int) -> dict:
    gm_a, gm_b = 0, _align(m * k)
    gm_c = _align(gm_b + k * n)
    lm_a, lm_b = 0, _align(m * k)
    lm_s0 = _align(lm_b + k * n)
    lm_s1 = lm_s0 + _align(mt * nt * 4)
    problems = []
    if m % mt or n % nt:
        problems.append(f"tile {mt}x{nt} does not divide C {m}x{n}")
    if 2 * mt * nt > cfg.acc_words:
        problems.append(f"two ACC tiles of {mt}x{nt} words exceed acc_words {cfg.acc_words}")
    if lm_s1 + mt * nt * 4 > cfg.lm_bytes:
        problems.append(f"A, B and two int32 staging tiles ({lm_s1 + mt * nt * 4:,} bytes) exceed "
                        f"LM ({cfg.lm_bytes:,} bytes); this script keeps A and B resident in LM")
    if gm_c + m * n * 4 > cfg.gm_bytes:
        problems.append(f"A, B and C ({gm_c + m * n * 4:,} bytes) exceed GM ({cfg.gm_bytes:,})")
    if max(m, n, k, mt, nt * 4) > 65535:
        problems.append("a dimension exceeds the 16-bit te_*/dma_* CSR ranges")
    if problems:
        raise SystemExit("cannot build the program: " + "; ".join(problems))
    return dict(gm_a=gm_a, gm_b=gm_b, gm_c=gm_c, lm_a=lm_a, lm_b=lm_b, lm_s=(lm_s0, lm_s1),
                acc=(0, mt * nt))


def gemm_program(cfg, m: int, k: int, n: int, mt: int, nt: int,
                 unsigned_a: bool = False) -> tuple[list[int], dict]:
    lay = layout(cfg, m, k, n, mt, nt)
    w = [*dma_shape(m, k, k, k), li(1, lay["lm_a"]), li(2, lay["gm_a"]),
         encode("dma.ld", lm=1, gm=2),
         *dma_shape(k, n, n, n), li(3, lay["lm_b"]), li(4, lay["gm_b"]),
         encode("dma.ld", lm=3, gm=4, sig=0),            # ME in order: s0 = A and B in LM
         csrwi("te_m", mt), csrwi("te_n", nt), csrwi("te_k", k),
         csrwi("te_lda", k), csrwi("te_ldb", n), csrwi("te_ldc", nt),
         csrwi("ve_rows", mt), csrwi("ve_cols", nt),
         *dma_shape(mt, nt * 4, nt * 4, n * 4)]          # every store: one int32 tile into C
    tiles = [(i, j) for i in range(m // mt) for j in range(n // nt)]
    for t, (i, j) in enumerate(tiles):
        wait = {"wait": 0} if t == 0 else ({"wait": 1} if t >= 2 else {})
        w += [li(5, lay["lm_a"] + i * mt * k), li(6, lay["lm_b"] + j * nt),
              li(7, lay["acc"][t % 2]),
              encode("gemm", c=7, a=5, b=6, u=unsigned_a, sig=2, **wait),
              li(8, lay["lm_s"][t % 2]),
              encode("vacc.st", dst=8, src=7, wait=2, sig=3),
              li(9, lay["gm_c"] + (i * mt * n + j * nt) * 4),
              # a gemm waits for this store two tiles on; the CP waits for the last two (on
              # their own semaphore: a CP sem.wait on s1 could take a signal meant for a gemm)
              encode("dma.st", gm=9, lm=8, wait=3, sig=1 if t + 2 < len(tiles) else 4)]
    w += [encode("sem.wait", sem=4)] * min(2, len(tiles))
    w.append(encode("halt", rs1=0))
    return w, lay


def run_machine(cfg, mode: str, words, lay, a, b, observers=()) -> tuple[float, np.ndarray, object]:
    mach = Machine(cfg, mode=mode)
    mach.load(words)
    mach.write(lay["gm_a"], a)
    mach.write(lay["gm_b"], b)
    start = time.perf_counter()
    result = mach.run(max_instructions=1 << 40, observers=observers)
    elapsed = time.perf_counter() - start
    if not result.halted or result.trap is not None or result.exit_code != 0:
        raise SystemExit(f"{mode} run did not halt cleanly: {result.trap}")
    c = mach.read(lay["gm_c"], np.int32, (a.shape[0], b.shape[1])).copy()
    return elapsed, c, result


# ---- baselines -----------------------------------------------------------------------------

def ort_sessions(a: np.ndarray, b: np.ndarray):
    """(version, QLinearMatMul session, MatMulInteger session) on one thread for activations of
    a's dtype (int8 or uint8), or None without onnxruntime."""
    try:
        import onnx
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return None
    m, k = a.shape
    n = b.shape[1]
    a_type = TensorProto.UINT8 if a.dtype == np.uint8 else TensorProto.INT8

    def scalar(name, dtype, value):
        return numpy_helper.from_array(np.array(value, dtype=dtype), name)

    def session(node, inits, out_type):
        graph = helper.make_graph(
            [node], node.op_type,
            [helper.make_tensor_value_info("a", a_type, [m, k])],
            [helper.make_tensor_value_info("y", out_type, [m, n])],
            initializer=[numpy_helper.from_array(b, "b"), *inits])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
        model.ir_version = 8
        onnx.checker.check_model(model)
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        return ort.InferenceSession(model.SerializeToString(), so,
                                    providers=["CPUExecutionProvider"])

    qlinear = session(
        helper.make_node("QLinearMatMul", ["a", "a_s", "a_zp", "b", "b_s", "b_zp", "y_s", "y_zp"],
                         ["y"]),
        [scalar("a_s", np.float32, 0.02), scalar("a_zp", a.dtype, 0),
         scalar("b_s", np.float32, 0.02), scalar("b_zp", np.int8, 0),
         scalar("y_s", np.float32, 0.02 * 0.02 * 128 * np.sqrt(k)), scalar("y_zp", a.dtype, 0)],
        a_type)
    integer = session(helper.make_node("MatMulInteger", ["a", "b"], ["y"]), [], TensorProto.INT32)
    return ort.__version__, qlinear, integer


def timed(fn, repeat: int) -> tuple[list[float], object]:
    out = fn()                                          # warm-up (ORT plans and packs B here)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def rates(macs: int, times: list[float]) -> tuple[float, float, float]:
    r = sorted(macs / t for t in times)
    return statistics.median(r), r[0], r[-1]


def fmt(r: tuple[float, float, float], scale: float = 1e9, unit: str = "G MAC/s") -> str:
    return f"{r[0] / scale:8.2f} {unit} (range {r[1] / scale:.2f}-{r[2] / scale:.2f})"


def host_info() -> str:
    model, flags = platform.processor() or "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name") and model in ("?", "", "x86_64"):
                    model = ln.split(":", 1)[1].strip()
                elif ln.startswith("flags"):
                    flags = set(ln.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    present = ", ".join(f"{f} {'yes' if f in flags else 'no'}"
                        for f in ("avx2", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni"))
    return f"{model}; {os.cpu_count()} CPUs; {present}"


# ---- main ----------------------------------------------------------------------------------

def default_tile(cfg, m: int, n: int) -> tuple[int, int]:
    """The largest C tile MT x NT (MT | M, NT | N) with two tiles in ACC; the squarest of those,
    MT >= NT on a tie. (With te_fold_pipeline off, MT = M gives the best TE utilization in cycle
    mode, fill and drain per fold being R + C - 2 cycles against MT rows, but runs slower on the
    host: --tile 1024x32. With it on, as in default and hg800, fill and drain are paid once per
    gemm and the tile shape matters little to the TE.)"""
    best = None
    for mt in (d for d in range(1, m + 1) if m % d == 0):
        for nt in (d for d in range(1, n + 1) if n % d == 0 and 2 * mt * d <= cfg.acc_words):
            key = (mt * nt, -abs(mt - nt), mt >= nt)
            if best is None or key > best[0]:
                best = (key, (mt, nt))
    return best[1]


def bench_kind(label, a, b, ref, cfg, words, lay, macs, args) -> dict:
    """Functional, ORT and cycle figures for one activation type (a int8 or uint8)."""
    r: dict = {"label": label}
    run_machine(cfg, "functional", words, lay, a, b)                   # warm-up
    times, exact = [], True
    for _ in range(args.repeat):
        t, c, _ = run_machine(cfg, "functional", words, lay, a, b)
        times.append(t)
        exact &= np.array_equal(c, ref)
    r["func"], r["func_ms"], r["func_exact"] = rates(macs, times), statistics.median(times), exact

    sessions = ort_sessions(a, b)
    if sessions is not None:
        r["ort_version"], qlinear, integer = sessions
        q_times, _ = timed(lambda: qlinear.run(None, {"a": a})[0], args.repeat)
        i_times, out = timed(lambda: integer.run(None, {"a": a})[0], args.repeat)
        r["qlinear"], r["integer"] = rates(macs, q_times), rates(macs, i_times)
        r["ort_exact"] = np.array_equal(out, ref)

    if not args.no_cycle:
        times, exact, res = [], True, None
        for _ in range(args.repeat):
            t, c, res = run_machine(cfg, "cycle", words, lay, a, b)
            times.append(t)
            exact &= np.array_equal(c, ref)
        r["cyc_gmacs"], r["cyc_ms"], r["cyc_exact"] = rates(macs, times), statistics.median(times), exact
        r["cycles"], r["stats"] = res.cycles, res.stats.as_dict()
        r["cps"] = rates(res.cycles, times)
    if args.check_races:
        from thead_isa.core.races import RaceChecker
        rc = RaceChecker()
        run_machine(cfg, "cycle", words, lay, a, b, observers=[rc])
        rc.close()
        r["races"] = rc.report()
    return r


def report(r: dict, np_rate: float) -> list[str]:
    yes = lambda v: "yes" if v else "NO"  # noqa: E731
    p = f"[{r['label']}]"
    out = [f"{p} functional core : {fmt(r['func'])}; median {r['func_ms'] * 1e3:.1f} ms; "
           f"bit-exact vs numpy: {yes(r['func_exact'])}"]
    if "qlinear" not in r:
        out.append(f"{p} onnxruntime not installed (pip install 'thead-isa[bench]')")
    else:
        v = r["ort_version"]
        out.append(f"{p} ORT {v} QLinearMatMul, 1 thread: {fmt(r['qlinear'])}")
        out.append(f"{p} ORT {v} MatMulInteger, 1 thread: {fmt(r['integer'])}; bit-exact vs "
                   f"numpy: {yes(r['ort_exact'])}")
    ratio = f"{p} ratios: functional / numpy {r['func'][0] / np_rate:.0f}x"
    if "qlinear" in r:
        ratio += (f"; functional / ORT QLinearMatMul {r['func'][0] / r['qlinear'][0]:.2f}; "
                  f"functional / ORT MatMulInteger {r['func'][0] / r['integer'][0]:.2f}")
    out.append(ratio)
    if "cps" in r:
        st = r["stats"]
        te = st["engines"]["te"]
        out.append(f"{p} cycle core      : {fmt(r['cps'], 1e6, 'M simulated cycles/s')}; median "
                   f"{r['cyc_ms'] * 1e3:.1f} ms = {r['cyc_gmacs'][0] / 1e9:.1f} G MAC/s host; "
                   f"bit-exact vs numpy: {yes(r['cyc_exact'])}")
        out.append(f"{p}   {r['cycles']:,} simulated cycles at {st['clock_mhz']} MHz; TE busy "
                   f"{te['busy_cycles']:,} ({100 * te['utilization']:.1f}% of cycles); MACs/cycle "
                   f"{st['macs_per_cycle']:.1f} of peak {st['peak_macs_per_cycle']} "
                   f"({100 * st['mac_utilization']:.1f}%)")
    if "races" in r:
        out.append(f"{p} race checker (cycle mode): {r['races']}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1024", help="M, or MxKxN (default 1024: 1024^3)")
    ap.add_argument("--config", default="default")
    ap.add_argument("--tile", default=None, help="C tile MTxNT (default: see default_tile)")
    ap.add_argument("--activations", choices=("int8", "uint8", "both"), default="both",
                    help="A as int8 (gemm) or uint8 (gemm ..., u); B is int8 in both")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of each; median and range")
    ap.add_argument("--path", default="auto", help="force a GEMM kernel path of the core")
    ap.add_argument("--no-cycle", action="store_true", help="skip the cycle-mode runs")
    ap.add_argument("--check-races", action="store_true",
                    help="also run cycle mode once under the race checker (slow at 1024^3)")
    args = ap.parse_args(argv)

    dims = [int(v) for v in args.size.lower().split("x")]
    m, k, n = dims * 3 if len(dims) == 1 else dims
    cfg = load_config(args.config)
    mt, nt = ((int(v) for v in args.tile.lower().split("x")) if args.tile
              else default_tile(cfg, m, n))
    macs = m * n * k

    load = os.getloadavg()
    print(f"host: {host_info()}")
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} before the run; "
          f"{args.repeat} timed runs of each after one warm-up")
    te_kernels.set_gemm_path(args.path)
    available = te_kernels.gemm_paths()
    used = te_kernels.gemm_path()
    print(f"core GEMM kernel path: {used}" + (" (auto: the best of the host's paths "
          f"{', '.join(available)})" if args.path == "auto" else " (forced)"))
    tiles = (m // mt) * (n // nt)
    print(f"GEMM {m}x{k} @ {k}x{n} -> int32 ({macs / 1e9:.3f} G MAC); config {cfg.name}: "
          f"TE {cfg.te_rows}x{cfg.te_cols}, LM {cfg.lm_bytes >> 20} MiB, ACC {cfg.acc_words:,} "
          f"words; C tile {mt}x{nt}, {tiles} tiles")

    rng = np.random.default_rng(2026)
    a8 = rng.integers(-128, 128, (m, k), dtype=np.int8)
    b = rng.integers(-128, 128, (k, n), dtype=np.int8)
    start = time.perf_counter()                     # numpy: the reference, timed once
    ref8 = a8.astype(np.int32) @ b.astype(np.int32)
    t_np = time.perf_counter() - start
    np_rate = macs / t_np
    print(f"numpy int32 matmul: {np_rate / 1e9:.3f} G MAC/s ({t_np:.2f} s, one run, {m}x{k}x{n}; "
          f"the int8-A reference)")

    kinds = []
    if args.activations in ("int8", "both"):
        kinds.append(("int8 A", a8, ref8, False))
    if args.activations in ("uint8", "both"):
        # a8 ^ 0x80 as uint8 is a8 + 128, so A_u @ B = A_s @ B + 128 * (column sums of B)
        au = a8.view(np.uint8) ^ np.uint8(0x80)
        kinds.append(("uint8 A", au, ref8 + 128 * b.sum(axis=0, dtype=np.int32), True))
    results = []
    for label, a, ref, unsigned in kinds:
        words, lay = gemm_program(cfg, m, k, n, mt, nt, unsigned)
        results.append(bench_kind(label, a, b, ref, cfg, words, lay, macs, args))
    print(f"program: {len(words)} instructions")
    print()
    for r in results:
        print("\n".join(report(r, np_rate)))
    print()
    for r in results:
        f = r["func"][0]
        line = (f"[{r['label']}] goal >= {GOAL_GMACS / 1e9:.0f} G MAC/s on one thread: "
                f"{'met' if f >= GOAL_GMACS else 'NOT met'} ({f / 1e9:.1f})")
        if "cps" in r:
            c = r["cps"][0]
            line += (f"; goal >= {GOAL_CYCLES_PER_S:.0e} simulated cycles/s: "
                     f"{'met' if c >= GOAL_CYCLES_PER_S else 'NOT met'} ({c:.3g})")
        print(line)
    load = os.getloadavg()
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ok = all(r["func_exact"] and r.get("cyc_exact", True) and r.get("ort_exact", True)
             for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

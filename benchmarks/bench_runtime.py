# Runtime efficiency: GEMM and ResNet-50 conv TE utilization (naive vs optimized), digits host speed.
"""Usage: python benchmarks/bench_runtime.py [gemm] [resnet50] [resnet] [digits] [--config NAME]

gemm      dense 512x512x512 in cycle mode: the naive kernel (one buffer, nothing overlaps, the
          widest tiles), the pipelined kernel with the same rule for tiles (double buffering
          alone), and the pipelined kernel with tiles timed by the cost model, side by side.
resnet50  the 53 convolution layers of ResNet-50 v1.5 (23 distinct shapes, random int8 weights),
          one image, cycle mode: per layer cycles and TE utilization, naive and pipelined; the
          MAC-weighted average utilization and images/s at the configured clock. Anchor:
          Hanguang 800's 78,563 images/s at 825 TOPS peak is ~78% MAC utilization.
resnet    the small ResNet-style network of thead_isa.runtime.models.resnet, per-layer profile.
digits    host speed of the digits CNN and MLP through the emulator in functional mode, one image
          at a time and batched (images/s), beside numpy's float forward in the same run.
Every run checks the NPU's outputs against the numpy integer reference.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from thead_isa.runtime import Device, Graph, QParams, profile_table
from thead_isa.runtime.models.resnet import conv_layer_graph, resnet50_conv_layers, resnet_style


def _run(graph, device, x, pipelined=True, tiling=None):
    compiled = graph.compile(device, batch=x.shape[0], pipelined=pipelined, tiling=tiling)
    try:
        outs, records = compiled.run(x)
    finally:
        compiled.free()
    exact = all(np.array_equal(o, r) for o, r in zip(outs, graph.reference(x)))
    if not exact:
        raise SystemExit("FAILED: the NPU's output differs from the numpy reference")
    return records


def bench_gemm(config: str) -> None:
    rng = np.random.default_rng(0)
    m = k = n = 512
    g = Graph((k,), QParams(0.05, 0, "int8"))
    g.output(g.dense(g.input, (rng.normal(size=(k, n)) * 0.05).astype(np.float32), None,
                     QParams(0.1, 0, "int8")))
    x = rng.integers(-128, 128, (m, k), dtype=np.int8)
    dev = Device(config, "cycle")
    rows = []
    for label, pipelined, tiling in (("naive (1 buffer, serial)", False, "widest"),
                                     ("double buffered, widest tiles", True, "widest"),
                                     ("double buffered, timed tiles", True, "cost")):
        (rec,) = _run(g, dev, x, pipelined, tiling)
        rows.append((label, rec.cycles, rec.te_utilization))
    base = rows[0][1]
    print(f"GEMM {m}x{k}x{n} int8, cycle mode, '{config}' "
          f"({dev.config.te_rows}x{dev.config.te_cols} TE)")
    for label, cycles, util in rows:
        print(f"  {label:<32}{cycles:>10,} cycles  TE util {100 * util:5.1f}%  "
              f"speedup x{base / cycles:.2f}")


def bench_resnet50(config: str) -> None:
    dev = Device(config, "cycle")
    peak = dev.config.te_rows * dev.config.te_cols
    layers = resnet50_conv_layers()
    print(f"ResNet-50 v1.5 conv layers, one image, cycle mode, '{config}' "
          f"({dev.config.te_rows}x{dev.config.te_cols} TE, {dev.config.clock_mhz} MHz)")
    print(f"  {'layer':<18}{'in':>4}{'cin':>6}{'cout':>6}{'k':>3}{'s':>3}{'n':>3}"
          f"{'naive cyc':>12}{'util':>7}{'opt cyc':>11}{'util':>7}{'speedup':>9}")
    tot = {True: 0, False: 0}
    utils = {True: [], False: []}
    macs = 0
    for layer in layers:
        g = conv_layer_graph(layer)
        x = np.random.default_rng(1).integers(-128, 128, (1, layer.h, layer.h, layer.cin),
                                              dtype=np.int8)
        res = {}
        for pipelined in (False, True):
            (rec,) = _run(g, dev, x, pipelined)
            res[pipelined] = rec
            tot[pipelined] += rec.cycles * layer.count
            utils[pipelined] += [rec.te_utilization] * layer.count
        macs += layer.macs * layer.count
        print(f"  {layer.name:<18}{layer.h:>4}{layer.cin:>6}{layer.cout:>6}{layer.k:>3}"
              f"{layer.stride:>3}{layer.count:>3}{res[False].cycles:>12,}"
              f"{100 * res[False].te_utilization:>6.1f}%{res[True].cycles:>11,}"
              f"{100 * res[True].te_utilization:>6.1f}%"
              f"{res[False].cycles / res[True].cycles:>8.2f}x")
    clock = dev.config.clock_mhz * 1e6
    for pipelined, label in ((False, "naive"), (True, "pipelined")):
        c = tot[pipelined]
        print(f"  total {label:<10} {c:>12,} cycles  MAC-weighted TE utilization "
              f"{100 * macs / (c * peak):.1f}% (mean over the {len(utils[pipelined])} layers "
              f"{100 * sum(utils[pipelined]) / len(utils[pipelined]):.1f}%)  "
              f"{clock / c:,.0f} images/s "
              f"({macs / 1e9:.2f} G MACs per image)")
    print(f"  speedup of the pipelined kernels: x{tot[False] / tot[True]:.2f}")


def bench_resnet(config: str) -> None:
    g = resnet_style()
    dev = Device(config, "cycle")
    x = np.random.default_rng(2).integers(-128, 128, (4,) + g.input.shape, dtype=np.int8)
    records = _run(g, dev, x)
    print(f"ResNet-style network {g.input.shape}, batch 4, cycle mode, '{config}'")
    print(profile_table(records))


def bench_digits(config: str) -> None:
    from thead_isa.runtime.convert import to_graph
    from thead_isa.runtime.models import digits
    x_train, _, x_test, _ = digits.load_split()
    for name in ("mlp", "cnn"):
        layers = digits.trained(name)
        g = to_graph(layers, digits.calibration_ranges(layers, x_train), x_train.shape[1:])
        xq = g.input.q.quantize(x_test)
        dev = Device(config, "functional")
        single = g.compile(dev, batch=1)
        t0 = time.perf_counter()
        for i in range(len(xq)):
            single.run(xq[i:i + 1])
        one = len(xq) / (time.perf_counter() - t0)
        batched = g.compile(dev, batch=len(xq))
        batched.run(xq)
        t0 = time.perf_counter()
        reps = 5
        for _ in range(reps):
            batched.run(xq)
        many = reps * len(xq) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _ in range(reps):
            digits.forward_float(layers, x_test)
        flt = reps * len(xq) / (time.perf_counter() - t0)
        print(f"digits {name.upper()} on '{config}', functional mode: {one:,.0f} images/s one at "
              f"a time, {many:,.0f} images/s batched ({len(xq)}); numpy float forward "
              f"{flt:,.0f} images/s (ratio batched/numpy {many / flt:.2f})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", nargs="*", default=["gemm", "resnet50", "resnet", "digits"])
    ap.add_argument("--config", default="default")
    args = ap.parse_args(argv)
    for what in args.what:
        {"gemm": bench_gemm, "resnet50": bench_resnet50, "resnet": bench_resnet,
         "digits": bench_digits}[what](args.config)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

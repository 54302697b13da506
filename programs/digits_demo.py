# Demo: an MLP and a CNN on scikit-learn's 8x8 digits, trained in float, run in int8 on the NPU.
"""For each model: train in float (numpy, a few seconds), quantize post-training (per-channel
int8 weights, per-tensor int8 activations calibrated on the training split), run the held-out
split on the emulated NPU, and report

- float vs int8 accuracy (the goal: within 1 percentage point),
- bit-exactness of the NPU's outputs against the numpy integer reference,
- host speed through the emulator in functional mode (one image at a time, and batched),
- the per-layer profile of one batch in cycle mode: cycles, TE utilization, bytes, the bound.

Usage: python programs/digits_demo.py [--config default] [--profile-batch 16]
Exit code 0 when every check holds, 1 otherwise.
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from thead_isa.runtime import Device, profile_table
from thead_isa.runtime.convert import to_graph
from thead_isa.runtime.models import digits


def images_per_second(compiled, x: np.ndarray, batch: int) -> float:
    t0 = time.perf_counter()
    for start in range(0, len(x) - batch + 1, batch):
        compiled.run(x[start:start + batch])
    return (len(x) // batch) * batch / (time.perf_counter() - t0)


def run_model(name: str, args, split) -> bool:
    x_train, y_train, x_test, y_test = split
    layers = digits.trained(name)
    float_acc = digits.accuracy(digits.forward_float(layers, x_test), y_test)
    graph = to_graph(layers, digits.calibration_ranges(layers, x_train), x_train.shape[1:])
    xq = graph.input.q.quantize(x_test)
    n = len(xq)

    dev = Device(args.config, "functional")
    full = graph.compile(dev, batch=n)
    (logits,), _ = full.run(xq)
    (expect,) = graph.reference(xq)
    exact = np.array_equal(logits, expect)
    int8_acc = digits.accuracy(logits.astype(np.int32), y_test)
    single = graph.compile(dev, batch=1)
    one_rate = images_per_second(single, xq[:200], 1)
    batch_rate = images_per_second(full, xq, n)

    cyc = Device(args.config, "cycle")
    b = args.profile_batch
    prof = graph.compile(cyc, batch=b)
    (out,), records = prof.run(xq[:b])
    exact_cycle = np.array_equal(out, expect[:b])
    cycles = sum(r.cycles for r in records)
    clock = cyc.config.clock_mhz * 1e6

    drop = 100 * (float_acc - int8_acc)
    ok = exact and exact_cycle and drop <= 1.0
    print(f"== {name.upper()} on '{args.config}' ({len(graph.nodes) - 1} layers, "
          f"{n} held-out images)")
    print(f"accuracy: float {100 * float_acc:.2f}%, int8 on the NPU {100 * int8_acc:.2f}% "
          f"(drop {drop:+.2f} pp; goal <= 1 pp: {'met' if drop <= 1.0 else 'NOT met'})")
    print(f"bit-exact vs the numpy integer reference: functional {exact} ({n} images), "
          f"cycle {exact_cycle} ({b} images)")
    print(f"host speed, functional mode: {one_rate:,.0f} images/s one at a time, "
          f"{batch_rate:,.0f} images/s in a batch of {n}")
    print(f"cycle mode, batch of {b}: {cycles:,} cycles = {cycles / b:,.0f} per image, "
          f"{b * clock / cycles:,.0f} images/s at {cyc.config.clock_mhz} MHz")
    print(profile_table(records))
    print()
    return ok


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="default", help="hardware preset or TOML file")
    ap.add_argument("--profile-batch", type=int, default=16, help="images in the cycle-mode run")
    ap.add_argument("--model", choices=["mlp", "cnn", "both"], default="both")
    args = ap.parse_args(argv)
    split = digits.load_split()
    names = ["mlp", "cnn"] if args.model == "both" else [args.model]
    ok = all([run_model(m, args, split) for m in names])
    print("all checks passed" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

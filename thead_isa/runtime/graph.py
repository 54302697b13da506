# The graph API: build a quantized network from ops, compile it to one NPU program, run, profile.
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import reference as ref
from .device import Buffer, Device, DeviceError, Record
from .kernels import (Epilogue, Segment, batch_loop, conv_column_tiles, conv_segment,
                      conv_weights, dense_segment, dense_weights, param_tiles)
from .quantize import (QParams, Requant, add_requant, lut_table, requant_for, rescale_requant,
                       weight_qparams)
from .tiling import ConvGeom, plan_conv, plan_dense
from .vector import vector_segment


@dataclass(eq=False)
class Node:
    """One op of a graph: its inputs, per-image output shape (NHWC without the batch axis) and
    output quantization; `params` holds the op's integer parameters."""
    op: str
    name: str
    inputs: list["Node"]
    shape: tuple[int, ...]
    q: QParams
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def dtype(self) -> type:
        return np.uint8 if self.q.unsigned else np.int8


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _padding(p, kernel, stride, dilation, hw) -> tuple[int, int, int, int]:
    if p == "same":
        return ref.same_padding(hw, kernel, stride, dilation)
    if p == "valid" or p is None:
        return (0, 0, 0, 0)
    if isinstance(p, int):
        return (p, p, p, p)
    if len(p) == 2:
        return (p[0], p[0], p[1], p[1])
    return tuple(p)


class Graph:
    """A network of quantized ops over NHWC int8/uint8 tensors with a batch axis in front.
    Layers take float weights and biases and quantize them (per-channel symmetric int8 weights,
    int32 biases with the input zero point folded in); activations are fused into the
    producer's requantization."""

    def __init__(self, input_shape: tuple[int, ...], input_q: QParams, mode: str = "fx"):
        self.input = Node("input", "input", [], tuple(input_shape), input_q)
        self.inputs: list[Node] = [self.input]
        self.nodes: list[Node] = [self.input]
        self.outputs: list[Node] = []
        self.mode = mode

    def _add(self, node: Node) -> Node:
        names = {n.name for n in self.nodes}
        if node.name in names:
            k = 1
            while f"{node.name}_{k}" in names:
                k += 1
            node.name = f"{node.name}_{k}"
        self.nodes.append(node)
        return node

    def new_input(self, shape: tuple[int, ...], q: QParams, name: str = "input") -> Node:
        """A further graph input; Compiled.run takes the inputs in creation order."""
        node = self._add(Node("input", name, [], tuple(shape), q))
        self.inputs.append(node)
        return node

    # ---- layers ----
    def dense(self, x: Node, w: np.ndarray, bias: np.ndarray | None, out_q: QParams,
              act="none", name: str = "dense", mode: str | None = None) -> Node:
        if len(x.shape) != 1 or w.shape[0] != x.shape[0]:
            raise DeviceError(f"dense {name}: input shape {x.shape} does not match weights "
                              f"{w.shape} (flatten first)")
        w_q = weight_qparams(w)
        w8 = w_q.quantize(w)
        rq = requant_for(x.q, w_q, out_q, w8, bias, act, mode or self.mode)
        return self._add(Node("dense", name, [x], (w.shape[1],), out_q, {"w": w8, "rq": rq}))

    def conv2d(self, x: Node, w: np.ndarray, bias: np.ndarray | None, out_q: QParams,
               stride=1, padding="same", dilation=1, groups: int = 1, act="none",
               name: str = "conv", mode: str | None = None) -> Node:
        h, wd, cin = x.shape
        kh, kw, cin_g, cout = w.shape
        stride, dilation = _pair(stride), _pair(dilation)
        pad = _padding(padding, (kh, kw), stride, dilation, (h, wd))
        g = ConvGeom(h, wd, cin, cout, kh, kw, stride, pad, dilation, groups)
        g.check()
        if cin_g * groups != cin:
            raise DeviceError(f"conv {name}: weights {w.shape} expect {cin_g * groups} input "
                              f"channels, the input has {cin}")
        if groups > 1 and not g.depthwise and g.cin // groups != cin_g:
            raise DeviceError(f"conv {name}: bad grouped weights {w.shape}")
        w_q = weight_qparams(w)
        w8 = w_q.quantize(w)
        rq = requant_for(x.q, w_q, out_q, w8, bias, act, mode or self.mode)
        return self._add(Node("conv2d", name, [x], (g.oh, g.ow, cout), out_q,
                              {"w": w8, "rq": rq, "geom": g}))

    def _pool(self, op: str, x: Node, size, stride, padding, name: str) -> Node:
        h, wd, c = x.shape
        k = _pair(size)
        s = _pair(stride) if stride is not None else k
        pad = _padding(padding, k, s, (1, 1), (h, wd))
        g = ConvGeom(h, wd, c, c, k[0], k[1], s, pad)
        g.check()
        return self._add(Node(op, name, [x], (g.oh, g.ow, c), x.q, {"geom": g}))

    def maxpool(self, x: Node, size=2, stride=None, padding="valid", name="maxpool") -> Node:
        return self._pool("maxpool", x, size, stride, padding, name)

    def avgpool(self, x: Node, size=2, stride=None, padding="valid", name="avgpool") -> Node:
        return self._pool("avgpool", x, size, stride, padding, name)

    def global_avgpool(self, x: Node, name: str = "gap") -> Node:
        return self._add(Node("gap", name, [x], (x.shape[-1],), x.q))

    def add(self, a: Node, b: Node, out_q: QParams, act="none", name: str = "add") -> Node:
        if a.shape != b.shape:
            raise DeviceError(f"add {name}: shapes {a.shape} and {b.shape} differ")
        return self._add(Node("add", name, [a, b], a.shape, out_q,
                              {"arq": add_requant(a.q, b.q, out_q, act)}))

    def lut(self, x: Node, fn: Callable | str, out_q: QParams, name: str = "lut") -> Node:
        f = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh}.get(fn, fn)
        return self._add(Node("lut", name, [x], x.shape, out_q,
                              {"table": lut_table(f, x.q, out_q)}))

    def requantize(self, x: Node, out_q: QParams, act="none", name: str = "requantize") -> Node:
        c = x.shape[-1]
        rq = rescale_requant(x.q, out_q, c, act, self.mode)
        sp = x.shape if len(x.shape) == 3 else (1, x.size // c, c)
        g = ConvGeom(sp[0], sp[1], c, c, 1, 1, groups=c)
        return self._add(Node("requantize", name, [x], x.shape, out_q,
                              {"w": np.ones((1, 1, 1, c), np.int8), "rq": rq, "geom": g,
                               "act": act}))

    def flatten(self, x: Node, name: str = "flatten") -> Node:
        return self._add(Node("reshape", name, [x], (x.size,), x.q))

    def reshape(self, x: Node, shape: tuple[int, ...], name: str = "reshape") -> Node:
        if int(np.prod(shape)) != x.size:
            raise DeviceError(f"reshape {name}: {x.shape} has {x.size} elements, {shape} "
                              f"{int(np.prod(shape))}")
        return self._add(Node("reshape", name, [x], tuple(shape), x.q))

    def output(self, *nodes: Node) -> None:
        self.outputs = list(nodes)

    # ---- reference and compilation ----
    def reference(self, *xs: np.ndarray) -> list[np.ndarray]:
        """The numpy integer reference (thead_isa.runtime.reference) of every output."""
        vals: dict[int, np.ndarray] = {id(n): x for n, x in zip(self.inputs, xs)}
        for n in self.nodes:
            if n.op != "input":
                vals[id(n)] = _reference(n, [vals[id(i)] for i in n.inputs])
        return [vals[id(o)] for o in self.outputs or [self.nodes[-1]]]

    def compile(self, device: Device, batch: int = 1, pipelined: bool = True,
                tiling: str | None = None, fold: int | None = None) -> "Compiled":
        """One program for `batch` images. pipelined: the double-buffered kernels (else the
        naive ones); tiling: "cost" (estimated with the timing model; the default for pipelined
        kernels) or "widest" (the default for the naive ones); fold: at most this many images
        per conv or pooling instruction (batch folding; None: as many as the tiling chooses,
        1: none); docs/runtime.md."""
        return Compiled(self, device, batch, pipelined,
                        tiling or ("cost" if pipelined else "widest"), fold)


def _reference(n: Node, ins: list[np.ndarray]) -> np.ndarray:
    p = n.params
    a = ins[0]
    if n.op == "dense":
        return ref.dense(a, p["w"], p["rq"])
    if n.op == "conv2d":
        g = p["geom"]
        return ref.conv2d(a, p["w"], p["rq"], n.inputs[0].q.zero_point, g.stride, g.padding,
                          g.dilation, g.groups)
    if n.op == "requantize":
        return ref.requantize(a, n.inputs[0].q, n.q, p["act"], p["rq"].mode)
    if n.op in ("maxpool", "avgpool"):
        g = p["geom"]
        f = ref.maxpool2d if n.op == "maxpool" else ref.avgpool2d
        return f(a, (g.kh, g.kw), g.stride, g.padding)
    if n.op == "gap":
        return ref.global_avgpool(a)
    if n.op == "add":
        return ref.qadd(a, ins[1], p["arq"])
    if n.op == "lut":
        return ref.lut(a, p["table"])
    if n.op == "reshape":
        return a.reshape((a.shape[0],) + n.shape)
    raise AssertionError(n.op)


class Compiled:
    """A graph compiled for a batch size on a device: weights and parameters resident in GM,
    one GM buffer per tensor, one program whose segments (one per layer, each ending in a halt)
    are profiled separately."""

    def __init__(self, graph: Graph, device: Device, batch: int, pipelined: bool, tiling: str,
                 fold: int | None = None):
        if tiling not in ("cost", "widest"):
            raise ValueError(f"tiling must be 'cost' or 'widest', not {tiling!r}")
        if batch < 1:
            raise DeviceError(f"batch must be at least 1, not {batch}")
        if fold is not None and fold < 1:
            raise ValueError(f"fold must be at least 1 (or None), not {fold}")
        self.graph, self.device, self.batch, self.pipelined = graph, device, batch, pipelined
        self.tiling, self.fold = tiling, fold
        cfg = device.config
        self.buffers: dict[int, Buffer] = {}
        self._owned: list[Buffer] = []
        lines = ['        .include "kernels/steps.inc"', "        .text", "        .globl  _start",
                 "_start:"]
        self.segments: list[tuple[str, str]] = []
        self.macs: list[int] = []
        for n in graph.nodes:
            if n.op == "reshape":
                self.buffers[id(n)] = self.buffers[id(n.inputs[0])]
                continue
            self.buffers[id(n)] = self._alloc(batch * n.size)
            if n.op == "input":
                continue
            seg = self._segment(cfg, n)
            ins = [self.buffers[id(i)].addr for i in n.inputs]
            lines += [f"# {n.name}: {n.op} -> {n.shape}", f"        li      x10, {ins[0]}",
                      f"        li      x11, {self.buffers[id(n)].addr}"]
            if len(ins) > 1:
                lines.append(f"        li      x12, {ins[1]}")
            lines += seg.lines + ["        halt    x0"]
            self.segments.append((n.name, seg.kernel))
            self.macs.append(seg.macs)
        self.source = "\n".join(lines) + "\n"
        self.program = device.program(self.source, name=f"<graph batch={batch}>")

    def _alloc(self, nbytes: int) -> Buffer:
        buf = self.device.alloc(nbytes)
        self._owned.append(buf)
        return buf

    def _const(self, data: bytes | np.ndarray) -> int:
        raw = np.frombuffer(bytes(data), np.uint8) if isinstance(data, bytes) else data
        buf = self._alloc(raw.size)
        self.device.upload(raw, buf)
        return buf.addr

    def _segment(self, cfg, n: Node) -> Segment:
        p, x = n.params, n.inputs[0]
        if n.op == "dense":
            rq: Requant = p["rq"]
            k, cols = x.size, n.shape[0]
            plan = plan_dense(cfg, self.batch, k, cols, rq.mode, self.pipelined, self.tiling)
            wg = self._const(dense_weights(p["w"], plan.nt).view(np.uint8))
            tiles = [(j, min(plan.nt, cols - j)) for j in range(0, cols, plan.nt)]
            ep = self._epilogue(rq, tiles)
            return dense_segment(cfg, self.batch, k, cols, wg, ep, x.q.unsigned,
                                 self.pipelined, plan)
        if n.op in ("conv2d", "requantize"):
            rq, g = p["rq"], p["geom"]
            plan = plan_conv(cfg, g, rq.mode, self.pipelined, self.tiling, self.batch,
                             self.fold)
            wg = self._const(conv_weights(p["w"], g, plan.nt).view(np.uint8))
            tiles = [(c0, cols) for _, c0, cols in conv_column_tiles(g, plan.nt)]
            ep = self._epilogue(rq, tiles)
            return conv_segment(cfg, g, self.batch, wg, ep, x.q.unsigned, x.q.zero_point,
                                self.pipelined, plan)
        return self._vector_segment(cfg, n)

    def _epilogue(self, rq: Requant, tiles) -> Epilogue:
        arrays = [rq.bias, rq.mult, rq.shift] if rq.mode == "fx" else [rq.bias, rq.scale]
        pg = self._const(param_tiles(arrays, tiles))
        return Epilogue(rq.mode, pg, rq.zp, rq.qmin, rq.qmax, rq.unsigned)

    def _vector_segment(self, cfg, n: Node) -> Segment:
        consts = {}
        if n.op == "add":
            consts["p"] = self._const(n.params["arq"].param_block())
        if n.op == "lut":
            consts["table"] = self._const(n.params["table"].view(np.uint8).tobytes())
        return vector_segment(cfg, n, self.batch, consts, self.fold)

    # ---- running ----
    def run(self, *xs: np.ndarray, max_instructions: int | None = None
            ) -> tuple[list[np.ndarray], list[Record]]:
        """Upload the inputs [batch, *input shape], run every layer, download the outputs."""
        g, dev = self.graph, self.device
        if len(xs) != len(g.inputs):
            raise DeviceError(f"the graph has {len(g.inputs)} inputs, {len(xs)} given")
        for node, x in zip(g.inputs, xs):
            want = (self.batch,) + node.shape
            x = np.asarray(x)
            if x.shape != want or x.dtype != node.dtype:
                raise DeviceError(f"input {node.name} must be {np.dtype(node.dtype).name} "
                                  f"{want}, not {x.dtype.name} {x.shape}")
            dev.upload(x, self.buffers[id(node)])
        records = dev.run(self.program, self.segments, max_instructions)
        for rec, macs in zip(records, self.macs):
            rec.extra["model_macs"] = macs
        outs = [dev.download(self.buffers[id(o)], o.dtype, (self.batch,) + o.shape)
                for o in g.outputs or [g.nodes[-1]]]
        return outs, records

    def free(self) -> None:
        for buf in self._owned:
            self.device.free(buf)
        self._owned.clear()


def profile_table(records: list[Record]) -> str:
    """A per-layer table: cycles, TE utilization, bytes moved, bound."""
    head = (f"{'layer':<14}{'kernel':<18}{'cycles':>10}{'MACs':>12}{'TE util':>9}"
            f"{'GM bytes':>11}  bound")
    rows = [head, "-" * len(head)]
    for r in records:
        u = r.te_utilization
        rows.append(f"{r.name:<14}{r.kernel:<18}{r.cycles:>10}{r.macs:>12}"
                    f"{(f'{100 * u:.1f}%' if u is not None else '-'):>9}{r.bytes_moved:>11}  "
                    f"{r.bound or '-'}")
    total = sum(r.cycles for r in records)
    rows.append(f"{'total':<32}{total:>10}")
    return "\n".join(rows)

# Post-training quantization: a float layer spec plus calibration ranges -> a quantized Graph.
"""The spec is a list of dicts as thead_isa.runtime.models.digits produces:
{"op": "conv2d", "w": [kh, kw, cin/groups, cout], "b", "stride", "padding", "act", "groups"},
{"op": "dense", "w": [k, n], "b", "act"}, {"op": "maxpool"|"avgpool", "size", "stride"},
{"op": "flatten"}, {"op": "gap"}. Activations are quantized per tensor (asymmetric, from the
calibration ranges), weights per output channel (symmetric int8), biases to int32 with the
input zero point folded in (thead_isa.runtime.quantize)."""
from __future__ import annotations

import numpy as np

from .graph import Graph
from .quantize import QParams, choose_qparams


def quantize_input(x: np.ndarray, q: QParams) -> np.ndarray:
    return q.quantize(x)


def to_graph(layers: list[dict], calibration: dict, input_shape: tuple[int, ...],
             dtype: str = "int8", mode: str = "fx") -> Graph:
    """The quantized graph of `layers`; calibration = {"input": (lo, hi), "layers": [(lo, hi)
    of each layer's output, after its activation]}."""
    in_q = choose_qparams(*calibration["input"], dtype)
    g = Graph(input_shape, in_q, mode)
    node = g.input
    for k, (spec, rng) in enumerate(zip(layers, calibration["layers"])):
        op, name = spec["op"], f"{spec['op']}{k}"
        out_q = choose_qparams(*rng, dtype)
        if op == "conv2d":
            node = g.conv2d(node, spec["w"], spec.get("b"), out_q, spec.get("stride", 1),
                            spec.get("padding", "same"), spec.get("dilation", 1),
                            spec.get("groups", 1), spec.get("act", "none"), name=name)
        elif op == "dense":
            node = g.dense(node, spec["w"], spec.get("b"), out_q, spec.get("act", "none"),
                           name=name)
        elif op in ("maxpool", "avgpool"):
            node = getattr(g, op)(node, spec.get("size", 2), spec.get("stride"),
                                  spec.get("padding", "valid"), name=name)
        elif op == "flatten":
            node = g.flatten(node, name=name)
        elif op == "gap":
            node = g.global_avgpool(node, name=name)
        else:
            raise ValueError(f"layer {k}: op {op!r} has no quantized form")
    g.output(node)
    return g

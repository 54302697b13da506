# ResNet workloads: the convolution layers of ResNet-50 and a small ResNet-style network.
"""ResNet-50 shapes follow He et al., "Deep Residual Learning for Image Recognition" (CVPR 2016),
Table 1, in the v1.5 form used by torchvision and MLPerf (the stride-2 of a stage's first
bottleneck sits on its 3x3 convolution; the projection shortcut is a strided 1x1). Weights are
random int8: these are performance workloads, checked bit for bit against the numpy reference
like any other graph."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph import Graph, Node
from ..quantize import QParams


@dataclass(frozen=True)
class ConvLayer:
    name: str
    h: int             # input height = width
    cin: int
    cout: int
    k: int
    stride: int
    count: int         # how many layers of ResNet-50 have this shape

    @property
    def out(self) -> int:
        return (self.h + 2 * (self.k // 2) - self.k) // self.stride + 1

    @property
    def macs(self) -> int:
        return self.out * self.out * self.cout * self.k * self.k * self.cin


def resnet50_conv_layers() -> list[ConvLayer]:
    """The 53 convolution layers of ResNet-50 v1.5 as 23 distinct shapes with counts."""
    layers = [ConvLayer("conv1", 224, 3, 64, 7, 2, 1)]
    stages = [("conv2", 56, 64, 256, 3, 1), ("conv3", 56, 128, 512, 4, 2),
              ("conv4", 28, 256, 1024, 6, 2), ("conv5", 14, 512, 2048, 3, 2)]
    prev = 64
    for name, h, mid, out, blocks, s in stages:
        o = h // s
        layers += [ConvLayer(f"{name}_1x1a_first", h, prev, mid, 1, 1, 1),
                   ConvLayer(f"{name}_3x3_first", h, mid, mid, 3, s, 1),
                   ConvLayer(f"{name}_proj", h, prev, out, 1, s, 1),
                   ConvLayer(f"{name}_1x1b", o, mid, out, 1, 1, blocks)]
        if blocks > 1:
            layers += [ConvLayer(f"{name}_1x1a", o, out, mid, 1, 1, blocks - 1),
                       ConvLayer(f"{name}_3x3", o, mid, mid, 3, 1, blocks - 1)]
        prev = out
    return layers


def _weights(rng, shape) -> np.ndarray:
    fan_in = int(np.prod(shape[:-1]))
    return (rng.normal(size=shape) / np.sqrt(fan_in)).astype(np.float32)


def conv_layer_graph(layer: ConvLayer, seed: int = 0) -> Graph:
    """One ResNet-50 layer as a graph: conv + bias + ReLU, random weights."""
    rng = np.random.default_rng(seed)
    g = Graph((layer.h, layer.h, layer.cin), QParams(0.05, -10, "int8"))
    w = _weights(rng, (layer.k, layer.k, layer.cin, layer.cout))
    g.output(g.conv2d(g.input, w, rng.normal(size=layer.cout) * 0.1, QParams(0.03, -128, "int8"),
                      layer.stride, layer.k // 2, act="relu", name=layer.name))
    return g


def resnet_style(input_shape=(16, 16, 8), widths=(16, 32), blocks: int = 2, classes: int = 10,
                 seed: int = 0) -> Graph:
    """A small ResNet: a stem conv, per stage `blocks` basic blocks (3x3 conv + ReLU, 3x3 conv,
    residual add + ReLU; a strided 1x1 projection where the shape changes), global average
    pooling and a dense classifier. Random weights with activation scales that keep values in
    range."""
    rng = np.random.default_rng(seed)
    act_q = QParams(0.04, -128, "int8")          # post-ReLU activations in [0, ~10]
    pre_q = QParams(0.06, 0, "int8")             # pre-activation branch outputs
    g = Graph(input_shape, QParams(0.02, 0, "int8"))
    x: Node = g.conv2d(g.input, _weights(rng, (3, 3, input_shape[2], widths[0])), None, act_q,
                       act="relu", name="stem")
    for si, width in enumerate(widths):
        for b in range(blocks):
            stride = 2 if (si > 0 and b == 0) else 1
            name = f"s{si}b{b}"
            cin = x.shape[-1]
            h = g.conv2d(x, _weights(rng, (3, 3, cin, width)), None, act_q, stride, 1,
                         act="relu", name=f"{name}_conv1")
            h = g.conv2d(h, _weights(rng, (3, 3, width, width)), None, pre_q, 1, 1,
                         name=f"{name}_conv2")
            short = x
            if stride != 1 or cin != width:
                short = g.conv2d(x, _weights(rng, (1, 1, cin, width)), None, pre_q, stride, 0,
                                 name=f"{name}_proj")
            x = g.add(h, short, act_q, act="relu", name=f"{name}_add")
    p = g.global_avgpool(x, name="gap")
    g.output(g.dense(p, _weights(rng, (widths[-1], classes)), None, QParams(0.1, 0, "int8"),
                     name="fc"))
    return g

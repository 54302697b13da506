# Single ops on numpy arrays: each call runs a one-layer graph on the device.
"""Every op takes int8/uint8 numpy tensors with a batch axis in front (NHWC for images), their
QParams, float weights where the op has them, and returns the int8/uint8 result computed on the
NPU. The assembled kernels are cached by the device, so a repeated call with the same shapes
and parameters only uploads, runs and downloads."""
from __future__ import annotations

from typing import Callable

import numpy as np

from .device import Device
from .graph import Graph, Node
from .quantize import QParams


def _run(device: Device, x: np.ndarray, x_q: QParams, build: Callable[..., Node],
         pipelined: bool = True, more: tuple = ()) -> np.ndarray:
    """Build a graph on inputs x (and `more`: (array, QParams) pairs), run it, free it."""
    x = np.asarray(x)
    g = Graph(x.shape[1:], x_q)
    extra = [g.new_input(np.asarray(a).shape[1:], q) for a, q in more]
    g.output(build(g, g.input, *extra))
    compiled = g.compile(device, batch=x.shape[0], pipelined=pipelined)
    try:
        (out,), _ = compiled.run(x, *(np.asarray(a) for a, _ in more))
    finally:
        compiled.free()
    return out


def dense(device, x, x_q, w, bias, out_q, act="none", mode="fx", pipelined=True):
    return _run(device, x, x_q, lambda g, n: g.dense(n, w, bias, out_q, act, mode=mode),
                pipelined)


def conv2d(device, x, x_q, w, bias, out_q, stride=1, padding="same", dilation=1, groups=1,
           act="none", mode="fx", pipelined=True):
    return _run(device, x, x_q, lambda g, n: g.conv2d(n, w, bias, out_q, stride, padding,
                                                      dilation, groups, act, mode=mode),
                pipelined)


def maxpool(device, x, x_q, size=2, stride=None, padding="valid"):
    return _run(device, x, x_q, lambda g, n: g.maxpool(n, size, stride, padding))


def avgpool(device, x, x_q, size=2, stride=None, padding="valid"):
    return _run(device, x, x_q, lambda g, n: g.avgpool(n, size, stride, padding))


def global_avgpool(device, x, x_q):
    return _run(device, x, x_q, lambda g, n: g.global_avgpool(n))


def add(device, a, a_q, b, b_q, out_q, act="none"):
    return _run(device, a, a_q, lambda g, n, m: g.add(n, m, out_q, act), more=((b, b_q),))


def lut(device, x, x_q, fn, out_q):
    return _run(device, x, x_q, lambda g, n: g.lut(n, fn, out_q))


def requantize(device, x, x_q, out_q, act="none"):
    return _run(device, x, x_q, lambda g, n: g.requantize(n, out_q, act))

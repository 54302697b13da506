# Float <-> int8/uint8 quantization parameters and the VE parameter blocks (vrq.*, vqadd, vlut).
"""Quantization parameters for the runtime.

A quantized value q stands for the real value scale * (q - zero_point). Activations are per tensor
(int8 or uint8); weights are symmetric int8 (zero point 0), per output channel. All integer
requantization arithmetic is `thead_isa.refmodel.quant` (docs/quantization.md); this module only
chooses parameters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from ..refmodel import quant

DTYPES = {"int8": np.int8, "uint8": np.uint8}


def _round_half_away(v: float) -> int:
    """std::round: to nearest, ties away from zero."""
    return int(math.copysign(math.floor(abs(v) + 0.5), v))


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a)                      # a private copy
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class QParams:
    """real = scale * (q - zero_point); a 1-D scale array is per channel along `axis`."""

    scale: float | np.ndarray
    zero_point: int = 0
    dtype: str = "int8"
    axis: int = -1

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be 'int8' or 'uint8', not {self.dtype!r}")
        s = np.asarray(self.scale, np.float64)
        if s.ndim > 1 or s.size == 0 or not np.all(np.isfinite(s) & (s > 0)):
            raise ValueError(f"scale must be a positive finite float or 1-D array, not {s!r}")
        object.__setattr__(self, "scale", float(s) if s.ndim == 0 else _readonly(s))
        lo, hi = quant.type_range(self.unsigned)
        if int(self.zero_point) != self.zero_point or not lo <= self.zero_point <= hi:
            raise ValueError(f"zero point {self.zero_point} outside the {self.dtype} range")
        object.__setattr__(self, "zero_point", int(self.zero_point))

    def _key(self):
        s = tuple(self.scale.tolist()) if self.per_channel else self.scale
        return s, self.zero_point, self.dtype, self.axis if self.per_channel else None

    def __eq__(self, other):
        return isinstance(other, QParams) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    @property
    def unsigned(self) -> bool:
        return self.dtype == "uint8"

    @property
    def per_channel(self) -> bool:
        return isinstance(self.scale, np.ndarray)

    @property
    def np_dtype(self) -> type:
        return DTYPES[self.dtype]

    @property
    def qrange(self) -> tuple[int, int]:
        return quant.type_range(self.unsigned)

    def _scale(self, ndim: int):
        """The scale, shaped to broadcast against an ndim-dimensional array."""
        if not self.per_channel:
            return self.scale
        shape = [1] * ndim
        shape[self.axis] = -1
        return self.scale.reshape(shape)

    def quantize(self, x) -> np.ndarray:
        """saturate(round_half_even(x / scale) + zero_point), in float64."""
        x = np.asarray(x, np.float64)
        if np.isnan(x).any():
            raise ValueError("cannot quantize NaN")
        q = np.rint(x / self._scale(x.ndim)) + self.zero_point
        return np.clip(q, *self.qrange).astype(self.np_dtype)

    def dequantize(self, q) -> np.ndarray:
        """scale * (q - zero_point) as float64."""
        q = np.asarray(q)
        return (q.astype(np.float64) - self.zero_point) * self._scale(q.ndim)


def choose_qparams(xmin: float, xmax: float, dtype: str = "int8",
                   symmetric: bool = False) -> QParams:
    """Per-tensor parameters covering [xmin, xmax], extended to contain 0.

    Asymmetric (TFLite/gemmlowp ChooseQuantizationParams): scale = (max - min) / 255, the zero
    point from whichever end loses less precision, nudged into the type range and rounded half
    away, so 0.0 is exactly representable. Symmetric: scale = max(|min|, |max|) / 127, zero point
    0 (int8) or 128 (uint8). An all-zero range gets scale 1.0.
    """
    if not (math.isfinite(xmin) and math.isfinite(xmax)) or xmin > xmax:
        raise ValueError(f"bad range [{xmin}, {xmax}]")
    xmin, xmax = min(xmin, 0.0), max(xmax, 0.0)
    qmin, qmax = quant.type_range(dtype == "uint8")
    if symmetric:
        amax = max(-xmin, xmax)
        return QParams(amax / 127 if amax else 1.0, 128 if dtype == "uint8" else 0, dtype)
    if xmin == xmax:
        return QParams(1.0, max(qmin, 0), dtype)
    scale = (xmax - xmin) / (qmax - qmin)
    from_min, from_max = qmin - xmin / scale, qmax - xmax / scale
    err_min, err_max = abs(qmin) + abs(xmin / scale), abs(qmax) + abs(xmax / scale)
    zp = from_min if err_min < err_max else from_max
    return QParams(scale, min(max(_round_half_away(zp), qmin), qmax), dtype)


def weight_qparams(w, axis: int | None = -1) -> QParams:
    """Symmetric int8 weight parameters: scale = max|w| / 127 per channel along `axis` (per
    tensor with axis=None). An all-zero channel gets scale 1.0: its weights quantize to 0 either
    way, and 1.0 keeps the requantization multiplier finite and moderate."""
    w = np.asarray(w, np.float64)
    if axis is None:
        amax = np.abs(w).max(initial=0.0)
        return QParams(amax / 127 if amax > 0 else 1.0, 0, "int8")
    axis = axis % w.ndim
    amax = np.abs(w).max(axis=tuple(a for a in range(w.ndim) if a != axis), initial=0.0)
    return QParams(np.where(amax > 0, amax / 127, 1.0), 0, "int8", axis - w.ndim)


def _int32(name: str, v) -> np.ndarray:
    v = np.asarray(v)
    if v.ndim != 1 or not np.issubdtype(v.dtype, np.integer):
        raise ValueError(f"{name} must be a 1-D integer array")
    if v.size and (v.min() < quant.INT32_MIN or v.max() > quant.INT32_MAX):
        raise ValueError(f"{name} does not fit int32")
    return _readonly(v.astype(np.int32))


@dataclass(frozen=True)
class Requant:
    """The parameters of one vrq.fx / vrq.fp: per-column bias, (mult, shift) and fp32 scale,
    output zero point, clamp [qmin, qmax] and type; `mode` selects which multiplier is used."""

    bias: np.ndarray
    mult: np.ndarray
    shift: np.ndarray
    scale: np.ndarray
    zp: int
    qmin: int
    qmax: int
    unsigned: bool = False
    mode: str = "fx"

    def __post_init__(self):
        for name in ("bias", "mult", "shift"):
            object.__setattr__(self, name, _int32(name, getattr(self, name)))
        object.__setattr__(self, "scale", _readonly(np.asarray(self.scale, np.float32)))
        if not self.bias.shape == self.mult.shape == self.shift.shape == self.scale.shape:
            raise ValueError("bias, mult, shift and scale must have one entry per column")
        if self.mode not in ("fx", "fp"):
            raise ValueError(f"mode must be 'fx' or 'fp', not {self.mode!r}")
        if self.qmin > self.qmax:
            raise ValueError(f"qmin {self.qmin} > qmax {self.qmax}")
        if self.mode == "fx" and self.shift.size and np.abs(self.shift).max() > 31:
            raise ValueError("vrq.fx shifts must lie in [-31, 31]")
        if self.mode == "fp" and not np.isfinite(self.scale).all():
            raise ValueError("vrq.fp scales must be finite")

    def _key(self):
        arrays = (self.bias, self.mult, self.shift, self.scale.view(np.int32))
        return (*(a.tobytes() for a in arrays), self.zp, self.qmin, self.qmax, self.unsigned,
                self.mode)

    def __eq__(self, other):
        return isinstance(other, Requant) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    @property
    def cols(self) -> int:
        return self.bias.size

    def with_mode(self, mode: str) -> Requant:
        return replace(self, mode=mode)

    def param_block(self) -> bytes:
        """The LM block at p: int32 bias, mult, shift (fx) or int32 bias, float32 scale (fp)."""
        parts = (self.bias, self.mult, self.shift) if self.mode == "fx" else (self.bias,)
        block = b"".join(p.astype("<i4").tobytes() for p in parts)
        return block if self.mode == "fx" else block + self.scale.astype("<f4").tobytes()


def activation_range(act, out_q: QParams) -> tuple[int, int]:
    """The fused activation as a clamp [qmin, qmax] in out_q's domain (within the type range):
    'none' (or None), 'relu', 'relu6' or ('clamp', lo, hi) in real values."""
    lo, hi = out_q.qrange
    if act in (None, "none"):
        return lo, hi
    if act == "relu":
        return out_q.zero_point, hi
    if act == "relu6":
        return out_q.zero_point, int(out_q.quantize(6.0))
    if isinstance(act, tuple) and len(act) == 3 and act[0] == "clamp" and act[1] <= act[2]:
        return int(out_q.quantize(act[1])), int(out_q.quantize(act[2]))
    raise ValueError(f"unknown activation {act!r}")


def _per_tensor(name: str, q: QParams) -> None:
    if q.per_channel:
        raise ValueError(f"{name} must be per-tensor")


def requant_for(x_q: QParams, w_q: QParams, out_q: QParams, w_int8, bias=None, act="none",
                mode: str = "fx", reduce_axes: tuple[int, ...] | None = None) -> Requant:
    """The Requant of a gemm/conv layer whose accumulators are sum(x_int * w_int8).

    reduce_axes are the weight axes summed into one output channel (default: all but the last;
    dense [K, Cout], conv [kh, kw, cin/groups, Cout], depthwise [kh, kw, C]). Per channel c:
    multiplier x.scale * w.scale[c] / out.scale; bias round_half_even(b / (x.scale * w.scale[c]))
    minus x.zero_point * sum(w_int8[..., c]) (fuse_zp2bias, wrapped to int32 as the VE's bias
    add wraps); the activation becomes the clamp.
    """
    _per_tensor("x_q", x_q)
    _per_tensor("out_q", out_q)
    if w_q.dtype != "int8" or w_q.zero_point != 0:
        raise ValueError("weights must be symmetric int8 (zero point 0)")
    w = np.asarray(w_int8)
    if w.size and (w.min() < -128 or w.max() > 127):
        raise ValueError("weights must lie in the int8 range")
    axes = range(w.ndim - 1) if reduce_axes is None else reduce_axes
    axes = tuple(sorted({a % w.ndim for a in axes}))
    rest = sorted(set(range(w.ndim)) - set(axes))
    if len(rest) != 1:
        raise ValueError("reduce_axes must leave exactly one (output channel) axis")
    out_axis = rest[0]
    if w_q.per_channel and w_q.axis % w.ndim != out_axis:
        raise ValueError(f"weight scales are per axis {w_q.axis}, output channels on {out_axis}")
    wsum = w.astype(np.int64).sum(axis=axes)
    w_scale = np.broadcast_to(np.asarray(w_q.scale, np.float64), wsum.shape)
    in_scale = x_q.scale * w_scale
    bias_q = np.zeros(wsum.shape, np.int64)
    if bias is not None:
        b = np.rint(np.broadcast_to(np.asarray(bias, np.float64), wsum.shape) / in_scale)
        if np.abs(b).max(initial=0) > quant.INT32_MAX:
            raise ValueError("quantized bias does not fit int32")
        bias_q = b.astype(np.int64)
    real = in_scale / out_q.scale
    mult, shift = (np.array(v, np.int64) for v in zip(*map(quant.quantize_multiplier, real)))
    if shift.size and shift.max() > 31:
        raise ValueError("requantization multiplier too large (>= 2^31)")
    return Requant(quant.wrap32(bias_q - x_q.zero_point * wsum), mult, shift,
                   real.astype(np.float32), out_q.zero_point, *activation_range(act, out_q),
                   out_q.unsigned, mode)


def rescale_requant(in_q: QParams, out_q: QParams, channels: int, act="none",
                    mode: str = "fx") -> Requant:
    """int8/uint8 -> int8/uint8 rescale as a layer with unit weights (a 1x1 depthwise conv of
    weight 1, so acc = x): bias -in.zp, multiplier in.scale / out.scale, out's clamp."""
    ones = np.ones((1, 1, channels), np.int8)
    return requant_for(in_q, QParams(1.0), out_q, ones, None, act, mode)


@dataclass(frozen=True)
class AddRequant:
    """The parameters of one vqadd: the nine int32 AddParams at p, and the output CSRs."""

    params: quant.AddParams
    zp: int
    qmin: int
    qmax: int
    unsigned: bool = False

    def param_block(self) -> bytes:
        return np.array(self.params, "<i4").tobytes()


def add_requant(a_q: QParams, b_q: QParams, out_q: QParams, act="none") -> AddRequant:
    """vqadd parameters (TFLite add preparation, quant.add_params) for out = a + b, then act."""
    for name, q in (("a_q", a_q), ("b_q", b_q), ("out_q", out_q)):
        _per_tensor(name, q)
    if not a_q.dtype == b_q.dtype == out_q.dtype:
        raise ValueError("vqadd inputs and output share one type")
    p = quant.add_params(a_q.scale, a_q.zero_point, b_q.scale, b_q.zero_point, out_q.scale)
    if max(abs(p.a_shift), abs(p.b_shift), abs(p.out_shift)) > 31:
        raise ValueError("add scales too far apart for vqadd shifts in [-31, 31]")
    return AddRequant(p, out_q.zero_point, *activation_range(act, out_q), out_q.unsigned)


def lut_table(fn: Callable, in_q: QParams, out_q: QParams) -> np.ndarray:
    """vlut's 256-entry table (dtype of out_q): vlut indexes with the raw source byte, so entry
    i is for the input whose byte is i: value i for uint8, i - 256 for i >= 128 for int8.
    entry = out_q.quantize(fn(in_q.dequantize(value))), in float64; fn is vectorized."""
    _per_tensor("in_q", in_q)
    _per_tensor("out_q", out_q)
    index = np.arange(256, dtype=np.uint8)
    values = index if in_q.unsigned else index.view(np.int8)
    return out_q.quantize(np.asarray(fn(in_q.dequantize(values)), np.float64))


def sigmoid_qparams(dtype: str = "int8") -> QParams:
    """TFLite's fixed logistic output: scale 1/256, zero point -128 (int8) or 0 (uint8)."""
    return QParams(1 / 256, 0 if dtype == "uint8" else -128, dtype)


def tanh_qparams(dtype: str = "int8") -> QParams:
    """TFLite's fixed tanh output: scale 1/128, zero point 0 (int8) or 128 (uint8)."""
    return QParams(1 / 128, 128 if dtype == "uint8" else 0, dtype)


def sigmoid_table(in_q: QParams, out_q: QParams | None = None) -> np.ndarray:
    out_q = out_q or sigmoid_qparams(in_q.dtype)
    return lut_table(lambda x: 0.5 * (1 + np.tanh(0.5 * x)), in_q, out_q)   # overflow-free


def tanh_table(in_q: QParams, out_q: QParams | None = None) -> np.ndarray:
    return lut_table(np.tanh, in_q, out_q or tanh_qparams(in_q.dtype))

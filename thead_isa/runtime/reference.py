# Numpy integer reference of the runtime's ops, bit-exact with the NPU's gemm/conv/VE semantics.
"""Vectorized int8/uint8 reference ops on NHWC tensors.

Activations are numpy int8 or uint8 arrays (uint8 is the instructions' `u` flag); weights are
int8; accumulators int32 (exact int64 sums wrapped modulo 2^32, as the TE does). The rounding and
requantization arithmetic is `thead_isa.refmodel.quant`.
"""
from __future__ import annotations

import numpy as np

from ..refmodel import quant
from .quantize import AddRequant, QParams, Requant, rescale_requant

# --- helpers -----------------------------------------------------------------------------------


def _act(x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype not in (np.int8, np.uint8):
        raise TypeError(f"activations must be int8 or uint8, not {x.dtype}")
    return x


def _weights(w) -> np.ndarray:
    w = np.asarray(w)
    if w.dtype != np.int8:
        raise TypeError(f"weights must be int8, not {w.dtype}")
    return w


def _wrap(v: np.ndarray) -> np.ndarray:
    """Exact sums to int32 modulo 2^32 (int32 sums are already exact, see _exact_dtype)."""
    return v if v.dtype == np.int32 else quant.wrap32(v).astype(np.int32)


def out_size(size: int, before: int, after: int, k: int, dilation: int, stride: int) -> int:
    """Outputs along one axis of a padded, dilated, strided window (ValueError if none fits)."""
    span = dilation * (k - 1) + 1
    if size + before + after < span:
        raise ValueError(f"window span {span} exceeds the padded input {size + before + after}")
    return (size + before + after - span) // stride + 1


def same_padding(in_hw, kernel, stride=(1, 1), dilation=(1, 1)) -> tuple[int, int, int, int]:
    """TensorFlow 'SAME' padding (pt, pb, pl, pr): ceil(in / stride) outputs, extra at the end."""
    pads = []
    for n, k, s, d in zip(in_hw, kernel, stride, dilation):
        total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


def _taps(xp: np.ndarray, kernel, stride, dilation, out_hw):
    """For each kernel tap (i, j): xp[:, y*sh + i*dh, x*sw + j*dw] over the output grid."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out_hw
    for i in range(kh):
        for j in range(kw):
            yield i, j, xp[:, i * dh:i * dh + (oh - 1) * sh + 1:sh,
                           j * dw:j * dw + (ow - 1) * sw + 1:sw]


def _geometry(x, kernel, stride, padding, dilation):
    """(padding 4-tuple, (oh, ow)) of a window over NHWC x."""
    pt, pb, pl, pr = padding
    oh = out_size(x.shape[1], pt, pb, kernel[0], dilation[0], stride[0])
    ow = out_size(x.shape[2], pl, pr, kernel[1], dilation[1], stride[1])
    return (pt, pb, pl, pr), (oh, ow)


def _pad(x: np.ndarray, padding, value) -> np.ndarray:
    pt, pb, pl, pr = padding
    return np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)), constant_values=value)


# --- primitives --------------------------------------------------------------------------------


def _exact_dtype(k: int):
    """int32 when a k-term sum of int8/uint8 x int8 products (|p| <= 255 * 128) cannot overflow
    it (k <= 65793, every gemm's te_k), else int64; the sums are exact either way."""
    return np.int32 if k * 255 * 128 <= quant.INT32_MAX else np.int64


def matmul_acc(a, b) -> np.ndarray:
    """gemm: int32 [M, N] = a [M, K] (int8/uint8) @ b [K, N] (int8), wrapping."""
    a, b = _act(a), _weights(b)
    t = _exact_dtype(a.shape[1])
    return _wrap(np.einsum("mk,kn->mn", a.astype(t), b.astype(t)))


def _padval(x: np.ndarray, padval: int) -> int:
    """win_padval as the conv reads it: its low byte as int8, or as uint8 for uint8 x."""
    return int(np.array(padval & 0xFF, np.uint8).view(x.dtype))


def conv2d_acc(x, w, stride=(1, 1), padding=(0, 0, 0, 0), dilation=(1, 1), groups: int = 1,
               padval: int = 0) -> np.ndarray:
    """conv: int32 [N, OH, OW, Cout] from NHWC x and w [kh, kw, Cin // groups, Cout]; padded
    positions read padval. A 3-D w [kh, kw, C] is depthwise (the dw flag's layout)."""
    x, w = _act(x), _weights(w)
    if w.ndim == 3:
        w, groups = w[:, :, None, :], w.shape[2]
    kh, kw, cin_g, cout = w.shape
    n, _, _, cin = x.shape
    if cin != cin_g * groups or cout % groups:
        raise ValueError(f"weights {w.shape} do not fit {cin} input channels in {groups} groups")
    padding, (oh, ow) = _geometry(x, (kh, kw), stride, padding, dilation)
    t = _exact_dtype(kh * kw * cin_g)
    xp = _pad(x.astype(t), padding, _padval(x, padval))
    taps = [p for _, _, p in _taps(xp, (kh, kw), stride, dilation, (oh, ow))]
    cols = np.stack(taps, axis=3).reshape(-1, kh * kw, groups, cin_g)       # im2col [M, T, g, c]
    wg = w.astype(t).reshape(kh * kw, cin_g, groups, cout // groups)
    if cin_g == 1:                                 # depthwise, with any channel multiplier
        out = np.einsum("mtgc,tcgo->mgo", cols, wg)
    else:
        out = np.stack([np.einsum("mk,kn->mn", cols[:, :, g].reshape(len(cols), -1),
                                  wg[:, :, g].reshape(-1, cout // groups))
                        for g in range(groups)], axis=1)
    return _wrap(out.reshape(n, oh, ow, cout))


def requantize_acc(acc, rq: Requant) -> np.ndarray:
    """vrq.fx / vrq.fp (rq.mode) on int32 acc [..., cols] -> int8 (uint8 if rq.unsigned)."""
    acc = np.asarray(acc)
    if acc.shape[-1:] != (rq.cols,):
        raise ValueError(f"accumulators {acc.shape} do not have {rq.cols} columns")
    out = (rq.zp, rq.qmin, rq.qmax, rq.unsigned)
    if rq.mode == "fx":
        y = quant.requant_fx(acc, rq.bias, rq.mult, rq.shift, *out)
    else:
        y = quant.requant_fp(acc, rq.bias, rq.scale, *out)
    return np.asarray(y).astype(np.uint8 if rq.unsigned else np.int8)


def _valid_counts(x, kernel, stride, padding, dilation, out_hw) -> np.ndarray:
    """[oh, ow, 1] counts of non-padded window positions; ValueError on an all-padding window."""
    valid = _pad(np.ones((1,) + x.shape[1:3] + (1,), np.int64), padding, 0)
    count = sum(t for _, _, t in _taps(valid, kernel, stride, dilation, out_hw))[0]
    if (count == 0).any():
        raise ValueError("a pooling window covers only padding")
    return count


def maxpool2d(x, kernel, stride=None, padding=(0, 0, 0, 0), dilation=(1, 1)) -> np.ndarray:
    """vmaxpool over NHWC x; padded positions are ignored; stride defaults to the kernel."""
    x, stride = _act(x), stride or kernel
    padding, out_hw = _geometry(x, kernel, stride, padding, dilation)
    _valid_counts(x, kernel, stride, padding, dilation, out_hw)
    xp = _pad(x.astype(np.int16), padding, np.iinfo(np.int16).min)
    taps = (t for _, _, t in _taps(xp, kernel, stride, dilation, out_hw))
    return np.maximum.reduce(list(taps)).astype(x.dtype)


def avgpool2d(x, kernel, stride=None, padding=(0, 0, 0, 0), dilation=(1, 1)) -> np.ndarray:
    """vavgpool: the sum of the valid positions / their count, rounded half away from zero."""
    x, stride = _act(x), stride or kernel
    padding, out_hw = _geometry(x, kernel, stride, padding, dilation)
    count = _valid_counts(x, kernel, stride, padding, dilation, out_hw)
    xp = _pad(x.astype(np.int64), padding, 0)
    total = sum(t for _, _, t in _taps(xp, kernel, stride, dilation, out_hw))
    return quant.rounding_div(total, count).astype(x.dtype)


def global_avgpool(x) -> np.ndarray:
    """vgap per image: [N, ..., C] -> [N, C], the mean over the middle axes rounded half away."""
    x = _act(x)
    axes = tuple(range(1, x.ndim - 1))
    n = int(np.prod([x.shape[a] for a in axes]))
    if n == 0:
        raise ValueError("the average of no positions is undefined")
    return quant.rounding_div(x.astype(np.int64).sum(axis=axes), n).astype(x.dtype)


def qadd(a, b, arq: AddRequant) -> np.ndarray:
    """vqadd: TFLite's reference quantized add of equal-shaped a and b."""
    a, b = _act(a), _act(b)
    dtype = np.uint8 if arq.unsigned else np.int8
    if a.dtype != dtype or b.dtype != dtype or a.shape != b.shape:
        raise ValueError("vqadd operands must share the parameters' type and one shape")
    y = quant.quantized_add(a, b, arq.params, arq.zp, arq.qmin, arq.qmax, arq.unsigned)
    return np.asarray(y).astype(dtype)


def lut(x, table) -> np.ndarray:
    """vlut: table[byte of x]; the result has the table's dtype (int8 or uint8)."""
    x, table = _act(x), _act(table)
    if table.shape != (256,):
        raise ValueError("a vlut table has 256 entries")
    return table[x.view(np.uint8)]


# --- ops ---------------------------------------------------------------------------------------


def dense(x, w_int8, rq: Requant) -> np.ndarray:
    """Fully connected layer: requantize(x [N, K] @ w [K, Cout]); rq from requant_for."""
    return requantize_acc(matmul_acc(x, w_int8), rq)


def conv2d(x, w_int8, rq: Requant, x_zp: int, stride=(1, 1), padding=(0, 0, 0, 0),
           dilation=(1, 1), groups: int = 1) -> np.ndarray:
    """Conv layer (dense, grouped or depthwise) padding with the input zero point x_zp, whose
    contribution requant_for folded into the bias."""
    acc = conv2d_acc(x, w_int8, stride, padding, dilation, groups, padval=x_zp)
    return requantize_acc(acc, rq)


maxpool = maxpool2d
avgpool = avgpool2d
add = qadd


def requantize(x, in_q: QParams, out_q: QParams, act="none", mode: str = "fx") -> np.ndarray:
    """Rescale int8/uint8 x [..., C] from in_q to out_q: the bytes taken as accumulators (a 1x1
    depthwise conv with weight 1), then vrq with bias -in.zp and multiplier in.scale / out.scale
    (quantize.rescale_requant)."""
    x = _act(x)
    return requantize_acc(x.astype(np.int32), rescale_requant(in_q, out_q, x.shape[-1], act, mode))


def flatten(x) -> np.ndarray:
    """[N, ...] -> [N, prod(...)] in C order (NHWC: channel fastest)."""
    x = np.asarray(x)
    return x.reshape(x.shape[0], -1)


def reshape(x, shape) -> np.ndarray:
    return np.asarray(x).reshape(shape)

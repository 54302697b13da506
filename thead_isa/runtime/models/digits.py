# Digits demo models: sklearn's 8x8 digits split, a deterministic numpy float trainer, layer specs.
"""Float side of the end-to-end demo: an MLP and a small CNN on scikit-learn's 8x8 digits,
trained in float32 with numpy only, then handed to the runtime as plain-data layer specs for
post-training int8 quantization.

Data: ``load_split(seed, test_size)`` -> ``(x_train, y_train, x_test, y_test)``; images are
float32 NHWC ``[n, 8, 8, 1]`` in [0, 1] (pixel / 16), labels int64; the split is stratified.

Layer specs (what the runtime consumes; a list of dicts, applied in order to NHWC float32 input):

* ``{"op": "conv2d", "w": [kh, kw, cin, cout], "b": [cout], "stride": (sh, sw),
  "padding": (pt, pb, pl, pr), "act": "relu" | "none"}``: cross-correlation over the zero-padded
  input, output ``[n, oh, ow, cout]`` with ``oh = (h + pt + pb - kh) // sh + 1``.
* ``{"op": "maxpool", "size": (kh, kw), "stride": (sh, sw)}``: no padding, floor output size.
* ``{"op": "flatten"}``: ``[n, h, w, c] -> [n, h * w * c]`` in NHWC (C) order.
* ``{"op": "dense", "w": [k, n], "b": [n], "act": "relu" | "none"}``: ``x @ w + b``.

"act" is the activation fused into the producer (the NPU applies it in the producer's
requantization). The last layer gives logits (no softmax).

Models (specs from ``train_mlp`` / ``train_cnn``, or ``trained("mlp" | "cnn", seed)``, which
trains once per process on ``load_split()``'s training part):

* MLP: flatten -> dense 64x64 ReLU -> dense 64x10.
* CNN: conv 3x3x1x8 pad 1 ReLU -> conv 3x3x8x16 pad 1 ReLU -> maxpool 2x2 -> flatten (256, NHWC
  order) -> dense 256x10.

Inference and calibration over specs: ``forward_float(layers, x)`` -> float32 logits,
``layer_outputs(layers, x)``, ``accuracy(logits, y)``, and ``calibration_ranges(layers, x)`` ->
``{"input": (min, max), "layers": [(min, max) of each layer's output after its activation]}``.

Trainer: ``Dense``, ``Conv2D`` (NHWC, stride 1, explicit padding, im2col), ``ReLU``,
``MaxPool2x2``, ``Flatten`` with forward/backward, ``softmax_cross_entropy``, ``Adam``, ``Net``.
Everything is float32 and driven by one ``np.random.default_rng(seed)`` (He init first, then the
per-epoch shuffles), so the same seed gives bit-identical weights on the same machine. Layers
compute in the dtype of their parameters and input, so the gradient checks run them in float64.
"""
from __future__ import annotations

import contextlib
import functools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

ACTIVATIONS = ("none", "relu")
MODELS = ("mlp", "cnn")


# --- data -----------------------------------------------------------------------------------

def load_split(seed: int = 0, test_size: float = 0.2):
    """The digits data set as a stratified train/test split: (x_train, y_train, x_test, y_test)."""
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as exc:
        raise ImportError("the digits demo needs scikit-learn, which is in the optional extra "
                          "'demo': pip install 'thead-isa[demo]'") from exc
    digits = load_digits()
    x = (digits.images.astype(np.float32) / np.float32(16.0))[..., np.newaxis]
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, random_state=seed,
                                              stratify=y)
    return np.ascontiguousarray(x_tr), y_tr, np.ascontiguousarray(x_te), y_te


# --- shared numerics (the trainer and forward_float use the same functions) -------------------

def _out_size(size: int, k: int, stride: int) -> int:
    """Output length of a k-wide window sliding with stride over size (already padded) entries."""
    if size < k:
        raise ValueError(f"window {k} does not fit a (padded) size of {size}")
    return (size - k) // stride + 1


def _window(x, i, j, oh, ow, stride):
    """The [n, oh, ow, c] view of x seen by kernel tap (i, j)."""
    sh, sw = stride
    return x[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :]


def _pad_nhwc(x, padding):
    pt, pb, pl, pr = padding
    n, h, w, c = x.shape
    xp = np.zeros((n, h + pt + pb, w + pl + pr, c), dtype=x.dtype)
    xp[:, pt:pt + h, pl:pl + w, :] = x
    return xp


def im2col(x, kh, kw, stride=(1, 1), padding=(0, 0, 0, 0)):
    """NHWC x -> (cols [n*oh*ow, kh*kw*c] in (kh, kw, c) order, (n, oh, ow))."""
    xp = _pad_nhwc(x, padding)
    n, hp, wp, c = xp.shape
    oh, ow = _out_size(hp, kh, stride[0]), _out_size(wp, kw, stride[1])
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))  # [n, hp-kh+1, wp-kw+1, c, kh, kw]
    windows = windows[:, ::stride[0], ::stride[1]][:, :oh, :ow]
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, kh * kw * c), (n, oh, ow)


def conv2d_input_grad(g, w, x_shape, padding=(0, 0, 0, 0)):
    """Gradient of a stride-1 conv2d_nhwc with respect to its input, given the output gradient g:
    one batched matmul per kernel tap, scattered back into the padded input."""
    n, h, wd, cin = x_shape
    kh, kw, _, cout = w.shape
    pt, pb, pl, pr = padding
    oh, ow = g.shape[1], g.shape[2]
    taps = np.matmul(g.reshape(-1, cout), w.reshape(kh * kw, cin, cout).transpose(0, 2, 1))
    taps = taps.reshape(kh, kw, n, oh, ow, cin)
    dxp = np.zeros((n, h + pt + pb, wd + pl + pr, cin), dtype=g.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, i:i + oh, j:j + ow, :] += taps[i, j]
    return dxp[:, pt:pt + h, pl:pl + wd, :]


def _conv_from_cols(cols, out_shape, w, b):
    return (cols @ w.reshape(-1, w.shape[3]) + b).reshape(*out_shape, w.shape[3])


def conv2d_nhwc(x, w, b, stride=(1, 1), padding=(0, 0, 0, 0)):
    """NHWC convolution (cross-correlation), w [kh, kw, cin, cout], explicit (pt, pb, pl, pr)."""
    cols, out_shape = im2col(x, w.shape[0], w.shape[1], stride, padding)
    return _conv_from_cols(cols, out_shape, w, b)


def maxpool_nhwc(x, size=(2, 2), stride=(2, 2)):
    """NHWC max pooling without padding (floor output size)."""
    n, h, w, c = x.shape
    oh, ow = _out_size(h, size[0], stride[0]), _out_size(w, size[1], stride[1])
    out = _window(x, 0, 0, oh, ow, stride).copy()
    for i in range(size[0]):
        for j in range(size[1]):
            np.maximum(out, _window(x, i, j, oh, ow, stride), out=out)
    return out


def relu(x):
    return np.maximum(x, 0)


def _activate(x, act):
    if act == "relu":
        return relu(x)
    if act == "none":
        return x
    raise ValueError(f"unknown activation {act!r}; expected one of {ACTIVATIONS}")


# --- trainer layers ---------------------------------------------------------------------------

def he_normal(rng, shape, fan_in, dtype=np.float32):
    return (rng.standard_normal(shape) * math.sqrt(2.0 / fan_in)).astype(dtype)


class Dense:
    """y = x @ w + b, w [k, n]."""

    def __init__(self, n_in: int, n_out: int, rng, dtype=np.float32):
        self.params = {"w": he_normal(rng, (n_in, n_out), n_in, dtype),
                       "b": np.zeros(n_out, dtype)}
        self.grads = {}

    def forward(self, x):
        self._x = x
        return x @ self.params["w"] + self.params["b"]

    def backward(self, g, need_dx=True):
        self.grads["w"] = self._x.T @ g
        self.grads["b"] = g.sum(axis=0)
        return g @ self.params["w"].T if need_dx else None

    def spec(self):
        return {"op": "dense", "w": self.params["w"].copy(), "b": self.params["b"].copy(),
                "act": "none"}


class Conv2D:
    """NHWC convolution, stride 1, explicit padding (pt, pb, pl, pr), w [kh, kw, cin, cout]."""

    def __init__(self, kh, kw, cin, cout, rng, padding=(0, 0, 0, 0), dtype=np.float32):
        self.padding = tuple(padding)
        self.params = {"w": he_normal(rng, (kh, kw, cin, cout), kh * kw * cin, dtype),
                       "b": np.zeros(cout, dtype)}
        self.grads = {}

    def forward(self, x):
        w = self.params["w"]
        self._x_shape = x.shape
        self._cols, out_shape = im2col(x, w.shape[0], w.shape[1], (1, 1), self.padding)
        return _conv_from_cols(self._cols, out_shape, w, self.params["b"])

    def backward(self, g, need_dx=True):
        w = self.params["w"]
        g2 = g.reshape(-1, w.shape[3])
        self.grads["w"] = (self._cols.T @ g2).reshape(w.shape)
        self.grads["b"] = g2.sum(axis=0)
        return conv2d_input_grad(g, w, self._x_shape, self.padding) if need_dx else None

    def spec(self):
        return {"op": "conv2d", "w": self.params["w"].copy(), "b": self.params["b"].copy(),
                "stride": (1, 1), "padding": self.padding, "act": "none"}


class ReLU:
    """max(x, 0)."""

    def forward(self, x):
        self._mask = x > 0
        return relu(x)

    def backward(self, g, need_dx=True):
        return g * self._mask


class MaxPool2x2:
    """2x2 max pooling, stride 2; the gradient goes to the first maximum of each window."""

    def forward(self, x):
        self._x = x
        self._out = maxpool_nhwc(x, (2, 2), (2, 2))
        return self._out

    def backward(self, g, need_dx=True):
        oh, ow = self._out.shape[1:3]
        dx = np.zeros(self._x.shape, dtype=g.dtype)
        taken = np.zeros(self._out.shape, dtype=bool)
        for i in range(2):
            for j in range(2):
                hit = (self._x[:, i:2 * oh:2, j:2 * ow:2, :] == self._out) & ~taken
                dx[:, i:2 * oh:2, j:2 * ow:2, :] = g * hit
                taken |= hit
        return dx

    def spec(self):
        return {"op": "maxpool", "size": (2, 2), "stride": (2, 2)}


class Flatten:
    """[n, h, w, c] -> [n, h*w*c] in NHWC order."""

    def forward(self, x):
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, g, need_dx=True):
        return g.reshape(self._shape)

    def spec(self):
        return {"op": "flatten"}


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against int labels: (loss, dloss/dlogits)."""
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    total = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) - z[np.arange(n), y]))
    grad = e / total
    grad[np.arange(n), y] -= 1
    return loss, grad / n


class Net:
    """A sequence of trainer layers."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, g, need_dx=False):
        """Backpropagate the logits' gradient, leaving parameter gradients in each layer's
        grads; the input gradient is computed (and returned) only if need_dx."""
        for index in range(len(self.layers) - 1, -1, -1):
            g = self.layers[index].backward(g, need_dx=need_dx or index > 0)
        return g

    def trainable(self):
        return [layer for layer in self.layers if getattr(layer, "params", None)]

    def to_spec(self):
        """Plain-data layer specs, each ReLU fused into the preceding conv2d/dense as its "act"."""
        specs = []
        for layer in self.layers:
            if isinstance(layer, ReLU):
                if not specs or specs[-1]["op"] not in ("conv2d", "dense") \
                        or specs[-1]["act"] != "none":
                    raise ValueError("a ReLU must directly follow a conv2d or dense layer")
                specs[-1]["act"] = "relu"
            else:
                specs.append(layer.spec())
        return specs


class Adam:
    """Adam with bias correction and optional decoupled weight decay on the weights ("w", not
    biases), as in AdamW; updates the layers' params in place."""

    def __init__(self, net, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.weight_decay = weight_decay
        self.t = 0
        self.slots = [(layer, key, np.zeros_like(p), np.zeros_like(p))
                      for layer in net.trainable() for key, p in layer.params.items()]

    def step(self, lr=None):
        lr = self.lr if lr is None else lr
        self.t += 1
        bc1, bc2 = 1 - self.beta1 ** self.t, 1 - self.beta2 ** self.t
        for layer, key, m, v in self.slots:
            g = layer.grads[key]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * (g * g)
            if self.weight_decay and key == "w":
                layer.params[key] *= 1 - lr * self.weight_decay
            layer.params[key] -= (lr / bc1) * m / (np.sqrt(v / bc2) + self.eps)


def _cosine_lr(lr, epoch, epochs):
    return lr * 0.5 * (1 + math.cos(math.pi * epoch / epochs))


def _one_blas_thread():
    """The trainer's small matmuls run fastest on one BLAS thread (threads only contend, badly so
    on a busy machine); threadpoolctl, a scikit-learn dependency, sets that when installed."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def fit(net, x, y, rng, epochs, batch_size=32, lr=1e-3, weight_decay=0.0):
    """Mini-batch Adam on softmax cross-entropy, batches shuffled by rng, cosine-decayed lr."""
    with _one_blas_thread():
        return _fit(net, np.asarray(x, np.float32), np.asarray(y, np.int64), rng, epochs,
                    batch_size, lr, weight_decay)


def _fit(net, x, y, rng, epochs, batch_size, lr, weight_decay):
    opt = Adam(net, lr, weight_decay=weight_decay)
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        epoch_lr = _cosine_lr(lr, epoch, epochs)
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            _, grad = softmax_cross_entropy(net.forward(x[batch]), y[batch])
            net.backward(grad)
            opt.step(epoch_lr)
    return net


# --- the two demo models ----------------------------------------------------------------------

def build_mlp(rng, hidden=64):
    """Flatten -> dense 64 -> hidden (ReLU) -> dense 10."""
    return Net([Flatten(), Dense(64, hidden, rng), ReLU(), Dense(hidden, 10, rng)])


def build_cnn(rng, c1=8, c2=16):
    """conv3x3 c1 pad 1 ReLU -> conv3x3 c2 pad 1 ReLU -> maxpool 2x2 -> flatten -> dense 10."""
    return Net([Conv2D(3, 3, 1, c1, rng, (1, 1, 1, 1)), ReLU(),
                Conv2D(3, 3, c1, c2, rng, (1, 1, 1, 1)), ReLU(),
                MaxPool2x2(), Flatten(), Dense(4 * 4 * c2, 10, rng)])


def fit_mlp(x, y, seed=0, epochs=40, batch_size=32, lr=3e-3, weight_decay=0.0):
    """Train the MLP; returns the trainer Net (see train_mlp for the layer specs)."""
    rng = np.random.default_rng(seed)
    return fit(build_mlp(rng), x, y, rng, epochs, batch_size, lr, weight_decay)


def fit_cnn(x, y, seed=0, epochs=12, batch_size=32, lr=1e-2, weight_decay=0.0):
    """Train the CNN; returns the trainer Net (see train_cnn for the layer specs)."""
    rng = np.random.default_rng(seed)
    return fit(build_cnn(rng), x, y, rng, epochs, batch_size, lr, weight_decay)


def train_mlp(x, y, seed=0, **options):
    """Train the MLP (64 -> 64 ReLU -> 10) on NHWC images; returns its layer specs."""
    return fit_mlp(x, y, seed, **options).to_spec()


def train_cnn(x, y, seed=0, **options):
    """Train the CNN on NHWC images; returns its layer specs."""
    return fit_cnn(x, y, seed, **options).to_spec()


# --- inference over layer specs ---------------------------------------------------------------

def apply_layer(spec, x):
    """One layer spec applied to a float32 NHWC (or [n, k] after flatten) batch."""
    op = spec["op"]
    if op == "conv2d":
        y = conv2d_nhwc(x, spec["w"], spec["b"], tuple(spec.get("stride", (1, 1))),
                        tuple(spec.get("padding", (0, 0, 0, 0))))
        return _activate(y, spec.get("act", "none"))
    if op == "dense":
        return _activate(x @ spec["w"] + spec["b"], spec.get("act", "none"))
    if op == "maxpool":
        return maxpool_nhwc(x, tuple(spec["size"]), tuple(spec.get("stride", spec["size"])))
    if op == "flatten":
        return x.reshape(x.shape[0], -1)
    raise ValueError(f"unknown layer op {op!r}")


def layer_outputs(layers, x):
    """The output of every layer (after its fused activation), in order."""
    outputs = []
    x = np.asarray(x, np.float32)
    for spec in layers:
        x = apply_layer(spec, x)
        outputs.append(x)
    return outputs


def forward_float(layers, x):
    """Float32 inference over layer specs; returns the logits."""
    x = np.asarray(x, np.float32)
    for spec in layers:
        x = apply_layer(spec, x)
    return x


def accuracy(logits, y) -> float:
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(y)))


def _merge_range(old, arr):
    lo, hi = float(arr.min()), float(arr.max())
    return (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))


def calibration_ranges(layers, x, batch_size=512):
    """Observed ranges for post-training quantization:
    {"input": (min, max), "layers": [(min, max) of each layer's output, after its activation]}."""
    x = np.asarray(x, np.float32)
    in_range, out_ranges = None, [None] * len(layers)
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size]
        in_range = _merge_range(in_range, batch)
        for i, out in enumerate(layer_outputs(layers, batch)):
            out_ranges[i] = _merge_range(out_ranges[i], out)
    if in_range is None:
        raise ValueError("calibration needs at least one input")
    return {"input": in_range, "layers": out_ranges}


# --- per-process cache ------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _trained_frozen(model: str, seed: int):
    x_train, y_train, _, _ = load_split()
    train = {"mlp": train_mlp, "cnn": train_cnn}[model]
    layers = train(x_train, y_train, seed)
    for spec in layers:
        for value in spec.values():
            if isinstance(value, np.ndarray):
                value.setflags(write=False)
    return tuple(layers)


def trained(model: str = "mlp", seed: int = 0):
    """The layer specs of `model` trained with `seed` on load_split()'s training part, trained
    once per process; each call returns fresh dicts sharing read-only weight arrays."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")
    return [dict(spec) for spec in _trained_frozen(model, seed)]

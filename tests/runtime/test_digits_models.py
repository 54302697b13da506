# Digits demo float models: layer gradients, spec semantics, determinism, accuracy, calibration.
from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("sklearn", reason="the digits models need scikit-learn "
                    "(pip install 'thead-isa[test]' or '[demo]')")

from thead_isa.runtime.models import digits  # noqa: E402

# --- finite-difference helpers ----------------------------------------------------------------


def numeric_grad(loss, arr, eps=1e-6):
    """Central differences of the scalar loss() with respect to every entry of arr (in place)."""
    grad = np.zeros_like(arr)
    for idx in np.ndindex(arr.shape):
        saved = arr[idx]
        arr[idx] = saved + eps
        plus = loss()
        arr[idx] = saved - eps
        minus = loss()
        arr[idx] = saved
        grad[idx] = (plus - minus) / (2 * eps)
    return grad


def check_layer_grads(layer, x, rng):
    """Compare a layer's backward (input and parameter gradients) with finite differences of
    sum(forward(x) * g) for a random upstream gradient g."""
    g = rng.standard_normal(layer.forward(x).shape)

    def loss():
        return float(np.sum(layer.forward(x) * g))

    layer.forward(x)
    dx = layer.backward(g)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=1e-6, atol=1e-8)
    for key, param in getattr(layer, "params", {}).items():
        layer.forward(x)
        layer.backward(g)
        analytic = layer.grads[key].copy()
        np.testing.assert_allclose(analytic, numeric_grad(loss, param), rtol=1e-6, atol=1e-8,
                                   err_msg=key)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


# --- gradient checks (float64) ----------------------------------------------------------------


def test_dense_gradients(rng):
    layer = digits.Dense(5, 4, rng, dtype=np.float64)
    layer.params["b"][:] = rng.standard_normal(4)
    check_layer_grads(layer, rng.standard_normal((3, 5)), rng)


@pytest.mark.parametrize("kernel, padding", [((3, 3), (1, 1, 1, 1)), ((3, 3), (0, 0, 0, 0)),
                                             ((2, 3), (0, 1, 2, 1))])
def test_conv2d_gradients(rng, kernel, padding):
    layer = digits.Conv2D(*kernel, 2, 3, rng, padding=padding, dtype=np.float64)
    layer.params["b"][:] = rng.standard_normal(3)
    check_layer_grads(layer, rng.standard_normal((2, 5, 4, 2)), rng)


def test_relu_gradients(rng):
    x = rng.standard_normal((3, 4, 4, 2))
    x += np.where(x >= 0, 0.01, -0.01)  # keep the kink out of the finite differences' reach
    check_layer_grads(digits.ReLU(), x, rng)


def test_maxpool_gradients(rng):
    # odd height: the last row is dropped (floor), so its gradient is zero
    x = rng.standard_normal((2, 5, 6, 3))
    check_layer_grads(digits.MaxPool2x2(), x, rng)


def test_maxpool_gradient_goes_to_first_maximum_on_ties():
    layer = digits.MaxPool2x2()
    layer.forward(np.zeros((1, 2, 2, 1)))
    dx = layer.backward(np.ones((1, 1, 1, 1)))
    assert dx[0, :, :, 0].tolist() == [[1.0, 0.0], [0.0, 0.0]]


def test_flatten_gradients(rng):
    check_layer_grads(digits.Flatten(), rng.standard_normal((2, 3, 2, 4)), rng)


def test_softmax_cross_entropy_gradient(rng):
    logits = rng.standard_normal((6, 10)) * 3
    y = rng.integers(0, 10, 6)
    loss, grad = digits.softmax_cross_entropy(logits, y)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(6), y])), rel=1e-12)
    numeric = numeric_grad(lambda: digits.softmax_cross_entropy(logits, y)[0], logits)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_whole_cnn_gradients(rng):
    """Backpropagation through the chained CNN layers, in float64, on sampled parameters."""
    net = digits.build_cnn(np.random.default_rng(0), c1=2, c2=3)
    for layer in net.trainable():
        layer.params = {k: v.astype(np.float64) + 0.01 for k, v in layer.params.items()}
    x = rng.random((2, 8, 8, 1))
    y = np.array([3, 7])

    def loss():
        return digits.softmax_cross_entropy(net.forward(x), y)[0]

    _, g = digits.softmax_cross_entropy(net.forward(x), y)
    dx = net.backward(g, need_dx=True)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=1e-5, atol=1e-9)
    for layer in net.trainable():
        for key, param in layer.params.items():
            np.testing.assert_allclose(layer.grads[key], numeric_grad(loss, param),
                                       rtol=1e-5, atol=1e-9)


def test_adam_minimizes_a_quadratic():
    layer = digits.Dense(3, 2, np.random.default_rng(0))
    net = digits.Net([layer])
    target = np.array([[1.0, -2.0], [0.5, 0.0], [3.0, 1.0]], np.float32)
    opt = digits.Adam(net, lr=0.05)
    for _ in range(500):
        layer.grads = {"w": layer.params["w"] - target, "b": layer.params["b"].copy()}
        opt.step()
    np.testing.assert_allclose(layer.params["w"], target, atol=1e-2)
    assert layer.params["w"].dtype == np.float32


# --- spec semantics against naive loops -------------------------------------------------------


def naive_conv(x, w, b, stride, padding):
    pt, pb, pl, pr = padding
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    kh, kw, _, cout = w.shape
    oh = (xp.shape[1] - kh) // stride[0] + 1
    ow = (xp.shape[2] - kw) // stride[1] + 1
    out = np.zeros((x.shape[0], oh, ow, cout))
    for n in range(x.shape[0]):
        for i in range(oh):
            for j in range(ow):
                patch = xp[n, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw]
                out[n, i, j] = np.tensordot(patch, w, axes=3) + b
    return out


@pytest.mark.parametrize("stride, padding", [((1, 1), (1, 1, 1, 1)), ((2, 1), (1, 0, 2, 1)),
                                             ((2, 2), (0, 0, 0, 0))])
def test_conv2d_spec_matches_naive_loops(rng, stride, padding):
    x = rng.standard_normal((2, 7, 6, 3))
    w = rng.standard_normal((3, 2, 3, 4))
    b = rng.standard_normal(4)
    spec = {"op": "conv2d", "w": w, "b": b, "stride": stride, "padding": padding, "act": "none"}
    np.testing.assert_allclose(digits.apply_layer(spec, x), naive_conv(x, w, b, stride, padding),
                               rtol=1e-12, atol=1e-12)
    relu_spec = dict(spec, act="relu")
    np.testing.assert_array_equal(digits.apply_layer(relu_spec, x),
                                  np.maximum(digits.apply_layer(spec, x), 0))


@pytest.mark.parametrize("size, stride", [((2, 2), (2, 2)), ((3, 3), (2, 2)), ((2, 1), (1, 1))])
def test_maxpool_spec_matches_naive_loops(rng, size, stride):
    x = rng.standard_normal((2, 7, 6, 3))
    out = digits.apply_layer({"op": "maxpool", "size": size, "stride": stride}, x)
    oh, ow = (7 - size[0]) // stride[0] + 1, (6 - size[1]) // stride[1] + 1
    assert out.shape == (2, oh, ow, 3)
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * stride[0]:i * stride[0] + size[0],
                       j * stride[1]:j * stride[1] + size[1], :]
            np.testing.assert_array_equal(out[:, i, j, :], window.max(axis=(1, 2)))


def test_flatten_spec_is_nhwc_order():
    x = np.arange(2 * 2 * 3 * 4, dtype=np.float32).reshape(2, 2, 3, 4)
    out = digits.apply_layer({"op": "flatten"}, x)
    assert out[1, (1 * 3 + 2) * 4 + 3] == x[1, 1, 2, 3]


def test_unknown_op_and_activation_are_rejected():
    with pytest.raises(ValueError, match="op"):
        digits.forward_float([{"op": "softmax"}], np.zeros((1, 2), np.float32))
    with pytest.raises(ValueError, match="activation"):
        digits.forward_float([{"op": "dense", "w": np.eye(2), "b": np.zeros(2), "act": "gelu"}],
                             np.zeros((1, 2), np.float32))


def test_relu_must_follow_a_producer():
    net = digits.Net([digits.Flatten(), digits.ReLU()])
    with pytest.raises(ValueError, match="ReLU"):
        net.to_spec()


# --- data -------------------------------------------------------------------------------------


def test_load_split_shapes_scaling_and_stratification():
    x_tr, y_tr, x_te, y_te = digits.load_split()
    assert x_tr.shape == (1437, 8, 8, 1) and x_te.shape == (360, 8, 8, 1)
    assert x_tr.dtype == x_te.dtype == np.float32
    assert x_tr.min() == 0.0 and x_tr.max() == 1.0
    assert np.all(np.round(x_tr * 16) == x_tr * 16)
    assert y_tr.dtype == np.int64 and set(y_te.tolist()) == set(range(10))
    counts_tr, counts_te = np.bincount(y_tr), np.bincount(y_te)
    np.testing.assert_allclose(counts_te / counts_tr, 0.25, atol=0.02)
    again = digits.load_split()
    for a, b in zip((x_tr, y_tr, x_te, y_te), again):
        np.testing.assert_array_equal(a, b)
    other = digits.load_split(seed=1)
    assert not np.array_equal(y_te, other[3])


def test_load_split_names_the_extra_when_sklearn_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"thead-isa\[demo\]"):
        digits.load_split()


@pytest.fixture(scope="module")
def split():
    return digits.load_split()


# --- the trained models -----------------------------------------------------------------------


def assert_same_layers(a, b):
    assert [s["op"] for s in a] == [s["op"] for s in b]
    for sa, sb in zip(a, b):
        assert sa.keys() == sb.keys()
        for key in sa:
            if isinstance(sa[key], np.ndarray):
                np.testing.assert_array_equal(sa[key], sb[key])
            else:
                assert sa[key] == sb[key]


def test_mlp_spec_structure():
    layers = digits.trained("mlp")
    assert [(s["op"], s.get("act")) for s in layers] == [
        ("flatten", None), ("dense", "relu"), ("dense", "none")]
    assert [s["w"].shape for s in layers[1:]] == [(64, 64), (64, 10)]
    assert all(s["w"].dtype == s["b"].dtype == np.float32 for s in layers[1:])


def test_cnn_spec_structure():
    layers = digits.trained("cnn")
    assert [(s["op"], s.get("act")) for s in layers] == [
        ("conv2d", "relu"), ("conv2d", "relu"), ("maxpool", None), ("flatten", None),
        ("dense", "none")]
    conv1, conv2, pool, _, dense = layers
    assert conv1["w"].shape == (3, 3, 1, 8) and conv2["w"].shape == (3, 3, 8, 16)
    assert conv1["padding"] == conv2["padding"] == (1, 1, 1, 1)
    assert conv1["stride"] == (1, 1)
    assert pool["size"] == pool["stride"] == (2, 2)
    assert dense["w"].shape == (256, 10) and dense["b"].shape == (10,)


@pytest.mark.parametrize("model, train", [("mlp", digits.train_mlp), ("cnn", digits.train_cnn)])
def test_training_is_deterministic(split, model, train):
    x_tr, y_tr, _, _ = split
    assert_same_layers(train(x_tr, y_tr, seed=0), digits.trained(model, seed=0))


def test_seed_changes_the_weights(split):
    x_tr, y_tr, _, _ = split
    seed0 = digits.train_mlp(x_tr, y_tr, seed=0, epochs=1)
    seed1 = digits.train_mlp(x_tr, y_tr, seed=1, epochs=1)
    assert not np.array_equal(seed0[1]["w"], seed1[1]["w"])


@pytest.mark.parametrize("model, threshold", [("mlp", 0.95), ("cnn", 0.97)])
def test_held_out_accuracy(split, model, threshold):
    _, _, x_te, y_te = split
    assert digits.accuracy(digits.forward_float(digits.trained(model), x_te), y_te) >= threshold


@pytest.mark.parametrize("fit", [digits.fit_mlp, digits.fit_cnn])
def test_forward_float_of_spec_equals_trainer_forward(split, fit):
    x_tr, y_tr, x_te, _ = split
    net = fit(x_tr, y_tr, seed=3, epochs=1)
    layers = net.to_spec()
    logits = digits.forward_float(layers, x_te)
    assert logits.dtype == np.float32 and logits.shape == (len(x_te), 10)
    np.testing.assert_array_equal(logits, net.forward(x_te))
    outputs = digits.layer_outputs(layers, x_te)
    np.testing.assert_array_equal(outputs[-1], logits)


def test_trained_cache_is_read_only_and_fresh_per_call():
    first = digits.trained("cnn")
    with pytest.raises(ValueError):
        first[0]["w"][0, 0, 0, 0] = 1.0
    first[0]["act"] = "none"
    first.pop()
    second = digits.trained("cnn")
    assert len(second) == 5 and second[0]["act"] == "relu"
    assert second[0]["w"] is first[0]["w"]
    with pytest.raises(ValueError, match="model"):
        digits.trained("resnet")


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_calibration_ranges(split, model):
    x_tr = split[0]
    layers = digits.trained(model)
    ranges = digits.calibration_ranges(layers, x_tr)
    assert ranges["input"] == (0.0, 1.0)
    assert len(ranges["layers"]) == len(layers)
    outputs = digits.layer_outputs(layers, x_tr)
    for spec, (lo, hi), out in zip(layers, ranges["layers"], outputs):
        assert isinstance(lo, float) and isinstance(hi, float)
        assert (lo, hi) == (float(out.min()), float(out.max()))
        assert lo < hi
        if spec.get("act") == "relu":
            assert lo == 0.0
    logits_lo, logits_hi = ranges["layers"][-1]
    assert logits_lo < 0 < logits_hi
    # batching does not change the ranges
    assert digits.calibration_ranges(layers, x_tr, batch_size=100) == ranges

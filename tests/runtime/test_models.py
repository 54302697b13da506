# Whole networks on the NPU: digits MLP/CNN accuracy and bit-exactness, ResNet-style and ResNet-50.
import numpy as np
import pytest

from thead_isa.runtime import Device
from thead_isa.runtime.convert import to_graph
from thead_isa.runtime.models.resnet import (ConvLayer, conv_layer_graph, resnet50_conv_layers,
                                             resnet_style)

pytest.importorskip("sklearn", reason="the digits models need scikit-learn (pip install '.[test]')")
from thead_isa.runtime.models import digits  # noqa: E402


@pytest.fixture(scope="module")
def split():
    return digits.load_split()


@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_digits_int8_on_the_npu(model, split):
    x_train, _, x_test, y_test = split
    layers = digits.trained(model)
    graph = to_graph(layers, digits.calibration_ranges(layers, x_train), x_train.shape[1:])
    xq = graph.input.q.quantize(x_test)
    (logits,), records = graph.compile(Device("default", "functional"), batch=len(xq)).run(xq)
    (expect,) = graph.reference(xq)
    np.testing.assert_array_equal(logits, expect)
    float_acc = digits.accuracy(digits.forward_float(layers, x_test), y_test)
    int8_acc = digits.accuracy(logits.astype(np.int32), y_test)
    assert float_acc - int8_acc <= 0.01, (float_acc, int8_acc)
    assert [r.name for r in records] == [n.name for n in graph.nodes
                                         if n.op not in ("input", "reshape")]
    # the same graph in cycle mode on a few images, and on the small preset
    for config in ("default", "small"):
        few = xq[:4]
        (out,), recs = graph.compile(Device(config, "cycle"), batch=4).run(few)
        np.testing.assert_array_equal(out, expect[:4])
        assert all(r.cycles > 0 and r.bound is not None for r in recs)


@pytest.mark.parametrize("config", ["small", "default"])
@pytest.mark.parametrize("mode", ["functional", "cycle"])
def test_resnet_style(config, mode):
    g = resnet_style(input_shape=(8, 8, 4), widths=(8, 16), blocks=2)
    x = np.random.default_rng(3).integers(-128, 128, (2, 8, 8, 4), dtype=np.int8)
    outs, records = g.compile(Device(config, mode), batch=2).run(x)
    np.testing.assert_array_equal(outs[0], g.reference(x)[0])
    ops = {n.op for n in g.nodes}
    assert {"conv2d", "add", "gap", "dense"} <= ops
    assert any(n.name.endswith("_proj") for n in g.nodes)


def test_resnet50_table():
    layers = resnet50_conv_layers()
    assert sum(layer.count for layer in layers) == 53
    assert round(sum(layer.macs * layer.count for layer in layers) / 1e9, 2) == 4.09
    assert layers[0] == ConvLayer("conv1", 224, 3, 64, 7, 2, 1) and layers[0].out == 112


def test_a_resnet50_layer_in_cycle_mode():
    layer = next(x for x in resnet50_conv_layers() if x.name == "conv5_3x3")
    g = conv_layer_graph(layer)
    x = np.random.default_rng(1).integers(-128, 128, (1, 7, 7, 512), dtype=np.int8)
    dev = Device("default", "cycle")
    (out,), (rec,) = g.compile(dev, batch=1).run(x)
    np.testing.assert_array_equal(out, g.reference(x)[0])
    assert rec.macs == layer.macs
    assert rec.te_utilization > 0.85 and rec.bound == "compute"

# The runtime: a device, quantized int8 ops and networks on the emulated NPU (docs/runtime.md).
from importlib import import_module

_LAZY = {"Device": "device", "DeviceError": "device", "Graph": "graph", "QParams": "quantize",
         "profile_table": "graph"}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

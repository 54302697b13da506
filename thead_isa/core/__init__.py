# The compiled emulator core (Cython): predecoder, run loops, engine kernels and the Machine API.
_LAZY = {"Machine": "machine", "RunResult": "machine", "TrapReport": "machine"}


def __getattr__(name):
    if name in _LAZY:
        from importlib import import_module
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

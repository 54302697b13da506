# The README's main command: the demo program runs and is bit-exact on each preset.
import importlib.util
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "programs" / "gemm_demo.py"


@pytest.mark.parametrize("preset", ["small", "default"])
def test_gemm_demo(preset, capsys):
    spec = importlib.util.spec_from_file_location("gemm_demo", DEMO)
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    assert demo.main(preset) == 0
    out = capsys.readouterr().out
    assert "bit-exact against the numpy/Cython integer reference: yes" in out
    assert "exit code 0" in out

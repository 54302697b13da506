# Conformance suite hooks: print the coverage table (conformance_coverage.summary) at the end.
# The hypothesis profiles stay in tests/conftest.py; this file adds only a terminal-summary hook.
from __future__ import annotations

import sys
from pathlib import Path

# pytest runs with --import-mode=importlib, which puts no test directory on sys.path: make the
# helper module importable (one module object shared by this hook and the test modules).
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import conformance_coverage  # noqa: E402


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    text = conformance_coverage.summary()
    if text:
        terminalreporter.section("conformance coverage")
        terminalreporter.write_line(text)

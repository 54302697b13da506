# Fuzz properties share one crash-isolating worker process per test session (see fuzzlib.py).
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzzlib  # noqa: E402


@pytest.fixture(scope="session")
def worker():
    w = fuzzlib.Worker(timeout=60)
    yield w
    w.close()

# Replays: every file under corpus/ and regressions/ goes through its oracles in the worker.
# regressions/ holds the minimal reproducer of every problem the fuzzers found; the ones not yet
# fixed are strict xfails (XPASS fails the run: then drop the entry here and its signature in
# fuzzlib.KNOWN_BUGS, and the file stays as a plain regression case).
from pathlib import Path

import pytest

import fuzzlib
from fuzzlib import check

# file name -> (reason, oracles expected to fail)
XFAIL = {
    "asm-macro-many-params.s": (
        "assembler: the duplicate-parameter check in macros.parse_header is quadratic: 20000 "
        "parameters take ~13 s (a 130 KB line), 100000 several minutes",
        ("assemble",)),
    "asm-exponential-macro-rept.s": (
        "assembler: a macro recursing through .rept 2 keeps expanding after the nesting-depth "
        "error: ~27 s and 199983 diagnostics before the statement limit stops it",
        ("assemble",)),
    "asm-macro-redefine-recursion.s": (
        "assembler: nested self-redefining macros that recurse (found by atheris): ~40 s, 720 MB "
        "and 299958 diagnostics ('macro q is already defined' ...) before the statement limit",
        ("assemble",)),
}
# the hangs are replayed through assemble() only: through the CLIs they would hang the same way
ONLY = {"asm-macro-many-params.s": ("assemble",), "asm-exponential-macro-rept.s": ("assemble",),
        "asm-macro-redefine-recursion.s": ("assemble",)}
TIMEOUT = 5          # seconds: a regression case that takes longer is a hang


def _cases():
    out = []
    for d in (fuzzlib.CORPUS / "asm", fuzzlib.CORPUS / "elf", fuzzlib.CORPUS / "config",
              fuzzlib.REGRESSIONS):
        for p in sorted(d.iterdir()):
            ops = {".s": ("assemble", "as_cli", "run_cli"), ".elf": ("read_elf", "objdump", "run_cli"),
                   ".toml": ("config",), ".bin": ("read_elf", "objdump")}.get(p.suffix, ())
            for op in ops:
                if op not in ONLY.get(p.name, ops):
                    continue
                marks = []
                reason, failing = XFAIL.get(p.name, (None, ()))
                if op in failing:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
                out.append(pytest.param(p, op, id=f"{p.parent.name}/{p.name}:{op}", marks=marks))
    return out


def _call(worker, path: Path, op: str):
    data = path.read_bytes()
    if op == "assemble":
        return worker.call(op, data.decode("utf-8", "surrogateescape"), timeout=TIMEOUT)
    if op == "as_cli":
        return worker.call(op, data, (), True, timeout=TIMEOUT)
    if op == "run_cli":
        return worker.call(op, data, path.suffix, ("--config", "small"), timeout=TIMEOUT)
    if op == "config":
        return worker.call(op, None, data, timeout=TIMEOUT)
    return worker.call(op, data, timeout=TIMEOUT)


@pytest.mark.parametrize("path, op", _cases())
def test_replay(worker, path, op):
    result = _call(worker, path, op)
    if result[0] not in ("ok", "expected"):        # known bugs are not tolerated here
        raise AssertionError(f"{path.name} via {op}: {result[0]}: {result[1][-3000:]}")

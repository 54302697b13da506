# Replays: every file under corpus/ and regressions/ goes through its oracles in the worker.
# regressions/ holds the minimal reproducer of every problem the fuzzers found; the ones not yet
# fixed are strict xfails (XPASS fails the run: then drop the entry here and its signature in
# fuzzlib.KNOWN_BUGS, and the file stays as a plain regression case).
from pathlib import Path

import pytest

import fuzzlib
from fuzzlib import check

# file name -> (reason, oracles expected to fail)
XFAIL: dict[str, tuple[str, tuple[str, ...]]] = {
}
# file name -> oracles to replay it through (default: every oracle of its suffix)
ONLY: dict[str, tuple[str, ...]] = {
}
# Fixed problems whose outcome is pinned (beyond "ok or expected within TIMEOUT"):
# file name -> (outcome, first line of the first diagnostic of assemble() without the directory)
OUTCOME = {
    # the duplicate-parameter check in macros.parse_header was quadratic: 20000 parameters took
    # ~13 s, 100000 several minutes
    "asm-macro-many-params.s": ("ok", None),
    # a macro recursing through .rept 2 kept expanding after the nesting-depth error (~30 s,
    # 199983 diagnostics before the statement limit stopped it): now the error is reported once
    # and the whole expansion is abandoned
    "asm-exponential-macro-rept.s": (
        "expected", "fuzz.s:5:9: error: macro and .rept expansion nested too deeply "
                    "(more than 64 levels)"),
    # nested self-redefining macros that recurse twice per level (found by atheris; ~25-40 s,
    # 720+ MB and 299958 diagnostics): now 64 redefinition errors and one nesting error
    "asm-macro-redefine-recursion.s": (
        "expected", "fuzz.s:4:1: error: macro 'q' is already defined"),
    # 1,000,000 erroneous statements from expansions (the statement limit bounded them, not within
    # 60 s: ~7-13 min with a "did you mean" suggestion each, ~35 s and 1.2 GB for a cheap error):
    # now the error limit stops assembly after 100 errors, in milliseconds
    "asm-rept-million-unknown-insns.s": (
        "expected", "fuzz.s:5:9: error: unknown instruction 'foo'"),
    "asm-rept-million-errors.s": (
        "expected", "fuzz.s:5:17: error: too many operands for 'nop' (expected: nop)"),
    # an unterminated string of many backslashes (found by atheris, session 3): Lark turned the
    # grammar's STRING class [^\\"] into [^\"], which also matches a backslash, so the regex
    # backtracked exponentially (a 1,110-character line ran for minutes); now [^"\\]
    "asm-string-backslashes-backtracking.s": (
        "expected", "fuzz.s:2:10: error: unterminated string"),
}
# Cases that must also finish well within TIMEOUT in-process, with their last diagnostic:
# file name -> (seconds, last diagnostic's first line without the directory)
LAST = {
    "asm-rept-million-unknown-insns.s": (
        1.0, "fuzz.s:5:9: error: too many errors emitted (limit 100); stopping now"),
    "asm-rept-million-errors.s": (
        1.0, "fuzz.s:5:9: error: too many errors emitted (limit 100); stopping now"),
}
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
    if path.name in OUTCOME:
        kind, first = OUTCOME[path.name]
        assert result[0] == kind, f"{path.name} via {op}: {result}"
        if op == "assemble" and first is not None:
            assert result[1] == "AssemblyError" and \
                result[2].split("\n")[0].endswith("/" + first), f"{path.name}: {result}"


@pytest.mark.parametrize("name", sorted(LAST))
def test_stops_quickly_at_the_error_limit(worker, name):
    """The worker bounds the time (a hang is reported, not waited for); the oracle's own run is
    then timed: it must stop at the error limit in well under a second."""
    path = fuzzlib.REGRESSIONS / name
    result = worker.call("timed_errors", path.read_text(), timeout=TIMEOUT)
    assert result[0] == "expected", f"{name}: {result}"
    seconds, last = LAST[name]
    _, count, final, elapsed = result
    assert count == 101 and final.endswith("/" + last), f"{name}: {result}"
    assert elapsed < seconds, f"{name}: {elapsed:.2f} s"

# The error limit (docs/assembler.md, "Error limit"): N errors are reported, the next one stops
# assembly with `too many errors emitted (limit N); stopping now` at the start of its statement.
# Also the cost of "did you mean" suggestions (diagnostics.suggest).
import importlib
import time

import pytest

from thead_isa.assembler import AssemblyError, Diagnostic, assemble
from thead_isa.assembler.grammar import lark_statement

DRIVER = importlib.import_module("thead_isa.assembler.assemble")
DIAGNOSTICS = importlib.import_module("thead_isa.assembler.diagnostics")
STOP = "too many errors emitted (limit {}); stopping now"


@pytest.fixture(params=["lane", "python", "lark"])
def path(request, monkeypatch):
    """The compiled fast lane (when built), the Python fast paths, or the general paths only."""
    if request.param == "lane" and DRIVER.FASTLANE is None:
        pytest.skip("thead_isa/assembler/fastlane.pyx is not compiled")
    if request.param != "lane":
        monkeypatch.setattr(DRIVER, "FASTLANE", None)
    if request.param == "lark":
        monkeypatch.setattr(DRIVER, "quick_match", lambda form, operands: None)
        monkeypatch.setattr(DRIVER, "quick_statement", lambda text: None)
        monkeypatch.setattr(DRIVER, "parse_statement", lark_statement)
    return request.param


def diagnostics(source, **kw) -> list[Diagnostic]:
    with pytest.raises(AssemblyError) as info:
        assemble(source, filename="t.s", **kw)
    return info.value.diagnostics


def bad_lines(n: int) -> str:
    """n erroneous lines, each between valid ones (which the fast lane takes)."""
    return "".join(f"nop\nadd x1, x2, x{99 + i}\n" for i in range(n)) + "nop\n"


@pytest.mark.parametrize("limit", [1, 3, 100])
def test_exactly_the_limit_is_reported_without_stopping(path, limit):
    kw = {} if limit == 100 else {"error_limit": limit}
    diags = diagnostics(bad_lines(limit), **kw)
    assert len(diags) == limit and all(d.severity == "error" for d in diags)
    assert [d.line for d in diags] == [2 * i + 2 for i in range(limit)]
    assert STOP.format(limit) not in [d.message for d in diags]


@pytest.mark.parametrize("limit", [1, 3, 100])
def test_one_more_error_stops_at_its_statement(path, limit):
    kw = {} if limit == 100 else {"error_limit": limit}
    diags = diagnostics(bad_lines(limit + 5) + ".error \"never read\"\n", **kw)
    assert len(diags) == limit + 1
    assert [d.line for d in diags[:-1]] == [2 * i + 2 for i in range(limit)]
    last = diags[-1]
    assert (last.severity, last.file, last.line, last.col, last.message, last.notes) == \
        ("error", "t.s", 2 * limit + 2, 1, STOP.format(limit), ())
    assert last.format() == (f"t.s:{2 * limit + 2}:1: error: {STOP.format(limit)}\n"
                             f"add x1, x2, x{99 + limit}\n^")


def test_the_column_is_the_statement_and_the_notes_its_expansion_chain(path):
    src = ("  .macro m\n  .rept 3\n  nop ;  add x1, x2, q\n  .endr\n  .endm\n"
           "  m\n  .error \"not read\"\n")
    diags = diagnostics(src, error_limit=2)
    assert [(d.line, d.col) for d in diags] == [(3, 22), (3, 22), (3, 10)]
    assert diags[-1].message == STOP.format(2)
    assert diags[-1].notes == ("in .rept expansion from t.s:2",
                               "in expansion of macro 'm' from t.s:6")
    assert diags[-1].format().splitlines()[1:3] == ["         add x1, x2, q", "         ^"]


def test_warnings_do_not_count(path):
    src = ".warning \"w\"\n" * 5 + bad_lines(2) + ".warning \"w\"\n" * 5
    diags = diagnostics(src, error_limit=2)
    assert [d.severity for d in diags] == ["warning"] * 5 + ["error"] * 2 + ["warning"] * 5
    diags = diagnostics(src + "foo\n" + ".warning \"after\"\n", error_limit=2)
    assert [d.severity for d in diags] == ["warning"] * 5 + ["error"] * 2 + ["warning"] * 5 + \
        ["error"]
    assert diags[-1].message == STOP.format(2)
    p = assemble(".warning \"w\"\n" * 300, error_limit=1)        # warnings alone: a program
    assert len(p.warnings) == 300


def test_zero_means_no_limit(path):
    diags = diagnostics(".rept 250\nfoo\n.endr\n", error_limit=0)
    assert len(diags) == 250 and all(d.message == "unknown instruction 'foo'" for d in diags)
    diags = diagnostics(".rept 250\nfoo\n.endr\n")                   # the default: 100
    assert len(diags) == 101 and diags[-1].message == STOP.format(100)
    assert DRIVER.ERROR_LIMIT == 100


def test_the_default_applies_to_a_long_file(path):
    diags = diagnostics("foo\n" * 1000)
    assert len(diags) == 101 and diags[-1].line == 101


def test_stopping_skips_the_resolution_of_values(path):
    """Values left for the end are not resolved after a stop (their symbols may be defined in the
    part not read): no `undefined symbol 'later'` error."""
    src = "j later\n" + "foo\n" * 3 + "later: nop\n"
    assert [d.message for d in diagnostics(src, error_limit=2)] == \
        ["unknown instruction 'foo'"] * 2 + [STOP.format(2)]
    assert [d.message for d in diagnostics(src, error_limit=3)] == \
        ["unknown instruction 'foo'"] * 3


def test_errors_found_at_the_end_count_and_stop_too(path):
    """Pass 2 (values resolved after the whole file is read) stops at the limit as well."""
    src = "".join(f".word undefined{i}\n" for i in range(10)) + ".data\n.byte 1\n"
    diags = diagnostics(src, error_limit=4)
    assert [d.message for d in diags] == \
        [f"undefined symbol 'undefined{i}'" for i in range(4)] + [STOP.format(4)]
    assert (diags[-1].line, diags[-1].col) == (5, 1)
    diags = diagnostics("foo\nfoo\n" + src, error_limit=4)             # 2 in pass 1, 2 in pass 2
    assert [d.line for d in diags] == [1, 2, 3, 4, 5]


def test_the_limit_message_comes_last_whatever_the_order(path):
    """Diagnostics are sorted by statement; the limit's message stays last even when it is
    reported for an earlier statement (pass 2) than errors of pass 1."""
    src = ".word undefined1\n.word undefined2\nfoo\nfoo\n"
    diags = diagnostics(src, error_limit=2)
    assert [d.line for d in diags] == [3, 4, 1] and diags[-1].message == STOP.format(2)


def test_included_file(path, tmp_path):
    (tmp_path / "inc.s").write_text("foo\nfoo\nfoo\n")
    diags = diagnostics('.include "inc.s"\nbar\n', include_dirs=[str(tmp_path)], error_limit=2)
    assert [(d.file, d.line) for d in diags] == [(str(tmp_path / "inc.s"), 1),
                                                 (str(tmp_path / "inc.s"), 2),
                                                 (str(tmp_path / "inc.s"), 3)]
    assert diags[-1].notes == ("in file included from t.s:1",)


def test_file_errors_count(path, tmp_path):
    """Errors without a statement (an undecodable included file, placement, defines) count."""
    (tmp_path / "bad.s").write_bytes(b"nop\n\xff\n")
    diags = diagnostics('foo\n.include "bad.s"\nbar\n', include_dirs=[str(tmp_path)],
                        error_limit=1)
    assert [(d.line, d.col, d.message.split(":")[0]) for d in diags] == \
        [(1, 1, "unknown instruction 'foo'"), (2, 1, STOP.format(1))]
    assert diags[-1].file == str(tmp_path / "bad.s")
    assert diags[-1].notes == ("in file included from t.s:2",)


def test_defines_errors_count_and_nothing_is_read(path):
    diags = diagnostics("foo\n", defines={"1a": 1, "2b": 2, "c": 1 << 70}, error_limit=2)
    assert [(d.file, d.line) for d in diags] == [("<command line>", 0)] * 3
    assert diags[-1].message == STOP.format(2) and diags[-1].format().count("\n") == 0


@pytest.mark.parametrize("bad", [-1, True, 1.5, "3", None])
def test_bad_error_limit_is_a_value_error(bad):
    with pytest.raises(ValueError, match="error_limit must be an integer >= 0"):
        assemble("nop\n", error_limit=bad)


def test_assembly_error_message(path):
    with pytest.raises(AssemblyError) as info:
        assemble("foo\nfoo\nfoo\n", filename="t.s", error_limit=2)
    assert str(info.value) == "t.s:1:1: error: unknown instruction 'foo' (and 2 more errors)"
    assert len(info.value.errors) == 3


def test_a_million_statements_of_errors_stop_quickly(path):
    """The hole of the robustness issue: 1,000,000 erroneous statements from expansions ran for
    minutes (35 s and 1.2 GB for a cheap error, ~7-13 min for an unknown instruction)."""
    for body in ("foo", "nop x1", ".error \"e\""):
        t = time.perf_counter()
        diags = diagnostics(f".rept 1000\n.rept 1000\n{body}\n.endr\n.endr\n")
        assert time.perf_counter() - t < 5
        assert len(diags) == 101 and diags[-1].message == STOP.format(100)
        assert (diags[-1].line, diags[-1].col) == (3, 1)


# ---- "did you mean": cached per name, free for names longer than any candidate ----------------

def test_suggestions_are_cached_per_name():
    DIAGNOSTICS._suggest.cache_clear()
    first = DIAGNOSTICS.suggest("addd", ("add", "addi", "sub"))
    assert first == "; did you mean 'add' or 'addi'?"
    for _ in range(100):
        assert DIAGNOSTICS.suggest("addd", ("add", "addi", "sub")) == first
    info = DIAGNOSTICS._suggest.cache_info()
    assert (info.misses, info.hits) == (1, 100)
    assert DIAGNOSTICS.suggest("ADD", {"add": 1, "sub": 2}) == "; did you mean 'add'?"
    assert DIAGNOSTICS.suggest("zzzz", ["add"]) == ""


def test_a_very_long_name_costs_nothing():
    DIAGNOSTICS._suggest.cache_clear()
    t = time.perf_counter()
    for i in range(20):
        assert DIAGNOSTICS.suggest(f"{i}" + "x" * 1_000_000, ("add", "addi", "xxxxxxxx")) == ""
    assert time.perf_counter() - t < 1          # difflib: ~0.35 s per 1,000,000-character name
    assert DIAGNOSTICS._suggest.cache_info().currsize == 0      # nor memory in the cache
    assert DIAGNOSTICS.suggest("x" * 25, ("xxxxxxxx",)) == ""   # beyond 3x: no search
    assert DIAGNOSTICS._suggest.cache_info().currsize == 0
    assert DIAGNOSTICS.suggest("xxxxxxxxxx", ("xxxxxxxx",)) == "; did you mean 'xxxxxxxx'?"


def test_many_distinct_unknown_names_stay_cheap(path):
    """With no limit, 4,000 unknown instructions with 400 distinct names: each name's
    suggestion is computed once."""
    DIAGNOSTICS._suggest.cache_clear()
    src = "".join(f"addd{i % 400}\n" for i in range(4000))
    diags = diagnostics(src, error_limit=0)
    assert len(diags) == 4000
    assert DIAGNOSTICS._suggest.cache_info().misses == 400

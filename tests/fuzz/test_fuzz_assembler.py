# Assembler robustness: assemble() returns a Program or raises AssemblyError, whatever the input;
# thead-as exits 0 with a complete output or 1/2 with none. Inputs: random text, mutated seeds
# (tests/assembler/golden, programs/, tests/fuzz/corpus/asm), and targeted stress shapes.
# Runs in the worker subprocess, so a crash in the Cython fast lane is reported, not fatal.
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import fuzzlib
from fuzzlib import check

SEEDS = fuzzlib.source_seeds()
SEED_BYTES = [s for _, s in SEEDS]


def _decode(data: bytes):
    """Mostly str (the API's usual input); sometimes the raw bytes (assemble accepts bytes)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


@st.composite
def mutated_sources(draw):
    seed = draw(st.sampled_from(SEED_BYTES))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    return fuzzlib.mutate_bytes(rng, seed, SEED_BYTES)


asm_alphabet = st.sampled_from(list("abcdxsr0123456789 ,.:()+-*/<>%&|^~!\"'\\\n\t#;=@$_")
                               + ["\x00", "\xff", "é", "\u202e"])
tokens = st.sampled_from([t.decode("utf-8", "replace") for t in fuzzlib.TOKENS])


@given(st.lists(tokens | st.text(asm_alphabet, max_size=20), max_size=40).map("".join))
def test_random_token_soup(worker, text):
    check(worker.call("assemble", text), repr(text[:300]))


@given(st.binary(max_size=300))
def test_random_bytes(worker, data):
    check(worker.call("assemble", data), repr(data[:300]))


@settings(max_examples=150)
@given(mutated_sources())
def test_mutated_seeds(worker, data):
    check(worker.call("assemble", _decode(data)), repr(data[:300]))


@given(st.sampled_from([".rept", ".space", ".skip", ".zero", ".fill"]),
       st.sampled_from([10**6, 10**6 + 1, 2**31 - 1, 2**32, 2**63 - 1, 2**64, -1, -(2**63)]),
       st.integers(0, 3))
def test_huge_counts(worker, directive, count, nesting):
    body = "nop" if directive == ".rept" else ""
    if directive == ".rept":
        count += count == 10**6                 # 10**6 single statements are legal, but slow
        text = f".rept {count}\n" * (nesting + 1) + "nop\n" + ".endr\n" * (nesting + 1)
    else:
        text = ".data\n" + f".rept 3\n" * nesting + f"{directive} {count}{', 1' if directive == '.fill' else ''}\n" \
            + ".endr\n" * nesting + body
    r = check(worker.call("assemble", text, timeout=60), text[:200])
    limit = 10**6 if directive == ".rept" else 64 << 20      # statements / bytes of output
    assert r[0] in ("expected", "known") or 0 <= count <= limit, f"{text[:200]!r} was accepted"


@given(st.integers(1, 200), st.sampled_from(["self", "mutual", "exitm", "rept2", "twice"]))
def test_deep_macro_recursion(worker, depth, shape):
    if shape == "self":
        text = ".macro m n\n.if \\n\nm \\n-1\n.endif\n.endm\n" + f"m {depth}\n"
    elif shape == "mutual":
        text = ".macro a n\nb \\n\n.endm\n.macro b n\na \\n\n.endm\n" + f"a {depth}\n"
    elif shape == "exitm":
        text = ".macro m n\n.if \\n > 0\nnop\nm \\n-1\n.exitm\n.endif\n.endm\n" + f"m {depth}\n"
    else:    # a tree 2**depth wide (regressions/asm-exponential-macro-rept.s): below the
        # nesting limit it is legal (kept small: 2**30 leaves would only meet the statement
        # limit), beyond it the error abandons the whole expansion at the first leaf
        depth = depth if depth <= 12 else depth + 64
        twice = ".rept 2\nm \\n-1\n.endr" if shape == "rept2" else "m \\n-1\nm \\n-1"
        text = f".macro m n\n.if \\n\n{twice}\n.endif\n.endm\n" + f"m {depth}\n"
    r = check(worker.call("assemble", text, timeout=30), text)
    if shape == "mutual" or depth > 70:
        assert r[0] in ("expected", "known"), "unbounded recursion was accepted"


@given(st.sampled_from([".rept 1 << 62", ".rept 0x7fffffffffffffff", ".irp x, 1, 2",
                        ".irpc c, abc\n.rept 1 << 40\n.endr"]),
       st.sampled_from(["", "# comment", "\n\n"]), st.integers(0, 3))
def test_huge_counts_of_empty_bodies(worker, head, body, nesting):
    """An empty body produces nothing however often it is repeated, and must not be iterated."""
    text = ".rept 3\n" * nesting + f"{head}\n{body}\n.endr\n" + ".endr\n" * nesting + "nop\n"
    r = check(worker.call("assemble", text, timeout=30), text)
    assert r[0] in ("ok", "known"), f"{text!r}: {r}"


@given(st.sampled_from(["cycle_a.s", "cycle_b.s", "self_include.s"]), st.integers(0, 3))
def test_include_cycles(worker, name, wrap):
    text = ".rept 2\n" * wrap + f'.include "{name}"\n' + ".endr\n" * wrap
    r = check(worker.call("assemble", text), text)
    assert r[0] in ("expected", "known")


@settings(max_examples=20)
@given(st.sampled_from(["x", "1+", "(", "a,", " ", "\\", "\"", "/*", "é", "9"]),
       st.sampled_from([1000, 20000, 200000]),
       st.sampled_from(["addi x1, x1, {}", ".byte {}", "{}", ".ascii \"{}\"", "# {}",
                        ".macro m {}\n.endm", "m{}:", ".equ a, {}"]))
def test_very_long_lines(worker, unit, n, template):
    if "9" in unit:
        n = min(n, 1000)     # 4300-digit int(): regressions/asm-decimal-4300-digits.s
    text = template.format(unit * n) + "\nnop\n"
    check(worker.call("assemble", text, timeout=60), text[:200])


@given(st.binary(min_size=1, max_size=8).filter(lambda b: b"\n" not in b), st.integers(0, 3),
       st.sampled_from(SEED_BYTES))
def test_nul_and_invalid_utf8(worker, junk, where, seed):
    lines = seed.split(b"\n")
    i = len(lines) * where // 4
    data = b"\n".join(lines[:i] + [lines[i] + junk if i < len(lines) else junk] + lines[i + 1:])
    check(worker.call("assemble", _decode(data)), repr(data[:300]))


# ---- the CLI: exit 0 with a complete file, or 1 (2: usage) with none, never a traceback ----

@settings(max_examples=40)
@given(mutated_sources(), st.booleans(),
       st.sampled_from([(), ("--fatal-warnings",), ("-O", "binary"), ("-O", "hex"),
                        ("--defsym", "N=4"), ("-a=/dev/null",)]))
def test_as_cli_mutated(worker, data, stale, extra):
    check(worker.call("as_cli", data, extra, stale), repr(data[:300]))


def test_as_cli_subprocess_no_traceback(tmp_path):
    """The real entry point in a fresh interpreter, for a few nasty inputs."""
    import subprocess
    import sys
    cases = {"nul.s": b"nop\x00\n", "latin1.s": b"nop # \xe9\n", "empty.s": b"",
             "dir.s": None}        # more digits than int() takes: regressions/ (a known bug)
    for name, data in cases.items():
        src = tmp_path / name
        if data is None:
            src.mkdir()
        else:
            src.write_bytes(data)
        out = tmp_path / (name + ".elf")
        p = subprocess.run([sys.executable, "-m", "thead_isa.cli.as_main", str(src), "-o", str(out)],
                           capture_output=True, cwd=tmp_path, timeout=120,   # installed package
                           env={"PATH": "/usr/bin:/bin"})
        assert b"Traceback" not in p.stderr, (name, p.stderr[-2000:])
        assert p.returncode in (0, 1), (name, p.returncode, p.stderr[-500:])
        assert (p.returncode == 0) == out.exists(), name

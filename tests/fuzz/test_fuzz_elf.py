# ELF loader and decoder robustness: read_elf returns a Program or raises ObjectFormatError for
# random, truncated and corrupted files (header fields, overlapping or out-of-range sections and
# segments, broken symbol and line tables); an accepted Program disassembles; thead-objdump exits
# 0 or 1 with one error line, never a traceback.
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import fuzzlib
from fuzzlib import check

ELVES = [e for _, e in fuzzlib.elf_seeds()]


@st.composite
def corrupted_elves(draw):
    seed = draw(st.sampled_from(ELVES))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    return fuzzlib.mutate_elf(rng, seed, ELVES)


def test_seeds_are_valid(worker):
    assert len(ELVES) >= 5
    for e in ELVES:
        assert worker.call("read_elf", e)[0] == "ok"


@given(st.binary(max_size=200) | st.binary(max_size=200).map(lambda b: b"\x7fELF" + b))
def test_random_bytes(worker, data):
    check(worker.call("read_elf", data), repr(data[:100]))


@given(st.sampled_from(ELVES), st.data())
def test_truncated(worker, elf, data):
    n = data.draw(st.integers(0, len(elf)))
    check(worker.call("read_elf", elf[:n]), f"truncated at {n}")


@settings(max_examples=300)
@given(corrupted_elves())
def test_corrupted(worker, data):
    check(worker.call("read_elf", data), repr(data[:64]))


@settings(max_examples=40)
@given(corrupted_elves(), st.sampled_from([("-d",), ("-d", "--words"), ("-h", "-t", "-s"),
                                           ("-S",)]))
def test_objdump(worker, data, options):
    check(worker.call("objdump", data, options), repr(data[:64]))


@settings(max_examples=15)
@given(st.binary(max_size=64))
def test_objdump_raw(worker, data):
    check(worker.call("objdump", data, ("-d", "--raw")), repr(data))

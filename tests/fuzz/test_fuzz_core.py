# Core robustness: random programs (registers and engine CSRs at random and boundary values,
# random valid instructions with random fields, random 64-bit words) on Machine in functional and
# cycle mode end in a halt, a trap or a watchdog stop, deterministically; random configurations
# within and beyond their ranges give a HardwareConfig or a ConfigError; thead-run on random
# programs and ELFs exits only with documented statuses. Everything runs in the worker process:
# a segfault in the compiled core is reported as "crash", a hang as "hang".
import random

from hypothesis import given, settings
from hypothesis import strategies as st

import fuzzlib
from fuzzlib import check

seeds = st.integers(0, 2**32 - 1)


@st.composite
def programs(draw, n_body=24):
    return fuzzlib.random_program(random.Random(draw(seeds)), n_body)


@settings(max_examples=150)
@given(programs(), st.sampled_from(["functional", "cycle"]))
def test_random_programs(worker, words, mode):
    r = worker.call("run", words, "small", mode, 3000, 30000 if mode == "cycle" else None)
    check(r, f"{mode}: {[hex(w) for w in words]}")


@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=16),
       st.sampled_from(["functional", "cycle"]))
def test_random_words(worker, words, mode):
    check(worker.call("run", words, "small", mode, 1000, 10000), f"{mode}: {words}")


@settings(max_examples=40)
@given(programs(12), st.sampled_from(["functional", "cycle"]), st.data())
def test_random_configs_within_ranges(worker, words, mode, data):
    cfg = fuzzlib.random_config(random.Random(data.draw(seeds)))
    r = worker.call("run", words, cfg, mode, 2000, 20000 if mode == "cycle" else None)
    check(r, f"{cfg} {mode}: {[hex(w) for w in words]}")
    assert r[1] != "ConfigError", f"in-range config rejected: {cfg}: {r}"


@settings(max_examples=100)
@given(seeds, st.booleans())
def test_configs_beyond_ranges(worker, seed, as_toml):
    cfg = fuzzlib.random_config(random.Random(seed), beyond=True)
    if as_toml:
        r = check(worker.call("config", None, fuzzlib.config_toml(cfg)), fuzzlib.config_toml(cfg))
    else:
        r = check(worker.call("config", cfg), repr(cfg))
    assert r[0] in ("expected", "ok")


@settings(max_examples=30)
@given(st.binary(max_size=200) | st.sampled_from(["base = 'small'\nte_rows = 1e3\n",
                                                  "[x]\n", "te_rows = [1]\n", "\xff"]))
def test_random_toml(worker, text):
    check(worker.call("config", None, text), repr(text))


@settings(max_examples=20)
@given(programs(12), st.sampled_from([(), ("--mode", "functional"), ("--config", "small"),
                                      ("--max-cycles", "500"), ("--check-races",)]))
def test_run_cli_random_programs(worker, words, extra):
    check(worker.call("run_cli", fuzzlib.elf_of_words(words), ".elf", extra), str(words))


@settings(max_examples=20)
@given(st.data())
def test_run_cli_corrupted_elves(worker, data):
    elves = [e for _, e in fuzzlib.elf_seeds()]
    elf = fuzzlib.mutate_elf(random.Random(data.draw(seeds)), data.draw(st.sampled_from(elves)),
                             elves)
    check(worker.call("run_cli", elf, ".elf", ("--config", "small")), repr(elf[:64]))


@settings(max_examples=10)
@given(st.binary(max_size=100), st.sampled_from([".elf", ".s", ".bin"]))
def test_run_cli_random_files(worker, data, suffix):
    check(worker.call("run_cli", data, suffix), repr(data))

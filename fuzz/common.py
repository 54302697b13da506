# Shared by the atheris harnesses: the oracles of tests/fuzz/fuzzlib.py and a fallback driver
# (plain random mutation of the seed corpus) for environments where atheris does not install.
#
#   python fuzz/fuzz_X.py [-atheris_runs=N] [-max_total_time=S] [libFuzzer flags] [CORPUS_DIR]
#   python fuzz/fuzz_X.py --fallback [--seconds S] [--seed N]
#
# Every run ends with one line "DONE <harness> <engine> execs=N seconds=S findings=K" and every
# finding is written to fuzz/findings/<harness>-<sha1>.<ext> (atheris also writes crash-* files).
import hashlib
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))
sys.path.insert(0, str(ROOT))

try:                                          # instrument the package before anything imports it
    if "--fallback" in sys.argv:
        raise ImportError
    import atheris
    with atheris.instrument_imports(include=["thead_isa"]):
        import thead_isa.assembler.assemble  # noqa: F401
        import thead_isa.assembler.disassemble  # noqa: F401
        import thead_isa.assembler.elf  # noqa: F401
        import thead_isa.cli.as_main  # noqa: F401
        import thead_isa.cli.objdump_main  # noqa: F401
        import thead_isa.cli.run_main  # noqa: F401
        import thead_isa.core.machine  # noqa: F401
        import thead_isa.isa.config  # noqa: F401
except ImportError:
    atheris = None

import fuzzlib  # noqa: E402

FINDINGS = HERE / "findings"


def record(name: str, ext: str, data: bytes, text: str) -> Path:
    FINDINGS.mkdir(exist_ok=True)
    path = FINDINGS / f"{name}-{hashlib.sha1(data).hexdigest()[:12]}{ext}"
    path.write_bytes(data)
    path.with_suffix(path.suffix + ".txt").write_text(text)
    return path


def main(name: str, test_one, seeds: list[bytes], mutate, ext: str) -> None:
    """test_one(data: bytes) raises fuzzlib.Bug on a finding (known bugs are ignored)."""
    fuzzlib.limit_memory()
    args = sys.argv[1:]
    if "--fallback" in args:
        return fallback(name, test_one, seeds, mutate, ext, args)
    if atheris is None:
        print("atheris is not installed: using the fallback driver", file=sys.stderr)
        return fallback(name, test_one, seeds, mutate, ext, args)
    counter = {"n": 0, "t0": time.monotonic()}

    def one(data: bytes):
        counter["n"] += 1
        try:
            test_one(data)
        except fuzzlib.Bug as e:
            if fuzzlib.known_bug(("bug", str(e))):
                return
            record(name, ext, data, str(e))
            raise

    def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        if not data or rng.random() < 0.05:
            data = rng.choice(seeds)
        if rng.random() < 0.2:
            return atheris.Mutate(data, max_size)[:max_size]
        return mutate(rng, data, seeds)[:max_size]

    import atexit
    atexit.register(lambda: print(f"DONE {name} atheris execs={counter['n']} seconds="
                                  f"{time.monotonic() - counter['t0']:.0f}", flush=True))
    corpus = [a for a in args if not a.startswith("-")]
    for d in corpus:                       # seed the corpus directory on the first run
        Path(d).mkdir(parents=True, exist_ok=True)
        if not any(Path(d).iterdir()):
            for i, s in enumerate(seeds):
                (Path(d) / f"seed-{i}").write_bytes(s)
    atheris.Setup([sys.argv[0], *args], one, custom_mutator=custom_mutator)
    atheris.Fuzz()


def fallback(name, test_one, seeds, mutate, ext, args) -> None:
    seconds = float(args[args.index("--seconds") + 1]) if "--seconds" in args else 60.0
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else int(time.time())
    rng = random.Random(seed)
    t0, n, found = time.monotonic(), 0, 0
    pool = list(seeds)
    while time.monotonic() - t0 < seconds:
        data = mutate(rng, rng.choice(pool), seeds)
        n += 1
        try:
            test_one(data)
        except fuzzlib.Bug as e:
            if fuzzlib.known_bug(("bug", str(e))):
                continue
            found += 1
            print(f"FINDING {record(name, ext, data, str(e))}: {str(e).splitlines()[0][:200]}",
                  flush=True)
        if rng.random() < 0.01 and len(pool) < 2000:
            pool.append(data)                     # a little memory of where we have been
    print(f"DONE {name} fallback execs={n} seconds={time.monotonic() - t0:.0f} findings={found} "
          f"seed={seed}", flush=True)

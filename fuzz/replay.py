# Replay files (or directories of files) through the oracles in this process: *.s through the
# assembler and thead-as, *.elf through read_elf, thead-objdump and thead-run, *.toml through the
# config loader, fuzz_core inputs (*.bin / crash-*) through the core. Known, reported bugs
# (fuzzlib.KNOWN_BUGS) are listed but do not fail the run. Used by tools/sanitize.sh.
#   python fuzz/replay.py PATH...
import sys
from pathlib import Path

from common import fuzzlib

import fuzz_core


def main(paths: list[str]) -> int:
    files = [f for p in paths for f in (sorted(Path(p).rglob("*")) if Path(p).is_dir() else [Path(p)])
             if f.is_file() and not f.name.endswith(".txt")]
    bad = known = 0
    for f in files:
        data = f.read_bytes()
        if f.suffix == ".s":
            ops = [("assemble", (data.decode("utf-8", "surrogateescape"),)), ("as_cli", (data,))]
        elif f.suffix == ".elf":
            ops = [("read_elf", (data,)), ("objdump", (data,)), ("run_cli", (data, ".elf", ("--config", "small")))]
        elif f.suffix == ".toml":
            ops = [("config", (None, data))]
        else:
            ops = [("core", (data,))]
        for op, args in ops:
            try:
                if op == "core":
                    fuzz_core.test_one(data)
                else:
                    fuzzlib.run_op(op, *args)
            except fuzzlib.Bug as e:
                if fuzzlib.known_bug(("bug", str(e))):
                    known += 1
                    print(f"known  {f} {op}: {fuzzlib.known_bug(('bug', str(e)))}")
                else:
                    bad += 1
                    print(f"FAIL   {f} {op}: {str(e)[:2000]}")
    print(f"replayed {len(files)} files: {bad} failures, {known} known bugs")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# atheris harness: the assembler. Input bytes are assembly source (mutated from the seeds: the
# golden tests, programs/ and tests/fuzz/corpus/asm): assemble() must return a Program (which must
# survive write_elf/read_elf) or raise AssemblyError. See fuzz/common.py for usage.
from common import fuzzlib, main


def test_one(data: bytes) -> None:
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError:
        source = data                          # assemble() takes bytes too (and must reject them)
    fuzzlib.run_op("assemble", source)


if __name__ == "__main__":
    main("assembler", test_one, [s for _, s in fuzzlib.source_seeds()], fuzzlib.mutate_bytes, ".s")

# atheris harness: the ELF reader and disassembler. Input bytes are an executable (mutated from
# valid write_elf outputs and tests/fuzz/corpus/elf): read_elf must return a Program (which must
# disassemble) or raise ObjectFormatError. See fuzz/common.py for usage.
from common import fuzzlib, main


def test_one(data: bytes) -> None:
    fuzzlib.run_op("read_elf", data)


if __name__ == "__main__":
    main("elf", test_one, [e for _, e in fuzzlib.elf_seeds()], fuzzlib.mutate_elf, ".elf")

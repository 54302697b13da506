# The ISA: instruction table, CSRs, encoding and hardware configuration (the single source of truth).
from .csrs import CSRS
from .encoding import Decoded, EncodingError, IllegalInstruction, decode, encode, format_insn
from .table import ALIASES, BY_MNEMONIC, INSTRUCTION_CLASSES, INSTRUCTIONS
from .validate import TableError, check_table

__all__ = [
    "ALIASES", "BY_MNEMONIC", "CSRS", "INSTRUCTIONS", "INSTRUCTION_CLASSES",
    "Decoded", "EncodingError", "IllegalInstruction", "TableError",
    "check_table", "decode", "encode", "format_insn",
]

# The assembler and disassembler: source text -> Program (sections, symbols, line table) -> ELF.
from .assemble import assemble
from .diagnostics import AssemblyError, Diagnostic

__all__ = ["AssemblyError", "Diagnostic", "assemble"]

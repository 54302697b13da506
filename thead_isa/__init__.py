# thead-isa: an open toolchain for a modeled T-Head-style inference NPU.
from .isa import INSTRUCTION_CLASSES, INSTRUCTIONS, decode, encode, format_insn
from .isa.config import PRESETS, HardwareConfig, load_config

__version__ = "0.1.0"

__all__ = ["INSTRUCTION_CLASSES", "INSTRUCTIONS", "PRESETS", "HardwareConfig", "decode", "encode",
           "format_insn", "load_config", "summary"]


def summary() -> str:
    """Every instruction class of the table with its mnemonics, one line each."""
    lines = [f"thead-isa {__version__}: {len(INSTRUCTIONS)} instructions"]
    for cls, mnemonics in INSTRUCTION_CLASSES.items():
        lines.append(f"  {cls:12} {' '.join(mnemonics)}")
    return "\n".join(lines)

# Typed hardware configuration: parameters with unit, range and provenance; presets; TOML files.
from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
PROVENANCES = ("measured", "published", "assumed", "knob")


class ConfigError(ValueError):
    """A configuration value, key or file that cannot be used; the message names the key."""


@dataclass(frozen=True)
class Param:
    name: str
    unit: str
    lo: int
    hi: int
    provenance: str            # one of PROVENANCES (for the default preset)
    doc: str
    kind: type = int
    multiple_of: int = 1
    power_of_two: bool = False

    def allowed(self) -> str:
        if self.kind is bool:
            return "true or false"
        text = f"[{self.lo}, {self.hi}]"
        if self.power_of_two:
            text += ", a power of two"
        if self.multiple_of > 1:
            text += f", a multiple of {self.multiple_of}"
        return text

    def check(self, value: Any, where: str = "") -> Any:
        prefix = f"{where}: " if where else ""
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ConfigError(f"{prefix}{self.name} = {value!r}: allowed values are true or false")
            return value
        ok = (isinstance(value, int) and not isinstance(value, bool) and self.lo <= value <= self.hi
              and value % self.multiple_of == 0
              and (not self.power_of_two or value & (value - 1) == 0))
        if not ok:
            raise ConfigError(f"{prefix}{self.name} = {value!r}: allowed range {self.allowed()} "
                              f"({self.unit})")
        return value


# name, unit, lo, hi, provenance, doc                           (one row per parameter)
PARAMS: tuple[Param, ...] = (
    Param("clock_mhz", "MHz", 1, 10_000, "published",
          "core clock; Hanguang 800 runs at 700 MHz (Hot Chips 32)"),
    Param("imem_bytes", "bytes", 64, 16 * MiB, "knob", "CP instruction memory", multiple_of=8),
    Param("gm_bytes", "bytes", 4 * KiB, 1 * GiB, "knob",
          "global memory (Hanguang 800 has no DRAM: GM stands for host memory over PCIe)"),
    Param("lm_bytes", "bytes", 1 * KiB, 256 * MiB, "assumed",
          "local scratchpad per core; hg800 derived from the published 192 MB of SRAM for 4 cores "
          "(48 MB per core, modeled as 48 MiB)"),
    Param("lm_banks", "banks", 1, 64, "assumed",
          "LM banks (the timing model does not model bank conflicts yet)",
          power_of_two=True),
    Param("acc_words", "int32 words", 256, 16 * MiB, "assumed", "accumulator buffer"),
    Param("te_rows", "PEs", 1, 1024, "assumed",
          "systolic array rows R; hg800 derived from the published 825 TOPS / 4 cores / 700 MHz "
          "/ 2 = 147k MACs"),
    Param("te_cols", "PEs", 1, 1024, "assumed", "systolic array columns C (see te_rows)"),
    Param("te_weight_overlap", "switch", 0, 1, "knob",
          "load the next fold's weights while the current fold computes", kind=bool),
    Param("te_fold_pipeline", "switch", 0, 1, "knob",
          "stream the folds of one instruction back to back, so fill and drain are paid once per "
          "instruction, not per fold (assumed, after TPU v1's weight-stationary array)", kind=bool),
    Param("ve_lanes", "lanes", 1, 4096, "assumed", "vector engine lanes L"),
    Param("ve_pipeline_cycles", "cycles", 0, 256, "assumed", "vector engine pipeline depth"),
    Param("queue_depth", "instructions", 1, 256, "assumed", "depth of each engine's queue"),
    Param("dma_latency_cycles", "cycles", 0, 100_000, "assumed", "fixed cost of one DMA"),
    Param("dma_row_cycles", "cycles", 0, 10_000, "assumed", "extra cost per row of a 2-D DMA"),
    Param("dma_gm_bytes_per_cycle", "bytes/cycle", 1, 65_536, "assumed",
          "GM <-> LM bandwidth; hg800 from PCIe Gen4 x16, about 32 GB/s at 700 MHz"),
    Param("dma_lm_bytes_per_cycle", "bytes/cycle", 1, 65_536, "assumed", "LM -> LM bandwidth"),
    Param("cp_alu_cycles", "cycles", 1, 64, "assumed", "CP ALU, CSR and sync instruction issue"),
    Param("cp_mul_cycles", "cycles", 1, 64, "assumed", "CP multiply"),
    Param("cp_branch_penalty", "cycles", 0, 64, "assumed", "extra cycles of a taken branch/jump"),
    Param("cp_load_cycles", "cycles", 1, 10_000, "assumed", "CP scalar GM load or store"),
    Param("cp_dispatch_cycles", "cycles", 1, 64, "assumed",
          "CP cost to push one engine instruction into its queue"),
)
PARAM_BY_NAME = {p.name: p for p in PARAMS}


@dataclass(frozen=True)
class HardwareConfig:
    clock_mhz: int
    imem_bytes: int
    gm_bytes: int
    lm_bytes: int
    lm_banks: int
    acc_words: int
    te_rows: int
    te_cols: int
    te_weight_overlap: bool
    te_fold_pipeline: bool
    ve_lanes: int
    ve_pipeline_cycles: int
    queue_depth: int
    dma_latency_cycles: int
    dma_row_cycles: int
    dma_gm_bytes_per_cycle: int
    dma_lm_bytes_per_cycle: int
    cp_alu_cycles: int
    cp_mul_cycles: int
    cp_branch_penalty: int
    cp_load_cycles: int
    cp_dispatch_cycles: int
    name: str = "custom"

    def __post_init__(self):
        for p in PARAMS:
            p.check(getattr(self, p.name), where=self.name)

    @property
    def peak_macs_per_cycle(self) -> int:
        return self.te_rows * self.te_cols

    @property
    def peak_tops(self) -> float:
        return 2 * self.peak_macs_per_cycle * self.clock_mhz * 1e6 / 1e12

    def replace(self, **changes: Any) -> "HardwareConfig":
        unknown = [k for k in changes if k not in PARAM_BY_NAME and k != "name"]
        if unknown:
            raise ConfigError(_unknown_key(unknown[0]))
        return dataclasses.replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {p.name: getattr(self, p.name) for p in PARAMS}


_COMMON = dict(clock_mhz=700, lm_banks=16, ve_pipeline_cycles=4, cp_alu_cycles=1, cp_mul_cycles=3,
               cp_branch_penalty=2, cp_dispatch_cycles=1, dma_row_cycles=1)

PRESETS: dict[str, HardwareConfig] = {
    "small": HardwareConfig(
        **{**_COMMON, "lm_banks": 4}, imem_bytes=64 * KiB, gm_bytes=1 * MiB, lm_bytes=64 * KiB,
        acc_words=4096, te_rows=4, te_cols=4, te_weight_overlap=False, te_fold_pipeline=False,
        ve_lanes=4, queue_depth=2, dma_latency_cycles=8, dma_gm_bytes_per_cycle=8,
        dma_lm_bytes_per_cycle=16, cp_load_cycles=4, name="small"),
    "default": HardwareConfig(
        **_COMMON, imem_bytes=256 * KiB, gm_bytes=64 * MiB, lm_bytes=4 * MiB,
        acc_words=64 * KiB, te_rows=32, te_cols=32, te_weight_overlap=True, te_fold_pipeline=True,
        ve_lanes=64, queue_depth=8, dma_latency_cycles=64, dma_gm_bytes_per_cycle=64,
        dma_lm_bytes_per_cycle=128, cp_load_cycles=20, name="default"),
    "hg800": HardwareConfig(
        **{**_COMMON, "lm_banks": 32}, imem_bytes=1 * MiB, gm_bytes=256 * MiB, lm_bytes=48 * MiB,
        acc_words=4 * MiB, te_rows=384, te_cols=384, te_weight_overlap=True, te_fold_pipeline=True,
        ve_lanes=1024, queue_depth=16, dma_latency_cycles=128, dma_gm_bytes_per_cycle=46,
        dma_lm_bytes_per_cycle=1024, cp_load_cycles=100, name="hg800"),
}


def _unknown_key(key: str) -> str:
    close = difflib.get_close_matches(key, list(PARAM_BY_NAME), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown configuration key {key!r}{hint}"


def preset(name: str) -> HardwareConfig:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}") from None


def from_mapping(data: Mapping[str, Any], where: str = "configuration") -> HardwareConfig:
    """Build a config from `base = "<preset>"` (default "default") plus parameter overrides."""
    data = dict(data)
    base = data.pop("base", "default")
    if not isinstance(base, str):
        raise ConfigError(f"{where}: base = {base!r}: allowed values are {', '.join(PRESETS)}")
    cfg = preset(base)
    for key, value in data.items():
        if key not in PARAM_BY_NAME:
            raise ConfigError(f"{where}: {_unknown_key(key)}")
        PARAM_BY_NAME[key].check(value, where)
    name = Path(where).stem if where != "configuration" else "custom"
    return dataclasses.replace(cfg, **data, name=name)


def load_config(spec: str | Path) -> HardwareConfig:
    """A preset name or the path of a TOML file."""
    if isinstance(spec, str) and spec in PRESETS:
        return PRESETS[spec]
    path = Path(spec)
    if path.suffix != ".toml" and not path.exists():
        raise ConfigError(f"unknown preset {str(spec)!r}; presets: {', '.join(PRESETS)}, "
                          f"or the path of a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from None
    return from_mapping(data, str(path))

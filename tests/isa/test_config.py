# Hardware configuration: presets, ranges with provenance, TOML files, clear errors.
import pytest

from thead_isa.isa.config import (PARAMS, PRESETS, PROVENANCES, ConfigError, from_mapping,
                                  load_config, preset)


def test_presets_exist_and_are_valid():
    assert set(PRESETS) == {"small", "default", "hg800"}
    for name, cfg in PRESETS.items():
        assert cfg.name == name
        for p in PARAMS:
            p.check(getattr(cfg, p.name))


def test_every_parameter_has_unit_range_and_provenance():
    for p in PARAMS:
        assert p.unit and p.doc and p.provenance in PROVENANCES
        assert p.lo <= p.hi


def test_hg800_matches_published_figures():
    hg = preset("hg800")
    # 825 TOPS int8 for 4 cores at 700 MHz -> about 147k MACs per cycle per core
    assert abs(hg.peak_macs_per_cycle - 825e12 / 4 / 700e6 / 2) / hg.peak_macs_per_cycle < 0.01
    assert hg.clock_mhz == 700
    assert hg.lm_bytes == 48 << 20          # 192 MB of SRAM for 4 cores
    assert abs(hg.peak_tops * 4 - 825) < 10


def test_bad_value_names_key_and_range():
    with pytest.raises(ConfigError, match=r"te_rows = 0: allowed range \[1, 1024\] \(PEs\)"):
        PRESETS["default"].replace(te_rows=0)
    with pytest.raises(ConfigError, match=r"lm_banks = 3: allowed range \[1, 64\], a power of two"):
        from_mapping({"lm_banks": 3})
    with pytest.raises(ConfigError, match=r"imem_bytes = 100: .*a multiple of 8"):
        from_mapping({"imem_bytes": 100})
    with pytest.raises(ConfigError, match="te_weight_overlap = 1: allowed values are true or false"):
        from_mapping({"te_weight_overlap": 1})
    with pytest.raises(ConfigError, match="te_fold_pipeline = 0: allowed values are true or false"):
        from_mapping({"te_fold_pipeline": 0})
    with pytest.raises(ConfigError, match=r"te_cols = '4': allowed range"):
        from_mapping({"te_cols": "4"})


def test_unknown_key_suggests():
    with pytest.raises(ConfigError, match="unknown configuration key 'te_row'; did you mean 'te_rows'"):
        from_mapping({"te_row": 4})
    with pytest.raises(ConfigError, match="'te_fold_pipelining'; did you mean 'te_fold_pipeline'"):
        from_mapping({"te_fold_pipelining": True})
    with pytest.raises(ConfigError, match="'te_fold_pipelin'; did you mean 'te_fold_pipeline'"):
        PRESETS["default"].replace(te_fold_pipelin=False)
    with pytest.raises(ConfigError, match="unknown preset 'hg900'; presets: small, default, hg800"):
        from_mapping({"base": "hg900"})


def test_toml_file(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('base = "small"\nte_rows = 8\nte_weight_overlap = true\n'
                 'te_fold_pipeline = true\n')
    cfg = load_config(f)
    assert (cfg.te_rows, cfg.te_cols, cfg.te_weight_overlap, cfg.te_fold_pipeline, cfg.name) \
        == (8, 4, True, True, "mine")
    assert cfg.lm_bytes == PRESETS["small"].lm_bytes


def test_toml_errors_name_the_file(tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text("te_rows = 0\n")
    with pytest.raises(ConfigError, match=r"bad.toml: te_rows = 0: allowed range \[1, 1024\]"):
        load_config(f)
    f.write_text("te_rows = \n")
    with pytest.raises(ConfigError, match="bad.toml: not valid TOML"):
        load_config(f)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="unknown preset 'nope'"):
        load_config("nope")


def test_te_switches_per_preset():
    # small keeps the per-fold TE timing its hand-computed tests use; default and hg800 pipeline
    assert [(PRESETS[n].te_weight_overlap, PRESETS[n].te_fold_pipeline)
            for n in ("small", "default", "hg800")] == [(False, False), (True, True), (True, True)]
    f = from_mapping({"te_fold_pipeline": False})
    assert f.te_fold_pipeline is False and f.te_weight_overlap is True


def test_preset_by_name():
    assert load_config("small") is PRESETS["small"]

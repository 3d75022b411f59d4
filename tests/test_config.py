from pathlib import Path

import pytest

from coder.config import config_from_dict, load_config
from coder.errors import ConfigError

DEFAULT = Path(__file__).resolve().parent.parent / "training" / "configs" / "default.toml"


def test_default_config_is_complete():
    cfg = load_config(DEFAULT)
    assert cfg.train.seed == 13 and cfg.corpus.seed > 0
    assert cfg.model.trainable_layers >= 1


def _raw():
    import tomllib

    return tomllib.loads(DEFAULT.read_text())


def test_missing_key_is_named():
    raw = _raw()
    del raw["train"]["epochs"]
    with pytest.raises(ConfigError, match="epochs"):
        config_from_dict(raw)


def test_bad_value_is_named():
    raw = _raw()
    raw["train"]["learning_rate"] = -1.0
    with pytest.raises(ConfigError, match="learning_rate = -1.0"):
        config_from_dict(raw)


def test_unknown_key_is_refused():
    raw = _raw()
    raw["model"]["dropout"] = 0.3
    with pytest.raises(ConfigError, match="dropout"):
        config_from_dict(raw)


def test_blank_target_candidates_must_be_a_bool():
    raw = _raw()
    assert isinstance(raw["data"]["blank_target_candidates"], bool)
    raw["data"]["blank_target_candidates"] = 1
    with pytest.raises(ConfigError, match="blank_target_candidates = 1 is not a valid bool"):
        config_from_dict(raw)

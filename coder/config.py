"""The training configuration: one TOML file, every value spelled out, validated on load.

``training/configs/default.toml`` is the single source of truth for the shipped model: the corpus generator's
seed, the split, the model shape and every optimiser setting. A missing or unknown key, or a value of the wrong
type or range, raises :class:`ConfigError` naming the key and the bad value. Paths are relative to the working
directory (run from the repository root).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from coder.errors import ConfigError


@dataclass(frozen=True)
class CorpusConfig:
    seed: int
    target_per_code: int
    min_per_code: int
    min_per_root: int
    hard_fraction: float


@dataclass(frozen=True)
class DataConfig:
    label_paths: tuple[str, ...]
    dev_fraction: float
    test_fraction: float
    max_negatives_per_sentence: int
    # Train on (subject, blank target) candidates where no two coded actors are linked, as the dyad finder proposes
    # them with --blank-targets; a model trained so codes such events by default.
    blank_target_candidates: bool


@dataclass(frozen=True)
class ModelConfig:
    trainable_layers: int
    max_length: int
    fallback_threshold: float


@dataclass(frozen=True)
class TrainConfig:
    seed: int
    epochs: int
    batch_size: int
    learning_rate: float
    head_learning_rate: float
    weight_decay: float
    warmup_fraction: float
    label_smoothing: float
    flag_loss_weight: float
    num_threads: int
    eval_batch_size: int
    # Fine-tune this many members from the same start (seeds seed, seed + 1, ...) and average their weights (a
    # "model soup"): one model at inference, less dependence on one run's data order and dropout.
    soup_size: int


@dataclass(frozen=True)
class Config:
    corpus: CorpusConfig
    data: DataConfig
    model: ModelConfig
    train: TrainConfig

    def to_dict(self) -> dict:
        d = asdict(self)
        d["data"]["label_paths"] = list(self.data.label_paths)
        return d

    def with_label_paths(self, paths: list[str]) -> Config:
        """The same config training on other label files (``eventcoder train --data``)."""
        from dataclasses import replace

        return replace(self, data=replace(self.data, label_paths=tuple(paths)))


_RANGES = {
    "hard_fraction": (0.0, 1.0),
    "dev_fraction": (0.0, 0.5),
    "test_fraction": (0.0, 0.5),
    "trainable_layers": (1, 6),
    "max_length": (16, 512),
    "fallback_threshold": (0.0, 1.0),
    "epochs": (1, 100),
    "batch_size": (1, 4096),
    "learning_rate": (1e-7, 1.0),
    "head_learning_rate": (1e-7, 1.0),
    "weight_decay": (0.0, 1.0),
    "warmup_fraction": (0.0, 0.5),
    "label_smoothing": (0.0, 0.5),
    "flag_loss_weight": (0.0, 10.0),
    "num_threads": (1, 256),
    "eval_batch_size": (1, 4096),
    "soup_size": (1, 16),
    "target_per_code": (0, 10_000),
    "min_per_code": (0, 10_000),
    "min_per_root": (0, 100_000),
    "max_negatives_per_sentence": (0, 100),
}


def load_config(path: Path) -> Config:
    """Read and validate a training config file."""
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    return config_from_dict(raw, str(path))


def config_from_dict(raw: dict, where: str = "config") -> Config:
    sections = {f.name: f.type for f in fields(Config)}
    unknown = set(raw) - set(sections)
    if unknown:
        raise ConfigError(f"{where}: unknown section(s) {sorted(unknown)}")
    built = {}
    for name, cls in (("corpus", CorpusConfig), ("data", DataConfig), ("model", ModelConfig), ("train", TrainConfig)):
        if name not in raw:
            raise ConfigError(f"{where}: missing section [{name}]")
        built[name] = _section(cls, raw[name], f"{where} [{name}]")
    return Config(**built)


def _section(cls, values: dict, where: str):
    expected = {f.name: f.type for f in fields(cls)}
    unknown = set(values) - set(expected)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)}")
    missing = set(expected) - set(values)
    if missing:
        raise ConfigError(f"{where}: missing key(s) {sorted(missing)}; every value must be spelled out")
    out = {}
    for key, typ in expected.items():
        v = values[key]
        if typ == "bool":
            ok = isinstance(v, bool)
        elif typ == "int":
            ok = isinstance(v, int) and not isinstance(v, bool)
        elif typ == "float":
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
            v = float(v) if ok else v
        else:  # tuple of strings
            ok = isinstance(v, list) and all(isinstance(x, str) for x in v) and len(v) > 0
            v = tuple(v) if ok else v
        if not ok:
            raise ConfigError(f"{where}: {key} = {v!r} is not a valid {typ}")
        if key in _RANGES:
            lo, hi = _RANGES[key]
            if not lo <= v <= hi:
                raise ConfigError(f"{where}: {key} = {v!r} outside [{lo}, {hi}]")
        out[key] = v
    return cls(**out)

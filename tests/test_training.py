"""The training loop on a small dataset: outputs, safe save/load round trip, determinism (marker: heavy)."""

import json
from pathlib import Path

import numpy as np
import pytest

from coder.config import config_from_dict
from coder.errors import ConfigError, DataFileError

pytestmark = pytest.mark.heavy
REPO = Path(__file__).resolve().parent.parent


def _small_labels(tmp_path: Path) -> Path:
    lines = []
    for name in ("root04.jsonl", "root19.jsonl", "noevent1.jsonl"):
        lines += (REPO / "labels" / "corpus" / "handwritten" / name).read_text().splitlines()[:40]
    out = tmp_path / "small.jsonl"
    out.write_text("\n".join(lines) + "\n")
    return out


def _config(labels: Path):
    import tomllib

    raw = tomllib.loads((REPO / "training" / "configs" / "default.toml").read_text())
    raw["data"]["label_paths"] = [str(labels)]
    raw["model"]["trainable_layers"] = 1
    raw["model"]["max_length"] = 64
    raw["train"]["epochs"] = 2
    return config_from_dict(raw)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from coder.trainer import train

    tmp = tmp_path_factory.mktemp("train")
    cfg = _config(_small_labels(tmp))
    m1 = train(cfg, tmp / "m1")
    m2 = train(cfg, tmp / "m2")
    return tmp, m1, m2


def test_model_folder_is_complete_and_safe(trained):
    tmp, metrics, _ = trained
    folder = tmp / "m1"
    names = {p.name for p in folder.iterdir()}
    assert {"model.safetensors", "model.json", "config.json", "metrics.json", "README.md"} <= names
    assert not any(n.endswith((".pt", ".bin", ".pkl", ".pickle")) for n in names)
    meta = json.loads((folder / "model.json").read_text())
    assert meta["classes"][-1] == "NONE" and "190" in meta["classes"]
    card = (folder / "README.md").read_text()
    for needle in ("data hash", "git commit", "library versions", "training time", "TF-IDF", "rule patterns"):
        assert needle in card
    assert 0.0 <= metrics["dev"]["ece"] <= 1.0


def test_training_is_deterministic(trained):
    tmp, m1, m2 = trained
    # Same config, same data: the same bytes (the default config's soup of members included).
    assert (tmp / "m1" / "model.safetensors").read_bytes() == (tmp / "m2" / "model.safetensors").read_bytes()
    for split in ("dev", "test"):
        for key in ("root_accuracy", "code_macro_f1", "event_f1"):
            assert abs(m1[split][key] - m2[split][key]) <= 0.005, (split, key)


def test_save_load_round_trip(trained):
    from coder.model import EventClassifier

    tmp, _, _ = trained
    a = EventClassifier.load(tmp / "m1")
    b = EventClassifier.load(tmp / "m1")
    texts = ["<< Iran >> attacked [[ Iraq ]] on Monday.", "<< Kenya >> met [[ Uganda ]] in Nairobi."]
    assert np.allclose(a.predict_proba(texts), b.predict_proba(texts))
    assert np.allclose(a.predict_proba(texts).sum(axis=1), 1.0, atol=1e-5)


def test_onnx_int8_matches_eager(trained, tmp_path):
    from coder.model import EventClassifier

    tmp, _, _ = trained
    eager = EventClassifier.load(tmp / "m1")
    texts = ["<< Iran >> attacked [[ Iraq ]] on Monday.", "<< Kenya >> met [[ Uganda ]] in Nairobi."]
    p_eager = eager.predict_proba(texts)
    onnx = EventClassifier.load(tmp / "m1").use_onnx(eager.export_onnx(tmp_path / "m.onnx", quantize=True))
    p_onnx = onnx.predict_proba(texts)
    assert (p_eager.argmax(1) == p_onnx.argmax(1)).all()
    assert np.abs(p_eager - p_onnx).max() < 0.1


def test_bad_labels_stop_training(tmp_path):
    from coder.trainer import train

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "Iran attacked Iraq.", "events": [{"code": "999"}]}\n')
    with pytest.raises(DataFileError):
        train(_config(bad), tmp_path / "out")


def test_config_refuses_bad_value():
    import tomllib

    raw = tomllib.loads((REPO / "training" / "configs" / "default.toml").read_text())
    raw["model"]["trainable_layers"] = 9
    with pytest.raises(ConfigError, match="trainable_layers"):
        config_from_dict(raw)


def test_cli_retrains_on_user_labels_and_evaluates(tmp_path, capsys):
    """`eventcoder train --data` on a user's file, then `eventcoder evaluate` on it (the user workflow)."""
    import tomllib

    from coder.cli import main

    labels = _small_labels(tmp_path)
    raw = (REPO / "training" / "configs" / "default.toml").read_text()
    cfg = tomllib.loads(raw)
    assert cfg["train"]["epochs"] >= 1
    tiny = tmp_path / "tiny.toml"
    tiny.write_text(raw.replace("epochs = 8", "epochs = 1").replace("trainable_layers = 2", "trainable_layers = 1"))
    assert main(["train", "--config", str(tiny), "--data", str(labels), "--out", str(tmp_path / "mine")]) == 0
    assert "dev: root accuracy" in capsys.readouterr().out
    assert (
        main(
            [
                "evaluate",
                str(labels),
                "--model",
                str(tmp_path / "mine"),
                "--limit",
                "20",
                "--json",
                str(tmp_path / "fig.json"),
            ]
        )
        == 0
    )
    figures = json.loads((tmp_path / "fig.json").read_text())
    assert figures["model"]["sentences"] == 20
    assert "dyad_root" in figures["model"]["end_to_end"]

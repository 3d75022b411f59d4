"""The notebooks: committed without outputs, and executed top to bottom on small data (marker: heavy)."""

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_notebooks_exist_and_are_committed_without_outputs():
    assert {p.name for p in NOTEBOOKS} >= {"01_code_and_explore.ipynb", "02_train_evaluate_compare.ipynb"}
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: clear the outputs"


def _execute(path: Path, env: dict[str, str], timeout: int = 600):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        ).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def _text_outputs(nb) -> str:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            out.append(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")))
    return "\n".join(out)


@pytest.mark.heavy
@pytest.mark.model
def test_explore_notebook_codes_the_sample_batch(tmp_path):
    nb = _execute(REPO / "notebooks" / "01_code_and_explore.ipynb", {"EVENTCODER_NB_OUT": str(tmp_path)})
    text = _text_outputs(nb)
    assert "32 records, 0 rejected, 32 documents" in text
    events = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert len(events) >= 20 and {e["quad_class"] for e in events} <= {1, 2, 3, 4}
    for name in ("events_by_quadclass.png", "goldstein_dyad.png", "dyad_network.png", "countries.png"):
        assert (tmp_path / name).read_bytes().startswith(PNG_MAGIC), name
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(shown) == 4  # every chart is also displayed inline


@pytest.mark.heavy
def test_compare_notebook_trains_evaluates_and_compares(tmp_path):
    env = {
        "EVENTCODER_NB_OUT": str(tmp_path),
        "EVENTCODER_NB_TRAIN_PER_FILE": "30",
        "EVENTCODER_NB_EVAL_PER_FILE": "8",
        "EVENTCODER_NB_EPOCHS": "4",
    }
    nb = _execute(REPO / "notebooks" / "02_train_evaluate_compare.ipynb", env)
    text = _text_outputs(nb)
    assert "90 training sentences, 24 gold sentences" in text
    assert "compare" in text and "diff" in text and "per-code F1, largest changes" in text
    out = tmp_path / "compare"
    for name in ("A", "B"):
        assert (out / f"model_{name}" / "model.safetensors").exists()
        report = out / f"report_{name}"
        assert (report / "confusion.png").read_bytes().startswith(PNG_MAGIC)
        figures = json.loads((report / "figures.json").read_text())
        assert figures["format"] == "labels" and figures["sentences"] == 24
        assert (report / "errors.md").read_text().startswith("# Error analysis: model " + name)

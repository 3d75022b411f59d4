"""End to end with the shipped model: a run killed with SIGKILL resumes to exactly the uninterrupted result, and
the Dask engine on a local two-worker cluster writes the same bytes as the local engine (markers: heavy, model).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coder.cli import main

REPO = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.heavy, pytest.mark.model]


def _replicated(path: Path, copies: int) -> Path:
    """The sample batch copied ``copies`` times under new ids (same texts and dates: aggregation merges them)."""
    docs = [json.loads(x) for x in (REPO / "examples" / "articles.jsonl").read_text().splitlines() if x.strip()]
    with path.open("w", encoding="utf-8") as f:
        for k in range(copies):
            for d in docs:
                f.write(json.dumps({**d, "id": f"{d['id']}-{k}", "source": f"wire{k % 3}"}) + "\n")
    return path


def _stored_documents(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as con:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet, or its tables not yet committed


def _exports(store: Path, tag: str) -> dict[str, bytes]:
    out = {}
    for name, extra in (("agg.tsv", []), ("raw.jsonl", ["--no-aggregate"])):
        path = store.with_name(f"{tag}-{name}")
        mentions = store.with_name(f"{tag}-mentions-{name}")
        assert main(["export", str(store), "-o", str(path), "--mentions", str(mentions), *extra]) == 0
        out[name] = path.read_bytes()
        out["mentions-" + name] = mentions.read_bytes()
    return out


def test_kill_9_mid_batch_then_resume_equals_uninterrupted(tmp_path, pipeline):
    batch = _replicated(tmp_path / "batch.jsonl", 12)  # 384 documents
    total = 384
    args = ["code", str(batch), "--partition-size", "8"]
    cut = tmp_path / "cut.db"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "coder", *args, "--store", str(cut)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    done_at_kill = 0
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        done_at_kill = _stored_documents(cut)
        if done_at_kill >= 24:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=60)
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, f"the run ended before it could be killed: {stderr}"
    at_kill = _stored_documents(cut)
    assert 24 <= at_kill < total and at_kill % 8 == 0, at_kill  # whole partitions only

    assert main([*args, "--store", str(cut)]) == 0  # resume
    assert main([*args, "--store", str(tmp_path / "whole.db")]) == 0  # uninterrupted, for comparison
    with sqlite3.connect(cut) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == total
        runs = con.execute("SELECT counts FROM runs ORDER BY run_id").fetchall()
    assert runs[0][0] is None  # the killed run never finished
    resumed = json.loads(runs[1][0])
    assert resumed["already_coded"] == at_kill and resumed["read"] == total
    assert _exports(cut, "cut") == _exports(tmp_path / "whole.db", "whole")
    raw = [json.loads(x) for x in (tmp_path / "cut-raw.jsonl").read_text().splitlines()]
    assert len(raw) == len({e["event_id"] for e in raw}) > total // 2  # no duplicate, nothing lost
    agg = (tmp_path / "cut-agg.tsv").read_text().splitlines()
    assert len(agg) < len(raw)  # the 12 copies of each report merge into GDELT-style events
    assert max(int(r.split("\t")[33]) for r in agg) == 12  # NumArticles: one per copy


def test_dask_local_cluster_matches_local_engine(tmp_path, pipeline):
    pytest.importorskip("dask.distributed")
    batch = _replicated(tmp_path / "batch.jsonl", 2)
    local, dask = tmp_path / "local.db", tmp_path / "dask.db"
    common = ["code", str(batch), "--partition-size", "8"]
    assert main([*common, "--store", str(local)]) == 0
    assert main([*common, "--store", str(dask), "--engine", "dask", "--workers", "2"]) == 0
    assert _exports(dask, "dask") == _exports(local, "local")
    with sqlite3.connect(local) as a, sqlite3.connect(dask) as b:
        query = "SELECT * FROM events ORDER BY doc_ordinal, seq"
        assert [r[:-1] for r in a.execute(query)] == [r[:-1] for r in b.execute(query)]  # all but run_id

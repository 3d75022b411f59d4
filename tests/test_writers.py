import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from coder.errors import InputError
from coder.records import Event
from coder.writers import GDELT2_COLUMNS, EventWriter, format_for

REF = Path(__file__).resolve().parent.parent.parent / "shared" / "reference" / "formats" / "gdelt2_events_columns.txt"


def _event(**kw) -> Event:
    base = dict(
        event_id="0123456789abcdef",
        doc_id="d1",
        sentence_index=0,
        sentence="China and Iran held joint drills.",
        sentence_start=0,
        sentence_end=33,
        date="2026-03-04",
        source_code="CHNMIL",
        source_text="China",
        source_start=0,
        source_end=5,
        target_code="IRN",
        target_text="Iran",
        target_start=10,
        target_end=14,
        event_code="062",
        base_code="062",
        root_code="06",
        code_name="Cooperate militarily",
        quad_class=2,
        penta_class=2,
        goldstein=7.4,
        confidence=0.91,
        negated=False,
        hypothetical=False,
        evidence=("syntax:svo", "pattern:joint-drills"),
        trigger="hold",
        model_version="test",
        url="http://x",
    )
    base.update(kw)
    return Event(**base)


def test_gdelt_columns_match_reference_order():
    if not REF.exists():
        pytest.skip("reference formats folder absent")
    names = [line.split("\t")[1].strip() for line in REF.read_text().splitlines()[1:] if "\t" in line]
    assert names == GDELT2_COLUMNS


def test_tsv_row_keeps_string_codes(tmp_path, codebook):
    out = tmp_path / "e.tsv"
    with EventWriter(out, codebook) as w:
        w.write(_event())
    row = out.read_text().rstrip("\n").split("\t")
    assert len(row) == 61
    col = dict(zip(GDELT2_COLUMNS, row, strict=False))
    assert col["EventCode"] == "062" and col["EventRootCode"] == "06" and col["EventBaseCode"] == "062"
    assert col["SQLDATE"] == "20260304" and col["Actor1Code"] == "CHNMIL"
    assert col["Actor1CountryCode"] == "CHN" and col["Actor1Type1Code"] == "MIL"
    assert col["Actor2CountryCode"] == "IRN" and col["QuadClass"] == "2" and col["SOURCEURL"] == "http://x"


def test_jsonl_csv_parquet_named_fields(tmp_path, codebook):
    ev = _event(event_code="0312", base_code="031", root_code="03")
    for ext in (".jsonl", ".csv", ".parquet"):
        out = tmp_path / f"e{ext}"
        with EventWriter(out, codebook) as w:
            w.write(ev)
        if ext == ".jsonl":
            rec = json.loads(out.read_text())
        elif ext == ".csv":
            rec = next(csv.DictReader(out.open()))
        else:
            rec = pq.read_table(out).to_pylist()[0]
        assert rec["event_code"] == "0312" and rec["doc_id"] == "d1" and rec["root_code"] == "03"


def test_unknown_output_extension():
    with pytest.raises(InputError, match="unknown output extension"):
        format_for(Path("events.xlsx"))

import json

from coder.labelset import check_files, split_of


def _line(**kw):
    rec = {
        "id": "t1",
        "text": "Iranian troops shelled Iraqi positions.",
        "tags": [],
        "events": [
            {
                "source": "IRNMIL",
                "source_text": "Iranian troops",
                "target": "IRQMIL",
                "target_text": "Iraqi positions",
                "code": "194",
                "negated": False,
                "hypothetical": False,
            }
        ],
    }
    rec.update(kw)
    return json.dumps(rec)


def _check(tmp_path, lines, taxonomy, codebook):
    f = tmp_path / "l.jsonl"
    f.write_text("\n".join(lines) + "\n")
    return check_files([f], taxonomy, codebook)


def test_valid_record_gets_offsets(tmp_path, taxonomy, codebook):
    rep = _check(tmp_path, [_line()], taxonomy, codebook)
    assert not rep.problems
    e = rep.records[0].events[0]
    assert (e.source_start, e.source_end, e.target_start) == (0, 14, 23)


def test_inconsistencies_are_flagged_with_line(tmp_path, taxonomy, codebook):
    ev = json.loads(_line())["events"][0]
    lines = [
        _line(id="ok"),
        _line(id="a", events=[{**ev, "code": "999"}]),
        _line(id="b", events=[{**ev, "source": "XXXGOV"}]),
        _line(id="c", events=[{**ev, "target": "IRNMIL"}]),
        _line(id="d", events=[{**ev, "source_start": 1, "source_end": 5}]),
        _line(id="e", events=[{**ev, "target_text": "Syrian rebels"}]),
        _line(id="ok"),
        _line(id="f", events=[{**ev, "code": 194}]),
    ]
    rep = _check(tmp_path, lines, taxonomy, codebook)
    by_line = {p.line: p.message for p in rep.problems}
    assert 1 not in by_line
    assert "not a CAMEO code" in by_line[2]
    assert "not in the actor codebook" in by_line[3]
    assert "source equals target" in by_line[4]
    assert "offsets" in by_line[5]
    assert "does not occur" in by_line[6]
    assert "already used" in by_line[7]
    assert "not a CAMEO code" in by_line[8]


def test_split_is_deterministic_and_group_bound(tmp_path, taxonomy, codebook):
    lines = [_line(id=f"g{i}", group="same-phrasing") for i in range(20)]
    rep = _check(tmp_path, lines, taxonomy, codebook)
    assert len({split_of(r) for r in rep.records}) == 1
    assert [split_of(r) for r in rep.records] == [split_of(r) for r in rep.records]

"""Reading, validating and labelling JSON Lines records."""

from __future__ import annotations

import json

import pytest

from listening_coach.classify import classify_file, classify_records
from listening_coach.errors import InputError

GOOD = [
    {"id": "d1:00", "text": "I'm so tired of the dishes piling up.", "context": []},
    {"id": "d1:01", "text": "so it feels like the chores all land on you",
     "context": [{"speaker": "A", "text": "I'm so tired of the dishes piling up."}]},
    {"id": 7, "text": "what would help most on weeknights"},
]


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_classify_file_writes_one_line_per_record(tmp_path):
    source = _write(tmp_path / "in.jsonl", [json.dumps(r) for r in GOOD] + [""])
    target = tmp_path / "out.jsonl"
    assert classify_file(source, target) == 3
    results = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in results] == ["d1:00", "d1:01", 7]
    assert results[0]["labels"]["feeling"] is True
    assert results[1]["labels"]["reflection"] is True
    assert results[2]["labels"]["question"] == "open"
    assert set(results[0]["labels"]) == {"question", "reflection", "validation", "criticism", "apology", "feeling",
                                        "possible"}


def test_classify_file_to_stdout(tmp_path, capsys):
    source = _write(tmp_path / "in.jsonl", [json.dumps(GOOD[2])])
    classify_file(source, None)
    assert json.loads(capsys.readouterr().out)["labels"]["question"] == "open"


def test_previous_turn_is_the_last_context_item():
    context = [{"speaker": "B", "text": "unrelated"}, {"speaker": "A", "text": "my boss shouted at me in the meeting"}]
    record = {"id": "x", "text": "your boss shouted at you in the meeting", "context": context}
    (result,) = classify_records([json.dumps(record)], "mem")
    assert result["labels"]["reflection"] is True


@pytest.mark.parametrize("bad_line, problem", [
    ("{not json", "not valid JSON"),
    ('["a list"]', "not an object"),
    ('{"text": "hi"}', "'id' is missing"),
    ('{"id": "x"}', "'text' is missing"),
    ('{"id": true, "text": "hi"}', "'id' must be"),
    ('{"id": "x", "text": 3}', "'text' must be a string"),
    ('{"id": "x", "text": "hi", "context": "oops"}', "'context' is str"),
    ('{"id": "x", "text": "hi", "context": [{"speaker": "A"}]}', "'context' item"),
])
def test_bad_line_names_file_and_line(tmp_path, bad_line, problem):
    source = _write(tmp_path / "in.jsonl", [json.dumps(GOOD[0]), bad_line])
    target = tmp_path / "out.jsonl"
    with pytest.raises(InputError) as caught:
        classify_file(source, target)
    message = str(caught.value)
    assert f"{source}, line 2" in message and problem in message
    assert not target.exists()  # nothing is written when a line is bad


def test_missing_input_file(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        classify_file(tmp_path / "absent.jsonl", None)


def test_cli_classify_command(tmp_path):
    from click.testing import CliRunner

    from listening_coach.cli import main

    source = _write(tmp_path / "in.jsonl", [json.dumps(r) for r in GOOD])
    result = CliRunner().invoke(main, ["classify", str(source)])
    assert result.exit_code == 0
    assert len(result.output.splitlines()) == 3
    bad = _write(tmp_path / "bad.jsonl", ["{oops"])
    result = CliRunner().invoke(main, ["classify", str(bad)])
    assert result.exit_code == 2

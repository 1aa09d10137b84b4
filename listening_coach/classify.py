"""Label utterances from a JSON Lines file: `listening-coach classify INPUT.jsonl`.

Each input line is one JSON object: `id` (string or integer), `text` (string) and optionally
`context`, the preceding utterances oldest first, each `{"speaker": ..., "text": ...}`. The last
context item is taken as the partner's previous turn. Each output line is
`{"id": ..., "labels": {"question": "open"|"closed"|null, "reflection": bool, ...}}`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from pathlib import Path

from listening_coach.detectors import label_turn
from listening_coach.errors import InputError

_SHAPE = ('each line must be a JSON object such as '
          '{"id": "u1", "text": "so you felt ignored", "context": [{"speaker": "A", "text": "..."}]}')


def _bad(source: str, number: int, problem: str) -> InputError:
    return InputError(f"{source}, line {number}: {problem}; {_SHAPE}. Fix or remove that line.")


def _previous(record: dict, source: str, number: int) -> str | None:
    """The text of the last context item, after checking the context's shape."""
    context = record.get("context", [])
    if context is None:
        return None
    if not isinstance(context, list):
        raise _bad(source, number, f"'context' is {type(context).__name__}, not a list")
    for item in context:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise _bad(source, number, "every 'context' item needs a string 'text'")
    return context[-1]["text"] if context else None


def classify_records(lines: Iterable[str], source_name: str) -> Iterator[dict]:
    """Yield `{"id", "labels"}` for each non-blank line; raise InputError naming a bad line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise _bad(source_name, number, f"not valid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise _bad(source_name, number, f"a JSON {type(record).__name__}, not an object")
        for key in ("id", "text"):
            if key not in record:
                raise _bad(source_name, number, f"'{key}' is missing")
        record_id = record["id"]
        if isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
            raise _bad(source_name, number, "'id' must be a string or an integer")
        if not isinstance(record["text"], str):
            raise _bad(source_name, number, "'text' must be a string")
        previous = _previous(record, source_name, number)
        yield {"id": record_id, "labels": asdict(label_turn(record["text"], previous))}


def classify_file(input_path: str | Path, output_path: str | Path | None = None) -> int:
    """Label every record of `input_path`; write JSON lines to `output_path` (None = stdout).

    The whole file is checked before anything is written; `output_path` must be a safe output
    (see `outputs`; "-" is stdout too). Returns the number of records.
    """
    from .outputs import check_output, write_output

    path = Path(input_path)
    output = check_output("--output", output_path, inputs=[path], stdout_ok=True)
    if path.exists() and not path.is_file():
        raise InputError(f"{path}: is not a regular file (a folder, FIFO or device); give a JSON "
                         "Lines file.")
    try:
        with path.open(encoding="utf-8") as handle:
            results = list(classify_records(handle, str(path)))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read it ({error}); give a UTF-8 JSON Lines file.") from None
    lines = "".join(json.dumps(result, ensure_ascii=False) + "\n" for result in results)
    if output is None:
        sys.stdout.write(lines)
    else:
        write_output(output, lines)
    return len(results)

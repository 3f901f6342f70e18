"""The JSON that `import --jsonl`, `detect --jsonl` and `analyse --json` print carries "schema_version" and
validates against the JSON Schema published in bondlens/data."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from bondlens.analysis.schema import json_schema as analysis_schema
from bondlens.serialize import FINDING_SCHEMA_VERSION, MESSAGE_SCHEMA_VERSION, json_schema
from tests.api.conftest import bondlens_cli
from tests.conftest import EXAMPLES, run_cli

SAMPLE = EXAMPLES / "whatsapp_cycle.txt"


def errors(schema: dict[str, Any], record: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(record)]


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("kind", ["message", "finding"])
def test_the_schemas_are_valid_draft_2020_12(kind: str) -> None:
    schema = json_schema(kind)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(schema)
    version = MESSAGE_SCHEMA_VERSION if kind == "message" else FINDING_SCHEMA_VERSION
    assert schema["properties"]["schema_version"] == {"const": version}
    assert set(schema["required"]) == set(schema["properties"])  # every field is always there


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="message' or 'finding"):
        json_schema("analysis")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "example",
    ["whatsapp_cycle.txt", "telegram_result.json", "chat.csv", "sms-backup.xml", "discord_export.json",
     "whatsapp_ios.zip"],
)  # fmt: skip
def test_import_jsonl_lines_validate(example: str) -> None:
    run = bondlens_cli("import", EXAMPLES / example, "--jsonl", "--include-system")
    assert run.code == 0, run.err
    records = jsonl(run.out)
    assert records and all(r["schema_version"] == "1" for r in records)
    schema = json_schema("message")
    problems = [f"line {n}: {p}" for n, r in enumerate(records, 1) for p in errors(schema, r)]
    assert not problems, "\n".join(problems[:10])


def test_a_record_that_breaks_the_schema_is_caught() -> None:
    run = run_cli("import", SAMPLE, "--jsonl")  # as a separate program, exactly as a user runs it
    assert run.code == 0, run.err
    record = jsonl(run.out)[0]
    schema = json_schema("message")
    assert errors(schema, record) == []
    assert errors(schema, {**record, "extra": 1})  # a field added without the schema is noticed
    assert errors(schema, {k: v for k, v in record.items() if k != "schema_version"})
    assert errors(schema, {**record, "timestamp": "yesterday"})


def test_detect_jsonl_lines_validate() -> None:
    run = bondlens_cli("detect", SAMPLE, "--me", "Alex", "--jsonl")
    assert run.code == 0, run.err
    records = jsonl(run.out)
    assert len(records) >= 10 and {r["label_set"] for r in records} == {"tactic", "sign"}
    schema = json_schema("finding")
    problems = [f"line {n}: {p}" for n, r in enumerate(records, 1) for p in errors(schema, r)]
    assert not problems, "\n".join(problems[:10])
    assert all(r["schema_version"] == "1" for r in records)


def test_analyse_json_validates(analyse_json: dict[str, Any]) -> None:
    assert analyse_json["schema_version"] == "1"
    assert errors(analysis_schema(), analyse_json) == []
    assert analyse_json["me"] == "Alex" and analyse_json["patterns"][0]["cycles"]

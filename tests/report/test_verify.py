"""`bondlens verify`: a fresh report passes; one changed character in a quoted message's text, time or sender,
or a changed manifest, fails with a line that says what changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bondlens.report import verify_file, verify_html
from tests.report.conftest import Made, invoke


def change_field(html: str, field: str, occurrence: int = 0) -> tuple[str, str]:
    """Change one character of the ``occurrence``-th ``data-field`` value; return the HTML and the entry's ref."""
    matches = list(re.finditer(rf'data-field="{field}">([^<]+)<', html))
    match = matches[occurrence]
    start = match.start(1)
    value = match.group(1)
    swapped = "X" if value[0] != "X" else "Y"
    if field == "timestamp":
        digit = value.index("T") + 4  # the minute's last digit
        swapped = "1" if value[digit] != "1" else "2"
        start += digit
    changed = html[:start] + swapped + html[start + 1 :]
    ref = re.findall(r'data-field="ref">(E\d+)<', html[: match.start()])[-1]
    return changed, ref


def test_a_fresh_report_verifies(made: Made) -> None:
    result = verify_file(made.html_path)
    assert result.ok, result.problems
    assert result.entries == len(re.findall(r"data-entry", made.html))
    assert result.sha256 is not None and result.sha256 in made.html


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("text", "text"),
        ("timestamp", "time"),
        ("sender", "sender identifier"),
        ("sender_name", "sender name"),
        ("source_line", "line in the export"),
    ],
)
def test_one_changed_character_is_found_and_named(made: Made, field: str, words: str) -> None:
    changed, ref = change_field(made.html, field, occurrence=4)
    assert changed != made.html and len(changed) == len(made.html)
    result = verify_html(changed)
    assert not result.ok
    assert any(p.startswith(f"{ref} (message ") and f"{words} changed" in p for p in result.problems), result.problems


def test_a_changed_manifest_is_found(made: Made) -> None:
    recorded = re.search(r'data-manifest="sha256">([0-9a-f]{64})<', made.html)
    assert recorded is not None
    tampered = made.html.replace(recorded.group(1), "0" * 64)  # in the manifest and the fingerprint shown
    result = verify_html(tampered)
    assert not result.ok and any("SHA-256 was changed" in p for p in result.problems), result.problems

    shown_only = made.html.replace(f'data-manifest="sha256">{recorded.group(1)}', f'data-manifest="sha256">{"1" * 64}')
    result = verify_html(shown_only)
    assert not result.ok and any("fingerprint shown" in p for p in result.problems)

    entry_digest = re.search(r'"text": "([0-9a-f]{16})"', made.html)
    assert entry_digest is not None
    detail = made.html.replace(entry_digest.group(1), "f" * 16, 1)
    result = verify_html(detail)
    assert not result.ok and all(p.startswith("the manifest was changed") for p in result.problems), result.problems


def test_removed_entries_and_a_missing_manifest_are_found(made: Made) -> None:
    first = made.html.index('<tbody class="entry"')
    removed = made.html[:first] + made.html[made.html.index("</tbody>", first) + len("</tbody>") :]
    result = verify_html(removed)
    assert not result.ok and any("added or removed" in p for p in result.problems)

    no_manifest = re.sub(
        r'<script type="application/json" id="evidence-manifest">.*?</script>', "", made.html, flags=re.DOTALL
    )
    result = verify_html(no_manifest)
    assert not result.ok and result.problems == ("no evidence manifest found in this file (is it a bondlens report?)",)


def test_the_command_says_ok_or_what_changed(made: Made, tmp_path: Path) -> None:
    code, out, _ = invoke("verify", made.html_path)
    assert code == 0 and out.startswith(f"OK: {made.html_path}: the evidence appendix is unchanged")

    altered = tmp_path / "copy.html"
    changed, ref = change_field(made.html, "text", occurrence=0)
    altered.write_text(changed, encoding="utf-8", newline="")
    code, out, _ = invoke("verify", altered)
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == f"CHANGED: {altered}: the evidence appendix does not match its manifest"
    assert lines[1].strip().startswith(f"{ref} (message ") and "text changed since the report was made" in lines[1]

    code, _, err = invoke("verify", tmp_path / "missing.html")
    assert code == 2 and err.startswith("error: ") and "cannot read" in err

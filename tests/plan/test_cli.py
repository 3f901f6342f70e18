"""`bondlens plan` as a person runs it, in a fresh process: what it writes, where, and what it refuses."""

from __future__ import annotations

import html
import re
import signal
import stat
import subprocess
from pathlib import Path

import pytest

from bondlens.plan import load_steps
from tests.plan.helpers import ANSWERS, ENV, command, invoke, run_plan

STEP_IDS = ["support", "safe_place", "documents_money", "contact", "timing", "professional", "self_care"]


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run with an answers file, an HTML and a PDF, in an otherwise empty folder."""
    folder = tmp_path_factory.mktemp("out")
    result = run_plan("--answers", ANSWERS, "--country", "uk", "--out", folder / "a.html", "--pdf", folder / "a.pdf")
    assert result.code == 0, result.err
    assert "wrote" in result.err and "United Kingdom" in result.err
    return folder


def test_every_step_in_order_with_the_answers_escaped(written: Path) -> None:
    page = (written / "a.html").read_text(encoding="utf-8")
    positions = [page.index(f'id="step-{step_id}"') for step_id in STEP_IDS]
    assert positions == sorted(positions)
    titles = [page.index(html.escape(step.title, quote=False)) for step in load_steps()]
    assert titles == sorted(titles)
    # the person's words, shown as written and never read as markup
    assert "&lt;b&gt;Mute&lt;/b&gt; the group chat we share &amp; leave it later" in page
    assert "<b>Mute</b>" not in page
    assert "My sister Ana (call any time) &amp; my neighbour Jo" in page
    assert "Code word: &#34;blue umbrella&#34; means come and get me" in page
    # each note sits in its own step, in the order written
    support = page[page.index('id="step-support"') : page.index('id="step-safe_place"')]
    assert support.index("My sister Ana") < support.index("blue umbrella")
    # a step left empty gets lines to write on instead
    professional = page[page.index('id="step-professional"') : page.index('id="step-self_care"')]
    assert 'class="write-lines"' in professional and 'class="note"' not in professional


def test_only_the_files_asked_for_are_written_readable_only_by_the_owner(written: Path) -> None:
    assert files_in(written) == {"a.html", "a.pdf"}
    for name in ("a.html", "a.pdf"):
        assert stat.S_IMODE((written / name).stat().st_mode) == 0o600
    assert (written / "a.pdf").read_bytes().startswith(b"%PDF-")


def test_the_title_is_neutral_by_default_and_the_persons_choice_otherwise(written: Path, tmp_path: Path) -> None:
    page = (written / "a.html").read_text(encoding="utf-8")
    assert re.findall(r"<title>(.*?)</title>", page) == ["Notes"]
    assert re.findall(r"<h1>(.*?)</h1>", page) == ["Notes"]
    chosen = invoke("--answers", ANSWERS, "--title", "Getting out <safely>", "--out", tmp_path / "b.html")
    assert chosen.code == 0, chosen.err
    page = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "<title>Getting out &lt;safely&gt;</title>" in page


def test_the_html_loads_nothing_from_outside(written: Path) -> None:
    page = (written / "a.html").read_text(encoding="utf-8")
    assert "://" not in page and "www." not in page
    references = re.findall(r"""\b(?:href|src|action|poster|srcset)\s*=\s*["']([^"']*)""", page, re.IGNORECASE)
    references += re.findall(r"url\(\s*['\"]?([^'\")]*)", page, re.IGNORECASE)
    assert references, "the contents should link to the steps"
    for ref in references:
        assert ref.startswith(("#", "data:")), ref
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    for ref in references:
        if ref.startswith("#"):
            assert ref[1:] in ids, f"{ref} points nowhere"
    assert "<script" not in page.lower() and "<link" not in page.lower() and "@import" not in page


def test_an_unknown_country_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    result = invoke("--answers", ANSWERS, "--country", "Atlantis", "--out", tmp_path / "a.html")
    assert result.code == 2
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "'Atlantis'" in result.err
    for code in ("US", "UK", "CA", "AU", "IE", "NZ", "EU"):
        assert f"{code} (" in result.err
    assert files_in(tmp_path) == set()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("support: [ana\n  bad: {", "line"),
        ("escape: go tonight\n", "step 'escape' is not a step of the plan; the steps are: support, safe_place"),
        (
            "support:\n  - ana\n  - 5550100\n",
            "step 'support': write the notes as text; put quotes around numbers and yes/no (5550100)",
        ),
        ("support:\n  who: ana\n", "step 'support': the notes must be text or a list of texts"),
        ("- just a list\n", "expected each step id with your notes"),
    ],
    ids=["not-yaml", "unknown-step", "number", "mapping", "list"],
)
def test_a_bad_answers_file_is_named_with_the_step_and_nothing_is_written(
    tmp_path: Path, content: str, expected: str
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = invoke("--answers", answers, "--out", out / "a.html")
    assert result.code == 2, result.err
    assert result.err.startswith(f"error: {answers}: ")
    assert expected in result.err
    assert "Traceback" not in result.err
    assert files_in(out) == set()


def test_a_json_answers_file_works_too(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"timing": "after the 10th", "support": ["Ana", "Jo"]}', encoding="utf-8")
    result = invoke("--answers", answers, "--out", tmp_path / "a.html")
    assert result.code == 0, result.err
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert page.index("Ana") < page.index("Jo") < page.index("after the 10th")


def test_a_missing_folder_stops_before_any_question(tmp_path: Path) -> None:
    result = invoke("--out", tmp_path / "nowhere" / "a.html", stdin="anything\n")
    assert result.code == 2
    assert "does not exist" in result.err
    assert "Step 1" not in result.out


def test_questions_answered_on_the_terminal_become_the_plan(tmp_path: Path) -> None:
    typed = "nz\nAna, any time\n<i>Jo</i>\n\n" + "\n" * 6
    result = invoke("--out", tmp_path / "a.html", stdin=typed)
    assert result.code == 0, result.err
    assert "someone may be able to see what is on this device" in result.out
    assert "Step 7 of 7" in result.out
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "Ana, any time" in page and "&lt;i&gt;Jo&lt;/i&gt;" in page
    assert "Women&#39;s Refuge" in page or "Women's Refuge" in page
    assert files_in(tmp_path) == {"a.html"}


def test_the_end_of_the_input_before_the_last_step_writes_nothing(tmp_path: Path) -> None:
    result = invoke("--out", tmp_path / "a.html", "--pdf", tmp_path / "a.pdf", stdin="uk\nAna\n\nher flat\n")
    assert result.code == 1
    assert "nothing was written" in result.err
    assert files_in(tmp_path) == set()


def test_ctrl_c_stops_without_writing_anything(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        command("--country", "us", "--out", tmp_path / "a.html"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("Ana\n")  # a first note, then the person presses Ctrl-C
    proc.stdin.flush()
    seen = ""
    while "Step 1 of 7" not in seen:
        chunk = proc.stdout.readline()
        assert chunk, "the questions never appeared"
        seen += chunk
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "nothing was written" in err
    assert files_in(tmp_path) == set()


def test_help_lists_the_step_ids_an_answers_file_uses() -> None:
    result = invoke("--help")
    assert result.code == 0
    flat = " ".join(result.out.replace("│", " ").split())
    assert ", ".join(STEP_IDS) in flat
    assert [s.id for s in load_steps()] == STEP_IDS

"""What a person takes away, and the pages built on the other packages: self-check, plan, report, evidence."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from bondlens.report import appendix_sha256, verify_html
from bondlens.selfcheck import questionnaire
from bondlens.web.config import NEUTRAL_URL
from tests.web.helpers import analysed_case, client, past_safety


@pytest.fixture(scope="module")
def analysed() -> tuple[TestClient, str, str]:
    """One browser session with the sample analysed (as Alex)."""
    c = client()
    token = past_safety(c)
    return c, token, analysed_case(c, token)


def external_urls(html: str) -> list[str]:
    return [u for u in re.findall(r'(?:src|href|action)="([^"]*)"', html) if not u.startswith(("/", "#"))]


def test_the_pages_on_the_other_packages_load_nothing_from_elsewhere(analysed: tuple[TestClient, str, str]) -> None:
    c, _, case = analysed
    for path in (case, "/selfcheck", "/plan", "/resources?country=UK"):
        html = c.get(path).text
        assert external_urls(html) == [NEUTRAL_URL], path
        assert "<style" not in html and " style=" not in html, path
        assert 'id="quick-exit"' in html, path


# -- self-check -----------------------------------------------------------------------------------------------------


def test_self_check_scores_the_answers_and_never_counts_a_skip(analysed: tuple[TestClient, str, str]) -> None:
    c, token, _ = analysed
    q = questionnaire()
    page = c.get("/selfcheck").text
    assert all(str(escape(item.question)) in page for item in q.items)
    answers = {item.id: "2" for item in q.items}
    answers[q.items[0].id] = "skip"
    r = c.post("/selfcheck", data={"csrf_token": token, **answers}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/selfcheck/result"
    result = c.get("/selfcheck/result").text
    assert 'id="band"' in result and "Why this indication" in result
    assert f"You answered {len(q.items) - 1} of {len(q.items)} questions" in result
    assert "not a diagnosis" in result.lower()
    # the answers are shown again when the form is reopened
    again = c.get("/selfcheck").text
    assert again.count("checked") == len(q.items)


def test_self_check_with_too_few_answers_gives_no_indication(analysed: tuple[TestClient, str, str]) -> None:
    c, token, _ = analysed
    c.post("/selfcheck", data={"csrf_token": token})
    assert "Not enough answers" in c.get("/selfcheck/result").text
    c.post("/selfcheck/clear", data={"csrf_token": token})
    assert c.get("/selfcheck/result", follow_redirects=False).headers["location"] == "/selfcheck"


def test_an_answer_off_the_scale_is_refused_with_a_message() -> None:
    c = client()
    token = past_safety(c)
    item = questionnaire().items[0].id
    r = c.post("/selfcheck", data={"csrf_token": token, item: "9"}, follow_redirects=False)
    assert "is not an answer from 0 to 3" in c.get(r.headers["location"]).text
    assert c.get("/selfcheck/result", follow_redirects=False).status_code == 303  # nothing was scored


# -- report, PDF, evidence ------------------------------------------------------------------------------------------


def test_report_html_with_a_verifiable_evidence_appendix(analysed: tuple[TestClient, str, str]) -> None:
    c, _, case = analysed
    r = c.get(f"{case}/export?kind=html")
    assert r.headers["content-disposition"] == 'attachment; filename="notes.html"'
    assert r.headers["cache-control"] == "no-store"
    html = r.text
    assert "<title>Notes</title>" in html
    check = verify_html(html)
    assert check.ok and check.entries > 10
    assert str(escape("You looked pathetic.")) in html


def test_self_check_goes_into_the_report_only_when_ticked(analysed: tuple[TestClient, str, str]) -> None:
    c, token, case = analysed
    q = questionnaire()
    c.post("/selfcheck", data={"csrf_token": token, **{i.id: "1" for i in q.items}})
    question = q.items[1].question
    assert 'name="selfcheck" value="1"' in c.get(case).text  # offered, not ticked
    without = c.get(f"{case}/export?kind=html").text
    with_it = c.get(f"{case}/export?kind=html&selfcheck=1").text
    assert str(escape(question)) not in without
    assert str(escape(question)) in with_it


def test_report_pdf(analysed: tuple[TestClient, str, str]) -> None:
    c, _, case = analysed
    r = c.get(f"{case}/export?kind=pdf")
    assert r.status_code == 200
    assert r.headers["content-disposition"] == 'attachment; filename="notes.pdf"'
    assert r.content.startswith(b"%PDF")


def test_evidence_json_recomputes_to_its_fingerprint(analysed: tuple[TestClient, str, str]) -> None:
    c, _, case = analysed
    r = c.get(f"{case}/export?kind=evidence")
    assert r.headers["content-disposition"] == 'attachment; filename="notes-evidence.json"'
    data = json.loads(r.text)
    assert data["source"]["file"] == "WhatsApp Chat with Jordan.txt"
    assert len(data["source"]["sha256"]) == 64
    assert appendix_sha256(data["source"], data["entries"]) == data["manifest"]["sha256"]
    entry = data["entries"][0]
    assert {"timestamp", "sender", "source_line", "text"} <= set(entry)


def test_unknown_export_and_unready_case() -> None:
    c = client()
    token = past_safety(c)
    r = c.post(
        "/upload",
        data={"csrf_token": token},
        files={"file": ("chat.txt", b"12/01/2026, 10:00 - A: hi\n13/01/2026, 10:00 - B: hey\n")},
        follow_redirects=False,
    )
    case = r.headers["location"].removesuffix("/me")
    assert c.get(f"{case}/export?kind=html").status_code == 404  # not analysed yet
    assert c.get(f"{case}/export?kind=exe").status_code == 404


# -- plan and resources ---------------------------------------------------------------------------------------------


def test_plan_notes_are_kept_and_saved_as_a_document() -> None:
    c = client()
    token = past_safety(c)
    page = c.get("/plan").text
    assert "Leaving is often the most dangerous time" in page
    form = {"csrf_token": token, "country": "UK", "notes.support": "my sister Ana\n\ncode word: blue kettle"}
    r = c.post("/plan", data={**form, "action": "save"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/plan?saved=1"
    again = c.get("/plan?saved=1").text
    assert "my sister Ana\ncode word: blue kettle</textarea>" in again
    assert '<option value="UK" selected>' in again
    html = c.post("/plan", data={**form, "action": "html"})
    assert html.headers["content-disposition"] == 'attachment; filename="checklist.html"'
    assert "blue kettle" in html.text and "0808 2000 247" in html.text  # the notes, and UK numbers
    pdf = c.post("/plan", data={**form, "action": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_plan_refuses_an_unknown_country_and_overlong_notes() -> None:
    c = client()
    token = past_safety(c)
    r = c.post("/plan", data={"csrf_token": token, "country": "XX"}, follow_redirects=False)
    assert "no help numbers for the country" in c.get(r.headers["location"]).text
    r = c.post("/plan", data={"csrf_token": token, "notes.support": "x" * 6000}, follow_redirects=False)
    assert "longer than 5000 characters" in c.get(r.headers["location"]).text


def test_resources_by_country_emergency_first() -> None:
    c = client()
    past_safety(c)
    uk = c.get("/resources?country=UK").text
    assert uk.index("999") < uk.index("0808 2000 247")
    assert "Numbers change" in uk
    us = c.get("/resources?country=us").text
    assert "911" in us and "1-800-799-7233" in us
    assert c.get("/resources?country=nowhere").status_code == 200  # the default list, not an error

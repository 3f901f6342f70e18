"""The pages, as a person goes through them: upload (and its errors), who is "me", progress, the analysis."""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from bondlens.cli import app as cli_app
from bondlens.errors import BondlensError, ImportFormatError
from bondlens.web import bind
from bondlens.web.jobs import page_message, safe_filename
from tests.web.helpers import SAMPLE, analysed_case, client, past_safety, upload


def error_page(c: TestClient, location: str) -> str:
    assert location.startswith("/upload?error="), location
    page = c.get(location)
    assert page.status_code == 400
    return str(page.text)


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Uploads are held in a folder under here while they are read."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


# -- upload errors, shown on the page -------------------------------------------------------------------------------


def test_no_file_chosen() -> None:
    c = client()
    token = past_safety(c)
    r = c.post("/upload", data={"csrf_token": token}, follow_redirects=False)
    assert "Choose the exported chat file first." in error_page(c, r.headers["location"])


def test_wrong_format_is_named_with_the_uploaded_file_name(private_tmp: Path) -> None:
    c = client()
    token = past_safety(c)
    status, location = upload(c, token, "holiday.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    assert status == 303
    html = error_page(c, location)
    assert "holiday.png: a binary file bondlens does not recognise as a chat export" in html
    assert "Formats bondlens reads" in html and "--format" not in html  # the page's words, not the CLI's
    assert str(private_tmp) not in html and "bondlens-" not in html  # never the temporary path
    assert list(private_tmp.iterdir()) == []  # the upload is gone from disk


def test_empty_file() -> None:
    c = client()
    token = past_safety(c)
    _, location = upload(c, token, "chat.txt", b"")
    assert "chat.txt: is empty (0 bytes); export the chat again" in error_page(c, location)


def test_too_large_for_the_limit_says_so() -> None:
    c = client(max_bytes=1000)
    token = past_safety(c)
    _, location = upload(c, token, "chat.txt", SAMPLE.read_bytes()[:1500])
    html = error_page(c, location)
    assert "chat.txt: is 1.5 KB, larger than the 1000 bytes limit" in html
    assert "bondlens serve --max-size" in html


def test_a_body_far_over_the_limit_is_refused_before_it_is_read() -> None:
    c = client(max_bytes=1000)
    token = past_safety(c)
    status, location = upload(c, token, "chat.txt", b"x" * (1024 * 1024 + 2000))
    assert status == 303 and location == "/upload?error=too-large"
    assert "The file is larger than the 1 KB limit" in error_page(c, location)
    # app.js gets the same answer as an address to open
    r = c.post(
        "/upload",
        data={"csrf_token": token},
        files={"file": ("chat.txt", b"x" * (1024 * 1024 + 2000))},
        headers={"x-bondlens-fetch": "1"},
    )
    assert r.json() == {"location": "/upload?error=too-large"}


def test_ambiguous_dates_point_to_the_form_option() -> None:
    c = client()
    token = past_safety(c)
    chat = "03/04/2026, 21:15 - Sam: hi\n04/05/2026, 08:00 - Alex: hello\n"
    _, location = upload(c, token, "chat.txt", chat.encode())
    html = error_page(c, location)
    assert "every date in this file reads both day-first and month-first" in html
    assert "More options" in html and "--dayfirst" not in html
    status, location = upload(c, token, "chat.txt", chat.encode(), dates="dayfirst")
    assert status == 303 and location.endswith("/me")


def test_a_tampered_option_is_refused() -> None:
    c = client()
    token = past_safety(c)
    _, location = upload(c, token, "chat.txt", SAMPLE.read_bytes(), format="../../etc")
    assert "reload the page" in error_page(c, location)


def test_page_message_and_safe_filename() -> None:
    tmp = Path("/tmp/bondlens-x/chat.txt")
    assert page_message(ImportFormatError(tmp, "bad line", 3), tmp, "mine.txt") == "mine.txt (line 3): bad line"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\WhatsApp Chat with Sam.txt") == "WhatsApp Chat with Sam.txt"
    assert safe_filename("<script>.txt") == "_script_.txt"
    assert safe_filename("") == "chat.txt"


# -- the whole way through ------------------------------------------------------------------------------------------


def test_upload_choose_me_and_see_the_analysis(private_tmp: Path) -> None:
    c = client()
    token = past_safety(c)
    status, location = upload(c, token, "WhatsApp Chat with Jordan.txt", SAMPLE.read_bytes())
    assert status == 303
    assert list(private_tmp.iterdir()) == []  # read, then removed from disk
    me_page = c.get(location).text
    assert "Which of these is you?" in me_page
    assert 'value="Alex"' in me_page and 'value="Jordan"' in me_page

    # no choice: asked again, nothing guessed
    r = c.post(location, data={"csrf_token": token}, follow_redirects=False)
    assert "Choose which of the people is you." in c.get(r.headers["location"]).text

    case = analysed_case(c, token)
    html = c.get(case).text
    assert f'<img id="timeline-chart" src="{case}/chart/timeline.svg"' in html
    assert f'<img id="tactics-chart" src="{case}/chart/tactics.svg"' in html
    assert 'id="cycle-1"' in html
    assert "<mark>You looked pathetic.</mark>" in html  # the flagged words, in the whole message
    assert "Signs in your own messages" in html and "Self-blame" in html
    assert "An indication, not a diagnosis" in html
    assert "999 (UK)" in html

    # the upload page lists it; another browser cannot see it
    assert "WhatsApp Chat with Jordan.txt" in c.get("/upload").text
    stranger = client()
    past_safety(stranger)
    assert stranger.get(case).status_code == 404

    chart = c.get(f"{case}/chart/timeline.svg")
    assert chart.headers["content-type"] == "image/svg+xml"
    assert chart.text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert chart.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert chart.headers["cache-control"] == "no-store"
    assert "http" not in chart.text.replace("http://www.w3.org/2000/svg", "")  # loads nothing
    assert c.get(f"{case}/chart/nothing.svg").status_code == 404

    download = c.get(f"{case}/analysis.json")
    assert download.headers["content-disposition"] == 'attachment; filename="notes.json"'
    data = json.loads(download.text)
    assert data["schema_version"] == "1"
    assert data["conversation"]["source"]["path"] == "WhatsApp Chat with Jordan.txt"  # not the temporary file


def test_progress_page_and_status() -> None:
    c = client()
    token = past_safety(c)
    _, location = upload(c, token, "chat.txt", SAMPLE.read_bytes())
    case = location.removesuffix("/me")
    assert c.get(case, follow_redirects=False).headers["location"] == location  # who is "me" first
    c.post(location, data={"csrf_token": token, "me": "Alex"})
    status = c.get(f"{case}/status").json()
    assert set(status) >= {"state", "percent", "stage", "step", "steps", "next"}
    assert 0 <= status["percent"] <= 100


def test_delete_a_case() -> None:
    c = client()
    token = past_safety(c)
    _, location = upload(c, token, "chat.txt", SAMPLE.read_bytes())
    case = location.removesuffix("/me")
    c.post(f"{case}/delete", data={"csrf_token": token})
    r = c.get(location)
    assert r.status_code == 404 and "no longer here" in r.text


# -- the command ----------------------------------------------------------------------------------------------------


def test_a_busy_port_is_a_clear_error() -> None:
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    try:
        result = CliRunner().invoke(cli_app, ["serve", "--port", str(port)])
    finally:
        sock.close()
    assert result.exit_code == 2
    assert f"port {port} is already in use" in result.output


def test_serve_warns_before_listening_beyond_this_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    monkeypatch.setattr("bondlens.web.serve", lambda config, on_ready=None: seen.append(config))
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0
    assert "WARNING: bondlens is listening on 0.0.0.0" in result.output
    assert seen[0].host == "0.0.0.0" and seen[0].port == 9000
    quiet = CliRunner().invoke(cli_app, ["serve"])
    assert "WARNING" not in quiet.output
    assert seen[1].host == "127.0.0.1" and seen[1].port == 8765


def test_uploads_never_linger_in_the_temporary_folder(private_tmp: Path) -> None:
    c = client()
    token = past_safety(c)
    for name, data in (("a.txt", SAMPLE.read_bytes()), ("b.bin", os.urandom(3000)), ("c.txt", b"")):
        upload(c, token, name, data)
    assert list(private_tmp.iterdir()) == []


def test_a_failed_analysis_says_so_on_the_page(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise BondlensError("the chosen dates hold no messages")

    monkeypatch.setattr("bondlens.web.jobs.analyse", broken)
    c = client()
    token = past_safety(c)
    _, location = upload(c, token, "chat.txt", SAMPLE.read_bytes())
    case = location.removesuffix("/me")
    c.post(location, data={"csrf_token": token, "me": "Alex"})
    for _ in range(600):
        status = c.get(f"{case}/status").json()
        if status["state"] == "failed":
            break
        time.sleep(0.1)
    assert status["error"] == "the chosen dates hold no messages"
    page = c.get(case).text
    assert 'id="job-error">the chosen dates hold no messages</p>' in page

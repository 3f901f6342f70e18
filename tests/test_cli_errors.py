"""Bad input at the command line: one clear line naming the file, a non-zero exit, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import run_cli


def assert_one_line_error(err: str, name: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert name in lines[0]
    assert "Traceback" not in err


def test_missing_file(tmp_path: Path) -> None:
    result = run_cli("import", tmp_path / "nope.txt")
    assert result.code == 2
    assert_one_line_error(result.err, "nope.txt")
    assert "no such file" in result.err


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run_cli("import", empty)
    assert result.code == 2
    assert_one_line_error(result.err, "empty.txt")
    assert "empty" in result.err


def test_folder_instead_of_file(tmp_path: Path) -> None:
    result = run_cli("import", tmp_path)
    assert result.code == 2
    assert_one_line_error(result.err, tmp_path.name)


def test_binary_file_is_not_recognised(tmp_path: Path) -> None:
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    result = run_cli("import", png)
    assert result.code == 2
    assert_one_line_error(result.err, "photo.png")
    assert "binary" in result.err


def test_unrecognised_text(tmp_path: Path) -> None:
    notes = tmp_path / "shopping.md"
    notes.write_text("# Shopping\n\n- eggs\n- milk\n\nRemember the bread.\n", encoding="utf-8")
    result = run_cli("import", notes)
    assert result.code == 2
    assert_one_line_error(result.err, "shopping.md")
    assert "bondlens formats" in result.err


def test_two_gigabyte_file_is_refused_quickly(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(2 * 1024**3)
    result = run_cli("import", huge, timeout=30)
    assert result.code == 2
    assert_one_line_error(result.err, "huge.txt")
    assert "2.0 GB" in result.err and "--max-size" in result.err


def test_unknown_format_name(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("hello\n", encoding="utf-8")
    result = run_cli("import", chat, "--format", "carrier-pigeon")
    assert result.code == 2
    assert "unknown format 'carrier-pigeon'" in result.err
    assert "Traceback" not in result.err


def test_dayfirst_and_monthfirst_together(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("hello\n", encoding="utf-8")
    result = run_cli("import", chat, "--dayfirst", "--monthfirst")
    assert result.code == 2
    assert "not both" in result.err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path: Path) -> None:
    secret = tmp_path / "locked.txt"
    secret.write_text("x", encoding="utf-8")
    secret.chmod(0)
    result = run_cli("import", secret)
    assert result.code == 2
    assert_one_line_error(result.err, "locked.txt")


def test_xml_bomb_is_refused_in_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "sms-bomb.xml"
    entities = "".join(f'<!ENTITY e{i} "{"&e" + str(i - 1) + ";" * 1}' * 1 + '">' for i in range(1, 10))
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE smses [<!ENTITY e0 "lol">' + entities + "]>\n"
        '<smses count="1"><sms address="+15555550100" date="1773350107000" type="1" body="&e9;" /></smses>\n',
        encoding="utf-8",
    )
    result = run_cli("import", bomb)
    assert result.code == 2
    assert_one_line_error(result.err, "sms-bomb.xml")


def test_long_import_shows_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import pty
    import subprocess
    import sys

    chat = tmp_path / "long chat.txt"
    line = "13/03/2026, 21:15 - Sam: " + "this is a long enough message to fill the file quickly " * 2 + "\n"
    chat.write_text(line * 60_000, encoding="utf-8")  # about 8 MB
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bondlens", "import", str(chat)],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(leader)
    assert proc.returncode == 0
    assert b"reading" in seen and b"long chat.txt" in seen
    assert b"60000" in out

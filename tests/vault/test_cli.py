"""`bondlens vault` as a person uses it. The main path runs in fresh processes under an audit hook that kills the
process at the first network operation (as in tests/test_no_network.py); the rest runs in-process."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bondlens import load_conversation
from bondlens.cli import app
from bondlens.vault import Vault
from tests.conftest import EXAMPLES, Run
from tests.test_no_network import GUARD
from tests.vault.helpers import PASSPHRASE, conversation, new_vault, selfcheck

SAMPLE = EXAMPLES / "whatsapp_cycle.txt"
LABEL = "notes [b]1 ✿"  # markup-like and non-ASCII: printed as given
LAUNCH = GUARD + "import bondlens.cli.vault_cmd\nfrom bondlens.cli import main\nmain()"


def guarded(*args: str | Path, home: Path, passphrase: str | None = PASSPHRASE, stdin: str | None = None) -> Run:
    """Run `bondlens ARGS` in a fresh process with HOME=home; exit code 99 would mean a network operation."""
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_DATA_HOME", "BONDLENS_VAULT_PASSPHRASE")}
    env.update(HOME=str(home), COLUMNS="200", PYTHONIOENCODING="utf-8", BONDLENS_DEBUG="0")
    if passphrase is not None:
        env["BONDLENS_VAULT_PASSPHRASE"] = passphrase
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCH, *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin if stdin is not None else "",
        timeout=120,
        env=env,
    )
    assert proc.returncode != 99, proc.stderr  # the guard fired: something opened a socket
    return Run(proc.returncode, proc.stdout, proc.stderr)


def cli(*args: str | Path, passphrase: str | None = PASSPHRASE, stdin: str | None = None) -> Result:
    env = {"COLUMNS": "200", "BONDLENS_VAULT_PASSPHRASE": passphrase}
    return CliRunner().invoke(app, ["vault", *map(str, args)], input=stdin, env=env)


@dataclass(frozen=True)
class Stored:
    home: Path
    vault: Path
    added: Run


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Stored:
    """`vault init` at the default place, then `vault add` of the sample chat."""
    home = tmp_path_factory.mktemp("home")
    init = guarded("vault", "init", home=home)
    assert init.code == 0, init.err
    assert "no way to recover the passphrase" in init.err
    added = guarded("vault", "add", SAMPLE, "--me", "Alex", "--label", LABEL, home=home)
    assert added.code == 0, added.err
    return Stored(home, home / ".local" / "share" / "bondlens" / "vault.db", added)


def test_init_creates_a_private_vault_in_the_data_folder(stored: Stored) -> None:
    assert stored.vault.is_file()
    assert stat.S_IMODE(stored.vault.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.vault.parent.stat().st_mode) == 0o700
    again = cli("init", "--vault", stored.vault)
    assert again.exit_code == 2 and "already exists" in again.output


def test_add_imports_detects_analyses_and_stores(stored: Stored) -> None:
    assert "added case 1 (689 messages" in stored.added.out
    with Vault.open(stored.vault, PASSPHRASE, idle_minutes=None) as vault:
        case = vault.case(1)
        assert (case.label, case.me, case.messages) == (LABEL, "Alex", 689)
        assert case.findings and case.findings > 50 and case.has_analysis
        assert case.source_sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
        assert vault.analysis(1)["asymmetry"]["direction"] == "mostly_them"  # type: ignore[index]


def test_list_and_show(stored: Stored) -> None:
    listed = cli("list", "--vault", stored.vault)
    assert listed.exit_code == 0, listed.output
    assert LABEL in listed.output and "689" in listed.output and "2026-01-14" in listed.output
    shown = cli("show", "1", "--vault", stored.vault)
    assert shown.exit_code == 0, shown.output
    assert f"case 1: {LABEL}" in shown.output
    assert hashlib.sha256(SAMPLE.read_bytes()).hexdigest() in shown.output
    assert "cycle: Jordan's messages show harm" in shown.output and "not a diagnosis" in shown.output


def test_export_writes_private_files_in_the_documented_formats(stored: Stored, tmp_path: Path) -> None:
    out = tmp_path / "export"
    result = guarded("vault", "export", "1", "--out", out, home=stored.home)
    assert result.code == 0, result.err
    assert "not encrypted" in result.err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["analysis.json", "case.json", "conversation.jsonl", "findings.jsonl"]
    assert all(stat.S_IMODE((out / n).stat().st_mode) == 0o600 for n in names)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    messages = [json.loads(line) for line in (out / "conversation.jsonl").read_text(encoding="utf-8").splitlines()]
    findings = [json.loads(line) for line in (out / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    case = json.loads((out / "case.json").read_text(encoding="utf-8"))
    assert (
        case["label"] == LABEL
        and case["conversation"]["source"]["sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    )
    assert len(findings) == case["findings"] and {"label", "evidence", "explanation", "span"} <= set(findings[0])
    assert {"id", "timestamp", "sender", "text", "source_line"} <= set(messages[0])
    assert json.loads((out / "analysis.json").read_text(encoding="utf-8"))["schema_version"] == "1"
    # the exported conversation is the `import --jsonl` format: bondlens reads it back, the same messages
    back, original = load_conversation(out / "conversation.jsonl"), load_conversation(SAMPLE)
    assert [(m.timestamp, m.text) for m in back.user_messages()] == [
        (m.timestamp, m.text) for m in original.user_messages()
    ]
    again = cli("export", "1", "--out", out, "--vault", stored.vault)
    assert again.exit_code == 2 and "nothing was written" in again.output


def test_the_wrong_passphrase_is_exit_2_with_one_line(stored: Stored) -> None:
    result = CliRunner().invoke(
        app, ["vault", "list", "--vault", str(stored.vault)], env={"BONDLENS_VAULT_PASSPHRASE": "not the passphrase"}
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: wrong passphrase for vault {stored.vault}"
    assert result.stdout == ""


def test_the_passphrase_can_come_from_stdin(tmp_path: Path) -> None:
    new_vault(tmp_path).close()
    path = tmp_path / "vault.db"
    listed = cli("list", "--vault", path, "--passphrase-stdin", passphrase=None, stdin=PASSPHRASE + "\n")
    assert listed.exit_code == 0 and "holds no cases" in listed.output
    wrong = cli("list", "--vault", path, "--passphrase-stdin", passphrase=None, stdin="another one\n")
    assert wrong.exit_code == 2 and f"wrong passphrase for vault {path}" in wrong.output
    empty = cli("list", "--vault", path, "--passphrase-stdin", passphrase=None, stdin="")
    assert empty.exit_code == 2 and "held no passphrase" in empty.output


def test_without_a_terminal_or_a_given_passphrase_it_stops(tmp_path: Path) -> None:
    new_vault(tmp_path).close()
    result = cli("list", "--vault", tmp_path / "vault.db", passphrase=None)
    assert result.exit_code == 2 and "no passphrase" in result.output


def test_a_missing_vault_and_a_short_passphrase_are_clear_errors(tmp_path: Path) -> None:
    missing = cli("list", "--vault", tmp_path / "none.db")
    assert missing.exit_code == 2 and "no vault at" in missing.output and "bondlens vault init" in missing.output
    short = cli("init", "--vault", tmp_path / "v.db", passphrase="short")
    assert short.exit_code == 2 and "at least 8 characters" in short.output
    assert not (tmp_path / "v.db").exists()


def test_delete_asks_for_confirmation_then_deletes(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    with new_vault(tmp_path) as vault:
        keep = vault.add_case("keep", conversation("k", 20))
        gone = vault.add_case("gone", conversation("g", 20))
        vault.add_selfcheck(gone, selfcheck("g"))
    refused = cli("delete", str(gone), "--vault", path)
    assert refused.exit_code == 2 and "--yes" in refused.output
    deleted = cli("delete", str(gone), "--yes", "--vault", path)
    assert deleted.exit_code == 0 and f"deleted case {gone}" in deleted.output
    unknown = cli("delete", str(gone), "--yes", "--vault", path)
    assert unknown.exit_code == 2 and f"no case {gone}" in unknown.output
    with Vault.open(path, PASSPHRASE, idle_minutes=None) as vault:
        assert [c.id for c in vault.cases()] == [keep]


def test_show_and_export_a_case_with_selfchecks_and_plans(tmp_path: Path) -> None:
    path = tmp_path / "vault.db"
    with new_vault(tmp_path) as vault:
        case_id = vault.add_case("extras", conversation("e", 30), me="p1")
        vault.add_selfcheck(case_id, selfcheck("e"))
        vault.save_plan(case_id, {"steps": ["x"]}, name="safety")
    shown = cli("show", str(case_id), "--vault", path)
    assert "self-check of 2026-03-01: Several signs" in shown.output and "plan: safety" in shown.output
    exported = cli("export", str(case_id), "--out", tmp_path / "out", "--vault", path)
    assert exported.exit_code == 0, exported.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "case.json",
        "conversation.jsonl",
        "plan-1.json",
        "selfcheck-1.json",
    ]


class Terminal:
    """Stands in for standard input being a terminal (CliRunner's never is)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Pretend to sit at a terminal; returns the list the fake getpass answers from (first item first)."""
    import getpass
    import types

    from bondlens.cli import vault_cmd

    answers: list[str] = []
    monkeypatch.setattr(vault_cmd, "sys", types.SimpleNamespace(stdin=Terminal()))
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": answers.pop(0))
    return answers


def test_init_at_a_terminal_asks_twice(tmp_path: Path, at_a_terminal: list[str]) -> None:
    at_a_terminal += ["first passphrase", "second passphrase"]
    differ = cli("init", "--vault", tmp_path / "v.db", passphrase=None)
    assert differ.exit_code == 2 and "the two passphrases differ" in differ.output
    assert not (tmp_path / "v.db").exists()
    at_a_terminal += ["same passphrase", "same passphrase"]
    created = cli("init", "--vault", tmp_path / "v.db", passphrase=None)
    assert created.exit_code == 0, created.output
    Vault.open(tmp_path / "v.db", "same passphrase", idle_minutes=None).close()


def test_delete_at_a_terminal_asks_first(tmp_path: Path, at_a_terminal: list[str]) -> None:
    with new_vault(tmp_path) as vault:
        case_id = vault.add_case("to delete")
    kept = cli("delete", str(case_id), "--vault", tmp_path / "vault.db", stdin="n\n")
    assert kept.exit_code == 0 and "nothing was deleted" in kept.output
    deleted = cli("delete", str(case_id), "--vault", tmp_path / "vault.db", stdin="y\n")
    assert deleted.exit_code == 0 and f"deleted case {case_id}" in deleted.output
    with Vault.open(tmp_path / "vault.db", PASSPHRASE, idle_minutes=None) as vault:
        assert vault.cases() == []

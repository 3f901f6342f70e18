"""Guessing the vault's passphrase through the web app is slowed down: after two wrong passphrases in a row, each
further wrong one makes the next try wait (5 s, then twice as long each time, at most 5 minutes), said on the page
in plain words. The count is the running server's (not a session's) and starts again after the right passphrase.

The throttle's clock is replaced by one the test moves by hand: nothing here sleeps."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bondlens.vault import WrongPassphraseError
from bondlens.web.throttle import (
    FIRST_WAIT_SECONDS,
    MAX_WAIT_SECONDS,
    UnlockThrottle,
    UnlockWaitError,
    wait_after,
    wait_text,
)
from bondlens.web.vault_routes import TOO_SOON, WRONG_PASSPHRASE
from bondlens.web.vaults import VaultHolder
from tests.web.helpers import BASE, past_safety
from tests.web.test_vault_pages import LABEL, PASSPHRASE, stored_vault, unlock, web

WRONG = "not the passphrase"


class Clock:
    """A monotonic clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "vault.db"
    stored_vault(path)
    return path


def holder_of(c: TestClient) -> VaultHolder:
    found: VaultHolder = c.app.state.web.vault  # type: ignore[attr-defined]
    return found


def throttled(vault_path: Path) -> tuple[TestClient, str, Clock]:
    """A browser on a server whose unlock throttle runs on a hand-moved clock."""
    c, token = web(vault_path)
    clock = Clock()
    holder_of(c).throttle.clock = clock
    return c, token, clock


def try_passphrase(c: TestClient, token: str, passphrase: str) -> str:
    """Send the passphrase as the unlock form does; the text of the page it leads to."""
    return c.get(unlock(c, token, passphrase)).text


# -- the rule ---------------------------------------------------------------------------------------------------------


def test_the_wait_starts_at_the_third_wrong_passphrase_and_doubles_up_to_a_cap() -> None:
    assert [wait_after(n) for n in range(11)] == [0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300]
    assert wait_after(3) == FIRST_WAIT_SECONDS
    assert wait_after(10**6) == MAX_WAIT_SECONDS  # no overflow, however long someone keeps trying


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (5, "5 seconds"),
        (4.01, "5 seconds"),  # rounded up: never says the wait is over before it is
        (0.2, "1 second"),
        (1, "1 second"),
        (59.5, "1 minute"),
        (61, "1 minute 1 second"),
        (160, "2 minutes 40 seconds"),
        (300, "5 minutes"),
    ],
)
def test_the_wait_in_plain_words(seconds: float, words: str) -> None:
    assert wait_text(seconds) == words


def test_the_throttle_counts_wrong_passphrases_in_a_row_and_forgets_them_on_success() -> None:
    clock = Clock()
    throttle = UnlockThrottle(clock=clock)
    assert throttle.failed() == 0 and throttle.failed() == 0
    throttle.check()  # two typing mistakes: no wait
    assert throttle.failed() == 5
    clock.advance(4.5)
    assert throttle.remaining() == pytest.approx(0.5)
    with pytest.raises(UnlockWaitError) as refused:
        throttle.check()
    assert refused.value.seconds == pytest.approx(0.5)
    clock.advance(0.5)
    throttle.check()
    assert throttle.failed() == 10
    throttle.succeeded()
    assert throttle.failures == 0 and throttle.remaining() == 0
    assert throttle.failed() == 0  # counting starts again


# -- on the page ------------------------------------------------------------------------------------------------------


def test_wrong_passphrases_then_a_wait_then_the_right_one_works(vault_path: Path) -> None:
    c, token, clock = throttled(vault_path)
    throttle = holder_of(c).throttle

    for _ in range(2):  # typing mistakes: said clearly, no wait
        page = try_passphrase(c, token, WRONG)
        assert WRONG_PASSPHRASE in page and 'id="unlock-wait"' not in page and LABEL not in page

    page = try_passphrase(c, token, WRONG)  # the third in a row
    assert WRONG_PASSPHRASE in page
    assert 'id="unlock-wait"' in page and "Wait" in page and "5 seconds</span> before trying again." in page
    assert 'data-seconds="5"' in page  # app.js counts it down
    assert c.get("/cases").status_code == 200  # the wait alone is not an error: reloading shows it too
    assert "5 seconds</span> before trying again." in c.get("/cases").text

    clock.advance(2)
    page = try_passphrase(c, token, PASSPHRASE)  # even the right one is not tried before the wait is over
    assert TOO_SOON in page and "3 seconds</span> before trying again." in page
    assert LABEL not in page and 'id="unlock-form"' in page
    assert throttle.failures == 3 and throttle.remaining() == 3  # a refused try neither counts nor waits longer

    clock.advance(3)
    page = c.get("/cases").text
    assert 'id="unlock-wait"' not in page
    assert unlock(c, token, PASSPHRASE) == "/cases"
    assert LABEL in c.get("/cases").text
    assert throttle.failures == 0  # reset on success

    c.post("/cases/lock", data={"csrf_token": token})
    page = try_passphrase(c, token, WRONG)
    assert WRONG_PASSPHRASE in page and 'id="unlock-wait"' not in page  # counting started again


def test_each_further_wrong_passphrase_doubles_the_wait(vault_path: Path) -> None:
    c, token, clock = throttled(vault_path)
    for _ in range(3):
        try_passphrase(c, token, WRONG)
    for wait in (5, 10, 20, 40, 80):
        clock.advance(wait)
        page = try_passphrase(c, token, WRONG)
        assert WRONG_PASSPHRASE in page
        assert f"{wait_text(2 * wait)}</span> before trying again." in page
    assert "2 minutes 40 seconds" in page  # 160 s, said in minutes
    clock.advance(160)
    for _ in range(3):
        page = try_passphrase(c, token, WRONG)
        assert "5 minutes</span> before trying again." in page  # never longer
        clock.advance(MAX_WAIT_SECONDS)
    assert unlock(c, token, PASSPHRASE) == "/cases"
    assert LABEL in c.get("/cases").text


def test_the_count_is_the_servers_not_the_sessions(vault_path: Path) -> None:
    c, token, clock = throttled(vault_path)
    for _ in range(3):
        try_passphrase(c, token, WRONG)
    # another browser (a private window, say) waits too
    other = TestClient(c.app, base_url=BASE)
    other_token = past_safety(other)
    page = other.get("/cases").text
    assert "5 seconds</span> before trying again." in page
    assert TOO_SOON in try_passphrase(other, other_token, PASSPHRASE)
    # and "Forget everything" does not start the count again
    c.post("/forget", data={"csrf_token": token})
    token = past_safety(c)
    assert TOO_SOON in try_passphrase(c, token, PASSPHRASE)
    clock.advance(5)
    assert unlock(other, other_token, PASSPHRASE) == "/cases"
    assert LABEL in other.get("/cases").text


def test_parallel_tries_cannot_slip_past_the_wait(vault_path: Path) -> None:
    c, _ = web(vault_path)
    holder = holder_of(c)
    holder.throttle.clock = Clock()
    session = c.app.state.web.store.create()  # type: ignore[attr-defined]
    for _ in range(2):
        with pytest.raises(WrongPassphraseError):
            holder.unlock(session, WRONG)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            holder.unlock(session, WRONG)
        except WrongPassphraseError:
            outcomes.append("tried")
        except UnlockWaitError:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["tried"]  # only one passphrase was tried
    assert holder.throttle.failures == 3
    assert holder.status(session) == "locked"

"""Slowing down guesses at the vault's passphrase through the web app.

Each try already costs about 0.4 s of scrypt. On top of that, after :data:`FREE_TRIES` wrong passphrases in a row
the app makes the person wait before the next try, twice as long after each further wrong one (5 s, 10 s, 20 s ...,
never more than :data:`MAX_WAIT_SECONDS`), so that nobody at this computer, and no program on it, can try
passphrase after passphrase through the page. A try during the wait is refused without looking at the passphrase.

The count belongs to the running server, not to a browser session: a new session, a private window or *Forget
everything* does not reset it; the right passphrase does, and so does stopping bondlens (it lives in memory only).
The clock is injectable so that tests need not sleep.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

FREE_TRIES = 2  # wrong passphrases in a row without a wait: typing mistakes and Caps Lock happen
FIRST_WAIT_SECONDS = 5.0  # the wait after the first wrong passphrase beyond the free ones (the 3rd in a row)
MAX_WAIT_SECONDS = 300.0  # never longer than 5 minutes: the person may need their cases soon
_MAX_DOUBLINGS = 16  # 5 s * 2**16 is far beyond the cap already; keeps the arithmetic small


class UnlockWaitError(Exception):
    """A passphrase was sent before the wait was over; it was not tried."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"wait {seconds:.0f} seconds before trying again")
        self.seconds = seconds


def wait_after(failures: int) -> float:
    """The wait, in seconds, after ``failures`` wrong passphrases in a row."""
    if failures <= FREE_TRIES:
        return 0.0
    doublings = min(failures - FREE_TRIES - 1, _MAX_DOUBLINGS)
    return min(FIRST_WAIT_SECONDS * float(2**doublings), MAX_WAIT_SECONDS)


def wait_text(seconds: float) -> str:
    """``seconds`` in plain words, rounded up to whole seconds: "5 seconds", "1 minute", "2 minutes 40 seconds"."""
    whole = max(1, math.ceil(seconds))
    minutes, rest = divmod(whole, 60)

    def unit(n: int, word: str) -> str:
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    if not minutes:
        return unit(rest, "second")
    return unit(minutes, "minute") + (f" {unit(rest, 'second')}" if rest else "")


class UnlockThrottle:
    """Wrong passphrases in a row, and until when the next try must wait. Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock  # seconds, monotonic; tests pass their own
        self._failures = 0
        self._until: float | None = None  # no try before this clock time
        self._lock = threading.Lock()

    @property
    def failures(self) -> int:
        with self._lock:
            return self._failures

    def remaining(self) -> float:
        """Seconds to wait before the next try; 0 when a passphrase may be tried now."""
        with self._lock:
            return 0.0 if self._until is None else max(0.0, self._until - self.clock())

    def check(self) -> None:
        """:class:`UnlockWaitError` while the wait is not over."""
        left = self.remaining()
        if left > 0:
            raise UnlockWaitError(left)

    def failed(self) -> float:
        """Count a wrong passphrase; returns the wait it starts (0 for the free tries)."""
        with self._lock:
            self._failures += 1
            wait = wait_after(self._failures)
            self._until = self.clock() + wait if wait > 0 else None
            return wait

    def succeeded(self) -> None:
        """The right passphrase: start counting from nothing again."""
        with self._lock:
            self._failures, self._until = 0, None

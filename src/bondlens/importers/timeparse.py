"""Reading timestamps written by people and by generic tools (CSV, JSONL, pasted transcripts).

Sources the rules were learned from: Python's ``datetime.fromisoformat`` (3.11 accepts almost all of ISO 8601,
"Z" included), ``time.strptime`` format codes, and the chat-export CSV/JSON layouts seen in public exporters
(ISO strings with offsets, Unix seconds and Unix milliseconds as numbers or digit strings).

Rules, in order, for :func:`parse_timestamp`:

1. An explicit ``fmt`` (``--timestamp-format``) is used alone: a ``strptime`` format, or one of the names
   ``unix`` (seconds) and ``unix_ms`` (milliseconds). With ``%z`` in the format the result is aware.
2. A number (JSON number, or a string of digits with an optional fraction) is Unix time, aware in UTC. Its
   unit is decided by magnitude, since the ranges do not overlap for any date a chat can have:

   ============================  ============  ========================
   absolute value                unit          dates it covers
   ============================  ============  ========================
   10^8 .. 10^11                 seconds       1973-03-03 .. 5138
   10^11 .. 10^14                milliseconds  1973-03-03 .. 5138
   10^14 .. 10^17                microseconds  1973-03-03 .. 5138
   10^17 .. 10^20                nanoseconds   1973-03-03 .. 5138
   ============================  ============  ========================

   Anything smaller (an id, a count) or giving a date after 2100 is refused: it is not a chat time.
3. Otherwise ISO 8601 as ``datetime.fromisoformat`` reads it ("2026-03-12T21:15:00+01:00", "...Z", a space
   instead of "T"), plus a trailing " UTC"/" GMT". An offset makes it aware; without one it is naive.

Day/month orders such as "12/03/2026" are deliberately not guessed here: the caller's error message asks
for ``--timestamp-format``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_PLAUSIBLE = datetime(2100, 1, 1, tzinfo=UTC)
_UNIX_NAMES = {"unix": 10**6, "unix_s": 10**6, "unix-s": 10**6, "unix_ms": 10**3, "unix-ms": 10**3}
# (lower bound of |value|, how many microseconds one unit is)
_UNIX_BANDS: tuple[tuple[Decimal, Decimal], ...] = (
    (Decimal(10) ** 17, Decimal(1) / 1000),
    (Decimal(10) ** 14, Decimal(1)),
    (Decimal(10) ** 11, Decimal(1000)),
    (Decimal(10) ** 8, Decimal(10**6)),
)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_UTC_SUFFIX = re.compile(r"\s*(?:UTC|GMT)$", re.IGNORECASE)


class TimestampError(ValueError):
    """A value that is not a timestamp; ``str()`` says why in words a user understands."""


def parse_timestamp(value: str | int | float, fmt: str | None = None) -> datetime:
    """One timestamp from a cell or JSON value. Raises :class:`TimestampError` when it cannot be read."""
    if isinstance(value, bool):  # bool is an int subclass; True is not a time
        raise TimestampError("is true/false, not a time")
    if fmt is not None and fmt.strip().lower() in _UNIX_NAMES:
        return unix_time(value, _UNIX_NAMES[fmt.strip().lower()])
    if isinstance(value, int | float):
        if fmt is not None:
            raise TimestampError(f"is a number, but --timestamp-format {fmt!r} expects text")
        return unix_time(value)
    text = value.strip()
    if not text:
        raise TimestampError("is empty")
    if fmt is not None:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            raise TimestampError(f"does not match --timestamp-format {fmt!r}") from None
    if _NUMBER.match(text):
        return unix_time(text)
    iso = _UTC_SUFFIX.sub("+00:00", text) if _UTC_SUFFIX.search(text) and text[:1].isdigit() else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        raise TimestampError("is not an ISO 8601 date and time (like 2026-03-12T21:15:00+01:00)") from None


def unix_time(value: str | int | float, micros_per_unit: int | None = None) -> datetime:
    """Unix time (aware, UTC). ``micros_per_unit`` fixes the unit; None decides it by magnitude."""
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, int) else Decimal(value)
    except InvalidOperation:
        raise TimestampError("is not a number of seconds or milliseconds since 1970") from None
    if not number.is_finite():
        raise TimestampError("is not a finite number")
    if micros_per_unit is not None:
        scale = Decimal(micros_per_unit)
    else:
        band = next((unit for bound, unit in _UNIX_BANDS if abs(number) >= bound), None)
        if band is None:
            raise TimestampError("is too small to be Unix time in seconds or milliseconds (before 1973)")
        scale = band
    try:
        result = UNIX_EPOCH + timedelta(microseconds=int(number * scale))
    except (OverflowError, ValueError, InvalidOperation):
        raise TimestampError("is out of range for a date") from None
    if not UNIX_EPOCH <= result < LATEST_PLAUSIBLE:
        raise TimestampError(f"gives {result:%Y-%m-%d}, which is not a plausible chat date")
    return result


def is_aware(moment: datetime) -> bool:
    return moment.tzinfo is not None and moment.tzinfo.utcoffset(moment) is not None

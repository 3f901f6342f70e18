"""The Python API: read a chat export, find tactics and signs, analyse the cycle, write a report, classify dialogues.

Everything runs on this machine and opens no network connection. The examples read the sample chat bundled with
bondlens (run them from the repository's folder); ``"Alex"`` is the person the analysis is for.

>>> import bondlens
>>> chat = bondlens.load_conversation("examples/whatsapp_cycle.txt")
>>> findings = bondlens.detect(chat)
>>> result = bondlens.analyse(chat, findings, me="Alex")
>>> result.pattern is not None and len(result.cycles) >= 3
True
>>> html = bondlens.render(chat, "html", findings=findings, me="Alex")
>>> "Evidence appendix" in html
True
>>> [p] = bondlens.classify("Sam: You're imagining things again. That never happened.\\nAlex: I... maybe.")
>>> 0.0 <= p.score <= 1.0
True

The heavy libraries (the statistics for :func:`analyse`, the model for :func:`classify`, the PDF renderer) are
loaded only when a function needs them, so ``import bondlens`` stays fast.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from bondlens.detectors.base import Detector
from bondlens.errors import BondlensError
from bondlens.importers import ImportOptions
from bondlens.importers import load_conversation as _load_conversation
from bondlens.model import Conversation, Finding

if TYPE_CHECKING:
    from bondlens.analysis import Analysis
    from bondlens.analysis.model import Period
    from bondlens.learned.model import Prediction
    from bondlens.selfcheck import SelfCheckResult

Format = Literal["html", "json", "pdf"]
FORMATS: tuple[str, ...] = ("html", "json", "pdf")
NEUTRAL_TITLE = "Notes"  # the same neutral title as bondlens.render.NEUTRAL_TITLE (kept here: render is heavy)
DayLike = date | str | None

__all__ = ["FORMATS", "Format", "analyse", "classify", "detect", "load_conversation", "render", "resolve_me"]


def load_conversation(
    path: str | Path,
    format: str = "auto",
    options: ImportOptions | None = None,
    *,
    dayfirst: bool | None = None,
    chat: str | None = None,
    max_bytes: int | None = None,
) -> Conversation:
    """Read one chat export (any of the formats `bondlens formats` lists) into a :class:`Conversation`.

    ``format`` is an importer name (``"whatsapp"``, ``"telegram"`` ...) or ``"auto"`` to recognise it from the
    content. ``dayfirst`` settles dates such as 03/04/2026 when the file cannot tell (``None``: decide from the
    whole file, and say so if it cannot); ``chat`` picks one chat of an export that holds several; ``max_bytes``
    refuses larger files. Or pass a complete :class:`ImportOptions` as ``options`` instead. Anything that is not
    a readable export raises a :class:`BondlensError` with a one-line message naming the file.

    >>> chat = load_conversation("examples/whatsapp_cycle.txt")
    >>> chat.format, [p.name for p in chat.participants]
    ('whatsapp', ['Jordan', 'Alex'])
    >>> chat.messages[1].text
    "Hey, it's Jordan from Maya's party on Saturday. Hope it's ok I got your number from her 😊"
    >>> load_conversation("examples/whatsapp_cycle.txt", dayfirst=True).messages[1].timestamp.isoformat()
    '2026-01-14T21:15:00'
    >>> load_conversation("no such file.txt")
    Traceback (most recent call last):
    ...
    bondlens.errors.ImportFormatError: no such file.txt: no such file
    """
    chosen = {"dayfirst": dayfirst, "chat": chat, "max_bytes": max_bytes}
    given = {name: value for name, value in chosen.items() if value is not None}
    if options is not None and given:
        raise BondlensError(f"give either options or {', '.join(given)}, not both")
    if options is None:
        options = ImportOptions(**given)  # type: ignore[arg-type]
    return _load_conversation(path, format, options)


def resolve_me(conversation: Conversation, me: str) -> str:
    """The participant id of ``me``, matched on id, name or handle (ignoring case). It is never guessed: a name
    that is not a participant raises a :class:`BondlensError` that lists the participants.

    >>> chat = load_conversation("examples/whatsapp_cycle.txt")
    >>> resolve_me(chat, "alex")
    'Alex'
    >>> resolve_me(chat, "Sam")
    Traceback (most recent call last):
    ...
    bondlens.errors.BondlensError: 'Sam' is not a participant of this conversation; participants: 'Jordan', 'Alex'
    """
    wanted = me.strip().casefold()
    for p in conversation.participants:
        if wanted and wanted in {p.id.casefold(), p.name.casefold(), (p.handle or "").casefold()}:
            return p.id
    names = ", ".join(repr(p.name) for p in conversation.participants)
    raise BondlensError(f"{me!r} is not a participant of this conversation; participants: {names}")


def detect(
    conversation: Conversation, detectors: Sequence[str | Detector] | None = None, me: str | None = None
) -> list[Finding]:
    """The tactics and signs found in ``conversation``, in message order, each with its evidence and explanation.

    ``detectors`` are installed detector names (``"rules"``, ``"messages"``, plug-ins; see `bondlens detectors`)
    or :class:`Detector` objects; the default is the built-in rules, then the message model. With ``me`` (your
    name or id) tactics are looked for only in the other person's messages and signs only in yours; leave it
    out when the findings go to :func:`analyse`, which compares both sides.

    >>> chat = load_conversation("examples/whatsapp_cycle.txt")
    >>> findings = detect(chat)
    >>> first = findings[0]
    >>> first.evidence == chat.messages[first.message_id].text[first.span.start : first.span.end]
    True
    >>> {f.detector.split(".")[0] for f in detect(chat, ["rules"])}
    {'rules'}
    >>> all(f.sender != "Alex" for f in detect(chat, me="Alex") if f.label_set == "tactic")
    True
    """
    from bondlens.detectors import detect as _detect
    from bondlens.detectors import load_detector

    chosen = None if detectors is None else [load_detector(d) if isinstance(d, str) else d for d in detectors]
    who = resolve_me(conversation, me) if me is not None else None
    return _detect(conversation, chosen, me=who)


def _day(name: str, value: DayLike) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BondlensError(f"{name} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01") from None


def analyse(
    conversation: Conversation,
    findings: Iterable[Finding] | None = None,
    *,
    me: str,
    since: DayLike = None,
    until: DayLike = None,
    period: Period = "month",
) -> Analysis:
    """The picture over time, seen from ``me`` (your name or id; required, never guessed): the harm →
    apology/affection → harm cycles and their trend, the stage per month, the signs in your messages, gaps in
    contact, who does what, with the messages behind each. ``findings`` come from :func:`detect` without ``me``
    (the default runs it); ``since``/``until`` (a date or "YYYY-MM-DD", inclusive) limit it to part of the chat.

    >>> chat = load_conversation("examples/whatsapp_cycle.txt")
    >>> result = analyse(chat, detect(chat), me="Alex")
    >>> result.me, result.asymmetry.them, result.asymmetry.direction
    ('Alex', 'Jordan', 'mostly_them')
    >>> cycle = result.cycles[0]
    >>> cycle.harm.evidence[0].text in {m.text for m in chat.messages}
    True
    >>> analyse(chat, me="Alex", since="2026-03-01").conversation.first_timestamp.date().isoformat() >= "2026-03-01"
    True
    """
    from bondlens.analysis import analyse as _analyse

    found = detect(conversation) if findings is None else findings
    first, last = _day("since", since), _day("until", until)
    return _analyse(conversation, found, me=resolve_me(conversation, me), since=first, until=last, period=period)


@overload
def render(
    subject: Analysis | Conversation,
    format: Literal["html", "json"],
    path: str | Path | None = None,
    *,
    findings: Iterable[Finding] | None = None,
    me: str | None = None,
    since: DayLike = None,
    until: DayLike = None,
    title: str = NEUTRAL_TITLE,
    selfcheck: SelfCheckResult | None = None,
) -> str: ...


@overload
def render(
    subject: Analysis | Conversation,
    format: Literal["pdf"],
    path: str | Path | None = None,
    *,
    findings: Iterable[Finding] | None = None,
    me: str | None = None,
    since: DayLike = None,
    until: DayLike = None,
    title: str = NEUTRAL_TITLE,
    selfcheck: SelfCheckResult | None = None,
) -> bytes: ...


def render(
    subject: Analysis | Conversation,
    format: Format,
    path: str | Path | None = None,
    *,
    findings: Iterable[Finding] | None = None,
    me: str | None = None,
    since: DayLike = None,
    until: DayLike = None,
    title: str = NEUTRAL_TITLE,
    selfcheck: SelfCheckResult | None = None,
) -> str | bytes:
    """The analysis as a document: ``"html"`` (the report of `bondlens report`, self-contained, with its evidence
    appendix), ``"pdf"`` (the same pages) or ``"json"`` (the analysis, schema v1, as `bondlens analyse --json`).

    ``subject`` is a conversation, with ``me`` (required) and optionally its ``findings`` (default: :func:`detect`),
    ``since``/``until``; or, for JSON, an :class:`Analysis` from :func:`analyse`. The report needs the
    conversation (its chart counts every week). Returns the text (bytes for PDF) and, when ``path`` is given, also
    writes it there atomically, readable only by you. ``title`` is the title inside the file (default: "Notes",
    which says nothing); ``selfcheck`` adds a self-check result to the report, only when you give it.

    >>> chat = load_conversation("examples/whatsapp_cycle.txt")
    >>> findings = detect(chat)
    >>> html = render(chat, "html", findings=findings, me="Alex")
    >>> html.startswith("<!doctype html>") and "Evidence appendix" in html
    True
    >>> import json
    >>> data = json.loads(render(analyse(chat, findings, me="Alex"), "json"))
    >>> data["schema_version"], data["me"]
    ('1', 'Alex')
    >>> render(chat, "pdf", findings=findings, me="Alex")[:5]
    b'%PDF-'
    """
    if format not in FORMATS:
        raise BondlensError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if isinstance(subject, Conversation):
        if me is None:
            raise BondlensError("say which participant you are with me=..., so the report is seen from your side")
        found = list(detect(subject) if findings is None else findings)
        if format == "json":
            return _deliver(_json(analyse(subject, found, me=me, since=since, until=until)), path)
        from bondlens.report import make_report

        who = resolve_me(subject, me)
        report = make_report(
            subject, found, me=who, since=_day("since", since), until=_day("until", until), title=title,
            selfcheck=selfcheck,
        )  # fmt: skip
        return _deliver(report.html if format == "html" else _pdf(report.html), path)
    extra = {"findings": findings, "me": me, "since": since, "until": until, "selfcheck": selfcheck}
    given = [name for name, value in extra.items() if value is not None]
    if given:
        raise BondlensError(f"{', '.join(given)} apply when rendering a conversation, not an analysis")
    if format != "json":
        raise BondlensError(
            f"a {format.upper()} report needs the conversation, not only its analysis: "
            f'render(conversation, "{format}", path, me=..., findings=...)'
        )
    return _deliver(_json(subject), path)


def _json(analysis: Analysis) -> str:
    from bondlens.analysis.schema import dumps

    return dumps(analysis)


def _pdf(html: str) -> bytes:
    from bondlens.render import html_to_pdf

    with tempfile.TemporaryDirectory(prefix="bondlens-") as folder:
        target = Path(folder) / "notes.pdf"
        html_to_pdf(html, target)
        return target.read_bytes()


@overload
def _deliver(data: str, path: str | Path | None) -> str: ...
@overload
def _deliver(data: bytes, path: str | Path | None) -> bytes: ...
def _deliver(data: str | bytes, path: str | Path | None) -> str | bytes:
    if path is not None:
        from bondlens.render import write_private

        write_private(Path(path), data)
    return data


def classify(texts: str | Sequence[str], ids: Sequence[str | int | None] | None = None) -> list[Prediction]:
    """The learned model's reading of each dialogue: is it manipulative (``score``, 0 to 1), with which techniques,
    aimed at which vulnerabilities, and which bondlens tactics those are. A dialogue is plain text of
    ``"Name: utterance"`` lines; one string gives a list of one. ``ids`` (optional) are copied to the predictions.
    The model (trained on MentalManip, film and TV dialogue) ships with bondlens and runs offline.

    >>> [p] = classify("Sam: If you really loved me you would stop seeing them.\\nAlex: I do love you.")
    >>> p.manipulative in (True, False) and 0.0 <= p.score <= 1.0
    True
    >>> [p.id for p in classify(["A: hi\\nB: hello", "A: see you\\nB: bye"], ids=["d1", "d2"])]
    ['d1', 'd2']
    """
    from bondlens.learned import classify as _classify

    dialogues = [texts] if isinstance(texts, str) else list(texts)
    for position, text in enumerate(dialogues):
        if not isinstance(text, str):
            raise TypeError(f"texts[{position}] is {type(text).__name__}, not a str of 'Name: utterance' lines")
    if ids is not None and len(ids) != len(dialogues):
        raise BondlensError(f"{len(ids)} ids for {len(dialogues)} dialogues; give one id per dialogue")
    return _classify(dialogues, ids)

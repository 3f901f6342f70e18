"""SMS Backup & Restore (SyncTech, Android) XML backups: ``sms-<date>.xml``.

Sources the format was learned from (facts only; the code and fixtures here are our own):

- SyncTech, "Fields in XML Backup Files" (synctech.com.au/sms-backup-restore/fields-in-xml-backup-files/):
  ``<smses count>`` root; ``<sms>`` with ``address``, ``date`` (Java milliseconds), ``type`` (1 received,
  2 sent, 3 draft, 4 outbox, 5 failed, 6 queued), ``body``, ``contact_name``, ``readable_date``; ``<mms>`` with
  ``date``, ``msg_box`` (1 inbox, 2 sent, 3 drafts, 4 outbox, 5 failed), ``address``, ``contact_name``, then
  ``<parts><part seq ct name chset cd fn cid cl ctt_s ctt_t text data/></parts>`` and
  ``<addrs><addr address type charset/></addrs>``. Missing values are written as the literal string "null".
- Signal-Android's ``MmsBackupItem`` (its importer for these files): ``addr`` types 137 = From, 151 = To,
  130 = Cc, 129 = Bcc; text lives in the ``text`` attribute of ``text/plain`` parts, media in ``data`` (base64);
  ``application/smil`` parts are layout, not content.
- thephm/sms_backup_md: in group MMS the ``address`` attribute joins the other members with "~"; the sender's
  own ``From`` address can be the placeholder "insert-address-token".
- Signal-Android #7155 and #1546, Silence #317: Android's XML serializer wrote emoji as UTF-16 surrogate pairs
  (``&#55357;&#56832;``), which strict XML parsers reject as "reference to invalid character number".

Decisions (what a user sees):

- One backup holds every conversation on the phone; bondlens reads ONE. A conversation is one contact (SMS and
  one-to-one MMS) or one group (a group MMS thread: the same set of other members). Numbers are compared by
  their digits: "+1 555-555-0123", "(555) 555-0123" and "15555550123" are the same person (the shorter must
  have at least 7 digits and the longer may add at most 3 leading digits, a country code; leading zeros, a
  trunk "0" or an international "00", are ignored). With several conversations and no ``--chat``, the error
  lists them; ``--chat`` takes a contact name or a number, or for a group all members separated by commas.
- The backup never names its owner: the owner's messages (sent, outbox, queued) come from participant
  ``me`` ("Me"); the owner's number becomes its handle when the backup shows it unambiguously.
- Drafts (type 3) and failed sends (type 5) never reached the other person; they are left out and counted in
  a warning. Group messages that include the chosen contact belong to the group conversation; a warning says
  how many there are and how to choose the group.
- Times: ``date`` (when the phone stored the message) as aware UTC. Messages are ordered by time (the app
  writes SMS and MMS in separate runs), ties kept in file order; ``source_record`` is the element's index
  under ``<smses>`` (0-based) and ``source_line`` the line where it starts.
- MMS media is noted as an attachment (kind from the content type, name from ``name``/``cl``/``fn``); the
  base64 ``data`` is never kept. A subject other than a placeholder ("NoSubject") becomes the first text line.
- Emoji written as surrogate pairs are repaired while reading; character references that XML cannot hold
  become U+FFFD and are counted in a warning.
- Safety: the file is parsed with defusedxml, streaming; a DOCTYPE, entity declarations or external
  references are refused (these backups never have them), so "billion laughs" and external-entity files fail
  with a clear error instead of eating memory or reading other files.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from bondlens.errors import BondlensError, ImportFormatError
from bondlens.importers.base import ConversationBuilder, ImportOptions, Sample, check_file, source_file
from bondlens.model import Attachment, AttachmentKind, Conversation

ME = "me"
READ_CHUNK = 1024 * 1024
_NULLISH = frozenset({"", "null", "(null)"})
_UNKNOWN_NAMES = frozenset({"", "null", "(unknown)", "unknown"})
_PLACEHOLDER_SUBJECTS = frozenset({"", "null", "nosubject", "no subject", "(no subject)"})
_TOKEN_ADDRESS = "insert-address-token"
_ADDR_FROM, _ADDR_TO, _ADDR_CC, _ADDR_BCC = "137", "151", "130", "129"
_SMS_SENT_TYPES = frozenset({"2", "4", "6"})  # sent, outbox, queued
_SKIPPED_TYPES = {"3": "unsent draft", "5": "failed send"}
_MMS_SENT_BOXES = frozenset({"2", "4"})  # sent, outbox
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_TEXT_PART_DATA = 1024 * 1024  # a text/plain part given only as base64 data is decoded up to this size

_ROOT = re.compile(r"\A\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<\?.*?\?>)\s*)*<(smses|calls)[\s>/]", re.DOTALL)


# --- phone numbers -------------------------------------------------------------------------------------


def number_digits(address: str) -> str | None:
    """The digits of a phone number with leading zeros dropped, or None when it is not a phone number."""
    text = address.strip()
    if not text or any(c.isalpha() for c in text) or "@" in text:
        return None
    digits = "".join(c for c in text if c.isdigit())
    return digits.lstrip("0") or None


def numbers_match(a: str, b: str) -> bool:
    """Whether two digit strings (from :func:`number_digits`) are the same phone number.

    Equal, or the shorter (at least 7 digits) ends the longer, which adds at most 3 digits (a country code).
    """
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 7 and long.endswith(short) and len(long) - len(short) <= 3


def addresses_match(a: str, b: str) -> bool:
    """Two addresses (numbers, e-mail addresses, sender names) name the same correspondent."""
    da, db = number_digits(a), number_digits(b)
    if da is not None and db is not None:
        return numbers_match(da, db)
    return a.strip().casefold() == b.strip().casefold()


# --- repairing character references ---------------------------------------------------------------------

_REF_RUN = re.compile(rb"(?:&#(?:[xX][0-9A-Fa-f]{1,16}|[0-9]{1,16});)+")
_ONE_REF = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]{1,16})|([0-9]{1,16}));")
_PARTIAL_REF = re.compile(rb"&(?:#(?:[xX][0-9A-Fa-f]{0,16}|[0-9]{0,16}))?")
_REF_AT_END = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]{1,16})|([0-9]{1,16}));\Z")


def _xml_char_ok(cp: int) -> bool:
    return cp in (0x9, 0xA, 0xD) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


class _CharRefRepair:
    """Rewrites numeric character references XML cannot hold, on a byte stream, chunk by chunk.

    A high/low surrogate pair (``&#55357;&#56832;``) becomes the character it encodes (``&#x1F600;``); any other
    reference to a character XML forbids becomes U+FFFD and is counted. References split across chunks are
    carried over, so the result does not depend on where the chunks end.
    """

    def __init__(self) -> None:
        self._carry = b""
        self.replaced = 0
        self.joined = 0

    def feed(self, chunk: bytes) -> bytes:
        data = self._carry + chunk
        cut = len(data)
        amp = data.rfind(b"&", max(0, cut - 24))
        if amp >= 0 and _PARTIAL_REF.fullmatch(data, amp):
            cut = amp  # a reference cut in two by the chunk boundary
        last = _REF_AT_END.search(data, max(0, cut - 24), cut)
        if last is not None and (value := _ref_value(last)) is not None and 0xD800 <= value <= 0xDBFF:
            cut = last.start()  # a high surrogate whose low half may start the next chunk
        head, self._carry = data[:cut], data[cut:]
        return self._fix(head)

    def flush(self) -> bytes:
        data, self._carry = self._carry, b""
        return self._fix(data)

    def _fix(self, data: bytes) -> bytes:
        if b"&#" not in data:
            return data
        return _REF_RUN.sub(self._fix_run, data)

    def _fix_run(self, match: re.Match[bytes]) -> bytes:
        refs = [(m.group(0), _ref_value(m)) for m in _ONE_REF.finditer(match.group(0))]
        if all(cp is not None and _xml_char_ok(cp) for _, cp in refs):
            return match.group(0)
        out: list[bytes] = []
        i = 0
        while i < len(refs):
            raw, cp = refs[i]
            nxt = refs[i + 1][1] if i + 1 < len(refs) else None
            if cp is not None and 0xD800 <= cp <= 0xDBFF and nxt is not None and 0xDC00 <= nxt <= 0xDFFF:
                combined = 0x10000 + ((cp - 0xD800) << 10) + (nxt - 0xDC00)
                out.append(b"&#x%X;" % combined)
                self.joined += 1
                i += 2
                continue
            if cp is None or not _xml_char_ok(cp):
                out.append(b"&#xFFFD;")
                self.replaced += 1
            else:
                out.append(raw)
            i += 1
        return b"".join(out)


def _ref_value(match: re.Match[bytes]) -> int | None:
    hex_digits, dec_digits = match.group(1), match.group(2)
    try:
        value = int(hex_digits, 16) if hex_digits is not None else int(dec_digits)
    except ValueError:
        return None
    return value if value <= 0x10FFFF else None


# --- what the parser collects ---------------------------------------------------------------------------


@dataclass
class _Contact:
    id: str
    address: str
    digits: str | None
    name: str | None = None


@dataclass(slots=True)
class _Record:
    index: int
    line: int
    timestamp: datetime
    sender: str | None  # a contact id, ME, or None when the backup does not say
    text: str
    attachments: tuple[Attachment, ...]
    members: frozenset[str]  # the other people in the conversation (contact ids)


@dataclass
class _MmsState:
    attrs: dict[str, str]
    index: int
    line: int
    texts: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    addrs: list[tuple[str, str]] = field(default_factory=list)  # (type, address)


class _Contacts:
    """Every correspondent seen in the backup, one entry per person (numbers compared by digits)."""

    def __init__(self) -> None:
        self.by_id: dict[str, _Contact] = {}
        self._by_address: dict[str, str] = {}
        self._by_digits: dict[str, str] = {}

    def find(self, address: str) -> _Contact | None:
        address = address.strip()
        known = self._by_address.get(address)
        if known is not None:
            return self.by_id[known]
        digits = number_digits(address)
        for contact in self.by_id.values():
            if digits is not None and contact.digits is not None:
                if numbers_match(digits, contact.digits):
                    return contact
            elif digits is None and contact.digits is None and contact.address.casefold() == address.casefold():
                return contact
        return None

    def get(self, address: str, name: str | None = None) -> _Contact:
        address = address.strip() or "unknown"
        contact = self.find(address)
        if contact is None:
            contact = _Contact(id=address, address=address, digits=number_digits(address))
            self.by_id[contact.id] = contact
        self._by_address[address] = contact.id
        if name and contact.name is None:
            contact.name = name
        return contact


class _BackupTarget:
    """The parser target: receives start/end events and keeps only what a message needs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.expat: Any = None
        self.depth = 0
        self.root_seen = False
        self.declared_count: int | None = None
        self.index = -1  # index of the current child of <smses>
        self.records: list[_Record] = []
        self.contacts = _Contacts()
        self.own_numbers: set[str] = set()
        self.skipped: Counter[str] = Counter()
        self.other_elements: Counter[str] = Counter()
        self.empty_mms = 0
        self.mms: _MmsState | None = None

    # expat callbacks -------------------------------------------------------------------------------------

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            self._root(tag, attrib)
        elif self.depth == 2:
            self.index += 1
            line = self._line()
            if tag == "sms":
                self._sms(attrib, line)
            elif tag == "mms":
                self.mms = _MmsState(attrs=dict(attrib), index=self.index, line=line)
            else:
                self.other_elements[tag] += 1
        elif self.mms is not None:
            if tag == "part":
                self._part(attrib)
            elif tag == "addr":
                self.mms.addrs.append((attrib.get("type", "").strip(), attrib.get("address", "").strip()))

    def end(self, tag: str) -> None:
        if self.depth == 2 and tag == "mms" and self.mms is not None:
            state, self.mms = self.mms, None
            self._finish_mms(state)
        self.depth -= 1

    def data(self, text: str) -> None:  # whitespace between elements; nothing to keep
        return None

    def close(self) -> None:
        return None

    # the elements ----------------------------------------------------------------------------------------

    def _line(self) -> int:
        try:
            return int(self.expat.CurrentLineNumber)
        except (AttributeError, TypeError, ValueError):
            return 0

    def _root(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == "calls":
            raise ImportFormatError(
                self.path,
                "is an SMS Backup & Restore call log (calls-*.xml), not messages; give the sms-*.xml backup",
                self._line(),
            )
        if tag != "smses":
            raise ImportFormatError(
                self.path,
                f"is XML but not an SMS Backup & Restore backup (its first element is <{tag}>, not <smses>)",
                self._line(),
            )
        self.root_seen = True
        count = attrib.get("count", "").strip()
        self.declared_count = int(count) if count.isdigit() else None

    def _timestamp(self, attrib: dict[str, str], line: int) -> datetime:
        raw = attrib.get("date", "").strip()
        try:
            value = int(raw)
        except ValueError:
            raise ImportFormatError(
                self.path,
                f"message {self.index} has an unreadable date {raw[:40]!r} (expected milliseconds since 1970); "
                "the backup may be damaged: make a new backup in SMS Backup & Restore",
                line,
            ) from None
        millis = value * 1000 if 0 < value < 10**11 else value  # a few tools write MMS dates in seconds
        try:
            return _UNIX_EPOCH + timedelta(milliseconds=millis)
        except OverflowError:
            raise ImportFormatError(
                self.path, f"message {self.index} has an impossible date {raw[:40]!r}", line
            ) from None

    def _sms(self, attrib: dict[str, str], line: int) -> None:
        kind = attrib.get("type", "").strip()
        if kind in _SKIPPED_TYPES:
            self.skipped[_SKIPPED_TYPES[kind]] += 1
            return
        if kind != "1" and kind not in _SMS_SENT_TYPES:
            self.skipped[f"message of unknown type {kind[:10]!r}"] += 1
            return
        timestamp = self._timestamp(attrib, line)
        addresses = [
            a.strip()
            for a in attrib.get("address", "").split("~")
            if a.strip().casefold() not in _NULLISH and a.strip() != _TOKEN_ADDRESS
        ] or ["unknown"]
        names = _split_names(attrib.get("contact_name"), len(addresses))
        contacts = [self.contacts.get(a, n) for a, n in zip(addresses, names, strict=True)]
        # an SMS to several people (address "a~b") is a group message; who sent a received one is unknown
        sender = ME if kind != "1" else contacts[0].id if len(contacts) == 1 else None
        text = _with_subject(attrib.get("subject"), attrib.get("body") or "")
        members = frozenset(c.id for c in contacts)
        self.records.append(_Record(self.index, line, timestamp, sender, text, (), members))

    def _part(self, attrib: dict[str, str]) -> None:
        assert self.mms is not None
        content_type = (attrib.get("ct") or "").strip().lower()
        if content_type == "application/smil":
            return
        if content_type == "text/plain":
            text = attrib.get("text")
            if text is not None and text != "null":
                self.mms.texts.append(text)
                return
            decoded = _decode_text_data(attrib.get("data"), attrib.get("chset"))
            if decoded is not None:
                self.mms.texts.append(decoded)
                return
        name = next((v for k in ("name", "cl", "fn") if (v := (attrib.get(k) or "").strip()) not in _NULLISH), None)
        self.mms.attachments.append(
            Attachment(kind=attachment_kind(content_type, name), name=name, mime_type=content_type or None)
        )

    def _finish_mms(self, state: _MmsState) -> None:
        attrs = state.attrs
        box = attrs.get("msg_box", "").strip()
        if box in _SKIPPED_TYPES:
            self.skipped[_SKIPPED_TYPES[box]] += 1
            return
        if box != "1" and box not in _MMS_SENT_BOXES:
            self.skipped[f"MMS in unknown box {box[:10]!r}"] += 1
            return
        timestamp = self._timestamp(attrs, state.line)
        sent = box in _MMS_SENT_BOXES
        from_address = next((a for t, a in state.addrs if t == _ADDR_FROM), "")
        recipients = [a for t, a in state.addrs if t in (_ADDR_TO, _ADDR_CC, _ADDR_BCC)]

        member_addresses = [
            a.strip()
            for a in attrs.get("address", "").split("~")
            if a.strip().casefold() not in _NULLISH and a.strip() != _TOKEN_ADDRESS
        ]
        if not member_addresses:
            member_addresses = recipients if sent else [from_address]
            member_addresses = [a for a in member_addresses if a and a != _TOKEN_ADDRESS and a != "null"]
        if not member_addresses:
            member_addresses = ["unknown"]
        names = _split_names(attrs.get("contact_name"), len(member_addresses))
        members = [self.contacts.get(a, n) for a, n in zip(member_addresses, names, strict=True)]
        member_ids = frozenset(c.id for c in members)

        # the owner's own number: what the phone put as From on a sent MMS, or a To/Cc that is no member
        if sent:
            if from_address and from_address not in _NULLISH and from_address != _TOKEN_ADDRESS:
                self.own_numbers.add(from_address)
        else:
            for address in recipients:
                if (
                    address
                    and address != _TOKEN_ADDRESS
                    and not any(addresses_match(address, m.address) for m in members)
                ):
                    self.own_numbers.add(address)

        if sent:
            sender: str | None = ME
        elif from_address and from_address != _TOKEN_ADDRESS and from_address not in _NULLISH:
            sender = self.contacts.get(from_address).id
        elif len(members) == 1:
            sender = members[0].id
        else:
            sender = None
        if not state.texts and not state.attachments:
            self.empty_mms += 1
        text = _with_subject(attrs.get("sub"), "\n".join(state.texts))
        self.records.append(
            _Record(state.index, state.line, timestamp, sender, text, tuple(state.attachments), member_ids)
        )


def _clean_name(name: str | None) -> str | None:
    if name is None or name.strip().casefold() in _UNKNOWN_NAMES:
        return None
    return name.strip()


def _split_names(contact_name: str | None, count: int) -> list[str | None]:
    """Group MMS list members' names joined by ", " in the same order as the "~"-joined addresses."""
    if count == 1:
        return [_clean_name(contact_name)]
    parts = [p.strip() for p in (contact_name or "").split(", ")]
    if len(parts) == count:
        return [_clean_name(p) for p in parts]
    return [None] * count


def _with_subject(subject: str | None, body: str) -> str:
    if subject is None or subject.strip().casefold() in _PLACEHOLDER_SUBJECTS or subject.strip() == body.strip():
        return body
    return f"{subject.strip()}\n{body}" if body else subject.strip()


def _decode_text_data(data: str | None, charset: str | None) -> str | None:
    if not data or data in _NULLISH or len(data) > _MAX_TEXT_PART_DATA:
        return None
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return None
    encoding = {"106": "utf-8", "3": "ascii", "4": "latin-1", "1000": "utf-16"}.get((charset or "").strip(), "utf-8")
    return raw.decode(encoding, errors="replace")


# Python's built-in table only (not the machine's /etc/mime.types), so results are the same everywhere
_MIME = mimetypes.MimeTypes()
for _type, _ext in (
    ("image/heic", ".heic"),
    ("image/heif", ".heif"),
    ("audio/x-caf", ".caf"),
    ("audio/amr", ".amr"),
    ("audio/mp4", ".m4a"),
    ("video/3gpp", ".3gp"),
    ("application/vnd.apple.pkpass", ".pkpass"),
):
    _MIME.add_type(_type, _ext, strict=False)


def guess_mime(name: str) -> str | None:
    """The MIME type a file name suggests, from a fixed table (the same on every machine)."""
    guessed, _ = _MIME.guess_type(name, strict=False)
    return guessed


_KIND_BY_TYPE: dict[str, AttachmentKind] = {
    "image/gif": "gif",
    "audio/amr": "voice",  # what Android's voice recorder sends by MMS
    "audio/amr-wb": "voice",
    "text/x-vcard": "contact",
    "text/vcard": "contact",
    "text/directory": "contact",
    "text/x-vcalendar": "document",
    "text/calendar": "document",
    "application/pdf": "document",
    "text/x-vlocation": "location",
    "application/vnd.geo+json": "location",
}


def attachment_kind(content_type: str, name: str | None = None) -> AttachmentKind:
    """The model's attachment kind for a MIME content type (falling back on the file name's extension)."""
    content_type = content_type.split(";")[0].strip().lower()
    if content_type in ("", "application/octet-stream") and name:
        content_type = (guess_mime(name) or "").lower()
    if content_type in _KIND_BY_TYPE:
        return _KIND_BY_TYPE[content_type]
    major = content_type.partition("/")[0]
    if major == "image":
        return "image"
    if major == "video":
        return "video"
    if major == "audio":
        return "audio"
    if major == "text" or content_type.startswith(
        ("application/msword", "application/vnd.openxmlformats", "application/vnd.ms-", "application/vnd.oasis")
    ):
        return "document"
    return "other"


# --- choosing the conversation --------------------------------------------------------------------------


@dataclass
class _Chat:
    members: frozenset[str]
    records: list[_Record]

    def label(self, contacts: _Contacts) -> str:
        people = [contacts.by_id[m] for m in sorted(self.members)]
        count = f"{len(self.records)} message{'s' if len(self.records) != 1 else ''}"
        if len(people) == 1:
            person = people[0]
            return f"{person.name} ({person.address}, {count})" if person.name else f"{person.address} ({count})"
        return f"group '{self.title(contacts)}' ({count})"

    def title(self, contacts: _Contacts) -> str:
        return ", ".join(contacts.by_id[m].name or contacts.by_id[m].address for m in sorted(self.members))


def _contact_matches(contact: _Contact, wanted: str) -> bool:
    wanted = wanted.strip()
    if not wanted:
        return False
    if contact.name is not None and contact.name.casefold() == wanted.casefold():
        return True
    return addresses_match(contact.address, wanted)


def _chat_matches(chat: _Chat, wanted: str, contacts: _Contacts) -> bool:
    people = [contacts.by_id[m] for m in chat.members]
    if len(people) == 1:
        return _contact_matches(people[0], wanted)
    tokens = [t.strip() for t in re.split(r"[,~;]", wanted) if t.strip()]
    if len(tokens) != len(people):
        return False
    remaining = list(people)
    for token in tokens:
        hit = next((p for p in remaining if _contact_matches(p, token)), None)
        if hit is None:
            return False
        remaining.remove(hit)
    return True


def _listing(chats: Iterable[_Chat], contacts: _Contacts, limit: int = 15) -> str:
    ordered = sorted(chats, key=lambda c: (-len(c.records), c.title(contacts)))
    shown = "; ".join(c.label(contacts) for c in ordered[:limit])
    if len(ordered) > limit:
        shown += f"; and {len(ordered) - limit} more"
    return shown


# --- the importer ---------------------------------------------------------------------------------------


class SmsBackupImporter:
    name = "sms-backup"
    title = "SMS Backup & Restore (Android) XML backup"
    example = (
        '<smses count="1"><sms protocol="0" address="+15555550123" date="1773350107000" type="1" '
        'body="Are you coming home?" contact_name="Jordan Reyes" /></smses>'
    )

    def sniff(self, sample: Sample) -> float:
        try:
            if sample.text is None:
                return 0.0
            match = _ROOT.match(sample.text)
            if match is None:
                return 0.0
            return 1.0 if match.group(1) == "smses" else 0.3  # a call log: read() explains what to give
        except Exception:  # sniffing never raises
            return 0.0

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        path = Path(path)
        total = check_file(path, options.max_bytes)
        target = _BackupTarget(path)
        repair = _CharRefRepair()
        try:
            with path.open("rb") as stream:
                self._parse(stream, path, target, repair, total, options)
        except OSError as exc:
            raise ImportFormatError(path, f"cannot be read ({exc.strerror or exc})") from None
        return _build(path, target, repair, options)

    @staticmethod
    def _parse(
        stream: BinaryIO,
        path: Path,
        target: _BackupTarget,
        repair: _CharRefRepair,
        total: int,
        options: ImportOptions,
    ) -> None:
        parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        target.expat = parser.parser
        done = 0
        try:
            while chunk := stream.read(READ_CHUNK):
                done += len(chunk)
                parser.feed(repair.feed(chunk))
                options.report(done, total)
            parser.feed(repair.flush())
            parser.close()
        except BondlensError:
            raise
        except DTDForbidden:
            raise ImportFormatError(
                path,
                "contains a DOCTYPE declaration, which SMS Backup & Restore backups never have; "
                "it was not read, for safety (it could be an XML attack file)",
            ) from None
        except EntitiesForbidden:
            raise ImportFormatError(
                path,
                "declares XML entities (the 'billion laughs' attack uses them); SMS Backup & Restore backups "
                "never do, so it was not read",
            ) from None
        except ExternalReferenceForbidden:
            raise ImportFormatError(
                path, "refers to an external file or address (an XML attack); it was not read"
            ) from None
        except ParseError as exc:
            line, column = getattr(exc, "position", (None, None))
            reason = str(exc).split(":")[0].strip() or "not well-formed"
            if target.root_seen and reason in ("no element found", "unclosed token"):
                raise ImportFormatError(
                    path, "ends in the middle of the backup (the file is cut short); copy the backup again", line
                ) from None
            raise ImportFormatError(
                path,
                f"is not readable XML ({reason} at column {column}); the backup may be damaged or cut short",
                line,
            ) from None
        except (ValueError, UnicodeError, LookupError, RecursionError) as exc:
            raise ImportFormatError(path, f"is not readable XML ({type(exc).__name__})") from None
        if not target.root_seen:
            raise ImportFormatError(path, "holds no <smses> element; it is not an SMS Backup & Restore backup")


def _build(path: Path, target: _BackupTarget, repair: _CharRefRepair, options: ImportOptions) -> Conversation:
    contacts = target.contacts
    # the owner's own number may have been taken for a correspondent before it was recognised: drop it
    own_ids = {c.id for c in contacts.by_id.values() if any(addresses_match(c.address, n) for n in target.own_numbers)}
    chats: dict[frozenset[str], _Chat] = {}
    for record in target.records:
        members = record.members - own_ids or record.members
        if record.sender in own_ids:
            record.sender = ME
        chats.setdefault(members, _Chat(members, [])).records.append(record)

    if not chats:
        extra = f" ({_skipped_summary(target.skipped)})" if target.skipped else ""
        raise ImportFormatError(path, f"holds no messages that were sent or received{extra}")

    chosen = _choose(path, list(chats.values()), contacts, options.chat)
    builder = ConversationBuilder(
        IMPORTER.name, source_file(path), naive_timestamps=False, title=chosen.title(contacts)
    )
    own = sorted({n for n in target.own_numbers if n not in _NULLISH}, key=lambda n: (len(number_digits(n) or n), n))
    distinct_own: list[str] = []
    for number in own:
        if not any(addresses_match(number, known) for known in distinct_own):
            distinct_own.append(number)
    if any(r.sender == ME for r in chosen.records):
        builder.participant(ME, "Me", distinct_own[0] if len(distinct_own) == 1 else None)
    for member in sorted(chosen.members):
        contact = contacts.by_id[member]
        builder.participant(contact.id, contact.name or contact.address, contact.address)
    for record in sorted(chosen.records, key=lambda r: (r.timestamp, r.index)):
        if record.sender is not None and record.sender != ME and record.sender not in chosen.members:
            contact = contacts.by_id[record.sender]
            builder.participant(contact.id, contact.name or contact.address, contact.address)
        builder.add(
            record.timestamp,
            record.sender,
            record.text,
            record.attachments,
            source_line=record.line or None,
            source_record=record.index,
        )

    if len(chosen.members) == 1:
        (member,) = chosen.members
        groups = [c for c in chats.values() if len(c.members) > 1 and member in c.members]
        if groups:
            count = sum(len(g.records) for g in groups)
            name = contacts.by_id[member].name or contacts.by_id[member].address
            choices = " or ".join(f"--chat '{g.title(contacts)}'" for g in groups[:5])
            builder.warn(
                f"{count} group message{'s' if count != 1 else ''} with {name} and others "
                f"{'are' if count != 1 else 'is'} not included: group conversations are read on their own "
                f"(use {choices})"
            )
    if target.skipped:
        builder.warn(f"left out: {_skipped_summary(target.skipped)} (never delivered to the other person)")
    if target.empty_mms:
        builder.warn(
            f"{target.empty_mms} MMS message{'s' if target.empty_mms != 1 else ''} had no text or media in "
            "the backup (not downloaded to the phone?)"
        )
    if repair.replaced:
        builder.warn(
            f"{repair.replaced} character reference{'s' if repair.replaced != 1 else ''} that XML cannot hold "
            "(broken emoji) became the replacement character U+FFFD"
        )
    if target.other_elements:
        what = ", ".join(f"<{t}> x{n}" for t, n in sorted(target.other_elements.items()))
        builder.warn(f"elements that are not messages were ignored: {what}")
    found = target.index + 1
    if target.declared_count is not None and target.declared_count != found:
        builder.warn(
            f"the backup says it holds {target.declared_count} messages but {found} were found in it; "
            "it may be incomplete"
        )
    return builder.build()


def _skipped_summary(skipped: Counter[str]) -> str:
    return ", ".join(f"{n} {what}{'s' if n != 1 else ''}" for what, n in sorted(skipped.items()))


def _choose(path: Path, chats: list[_Chat], contacts: _Contacts, wanted: str | None) -> _Chat:
    if wanted is None or not wanted.strip():
        if len(chats) == 1:
            return chats[0]
        raise ImportFormatError(
            path,
            f"holds {len(chats)} conversations; choose one with --chat NAME or --chat NUMBER "
            f"(for a group: --chat 'NAME, NAME'): {_listing(chats, contacts)}",
        )
    matches = [c for c in chats if _chat_matches(c, wanted, contacts)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ImportFormatError(
            path, f"has no conversation matching --chat {wanted!r}; it holds: {_listing(chats, contacts)}"
        )
    raise ImportFormatError(
        path,
        f"--chat {wanted!r} matches {len(matches)} conversations; give the full number instead: "
        f"{_listing(matches, contacts)}",
    )


IMPORTER = SmsBackupImporter()

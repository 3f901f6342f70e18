"""Telegram Desktop JSON export ("Export chat history" / "Export Telegram data", format JSON: result.json).

Learned from: Telegram Desktop's writer (telegramdesktop/tdesktop, Telegram/SourceFiles/export/output/
export_output_json.cpp: SerializeMessage, SerializeText, writeDialogStart, writeChatsStart), mlomb/chat-analytics'
TelegramParser and its fixtures, and chat-miner's TelegramJsonParser. Our code and fixtures are our own.

The two shapes:

* one chat: ``{"name", "type", "id", "messages": [...]}``;
* the whole account: ``{"about", "personal_information", ..., "chats": {"list": [chat, ...]},
  "left_chats": {"list": [...]}}``. ``ImportOptions.chat`` (``--chat``) picks a chat by its name or its id;
  when the export holds one chat it is used, otherwise the error lists the chats to choose from.

Decisions:

* Text: ``"text"`` is a string, or a list of strings and entity objects ``{"type", "text"}`` (bold, links,
  mentions...). The pieces are joined exactly as they are, without adding spaces (chat-miner adds a space
  between pieces, which corrupts "Hello **world**!" into "Hello  world !"). ``"text"`` is used in preference
  to ``"text_entities"``: both hold the same characters, and ``"text"`` exists in every export version;
  ``"text_entities"`` is the fallback when ``"text"`` is missing.
* Time: ``"date_unixtime"`` (Unix seconds, written since 2021) gives aware UTC times. Only when no message
  has it (older exports) is ``"date"`` used, which is wall-clock time of the exporting computer (naive).
  When some messages have it and others do not, the naive ``"date"`` is used for all (every message has it)
  and a warning says so; a message with neither is an error naming the record.
* Service messages (``"type": "service"``: calls, pins, members added...) are kept with ``is_system=True``,
  the actor as sender and a short English description as text ("missed phone call", "pinned a message").
* ``"unsupported"`` records (Telegram wrote only their id) are kept as system lines at the time of the message
  before them, with a warning.
* Attachments: photo -> image, file by ``media_type`` (sticker, voice_message -> voice, video_message/video_file
  -> video, animation -> gif, audio_file -> audio, otherwise by MIME type), shared contact, location/venue,
  poll, game, invoice. Names are the exported file name; None when the file was not exported
  ("(File not included. ...)"). Stickers are named by their emoji when Telegram gives one.
* Senders: ``from_id`` ("user123", "channel5"; a bare number in old exports) is the participant id and
  ``from`` its name; a deleted account has ``"from": null`` and is named "Deleted Account" unless another
  message gives its name. Edited messages keep their final text (the only text exported); forwarded messages
  are attributed to whoever forwarded them.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from bondlens.errors import ImportFormatError
from bondlens.importers.base import ConversationBuilder, ImportOptions, Sample, source_file
from bondlens.importers.jsonio import (
    Where,
    as_dict,
    attachment_kind,
    basename,
    opt_dict,
    opt_int,
    opt_list,
    opt_str,
    read_json,
    type_name,
    unix_time,
)
from bondlens.model import Attachment, AttachmentKind, Conversation

HINT = "is this a Telegram Desktop export (result.json)?"
DELETED_ACCOUNT = "Deleted Account"
MAX_LISTED_CHATS = 25

_CHAT_TYPES = (
    "personal_chat|bot_chat|private_group|private_supergroup|public_supergroup|private_channel|"
    "public_channel|saved_messages|replies"
)
_SINGLE_CHAT_HEAD = re.compile(r'^\{\s*"(?:name|type)"\s*:')
_CHAT_TYPE = re.compile(r'"type"\s*:\s*"(?:' + _CHAT_TYPES + ')"')
_FULL_EXPORT_HEAD = re.compile(r'^\{\s*"about"\s*:')
_FULL_EXPORT_KEYS = (
    '"personal_information"',
    '"profile_pictures"',
    '"contacts"',
    '"frequent_contacts"',
    '"sessions"',
    '"chats"',
    '"left_chats"',
)
_FILE_PLACEHOLDER = re.compile(r"\((?:File|Photo) (?:not included|unavailable|exceeds)[^)]*\)\s*$")

_MEDIA_KINDS: dict[str, AttachmentKind] = {
    "sticker": "sticker",
    "voice_message": "voice",
    "video_message": "video",
    "video_file": "video",
    "animation": "gif",
    "audio_file": "audio",
}
_SIMPLE_ACTIONS = {
    "pin_message": "pinned a message",
    "delete_group_photo": "removed the group photo",
    "edit_group_photo": "changed the group photo",
    "join_group_by_link": "joined the group by invite link",
    "join_group_by_request": "joined the group",
    "clear_history": "cleared the history",
    "take_screenshot": "took a screenshot",
    "joined_telegram": "joined Telegram",
    "migrate_to_supergroup": "upgraded the group to a supergroup",
    "migrate_from_group": "upgraded the group to a supergroup",
    "edit_chat_theme": "changed the chat theme",
    "set_chat_wallpaper": "changed the chat wallpaper",
    "set_same_chat_wallpaper": "changed the chat wallpaper",
    "requested_phone_number": "asked for a phone number",
    "score_in_game": "scored in a game",
    "send_payment": "sent a payment",
    "suggest_profile_photo": "suggested a profile photo",
}


class TelegramImporter:
    name = "telegram"
    title = "Telegram Desktop JSON export (result.json)"
    example = (
        '{"name": "Robin Vale", "type": "personal_chat", "messages": [{"type": "message", '
        '"date_unixtime": "1709410445", "from": "Robin Vale", "from_id": "user4412", "text": "are you up?"}]}'
    )

    def sniff(self, sample: Sample) -> float:
        text = sample.text
        if not text:
            return 0.0
        head = text.lstrip()
        if not head.startswith("{"):
            return 0.0
        if _SINGLE_CHAT_HEAD.match(head) and '"messages"' in head and _CHAT_TYPE.search(head[:2000]):
            return 0.95
        if _FULL_EXPORT_HEAD.match(head) and any(key in head for key in _FULL_EXPORT_KEYS):
            return 0.9
        if '"messages"' in head and '"date_unixtime"' in head and ('"from_id"' in head or '"actor_id"' in head):
            return 0.9
        return 0.0

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        data = read_json(path, options, hint=HINT)
        top = Where(path, "the file")
        if not isinstance(data, dict):
            raise ImportFormatError(path, f'is JSON but {type_name(data)}, not an object with "messages"; {HINT}')
        chat, warning = _pick_chat(data, path, options.chat)
        messages = chat.get("messages")
        if not isinstance(messages, list):
            raise ImportFormatError(path, f'the chat has no "messages" list; {HINT}')
        title = _chat_label(chat, top)
        records = [as_dict(item, top.record(i), "each message") for i, item in enumerate(messages)]
        naive, time_warning = _time_mode(records, top)
        builder = ConversationBuilder(self.name, source_file(path), naive_timestamps=naive, title=title)
        for note in (warning, time_warning):
            if note:
                builder.warn(note)
        _register_participants(builder, records, top)
        unsupported = 0
        last_time: datetime | None = None
        pending: list[int] = []  # unsupported records before the first dated message
        for index, record in enumerate(records):
            where = top.record(index)
            kind = opt_str(record, "type", where) or "message"
            if kind == "unsupported" and "date" not in record and "date_unixtime" not in record:
                unsupported += 1
                if last_time is None:
                    pending.append(index)
                else:
                    builder.add(last_time, None, "(unsupported message)", is_system=True, source_record=index)
                continue
            moment = _timestamp(record, where, naive)
            if pending:  # unsupported records at the very start go at the first known time
                for early in pending:
                    builder.add(moment, None, "(unsupported message)", is_system=True, source_record=early)
                pending.clear()
            last_time = moment
            if kind == "service":
                sender = _peer_id(record, "actor_id", where) or _peer_id(record, "from_id", where)
                text = _service_text(record, where)
                builder.add(moment, sender, text, _attachments(record, where), is_system=True, source_record=index)
            else:
                sender = _peer_id(record, "from_id", where)
                if sender is None and opt_str(record, "from", where):
                    sender = _name_id(str(record["from"]))
                text = _message_text(record, where)
                builder.add(moment, sender, text, _attachments(record, where), source_record=index)
        if unsupported:
            builder.warn(
                f"{unsupported} message(s) Telegram could not export ('unsupported'); they are kept as system "
                "lines at the time of the message before them"
            )
        return builder.build()


IMPORTER = TelegramImporter()


# ------------------------------------------------------------------------------------------------- chats
def _pick_chat(data: dict[str, Any], path: Path, wanted: str | None) -> tuple[dict[str, Any], str | None]:
    """The chat to read and an optional warning. Errors list the chats when the choice is needed."""
    top = Where(path, "the file")
    if "messages" in data:
        if wanted is not None and not _chat_matches(data, wanted):
            label = _chat_label(data, top) or "this chat"
            return data, f"--chat {wanted!r} was ignored: this export holds only one chat ({label})"
        return data, None
    chats: list[dict[str, Any]] = []
    for key in ("chats", "left_chats"):
        section = opt_dict(data, key, top)
        if section is None:
            continue
        for i, chat in enumerate(opt_list(section, "list", Where(path, f'"{key}"'))):
            chats.append(as_dict(chat, Where(path, f'chat {i} of "{key}"'), "each chat"))
    if "chats" not in data and "left_chats" not in data:
        raise ImportFormatError(path, f'has no "messages" list and no "chats"; {HINT}')
    if not chats:
        raise ImportFormatError(path, "is a full Telegram export with no chats in it; export the chat again")
    if wanted is None:
        if len(chats) == 1:
            return chats[0], None
        raise ImportFormatError(
            path,
            f"is a full Telegram export with {len(chats)} chats; choose one with --chat NAME or --chat ID: "
            + _list_chats(chats, top),
        )
    matches = [chat for chat in chats if str(chat.get("id")) == wanted.strip()]
    if not matches:
        matches = [chat for chat in chats if chat.get("name") == wanted]
    if not matches:
        folded = wanted.strip().casefold()
        matches = [chat for chat in chats if isinstance(chat.get("name"), str) and chat["name"].casefold() == folded]
    if not matches:
        raise ImportFormatError(path, f"has no chat named {wanted!r}; the chats are: " + _list_chats(chats, top))
    if len(matches) > 1:
        raise ImportFormatError(
            path, f"has {len(matches)} chats named {wanted!r}; choose one by id: " + _list_chats(matches, top)
        )
    return matches[0], None


def _chat_matches(chat: dict[str, Any], wanted: str) -> bool:
    name = chat.get("name")
    return str(chat.get("id")) == wanted.strip() or (
        isinstance(name, str) and name.casefold() == wanted.strip().casefold()
    )


def _chat_label(chat: dict[str, Any], where: Where) -> str | None:
    name = opt_str(chat, "name", where)
    if name:
        return name
    kind = chat.get("type")
    if kind == "saved_messages":
        return "Saved Messages"
    if kind == "replies":
        return "Replies"
    return None


def _list_chats(chats: list[dict[str, Any]], where: Where) -> str:
    shown = [f"{_chat_label(chat, where) or '(no name)'} (id {chat.get('id')})" for chat in chats[:MAX_LISTED_CHATS]]
    more = len(chats) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


# ------------------------------------------------------------------------------------------------ fields
def _time_mode(records: list[dict[str, Any]], top: Where) -> tuple[bool, str | None]:
    """(naive?, warning): aware UTC when every dated record has date_unixtime, else the naive "date"."""
    with_unix = without_unix = 0
    for index, record in enumerate(records):
        if record.get("type") == "unsupported" and "date" not in record and "date_unixtime" not in record:
            continue
        if record.get("date_unixtime") is not None:
            with_unix += 1
        else:
            without_unix += 1
            if record.get("date") is None:
                raise top.record(index).error('has neither "date_unixtime" nor "date"')
    if without_unix == 0:
        return False, None
    if with_unix == 0:
        return True, None
    return True, (
        f'{without_unix} message(s) lack "date_unixtime", so every time is the exporting computer\'s '
        'wall-clock "date" (no time zone)'
    )


def _timestamp(record: dict[str, Any], where: Where, naive: bool) -> datetime:
    if not naive:
        seconds = opt_int(record, "date_unixtime", where)
        if seconds is None:
            raise where.error('has no "date_unixtime"')
        return unix_time(seconds, where, "date_unixtime")
    value = opt_str(record, "date", where)
    if value is None:
        raise where.error('has no "date"')
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise where.error(f'"date" is {value!r:.40}, not a date and time') from None
    if moment.tzinfo is not None:
        raise where.error(f'"date" is {value!r:.40}, with a time zone Telegram Desktop never writes')
    return moment


def _peer_id(record: dict[str, Any], key: str, where: Where) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise where.error(f'"{key}" should be an id such as "user123", not true/false')
    if isinstance(value, int):  # old exports: a bare user number
        return f"user{value}"
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise where.error(f'"{key}" should be an id such as "user123", not {type_name(value)}')


def _name_id(name: str) -> str:
    return f"name:{name}"


def _register_participants(builder: ConversationBuilder, records: list[dict[str, Any]], top: Where) -> None:
    """Every sender, in order of appearance, with the first name any message gives it."""
    names: dict[str, str | None] = {}
    for index, record in enumerate(records):
        where = top.record(index)
        for id_key, name_key in (("from_id", "from"), ("actor_id", "actor")):
            peer = _peer_id(record, id_key, where)
            name = opt_str(record, name_key, where)
            if peer is None and name and id_key == "from_id":
                peer = _name_id(name)
            if peer is None:
                continue
            if names.get(peer) is None:
                names[peer] = name or None
    for peer, name in names.items():
        builder.participant(peer, name or DELETED_ACCOUNT)


def _text_value(value: object, where: Where, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        pieces: list[str] = []
        for item in value:
            if isinstance(item, str):
                pieces.append(item)
            elif isinstance(item, dict):
                piece = item.get("text", "")
                if not isinstance(piece, str):
                    raise where.error(f'a piece of "{key}" has "text" that is {type_name(piece)}')
                pieces.append(piece)
            else:
                raise where.error(f'a piece of "{key}" is {type_name(item)}, not text')
        return "".join(pieces)
    raise where.error(f'"{key}" should be text or a list of pieces, not {type_name(value)}')


def _message_text(record: dict[str, Any], where: Where) -> str:
    if "text" in record:
        return _text_value(record["text"], where, "text")
    return _text_value(record.get("text_entities"), where, "text_entities")


def _names(record: dict[str, Any], key: str, where: Where) -> str:
    people = [item if isinstance(item, str) else DELETED_ACCOUNT for item in opt_list(record, key, where)]
    return ", ".join(people) if people else "someone"


def _service_text(record: dict[str, Any], where: Where) -> str:
    action = opt_str(record, "action", where) or ""
    title = record.get("title")
    title_text = f' "{title}"' if isinstance(title, str) and title else ""
    if action == "phone_call" or action == "group_call":
        what = "phone call" if action == "phone_call" else "group call"
        reason = record.get("discard_reason")
        seconds = opt_int(record, "duration_seconds", where) or opt_int(record, "duration", where)
        if reason == "missed":
            description = f"missed {what}"
        elif reason == "busy":
            description = f"{what} (line busy)"
        elif seconds:
            minutes, secs = divmod(seconds, 60)
            description = f"{what} ({minutes} min {secs} s)" if minutes else f"{what} ({secs} s)"
        else:
            description = what
    elif action == "invite_members":
        description = "added " + _names(record, "members", where)
    elif action == "remove_members":
        description = "removed " + _names(record, "members", where)
    elif action in ("create_group", "create_channel"):
        description = ("created the group" if action == "create_group" else "created the channel") + title_text
    elif action == "edit_group_title":
        description = "changed the group name to" + (title_text or " something new")
    elif action == "set_messages_ttl":
        period = opt_int(record, "period", where) or opt_int(record, "period_seconds", where)
        description = f"set messages to auto-delete after {period} s" if period else "turned off auto-delete"
    elif action in _SIMPLE_ACTIONS:
        description = _SIMPLE_ACTIONS[action]
    elif isinstance(record.get("information_text"), str):
        description = record["information_text"]
    elif action:
        description = action.replace("_", " ")
    else:
        description = "service message"
    extra = _message_text(record, where) if ("text" in record or "text_entities" in record) else ""
    return f"{description}: {extra}" if extra else description


def _file_name(value: str) -> str | None:
    """The exported file's name, or None for Telegram's "(File not included. ...)" placeholders."""
    if _FILE_PLACEHOLDER.search(value):
        return None
    return basename(value)


def _attachments(record: dict[str, Any], where: Where) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    photo = opt_str(record, "photo", where)
    if photo is not None:
        found.append(Attachment("image", _file_name(photo), None))
    file_path = opt_str(record, "file", where)
    media_type = opt_str(record, "media_type", where)
    if file_path is not None or media_type is not None:
        mime = opt_str(record, "mime_type", where)
        name = opt_str(record, "file_name", where) or (_file_name(file_path) if file_path else None)
        kind: AttachmentKind = _MEDIA_KINDS.get(media_type or "") or attachment_kind(name, mime)
        if kind == "sticker":
            name = opt_str(record, "sticker_emoji", where) or name
        found.append(Attachment(kind, name, mime))
    contact = opt_dict(record, "contact_information", where)
    if contact is not None:
        full = " ".join(
            part for part in (contact.get("first_name"), contact.get("last_name")) if isinstance(part, str) and part
        )
        phone = contact.get("phone_number")
        found.append(Attachment("contact", full or (phone if isinstance(phone, str) and phone else None)))
    if "location_information" in record or "place_name" in record:
        found.append(Attachment("location", opt_str(record, "place_name", where) or None))
    poll = opt_dict(record, "poll", where)
    if poll is not None:
        question = poll.get("question")
        found.append(Attachment("other", f"poll: {question}" if isinstance(question, str) and question else "poll"))
    game = opt_str(record, "game_title", where)
    if game is not None:
        found.append(Attachment("other", f"game: {game}" if game else "game"))
    if "invoice_information" in record:
        found.append(Attachment("other", "invoice"))
    return tuple(found)

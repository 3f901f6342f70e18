"""Discord channels and DMs exported as JSON by DiscordChatExporter (github.com/Tyrrrz/DiscordChatExporter).

Learned from DiscordChatExporter's writer and model (DiscordChatExporter.Core/Exporting/JsonMessageWriter.cs,
PlainTextMessageExtensions.cs GetFallbackContent, Discord/Data/Message.cs IsSystemNotification,
MessageKind.cs, Attachment.cs, ExportContext.NormalizeDate) and mlomb/chat-analytics' DiscordParser and its
samples. Our code and fixtures are our own.

Layout: ``{"guild": {id, name}, "channel": {id, type, category, name, topic}, "dateRange", "exportedAt",
"messages": [{id, type, timestamp, timestampEdited, callEndedTimestamp, isPinned, content,
author: {id, name, discriminator, nickname, isBot, ...}, attachments: [{id, url, fileName, fileSizeBytes}],
embeds, stickers: [{id, name, format, sourceUrl}], reactions, mentions, reference?, forwardedMessage?}],
"messageCount"}``.

Decisions:

* Time: ``timestamp`` is ISO 8601 with an offset (local or UTC, as the exporter was told), so times are
  aware. An export without offsets would be read as naive; a mix is an error naming the record.
* Sender: ``author.id`` is the participant id, its name is the ``nickname`` (the name shown in that server
  or DM) or else ``name``; the handle is the account name (with "#discriminator" for old accounts).
* System lines: the types DiscordChatExporter itself treats as system notifications (RecipientAdd,
  RecipientRemove, Call, ChannelNameChange, ChannelIconChange, ChannelPinnedMessage, GuildMemberJoin,
  ThreadCreated, i.e. Discord types 1-18) and any other type except Default, Reply and the command types
  (ChatInputCommand, ContextMenuCommand) are kept with ``is_system=True``, the author as sender and the
  exporter's text ("Pinned a message.", "Started a call that lasted 3 minutes.").
* Replies (type Reply) keep only their own text; the model has no reply link. Edited messages keep the
  final text (the only one exported). A forwarded message with no text of its own takes the forwarded
  text and files, so nothing is lost.
* Attachments by file extension ("voice-message.ogg", Discord's name for voice messages, -> voice);
  stickers -> sticker named by the sticker's name. Embeds (link previews, bot cards) are not attachments;
  only when a message has nothing else is one noted as an "other" attachment named by its title or URL.
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
    opt_list,
    opt_str,
    read_json,
    type_name,
)
from bondlens.model import Attachment, AttachmentKind, Conversation

HINT = "is this a DiscordChatExporter JSON export?"
_USER_TYPES = {"Default", "Reply", "ChatInputCommand", "ContextMenuCommand", "0", "19", "20", "23"}
_HEAD = re.compile(r'^\{\s*"guild"\s*:\s*\{')


class DiscordImporter:
    name = "discord"
    title = "Discord via DiscordChatExporter (JSON)"
    example = (
        '{"guild": {"name": "Direct Messages"}, "channel": {"name": "robin.vale"}, "messages": [{"type": "Default", '
        '"timestamp": "2024-03-02T21:14:05+01:00", "content": "pick up", "author": {"id": "4412", "name": "Robin"}}]}'
    )

    def sniff(self, sample: Sample) -> float:
        text = sample.text
        if not text:
            return 0.0
        head = text.lstrip()
        if _HEAD.match(head) and '"channel"' in head:
            return 0.95 if '"messages"' in head else 0.9
        if head.startswith("{") and '"guild"' in head and '"channel"' in head and '"author"' in head:
            return 0.8
        return 0.0

    def read(self, path: Path, options: ImportOptions) -> Conversation:
        data = read_json(path, options, hint=HINT)
        top = Where(path, "the file")
        if not isinstance(data, dict):
            raise ImportFormatError(path, f'is JSON but {type_name(data)}, not an object with "messages"; {HINT}')
        messages = data.get("messages")
        if not isinstance(messages, list):
            raise ImportFormatError(path, f'has no "messages" list; {HINT}')
        builder = ConversationBuilder(self.name, source_file(path), naive_timestamps=False, title=_title(data, top))
        aware: bool | None = None
        for index, item in enumerate(messages):
            where = top.record(index)
            record = as_dict(item, where, "each message")
            moment = _timestamp(record, where)
            if aware is None:
                aware = moment.tzinfo is not None
                builder.naive_timestamps = not aware
            elif aware != (moment.tzinfo is not None):
                raise where.error("mixes times with and without a time zone")
            sender = _author(builder, record, where)
            kind = _kind(record, where)
            text = opt_str(record, "content", where) or ""
            attachments = _files(record, where)
            forwarded = opt_dict(record, "forwardedMessage", where)
            if forwarded is not None and not text and not attachments:
                text = opt_str(forwarded, "content", where) or ""
                attachments = _files(forwarded, where)
            if not text and not attachments:
                attachments = _embed_note(record, where)
            builder.add(moment, sender, text, attachments, is_system=kind not in _USER_TYPES, source_record=index)
        return builder.build()


IMPORTER = DiscordImporter()


def _title(data: dict[str, Any], top: Where) -> str | None:
    guild = opt_dict(data, "guild", top) or {}
    channel = opt_dict(data, "channel", top) or {}
    guild_name = opt_str(guild, "name", top)
    channel_name = opt_str(channel, "name", top)
    if guild_name and channel_name and guild_name != "Direct Messages":
        return f"{guild_name} / {channel_name}"
    return channel_name or guild_name


def _timestamp(record: dict[str, Any], where: Where) -> datetime:
    value = opt_str(record, "timestamp", where)
    if value is None:
        raise where.error('has no "timestamp"')
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise where.error(f'"timestamp" is {value!r:.40}, not an ISO date and time') from None


def _kind(record: dict[str, Any], where: Where) -> str:
    value = record.get("type")
    if value is None:
        return "Default"
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise where.error(f'"type" should be text such as "Default", not {type_name(value)}')
    return str(value)


def _author(builder: ConversationBuilder, record: dict[str, Any], where: Where) -> str | None:
    author = opt_dict(record, "author", where)
    if author is None:
        return None
    raw_id = author.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        raise where.error('"author" has no "id"')
    account = opt_str(author, "name", where)
    nickname = opt_str(author, "nickname", where)
    discriminator = author.get("discriminator")
    handle = account
    if account and isinstance(discriminator, str) and discriminator.strip("0"):
        handle = f"{account}#{discriminator}"
    return builder.participant(str(raw_id).strip(), nickname or account, handle or None)


def _files(record: dict[str, Any], where: Where) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    for item in opt_list(record, "attachments", where):
        entry = as_dict(item, where, "each attachment")
        name = opt_str(entry, "fileName", where) or basename(opt_str(entry, "url", where) or "")
        kind: AttachmentKind = attachment_kind(name, None, "document")
        if name and name.lower().startswith("voice-message."):
            kind = "voice"
        found.append(Attachment(kind, name))
    for item in opt_list(record, "stickers", where):
        entry = as_dict(item, where, "each sticker")
        found.append(Attachment("sticker", opt_str(entry, "name", where) or None))
    return tuple(found)


def _embed_note(record: dict[str, Any], where: Where) -> tuple[Attachment, ...]:
    for item in opt_list(record, "embeds", where):
        entry = as_dict(item, where, "each embed")
        label = opt_str(entry, "title", where) or opt_str(entry, "url", where)
        return (Attachment("other", label or None),)
    return ()

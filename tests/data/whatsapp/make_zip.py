"""Build the synthetic WhatsApp .zip exports (all names invented) used by the tests and the examples.

    .venv/bin/python tests/data/whatsapp/make_zip.py      # rewrites the three archives below

- tests/data/whatsapp/ios_export.zip       iOS layout: "_chat.txt" beside the media ("00000003-PHOTO-....jpg")
- tests/data/whatsapp/android_export.zip   Android layout: "WhatsApp Chat with Mara Lindqvist.txt" beside the
                                           media, including a shared "shopping list.txt" that is NOT the chat
- examples/whatsapp_ios.zip                a couple of dozen messages, iOS (US) layout

The archives are deterministic (fixed timestamps and order), so rebuilding gives the same members;
tests/importers/test_whatsapp.py checks that the committed archives hold what this script writes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
NNBSP = "\u202f"
LRM = "\u200e"
FIXED_TIME = (2026, 3, 20, 12, 0, 0)

# Placeholder media: a few bytes each (the importer never opens media files).
JPEG = b"\xff\xd8\xff\xe0synthetic placeholder, not a real image\xff\xd9"
OPUS = b"OggSsynthetic placeholder, not real audio"
PDF = b"%PDF-1.4\n% synthetic placeholder\n%%EOF\n"

IOS_CHAT = [
    f"[12/03/2026, 21:15:02] Theo Banerjee: {LRM}Messages and calls are end-to-end encrypted. No one outside of "
    "this chat, not even WhatsApp, can read or listen to them.",
    "[12/03/2026, 21:15:07] Mara Lindqvist: Are you coming home tonight?",
    "[12/03/2026, 21:20:41] Theo Banerjee: Depends",
    "on whether you apologise",
    f"{LRM}[12/03/2026, 21:21:00] Theo Banerjee: {LRM}<attached: 00000003-PHOTO-2026-03-12-21-21-00.jpg>",
    f"{LRM}[13/03/2026, 07:58:12] Mara Lindqvist: {LRM}<attached: 00000004-AUDIO-2026-03-13-07-58-12.opus>",
    f"{LRM}[13/03/2026, 08:10:00] Theo Banerjee: Rent.pdf • 2 pages {LRM}<attached: 00000005-Rent.pdf>",
    f"{LRM}[13/03/2026, 08:11:30] Theo Banerjee: {LRM}This message was deleted.",
    "[13/03/2026, 08:12:05] Mara Lindqvist: ok",
]

ANDROID_CHAT = [
    "14/03/2026, 18:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
    "WhatsApp, can read or listen to them. Tap to learn more.",
    "14/03/2026, 18:01 - Mara Lindqvist: IMG-20260314-WA0001.jpg (file attached)",
    "the receipt",
    "14/03/2026, 18:02 - Theo Banerjee: PTT-20260314-WA0002.opus (file attached)",
    "14/03/2026, 18:03 - Mara Lindqvist: shopping list.txt (file attached)",
    "14/03/2026, 18:05 - Theo Banerjee: fine",
]

EXAMPLE_IOS_CHAT = [
    f"[3/2/26, 8:01:15{NNBSP}PM] Alex Kimura: {LRM}Messages and calls are end-to-end encrypted. No one outside of "
    "this chat, not even WhatsApp, can read or listen to them.",
    f"[3/2/26, 8:01:15{NNBSP}PM] Sam Oduya: hey, dinner was lovely tonight",
    f"[3/2/26, 8:03:40{NNBSP}PM] Alex Kimura: It was. You looked amazing",
    f"[3/2/26, 8:04:02{NNBSP}PM] Sam Oduya: ☺️",
    f"{LRM}[3/2/26, 8:05:10{NNBSP}PM] Alex Kimura: {LRM}<attached: 00000005-PHOTO-2026-03-02-20-05-10.jpg>",
    f"[3/9/26, 11:47:31{NNBSP}PM] Alex Kimura: who were you texting at dinner",
    f"[3/9/26, 11:48:05{NNBSP}PM] Sam Oduya: my sister, she's moving flat",
    f"[3/9/26, 11:48:30{NNBSP}PM] Alex Kimura: Show me",
    f"[3/9/26, 11:52:12{NNBSP}PM] Alex Kimura: Why aren't you answering",
    f"[3/9/26, 11:52:40{NNBSP}PM] Alex Kimura: ??",
    f"{LRM}[3/10/26, 12:05:00{NNBSP}AM] Sam Oduya: {LRM}Missed voice call",
    f"[3/10/26, 12:06:18{NNBSP}AM] Sam Oduya: I was in the shower",
    "I'm not hiding anything",
    f"[3/10/26, 7:30:02{NNBSP}AM] Alex Kimura: Sorry about last night",
    "I just get scared of losing you",
    f"[3/10/26, 7:31:44{NNBSP}AM] Sam Oduya: I know",
    f"{LRM}[3/10/26, 7:32:00{NNBSP}AM] Alex Kimura: {LRM}<attached: 00000016-AUDIO-2026-03-10-07-32-00.opus>",
    f"[3/14/26, 6:15:09{NNBSP}PM] Sam Oduya: Are we still going to Priya's on Saturday?",
    f"[3/14/26, 6:20:55{NNBSP}PM] Alex Kimura: You can go. I'm not in the mood for your friends",
    f"{LRM}[3/14/26, 6:21:30{NNBSP}PM] Alex Kimura: {LRM}This message was deleted.",
    f"[3/14/26, 6:22:01{NNBSP}PM] Sam Oduya: ok, I'll stay home then",
    f"[3/15/26, 9:00:00{NNBSP}AM] Alex Kimura: Thank you ❤️ <This message was edited>",
    f"{LRM}[3/15/26, 9:02:11{NNBSP}AM] Sam Oduya: {LRM}<attached: 00000023-PHOTO-2026-03-15-09-02-11.jpg>",
    f"[3/15/26, 9:02:40{NNBSP}AM] Alex Kimura: 😍",
]


def chat_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A deterministic zip archive (fixed timestamps, given order), deflated like WhatsApp's own."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def ios_fixture() -> list[tuple[str, bytes]]:
    return [
        ("_chat.txt", chat_bytes(IOS_CHAT)),
        ("00000003-PHOTO-2026-03-12-21-21-00.jpg", JPEG),
        ("00000004-AUDIO-2026-03-13-07-58-12.opus", OPUS),
        ("00000005-Rent.pdf", PDF),
    ]


def android_fixture() -> list[tuple[str, bytes]]:
    return [
        ("IMG-20260314-WA0001.jpg", JPEG),
        ("PTT-20260314-WA0002.opus", OPUS),
        ("shopping list.txt", b"milk\nbread\n"),
        ("WhatsApp Chat with Mara Lindqvist.txt", chat_bytes(ANDROID_CHAT)),
    ]


def ios_example() -> list[tuple[str, bytes]]:
    return [
        ("_chat.txt", chat_bytes(EXAMPLE_IOS_CHAT)),
        ("00000005-PHOTO-2026-03-02-20-05-10.jpg", JPEG),
        ("00000016-AUDIO-2026-03-10-07-32-00.opus", OPUS),
        ("00000023-PHOTO-2026-03-15-09-02-11.jpg", JPEG),
    ]


TARGETS: dict[Path, list[tuple[str, bytes]]] = {
    HERE / "ios_export.zip": ios_fixture(),
    HERE / "android_export.zip": android_fixture(),
    ROOT / "examples" / "whatsapp_ios.zip": ios_example(),
}


def main() -> None:
    for target, members in TARGETS.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(build_zip(members))
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

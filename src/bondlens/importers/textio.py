"""Reading text exports: encodings, line numbers, progress and clear errors, streamed in bounded chunks."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Generator, Iterator
from typing import BinaryIO

from bondlens.errors import ImportFormatError

CHUNK_BYTES = 4 * 1024 * 1024  # read this much at a time: memory stays flat however large the file is

ProgressCallback = Callable[[int, int], None]


def detect_bom(head: bytes) -> str:
    """The codec a byte-order mark announces, or "utf-8" when there is none."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def decode_head(head: bytes) -> str | None:
    """The start of a file as text for sniffing, or None when it looks binary (NUL bytes in UTF-8 text)."""
    encoding = detect_bom(head)
    if encoding == "utf-8" and b"\x00" in head:
        return None
    text = head.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff")


def iter_text_lines(
    stream: BinaryIO,
    name: str,
    *,
    total: int = 0,
    progress: ProgressCallback | None = None,
) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, line)`` (1-based, without the line ending) from a binary stream.

    UTF-8 (with or without BOM) and UTF-16 with BOM are accepted. Invalid UTF-8 and NUL bytes raise
    :class:`ImportFormatError` naming ``name`` and the line. Lines are split on "\\n" only, so Unicode line
    separators inside a message stay in the message.
    """
    first = stream.read(CHUNK_BYTES)
    encoding = detect_bom(first)
    if encoding == "utf-16":
        yield from _iter_utf16(first, stream, name, total, progress)
        return
    if encoding == "utf-8-sig":
        first = first[len(codecs.BOM_UTF8) :]
    line_no = 0
    done = 0
    carry = b""
    chunk = first
    while chunk:
        done += len(chunk)
        data = carry + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            carry = data
        else:
            carry = data[cut + 1 :]
            line_no = yield from _decode_block(data[: cut + 1], name, line_no)
        if progress is not None:
            progress(done, total)
        chunk = stream.read(CHUNK_BYTES)
    if carry:
        yield from _decode_block(carry, name, line_no)


def _decode_block(block: bytes, name: str, line_no: int) -> Generator[tuple[int, str], None, int]:
    if b"\x00" in block:
        bad_line = line_no + block.count(b"\n", 0, block.index(b"\x00")) + 1
        raise ImportFormatError(name, "contains binary data (a NUL byte), so it is not a text chat export", bad_line)
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = line_no + block.count(b"\n", 0, exc.start) + 1
        raise ImportFormatError(
            name,
            f"is not UTF-8 text (byte 0x{block[exc.start]:02X}); export the chat again or save it as UTF-8",
            bad_line,
        ) from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        line_no += 1
        yield line_no, line.removesuffix("\r")
    return line_no


def _iter_utf16(
    first: bytes, stream: BinaryIO, name: str, total: int, progress: ProgressCallback | None
) -> Iterator[tuple[int, str]]:
    decoder = codecs.getincrementaldecoder("utf-16")()
    line_no = 0
    done = 0
    carry = ""
    chunk = first
    while True:
        done += len(chunk)
        try:
            text = carry + decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise ImportFormatError(name, "is not valid UTF-16 text", line_no + carry.count("\n") + 1) from None
        lines = text.split("\n")
        carry = lines.pop()
        for line in lines:
            line_no += 1
            if "\x00" in line:
                raise ImportFormatError(name, "contains binary data (a NUL character)", line_no)
            yield line_no, line.removesuffix("\r").removeprefix("\ufeff")
        if progress is not None:
            progress(done, total)
        if not chunk:
            break
        chunk = stream.read(CHUNK_BYTES)
    if carry:
        yield line_no + 1, carry.removesuffix("\r")

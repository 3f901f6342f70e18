from __future__ import annotations

import codecs
import io

import pytest

from bondlens.errors import ImportFormatError
from bondlens.importers.textio import CHUNK_BYTES, decode_head, iter_text_lines


def lines(data: bytes) -> list[tuple[int, str]]:
    return list(iter_text_lines(io.BytesIO(data), "chat.txt"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a\nb\r\nc", [(1, "a"), (2, "b"), (3, "c")]),
        (codecs.BOM_UTF8 + "héllo\n".encode(), [(1, "héllo")]),
        ("héllo\nwörld\n".encode("utf-16"), [(1, "héllo"), (2, "wörld")]),
        ("a\u2028still a\n".encode(), [(1, "a\u2028still a")]),  # Unicode line separators stay in the text
        (b"\n\n", [(1, ""), (2, "")]),
    ],
)
def test_lines_keep_numbers_and_text(data: bytes, expected: list[tuple[int, str]]) -> None:
    assert lines(data) == expected


def test_invalid_utf8_names_file_and_line() -> None:
    with pytest.raises(ImportFormatError) as err:
        lines(b"one\ntwo\nthr\xe9e\n")
    assert err.value.line == 3
    assert str(err.value).startswith("chat.txt:3: is not UTF-8 text")


def test_nul_byte_is_binary_error_with_line() -> None:
    with pytest.raises(ImportFormatError, match=r"chat.txt:2: contains binary data"):
        lines(b"one\nt\x00wo\n")


def test_lines_across_chunk_boundaries_are_whole() -> None:
    line = "é" * 1000  # two bytes each, so chunk edges fall inside characters
    count = (2 * CHUNK_BYTES) // (len(line.encode()) + 1) + 10
    data = ("\n".join([line] * count) + "\n").encode()
    out = lines(data)
    assert len(out) == count
    assert all(text == line for _, text in out)
    assert out[-1][0] == count


def test_progress_reports_bytes() -> None:
    seen: list[tuple[int, int]] = []
    data = b"x\n" * (CHUNK_BYTES // 2 + 10)
    list(iter_text_lines(io.BytesIO(data), "chat.txt", total=len(data), progress=lambda d, t: seen.append((d, t))))
    assert seen[-1] == (len(data), len(data))
    assert len(seen) >= 2


def test_decode_head_flags_binary() -> None:
    assert decode_head(b"\x89PNG\r\n\x1a\n\x00\x00") is None
    assert decode_head(codecs.BOM_UTF8 + b"hi") == "hi"

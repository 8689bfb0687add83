"""Ingest of gzipped, UTF-16 and streamed inputs: every readable row comes through, every bad one is a reason."""

import codecs
import gzip
import json
import tracemalloc
import zlib

import pytest

from dashboard import ingest
from dashboard.ingest import Article, read_inputs

ROWS = "date,title,text\n2025-03-01,One,Body one.\n2025-03-02,Two,Body two.\n"
TEXT = "date 2025-09-12 Talks on pause\n\nPeskov said the channels are open."
TRUNCATED = "truncated gzip: the compressed data ends before the archive does"
REST_NOT_READ = "; the rest of the file was not read"
BINARY = "binary file (contains NUL bytes), not text"


def _write(folder, name, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


def _summary(items):
    """(file name, line, title) for an article and (file name, where, reason) for a reject, in reading order."""
    return [
        (i.file.rsplit("/", 1)[-1], i.line, i.title)
        if isinstance(i, Article)
        else (i.file.rsplit("/", 1)[-1], i.where, i.reason)
        for i in items
    ]


def _gzip_broken_after(readable: str, lost: str) -> bytes:
    """A gzip whose `readable` part decompresses in full and whose `lost` part is cut off halfway."""
    compressor = zlib.compressobj(wbits=31)  # 31: gzip framing
    # A sync flush makes everything before it decodable on its own, so the break falls inside `lost`.
    head = compressor.compress(readable.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
    tail = compressor.compress(lost.encode()) + compressor.flush()
    return head + tail[: len(tail) // 2]


def test_gzipped_files_are_read_by_their_inner_suffix(tmp_path):
    _write(tmp_path, "a.txt.gz", gzip.compress(TEXT.encode()))
    _write(tmp_path, "b.csv.gz", gzip.compress(ROWS.encode()))
    _write(tmp_path, "c.jsonl.gz", gzip.compress(b'{"date": "2025-04-01", "title": "J", "text": "B"}\n'))
    _write(tmp_path, "d.NDJSON.GZ", gzip.compress(b'{"date": "2025-04-02", "title": "N", "text": "B"}\n'))
    assert _summary(read_inputs([tmp_path])) == [
        ("a.txt.gz", 1, "Talks on pause"),
        ("b.csv.gz", 2, "One"),
        ("b.csv.gz", 3, "Two"),
        ("c.jsonl.gz", 1, "J"),
        ("d.NDJSON.GZ", 1, "N"),
    ]


def test_truncated_gzip_keeps_the_rows_before_the_break_and_says_where(tmp_path):
    long_row = "2025-03-03,Three," + " ".join(f"word{i}" for i in range(400)) + "\n"
    _write(tmp_path, "cut.csv.gz", _gzip_broken_after(ROWS, long_row))
    line = json.dumps({"date": "2025-04-01", "title": "J", "text": "B"}) + "\n"
    _write(tmp_path, "cut.jsonl.gz", _gzip_broken_after(line, line.replace("J", "K" * 2000)))
    assert _summary(read_inputs([tmp_path])) == [
        ("cut.csv.gz", 2, "One"),
        ("cut.csv.gz", 3, "Two"),
        ("cut.csv.gz", "row 4", TRUNCATED + REST_NOT_READ),
        ("cut.jsonl.gz", 1, "J"),
        ("cut.jsonl.gz", "line 2", TRUNCATED + REST_NOT_READ),
    ]


def test_damaged_gzip_is_rejected_naming_the_file(tmp_path):
    whole = gzip.compress(ROWS.encode())
    # The last 8 bytes are the CRC-32 and length of the content: flipping a CRC bit damages the archive.
    _write(tmp_path, "crc.csv.gz", whole[:-8] + bytes([whole[-8] ^ 1]) + whole[-7:])
    _write(tmp_path, "plain.csv.gz", ROWS.encode())
    _write(tmp_path, "cut.txt.gz", gzip.compress(TEXT.encode())[:-5])
    summary = _summary(read_inputs([tmp_path]))
    assert summary[:2] == [("crc.csv.gz", 2, "One"), ("crc.csv.gz", 3, "Two")]
    assert summary[2][:2] == ("crc.csv.gz", "row 4")
    assert summary[2][2].startswith("corrupt gzip: CRC check failed") and summary[2][2].endswith(REST_NOT_READ)
    assert summary[3:] == [
        ("cut.txt.gz", "line 1", TRUNCATED),
        ("plain.csv.gz", "file", "corrupt gzip: Not a gzipped file (b'da')"),
    ]


def test_gzip_of_an_unsupported_type_is_rejected_like_an_unsupported_file(tmp_path):
    _write(tmp_path, "report.pdf.gz", gzip.compress(b"%PDF-1.7"))
    _write(tmp_path, "bundle.gz", gzip.compress(ROWS.encode()))
    expected = "expected .txt, .csv, .jsonl or .ndjson, optionally gzipped (.gz)"
    assert _summary(read_inputs([tmp_path])) == [
        ("bundle.gz", "file", f"unsupported file type .gz: {expected}"),
        ("report.pdf.gz", "file", f"unsupported file type .pdf.gz: {expected}"),
    ]


def test_gzip_bomb_is_not_inflated_past_the_text_limit(tmp_path):
    compressor = zlib.compressobj(9, wbits=31)
    megabyte = b"x" * (1 << 20)
    parts = [compressor.compress(b"date 2025-01-01 Bomb\n\n")] + [compressor.compress(megabyte) for _ in range(64)]
    _write(tmp_path, "bomb.txt.gz", b"".join(parts) + compressor.flush())
    tracemalloc.start()
    try:
        summary = _summary(read_inputs([tmp_path]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary == [("bomb.txt.gz", "line 1", "decompressed content is over the 5,242,880-byte limit")]
    # Inflating the 64 MiB whole would need at least that much; reading limit + 1 bytes needs a few MiB.
    assert peak < 32 * (1 << 20), peak


@pytest.mark.parametrize("bom, codec", [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_with_a_byte_order_mark_is_read(tmp_path, bom, codec):
    # UTF-16 as Windows tools write it: a byte-order mark and CRLF line ends.
    rows = 'date,title,text\r\n2025-03-01,Café,"\u201cYes\u201d, he said."\r\n'
    _write(tmp_path, "excel.csv", bom + rows.encode(codec))
    _write(tmp_path, "story.txt", bom + TEXT.encode(codec))
    _write(
        tmp_path,
        "wire.jsonl.gz",
        gzip.compress(bom + '{"date": "2025-04-01", "title": "Zürich", "text": "B"}'.encode(codec)),
    )
    # An odd trailing byte is half a UTF-16 unit: the rows before it stand.
    _write(tmp_path, "x_odd.csv", bom + ROWS.encode(codec) + b"\x00")
    articles = [i for i in read_inputs([tmp_path]) if isinstance(i, Article)]
    assert [(a.title, a.text) for a in articles[:3]] == [
        ("Café", "\u201cYes\u201d, he said."),
        ("Talks on pause", "Peskov said the channels are open."),
        ("Zürich", "B"),
    ]
    assert _summary(read_inputs([tmp_path / "x_odd.csv"])) == [
        ("x_odd.csv", 2, "One"),
        ("x_odd.csv", 3, "Two"),
        ("x_odd.csv", "row 4", f"undecodable bytes: not valid {codec} (truncated data){REST_NOT_READ}"),
    ]


def test_nul_bytes_without_a_utf16_mark_are_binary(tmp_path):
    _write(tmp_path, "a.csv", ROWS.encode("utf-16-le"))  # UTF-16 without its mark cannot be told from binary
    _write(tmp_path, "b.txt", TEXT.encode("utf-16-be"))
    _write(tmp_path, "c.jsonl.gz", gzip.compress(b'{"date": "2025-04-01"}\x00\x00\n'))
    _write(tmp_path, "d.csv", codecs.BOM_UTF32_LE + ROWS.encode("utf-32-le"))
    assert _summary(read_inputs([tmp_path])) == [
        ("a.csv", "file", BINARY),
        ("b.txt", "line 1", BINARY),
        ("c.jsonl.gz", "file", BINARY),
        ("d.csv", "file", "UTF-32 text is not supported: save the file as UTF-8 or UTF-16"),
    ]


def test_utf8_mark_and_windows_1252_are_still_read(tmp_path):
    _write(tmp_path, "a.csv", codecs.BOM_UTF8 + "date,title,text\n2025-03-01,Café,Body\n".encode())
    _write(tmp_path, "b.csv", b"date,title,text\n2025-03-01,Caf\xe9,\x93Yes\x94\n")
    _write(tmp_path, "c.txt.gz", gzip.compress(b"date 2025-01-02 Caf\xe9\n\nBody"))
    assert [(a.title, a.text) for a in read_inputs([tmp_path])] == [
        ("Café", "Body"),
        ("Café", "\u201cYes\u201d"),
        ("Café", "Body"),
    ]


def test_text_file_with_a_byte_order_mark_does_not_fall_back_to_windows_1252(tmp_path):
    _write(tmp_path, "a.txt", codecs.BOM_UTF8 + b"date 2025-01-02 Caf\xe9\n\nBody")
    _write(tmp_path, "b.txt", codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone UTF-16 surrogate
    assert _summary(read_inputs([tmp_path])) == [
        ("a.txt", "line 1", "undecodable bytes: not valid UTF-8 despite its byte-order mark"),
        ("b.txt", "line 1", "undecodable bytes: not valid UTF-16 despite its byte-order mark"),
    ]


def test_windows_1252_byte_after_ascii_rows_reads_the_file_as_windows_1252(tmp_path):
    ascii_rows = "".join(f"2025-03-01,Plain {i},Body\n" for i in range(3))
    # 0x81 is one of the five bytes Windows-1252 leaves undefined: only that row is lost.
    tail = b"2025-03-02,Caf\xe9,Body\n2025-03-03,B\x81d,Body\n2025-03-04,\x93Quoted\x94,Body\n"
    _write(tmp_path, "legacy.csv", b"date,title,text\n" + ascii_rows.encode() + tail)
    assert _summary(read_inputs([tmp_path])) == [
        ("legacy.csv", 2, "Plain 0"),
        ("legacy.csv", 3, "Plain 1"),
        ("legacy.csv", 4, "Plain 2"),
        ("legacy.csv", 5, "Café"),
        ("legacy.csv", "row 6", "undecodable bytes: neither UTF-8 nor Windows-1252"),
        ("legacy.csv", 7, "\u201cQuoted\u201d"),
    ]


def test_stray_byte_in_a_utf8_file_rejects_only_its_row(tmp_path):
    rows = b"date,title,text\n2025-03-01,Caf\xc3\xa9,Body\n2025-03-02,Caf\xe9,Body\n2025-03-03,Na\xc3\xafve,Body\n"
    _write(tmp_path, "mixed.csv", rows)
    lines = b'{"date": "2025-04-01", "title": "\xc3\xa9t\xc3\xa9", "text": "B"}\n{"date": "2025-04-02", "title": "\xe9", "text": "B"}\n'
    _write(tmp_path, "mixed.jsonl", lines)
    _write(tmp_path, "marked.csv", codecs.BOM_UTF8 + b"date,title,text\n2025-03-01,Caf\xe9,Body\n")
    stray = "undecodable bytes: not UTF-8, though the file reads as UTF-8 before this row (fix the row, or save the file as UTF-8)"
    assert _summary(read_inputs([tmp_path])) == [
        ("marked.csv", "row 2", stray),
        ("mixed.csv", 2, "Café"),
        ("mixed.csv", "row 3", stray),
        ("mixed.csv", 4, "Naïve"),
        ("mixed.jsonl", 1, "été"),
        ("mixed.jsonl", "line 2", stray),
    ]


def test_long_field_is_read_and_an_endless_row_stops_its_file(tmp_path):
    # Above csv's default field limit (131,072 characters), which used to crash the whole run.
    _write(tmp_path, "a_long.csv", f"date,title,text\n2025-03-01,Long,{'x' * 200_000}\n".encode())
    unclosed = f'{ROWS}2025-03-03,Open,"never closed {"y" * ingest.MAX_ROW_CHARS}\n2025-03-04,Lost,Body\n'
    _write(tmp_path, "b_open.csv", unclosed.encode())
    _write(tmp_path, "c_flat.jsonl", b"{" + b" " * ingest.MAX_ROW_CHARS + b"}")
    too_long = "longer than 8,000,000 characters (an unclosed quote, or no line breaks?)"
    assert _summary(read_inputs([tmp_path])) == [
        ("a_long.csv", 2, "Long"),
        ("b_open.csv", 2, "One"),
        ("b_open.csv", 3, "Two"),
        ("b_open.csv", "row 4", too_long + REST_NOT_READ),
        ("c_flat.jsonl", "file", too_long),
    ]


def test_jsonl_lines_end_only_at_line_breaks(tmp_path):
    # U+2028 is legal inside a JSON string; splitting lines there broke the object in two.
    row = {"date": "2025-04-01", "title": "Line\u2028separator", "text": "Para\u2029graph"}
    _write(tmp_path, "a.jsonl", (json.dumps(row, ensure_ascii=False) + "\r\n\r\n").encode())
    assert [(a.title, a.text, a.line) for a in read_inputs([tmp_path])] == [("Line separator", "Para\u2029graph", 1)]


def test_table_file_is_streamed_not_read_whole(tmp_path):
    body = "word " * 500
    rows = "".join(f"2025-01-01,Title {i},{body}{i}\n" for i in range(4000))
    path = _write(tmp_path, "big.csv", f"date,title,text\n{rows}".encode())
    size = path.stat().st_size
    tracemalloc.start()
    try:
        # Count without keeping the articles, as a consumer that writes them out would.
        count = sum(isinstance(item, Article) for item in read_inputs([path]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (count, size) == (4000, 10_105_796)
    # One row is 2.5 kB; reading the file whole would take at least its 10 MB.
    assert peak < size // 20, peak

"""Read article files (seed-format .txt, CSV, JSONL, each optionally gzipped) into Article records.

Every input ends up as exactly one of: an `Article`, or a `Reject` naming the file, the line or row,
and why. Nothing is dropped silently.

Reading is lazy. `read_inputs` yields as it reads, and a CSV or JSONL file (possibly gigabytes) is
streamed one row at a time, so memory holds the current row of one file, never a whole table. A
.txt file is one article and is read whole, up to 5 MiB (counted after decompression, so a gzip
bomb is never inflated past the limit).

Encodings. A byte-order mark decides: UTF-8, UTF-16 LE or BE (as Windows tools write "Unicode").
Without one, NUL bytes in the first 8 KiB mean a binary file; otherwise the text is UTF-8, or
Windows-1252 (the usual encoding of legacy newsroom exports) when it is not valid UTF-8. A .txt
file is decoded whole, so that rule applies as stated. A streamed table cannot be decoded whole
before its first row is used, so it is read as UTF-8 and the choice is made at the first row that
holds bytes which are not UTF-8:
- if all the text before that row was ASCII, the file is taken as Windows-1252 from its start, and
  reading goes on. ASCII reads the same in both, so the rows already yielded stand, and the result
  is what decoding the whole file would have given;
- otherwise the file has already shown real UTF-8 text (or has a UTF-8 byte-order mark), and
  reading its other rows as Windows-1252 would garble them. That row alone is rejected
  ("undecodable bytes: not UTF-8 ..."), and reading goes on.
Why this rule, rather than sniffing a first window or giving up on the rest of the file: it needs no
read-ahead; a legacy export whose first accented letter lies deep in the file is still read whole;
and one stray byte in a large UTF-8 file costs one named row that the user can fix, not the rest.

A table stream that cannot be read further ends its file with a Reject at the row where it broke:
a truncated or corrupt gzip, invalid UTF-16, or a row over MAX_ROW_CHARS (an unclosed quote, no
line breaks). The rows read before the break stay articles.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

# Inner suffix -> format; `x.csv.gz` is a gzipped CSV.
SUFFIX_KINDS = {".txt": "text", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
GZIP_SUFFIX = ".gz"
REQUIRED_COLUMNS = ("date", "title", "text")
OPTIONAL_COLUMNS = ("url", "source", "author")
MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024
# spaCy's own default limit: longer bodies would need a parser configured for them.
MAX_BODY_CHARS = 1_000_000
# One CSV row or JSON line can hold a body at the body limit even when JSON escapes each of its
# characters (\uXXXX). A longer row means a broken file, and the bound keeps it out of memory.
MAX_ROW_CHARS = 8 * MAX_BODY_CHARS
# The binary test has always looked this far: NUL bytes there mean the file is not text.
SNIFF_BYTES = 8192
_UNDECODABLE = "undecodable bytes: neither UTF-8 nor Windows-1252"
# What reading a gzip raises: EOFError when the archive is truncated, the others when it is damaged.
_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)
# The "surrogateescape" error handler keeps each byte that is not UTF-8 as one of these code points.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")

_HEADER = re.compile(r"^date[ \t]+(\S+)[ \t]*(.*)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")


@dataclass(frozen=True)
class Article:
    """One input article, validated; `text` is the body without the header line."""

    article_id: str
    file: str
    line: int
    date: dt.date
    title: str
    text: str
    source: str | None = None
    url: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class Reject:
    """An input that could not be stored, and why."""

    file: str
    where: str
    reason: str


@dataclass(frozen=True)
class Outlets:
    """Which outlet names the articles of which input: `--source NAME` and `--source NAME=PATH`.

    A file takes the name given for the deepest PATH holding it (or being it), else `default`.
    The name is kept exactly as given (only surrounding spaces go); a CSV/JSONL `source` column
    still wins over it for its rows.
    """

    default: str | None = None
    paths: tuple[tuple[Path, str], ...] = ()

    @classmethod
    def parse(cls, values: Iterable[str]) -> Outlets:
        """Read `--source` values: one plain `NAME` (the default) and any number of `NAME=PATH`.

        The first `=` splits, so a name cannot hold one in this form (paths may). Raises
        ValueError for an empty name or path, two defaults, or one PATH given two names.
        """
        default, paths = None, {}
        for value in values:
            name, sep, path = value.partition("=")
            name = name.strip()
            if not name or (sep and not path.strip()):
                raise ValueError(f"--source {value!r}: expected NAME or NAME=PATH")
            if not sep:
                if default is not None and default != name:
                    raise ValueError(f"--source names two default outlets: {default!r} and {name!r}")
                default = name
                continue
            key = Path(path).expanduser().resolve()
            if paths.get(key, name) != name:
                raise ValueError(f"--source gives {path} two outlets: {paths[key]!r} and {name!r}")
            paths[key] = name
        return cls(default, tuple(paths.items()))

    def of(self, path: Path) -> str | None:
        """The outlet of the articles in file `path`."""
        resolved = path.resolve()
        best: tuple[int, str] | None = None
        for root, name in self.paths:
            if (resolved == root or root in resolved.parents) and (best is None or len(root.parts) > best[0]):
                best = (len(root.parts), name)
        return best[1] if best else self.default

    def inputs(self, given: Iterable[str | Path]) -> list[str | Path]:
        """The inputs to read: `given`, then each named PATH that no given input already holds."""
        out = list(given)
        held = [Path(i).expanduser().resolve() for i in out]
        for root, _ in self.paths:
            if not any(root == h or h in root.parents for h in held):
                out.append(root)
                held.append(root)
        return out

    def describe(self) -> dict:
        """The outlets for the manifest: the default and each PATH's name."""
        return {"default": self.default, "paths": {str(root): name for root, name in self.paths}}


def outlets_of(source: str | Outlets | None) -> Outlets:
    """`source` as Outlets: a plain name is the default for every input."""
    return source if isinstance(source, Outlets) else Outlets(default=source)


class BadInput(ValueError):
    """An article-level validation failure; its message is the reject reason."""


def article_id(date: dt.date, title: str, text: str) -> str:
    """Stable id derived from content, so the same article gets the same id in every run."""
    digest = hashlib.sha1(f"{date.isoformat()}\x1f{title}\x1f{text}".encode())
    return digest.hexdigest()[:16]


def parse_date(value: str) -> dt.date:
    """Parse `YYYY-MM-DD` (optionally followed by a time); raise BadInput naming the problem."""
    value = (value or "").strip()
    match = _ISO_DATE.match(value)
    if not match:
        raise BadInput(f"date {value!r} is not in YYYY-MM-DD form" if value else "missing date")
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadInput(f"impossible date {value[:10]!r}") from None


def _codec(head: bytes) -> str:
    """The codec that a file's first bytes call for: its byte-order mark's, else plain "utf-8".

    Raise BadInput for a binary file (NUL bytes and no UTF-16 mark) and for UTF-32.
    """
    # UTF-32's little-endian mark starts with UTF-16's, so it is tested first.
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise BadInput("UTF-32 text is not supported: save the file as UTF-8 or UTF-16")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # this codec reads the mark to learn the byte order, and drops it
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head[:SNIFF_BYTES]:
        raise BadInput("binary file (contains NUL bytes), not text")
    return "utf-8"


def decode(data: bytes) -> tuple[str, str]:
    """Decode a whole file's bytes by the module's encoding rule; return (text, encoding used)."""
    codec = _codec(data)
    # Only a file without a byte-order mark may fall back to Windows-1252: a mark is a statement.
    for encoding in ("utf-8", "cp1252") if codec == "utf-8" else (codec,):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    if codec == "utf-8":
        raise BadInput(_UNDECODABLE)
    raise BadInput(f"undecodable bytes: not valid {codec.upper().removesuffix('-SIG')} despite its byte-order mark")


def _clean_body(text: str) -> str:
    """Normalise line endings and trim; paragraphs stay separated by blank lines."""
    body = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise BadInput("empty body")
    if len(body) > MAX_BODY_CHARS:
        raise BadInput(f"body longer than {MAX_BODY_CHARS:,} characters")
    return body


def _make_article(file: str, line: int, date: str, title: str, text: str, **extra: str | None) -> Article:
    day = parse_date(date)
    title = " ".join((title or "").split())
    body = _clean_body(text or "")
    fields = {k: (v.strip() or None) if isinstance(v, str) else None for k, v in extra.items()}
    return Article(article_id(day, title, body), file, line, day, title, body, **fields)


def parse_text_article(text: str, file: str, source: str | None = None) -> Article:
    """Parse the seed format: `date YYYY-MM-DD headline`, a blank line, then the body."""
    text = text.lstrip("\ufeff")
    head, _, rest = text.lstrip().partition("\n")
    match = _HEADER.match(head.strip())
    if not match:
        raise BadInput("first line is not 'date YYYY-MM-DD headline'")
    return _make_article(file, 1, match.group(1), match.group(2), rest, source=source)


def _format(path: Path) -> tuple[str | None, bool, str]:
    """A file's format ("text", "csv", "jsonl" or None), whether it is gzipped, and its type for a reject."""
    name = path.name.lower()
    compressed = name.endswith(GZIP_SUFFIX)
    suffix = Path(name.removesuffix(GZIP_SUFFIX)).suffix if compressed else Path(name).suffix
    label = (suffix + GZIP_SUFFIX if compressed else suffix) or "(none)"
    return SUFFIX_KINDS.get(suffix), compressed, label


def _open(path: Path, compressed: bool) -> IO[bytes]:
    return gzip.open(path, "rb") if compressed else path.open("rb")


def _gzip_problem(err: Exception) -> str:
    if isinstance(err, EOFError):
        return "truncated gzip: the compressed data ends before the archive does"
    return f"corrupt gzip: {err}"


def _read_text(path: Path, compressed: bool) -> str:
    """A .txt file's decoded text; BadInput when it is over the size limit, a broken gzip, binary or undecodable."""
    limit = MAX_TEXT_FILE_BYTES
    if not compressed:
        size = path.stat().st_size
        if size > limit:
            raise BadInput(f"file is {size:,} bytes, over the {limit:,}-byte limit")
        return decode(path.read_bytes())[0]
    with gzip.open(path, "rb") as stream:
        try:
            # One byte past the limit tells that it is over, so a gzip bomb is never inflated further.
            data = stream.read(limit + 1)
        except _GZIP_ERRORS as err:
            raise BadInput(_gzip_problem(err)) from None
    if len(data) > limit:
        raise BadInput(f"decompressed content is over the {limit:,}-byte limit")
    return decode(data)[0]


def _read_text_file(path: Path, display: str, source: str | None, compressed: bool) -> Iterator[Article | Reject]:
    try:
        yield parse_text_article(_read_text(path, compressed), display, source)
    except BadInput as err:
        yield Reject(display, "line 1", str(err))


class _Broken(Exception):
    """A table file cannot be read past this point; the message says why."""


class _Lines:
    """The lines of one decoded table file, as csv and the JSONL loop consume them.

    A stream that cannot be read further raises `_Broken` with the reason, and one row may not
    exceed MAX_ROW_CHARS (the reader calls `start_row` before each row), so a file with an unclosed
    quote or no line breaks is never pulled into memory whole.
    """

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self._row_chars = 0

    def __iter__(self) -> _Lines:
        return self

    def start_row(self) -> None:
        self._row_chars = 0

    def __next__(self) -> str:
        try:
            line = self._text.readline(MAX_ROW_CHARS + 1 - self._row_chars)
        except _GZIP_ERRORS as err:
            raise _Broken(_gzip_problem(err)) from None
        except UnicodeDecodeError as err:
            # Only UTF-16 is decoded strictly; for UTF-8 the bytes are escaped and judged per row.
            raise _Broken(f"undecodable bytes: not valid {err.encoding} ({err.reason})") from None
        if not line:
            raise StopIteration
        self._row_chars += len(line)
        if self._row_chars > MAX_ROW_CHARS:
            raise _Broken(f"longer than {MAX_ROW_CHARS:,} characters (an unclosed quote, or no line breaks?)")
        return line


def _as_cp1252(value: str) -> str:
    """Text that was decoded as UTF-8 with escaped bytes, decoded again from its bytes as Windows-1252."""
    if value.isascii():
        return value
    try:
        return value.encode("utf-8", "surrogateescape").decode("cp1252")
    except UnicodeDecodeError:
        raise BadInput(_UNDECODABLE) from None


class _Recoder:
    """Carries the encoding decision for one streamed table file from row to row (see the module docstring)."""

    def __init__(self, codec: str) -> None:
        # Only a file without a byte-order mark that has shown nothing but ASCII may still be Windows-1252.
        self._undecided = codec == "utf-8"
        self._cp1252 = False

    def __call__(self, values: list[str]) -> list[str]:
        """The row's cells as the file's encoding reads them; BadInput when they hold undecodable bytes."""
        if self._cp1252:
            return [_as_cp1252(v) for v in values]
        if all(v.isascii() for v in values):
            return values
        if not any(_ESCAPED_BYTE.search(v) for v in values):
            self._undecided = False  # valid UTF-8 beyond ASCII: the file is UTF-8
            return values
        if self._undecided:
            self._cp1252 = True
            return [_as_cp1252(v) for v in values]
        raise BadInput(
            "undecodable bytes: not UTF-8, though the file reads as UTF-8 before this row"
            " (fix the row, or save the file as UTF-8)"
        )


def _break_reject(display: str, unit: str, done: int, err: _Broken | csv.Error) -> Reject:
    """The reject for a stream that broke after `done` rows (or lines) of its file."""
    if not done:
        return Reject(display, "file", str(err))
    return Reject(display, f"{unit} {done + 1}", f"{err}; the rest of the file was not read")


def _row_article(row: dict, display: str, where: int) -> Article:
    missing = [c for c in REQUIRED_COLUMNS if row.get(c) is None]
    if missing:
        raise BadInput(f"missing column(s): {', '.join(missing)}")
    values = {c: row[c] if isinstance(row[c], str) else str(row[c]) for c in REQUIRED_COLUMNS}
    extra = {c: row.get(c) if isinstance(row.get(c), str) else None for c in OPTIONAL_COLUMNS}
    return _make_article(display, where, values["date"], values["title"], values["text"], **extra)


def _read_csv(lines: _Lines, display: str, recode: _Recoder) -> Iterator[Article | Reject]:
    # csv's default field limit (131,072 characters) is below the body limit and would refuse long
    # articles; `_Lines` bounds a row instead. The limit is process-wide, so it is only ever raised.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_ROW_CHARS))
    reader = csv.DictReader(lines)
    number = 0  # rows read so far; the header is row 1, as a spreadsheet shows it
    try:
        try:
            header = [h.strip().lower() for h in recode(reader.fieldnames or [])]
        except BadInput as err:
            yield Reject(display, "header", str(err))
            return
        number = 1
        absent = [c for c in REQUIRED_COLUMNS if c not in header]
        if absent:
            yield Reject(display, "header", f"CSV header lacks column(s): {', '.join(absent)}")
            return
        reader.fieldnames = header
        # Each row's length is counted from here: the header's ends now, and each loop pass ends the
        # count of the row it has just received.
        lines.start_row()
        for number, row in enumerate(reader, start=2):
            lines.start_row()
            # csv puts surplus cells under None and fills short rows with None.
            cells = {k: v for k, v in row.items() if k is not None}
            keys = [k for k, v in cells.items() if isinstance(v, str)]
            try:
                cells.update(zip(keys, recode([cells[k] for k in keys])))
                yield _row_article(cells, display, number)
            except BadInput as err:
                yield Reject(display, f"row {number}", str(err))
    except (_Broken, csv.Error) as err:
        yield _break_reject(display, "row", number, err)


def _read_jsonl(lines: _Lines, display: str, recode: _Recoder) -> Iterator[Article | Reject]:
    number = 0
    try:
        for number, raw in enumerate(lines, start=1):
            lines.start_row()
            if not raw.strip():
                continue
            try:
                [text] = recode([raw])
                try:
                    row = json.loads(text)
                except json.JSONDecodeError as err:
                    raise BadInput(f"invalid JSON: {err.msg}") from None
                if not isinstance(row, dict):
                    raise BadInput("JSON line is not an object")
                yield _row_article({str(k).lower(): v for k, v in row.items()}, display, number)
            except BadInput as err:
                yield Reject(display, f"line {number}", str(err))
    except _Broken as err:
        yield _break_reject(display, "line", number, err)


def _head(path: Path, compressed: bool) -> bytes:
    """The first SNIFF_BYTES of a file's content (decompressed), for its byte-order mark and the binary test."""
    parts: list[bytes] = []
    size = 0
    with _open(path, compressed) as stream:
        try:
            while size < SNIFF_BYTES and (chunk := stream.read1(SNIFF_BYTES - size)):
                parts.append(chunk)
                size += len(chunk)
        except _GZIP_ERRORS:
            # Not lost: the streamed read meets the same break at the same place and rejects it
            # there, after yielding the rows before it. The head read so far is still good.
            pass
    return b"".join(parts)


def _read_table_file(
    path: Path, display: str, source: str | None, kind: str, compressed: bool
) -> Iterator[Article | Reject]:
    try:
        codec = _codec(_head(path, compressed))
    except BadInput as err:
        yield Reject(display, "file", str(err))
        return
    read_rows = _read_csv if kind == "csv" else _read_jsonl
    # UTF-8 bytes that do not decode are kept as escapes, for `_Recoder` to judge row by row;
    # UTF-16 has no such escape and is decoded strictly. newline="" leaves line ends to csv.
    errors = "strict" if codec == "utf-16" else "surrogateescape"
    with _open(path, compressed) as stream, io.TextIOWrapper(stream, encoding=codec, errors=errors, newline="") as text:
        for item in read_rows(_Lines(text), display, _Recoder(codec)):
            if source and isinstance(item, Article) and not item.source:
                item = replace(item, source=source)
            yield item


def _files_under(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path


def read_inputs(inputs: Iterable[str | Path], source: str | Outlets | None = None) -> Iterator[Article | Reject]:
    """Yield an Article or a Reject for every article found under the given files and folders.

    Files come in sorted path order and rows in file order; a table file is streamed, so the first
    articles arrive before a large file has been read. `source` names the outlet for articles that
    do not name their own (the seed format has no source field; a CSV/JSONL `source` column wins):
    one name for all, or Outlets naming one per input folder or file. Folder names are not guessed
    as sources: they are usually things like "articles" or "2024".
    """
    outlets = outlets_of(source)
    for given in inputs:
        root = Path(given)
        if not root.exists():
            yield Reject(str(given), "path", "no such file or folder")
            continue
        for path in _files_under(root):
            display = str(path)
            kind, compressed, label = _format(path)
            source = outlets.of(path)
            try:
                if kind == "text":
                    yield from _read_text_file(path, display, source, compressed)
                elif kind:
                    yield from _read_table_file(path, display, source, kind, compressed)
                else:
                    yield Reject(
                        display,
                        "file",
                        f"unsupported file type {label}: expected .txt, .csv, .jsonl or .ndjson, optionally gzipped (.gz)",
                    )
            except OSError as err:
                yield Reject(display, "file", f"cannot read: {err.strerror or err}")

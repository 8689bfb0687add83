"""Read article files (seed-format .txt, CSV, JSONL) into Article records, rejecting bad input with reasons.

Every input ends up as exactly one of: an `Article`, or a `Reject` naming the file, the line or row,
and why. Nothing is dropped silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

# UTF-8 first (a byte-order mark is accepted), then Windows-1252, the usual encoding of
# legacy newsroom exports; bytes that neither decodes are rejected rather than guessed.
ENCODINGS = ("utf-8-sig", "cp1252")
TEXT_SUFFIXES = {".txt"}
CSV_SUFFIXES = {".csv"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
REQUIRED_COLUMNS = ("date", "title", "text")
OPTIONAL_COLUMNS = ("url", "source", "author")
MAX_TEXT_FILE_BYTES = 5 * 1024 * 1024
MAX_TABLE_FILE_BYTES = 4 * 1024 * 1024 * 1024
# spaCy's own default limit: longer bodies would need a parser configured for them.
MAX_BODY_CHARS = 1_000_000

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


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits; return (text, encoding used)."""
    if b"\x00" in data[:8192]:
        raise BadInput("binary file (contains NUL bytes), not text")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise BadInput(f"undecodable bytes: neither {' nor '.join(ENCODINGS)}")


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


def _read_text(path: Path, limit: int) -> str:
    """A file's decoded text; BadInput when it is over `limit` bytes, binary or undecodable."""
    size = path.stat().st_size
    if size > limit:
        raise BadInput(f"file is {size:,} bytes, over the {limit:,}-byte limit")
    return decode(path.read_bytes())[0]


def _read_text_file(path: Path, display: str, source: str | None) -> Iterator[Article | Reject]:
    try:
        yield parse_text_article(_read_text(path, MAX_TEXT_FILE_BYTES), display, source)
    except BadInput as err:
        yield Reject(display, "line 1", str(err))


def _row_article(row: dict, display: str, where: int) -> Article:
    missing = [c for c in REQUIRED_COLUMNS if row.get(c) is None]
    if missing:
        raise BadInput(f"missing column(s): {', '.join(missing)}")
    values = {c: row[c] if isinstance(row[c], str) else str(row[c]) for c in REQUIRED_COLUMNS}
    extra = {c: row.get(c) if isinstance(row.get(c), str) else None for c in OPTIONAL_COLUMNS}
    return _make_article(display, where, values["date"], values["title"], values["text"], **extra)


def _read_csv(text: str, display: str) -> Iterator[Article | Reject]:
    # The csv module refuses fields over 131,072 characters by default, which would crash the whole
    # run on one long article; let every field through, so the body rule above judges its length.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_TABLE_FILE_BYTES))
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    absent = [c for c in REQUIRED_COLUMNS if c not in header]
    if absent:
        yield Reject(display, "header", f"CSV header lacks column(s): {', '.join(absent)}")
        return
    reader.fieldnames = header
    # Row numbers count the header as row 1, as a spreadsheet shows them.
    for where, row in enumerate(reader, start=2):
        try:
            # csv puts surplus cells under None and fills short rows with None.
            yield _row_article({k: v for k, v in row.items() if k is not None}, display, where)
        except BadInput as err:
            yield Reject(display, f"row {where}", str(err))


def _read_jsonl(text: str, display: str) -> Iterator[Article | Reject]:
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as err:
                raise BadInput(f"invalid JSON: {err.msg}") from None
            if not isinstance(row, dict):
                raise BadInput("JSON line is not an object")
            yield _row_article({str(k).lower(): v for k, v in row.items()}, display, number)
        except BadInput as err:
            yield Reject(display, f"line {number}", str(err))


def _read_table_file(path: Path, display: str, source: str | None) -> Iterator[Article | Reject]:
    try:
        text = _read_text(path, MAX_TABLE_FILE_BYTES)
    except BadInput as err:
        yield Reject(display, "file", str(err))
        return
    reader = _read_csv if path.suffix.lower() in CSV_SUFFIXES else _read_jsonl
    for item in reader(text, display):
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


def read_inputs(inputs: Iterable[str | Path], source: str | None = None) -> Iterator[Article | Reject]:
    """Yield an Article or a Reject for every article found under the given files and folders.

    `source` names the outlet for articles that do not name their own (the seed format has no
    source field; a CSV/JSONL `source` column wins). Folder names are not guessed as sources:
    they are usually things like "articles" or "2024".
    """
    for given in inputs:
        root = Path(given)
        if not root.exists():
            yield Reject(str(given), "path", "no such file or folder")
            continue
        for path in _files_under(root):
            display = str(path)
            suffix = path.suffix.lower()
            try:
                if suffix in TEXT_SUFFIXES:
                    yield from _read_text_file(path, display, source)
                elif suffix in CSV_SUFFIXES | JSONL_SUFFIXES:
                    yield from _read_table_file(path, display, source)
                else:
                    yield Reject(
                        display, "file", f"unsupported file type {suffix or '(none)'}: expected .txt, .csv or .jsonl"
                    )
            except OSError as err:
                yield Reject(display, "file", f"cannot read: {err.strerror or err}")

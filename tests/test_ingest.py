"""Ingest: every kind of bad input is rejected with a reason; good articles all come through."""

import datetime as dt
import json

import pytest

from dashboard import ingest
from dashboard.ingest import Article, Reject, read_inputs
from dashboard.preprocess import collect_inputs

GOOD = "date 2025-09-12 Kremlin says talks are on pause\n\nPeskov said the channels are open.\n\nSecond paragraph."


def _write(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_seed_format_parsed(tmp_path):
    _write(tmp_path, "a.txt", GOOD)
    [article] = list(read_inputs([tmp_path]))
    assert article.date == dt.date(2025, 9, 12)
    assert article.title == "Kremlin says talks are on pause"
    assert article.text == "Peskov said the channels are open.\n\nSecond paragraph."
    assert article.line == 1 and article.source is None


def test_leading_space_bom_and_crlf_tolerated(tmp_path):
    _write(tmp_path, "a.txt", "\ufeff date 2025-09-12 Title\r\n\r\nBody text.\r\n")
    [article] = list(read_inputs([tmp_path]))
    assert (article.title, article.text) == ("Title", "Body text.")


def test_article_id_depends_on_content_only(tmp_path):
    _write(tmp_path, "one/a.txt", GOOD)
    _write(tmp_path, "two/b.txt", GOOD)
    _write(tmp_path, "three/c.txt", GOOD + " changed")
    by_file = {a.file.split("/")[-2]: a.article_id for a in read_inputs([tmp_path])}
    assert by_file["one"] == by_file["two"] != by_file["three"]


def test_cp1252_fallback_decodes(tmp_path):
    _write(tmp_path, "a.txt", b"date 2025-01-02 Caf\xe9\n\nThe caf\xe9 said \x93yes\x94.")
    [article] = list(read_inputs([tmp_path]))
    assert article.title == "Café" and "\u201cyes\u201d" in article.text


def test_every_bad_input_is_rejected_with_its_reason_and_good_ones_stored(tmp_path):
    inputs = tmp_path / "in"
    _write(inputs, "good1.txt", GOOD)
    _write(inputs, "good2.txt", GOOD.replace("pause", "hold"))
    _write(inputs, "z_dup.txt", GOOD)
    _write(inputs, "nodate.txt", "Kremlin says\n\nBody.")
    _write(inputs, "baddate.txt", "date 2025-02-30 Title\n\nBody.")
    _write(inputs, "empty.txt", "date 2025-02-03 Title\n\n   \n")
    _write(inputs, "undecodable.txt", b"date 2025-02-03 T\n\n\x81\x8d\x8f\x90\x9d bytes")
    _write(inputs, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    _write(inputs, "huge.txt", "date 2025-02-03 T\n\n" + "x" * (ingest.MAX_TEXT_FILE_BYTES + 1))
    _write(inputs, "notes.docx", b"PK\x03\x04")
    _write(
        inputs,
        "rows.csv",
        "date,title,text,url\n"
        '2025-03-01,CSV good,"He said ""hi"", then left.",http://x\n'
        "2025-03-02,Short row\n"
        "yesterday,Bad date,Body\n",
    )
    _write(inputs, "nocol.csv", "date,headline,body\n2025-03-01,A,B\n")
    _write(
        inputs,
        "rows.jsonl",
        json.dumps({"date": "2025-04-01T10:00:00Z", "title": "JSON good", "text": "Body.", "source": "Wire"})
        + "\n"
        + "{not json\n"
        + json.dumps({"date": "2025-04-02", "title": "No text"})
        + "\n"
        + "[1, 2]\n",
    )
    missing = tmp_path / "does-not-exist"

    articles, rejects, _ = collect_inputs([inputs, missing])
    assert sorted(a.title for a in articles) == [
        "CSV good",
        "JSON good",
        "Kremlin says talks are on hold",
        "Kremlin says talks are on pause",
    ]
    reasons = {(r.file.rsplit("/", 1)[-1], r.where): r.reason for r in rejects}
    expected = {
        ("z_dup.txt", "line 1"): "exact duplicate",
        ("nodate.txt", "line 1"): "first line is not",
        ("baddate.txt", "line 1"): "impossible date '2025-02-30'",
        ("empty.txt", "line 1"): "empty body",
        ("undecodable.txt", "line 1"): "undecodable bytes",
        ("binary.txt", "line 1"): "binary file",
        ("huge.txt", "line 1"): "over the",
        ("notes.docx", "file"): "unsupported file type .docx",
        ("rows.csv", "row 3"): "missing column(s): text",
        ("rows.csv", "row 4"): "not in YYYY-MM-DD form",
        ("nocol.csv", "header"): "lacks column(s): title, text",
        ("rows.jsonl", "line 2"): "invalid JSON",
        ("rows.jsonl", "line 3"): "missing column(s): text",
        ("rows.jsonl", "line 4"): "not an object",
        ("does-not-exist", "path"): "no such file or folder",
    }
    for key, fragment in expected.items():
        assert key in reasons, f"{key} not rejected; rejects: {reasons}"
        assert fragment in reasons[key], (key, reasons[key])
    # Nothing lost: every input is either stored or rejected, and nothing else was rejected.
    assert len(rejects) == len(expected)
    dup = next(r for r in rejects if r.file.endswith("z_dup.txt"))
    assert "good1.txt" in dup.reason


def test_a_body_over_one_million_characters_is_rejected_and_one_at_the_limit_kept(tmp_path):
    # spaCy's parser refuses longer texts; the rule holds for .txt files and table rows alike.
    _write(tmp_path, "at_limit.txt", "date 2025-02-03 At the limit\n\n" + "x" * 1_000_000)
    _write(tmp_path, "over.txt", "date 2025-02-03 Over\n\n" + "x" * 1_000_001)
    _write(tmp_path, "rows.csv", "date,title,text\n2025-02-03,Long row," + "y" * 1_000_001 + "\n")
    items = list(read_inputs([tmp_path]))
    kept = [(a.title, len(a.text)) for a in items if isinstance(a, Article)]
    assert kept == [("At the limit", 1_000_000)]
    assert sorted((r.file.rsplit("/", 1)[-1], r.where, r.reason) for r in items if isinstance(r, Reject)) == [
        ("over.txt", "line 1", "body longer than 1,000,000 characters"),
        ("rows.csv", "row 2", "body longer than 1,000,000 characters"),
    ]


def test_source_option_fills_only_missing_sources(tmp_path):
    _write(tmp_path, "a.txt", GOOD)
    _write(
        tmp_path,
        "rows.jsonl",
        json.dumps({"date": "2025-04-01", "title": "J", "text": "B", "source": "Wire"})
        + "\n"
        + json.dumps({"date": "2025-04-02", "title": "K", "text": "C"})
        + "\n",
    )
    by_title = {a.title: a.source for a in read_inputs([tmp_path], source="Reuters")}
    assert by_title == {"Kremlin says talks are on pause": "Reuters", "J": "Wire", "K": "Reuters"}


def test_csv_and_jsonl_fields(tmp_path):
    _write(tmp_path, "rows.csv", 'Date,Title,Text,Source,Author\n2025-03-01,T,"Line one\n\nLine two",Agency,Ann\n')
    _write(tmp_path, "rows.jsonl", json.dumps({"date": "2025-04-01", "title": "J", "text": "B", "url": "u"}) + "\n")
    by_title = {a.title: a for a in read_inputs([tmp_path])}
    assert by_title["T"].text == "Line one\n\nLine two"
    assert (by_title["T"].source, by_title["T"].author, by_title["T"].line) == ("Agency", "Ann", 2)
    assert (by_title["J"].url, by_title["J"].line, by_title["J"].source) == ("u", 1, None)


def test_limit_counts_what_was_not_read(tmp_path):
    for i in range(5):
        _write(tmp_path, f"{i}.txt", GOOD + str(i))
    articles, rejects, skipped = collect_inputs([tmp_path], limit=2)
    assert (len(articles), len(rejects), skipped) == (2, 0, 3)


@pytest.mark.parametrize(
    "value, message",
    [
        ("2025-13-01", "impossible date"),
        ("2025-1-1", "YYYY-MM-DD"),
        ("", "missing date"),
    ],
)
def test_parse_date_errors(value, message):
    with pytest.raises(ingest.BadInput, match=message):
        ingest.parse_date(value)


def test_types_are_plain_records():
    assert Article.__dataclass_params__.frozen and Reject.__dataclass_params__.frozen

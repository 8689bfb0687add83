"""Downloads on the pages hold every filtered row, even when the table shows only the first ones.

A click runs the button's deferred callable through Streamlit's own media file manager, as the
browser's click does; the bytes are then read back as a user's tools would read them.
"""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager

QUOTE_HEADER = ["date", "speaker", "role", "quote", "cue", "kind", "title", "source", "article_id", "quote_index"]
ALL_QUOTES = [
    ["2025-03-01", "", "", "We are calm,", "said", "direct", "Markup <b>test</b>", "Daily", "a4", "0"],
    [
        "2025-02-03",
        "Ministry of Finance",
        "the ministry",
        "We expect growth,",
        "said",
        "direct",
        "Growth ahead",
        "Daily",
        "a3",
        "0",
    ],
    ["2025-01-20", "John Doe", "", "Oil is cheap,", "said", "direct", "Oil cheap", "Wire", "a2", "0"],
    ["2025-01-20", "Jane Roe", "", "No,", "said", "direct", "Oil cheap", "Wire", "a2", "1"],
    ["2025-01-05", "Jane Roe", "", "Prices will rise,", "said", "direct", "Acme rises", "Wire", "a1", "0"],
]


@pytest.fixture
def click(monkeypatch):
    """click(at, key) -> the bytes the download button `key` hands the browser when clicked."""
    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        # The media file manager AppTest creates for each run, kept so a click can use it after the run.
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", Recording)

    def run(at, key: str) -> bytes:
        buttons = [b for b in at.get("download_button") if b.proto.id.endswith(f"-{key}")]
        assert len(buttons) == 1, [b.proto.id for b in at.get("download_button")]
        proto = buttons[0].proto
        if not proto.deferred_file_id:  # data given directly: it is already in the store
            file_id = proto.url.rsplit("/", 1)[-1].split(".")[0]
        else:
            url = managers[-1].execute_deferred(proto.deferred_file_id)
            file_id = url.rsplit("/", 1)[-1].split(".")[0]
        stored = managers[-1].read_file(file_id)
        assert stored is not None, file_id
        return stored.content

    return run


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
def two_rows_shown(monkeypatch):
    """Tables show their first 2 rows (5,000 in use), so the small store overflows them."""
    monkeypatch.setattr("dashboard.ui.MAX_SHOWN", 2)
    monkeypatch.setattr("dashboard.ui.widgets.MAX_SHOWN", 2)


def test_quote_downloads_hold_every_row_not_only_the_shown_ones(open_app, small_store, click, two_rows_shown):
    at = open_app(small_store, "speakers.py")
    shown = next(f.value for f in at.dataframe if "quote" in f.value.columns and "cue" in f.value.columns)
    assert list(shown["quote"]) == ["We are calm,", "We expect growth,"]

    assert csv_rows(click(at, "quotes_table_csv")) == [["# All articles"], QUOTE_HEADER, *ALL_QUOTES]
    document = json.loads(click(at, "quotes_table_json"))
    assert [row["quote"] for row in document["rows"]] == [r[3] for r in ALL_QUOTES]
    assert document["rows"][0]["speaker"] is None and document["filters"] == "All articles"
    book = openpyxl.load_workbook(io.BytesIO(click(at, "quotes_table_xlsx")))
    sheet = list(book["data"].iter_rows(values_only=True))
    assert len(sheet) == 1 + 5 and sheet[-1][3] == "Prices will rise,"


def test_downloads_hold_exactly_the_filtered_rows(open_app, small_store, click, two_rows_shown):
    at = open_app(small_store, "speakers.py", speakers=["Jane Roe", "John Doe"])
    assert csv_rows(click(at, "quotes_table_csv")) == [
        ["# Articles where speaker is Jane Roe or John Doe"],
        QUOTE_HEADER,
        *ALL_QUOTES[2:],
    ]
    # Fewer rows than the table holds: the file is the table's own frame.
    at = open_app(small_store, "speakers.py", speakers="Jane Roe")
    assert csv_rows(click(at, "quotes_table_csv"))[2:] == [ALL_QUOTES[3], ALL_QUOTES[4]]


def test_articles_download_holds_every_filtered_article(open_app, small_store, click, two_rows_shown):
    at = open_app(small_store, "articles.py", entities="Jane Roe")
    rows = csv_rows(click(at, "articles_table_csv"))
    assert rows[0] == ["# Articles where entity is Jane Roe"]
    ids = rows[1].index("article_id")
    assert [r[ids] for r in rows[2:]] == ["a4", "a3", "a2", "a1"]


def test_the_gender_table_download_holds_every_person_speaker(open_app, writable_small_store, click, monkeypatch):
    monkeypatch.setattr("dashboard.ui.MAX_SHOWN", 1)
    monkeypatch.setattr("dashboard.ui.widgets.MAX_SHOWN", 1)
    at = open_app(writable_small_store, "gender.py")
    assert not at.exception, at.exception
    rows = csv_rows(click(at, "gender_table_csv"))
    assert rows[0] == ["# All articles"]
    assert [(r[0], r[1]) for r in rows[2:]] == [("Jane Roe", "female"), ("John Doe", "male")]  # no organisation

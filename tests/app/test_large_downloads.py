"""Large downloads on the page: above the threshold a table's export is prepared on disk, then offered."""

from __future__ import annotations

import csv
import io
import json

import openpyxl

from dashboard import export_files, queries, settings
from dashboard.filters import Filters
from tests.app.conftest import connect


def test_a_large_quotes_table_is_prepared_as_a_file_then_offered_for_download(
    open_app, writable_small_store, monkeypatch
):
    monkeypatch.setenv(settings.LARGE_EXPORT_ENV, "2")  # the five quotes count as a large table
    at = open_app(writable_small_store, "speakers.py")
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if "too many to build on a click" in c.value)
    assert caption.startswith("5 rows: too many to build on a click, so each file is first written on the server")
    assert {"quotes_table_csv_prepare", "quotes_table_xlsx_prepare", "quotes_table_json_prepare"} <= {
        b.key for b in at.button
    }
    assert not at.get("download_button")
    exports = settings.exports_dir(writable_small_store)
    assert not exports.exists()  # nothing is written before a user asks

    at.button(key="quotes_table_csv_prepare").click().run()
    assert not at.exception, at.exception
    assert not at.error
    (prepared,) = exports.rglob("*.csv")
    assert prepared.parent.name == store_snapshot(writable_small_store)
    rows = list(csv.reader(io.StringIO(prepared.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == ["# All articles"]
    want = queries.quotes_table(connect(writable_small_store), Filters(), False, None)
    assert rows[1] == list(want.columns)
    assert [r[3] for r in rows[2:]] == list(want["quote"])
    (button,) = at.get("download_button")
    assert button.proto.label == f"CSV · {export_files.size_text(prepared.stat().st_size)}"
    assert button.proto.deferred_file_id  # served when clicked, from the file
    assert "quotes_table_csv_prepare" not in {b.key for b in at.button}

    # Another session with the same filters reuses the prepared file: a download button at once.
    again = open_app(writable_small_store, "speakers.py")
    assert [b.proto.label for b in again.get("download_button")] == [button.proto.label]
    assert list(exports.rglob("*.csv")) == [prepared]


def test_a_large_excel_export_holds_every_row_of_the_filtered_table(open_app, writable_small_store, monkeypatch):
    monkeypatch.setenv(settings.LARGE_EXPORT_ENV, "1")
    at = open_app(writable_small_store, "speakers.py", speakers="Jane Roe")
    at.button(key="quotes_table_xlsx_prepare").click().run()
    assert not at.exception, at.exception
    (prepared,) = settings.exports_dir(writable_small_store).rglob("*.xlsx")
    book = openpyxl.load_workbook(prepared)
    data = list(book["data"].iter_rows(values_only=True))
    assert [row[3] for row in data[1:]] == ["No,", "Prices will rise,"]
    assert dict(row[:2] for row in book["filters"].iter_rows(values_only=True))["filters"] == (
        "Articles where speaker is Jane Roe"
    )


def test_small_tables_keep_the_in_memory_download(open_app, small_store, monkeypatch):
    monkeypatch.delenv(settings.LARGE_EXPORT_ENV, raising=False)
    at = open_app(small_store, "speakers.py")
    assert [b.key for b in at.get("download_button")][:3] == [
        "quotes_table_csv",
        "quotes_table_xlsx",
        "quotes_table_json",
    ]
    assert not any(b.key.endswith("_prepare") for b in at.button)
    assert not settings.exports_dir(small_store).exists()


def store_snapshot(store_dir) -> str:
    return json.loads((store_dir / "manifest.json").read_text(encoding="utf-8"))["snapshot"]

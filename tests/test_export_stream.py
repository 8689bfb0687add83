"""Large downloads: streaming writers, the query stream and prepared files (the page: tests/app/test_large_downloads.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import time
import tracemalloc

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dashboard import export, export_files, queries, settings
from dashboard.export import frame_reader, write_csv, write_json, write_xlsx
from dashboard.filters import Filters
from tests.app.conftest import connect
from tests.app.stores import write_small_store
from tests.test_export import DESCRIPTION, quotes_frame

# What the in-memory functions produced for quotes_frame() before they became wrappers.
QUOTES_CSV = (
    b"\xef\xbb\xbf# Articles where 2025-09-01 to 2025-09-30; speaker is Dmitry Peskov\r\n"
    b"date,speaker,role,quote,words\r\n"
    b'2025-09-12,Dmitry Peskov,Kremlin spokesman,"The channels are there, they are functioning.",7\r\n'
    + "2025-09-13,Recep Tayyip Erdoğan,,Türkiye — “thousand-for-thousand” 🤝,3\r\n".encode()
    + b'2025-09-14,Jane Doe,analyst,"first line\nsecond line, with a comma",6\r\n'
)
QUOTES_JSON = """{
 "filters": "Articles where 2025-09-01 to 2025-09-30; speaker is Dmitry Peskov",
 "exported": "<time>",
 "columns": [
  "date",
  "speaker",
  "role",
  "quote",
  "words"
 ],
 "rows": [
  {
   "date": "2025-09-12",
   "speaker": "Dmitry Peskov",
   "role": "Kremlin spokesman",
   "quote": "The channels are there, they are functioning.",
   "words": 7
  },
  {
   "date": "2025-09-13",
   "speaker": "Recep Tayyip Erdoğan",
   "role": null,
   "quote": "Türkiye — “thousand-for-thousand” 🤝",
   "words": 3
  },
  {
   "date": "2025-09-14",
   "speaker": "Jane Doe",
   "role": "analyst",
   "quote": "first line\\nsecond line, with a comma",
   "words": 6
  }
 ]
}"""


def one_row_batches(df: pd.DataFrame) -> pa.RecordBatchReader:
    """The frame as a reader of one-row batches: every row crosses a batch boundary."""
    batch = next(iter(frame_reader(df)))
    return pa.RecordBatchReader.from_batches(batch.schema, [batch.slice(i, 1) for i in range(batch.num_rows)])


def written(write, reader: pa.RecordBatchReader, description: str = DESCRIPTION) -> tuple[bytes, int]:
    out = io.BytesIO()
    rows = write(reader, description, out)
    return out.getvalue(), rows


def without_time(data: bytes) -> str:
    return re.sub(r'"exported": "[^"]+"', '"exported": "<time>"', data.decode("utf-8"))


def sheets(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {name: [r for r in book[name].iter_rows(values_only=True) if r[0] != "exported"] for name in book.sheetnames}


# --- the writers: the same bytes as before, whatever the batches -------------------------------
def test_streamed_csv_is_byte_for_byte_the_old_in_memory_csv():
    assert written(write_csv, one_row_batches(quotes_frame())) == (QUOTES_CSV, 3)
    assert export.to_csv(quotes_frame(), DESCRIPTION) == QUOTES_CSV


def test_streamed_json_is_the_old_layout_exactly():
    data, rows = written(write_json, one_row_batches(quotes_frame()))
    assert (without_time(data), rows) == (QUOTES_JSON, 3)
    assert without_time(export.to_json(quotes_frame(), DESCRIPTION)) == QUOTES_JSON
    assert json.loads(data) == json.loads(export.to_json(quotes_frame(), DESCRIPTION)) | {
        "exported": json.loads(data)["exported"]
    }


def test_streamed_json_of_no_rows_closes_an_empty_array():
    data, rows = written(write_json, frame_reader(quotes_frame().iloc[0:0]), "All articles")
    assert rows == 0
    assert without_time(data).endswith('"words"\n ],\n "rows": []\n}')
    assert json.loads(data)["rows"] == []


def test_streamed_xlsx_has_the_same_sheets_and_row_count():
    data, rows = written(write_xlsx, one_row_batches(quotes_frame()))
    assert rows == 3
    assert sheets(data) == sheets(export.to_xlsx(quotes_frame(), DESCRIPTION))
    assert sheets(data)["filters"] == [("filters", DESCRIPTION), ("rows", 3)]


def test_xlsx_sheet_continuation_does_not_care_where_batches_end(monkeypatch):
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 2)
    data, rows = written(write_xlsx, one_row_batches(pd.DataFrame({"i": [1, 2, 3, 4, 5]})))
    assert rows == 5
    assert sheets(data) == {
        "data": [("i",), (1,), (2,)],
        "data 2": [("i",), (3,), (4,)],
        "data 3": [("i",), (5,)],
        "filters": [("filters", DESCRIPTION), ("rows", 5)],
    }


def test_rows_are_converted_a_slice_at_a_time_with_the_same_result(monkeypatch):
    frame = pd.DataFrame({"i": range(25), "s": [f"=row {i}" for i in range(25)]})
    whole = export.to_csv(frame, DESCRIPTION)
    monkeypatch.setattr(export, "ROWS_AT_ONCE", 4)
    assert export.to_csv(frame, DESCRIPTION) == whole
    assert whole.decode("utf-8-sig").splitlines()[-1] == "24,'=row 24"


def test_arrow_types_as_duckdb_hands_them_over():
    batch = pa.RecordBatch.from_pydict(
        {
            "date": pa.array([dt.date(2025, 9, 12), None], pa.date32()),
            "at": pa.array([dt.datetime(2025, 9, 12, 13, 4, 5), None], pa.timestamp("us")),
            "score": pa.array([0.1, None], pa.float32()),
            "entities": pa.array([["Russia", "Ukraine"], []], pa.list_(pa.string())),
            "=head": pa.array(["-2", "@x"], pa.string()),
            "n": pa.array([-1, None], pa.int32()),
        }
    )
    reader = pa.RecordBatchReader.from_batches(batch.schema, [batch])
    data, _ = written(write_csv, reader)
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1:] == [
        ["date", "at", "score", "entities", "'=head", "n"],
        ["2025-09-12", "2025-09-12T13:04:05", "0.1", "Russia; Ukraine", "'-2", "-1"],
        ["", "", "", "", "'@x", ""],
    ]
    data, _ = written(write_json, pa.RecordBatchReader.from_batches(batch.schema, [batch]))
    assert json.loads(data)["rows"] == [
        {"date": "2025-09-12", "at": "2025-09-12T13:04:05", "score": 0.1, "entities": ["Russia", "Ukraine"],
         "=head": "-2", "n": -1},
        {"date": None, "at": None, "score": None, "entities": [], "=head": "@x", "n": None},
    ]  # fmt: skip


def generated(rows: int, per_batch: int = 20_000) -> pa.RecordBatchReader:
    """`rows` quote-like rows made batch by batch in Arrow memory, as DuckDB hands them over."""
    schema = pa.schema([("date", pa.date32()), ("speaker", pa.string()), ("quote", pa.string()), ("n", pa.int64())])

    def batches():
        for start in range(0, rows, per_batch):
            ids = pa.array(range(start, min(start + per_batch, rows)), pa.int64())
            yield pa.RecordBatch.from_arrays(
                [
                    pc.cast(pc.add(pc.remainder(ids, 365), 20089), pa.int32()).cast(pa.date32()),  # 20089: 2025-01-01
                    pc.binary_join_element_wise("Speaker", pc.cast(pc.remainder(ids, 977), pa.string()), " "),
                    pc.binary_join_element_wise(
                        "Quote number", pc.cast(ids, pa.string()), "with a comma and some words to make it longer", " "
                    ),
                    ids,
                ],
                schema=schema,
            )

    return pa.RecordBatchReader.from_batches(schema, batches())


def test_writing_150k_rows_to_csv_holds_a_slice_of_rows_not_the_export(tmp_path):
    # tracemalloc sees Python objects (what grows with rows if a writer keeps them), not Arrow's
    # buffers, which stand for DuckDB's batches here. It slows Python down about 4x, hence 150k rows.
    target = tmp_path / "big.csv"
    tracemalloc.start()
    try:
        with open(target, "wb") as out:
            rows = write_csv(generated(150_000), DESCRIPTION, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = target.stat().st_size
    assert rows == 150_000
    assert size > 14_000_000  # the export is ~14 MB ...
    assert peak < 4_000_000, f"peak Python memory {peak:,} bytes for a {size:,}-byte export"  # ... memory ~2 MB
    with open(target, encoding="utf-8-sig", newline="") as back:
        lines = list(csv.reader(back))
    assert len(lines) == 2 + 150_000
    assert lines[-1] == ["2025-12-16", "Speaker 518", "Quote number 149999 with a comma and some words to make it longer",
                         "149999"]  # fmt: skip


# --- queries.stream: the table's rows, all of them -----------------------------------------------
TABLES = [
    (queries.quotes_table, (False,)),
    (queries.quotes_table, (True,)),
    (queries.articles_table, (None,)),
    (queries.articles_table, ("economy and business",)),
    (queries.top_entities, ()),
    (queries.marks_vs_quotes, ()),
]


@pytest.fixture(scope="module")
def small_con(tmp_path_factory):
    return connect(write_small_store(tmp_path_factory.mktemp("stream") / "store"))


@pytest.mark.parametrize(("query", "args"), TABLES, ids=lambda v: getattr(v, "__name__", repr(v)))
@pytest.mark.parametrize(
    "filters", [Filters(), Filters(speakers=("Jane Roe",)), Filters(text="o'clock"), Filters(text="Jane")], ids=repr
)
def test_stream_gives_exactly_the_tables_rows_in_order(small_con, query, args, filters):
    cursor = small_con.cursor()
    try:
        table = queries.stream(cursor, query, filters, *args, batch_rows=2).read_all()
    finally:
        cursor.close()
    frame = query(small_con, filters, *args, None)
    assert table.schema.names == list(frame.columns)
    assert table.num_rows == len(frame)
    # Same cells: compare the CSV both give (dates, nulls and numbers written the same way).
    streamed, _ = written(write_csv, pa.RecordBatchReader.from_batches(table.schema, table.to_batches()))
    assert streamed == export.to_csv(frame, DESCRIPTION)
    # And the page's first rows are the stream's first rows.
    head = query(small_con, filters, *args, 2)
    assert export.to_csv(head, "") == written(write_csv, frame_reader(frame.head(2)), "")[0]


def test_stream_refuses_queries_that_are_not_long_tables(small_con):
    with pytest.raises(ValueError, match="top_speakers"):
        queries.stream(small_con, queries.top_speakers, Filters())


# --- prepared files --------------------------------------------------------------------------------
def test_export_path_names_view_and_a_key_of_snapshot_identity_and_format(tmp_path):
    path = export_files.path(tmp_path, "snapshot-1", "Speakers and quotes", "quotes_table(False) All", "csv")
    assert path.parent == tmp_path / "exports" / "snapshot-1"
    assert re.fullmatch(r"speakers-and-quotes-[0-9a-f]{16}\.csv", path.name)
    assert path == export_files.path(tmp_path, "snapshot-1", "Speakers and quotes", "quotes_table(False) All", "csv")
    others = {
        export_files.path(tmp_path, "snapshot-2", "Speakers and quotes", "quotes_table(False) All", "csv").name,
        export_files.path(tmp_path, "snapshot-1", "Speakers and quotes", "quotes_table(True) All", "csv").name,
        export_files.path(tmp_path, "snapshot-1", "Speakers and quotes", "quotes_table(False) All", "json").stem,
    }
    assert path.name not in others and path.stem not in others


def test_prepare_writes_once_and_reuses_the_complete_file(tmp_path):
    target = tmp_path / "exports" / "s" / "quotes-0123456789abcdef.csv"
    calls = []

    def write(out):
        calls.append(1)
        out.write(b"a,b\r\n")

    assert export_files.prepare(target, write) == target
    assert export_files.prepare(target, write) == target
    assert target.read_bytes() == b"a,b\r\n"
    assert len(calls) == 1
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_failed_write_leaves_neither_the_file_nor_a_part(tmp_path):
    target = tmp_path / "exports" / "s" / "quotes-0123456789abcdef.csv"

    def write(out):
        out.write(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        export_files.prepare(target, write)
    assert list(target.parent.iterdir()) == []


def test_a_half_written_file_is_not_visible_under_its_name(tmp_path):
    target = tmp_path / "exports" / "s" / "quotes-0123456789abcdef.csv"
    seen = []

    def write(out):
        out.write(b"first rows")
        seen.append((target.exists(), [p.name for p in target.parent.iterdir()]))
        out.write(b", the rest")

    export_files.prepare(target, write)
    (exists, names), = seen  # fmt: skip
    assert not exists
    assert len(names) == 1 and names[0].startswith(f".{target.name}.") and names[0].endswith(".part")
    assert target.read_bytes() == b"first rows, the rest"


def test_clean_up_keeps_the_newest_files_of_the_current_snapshot(tmp_path):
    root = settings.exports_dir(tmp_path)
    old = root / "snapshot-old"
    old.mkdir(parents=True)
    (old / "quotes-1.csv").write_bytes(b"x")
    current = root / "snapshot-new"
    current.mkdir()
    now = time.time()
    for i in range(5):
        file = current / f"quotes-{i}.csv"
        file.write_bytes(b"x")
        os.utime(file, (now - 100 + i, now - 100 + i))
    dead = current / ".quotes-9.csv.0000.part"
    dead.write_bytes(b"x")
    os.utime(dead, (now - export_files.STALE_PART_SECONDS - 1,) * 2)
    alive = current / ".quotes-8.csv.1111.part"
    alive.write_bytes(b"x")

    export_files.clean_up(tmp_path, "snapshot-new", keep=2)
    assert not old.exists()
    assert sorted(p.name for p in current.iterdir()) == [".quotes-8.csv.1111.part", "quotes-3.csv", "quotes-4.csv"]


def test_clean_up_of_a_store_without_exports_does_nothing(tmp_path):
    assert export_files.clean_up(tmp_path, "snapshot") == []


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 B"), (999, "999 B"), (1000, "1.0 kB"), (432_000, "432.0 kB"), (3.3e9, "3.3 GB")]
)
def test_size_text(n, text):
    assert export_files.size_text(n) == text


def test_large_export_threshold_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(settings.LARGE_EXPORT_ENV, raising=False)
    assert settings.large_export_rows() == 100_000
    monkeypatch.setenv(settings.LARGE_EXPORT_ENV, "2")
    assert settings.large_export_rows() == 2

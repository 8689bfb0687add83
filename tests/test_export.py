"""Downloads: literal frames in, bytes out, read back the way a user's tools would read them."""

import csv
import datetime as dt
import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dashboard import export
from dashboard.export import FORMATS, filename, to_csv, to_json, to_xlsx

DESCRIPTION = "Articles where 2025-09-01 to 2025-09-30; speaker is Dmitry Peskov"


def quotes_frame() -> pd.DataFrame:
    """A quotes table as DuckDB hands it over: dates as datetime64, a nullable role."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-09-12", "2025-09-13", "2025-09-14"]),
            "speaker": ["Dmitry Peskov", "Recep Tayyip Erdoğan", "Jane Doe"],
            "role": ["Kremlin spokesman", None, "analyst"],
            "quote": [
                "The channels are there, they are functioning.",
                "Türkiye — “thousand-for-thousand” 🤝",
                "first line\nsecond line, with a comma",
            ],
            "words": [7, 3, 6],
        }
    )


def read_csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- CSV -------------------------------------------------------------------------------------
def test_csv_reads_back_with_pandas_to_the_same_rows():
    data = to_csv(quotes_frame(), DESCRIPTION)
    back = pd.read_csv(io.BytesIO(data), skiprows=1, keep_default_na=False)
    assert list(back.columns) == ["date", "speaker", "role", "quote", "words"]
    assert back.to_dict("records") == [
        {
            "date": "2025-09-12",
            "speaker": "Dmitry Peskov",
            "role": "Kremlin spokesman",
            "quote": "The channels are there, they are functioning.",
            "words": 7,
        },
        {
            "date": "2025-09-13",
            "speaker": "Recep Tayyip Erdoğan",
            "role": "",
            "quote": "Türkiye — “thousand-for-thousand” 🤝",
            "words": 3,
        },
        {
            "date": "2025-09-14",
            "speaker": "Jane Doe",
            "role": "analyst",
            "quote": "first line\nsecond line, with a comma",
            "words": 6,
        },
    ]


def test_csv_first_row_is_the_filter_description_as_one_comment_cell():
    rows = read_csv_rows(to_csv(quotes_frame(), DESCRIPTION))
    assert rows[0] == ["# Articles where 2025-09-01 to 2025-09-30; speaker is Dmitry Peskov"]
    assert rows[1] == ["date", "speaker", "role", "quote", "words"]
    assert len(rows) == 2 + 3


def test_csv_description_with_commas_and_newlines_stays_one_cell_on_one_line():
    data = to_csv(quotes_frame(), "Articles where speaker is A, B or C;\ntext contains \u201cx\u201d")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == '"# Articles where speaker is A, B or C; text contains \u201cx\u201d"'
    assert read_csv_rows(data)[0] == ["# Articles where speaker is A, B or C; text contains \u201cx\u201d"]


def test_csv_is_utf8_with_bom_so_spreadsheets_show_accents():
    data = to_csv(quotes_frame(), DESCRIPTION)
    assert data.startswith(b"\xef\xbb\xbf# Articles")
    assert "Erdoğan".encode() in data


def test_csv_neutralises_cells_a_spreadsheet_would_execute():
    frame = pd.DataFrame(
        {
            "quote": [
                '=HYPERLINK("http://evil.example","x")',
                "+1+1",
                "-2+3",
                "@SUM(A1)",
                "\t=1",
                "\r=1",
                "a = b",
                "",
                "'already quoted",
            ],
            "n": [-5, 0, 1, 2, 3, 4, 5, 6, 7],
        }
    )
    rows = read_csv_rows(to_csv(frame, DESCRIPTION))[2:]
    assert [r[0] for r in rows] == [
        '\'=HYPERLINK("http://evil.example","x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "'\r=1",
        "a = b",
        "",
        "'already quoted",
    ]
    # Numbers are not text: a negative count stays a number.
    assert [r[1] for r in rows] == ["-5", "0", "1", "2", "3", "4", "5", "6", "7"]


def test_csv_neutralises_a_malicious_header():
    rows = read_csv_rows(to_csv(pd.DataFrame({"=cmd|' /C calc'!A0": ["x"]}), DESCRIPTION))
    assert rows[1] == ["'=cmd|' /C calc'!A0"]


def test_csv_has_no_row_cap():
    frame = pd.DataFrame({"i": range(25_000), "s": [f"row {i}" for i in range(25_000)]})
    back = pd.read_csv(io.BytesIO(to_csv(frame, DESCRIPTION)), skiprows=1)
    assert len(back) == 25_000
    assert back["s"].iloc[-1] == "row 24999"


def test_csv_of_no_rows_keeps_description_and_header():
    rows = read_csv_rows(to_csv(quotes_frame().iloc[0:0], "All articles"))
    assert rows == [["# All articles"], ["date", "speaker", "role", "quote", "words"]]


def test_csv_dates_with_times_lists_and_missing_numbers():
    frame = pd.DataFrame(
        {
            "at": pd.to_datetime(["2025-09-12 13:04:05", None]),
            "day": [dt.date(2025, 9, 12), None],
            "entities": [np.array(["Russia", "Ukraine"]), []],
            "score": pd.Series([0.1, np.nan], dtype="float32"),
        }
    )
    rows = read_csv_rows(to_csv(frame, DESCRIPTION))[2:]
    assert rows == [["2025-09-12T13:04:05", "2025-09-12", "Russia; Ukraine", "0.1"], ["", "", "", ""]]


# --- Excel -----------------------------------------------------------------------------------
def load_book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_has_the_rows_and_a_filters_sheet():
    book = load_book(to_xlsx(quotes_frame(), DESCRIPTION))
    assert book.sheetnames == ["data", "filters"]
    rows = list(book["data"].iter_rows(values_only=True))
    assert rows == [
        ("date", "speaker", "role", "quote", "words"),
        ("2025-09-12", "Dmitry Peskov", "Kremlin spokesman", "The channels are there, they are functioning.", 7),
        ("2025-09-13", "Recep Tayyip Erdoğan", None, "Türkiye — “thousand-for-thousand” 🤝", 3),
        ("2025-09-14", "Jane Doe", "analyst", "first line\nsecond line, with a comma", 6),
    ]
    filters = {row[0]: row[1] for row in book["filters"].iter_rows(values_only=True)}
    assert filters["filters"] == DESCRIPTION
    assert filters["rows"] == 3
    assert dt.datetime.fromisoformat(filters["exported"]).tzinfo is not None


def test_xlsx_stores_formula_text_as_quoted_text_not_formulas():
    frame = pd.DataFrame({"quote": ["=1+1", "@SUM(A1)", "-2", "plain"], "n": [-1, 0, 1, 2]})
    sheet = load_book(to_xlsx(frame, DESCRIPTION))["data"]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["'=1+1", "'@SUM(A1)", "'-2", "plain"]
    assert {c.data_type for c in cells} == {"s"}
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [-1, 0, 1, 2]


def test_xlsx_drops_characters_excel_cannot_hold_and_cuts_overlong_cells():
    frame = pd.DataFrame({"text": ["bell\x07 and nul\x00 gone", "x" * 40_000]})
    sheet = load_book(to_xlsx(frame, DESCRIPTION))["data"]
    first, second = (row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert first == "bell and nul gone"
    assert len(second) == 32_767 and second.endswith("\u2026")


def test_xlsx_continues_on_further_sheets_past_the_row_limit(monkeypatch):
    # The real limit is 1,048,575 rows; a small one shows the same behaviour quickly.
    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 2)
    book = load_book(to_xlsx(pd.DataFrame({"i": [1, 2, 3, 4, 5]}), DESCRIPTION))
    assert book.sheetnames == ["data", "data 2", "data 3", "filters"]
    assert [list(book[n].iter_rows(values_only=True)) for n in book.sheetnames[:3]] == [
        [("i",), (1,), (2,)],
        [("i",), (3,), (4,)],
        [("i",), (5,)],
    ]


def test_xlsx_of_no_rows_has_the_header():
    book = load_book(to_xlsx(quotes_frame().iloc[0:0], "All articles"))
    assert list(book["data"].iter_rows(values_only=True)) == [("date", "speaker", "role", "quote", "words")]


# --- JSON ------------------------------------------------------------------------------------
def test_json_keeps_values_exactly_and_carries_the_filters():
    frame = quotes_frame()
    frame.loc[3] = [pd.Timestamp("2025-09-15"), "Mallory", np.nan, '=HYPERLINK("http://x")', 1]
    document = json.loads(to_json(frame, DESCRIPTION))
    assert document["filters"] == DESCRIPTION
    assert dt.datetime.fromisoformat(document["exported"]).tzinfo is not None
    assert document["columns"] == ["date", "speaker", "role", "quote", "words"]
    assert document["rows"][1] == {
        "date": "2025-09-13",
        "speaker": "Recep Tayyip Erdoğan",
        "role": None,
        "quote": "Türkiye — “thousand-for-thousand” 🤝",
        "words": 3,
    }
    assert document["rows"][2]["quote"] == "first line\nsecond line, with a comma"
    # JSON is read by programs, not executed: the value is unchanged.
    assert document["rows"][3]["quote"] == '=HYPERLINK("http://x")'
    assert len(document["rows"]) == 4


def test_json_keeps_lists_and_turns_nan_and_infinity_into_null():
    frame = pd.DataFrame({"entities": [["Russia", "Ukraine"]], "x": [np.nan], "y": [np.inf]})
    document = json.loads(to_json(frame, "All articles"))
    assert document["rows"] == [{"entities": ["Russia", "Ukraine"], "x": None, "y": None}]


def test_json_is_utf8_not_escaped():
    assert "Erdoğan".encode() in to_json(quotes_frame(), DESCRIPTION)


# --- names and formats -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "ext", "expected"),
    [
        ("quotes", "csv", "quotes-2026-11-25.csv"),
        ("Speakers and quotes", "xlsx", "speakers-and-quotes-2026-11-25.xlsx"),
        ("../../etc/passwd", ".JSON", "etc-passwd-2026-11-25.json"),
        ("Zitate: Türkiye & Co.", "csv", "zitate-turkiye-co-2026-11-25.csv"),
        ("", "csv", "export-2026-11-25.csv"),
        ("Сводка", "csv", "export-2026-11-25.csv"),
    ],
)
def test_filename_is_view_and_date_in_safe_characters(view, ext, expected):
    assert filename(view, ext, today=dt.date(2026, 11, 25)) == expected


def test_filename_defaults_to_today():
    assert filename("quotes", "csv") == f"quotes-{dt.date.today().isoformat()}.csv"


def test_formats_name_extension_mime_and_function():
    assert list(FORMATS) == ["CSV", "Excel", "JSON"]
    assert FORMATS["CSV"][:2] == ("csv", "text/csv")
    assert FORMATS["Excel"][:2] == ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert FORMATS["JSON"][:2] == ("json", "application/json")
    for ext, _mime, function in FORMATS.values():
        data = function(quotes_frame(), DESCRIPTION)
        assert isinstance(data, bytes) and data
        if ext == "xlsx":
            assert data[:2] == b"PK"  # a zip container, as .xlsx is

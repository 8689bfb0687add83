"""Downloads: filtered rows as CSV, Excel or JSON, carrying the filter description.

One implementation: `write_csv`, `write_xlsx` and `write_json` take an Arrow record-batch reader
(e.g. `queries.stream`) and write to a binary file as the batches arrive, so memory is bounded by a
batch, not by the export; `to_csv`, `to_xlsx` and `to_json` turn a DataFrame into one batch and
return the same bytes, for small in-memory downloads.

What a user can rely on (docs/dashboard.md links here):
- Exactly the rows and columns given, in order, with no cap. Excel sheets hold at most 1,048,575
  data rows, so a larger export continues on sheets "data 2", "data 3", ... (each with the header).
- Dates are ISO strings (`2026-11-25`; `2026-11-25T13:04:05` when a time is present). Missing
  values are empty cells in CSV/Excel and `null` in JSON. List cells (e.g. top entities) are joined
  with "; " in CSV/Excel and stay lists in JSON. float32 values (topic scores) are written as their
  shortest text (0.1, not 0.10000000149011612).
- Formula injection: a text cell starting with `=`, `+`, `-`, `@`, tab or carriage return is one a
  spreadsheet may execute, so CSV and Excel get a single quote prepended (`'=HYPERLINK(...)`);
  the same applies to header cells. The quote stays visible: the file then shows what the corpus
  says, and re-saving from the spreadsheet cannot turn it back into a formula. JSON keeps every
  value exactly: it is read by programs, which do not evaluate cells, and spreadsheet JSON
  importers load values as text.
- The filter description travels with the data: CSV starts with one comment row, a single cell
  `# Articles where ...` (quoted by the CSV rules when it contains a comma), so
  `pandas.read_csv(path, skiprows=1)` reads the table back; Excel has a second sheet "filters";
  JSON is `{"filters": ..., "exported": ..., "columns": [...], "rows": [{...}, ...]}`.
- CSV is UTF-8 with a byte-order mark, because Excel otherwise opens UTF-8 as a legacy code page
  and garbles accents; pandas and `open(..., encoding="utf-8-sig")` read it transparently.
- Excel cannot store some control characters (NUL, ESC, ...) nor more than 32,767 characters in a
  cell: those characters are dropped there and longer cells are cut, ending with "…" (CSV and JSON
  keep everything).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576 - 1  # one row for the header
EXCEL_MAX_CELL = 32_767
# Characters the XLSX (XML 1.0) format cannot hold; openpyxl refuses them.
_EXCEL_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Rows turned into Python values at a time: a writer holds at most this many rows as objects
# (about 1 kB each with their output text), whatever the size of the batches it is given.
ROWS_AT_ONCE = 2_000


def neutralise(value: object) -> object:
    """The value, with a leading single quote if it is text a spreadsheet would execute."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- writers: record batches in, a file out ----------------------------------------------------
def write_csv(reader: pa.RecordBatchReader, description: str, out: BinaryIO) -> int:
    """UTF-8 CSV to `out`: a `# description` row, the header, every row (formula cells neutralised); returns rows."""
    out.write(codecs.BOM_UTF8)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_comment(description)])
    writer.writerow([neutralise(c) for c in reader.schema.names])
    rows = 0
    for n, columns in _chunks(reader, flat=True):
        writer.writerows(_rows(n, [["" if v is None else v for v in _neutralised(c)] for c in columns]))
        rows += n
        _drain(buffer, out)
    _drain(buffer, out)
    return rows


def write_xlsx(reader: pa.RecordBatchReader, description: str, out: BinaryIO) -> int:
    """An .xlsx workbook to `out`: sheet "data" with every row (formula cells neutralised), sheet "filters"; returns rows."""
    from openpyxl import Workbook  # only a download needs it

    # Write-only mode streams rows to a temporary file with inline strings (no shared-string
    # table), so memory stays flat however many rows there are; save() then zips that file.
    book = Workbook(write_only=True)
    header = [_excel_text(neutralise(c)) for c in reader.schema.names]
    sheet, written, sheets, rows = None, EXCEL_MAX_ROWS, 0, 0
    for n, columns in _chunks(reader, flat=True):
        for row in _rows(n, [[_excel_text(v) for v in _neutralised(c)] for c in columns]):
            if written == EXCEL_MAX_ROWS:
                sheets += 1
                sheet = book.create_sheet("data" if sheets == 1 else f"data {sheets}")
                sheet.append(header)
                written = 0
            sheet.append(row)
            written += 1
        rows += n
    if sheet is None:  # no rows: still a data sheet with the header
        book.create_sheet("data").append(header)
    filters = book.create_sheet("filters")
    filters.append(["filters", _excel_text(neutralise(_one_line(description)))])
    filters.append(["exported", _now()])
    filters.append(["rows", rows])
    book.save(out)
    return rows


def write_json(reader: pa.RecordBatchReader, description: str, out: BinaryIO) -> int:
    """UTF-8 JSON to `out`: {"filters", "exported", "columns", "rows": [one object per row]}; values unchanged.

    Written piece by piece in exactly the layout of `json.dumps(document, indent=1)`.
    """
    columns = reader.schema.names
    head = {"filters": _one_line(description), "exported": _now(), "columns": columns}
    # The head without its closing "\n}", continued by the rows array.
    out.write((json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "rows": [').encode("utf-8"))
    rows = 0
    for n, values in _chunks(reader, flat=False):
        parts = []
        for row in _rows(n, values):
            # A row object sits two levels deep; JSON text has no raw newlines inside strings,
            # so indenting every line by two spaces is safe.
            text = json.dumps(dict(zip(columns, row)), ensure_ascii=False, indent=1, allow_nan=False)
            parts.append(("\n  " if rows == 0 else ",\n  ") + text.replace("\n", "\n  "))
            rows += 1
        out.write("".join(parts).encode("utf-8"))
    out.write(("\n ]\n}" if rows else "]\n}").encode("utf-8"))
    return rows


Writer = Callable[[pa.RecordBatchReader, str, BinaryIO], int]
# File extension -> streaming writer.
WRITERS: dict[str, Writer] = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}


# --- in memory: a DataFrame in, bytes out (the same writers) ------------------------------------
def to_csv(df: pd.DataFrame, description: str) -> bytes:
    """UTF-8 CSV: a `# description` row, the header, then every row, formula cells neutralised."""
    return _bytes(write_csv, df, description)


def to_xlsx(df: pd.DataFrame, description: str) -> bytes:
    """An .xlsx workbook: sheet "data" with every row (formula cells neutralised), sheet "filters"."""
    return _bytes(write_xlsx, df, description)


def to_json(df: pd.DataFrame, description: str) -> bytes:
    """UTF-8 JSON: {"filters", "exported", "columns", "rows": [one object per row]}; values unchanged."""
    return _bytes(write_json, df, description)


def frame_reader(df: pd.DataFrame) -> pa.RecordBatchReader:
    """The frame as a one-batch Arrow reader, columns (even repeated names) and order kept."""
    batch = pa.RecordBatch.from_arrays(
        [_arrow(df.iloc[:, i]) for i in range(df.shape[1])], [str(c) for c in df.columns]
    )
    return pa.RecordBatchReader.from_batches(batch.schema, [batch])


def _bytes(write: Writer, df: pd.DataFrame, description: str) -> bytes:
    buffer = io.BytesIO()
    write(frame_reader(df), description, buffer)
    return buffer.getvalue()


def filename(view: str, ext: str, today: dt.date | None = None) -> str:
    """A download name from the view and the date, e.g. `quotes-2026-11-25.csv`; safe characters only."""
    suffix = re.sub(r"[^a-z0-9]", "", ext.lower()) or "dat"
    return f"{slug(view)}-{(today or dt.date.today()).isoformat()}.{suffix}"


def slug(view: str) -> str:
    """The view's name in lower-case ASCII letters, digits and dashes (`speakers-and-quotes`), or `export`."""
    ascii_view = unicodedata.normalize("NFKD", view).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_view.lower()).strip("-")[:60].strip("-") or "export"


Exporter = Callable[[pd.DataFrame, str], bytes]

# Label shown on the button -> (file extension, MIME type, function).
FORMATS: dict[str, tuple[str, str, Exporter]] = {
    "CSV": ("csv", "text/csv", to_csv),
    "Excel": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
    "JSON": ("json", "application/json", to_json),
}


# --- cell values -----------------------------------------------------------------------------
def _chunks(reader: pa.RecordBatchReader, flat: bool) -> Iterator[tuple[int, list[list]]]:
    """(rows, columns of plain Python values), at most ROWS_AT_ONCE rows at a time.

    Plain values: ISO date strings, None for missing, lists kept (JSON) or joined (`flat`).
    Column by column, because one comprehension per column costs far less than a call per cell.
    """
    for batch in reader:
        for start in range(0, batch.num_rows, ROWS_AT_ONCE):
            part = batch.slice(start, ROWS_AT_ONCE)
            yield part.num_rows, [_values(column, flat) for column in part.columns]


def _rows(n: int, columns: list[list]) -> Iterator[tuple]:
    return zip(*columns) if columns else iter([()] * n)


def _neutralised(values: list) -> list:
    """`neutralise` over a column."""
    return ["'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for v in values]


def _values(array: pa.Array, flat: bool) -> list:
    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_timestamp(kind):
        # Python datetimes hold microseconds; nanoseconds would come back as pandas Timestamps.
        array = array.cast(pa.timestamp("us", kind.tz), safe=False)
    values = array.to_pylist()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind):
        return values  # already plain; the common case, so no per-cell work
    if pa.types.is_float32(kind):
        # float32 (e.g. topic scores) via its shortest text, so 0.1 exports as 0.1,
        # not as the float64 widening 0.10000000149011612.
        return [float(str(np.float32(v))) if v is not None and math.isfinite(v) else None for v in values]
    if pa.types.is_map(kind):
        values = [None if v is None else dict(v) for v in values]
    return [_plain(v, flat) for v in values]


def _plain(value: object, flat: bool) -> object:
    if isinstance(value, (list, tuple)):
        items = [_plain(v, flat) for v in value]
        return "; ".join("" if v is None else str(v) for v in items) if flat else items
    if isinstance(value, dict):
        items = {str(k): _plain(v, flat=False) for k, v in value.items()}
        return json.dumps(items, ensure_ascii=False) if flat else items
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return value if math.isfinite(value) else None  # JSON has no NaN or infinity
    return str(value)


def _arrow(column: pd.Series) -> pa.Array:
    """One DataFrame column as an Arrow array, missing values (None, NaN, NaT) as nulls."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        # A datetime column whose values are all at midnight holds dates (DuckDB's .df() returns
        # DATE as datetime64), so it exports as YYYY-MM-DD rather than with a meaningless time.
        present = column.dropna()
        if present.empty or bool((present == present.dt.normalize()).all()):
            return pa.array(column.dt.date, type=pa.date32(), from_pandas=True)
    try:
        array = pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # Mixed Python types in one column (never from a query): each value as its text.
        return pa.array([None if _is_missing(v) else str(v) for v in column], type=pa.string())
    # Some pandas columns (e.g. pandas' own string dtype) convert to several chunks.
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _drain(buffer: io.StringIO, out: BinaryIO) -> None:
    out.write(buffer.getvalue().encode("utf-8"))
    buffer.seek(0)
    buffer.truncate()


def _excel_text(value: object) -> object:
    if not isinstance(value, str):
        return value
    value = _EXCEL_ILLEGAL.sub("", value)
    return value if len(value) <= EXCEL_MAX_CELL else value[: EXCEL_MAX_CELL - 1] + "\u2026"


def _one_line(description: str) -> str:
    # A description spanning lines would break the single comment row of the CSV.
    return " ".join(str(description).split())


def _comment(description: str) -> str:
    return "# " + _one_line(description)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

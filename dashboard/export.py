"""Downloads: a filtered DataFrame as CSV, Excel or JSON bytes, carrying the filter description.

What a user can rely on (docs/dashboard.md links here):
- Exactly the rows and columns given, in order, with no cap. Excel sheets hold at most 1,048,575
  data rows, so a larger export continues on sheets "data 2", "data 3", ... (each with the header).
- Dates are ISO strings (`2026-11-25`; `2026-11-25T13:04:05` when a time is present). Missing
  values are empty cells in CSV/Excel and `null` in JSON. List cells (e.g. top entities) are joined
  with "; " in CSV/Excel and stay lists in JSON.
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

import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576 - 1  # one row for the header
EXCEL_MAX_CELL = 32_767
# Characters the XLSX (XML 1.0) format cannot hold; openpyxl refuses them.
_EXCEL_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: object) -> object:
    """The value, with a leading single quote if it is text a spreadsheet would execute."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(df: pd.DataFrame, description: str) -> bytes:
    """UTF-8 CSV: a `# description` row, the header, then every row, formula cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_comment(description)])
    writer.writerow([neutralise(str(c)) for c in df.columns])
    for row in _rows(df, flat=True):
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(df: pd.DataFrame, description: str) -> bytes:
    """An .xlsx workbook: sheet "data" with every row (formula cells neutralised), sheet "filters"."""
    from openpyxl import Workbook  # only a download needs it

    # Write-only mode streams rows, so large exports stay fast and small in memory.
    book = Workbook(write_only=True)
    header = [_excel_text(neutralise(str(c))) for c in df.columns]
    sheet, written, sheets = None, EXCEL_MAX_ROWS, 0
    for row in _rows(df, flat=True):
        if written == EXCEL_MAX_ROWS:
            sheets += 1
            sheet = book.create_sheet("data" if sheets == 1 else f"data {sheets}")
            sheet.append(header)
            written = 0
        sheet.append([_excel_text(neutralise(v)) for v in row])
        written += 1
    if sheet is None:  # no rows: still a data sheet with the header
        book.create_sheet("data").append(header)
    filters = book.create_sheet("filters")
    filters.append(["filters", _excel_text(neutralise(_one_line(description)))])
    filters.append(["exported", _now()])
    filters.append(["rows", len(df)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_json(df: pd.DataFrame, description: str) -> bytes:
    """UTF-8 JSON: {"filters", "exported", "columns", "rows": [one object per row]}; values unchanged."""
    columns = [str(c) for c in df.columns]
    document = {
        "filters": _one_line(description),
        "exported": _now(),
        "columns": columns,
        "rows": [dict(zip(columns, row)) for row in _rows(df, flat=False)],
    }
    return json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False).encode("utf-8")


def filename(view: str, ext: str, today: dt.date | None = None) -> str:
    """A download name from the view and the date, e.g. `quotes-2026-11-25.csv`; safe characters only."""
    ascii_view = unicodedata.normalize("NFKD", view).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_view.lower()).strip("-")[:60].strip("-") or "export"
    suffix = re.sub(r"[^a-z0-9]", "", ext.lower()) or "dat"
    return f"{slug}-{(today or dt.date.today()).isoformat()}.{suffix}"


Exporter = Callable[[pd.DataFrame, str], bytes]

# Label shown on the button -> (file extension, MIME type, function).
FORMATS: dict[str, tuple[str, str, Exporter]] = {
    "CSV": ("csv", "text/csv", to_csv),
    "Excel": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
    "JSON": ("json", "application/json", to_json),
}


# --- cell values -----------------------------------------------------------------------------
def _rows(df: pd.DataFrame, flat: bool) -> Iterator[list]:
    """Rows of plain Python values: ISO date strings, None for missing, lists kept or joined."""
    converters = [_converter(df[c] if df.columns.is_unique else df.iloc[:, i], flat) for i, c in enumerate(df.columns)]
    for values in df.itertuples(index=False, name=None):
        yield [convert(v) for convert, v in zip(converters, values)]


def _converter(column: pd.Series, flat: bool) -> Callable[[object], object]:
    # A datetime column whose values are all at midnight holds dates (DuckDB returns DATE as
    # datetime64), so it exports as YYYY-MM-DD rather than with a meaningless time.
    dates_only = False
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        present = column.dropna()
        dates_only = present.empty or bool((present == present.dt.normalize()).all())

    # float32 (e.g. topic scores) via its shortest text, so 0.1 exports as 0.1,
    # not as the float64 widening 0.10000000149011612.
    single = column.dtype == np.float32

    def convert(value: object) -> object:
        if single and isinstance(value, float) and math.isfinite(value):
            value = np.float32(value)
        return _plain(value, flat, dates_only)

    return convert


def _plain(value: object, flat: bool, dates_only: bool = False) -> object:
    if isinstance(value, (list, tuple, np.ndarray)):
        items = [_plain(v, flat) for v in value]
        return "; ".join("" if v is None else str(v) for v in items) if flat else items
    if isinstance(value, dict):
        items = {str(k): _plain(v, flat=False) for k, v in value.items()}
        return json.dumps(items, ensure_ascii=False) if flat else items
    if value is None or value is pd.NaT or (not isinstance(value, str) and _is_missing(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if dates_only else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.float32):
        value = float(str(value))
    elif isinstance(value, np.floating):
        value = float(value)
    if isinstance(value, float) and math.isinf(value):
        return None  # JSON has no infinity; a spreadsheet would show text anyway
    if isinstance(value, (str, int, float)):
        return value
    return str(value)


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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

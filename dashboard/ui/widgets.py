"""Page building blocks: clickable charts, tables with downloads, friendly empty states."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, urlencode

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from dashboard import charts, export, export_files, queries, settings
from dashboard.filters import Filters
from dashboard.ui import sidebar
from dashboard.ui.data import View, on_cursor

MAX_SHOWN = 5000
SIZE_SAMPLE = 1000  # rows of the shown table written as CSV to estimate a large export's size


def _apply_click(key: str, field: str) -> None:
    # A callback runs before the script, so the sidebar widgets can still take the new value.
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    values = []
    for point in points:
        data = point.get("customdata")
        value = data[0] if isinstance(data, (list, tuple)) and data else data
        if isinstance(value, str) and value:
            values.append(value)
    if values:
        sidebar.add_to_filter(field, values)


def chart(figure: go.Figure, key: str, filter_field: str | None = None) -> None:
    """Show a Plotly figure; when `filter_field` is given, clicking a bar adds its value to that filter.

    The figure's traces must carry the filter value as customdata[0] (dashboard.charts does).
    """
    if filter_field is None:
        st.plotly_chart(figure, key=key, width="stretch")
        return
    st.plotly_chart(
        figure,
        key=key,
        width="stretch",
        on_select=functools.partial(_apply_click, key, filter_field),
        selection_mode="points",
    )
    st.caption(f"Click a bar, cell or point to add it to the {filter_field.replace('_', ' ')} filter.")


@dataclass(frozen=True)
class FullTable:
    """Every row of a long table: `query(view.con, view.filters, *args)` without a limit."""

    view: View
    query: Callable[..., pd.DataFrame]
    args: tuple

    def frame(self) -> pd.DataFrame:
        """All rows as one DataFrame (small exports)."""
        return on_cursor(self.view.con, self.query, self.view.filters, *self.args, None)

    def write(self, ext: str, out: BinaryIO, on_rows: Callable[[int], None] | None = None) -> int:
        """Write all rows in format `ext` to `out` batch by batch (large exports); returns the rows written."""

        def run(cursor: duckdb.DuckDBPyConnection) -> int:
            reader = queries.stream(cursor, self.query, self.view.filters, *self.args)
            if on_rows is not None:
                reader = _counting(reader, on_rows)
            return export.WRITERS[ext](reader, self.view.filters.describe(), out)

        return on_cursor(self.view.con, run)  # the reader is read to its end on its own cursor

    def export_path(self, view_name: str, ext: str) -> Path:
        """Where this table's prepared `ext` file lives in the store's exports/ folder."""
        identity = repr((self.query.__name__, self.args, self.view.filters))
        return export_files.path(self.view.store_dir, self.view.manifest["snapshot"], view_name, identity, ext)


def _counting(reader: pa.RecordBatchReader, on_rows: Callable[[int], None]) -> pa.RecordBatchReader:
    def batches():
        done = 0
        for batch in reader:
            yield batch
            done += batch.num_rows
            on_rows(done)

    return pa.RecordBatchReader.from_batches(reader.schema, batches())


def downloads(
    frame: pd.DataFrame,
    view_name: str,
    filters: Filters,
    key: str,
    rows: int | None = None,
    full: FullTable | None = None,
) -> None:
    """CSV, Excel and JSON buttons for exactly the filtered rows, carrying the filter description.

    Up to settings.large_export_rows() rows, the files are made in memory only when clicked
    (deferred data) and a click does not rerun the page, so filters and selections stay as they
    are. `full`, when given, reads all rows at that moment (the page itself only holds the first
    ones); `rows` is their number. Above the threshold a file is prepared on disk first (see
    `_file_downloads`).
    """
    rows = len(frame) if rows is None else rows
    if full is not None and rows > settings.large_export_rows():
        _file_downloads(frame, view_name, key, rows, full)
        return
    description = filters.describe()
    everything = full.frame if full is not None and rows > len(frame) else lambda: frame
    columns = st.columns(len(export.FORMATS) + 2)
    for column, (label, (ext, mime, to_bytes)) in zip(columns, export.FORMATS.items()):
        column.download_button(
            label,
            data=lambda fn=to_bytes: fn(everything(), description),
            file_name=export.filename(view_name, ext),
            mime=mime,
            key=f"{key}_{ext}",
            on_click="ignore",
            icon=":material/download:",
        )
    columns[-2].caption(f"{rows:,} row{'' if rows == 1 else 's'}")


def _file_downloads(head: pd.DataFrame, view_name: str, key: str, rows: int, full: FullTable) -> None:
    """A large export: "Prepare" writes the file under exports/ (batch by batch, with progress), then
    the button downloads it. A file already prepared for the same snapshot, query and filters is reused.
    """
    sample = head.head(SIZE_SAMPLE)
    estimate = len(export.to_csv(sample, "")) / max(len(sample), 1) * rows
    st.caption(
        f"{rows:,} rows: too many to build on a click, so each file is first written on the server "
        f"(about {export_files.size_text(estimate)} as CSV), then downloaded."
    )
    for column, (label, (ext, mime, _)) in zip(st.columns(len(export.FORMATS) + 1), export.FORMATS.items()):
        target = full.export_path(view_name, ext)
        slot = column.empty()  # the prepare button, replaced by the download button once the file exists
        if not target.is_file() and slot.button(
            f"Prepare {label} file", key=f"{key}_{ext}_prepare", icon=":material/description:"
        ):
            with column:
                _prepare(full, target, ext, label, rows)
        if target.is_file():
            slot.download_button(
                f"{label} · {export_files.size_text(target.stat().st_size)}",
                data=functools.partial(_file_bytes, full, target, ext),
                file_name=export.filename(view_name, ext),
                mime=mime,
                key=f"{key}_{ext}",
                on_click="ignore",
                icon=":material/download:",
            )


def _prepare(full: FullTable, target: Path, ext: str, label: str, rows: int) -> None:
    bar = st.progress(0.0, text=f"Writing {rows:,} rows…")

    def on_rows(done: int) -> None:
        bar.progress(min(done / rows, 1.0) if rows else 1.0, text=f"Writing {done:,} of {rows:,} rows…")

    try:
        export_files.prepare(target, lambda out: full.write(ext, out, on_rows))
    except (OSError, duckdb.Error) as err:
        st.error(f"The {label} file could not be written: {err}", icon=":material/error:")
    finally:
        bar.empty()
    export_files.clean_up(full.view.store_dir, full.view.manifest["snapshot"])


def _file_bytes(full: FullTable, target: Path, ext: str) -> bytes:
    # Runs on the download's own thread when clicked. Streamlit 1.67 serves a download only from
    # bytes held in its in-memory media storage, so the whole file is read here, once; it is
    # dropped after later script runs (docs/dashboard.md gives the exact cost). A file removed in
    # the meantime (clean-up by another session) is written again first.
    return export_files.prepare(target, lambda out: full.write(ext, out)).read_bytes()


def links_to_articles(article_ids: pd.Series, filters: Filters) -> pd.Series:
    """Relative links opening each article on the Articles page, keeping the filters."""
    prefix = "articles?" + urlencode({**filters.to_params(), "article": ""}, doseq=True)
    # One string concatenation for the whole column: tables can hold 60,000 quotes.
    return prefix + article_ids.astype(str).map(quote)


def table(
    frame: pd.DataFrame,
    view_name: str,
    filters: Filters,
    key: str,
    column_config: dict | None = None,
    select: bool = False,
    height: int | str = "auto",
    article_links: bool = False,
    rows: int | None = None,
    full: FullTable | None = None,
):
    """A sortable table of `frame` with its download buttons; returns the selection when `select`.

    `article_links` adds an "open" column linking each row's article (shown only, not downloaded).
    `rows` and `full`: the table has more rows than `frame` holds (see query_table).
    """
    options = dict(on_select="rerun", selection_mode="single-row") if select else {}
    # The browser gets at most MAX_SHOWN rows (60,000 quotes would take seconds to send and draw);
    # the downloads always hold every row.
    shown, config = frame.head(MAX_SHOWN), dict(column_config or {})
    if "date" in frame.columns and "date" not in config:
        config["date"] = st.column_config.DateColumn("date", format="YYYY-MM-DD")
    if article_links and "article_id" in frame.columns:
        shown = shown.assign(open=links_to_articles(shown["article_id"], filters))[["open", *frame.columns]]
        config["open"] = st.column_config.LinkColumn("open", display_text="article ↗", width="small")
    if isinstance(height, int) and 35 * (len(shown) + 1) < height:
        height = "auto"  # no empty grid below a few rows
    event = st.dataframe(
        shown, hide_index=True, key=key, column_config=config, width="stretch", height=height, **options
    )
    total = len(frame) if rows is None else rows
    if total > len(shown):
        st.caption(
            f"Showing the first {len(shown):,} of {total:,} rows; the downloads hold all of them. "
            "Narrow the filters to see the others here."
        )
    downloads(frame, view_name, filters, key, total, full)
    return event if select else None


def query_table(
    view: View,
    query: Callable[..., pd.DataFrame],
    args: tuple,
    view_name: str,
    key: str,
    total: int | None = None,
    **options,
):
    """A table of `query(con, filters, *args, limit)`: the page fetches the first MAX_SHOWN rows and
    their total, the downloads read every row (in memory when clicked, or into a prepared file when
    there are many). Options as for `table`.

    `total`: the number of rows without a limit when the page already has it (from a cached count);
    else it is counted by queries.table_size when the first rows fill the table.
    """
    head = view.get(query, *args, MAX_SHOWN)
    rows = len(head)
    if rows >= MAX_SHOWN:
        rows = int(view.get(queries.table_size, query.__name__, *args).iloc[0]["rows"]) if total is None else total
    return table(head, view_name, view.filters, key, rows=rows, full=FullTable(view, query, args), **options)


PERIODS = ("week", "month", "quarter", "year")


def period(view: View, label: str, key: str, options: tuple[str, ...] = PERIODS, where=st) -> str:
    """A "per week / month / ..." control for a time chart; it starts at the period that suits the dates
    shown (the filter's range, else the corpus's: charts.default_period), which is also the answer when
    the user clears the choice."""
    span = sidebar.corpus_dates(view)
    chosen = view.filters
    default = charts.default_period(chosen.start or span[0], chosen.end or span[1], options) if span else "month"
    return where.segmented_control(label, list(options), default=default, key=key) or default


def topic_colors(view: View) -> dict[str, str]:
    """One colour per topic of the whole store, so a topic has the same colour on every page and filter."""
    return charts.series_colors(view.raw(queries.topic_choices)["topic"])


def empty(message: str) -> None:
    """A friendly note where a chart or table has nothing to show."""
    st.info(message, icon=":material/info:")


def no_results(filters: Filters) -> None:
    """The message for filters that match no article, with a way out."""
    st.warning(
        f"No articles match these filters ({filters.describe()}). Widen the date range, remove a "
        "speaker, entity or topic, or clear the search text.",
        icon=":material/search_off:",
    )
    st.button(
        "Clear all filters", key="empty_clear", on_click=sidebar.clear_all, args=(st.session_state.get(sidebar.SPAN),)
    )


@st.cache_data(max_entries=64, show_spinner="Drawing the word cloud…")
def _cloud_png(frequencies: tuple[tuple[str, float], ...], width: int, height: int) -> bytes:
    from dashboard import wordclouds

    return wordclouds.to_png(wordclouds.render(dict(frequencies), width=width, height=height))


def word_cloud(frequencies: dict[str, float], view_name: str, key: str, width: int = 1000, height: int = 500) -> None:
    """Draw a word cloud of these frequencies with a PNG download (or a note when there is nothing to draw)."""
    items = tuple(
        sorted(((str(k), float(v)) for k, v in frequencies.items() if v and v > 0), key=lambda kv: (-kv[1], kv[0]))
    )
    if not items:
        empty("No words to draw for this choice.")
        return
    try:
        png = _cloud_png(items, width, height)
    except ValueError as err:  # e.g. nothing left to draw after stop words
        empty(f"No word cloud: {err}")
        return
    st.image(png, width="stretch")
    st.download_button(
        "PNG",
        data=png,
        file_name=export.filename(view_name, "png"),
        mime="image/png",
        key=f"{key}_png",
        on_click="ignore",
        icon=":material/download:",
    )

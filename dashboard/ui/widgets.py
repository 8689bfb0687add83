"""Page building blocks: clickable charts, tables with downloads, friendly empty states."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import quote, urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts, export, queries
from dashboard.filters import Filters
from dashboard.ui import sidebar
from dashboard.ui.data import View, on_cursor

MAX_SHOWN = 5000


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


def downloads(
    frame: pd.DataFrame,
    view_name: str,
    filters: Filters,
    key: str,
    rows: int | None = None,
    everything: Callable[[], pd.DataFrame] | None = None,
) -> None:
    """CSV, Excel and JSON buttons for exactly the filtered rows, carrying the filter description.

    The files are made only when clicked (deferred data) and a click does not rerun the page, so
    filters and selections stay as they are. `everything`, when given, fetches all rows at that
    moment (the page itself only holds the first ones); `rows` is their number.
    """
    description = filters.describe()
    columns = st.columns(len(export.FORMATS) + 2)
    for column, (label, (ext, mime, to_bytes)) in zip(columns, export.FORMATS.items()):
        column.download_button(
            label,
            data=lambda fn=to_bytes: fn(everything() if everything else frame, description),
            file_name=export.filename(view_name, ext),
            mime=mime,
            key=f"{key}_{ext}",
            on_click="ignore",
            icon=":material/download:",
        )
    rows = len(frame) if rows is None else rows
    columns[-2].caption(f"{rows:,} row{'' if rows == 1 else 's'}")


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
    everything: Callable[[], pd.DataFrame] | None = None,
):
    """A sortable table of `frame` with its download buttons; returns the selection when `select`.

    `article_links` adds an "open" column linking each row's article (shown only, not downloaded).
    `rows` and `everything`: the table has more rows than `frame` holds (see query_table).
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
    downloads(frame, view_name, filters, key, total, everything)
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
    their total, the download buttons fetch every row when clicked. Options as for `table`.

    `total`: the number of rows without a limit when the page already has it (from a cached count);
    else it is counted by queries.table_size when the first rows fill the table.
    """
    head = view.get(query, *args, MAX_SHOWN)
    rows = len(head)
    if rows >= MAX_SHOWN:
        rows = int(view.get(queries.table_size, query.__name__, *args).iloc[0]["rows"]) if total is None else total
    con, filters = view.con, view.filters

    def everything() -> pd.DataFrame:
        return on_cursor(con, query, filters, *args, None)  # runs on the download's own thread

    return table(
        head, view_name, view.filters, key, rows=rows, everything=everything if rows > len(head) else None, **options
    )


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

"""DataFrame -> Plotly figure (and article text -> safe highlighted HTML). Pure functions, no streamlit.

Bars that stand for a speaker, entity or topic carry that value as `customdata[0]`, which is how a
click on a bar becomes a filter (dashboard/ui reads it back).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence

import pandas as pd
import plotly.graph_objects as go

HEIGHT = 380
PALETTE = ("#1c7ed6", "#2f9e44", "#ae3ec9", "#f08c00", "#0c8599", "#e03131", "#5c940d", "#6741d9", "#868e96")
# Series colours (topics): 20 hues ordered so that the first dozen stay far apart; the taxonomy has 14 tags.
SERIES_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#0b2e6b",
    "#f5c400",
    "#7a0177",
    "#00a087",
    "#ff9896",
    "#4d4d00",
    "#98df8a",
    "#aec7e8",
    "#c49c94",
    "#000000",
)
_MARGIN = dict(l=10, r=10, t=40, b=10)
PERIOD_LABELS = {"day": "Day", "week": "Week (starting Monday)", "month": "Month", "quarter": "Quarter", "year": "Year"}
_PERIOD_DAYS = {"day": 1, "week": 7, "month": 30.4, "quarter": 91.3, "year": 365.25}
_TICKS = {"day": "%d %b %Y", "week": "%d %b %Y", "month": "%b %Y", "quarter": "Q%q %Y", "year": "%Y"}
_MIN_TICK = {"month": "M1", "quarter": "M3", "year": "M12"}
_DAY_MS = 86_400_000
# pandas offsets matching DuckDB's date_trunc: weeks start on Monday, quarters in January.
_OFFSETS = {"day": "D", "week": "W-MON", "month": "MS", "quarter": "QS-JAN", "year": "YS"}
# Beyond this many periods on the axis a bar is a pixel or two wide: when most periods are empty, a dot on
# each bar's top keeps the lone bars visible (a full chart is a visible area anyway).
_DOTS_AFTER = {"wide": 120, "panel": 40}


# A time chart's default period: the finest of month and coarser that puts at most this many on the axis.
# A year of news gets months (as before); an archive of decades gets quarters or years, whose chart is
# readable and a fraction of the size to send and draw (53 years by month is 636 points per series).
MOST_DEFAULT_PERIODS = 150


def default_period(first: dt.date, last: dt.date, options: Sequence[str]) -> str:
    """The period a time chart starts with for dates first..last, among `options` (names of PERIODS).

    Month when it fits (never finer: a user asks for days or weeks), else the next coarser option that
    keeps the axis under MOST_DEFAULT_PERIODS, else the coarsest offered.
    """
    order = list(_PERIOD_DAYS)
    candidates = [p for p in order if p in options and order.index(p) >= order.index("month")]
    if not candidates:
        return max(options, key=order.index)
    days = (last - first).days + 1
    for period in candidates:
        if days / _PERIOD_DAYS[period] <= MOST_DEFAULT_PERIODS:
            return period
    return candidates[-1]


def series_colors(names: Iterable[str]) -> dict[str, str]:
    """One colour per name, in the order given (pass the store's topic list so every chart agrees)."""
    names = list(dict.fromkeys(names))
    return {name: SERIES_PALETTE[i % len(SERIES_PALETTE)] for i, name in enumerate(names)}


def _span_periods(periods: pd.Series, freq: str) -> pd.DatetimeIndex:
    """Every period from the first to the last of `periods`, including the empty ones."""
    if not len(periods):
        return pd.DatetimeIndex([])
    return pd.date_range(pd.Timestamp(periods.min()), pd.Timestamp(periods.max()), freq=_OFFSETS.get(freq, "MS"))


def _zero_filled(rows: pd.DataFrame, value: str, span: pd.DatetimeIndex) -> pd.DataFrame:
    """A count series over every period of `span`, 0 where nothing was counted, and whether it was counted."""
    counted = rows.assign(period=pd.to_datetime(rows["period"])).groupby("period")[value].sum()
    full = counted.reindex(span.union(counted.index), fill_value=0)
    return pd.DataFrame({"period": full.index, value: full.to_numpy(), "counted": full.index.isin(counted.index)})


def _broken_at_gaps(rows: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Rows with an empty row inserted after each run of consecutive periods, so a line breaks there."""
    rows = rows.assign(period=pd.to_datetime(rows["period"])).sort_values("period")
    after = rows["period"] + pd.tseries.frequencies.to_offset(_OFFSETS.get(freq, "MS"))
    gaps = after.iloc[:-1][after.iloc[:-1].to_numpy() < rows["period"].iloc[1:].to_numpy()]
    if not len(gaps):
        return rows
    empty = pd.DataFrame({"period": gaps.to_numpy()})
    return pd.concat([rows, empty], ignore_index=True).sort_values("period", kind="stable")


def _sparse(periods: pd.Series, freq: str, limit: int) -> bool:
    """Whether bars over `periods` would be slivers lost on a long, mostly empty axis."""
    span = len(_span_periods(periods, freq))
    return span > limit and periods.nunique() < span / 2


def _dots(fig: go.Figure, x, y, color: str, **where) -> None:
    """A dot on each bar's top when the axis spans so many periods that bars are too thin to see."""
    fig.add_scatter(
        x=x,
        y=y,
        mode="markers",
        marker=dict(color=color, size=7),
        showlegend=False,
        hoverinfo="skip",
        cliponaxis=False,
        **where,
    )  # a count of 1 beside 10,000 sits on the axis


def _time_axis(fig: go.Figure, periods: pd.Series, freq: str) -> None:
    """Label periods as periods, and pad the axis by half a period so one bar is not a wall."""
    if len(periods):
        pad = pd.Timedelta(days=_PERIOD_DAYS.get(freq, 30) * 0.6)
        low, high = pd.Timestamp(periods.min()) - pad, pd.Timestamp(periods.max()) + pad
        fig.update_xaxes(range=[low, high])
        if freq in _MIN_TICK and high - low < pd.Timedelta(days=_PERIOD_DAYS[freq] * 12):
            fig.update_xaxes(dtick=_MIN_TICK[freq])  # no repeated "Jan 1987" ticks on short spans
    fig.update_xaxes(type="date", tickformat=_TICKS.get(freq, "%d %b %Y"), title_text=PERIOD_LABELS.get(freq, freq))


def _count_axis(fig: go.Figure, values: pd.Series, axis: str = "y") -> None:
    # Counts are whole numbers: no 0.2-steps on small axes.
    top = float(values.max()) if len(values) else 0
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(rangemode="tozero", **({"dtick": 1} if top <= 6 and values.dtype.kind in "iu" else {}))


def _safe(text: object) -> str:
    # Plotly renders labels as a small subset of HTML: names from articles must stay text.
    return html.escape(str(text), quote=False)


def _labels(values: Iterable) -> list[str]:
    return [_safe(v) for v in values]


def _layout(fig: go.Figure, title: str, height: int = HEIGHT, top: int = 40, **extra) -> go.Figure:
    fig.update_layout(
        title=dict(text=_safe(title), x=0, xanchor="left"),
        height=height,
        margin={**_MARGIN, "t": top},
        hoverlabel=dict(namelength=-1),
        **extra,
    )
    return fig


def bars(
    frame: pd.DataFrame, label: str, value: str, title: str, color: str | None = None, hover: Iterable[str] = ()
) -> go.Figure:
    """Horizontal bars, largest on top; each bar carries its label as customdata[0]."""
    frame = frame.iloc[::-1]  # Plotly draws the first category at the bottom
    hover = list(hover)
    custom = frame[[label, *hover]].to_numpy()
    hover_text = "<br>".join(f"{h}: %{{customdata[{i + 1}]}}" for i, h in enumerate(hover))
    fig = go.Figure(
        go.Bar(
            x=frame[value],
            y=_labels(frame[label]),
            orientation="h",
            customdata=custom,
            marker_color=color,
            hovertemplate=f"<b>%{{y}}</b><br>{value}: %{{x:,}}"
            + (f"<br>{hover_text}" if hover else "")
            + "<extra></extra>",
        )
    )
    fig.update_yaxes(type="category", automargin=True)
    fig.update_xaxes(title_text=value)
    _count_axis(fig, frame[value], "x")
    return _layout(
        fig,
        title,
        height=min(HEIGHT, 90 + 40 * len(frame)) if len(frame) < 8 else 26 * len(frame) + 90,
        clickmode="event+select",
    )


def over_time(
    frame: pd.DataFrame, value: str, title: str, freq: str = "month", series: str | None = None, kind: str = "bar"
) -> go.Figure:
    """Counts per period: bars (one series) or lines (one per value of `series`)."""
    fig = go.Figure()
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    if kind == "bar":
        dots = _sparse(frame["period"], freq, _DOTS_AFTER["wide"])
    else:
        span = _span_periods(frame["period"], freq)
    for i, (name, rows) in enumerate(groups):
        color = PALETTE[0] if series is None else SERIES_PALETTE[i % len(SERIES_PALETTE)]
        if kind == "bar":
            fig.add_bar(
                x=rows["period"],
                y=rows[value],
                name=str(name) if name is not None else value,
                width=_PERIOD_DAYS.get(freq, 30) * _DAY_MS * 0.8,
                marker_color=color,
            )
            if dots:
                _dots(fig, rows["period"], rows[value], color)
        else:
            # A period without a mention is a count of 0, not a line drawn across it; dots only where counted.
            full = _zero_filled(rows, value, span)
            fig.add_scatter(
                x=full["period"],
                y=full[value],
                mode="lines+markers",
                name=_safe(name),
                line=dict(color=color),
                marker=dict(color=color, size=[7 if c else 0 for c in full["counted"]]),
                customdata=[[name]] * len(full),
            )
    _time_axis(fig, frame["period"], freq)
    _count_axis(fig, frame[value])
    fig.update_yaxes(title_text=value)
    return _layout(fig, title, showlegend=series is not None, legend=dict(orientation="h", y=-0.2))


def small_multiples(
    frame: pd.DataFrame, series: str, value: str, title: str, freq: str = "month", columns: int = 3
) -> go.Figure:
    """One small bar chart per value of `series`, side by side with a shared y axis (compare speakers)."""
    from plotly.subplots import make_subplots

    names = list(dict.fromkeys(frame[series]))
    rows = max(1, -(-len(names) // columns))
    fig = make_subplots(
        rows=rows,
        cols=min(columns, max(len(names), 1)),
        subplot_titles=_labels(names),
        shared_yaxes=True,
        shared_xaxes=True,
        vertical_spacing=0.12,
    )
    dots = _sparse(frame["period"], freq, _DOTS_AFTER["panel"])
    for i, name in enumerate(names):
        part = frame[frame[series] == name]
        where = dict(row=i // columns + 1, col=i % columns + 1)
        fig.add_bar(
            x=part["period"],
            y=part[value],
            name=name,
            customdata=[[name]] * len(part),
            width=_PERIOD_DAYS.get(freq, 30) * _DAY_MS * 0.8,
            marker_color=PALETTE[0],
            hovertemplate=f"{_safe(name)}<br>%{{x}}: %{{y}}<extra></extra>",
            **where,
        )
        if dots:
            _dots(fig, part["period"], part[value], PALETTE[0], **where)
    _time_axis(fig, frame["period"], freq)
    fig.update_xaxes(title_text=None)
    _count_axis(fig, frame[value])
    return _layout(fig, title, height=max(HEIGHT, 260 * rows), top=80, showlegend=False)


def shares(
    frame: pd.DataFrame, title: str, freq: str = "month", series: str = "topic", colors: dict[str, str] | None = None
) -> go.Figure:
    """Share of articles per period for each `series` value, as lines (tags overlap, so no stacking).

    A period without articles has no share: the line breaks there instead of bridging it. `colors`
    (from series_colors over the whole store) keeps a topic's colour the same in every chart.
    """
    fig = go.Figure()
    colors = colors or {}
    fallback = series_colors(sorted(set(frame[series]) - set(colors)))
    for name, rows in frame.groupby(series, sort=False):
        rows = _broken_at_gaps(rows, freq)
        color = colors.get(name) or fallback[name]
        fig.add_scatter(
            x=rows["period"],
            y=rows["share"],
            mode="lines+markers",
            name=_safe(name),
            line=dict(color=color),
            marker=dict(color=color),
            connectgaps=False,
            customdata=[[name, a] for a in rows["articles"]],
            hovertemplate="<b>%{fullData.name}</b><br>%{x}: %{y:.0%} (%{customdata[1]} articles)<extra></extra>",
        )
    fig.update_yaxes(tickformat=".0%", title_text=f"share of articles per {freq}", rangemode="tozero")
    _time_axis(fig, frame["period"], freq)
    # The period is named on the y axis: an x-axis title collides with a many-row legend in a narrow column.
    fig.update_xaxes(title_text=None)
    # Plotly hides the legend of a single line, which then has no name: always show it.
    # The legend wraps to about two names a row in a half-width column: grow the figure so the plot keeps its height.
    return _layout(
        fig,
        title,
        height=HEIGHT + 22 * -(-len(fig.data) // 2),
        showlegend=True,
        legend=dict(orientation="h", yanchor="top", y=-0.12),
    )


GENDER_COLORS = {"female": "#d6336c", "male": "#1c7ed6", "unknown": "#adb5bd"}


def gender_shares(frame: pd.DataFrame, by: str, title: str, freq: str | None = None) -> go.Figure:
    """Stacked shares of quotes by gender (female, male, unknown) per `by` value: per period (`freq`
    given, vertical bars on a time axis) or per outlet (horizontal bars, largest first)."""
    fig = go.Figure()
    over_time = freq is not None
    for gender, color in GENDER_COLORS.items():
        rows = frame[frame["gender"] == gender]
        where = rows["period"] if over_time else _labels(rows[by])
        fig.add_bar(
            x=where if over_time else rows["share"],
            y=rows["share"] if over_time else where,
            orientation="v" if over_time else "h",
            name=gender,
            marker_color=color,
            customdata=rows[["quotes"]].to_numpy(),
            width=_PERIOD_DAYS.get(freq, 30) * _DAY_MS * 0.8 if over_time else None,
            hovertemplate=f"<b>{gender}</b><br>%{{{'x' if over_time else 'y'}}}: "
            f"%{{{'y' if over_time else 'x'}:.0%}} (%{{customdata[0]:,}} quotes)<extra></extra>",
        )
    share_axis = dict(tickformat=".0%", range=[0, 1], title_text="share of person quotes")
    if over_time:
        fig.update_yaxes(**share_axis)
        _time_axis(fig, frame["period"], freq)
        fig.update_xaxes(title_text=None)
    else:
        fig.update_xaxes(**share_axis)
        order = list(dict.fromkeys(_labels(frame[by])))
        fig.update_yaxes(type="category", categoryorder="array", categoryarray=order[::-1], automargin=True)
    height = HEIGHT if over_time else max(200, 90 + 36 * frame[by].nunique())
    return _layout(fig, title, height=height, barmode="stack", showlegend=True, legend=dict(orientation="h", y=-0.15))


def heatmap(frame: pd.DataFrame, rows: str, columns: str, value: str, title: str) -> go.Figure:
    """A rows x columns grid coloured by `value` (missing pairs are 0); a click carries the row value."""
    grid = frame.pivot_table(index=rows, columns=columns, values=value, aggfunc="sum", fill_value=0)
    grid = grid.loc[
        grid.sum(axis=1).sort_values(ascending=False).index, grid.sum(axis=0).sort_values(ascending=False).index
    ]
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=_labels(grid.columns),
            y=_labels(grid.index),
            colorscale="Blues",
            hoverongaps=False,
            hoverinfo="skip",
            # Plotly ignores zmin unless zmax is set too (zauto stays on).
            zmin=0,
            zmax=max(1, float(grid.to_numpy().max(initial=0))),
        )
    )
    # Streamlit's chart selection returns nothing for heatmap cells (streamlit/streamlit#8760), so
    # every cell also carries an invisible marker: hovering and clicking land on it, and a click
    # hands its customdata to the filter like a bar's.
    cells = grid.stack().reset_index()
    cells.columns = ["row", "column", "value"]
    fig.add_scatter(
        x=_labels(cells["column"]),
        y=_labels(cells["row"]),
        mode="markers",
        showlegend=False,
        marker=dict(size=18, symbol="square", opacity=0),
        customdata=cells[["row", "column"]].to_numpy(),
        hovertemplate=f"%{{y}} · %{{x}}<br>{value}: %{{text}}<extra></extra>",
        text=cells["value"],
        selected=dict(marker=dict(opacity=0)),
        unselected=dict(marker=dict(opacity=0)),
    )
    fig.update_yaxes(autorange="reversed", type="category", automargin=True)
    fig.update_xaxes(type="category", tickangle=-35, automargin=True)
    return _layout(fig, title, height=max(HEIGHT, 26 * len(grid) + 160), clickmode="event+select", hovermode="closest")


def per_group_bars(
    frame: pd.DataFrame,
    group: str,
    label: str,
    value: str,
    title: str,
    columns: int = 3,
    group_order: Iterable[str] = (),
) -> go.Figure:
    """One bar panel per group (e.g. entity type, in `group_order`), largest on top; each bar carries its label."""
    from plotly.subplots import make_subplots

    order = {name: i for i, name in enumerate(group_order)}
    groups = sorted(dict.fromkeys(frame[group]), key=lambda g: (order.get(g, len(order)), g))
    n_rows = max(1, -(-len(groups) // columns))
    fig = make_subplots(
        rows=n_rows,
        cols=min(columns, max(len(groups), 1)),
        subplot_titles=groups,
        horizontal_spacing=0.22,
        vertical_spacing=0.08,
    )
    for i, name in enumerate(groups):
        part = frame[frame[group] == name].iloc[::-1]
        fig.add_bar(
            x=part[value],
            y=_labels(part[label]),
            orientation="h",
            name=name,
            customdata=part[[label]].to_numpy(),
            marker_color=PALETTE[i % len(PALETTE)],
            row=i // columns + 1,
            col=i % columns + 1,
            hovertemplate=f"<b>%{{y}}</b> ({name})<br>{value}: %{{x}}<extra></extra>",
        )
    fig.update_yaxes(type="category", automargin=True)
    _count_axis(fig, frame[value], "x")
    per_panel = int(frame.groupby(group).size().max()) if len(frame) else 1
    return _layout(
        fig,
        title,
        height=max(HEIGHT, n_rows * (22 * per_panel + 90)),
        top=80,
        showlegend=False,
        clickmode="event+select",
    )


def sides_over_time(frame: pd.DataFrame, value: str, title: str, names: list[str], freq: str = "month") -> go.Figure:
    """One line per side of a comparison on one shared time axis (side i is `names[i]`, colour i).

    Every side spans the periods of all sides, 0 where it counted nothing (dots only where it did),
    so the lines can be read against each other; a side with no rows is a flat line at 0.
    """
    fig = go.Figure()
    span = _span_periods(frame["period"], freq)
    for i, name in enumerate(names):
        rows = frame[frame["side"] == i]
        full = _zero_filled(rows[["period", value]], value, span)
        color = SERIES_PALETTE[i % len(SERIES_PALETTE)]
        fig.add_scatter(
            x=full["period"],
            y=full[value],
            mode="lines+markers",
            name=_safe(name),
            line=dict(color=color),
            marker=dict(color=color, size=[7 if c else 0 for c in full["counted"]]),
            hovertemplate=f"<b>%{{fullData.name}}</b><br>%{{x}}: %{{y:,}} {value}<extra></extra>",
        )
    _time_axis(fig, frame["period"], freq)
    _count_axis(fig, frame[value])
    fig.update_yaxes(title_text=value)
    fig.update_xaxes(title_text=None)
    return _layout(fig, title, height=HEIGHT + 22 * len(names), showlegend=True, legend=dict(orientation="h", y=-0.15))


def rates(frame: pd.DataFrame, title: str, freq: str = "month", series: str | None = None) -> go.Figure:
    """Matching articles per 1,000 articles per period (`per_1000`, `articles`, `total`), a line per `series` value.

    A period without articles has no rate, so the line breaks there instead of bridging it.
    """
    fig = go.Figure()
    groups = [("all filtered articles", frame)] if series is None else list(frame.groupby(series, sort=False))
    for i, (name, rows) in enumerate(groups):
        rows = _broken_at_gaps(rows, freq)
        color = SERIES_PALETTE[i % len(SERIES_PALETTE)]
        fig.add_scatter(
            x=rows["period"],
            y=rows["per_1000"],
            mode="lines+markers",
            name=_safe(name),
            line=dict(color=color),
            marker=dict(color=color),
            connectgaps=False,
            customdata=rows[["articles", "total"]].to_numpy(),
            hovertemplate="<b>%{fullData.name}</b><br>%{x}: %{y:,.1f} per 1,000 "
            "(%{customdata[0]} of %{customdata[1]} articles)<extra></extra>",
        )
    _time_axis(fig, frame["period"], freq)
    fig.update_xaxes(title_text=None)
    fig.update_yaxes(title_text="articles per 1,000", rangemode="tozero")
    return _layout(
        fig,
        title,
        height=HEIGHT + 22 * -(-len(fig.data) // 2),
        showlegend=True,
        legend=dict(orientation="h", yanchor="top", y=-0.12),
    )


# --- article text ------------------------------------------------------------------------------

ENTITY_CLASSES = {
    "PERSON": "ent-person",
    "ORG": "ent-org",
    "GPE": "ent-place",
    "LOC": "ent-place",
    "NORP": "ent-other",
    "EVENT": "ent-other",
    "FAC": "ent-place",
    "LAW": "ent-other",
    "PRODUCT": "ent-other",
}

ARTICLE_CSS = """
<style>
.article-text {line-height: 1.65; font-size: 1.02rem; max-width: 60rem;}
.article-text mark {padding: 0 .15em; border-radius: .2em;}
.article-text mark.quote {background: #fff3bf; padding: 0;}
.article-text .speaker {font-size: .72rem; font-weight: 600; background: #f59f00; color: #fff;
  border-radius: .6em; padding: .05em .5em; margin-right: .3em; white-space: nowrap;}
.article-text .speaker.unknown {background: #868e96;}
.article-text .ent-person {background: #d0ebff;} .article-text .ent-org {background: #d3f9d8;}
.article-text .ent-place {background: #f3d9fa;} .article-text .ent-other {background: #e9ecef;}
</style>
"""


_OPENING_MARKS = "\"'`“‘«„‚‹"


def _entity_pattern(names: Iterable[str]) -> re.Pattern | None:
    names = sorted({n for n in names if isinstance(n, str) and len(n.strip()) > 1}, key=len, reverse=True)
    if not names:
        return None
    # Longest first so "Bank of England" wins over "England"; word edges so "Roe" misses "Roes".
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def _highlight_entities(segment: str, pattern: re.Pattern | None, labels: dict[str, str]) -> str:
    if pattern is None:
        return html.escape(segment)
    out, last = [], 0
    for match in pattern.finditer(segment):
        out.append(html.escape(segment[last : match.start()]))
        name = match.group(0)
        label = labels.get(name, "")
        out.append(
            f'<mark class="{ENTITY_CLASSES.get(label, "ent-other")}" title="{html.escape(label)}">'
            f"{html.escape(name)}</mark>"
        )
        last = match.end()
    out.append(html.escape(segment[last:]))
    return "".join(out)


def speaker_badge(speaker: object, role: object = None) -> str:
    """What the article view writes beside a quote: the speaker, else the role the text gives
    ('officials, unnamed'), else 'speaker unknown'."""
    if isinstance(speaker, str) and speaker:
        return speaker
    if isinstance(role, str) and role:
        return f"{role}, unnamed"
    return "speaker unknown"


def article_html(text: str, quotes: pd.DataFrame, mentions: pd.DataFrame) -> str:
    """The article body as HTML: every character escaped, quotes marked with their speaker, entities coloured.

    `quotes` needs start_char, end_char, speaker (speaker_role, if there, names the unnamed);
    `mentions` needs name, label. Quotes that overlap an
    earlier one are left unmarked (their rows still list them).
    """
    text = text or ""
    labels = {}
    for name, label in zip(mentions.get("name", []), mentions.get("label", [])):
        labels.setdefault(name, label)
    pattern = _entity_pattern(labels)
    out, position = [], 0
    spans = quotes.sort_values("start_char") if len(quotes) else quotes
    roles = spans["speaker_role"] if "speaker_role" in spans else [None] * len(spans)
    for start, end, speaker, role in zip(
        spans.get("start_char", []), spans.get("end_char", []), spans.get("speaker", []), roles
    ):
        if pd.isna(start) or pd.isna(end):
            continue
        start, end = max(int(start), position), min(int(end), len(text))
        if start >= end:
            continue
        # The badge goes before the opening quotation mark, not between the mark and the words; the
        # highlight still covers exactly the stored characters.
        opening = start
        while opening > position and text[opening - 1] in _OPENING_MARKS:
            opening -= 1
        out.append(_highlight_entities(text[position:opening], pattern, labels))
        badge = html.escape(speaker_badge(speaker, role))
        known = isinstance(speaker, str) and bool(speaker)
        out.append(
            f'<span class="speaker{"" if known else " unknown"}">{badge}</span>{html.escape(text[opening:start])}'
            f'<mark class="quote" title="{badge}">{_highlight_entities(text[start:end], pattern, labels)}</mark>'
        )
        position = end
    out.append(_highlight_entities(text[position:], pattern, labels))
    # Newlines become <br> so the HTML stays one block: Markdown renderers resume parsing after a
    # blank line, and the text must never be read as Markdown or HTML.
    body = "".join(out).replace("\r\n", "\n").replace("\n", "<br>")
    return " ".join(ARTICLE_CSS.split()) + '<div class="article-text">' + body + "</div>"

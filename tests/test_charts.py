"""Chart builders: the data reaches the figure, clicks can find their value, article text stays text."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard import charts

QUOTE_COLUMNS = ["start_char", "end_char", "speaker"]


def test_bars_put_the_largest_on_top_and_carry_the_label_for_clicks():
    frame = pd.DataFrame({"speaker": ["Jane Roe", "John Doe"], "quotes": [5, 2], "articles": [3, 1]})
    fig = charts.bars(frame, "speaker", "quotes", "Top", hover=["articles"])
    bar = fig.data[0]
    assert list(bar.y) == ["John Doe", "Jane Roe"]  # Plotly draws the first category at the bottom
    assert list(bar.x) == [2, 5]
    assert [row[0] for row in bar.customdata] == ["John Doe", "Jane Roe"]
    assert [row[1] for row in bar.customdata] == [1, 3]
    assert fig.layout.title.text == "Top"


def test_over_time_bars_and_lines():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
            "entity": ["A", "A", "B"],
            "articles": [1, 2, 3],
        }
    )
    lines = charts.over_time(frame, "articles", "T", "month", series="entity", kind="line")
    assert [t.name for t in lines.data] == ["A", "B"]
    assert list(lines.data[0].y) == [1, 2]
    single = charts.over_time(frame.head(1), "articles", "T", "month")
    assert single.data[0].type == "bar"
    # One period still gets a sensible axis: padded around it, labelled as a month.
    low, high = (pd.Timestamp(v) for v in single.layout.xaxis.range)
    assert low < pd.Timestamp("2025-01-01") < high and high - low < pd.Timedelta(days=40)
    assert single.layout.xaxis.tickformat == "%b %Y"


def test_small_multiples_one_panel_per_speaker():
    frame = pd.DataFrame(
        {"period": pd.to_datetime(["2025-01-01"] * 3), "speaker": ["A", "B", "C"], "quotes": [1, 2, 3]}
    )
    fig = charts.small_multiples(frame, "speaker", "quotes", "T", columns=2)
    assert [t.name for t in fig.data] == ["A", "B", "C"]
    assert [a.text for a in fig.layout.annotations] == ["A", "B", "C"]


def test_heatmap_orders_by_totals_and_fills_missing_pairs_with_zero():
    frame = pd.DataFrame({"speaker": ["A", "A", "B"], "topic": ["x", "y", "y"], "quotes": [1, 2, 5]})
    fig = charts.heatmap(frame, "speaker", "topic", "quotes", "T")
    heat = fig.data[0]
    assert list(heat.y) == ["B", "A"] and list(heat.x) == ["y", "x"]
    assert [list(r) for r in heat.z] == [[5, 0], [2, 1]]
    # every cell, the empty one too, carries an invisible click target with its row and column
    targets = fig.data[1]
    assert targets.type == "scatter" and targets.marker.opacity == 0 and heat.hoverinfo == "skip"
    cells = {(x, y): (list(c), v) for x, y, c, v in zip(targets.x, targets.y, targets.customdata, targets.text)}
    assert cells == {
        ("y", "B"): (["B", "y"], 5),
        ("x", "B"): (["B", "x"], 0),
        ("y", "A"): (["A", "y"], 2),
        ("x", "A"): (["A", "x"], 1),
    }


def test_shares_plot_one_line_per_topic_in_percent():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2025-01-01", "2025-01-01"]),
            "topic": ["a", "b"],
            "articles": [1, 1],
            "share": [0.5, 0.5],
        }
    )
    fig = charts.shares(frame, "T")
    assert [t.name for t in fig.data] == ["a", "b"]
    assert fig.layout.yaxis.tickformat == ".0%"


def test_per_group_bars_one_panel_per_type():
    frame = pd.DataFrame({"label": ["ORG", "ORG", "GPE"], "entity": ["Acme", "Bolt", "Paris"], "articles": [3, 1, 2]})
    fig = charts.per_group_bars(frame, "label", "entity", "articles", "T")
    assert [list(t.y) for t in fig.data] == [["Paris"], ["Bolt", "Acme"]]  # groups by name without an order
    assert [r[0] for r in fig.data[1].customdata] == ["Bolt", "Acme"]
    ordered = charts.per_group_bars(frame, "label", "entity", "articles", "T", group_order=("ORG", "GPE"))
    assert [t.name for t in ordered.data] == ["ORG", "GPE"]


def test_article_html_escapes_markup_and_script():
    text = 'Intro <script>alert(1)</script> & <b>bold</b>\n\n"Hi," she said.'
    html = charts.article_html(text, pd.DataFrame(columns=QUOTE_COLUMNS), pd.DataFrame(columns=["name", "label"]))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script" not in html and "<b>" not in html
    # Paragraphs become <br>, so the HTML is one block that no Markdown renderer re-reads.
    assert "\n" not in html.split("</style>")[1] and "<br><br>" in html


def test_article_html_marks_quotes_with_their_speaker_and_entities():
    text = 'Acme Corp grew. "Acme will grow," said Jane Roe. Jane Roes are not her.'
    start = text.index("Acme will")
    quotes = pd.DataFrame(
        {"start_char": [start], "end_char": [start + len("Acme will grow,")], "speaker": ["Jane <Roe>"]}
    )
    mentions = pd.DataFrame({"name": ["Acme Corp", "Acme", "Jane Roe"], "label": ["ORG", "ORG", "PERSON"]})
    html = charts.article_html(text, quotes, mentions)
    assert '<mark class="ent-org" title="ORG">Acme Corp</mark> grew.' in html  # the longest name wins
    # The badge sits before the opening quotation mark; the highlight covers exactly the stored characters.
    assert (
        'grew. <span class="speaker">Jane &lt;Roe&gt;</span>&quot;<mark class="quote" title="Jane &lt;Roe&gt;">'
        '<mark class="ent-org" title="ORG">Acme</mark> will grow,</mark>&quot; said'
    ) in html
    assert '<mark class="ent-person" title="PERSON">Jane Roe</mark>.' in html
    assert "Jane Roes are" in html  # word edges: no highlight inside a longer word


def test_article_html_unknown_speaker_and_bad_offsets():
    text = '"Hello," someone said.'
    quotes = pd.DataFrame({"start_char": [1, 3, None], "end_char": [7, 5, 9], "speaker": [None, "X", "Y"]})
    html = charts.article_html(text, quotes, pd.DataFrame(columns=["name", "label"]))
    assert html.count('class="quote"') == 1  # the overlapping and the offset-less quotes are skipped
    assert (
        '<div class="article-text"><span class="speaker unknown">speaker unknown</span>&quot;'
        '<mark class="quote" title="speaker unknown">Hello,</mark>'
    ) in html
    assert html.endswith('" someone said.</div>'.replace('"', "&quot;"))


def test_article_html_names_the_role_of_an_unnamed_speaker():
    text = '"Prices will rise," officials said. "No," he said.'
    quotes = pd.DataFrame(
        {"start_char": [1, 37], "end_char": [18, 40], "speaker": [None, None], "speaker_role": ["officials", None]}
    )
    html = charts.article_html(text, quotes, pd.DataFrame(columns=["name", "label"]))
    assert '<span class="speaker unknown">officials, unnamed</span>' in html
    assert '<span class="speaker unknown">speaker unknown</span>' in html


def test_names_from_articles_are_escaped_in_labels_but_kept_for_clicks():
    frame = pd.DataFrame({"entity": ["<b>Acme</b>"], "articles": [1]})
    fig = charts.bars(frame, "entity", "articles", "With <i>x</i>")
    assert list(fig.data[0].y) == ["&lt;b&gt;Acme&lt;/b&gt;"]
    assert fig.data[0].customdata[0][0] == "<b>Acme</b>"
    assert fig.layout.title.text == "With &lt;i&gt;x&lt;/i&gt;"


def test_article_html_badge_before_curly_marks_and_right_before_an_unquoted_statement():
    text = "He said “Rates will fall” and that growth would slow."
    start, indirect = text.index("Rates"), text.index("growth")
    quotes = pd.DataFrame(
        {
            "start_char": [start, indirect],
            "end_char": [start + len("Rates will fall"), len(text) - 1],
            "speaker": ["Jane Roe", "Jane Roe"],
        }
    )
    html = charts.article_html(text, quotes, pd.DataFrame(columns=["name", "label"]))
    assert (
        'He said <span class="speaker">Jane Roe</span>“<mark class="quote" title="Jane Roe">Rates will fall</mark>”'
        in html
    )
    # No quotation mark before an indirect quote: the badge stays right before the highlight.
    assert (
        'and that <span class="speaker">Jane Roe</span><mark class="quote" title="Jane Roe">growth would slow</mark>.'
        in html
    )


def months(*values):
    return pd.to_datetime(list(values))


def test_shares_break_the_line_over_periods_without_articles():
    # Articles in June and October 1987 and September 2025 only: no line may join them.
    frame = pd.DataFrame(
        {
            "period": months("1987-06-01", "1987-07-01", "1987-10-01", "2025-09-01"),
            "topic": ["energy"] * 4,
            "articles": [2, 1, 3, 1],
            "share": [0.5, 0.25, 0.75, 1.0],
        }
    )
    line = charts.shares(frame, "T").data[0]
    periods = [pd.Timestamp(x) for x in line.x]
    assert line.connectgaps is False
    assert [None if pd.isna(y) else y for y in line.y] == [0.5, 0.25, None, 0.75, None, 1.0]
    assert periods[2] == pd.Timestamp("1987-08-01") and periods[4] == pd.Timestamp("1987-11-01")
    # Consecutive periods stay joined, by week too.
    weeks = pd.DataFrame(
        {"period": months("2025-01-06", "2025-01-13"), "topic": ["a", "a"], "articles": [1, 1], "share": [1.0, 0.5]}
    )
    assert list(charts.shares(weeks, "T", "week").data[0].y) == [1.0, 0.5]


def test_count_lines_drop_to_zero_in_periods_without_mentions():
    frame = pd.DataFrame(
        {"period": months("1987-06-01", "1987-09-01", "1987-06-01"), "entity": ["A", "A", "B"], "articles": [2, 4, 1]}
    )
    fig = charts.over_time(frame, "articles", "T", "month", series="entity", kind="line")
    a, b = fig.data
    assert [pd.Timestamp(x).month for x in a.x] == [6, 7, 8, 9]
    assert list(a.y) == [2, 0, 0, 4] and list(b.y) == [1, 0, 0, 0]
    assert list(a.marker.size) == [7, 0, 0, 7]  # dots only where something was counted


def test_lone_bars_on_a_long_axis_get_a_visible_dot():
    frame = pd.DataFrame({"period": months("1987-03-01", "1987-04-01", "2025-09-01"), "articles": [10, 4, 1]})
    fig = charts.over_time(frame, "articles", "T", "month")
    assert [t.type for t in fig.data] == ["bar", "scatter"]
    assert fig.data[1].mode == "markers" and list(fig.data[1].y) == [10, 4, 1]
    panels = charts.small_multiples(
        frame.assign(speaker="A").rename(columns={"articles": "quotes"}), "speaker", "quotes", "T"
    )
    assert [t.type for t in panels.data] == ["bar", "scatter"]
    # A short or a full axis keeps plain bars.
    assert [t.type for t in charts.over_time(frame.head(2), "articles", "T", "month").data] == ["bar"]
    daily = pd.DataFrame({"period": pd.date_range("1987-01-01", periods=300, freq="D"), "articles": 1})
    assert [t.type for t in charts.over_time(daily, "articles", "T", "day").data] == ["bar"]


def test_topic_colours_are_distinct_and_stable_across_charts():
    taxonomy = [f"topic {i}" for i in range(14)]
    colors = charts.series_colors(taxonomy)
    assert len(set(colors.values())) == 14
    both = pd.DataFrame(
        {
            "period": months("2025-01-01", "2025-01-01"),
            "topic": ["topic 13", "topic 2"],
            "articles": [1, 1],
            "share": [0.5, 0.5],
        }
    )
    one = both.tail(1)
    first = {t.name: t.line.color for t in charts.shares(both, "T", colors=colors).data}
    second = {t.name: t.line.color for t in charts.shares(one, "T", colors=colors).data}
    assert first == {"topic 13": colors["topic 13"], "topic 2": colors["topic 2"]}
    assert second["topic 2"] == first["topic 2"] and first["topic 13"] != first["topic 2"]


def test_a_single_topic_line_keeps_its_legend():
    frame = pd.DataFrame({"period": months("2025-01-01"), "topic": ["energy"], "articles": [1], "share": [1.0]})
    fig = charts.shares(frame, "T")
    assert fig.layout.showlegend is True and fig.data[0].name == "energy"


def test_count_heatmap_colour_scale_starts_at_zero():
    fig = charts.heatmap(
        pd.DataFrame({"speaker": ["A"], "topic": ["x"], "quotes": [14]}), "speaker", "topic", "quotes", "T"
    )
    # Both ends must be set: with zmax unset Plotly keeps zauto and rescales to 13.6-14.4.
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0, 14)


def test_shares_name_the_period_on_the_y_axis_and_grow_with_the_legend():
    frame = pd.DataFrame(
        {
            "period": months(*["2025-01-01"] * 14),
            "topic": [f"t{i}" for i in range(14)],
            "articles": [1] * 14,
            "share": [0.1] * 14,
        }
    )
    many, one = charts.shares(frame, "T", "week"), charts.shares(frame.head(1), "T", "week")
    assert many.layout.yaxis.title.text == "share of articles per week"
    assert many.layout.xaxis.title.text is None  # it collided with a many-row legend in a narrow column
    assert many.layout.height > one.layout.height >= charts.HEIGHT


def test_time_charts_start_at_months_and_coarsen_only_for_long_spans():
    options = ("day", "week", "month", "quarter", "year")
    year = (dt.date(1987, 1, 1), dt.date(1987, 12, 31))
    assert charts.default_period(*year, options) == "month"
    # 150 months fit; 151 do not, and quarters take over; past 150 quarters, years.
    assert charts.default_period(dt.date(2000, 1, 1), dt.date(2012, 6, 1), options) == "month"
    assert charts.default_period(dt.date(2000, 1, 1), dt.date(2012, 8, 1), options) == "quarter"
    assert charts.default_period(dt.date(1960, 1, 1), dt.date(1987, 6, 30), options) == "quarter"
    assert charts.default_period(dt.date(1935, 1, 1), dt.date(1987, 12, 31), options) == "year"
    # Only what the control offers: without years, quarters however long; a single day is still months.
    assert charts.default_period(dt.date(1900, 1, 1), dt.date(1987, 12, 31), ("week", "month", "quarter")) == "quarter"
    assert charts.default_period(dt.date(1987, 3, 1), dt.date(1987, 3, 1), options) == "month"
    assert charts.default_period(*year, ("day", "week")) == "week"

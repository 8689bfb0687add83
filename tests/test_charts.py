"""Chart builders: the data reaches the figure, clicks can find their value, article text stays text."""

from __future__ import annotations

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
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-01-01"]),
                          "entity": ["A", "A", "B"], "articles": [1, 2, 3]})
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
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-01-01"] * 3), "speaker": ["A", "B", "C"],
                          "quotes": [1, 2, 3]})
    fig = charts.small_multiples(frame, "speaker", "quotes", "T", columns=2)
    assert [t.name for t in fig.data] == ["A", "B", "C"]
    assert [a.text for a in fig.layout.annotations] == ["A", "B", "C"]


def test_heatmap_orders_by_totals_and_fills_missing_pairs_with_zero():
    frame = pd.DataFrame({"speaker": ["A", "A", "B"], "topic": ["x", "y", "y"], "quotes": [1, 2, 5]})
    fig = charts.heatmap(frame, "speaker", "topic", "quotes", "T")
    heat = fig.data[0]
    assert list(heat.y) == ["B", "A"] and list(heat.x) == ["y", "x"]
    assert [list(r) for r in heat.z] == [[5, 0], [2, 1]]


def test_shares_plot_one_line_per_topic_in_percent():
    frame = pd.DataFrame({"period": pd.to_datetime(["2025-01-01", "2025-01-01"]), "topic": ["a", "b"],
                          "articles": [1, 1], "share": [0.5, 0.5]})
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
    quotes = pd.DataFrame({"start_char": [start], "end_char": [start + len("Acme will grow,")],
                           "speaker": ["Jane <Roe>"]})
    mentions = pd.DataFrame({"name": ["Acme Corp", "Acme", "Jane Roe"], "label": ["ORG", "ORG", "PERSON"]})
    html = charts.article_html(text, quotes, mentions)
    assert '<mark class="ent-org" title="ORG">Acme Corp</mark> grew.' in html  # the longest name wins
    assert ('<span class="speaker">Jane &lt;Roe&gt;</span><mark class="quote" title="Jane &lt;Roe&gt;">'
            '<mark class="ent-org" title="ORG">Acme</mark> will grow,</mark>') in html
    assert '<mark class="ent-person" title="PERSON">Jane Roe</mark>.' in html
    assert "Jane Roes are" in html  # word edges: no highlight inside a longer word


def test_article_html_unknown_speaker_and_bad_offsets():
    text = '"Hello," someone said.'
    quotes = pd.DataFrame({"start_char": [1, 3, None], "end_char": [7, 5, 9], "speaker": [None, "X", "Y"]})
    html = charts.article_html(text, quotes, pd.DataFrame(columns=["name", "label"]))
    assert html.count('class="quote"') == 1  # the overlapping and the offset-less quotes are skipped
    assert '<span class="speaker unknown">speaker unknown</span><mark class="quote" title="speaker unknown">Hello,</mark>' in html
    assert html.endswith('" someone said.</div>'.replace('"', "&quot;"))


def test_names_from_articles_are_escaped_in_labels_but_kept_for_clicks():
    frame = pd.DataFrame({"entity": ["<b>Acme</b>"], "articles": [1]})
    fig = charts.bars(frame, "entity", "articles", "With <i>x</i>")
    assert list(fig.data[0].y) == ["&lt;b&gt;Acme&lt;/b&gt;"]
    assert fig.data[0].customdata[0][0] == "<b>Acme</b>"
    assert fig.layout.title.text == "With &lt;i&gt;x&lt;/i&gt;"

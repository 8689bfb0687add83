"""Speakers and quotes: who is quoted, when, about what and whom; the quotes themselves."""

import streamlit as st

from dashboard import charts, queries, ui

view = ui.page("Speakers and quotes")

left, right = st.columns(2)
top_50 = view.get(queries.top_speakers, 50, "quotes")
by_quotes = top_50.head(20)
if not len(by_quotes):
    ui.empty("No quotes with a known speaker in these articles.")
else:
    with left:
        ui.chart(
            charts.bars(by_quotes, "speaker", "quotes", "Top speakers by quotes", hover=["articles", "kind"]),
            key="speakers_by_quotes",
            filter_field="speakers",
        )
    with right:
        by_articles = view.get(queries.top_speakers, 20, "articles")
        ui.chart(
            charts.bars(
                by_articles,
                "speaker",
                "articles",
                "Top speakers by articles quoted in",
                color="#f08c00",
                hover=["quotes", "kind"],
            ),
            key="speakers_by_articles",
            filter_field="speakers",
        )

    st.subheader("Quotes over time")
    choices = list(dict.fromkeys([*view.filters.speakers, *top_50["speaker"]]))
    chosen = st.multiselect("Compare speakers", choices, default=choices[:3], key="compare_speakers", max_selections=9)
    freq = ui.period(view, "Quotes per", "speakers_freq")
    series = view.get(queries.quotes_over_time, tuple(chosen), freq)
    if len(series):
        ui.chart(
            charts.small_multiples(series, "speaker", "quotes", "Quotes per period, side by side", freq),
            key="speakers_time",
        )

    # Only the open tab's heatmap is queried and drawn: a hidden Plotly chart costs the browser as
    # much as a shown one, and a tab switch reruns the page from cached results.
    who_topic, who_entity = st.tabs(
        ["Speakers by topic", "Who talks about whom"], key="speakers_tab", on_change="rerun"
    )
    if who_topic.open:
        with who_topic:
            grid = view.get(queries.speaker_topics, 15)
            if len(grid):
                ui.chart(
                    charts.heatmap(grid, "speaker", "topic", "quotes", "Quotes of the top speakers by article topic"),
                    key="speakers_topics",
                    filter_field="speakers",
                )
            else:
                ui.empty("No topic tags on these speakers' articles.")
    if who_entity.open:
        with who_entity:
            grid = view.get(queries.speaker_entities, 15, 15)
            if len(grid):
                ui.chart(
                    charts.heatmap(
                        grid,
                        "speaker",
                        "entity",
                        "articles",
                        "Articles where the speaker is quoted and the entity mentioned",
                    ),
                    key="speakers_entities",
                    filter_field="speakers",
                )
            else:
                ui.empty("No entities mentioned alongside these speakers.")

st.subheader("Quotes")
ui.query_table(
    view,
    queries.quotes_table,
    (False,),
    "quotes",
    key="quotes_table",
    total=int(view.get(queries.counts).iloc[0]["quotes"]),
    column_config={"quote": st.column_config.TextColumn("quote", width="large"), "quote_index": None},
    article_links=True,
)

ui.speaker_editor(view)
ui.gender_editor(view)

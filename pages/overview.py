"""Overview: how much there is, over time, and who and what dominates the filtered articles."""

import streamlit as st

from dashboard import charts, queries, ui

view = ui.page("Overview")

counts = view.get(queries.counts).iloc[0]
for column, name in zip(st.columns(4), ("articles", "quotes", "speakers", "entities")):
    column.metric(name.capitalize(), f"{int(counts[name]):,}")

freq = ui.period(view, "Articles per", "overview_freq", ("day", *ui.PERIODS))
ui.chart(
    charts.over_time(view.get(queries.articles_over_time, freq), "articles", "Articles over time", freq),
    key="overview_articles_time",
)

left, right = st.columns(2)
with left:
    speakers = view.get(queries.top_speakers, 15)
    if len(speakers):
        ui.chart(
            charts.bars(speakers, "speaker", "quotes", "Top speakers by quotes", hover=["articles", "kind"]),
            key="overview_top_speakers",
            filter_field="speakers",
        )
    else:
        ui.empty("No quotes with a known speaker in these articles.")
with right:
    entities = view.get(queries.top_entities, 15)
    if len(entities):
        ui.chart(
            charts.bars(
                entities, "entity", "articles", "Top entities by articles", color="#2f9e44", hover=["label", "mentions"]
            ),
            key="overview_top_entities",
            filter_field="entities",
        )
    else:
        ui.empty("No named entities in these articles.")

mix = view.get(queries.topic_over_time, freq, "taxonomy")
if len(mix):
    ui.chart(
        charts.shares(mix, "Topic mix over time (share of articles per period)", freq, colors=ui.topic_colors(view)),
        key="overview_topic_mix",
        filter_field="topics",
    )
else:
    ui.empty("No topic tags in these articles.")

"""Outlets: how much each outlet published over time, and whom each quotes and mentions most."""

import streamlit as st

from dashboard import charts, queries, ui

view = ui.page("Outlets")

summary = view.get(queries.source_summary)
if len(view.raw(queries.source_choices)) < 2:  # the store itself, not only these filters, has one outlet
    name = summary["source"].iloc[0] if len(summary) else queries.NO_SOURCE
    st.info(
        f"This store's articles come from one outlet ({name}). Name the outlets of several inputs with "
        "`preprocess --source NAME=PATH` (or a CSV/JSONL `source` column) to compare them here.",
        icon=":material/info:",
    )

freq = ui.period(view, "Articles per", "outlets_freq")
ui.chart(
    charts.over_time(
        view.get(queries.articles_per_source, freq),
        "articles",
        "Articles per outlet over time",
        freq,
        series="source",
        kind="line",
    ),
    key="outlets_time",
    filter_field="sources",
)

left, right = st.columns(2)
with left:
    speakers = view.get(queries.top_speakers_per_source, 10)
    if len(speakers):
        ui.chart(
            charts.per_group_bars(speakers, "source", "speaker", "quotes", "Top speakers per outlet (quotes)", 2),
            key="outlets_speakers",
            filter_field="speakers",
        )
    else:
        ui.empty("No quotes with a known speaker in these articles.")
with right:
    entities = view.get(queries.top_entities_per_source, 10)
    if len(entities):
        ui.chart(
            charts.per_group_bars(entities, "source", "entity", "articles", "Top entities per outlet (articles)", 2),
            key="outlets_entities",
            filter_field="entities",
        )
    else:
        ui.empty("No named entities in these articles.")

st.subheader("Outlets")
ui.table(summary, "outlets", view.filters, key="outlets_table")
with st.expander("Top speakers and entities per outlet, as tables"):
    ui.table(speakers, "speakers per outlet", view.filters, key="outlets_speakers_table")
    ui.table(entities, "entities per outlet", view.filters, key="outlets_entities_table")

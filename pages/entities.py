"""Entities: the most mentioned names of each type, their mentions over time, and who appears with whom."""

import streamlit as st

from dashboard import charts, queries, ui
from dashboard.filters import ENTITY_LABELS

view = ui.page("Entities")

per_type = view.get(queries.top_entities_per_type, 10)
if not len(per_type):
    ui.empty("No named entities in these articles (check the entity type filter).")
    st.stop()
ui.chart(
    charts.per_group_bars(
        per_type, "label", "entity", "articles", "Top entities per type (articles)", group_order=ENTITY_LABELS
    ),
    key="entities_per_type",
    filter_field="entities",
)

st.subheader("Mentions over time")
top = view.get(queries.top_entities, ui.MAX_SHOWN).head(60)  # the entities table's query, cached once
choices = list(dict.fromkeys([*view.filters.entities, *top["entity"]]))
chosen = st.multiselect("Compare entities", choices, default=choices[:4], key="compare_entities", max_selections=10)
freq = ui.period(view, "Per", "entities_freq")
series = view.get(queries.mentions_over_time, tuple(chosen), freq)
if len(series):
    ui.chart(
        charts.over_time(series, "articles", "Articles mentioning each entity", freq, series="entity", kind="line"),
        key="entities_time",
        filter_field="entities",
    )

st.subheader("Co-mentions")
left, right = st.columns([2, 3])
with left:
    anchor = st.selectbox("Entities mentioned with", choices, key="comention_entity")
    if anchor:
        with_anchor = view.get(queries.co_mentions, anchor, 20)
        if len(with_anchor):
            ui.chart(
                charts.bars(
                    with_anchor,
                    "entity",
                    "articles",
                    f"Mentioned in the same articles as {anchor}",
                    color="#7048e8",
                    hover=["label"],
                ),
                key="entities_comentions",
                filter_field="entities",
            )
        else:
            ui.empty(f"No other entity appears in the articles mentioning {anchor}.")
with right:
    pairs = view.get(queries.co_mention_pairs, 15)
    if len(pairs):
        ui.chart(
            charts.heatmap(pairs, "entity_a", "entity_b", "articles", "Shared articles among the top entities"),
            key="entities_pairs",
            filter_field="entities",
        )

st.subheader("Entities")
ui.query_table(view, queries.top_entities, (), "entities", key="entities_table")

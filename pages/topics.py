"""Topics: taxonomy tags and discovered topics, their share over time, and who and what each is about."""

import streamlit as st

from dashboard import charts, queries, ui

view = ui.page("Topics")

kinds = {"Taxonomy tags": "taxonomy", "Discovered topics": "discovered", "Both": None}
kind = kinds[st.segmented_control("Show", list(kinds), default="Taxonomy tags", key="topics_kind") or "Both"]
if kind != "discovered":
    ui.tagging_note(view)
summary = view.get(queries.topic_summary, kind)
if not len(summary):
    ui.empty("No topics of this kind in these articles." + (" Run discovery below." if kind == "discovered" else ""))
else:
    left, right = st.columns([2, 3])
    with left:
        ui.chart(
            charts.bars(summary.head(25), "topic", "articles", "Articles per topic", color="#1098ad", hover=["kind"]),
            key="topics_bars",
            filter_field="topics",
        )
    with right:
        freq = ui.period(view, "Per", "topics_freq")
        ui.chart(
            charts.shares(
                view.get(queries.topic_over_time, freq, kind),
                "Topic share over time",
                freq,
                colors=ui.topic_colors(view),
            ),
            key="topics_time",
            filter_field="topics",
        )

    st.subheader("One topic")
    topic = st.selectbox("Topic", list(summary["topic"]), key="topic_pick")
    speakers, entities = st.columns(2)
    with speakers:
        top = view.get(queries.topic_speakers, topic, 10)
        if len(top):
            ui.chart(
                charts.bars(top, "speaker", "quotes", f"Top speakers on {topic}"),
                key="topic_speakers",
                filter_field="speakers",
            )
        else:
            ui.empty("No attributed quotes in this topic's articles.")
    with entities:
        top = view.get(queries.topic_entities, topic, 10)
        if len(top):
            ui.chart(
                charts.bars(top, "entity", "articles", f"Top entities in {topic}", color="#2f9e44", hover=["label"]),
                key="topic_entities",
                filter_field="entities",
            )
    terms = view.raw(queries.topic_terms, topic, 30)
    if len(terms):
        bars, cloud = st.columns(2)
        with bars:
            ui.chart(
                charts.bars(terms.head(15), "term", "weight", f"Top terms of {topic}", color="#845ef7"),
                key="topic_terms",
            )
        with cloud:
            ui.word_cloud(dict(zip(terms["term"], terms["weight"])), f"topic {topic}", key="topic_cloud")
    st.markdown(f"**Articles tagged {topic}**")
    ui.query_table(view, queries.articles_table, (topic,), f"articles {topic}", key="topic_articles")

ui.discovery(view)

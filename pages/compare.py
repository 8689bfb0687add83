"""Compare: two to four filter sets side by side, over time on one axis, and what sets each apart."""

import streamlit as st

from dashboard import charts, comparison, queries, ui
from dashboard.wordclouds import STOP_WORDS, without_stop_words

view = ui.page("Compare")
sides = tuple(ui.compare_sides(view))
if len(sides) < 2:
    ui.empty(
        "Nothing compared yet. Choose two to four speakers (or entities, topics, ...) in the sidebar and "
        "press *One side per speaker*, or add the sidebar's filters as a side, change them, and add again."
    )
    st.stop()

FORMATS = {c: st.column_config.NumberColumn(c, format="%.2f") for c in ("per_10k", "others_per_10k", "z")}
names = [f"{comparison.label(i)}: {comparison.short(side)}" for i, side in enumerate(sides)]
left, right = st.columns(2)
what = left.segmented_control("Count", ["articles", "quotes"], default="articles", key="compare_what") or "articles"
freq = ui.period(view, "Per", "compare_freq", where=right)
ui.chart(
    charts.sides_over_time(
        view.raw(queries.compare_over_time, sides, freq, what), what, f"{what.capitalize()} over time", names, freq
    ),
    key="compare_time",
)
# Each query answers for all sides in one pass; a side's rows are those with its index.
# The distinctive words (without the clouds' noise words) and each side's cloud, from one pass.
words_of = view.raw(queries.compare_terms, sides, 15, tuple(sorted(STOP_WORDS)), 300)
distinctive = words_of[words_of["list"] == "distinctive"].drop(columns="list")
terms = words_of[words_of["list"] == "frequent"][["side", "term", "count"]]
counts = view.raw(queries.compare_counts, sides)
tops = {
    ("speaker", "quotes", "speakers"): view.raw(queries.compare_top_speakers, sides, 10),
    ("entity", "articles", "entities"): view.raw(queries.compare_top_entities, sides, 10),
}
for i, (column, side) in enumerate(zip(st.columns(len(sides)), sides)):
    letter = comparison.LETTERS[i]
    with column:
        ui.compare_side_header(view, i, side)
        for metric, name in zip(st.columns(2), ("articles", "quotes")):
            metric.metric(name.capitalize(), f"{int(counts.iloc[i][name]):,}")
        words = distinctive[distinctive["side"] == i].drop(columns="side")
        st.markdown("**Distinctive words** (against the other sides)")
        if len(words):
            ui.table(
                words, f"compare {letter} distinctive words", side, key=f"compare_words_{letter}", column_config=FORMATS
            )
        else:
            ui.empty("No word is used here more than on the other sides.")
        for (label, value, key), frame in tops.items():
            top = frame[frame["side"] == i].drop(columns="side")
            if len(top):
                ui.chart(charts.bars(top, label, value, f"Top {key}"), key=f"compare_{key}_chart_{letter}")
                ui.downloads(top, f"compare {letter} top {key}", side, key=f"compare_{key}_{letter}")
            else:
                ui.empty(f"No {key} in these articles.")
        mine = terms[terms["side"] == i]
        cloud = without_stop_words(dict(zip(mine["term"], mine["count"])))
        ui.word_cloud(
            dict(list(cloud.items())[:120]),
            f"compare {letter} word cloud",
            key=f"compare_cloud_{letter}",
            width=560,
            height=340,
        )

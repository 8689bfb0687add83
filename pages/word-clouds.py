"""Word clouds: the filtered articles' words, one speaker's words, or the entities named."""

import streamlit as st

from dashboard import queries, ui
from dashboard.wordclouds import without_stop_words

view = ui.page("Word clouds")

sources = ["Article text", "A speaker's quotes", "Entities"]
source = st.segmented_control("Words from", sources, default=sources[0], key="cloud_source") or sources[0]
size = st.slider("Words", 20, 300, 150, step=10, key="cloud_words")

if source == "Article text":
    frame = view.get(queries.term_frequencies, size * 2)
    frequencies, name = without_stop_words(dict(zip(frame["term"], frame["count"]))), "words"
elif source == "A speaker's quotes":
    speakers = list(dict.fromkeys([*view.filters.speakers, *view.get(queries.top_speakers, 200)["speaker"]]))
    speaker = st.selectbox("Speaker", speakers, key="cloud_speaker", placeholder="No quoted speakers here")
    frame = view.get(queries.quote_term_frequencies, speaker, size * 2) if speaker else None
    frequencies = without_stop_words(dict(zip(frame["term"], frame["count"]))) if frame is not None else {}
    name = f"quotes {speaker}"
else:
    frame = view.get(queries.entity_frequencies, size)
    frequencies, name = dict(zip(frame["term"], frame["count"])), "entities"

top = dict(sorted(frequencies.items(), key=lambda kv: (-kv[1], kv[0]))[:size])
ui.word_cloud(top, f"word cloud {name}", key="cloud")
with st.expander("The counts behind the cloud"):
    import pandas as pd

    ui.table(
        pd.DataFrame({"term": list(top), "count": list(top.values())}),
        f"word cloud {name}",
        view.filters,
        key="cloud_table",
    )

"""Word over time: how often the filtered articles use a word or phrase per period, and each use in context."""

import streamlit as st

from dashboard import charts, concordance, queries, ui
from dashboard.ui import words

CONTEXT_ARTICLES = 500  # the newest matching articles whose lines the table shows (and downloads)
SPLITS = {"outlet": "source", "speaker": "speaker"}

view = ui.page("Word over time")
typed = words.query()
if not typed:
    ui.empty("Type a word or phrase above to see how often these articles use it, and where.")
    st.stop()
search = concordance.as_search(typed)
if concordance.pattern(search) is None:  # only quotation marks or punctuation: nothing to look for
    ui.empty(f"Nothing to look for in \u201c{typed}\u201d: type a word, a phrase, or a token such as 50%.")
    st.stop()
found = view.filters.with_(text=f"{view.filters.text} {search}".strip())  # these articles and the word

left, right = st.columns(2)
# Like the sidebar's outlet control: a store of one outlet has nothing to split by outlet.
splits = [name for name in SPLITS if name != "outlet" or len(view.raw(queries.source_choices)) >= 2]
split = left.segmented_control("Split by", splits, key="words_split")
freq = ui.period(view, "Per", "words_freq", where=right)
overall = view.get(queries.word_over_time, search, freq)
matched, total = int(overall["articles"].sum()), int(overall["total"].sum())
st.caption(f"{matched:,} of {total:,} articles: {found.describe()}")
if split:
    frame = view.get(queries.word_over_time, search, freq, SPLITS[split], 6)
    title = f"Articles per 1,000 using \u201c{typed}\u201d, per {split} (its 6 with most)"
    ui.chart(charts.rates(frame, title, freq, series="group"), key="words_time")
else:
    ui.chart(charts.rates(overall, f"Articles per 1,000 using \u201c{typed}\u201d", freq), key="words_time")

st.subheader("In context")
if not matched:
    ui.empty(f"No article here uses \u201c{typed}\u201d.")
    st.stop()
lines = view.get(queries.word_contexts, search, CONTEXT_ARTICLES)
newest = f"the newest {CONTEXT_ARTICLES:,} of the" if matched > CONTEXT_ARTICLES else "the"
st.caption(
    f"{len(lines):,} uses in {newest} {matched:,} matching articles"
    + (" (narrow the filters to reach older ones)." if matched > CONTEXT_ARTICLES else ".")
)
ui.table(
    lines,
    f"word {typed}",
    found,
    key="words_kwic",
    article_links=True,
    height=520,
    column_config={
        "left": st.column_config.TextColumn("left", width="medium", alignment="right"),
        "match": st.column_config.TextColumn("match", width="small"),
        "right": st.column_config.TextColumn("right", width="medium"),
        "article_id": None,
    },
)

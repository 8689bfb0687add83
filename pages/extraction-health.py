"""Extraction health: how far to trust the quote counts of the filtered articles."""

import streamlit as st

from dashboard import charts, queries, ui

view = ui.page("Extraction health")

h = view.get(queries.health_summary).iloc[0]
pairs, quotes, direct = int(h["quote_marks"]) // 2, int(h["quotes"]), int(h["direct"])
guessed = int(h["by_pronoun"]) + int(h["by_role"])


def share(part: int, whole: int, of: str) -> str | None:
    return f"{part / whole:.0%} of {of}" if whole else None


cols = st.columns(5)
cols[0].metric("Quote-mark pairs", f"{pairs:,}", help="Quotation marks seen in the article bodies, halved.")
cols[1].metric(
    "Direct quotes",
    f"{direct:,}",
    share(direct, pairs, "pairs"),
    delta_color="off",
    delta_arrow="off",
    help="Quotes in quotation marks that were extracted; scare quotes and titles rightly stay below the pairs.",
)
cols[2].metric("Indirect quotes", f"{int(h['indirect']):,}", help="Reported speech: 'X said that ...'.")
cols[3].metric(
    "No speaker",
    f"{int(h['unattributed']):,}",
    share(int(h["unattributed"]), quotes, "quotes"),
    delta_color="off",
    delta_arrow="off",
    help="Quotes whose speaker could not be found.",
)
cols[4].metric(
    "Speaker from pronoun or role",
    f"{guessed:,}",
    share(guessed, quotes, "quotes"),
    delta_color="off",
    delta_arrow="off",
    help="'he said', 'the spokesman said': resolved to a person named earlier.",
)

st.subheader("By outlet")
st.caption(
    "Per source: the share of quotation-mark pairs inside an extracted quote, and the share of quotes "
    "without a speaker. A low first share points at missed quotes (or many scare quotes); a high second "
    "one at speakers the extractor could not find."
)
percent = st.column_config.NumberColumn(format="percent")
ui.table(
    view.get(queries.health_by_source),
    "extraction health by outlet",
    view.filters,
    key="health_sources",
    column_config={"pairs_share": percent, "unattributed_share": percent},
)

left, right = st.columns(2)
with left:
    resolved = view.get(queries.quotes_by, "resolved_by")
    if len(resolved):
        ui.chart(
            charts.bars(
                resolved,
                "value",
                "quotes",
                "How speakers were found (resolved_by)",
                color="#e8590c",
                hover=["unattributed"],
            ),
            key="health_resolved",
        )
with right:
    rules = view.get(queries.quotes_by, "rule")
    if len(rules):
        ui.chart(
            charts.bars(
                rules, "value", "quotes", "Rules that produced quotes", color="#495057", hover=["unattributed"]
            ),
            key="health_rules",
        )

st.subheader("Quotes without a speaker")
st.caption("Open an article (the link column) to read the quote in its context.")
ui.query_table(
    view,
    queries.quotes_table,
    (True,),
    "unattributed quotes",
    key="health_unattributed",
    total=int(h["unattributed"]),
    column_config={"speaker": None, "quote_index": None},
    article_links=True,
)

st.subheader("Articles with more quotation marks than quotes")
st.caption(
    "Quotation-mark pairs in the body vs direct quotes extracted, largest gap first. A large gap points at "
    "missed quotes (or at scare quotes and titles, which are rightly not quotes)."
)
ui.query_table(
    view,
    queries.marks_vs_quotes,
    (),
    "quote marks vs quotes",
    key="health_gaps",
    total=int(h["articles"]),
    article_links=True,
)

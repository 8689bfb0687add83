"""Extraction health: how far to trust the quote counts of the filtered articles."""

import streamlit as st

from dashboard import charts, queries, ui

view = ui.page("Extraction health")

h = view.get(queries.health_summary).iloc[0]
pairs, quotes = int(h["quote_marks"]) // 2, int(h["quotes"])
cols = st.columns(5)
cols[0].metric("Quotation-mark pairs seen", f"{pairs:,}", help="Quotation marks in the article bodies, halved.")
cols[1].metric("Direct quotes extracted", f"{int(h['direct']):,}",
               f"{int(h['direct']) / pairs:.0%} of pairs" if pairs else None, delta_color="off")
cols[2].metric("Indirect quotes", f"{int(h['indirect']):,}")
cols[3].metric("Quotes without speaker", f"{int(h['unattributed']):,}",
               f"{int(h['unattributed']) / quotes:.0%} of quotes" if quotes else None, delta_color="off")
cols[4].metric("Speakers from pronouns or roles", f"{int(h['by_pronoun']) + int(h['by_role']):,}",
               f"{(int(h['by_pronoun']) + int(h['by_role'])) / quotes:.0%} of quotes" if quotes else None,
               delta_color="off")

left, right = st.columns(2)
with left:
    resolved = view.get(queries.quotes_by, "resolved_by")
    if len(resolved):
        ui.chart(charts.bars(resolved, "value", "quotes", "How speakers were found (resolved_by)", color="#e8590c",
                             hover=["unattributed"]), key="health_resolved")
with right:
    rules = view.get(queries.quotes_by, "rule")
    if len(rules):
        ui.chart(charts.bars(rules, "value", "quotes", "Rules that produced quotes", color="#495057",
                             hover=["unattributed"]), key="health_rules")

st.subheader("Unattributed quotes")
ui.table(view.get(queries.quotes_table, True), "unattributed quotes", view.filters, key="health_unattributed",
         column_config={"date": st.column_config.DateColumn("date"), "speaker": None, "quote_index": None})

st.subheader("Articles with more quotation marks than quotes")
st.caption("Each row: quotation-mark pairs in the body vs direct quotes extracted. A large gap points at missed "
           "quotes (or at scare quotes and titles, which are rightly not quotes). Open one on the Articles page.")
ui.table(view.get(queries.marks_vs_quotes, None), "quote marks vs quotes", view.filters, key="health_gaps",
         column_config={"date": st.column_config.DateColumn("date")})

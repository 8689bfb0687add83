"""Articles: the filtered articles, sortable; choose one to read it with its quotes and names highlighted."""

import streamlit as st

from dashboard import queries, ui

view = ui.page("Articles")

table = view.get(queries.articles_table, None, ui.MAX_SHOWN)
event = ui.query_table(
    view,
    queries.articles_table,
    (None,),
    "articles",
    key="articles_table",
    total=int(view.get(queries.counts).iloc[0]["articles"]),
    select=True,
    height=420,
    column_config={"title": st.column_config.TextColumn("title", width="large"), "article_id": None},
)
article_id = ui.chosen_article(view, table, event)
if article_id:
    ui.show_article(view, article_id)

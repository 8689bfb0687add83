"""One article in full: text with quotes (speaker on each) and entities highlighted, tags, quotes."""

from __future__ import annotations

import html
import re

import pandas as pd
import streamlit as st

from dashboard import charts, queries
from dashboard.ui import data, widgets

PICK = "article_pick"
URL = "article"
_SEEN = "_article_row_seen"


def chosen_article(view: data.View, table: pd.DataFrame, event) -> str | None:
    """The article to show: a clicked table row, else the picker (whose choice is kept in the URL)."""
    ids = list(table["article_id"])
    linked = st.query_params.get(URL)
    known = table
    if linked and linked not in set(ids):
        # A link (e.g. a quote's "open") may name a filtered article older than the table's first rows.
        known = pd.concat([table[["date", "title", "article_id"]], view.get(queries.filtered_article, linked)])
    rows = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    clicked = ids[rows[0]] if rows and rows[0] < len(ids) else None
    # A table selection stays selected across runs: only a new click may override the picker.
    if clicked is not None and clicked != st.session_state.get(_SEEN):
        st.session_state[PICK] = clicked
    elif PICK not in st.session_state and linked in set(known["article_id"]):
        st.session_state[PICK] = linked  # a link naming the article
    st.session_state[_SEEN] = clicked
    titles = dict(zip(known["article_id"], known["title"]))
    dates = dict(zip(known["article_id"], known["date"]))
    if st.session_state.get(PICK) is not None and st.session_state[PICK] not in titles:
        st.session_state[PICK] = None  # filtered out of the table
    # A choice box over the first rows keeps the page light; a table click reaches any row.
    current = st.session_state.get(PICK)
    options = list(dict.fromkeys([*([current] if current is not None else []), *ids[:1000]]))
    picked = st.selectbox(
        "Open an article",
        options,
        key=PICK,
        index=None,
        placeholder="Click a row above or choose here",
        format_func=lambda a: f"{pd.Timestamp(dates[a]):%Y-%m-%d} · {titles[a]}" if pd.notna(dates[a]) else titles[a],
    )
    if picked:
        st.query_params[URL] = picked
    elif URL in st.query_params:
        del st.query_params[URL]
    return picked


def show_article(view: data.View, article_id: str) -> None:
    """Render the article: title, source line, tags with evidence, highlighted text and its quotes."""
    row = view.raw(queries.article, article_id)
    if not len(row):
        widgets.empty("This article is not in the store (it may have been removed by a rebuild).")
        return
    art = row.iloc[0]
    quotes = view.raw(queries.article_quotes, article_id)
    st.subheader(plain(art["title"] or "(untitled)"), anchor=False)
    meta = [
        f"{pd.Timestamp(art['date']):%d %B %Y}" if pd.notna(art["date"]) else None,
        art["source"],
        art["author"],
        f"{int(art['words']):,} words" if pd.notna(art["words"]) else None,
        f"{len(quotes)} quote{'' if len(quotes) == 1 else 's'}",
    ]
    st.caption(plain(" · ".join(str(m) for m in meta if m and pd.notna(m))))
    if isinstance(art["url"], str) and art["url"].startswith(("http://", "https://")):
        st.link_button("Original", art["url"])
    tags = view.raw(queries.article_topics, article_id)
    if len(tags):
        st.markdown(" ".join(f":blue-badge[{_badge(t)}]" for t in tags["topic"]))
        st.dataframe(
            tags,
            hide_index=True,
            width="stretch",
            key="article_tags",
            column_config={
                "score": st.column_config.NumberColumn(
                    "score", format="%.2f", help="taxonomy: the topic's share of the article, 0-1 (docs/topics.md)"
                ),
                "evidence": st.column_config.TextColumn(
                    "evidence (cues that earned the tag; similarity to the topic)", width="large"
                ),
            },
        )
    mentions = view.raw(queries.article_mentions, article_id)
    # charts.article_html escapes every character of the text before it is inserted as HTML.
    st.markdown(charts.article_html(art["text"], quotes, mentions), unsafe_allow_html=True)
    st.caption("Highlighted: quotes (speaker in the badge), people, organisations, places, other names.")
    if len(quotes):
        st.markdown("**Quotes in this article**")
        shown = quotes[["speaker", "speaker_role", "quote", "cue", "kind", "rule", "resolved_by"]]
        widgets.table(shown, f"quotes {art['title']}", view.filters, key="article_quotes")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>$~:])")


def plain(text: str) -> str:
    """Text shown through a Markdown element exactly as written (titles like "*URGENT* [corrected]")."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def _badge(text: str) -> str:
    # Badge text is Markdown: escape the few characters that would end or restyle it.
    return html.escape(text).replace("[", "(").replace("]", ")").replace("*", "\\*").replace("_", "\\_")

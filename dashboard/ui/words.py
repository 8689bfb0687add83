"""The Word over time page's query box, kept in the URL (`word=`), with what a query means."""

from __future__ import annotations

import streamlit as st

QUERY = "words_query"
URL = "word"

HELP = """What you type is looked for in the filtered articles, in any case.

- **One word** (*price*): the word in any of its forms, from the stored lemmas, as the sidebar
  search finds it: *price* also counts prices and priced; a title counts too. The context table
  shows the word and its regular forms (prices, priced, pricing), not irregular ones (*rose* for *rise*).
- **Several words** (*crude oil*), or words "in quotation marks": a phrase, the words in that order,
  whole words, any spacing, in the title or text.
- **Anything else** (*50%*, *U.S.*): those characters as typed, also inside longer words.
"""


def query() -> str:
    """The word or phrase typed (spaces collapsed; empty when none), seeded from and written to the URL."""
    if QUERY not in st.session_state:
        st.session_state[QUERY] = st.query_params.get(URL, "")
    typed = " ".join(
        st.text_input(
            "Word or phrase", key=QUERY, help=HELP, placeholder="e.g. dollar, or crude oil", max_chars=200
        ).split()
    )
    if typed and st.query_params.get(URL) != typed:
        st.query_params[URL] = typed
    elif not typed and URL in st.query_params:
        del st.query_params[URL]
    return typed

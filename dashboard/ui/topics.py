"""Running topic discovery from the topics page (dashboard.nlp.discover does the work)."""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import store
from dashboard.ui import data

log = logging.getLogger(__name__)
_REPORT = "_discovery_report"


def tagging_note(view: data.View) -> None:
    """How this store's taxonomy tags were made: cue words and meaning, and which topics the
    corpus's own articles shaped (the prototypes of docs/topics.md)."""
    record = view.manifest.get("topic_prototypes") or {}
    shaped = sorted((n, t) for t, n in record.get("articles", {}).items() if n)
    how = (
        "Taxonomy tags weigh each topic's cue words (shown as the evidence) with how close an article's meaning "
        "is to the topic (docs/topics.md)."
    )
    if shaped:
        names = ", ".join(t for _, t in reversed(shaped))
        how += (
            f" {len(shaped)} of {len(record['articles'])} topics are as this corpus writes about them, learnt from "
            f"{record['fitted_on']:,} articles' first tags: {names}."
        )
    else:
        how += " Too few articles to learn how this corpus writes about any topic: the descriptions alone decide."
    st.caption(how)


def discovery(view: data.View) -> None:
    """An expander with a button that discovers topics in the whole store and stores them."""
    report = st.session_state.pop(_REPORT, None)
    if report:
        st.success("Topic discovery finished. Choose “Discovered topics” above to explore them.")
        st.code(report, language=None)
    with st.expander("Discover topics in this corpus", expanded=False):
        st.caption(
            "Finds topics no taxonomy foresaw (NMF over the stored lemmas of the whole store, k chosen at the knee of the "
            "reconstruction-error curve unless given), names each by its top terms and tags the articles. "
            "Discovered topics from an earlier run are replaced; taxonomy tags stay."
        )
        k = st.number_input("Number of topics (0: choose automatically)", 0, 40, 0, key="discover_k")
        if st.button("Discover topics", key="discover_run", type="primary"):
            try:
                with st.spinner("Discovering topics…"):
                    from dashboard.nlp import discover

                    summary = discover.discover_store(view.store_dir, int(k) if k >= 2 else None)
                    text = "\n".join(discover.summary_lines(summary))
            except (store.StoreError, ValueError) as err:  # an expected refusal, e.g. too few articles
                st.error(f"Discovery failed: {err}")
                return
            except Exception as err:  # noqa: BLE001 - shown to the user; the store is left unchanged
                log.exception("topic discovery failed")
                st.error(f"Discovery failed: {err}")
                return
            data.clear_caches()
            st.session_state[_REPORT] = text
            st.rerun()

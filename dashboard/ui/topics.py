"""Running topic discovery from the topics page (dashboard.nlp.discover does the work)."""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import store
from dashboard.ui import data

log = logging.getLogger(__name__)
_REPORT = "_discovery_report"


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

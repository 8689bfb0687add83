"""Running topic discovery from the topics page (dashboard.nlp.discover does the work)."""

from __future__ import annotations

import logging

import streamlit as st

from dashboard.ui import data

log = logging.getLogger(__name__)


def discovery(view: data.View) -> None:
    """An expander with a button that discovers topics in the whole store and stores them."""
    with st.expander("Discover topics in this corpus"):
        try:
            from dashboard.nlp import discover
        except ImportError:
            st.info("Topic discovery is not installed in this version (dashboard.nlp.discover is missing).")
            return
        st.caption("Finds topics no taxonomy foresaw (NMF over the stored lemmas) in the whole store, names each "
                   "by its top terms, and tags the articles. Previous discovered topics are replaced.")
        k = st.number_input("Number of topics (0: chosen automatically)", 0, 40, 0, key="discover_k")
        if st.button("Discover topics", key="discover_run", type="primary"):
            try:
                with st.spinner("Discovering topics…"):
                    result = discover.discover_store(view.store_dir, k=int(k) or None)
            except Exception as err:  # noqa: BLE001 - shown to the user; the store is left unchanged
                log.exception("topic discovery failed")
                st.error(f"Discovery failed: {err}")
                return
            data.clear_caches()
            st.toast(f"Discovered {len(result.get('topics', [])) if isinstance(result, dict) else ''} topics.")
            st.rerun()

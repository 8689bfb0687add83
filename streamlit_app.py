"""Entry point: `streamlit run streamlit_app.py [-- --store DIR]`. Navigation over the scripts in pages/.

Each page sets up its own frame (store, sidebar, filters) through dashboard.ui.page, so a page
works the same when opened by a deep link.
"""

import plotly.graph_objects as go
import streamlit as st

# Before anything heavy is imported: an empty, hidden Plotly chart, so the browser fetches and
# compiles Streamlit's 4.7 MB Plotly bundle while this script imports pandas, DuckDB and the
# dashboard (about 2 s cold) instead of after the page's first chart arrives. On a cold first visit
# the Overview is drawn about 1.2 s sooner (README, "Server start"). Hidden by CSS, it takes no space.
with st.container(key="plotly_preload"):
    st.html("<style>.st-key-plotly_preload{display:none}</style>")
    st.plotly_chart(go.Figure(), config={"staticPlot": True})

from dashboard import ui  # noqa: E402

ui.navigation().run()

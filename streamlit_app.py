"""Entry point: `streamlit run streamlit_app.py [-- --store DIR]`. Navigation over the scripts in pages/.

Each page sets up its own frame (store, sidebar, filters) through dashboard.ui.page, so a page
works the same when opened by a deep link.
"""

from dashboard import ui

ui.navigation().run()

"""Everything Streamlit: the page frame, sidebar filters, caching, clickable charts, tables with downloads.

Pages import from here only: `view = ui.page("Overview")`, then `view.get(queries.x, ...)`,
`ui.chart(...)`, `ui.table(...)`.
"""

from dashboard.ui.article import chosen_article, show_article
from dashboard.ui.compare import side_header as compare_side_header
from dashboard.ui.compare import sides as compare_sides
from dashboard.ui.data import View, clear_caches
from dashboard.ui.editing import gender_editor, speaker_editor
from dashboard.ui.frame import PAGES, navigation, page
from dashboard.ui.topics import discovery, tagging_note
from dashboard.ui.widgets import (
    MAX_SHOWN,
    PERIODS,
    chart,
    downloads,
    empty,
    period,
    query_table,
    table,
    topic_colors,
    word_cloud,
)

__all__ = [
    "MAX_SHOWN",
    "PAGES",
    "PERIODS",
    "query_table",
    "View",
    "chart",
    "chosen_article",
    "clear_caches",
    "compare_side_header",
    "compare_sides",
    "discovery",
    "tagging_note",
    "downloads",
    "empty",
    "gender_editor",
    "navigation",
    "page",
    "period",
    "show_article",
    "speaker_editor",
    "table",
    "topic_colors",
    "word_cloud",
]

"""Date presets: relative to the corpus's last day, never outside the corpus."""

import datetime as dt

from dashboard.ui.sidebar import preset_range

FIRST, LAST = dt.date(1987, 2, 26), dt.date(1987, 10, 20)


def test_presets_count_back_from_the_last_day_of_the_corpus():
    assert preset_range("All dates", FIRST, LAST) == (FIRST, LAST)
    assert preset_range("Last 7 days", FIRST, LAST) == (dt.date(1987, 10, 14), LAST)
    assert preset_range("Last 30 days", FIRST, LAST) == (dt.date(1987, 9, 21), LAST)
    assert preset_range("This year", FIRST, LAST) == (FIRST, LAST)  # the corpus starts after 1 January


def test_presets_stay_inside_the_corpus():
    assert preset_range("Last 365 days", FIRST, LAST) == (FIRST, LAST)
    assert preset_range("Last year", FIRST, LAST) is None  # no 1986 articles: the preset is not offered
    assert preset_range("Last year", dt.date(2024, 6, 1), dt.date(2025, 3, 1)) == (
        dt.date(2024, 6, 1),
        dt.date(2024, 12, 31),
    )
    assert preset_range("Custom range", FIRST, LAST) is None

"""Extraction health per outlet: the share of quotation-mark pairs that became quotes and the share
of quotes without a speaker, in the query and on the page (AppTest on the hand-written store)."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import queries
from dashboard.filters import Filters
from tests.app.conftest import connect

# Wire: a1 (1 pair, 1 quote), a2 (2 pairs, 2 quotes), a5 (1 pair of scare quotes, none);
# Daily: a3 (1 pair, 1 quote), a4 (1 pair, 1 quote without a speaker).
EXPECTED = [
    ("Wire", 3, 4, 3, 0.75, 3, 0, 0.0),
    ("Daily", 2, 2, 2, 1.0, 2, 1, 0.5),
    ("(all)", 5, 6, 5, 5 / 6, 5, 1, 0.2),
]


def rows(frame):
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_shares_per_outlet_and_overall(small_store):
    got = rows(queries.health_by_source(connect(small_store), Filters()))
    assert [r[:4] + r[5:7] for r in got] == [e[:4] + e[5:7] for e in EXPECTED]
    assert [r[4] for r in got] == pytest.approx([e[4] for e in EXPECTED])
    assert [r[7] for r in got] == pytest.approx([e[7] for e in EXPECTED])


def test_the_filters_narrow_the_articles_counted(small_store):
    # February and March only: a3, a4 (Daily) and a5 (Wire, scare quotes: no pair became a quote)
    march = Filters(start=dt.date(2025, 2, 1), end=dt.date(2025, 3, 31))
    got = rows(queries.health_by_source(connect(small_store), march))
    assert [r[:4] for r in got] == [("Daily", 2, 2, 2), ("Wire", 1, 1, 0), ("(all)", 3, 3, 2)]
    # no articles: one overall row of zeros, shares undefined rather than a division error
    empty = rows(queries.health_by_source(connect(small_store), Filters(start=dt.date(2030, 1, 1))))
    assert [r[:4] + r[5:7] for r in empty] == [("(all)", 0, 0, 0, 0, 0)]


def test_a_quote_over_two_pairs_counts_both(tmp_path):
    from dashboard import store
    from tests.app.stores import tables

    t = tables()
    body = '"A," she said, "B." Then "C" was odd.'
    t["articles"].loc[0, ["text", "quote_marks"]] = [body, 6]
    t["quotes"].loc[0, ["quote", "start_char", "end_char"]] = ['A," she said, "B.', 1, 18]
    store.write_snapshot(tmp_path / "s", t, {"model": "hand-built", "counts": {"articles": 5}})
    got = rows(queries.health_by_source(store.connect(tmp_path / "s"), Filters()))
    wire = next(r for r in got if r[0] == "Wire")
    assert wire[2:4] == (6, 4)  # a1 now has 3 pairs, 2 inside its one quote (a2: 2 of 2, a5: 0 of 1)


def test_the_page_shows_the_outlet_table(open_app, small_store):
    at = open_app(small_store, "extraction-health.py")
    assert not at.exception, at.exception
    frame = next(f.value for f in at.dataframe if "pairs_share" in f.value.columns)
    assert list(frame["source"]) == ["Wire", "Daily", "(all)"]
    assert list(frame["unattributed"]) == [0, 1, 1]
    assert "By outlet" in [h.value for h in at.subheader]

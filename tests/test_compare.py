"""Comparisons: sides in the URL, the shared time series, and keyness on a store small enough to compute by hand."""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import parse_qs, urlencode

import pandas as pd
import pytest

from dashboard import comparison, store
from dashboard import queries as q
from dashboard.filters import Filters

JAN = Filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
FEB = Filters(start=dt.date(2025, 2, 1), end=dt.date(2025, 2, 28))


# --- the URL -----------------------------------------------------------------------------------


def test_a_comparison_of_three_sides_survives_a_copied_link():
    sides = (
        Filters(start=dt.date(1987, 3, 1), end=dt.date(1987, 3, 31), speakers=("James Baker",)),
        Filters(speakers=("Paul Volcker", "Karl Otto Poehl"), text='"interest rates"', entity_labels=("ORG",)),
        Filters(),  # all articles: kept by sides=3 although it has no parameter of its own
    )
    link = urlencode({**comparison.to_params(sides), "speakers": "Someone Else"}, doseq=True)
    assert "a.speakers=James+Baker" in link and "b.text=%22interest+rates%22" in link
    reopened = comparison.from_params(parse_qs(link))  # what Streamlit gives: lists of values
    assert reopened == sides
    # The sidebar's own parameters are not the comparison's.
    assert [name for name in parse_qs(link) if not comparison.is_param(name)] == ["speakers"]


def test_a_link_without_the_count_still_names_every_side_up_to_the_last_letter():
    sides = comparison.from_params({"b.speakers": ["John Doe"], "d.topics": ["energy"], "e.speakers": ["x"]})
    assert sides == (Filters(), Filters(speakers=("John Doe",)), Filters(), Filters(topics=("energy",)))
    assert comparison.from_params({"sides": ["lots"]}) == ()
    assert comparison.from_params({"sides": ["9"]}) == (Filters(),) * comparison.MAX_SIDES
    assert comparison.to_params([]) == {}


def test_splitting_gives_one_side_per_choice_keeping_the_other_filters():
    f = JAN.with_(speakers=("Jane Roe", "John Doe"), topics=("energy",))
    assert comparison.splittable(f) == ["speakers"]  # one topic is nothing to split
    assert comparison.split(f, "speakers") == (
        JAN.with_(speakers=("Jane Roe",), topics=("energy",)),
        JAN.with_(speakers=("John Doe",), topics=("energy",)),
    )
    assert comparison.splittable(Filters(entities=tuple("abcde"))) == []  # five sides would be too many


# --- queries -----------------------------------------------------------------------------------

# Side A (January) and side B (February): lemma counts chosen so the keyness can be worked by hand.
TERMS = {
    "j1": {"oil": 4, "price": 1},
    "j2": {"oil": 2, "price": 1, "crude": 1},
    "f1": {"oil": 2, "price": 2, "grain": 3},
    "f2": {"grain": 1},
}
DATES = {"j1": dt.date(2025, 1, 3), "j2": dt.date(2025, 1, 20), "f1": dt.date(2025, 2, 2), "f2": dt.date(2025, 2, 9)}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    ids = list(TERMS)
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "file": "f",
            "line": 1,
            "date": [DATES[i] for i in ids],
            "title": ids,
            "source": ["Wire", "Daily", "Wire", "Wire"],
            "url": None,
            "author": None,
            "text": "",
            "words": 10,
            "quote_marks": 0,
        }
    )
    terms = pd.DataFrame(
        [(i, term, n) for i in ids for term, n in TERMS[i].items()], columns=["article_id", "term", "count"]
    )
    folder = tmp_path_factory.mktemp("compare") / "store"
    store.write_snapshot(folder, {"articles": articles, "terms": terms}, {})
    return store.connect(folder)


def log_odds_z(y_i, n_i, y_j, n_j, a, a0):
    """Monroe et al. (2008), eq. 16 and 18, written out independently of the SQL."""
    delta = math.log((y_i + a) / (n_i + a0 - y_i - a)) - math.log((y_j + a) / (n_j + a0 - y_j - a))
    return delta / math.sqrt(1 / (y_i + a) + 1 / (y_j + a))


def test_keyness_ranks_the_words_each_side_uses_more_than_the_other(con):
    frame = q.keyness(con, (JAN, FEB), 10)
    by_side = {side: list(rows["term"]) for side, rows in frame.groupby("side")}
    # A: oil 6 of its 9 words against B's 2 of 8, crude 1 only in A. B: grain 4 of 8, only in B,
    # then price: 2 each, but 2 of 8 is a larger share than 2 of 9, so it leans (a little) to B.
    assert by_side == {0: ["oil", "crude"], 1: ["grain", "price"]}
    oil = frame[(frame["side"] == 0) & (frame["term"] == "oil")].iloc[0]
    # Pooled prior: oil 8, crude 1, price 4, grain 4, total 17.
    assert oil["z"] == pytest.approx(log_odds_z(6, 9, 2, 8, 8, 17))
    assert oil["z"] == pytest.approx(1.3517, abs=1e-4)  # ln(14/12) - ln(10/15) over sqrt(1/14 + 1/10)
    assert (oil["count"], oil["others"]) == (6, 2)
    assert oil["per_10k"] == pytest.approx(10000 * 6 / 9)
    crude = frame[frame["term"] == "crude"].iloc[0]
    assert crude["z"] == pytest.approx(math.log(2) / math.sqrt(1.5))  # ln(2/24) - ln(1/24)
    price = frame[(frame["side"] == 1) & (frame["term"] == "price")].iloc[0]
    assert 0 < price["z"] < 0.1


def test_keyness_against_the_others_together_and_its_limit(con):
    wire = Filters.from_params({"start": "2025-02-01"})
    three = q.keyness(con, (JAN, wire, Filters(text="crude")), 1)
    assert list(three.groupby("side")["term"].first()) == ["oil", "grain", "crude"]  # one word per side
    assert q.keyness(con, (JAN,), 10).empty  # one side has nothing to be distinct from
    # An excluded word leaves every count: without oil, price is 2 of A's 3 words against 2 of B's 6.
    without_oil = q.keyness(con, (JAN, FEB), 10, ("oil",))
    assert {side: list(rows["term"]) for side, rows in without_oil.groupby("side")} == {
        0: ["crude", "price"],
        1: ["grain"],
    }
    assert without_oil.iloc[1]["z"] == pytest.approx(log_odds_z(2, 3, 2, 6, 4, 9))


def test_compare_over_time_puts_every_side_on_the_same_periods(con):
    frame = q.compare_over_time(con, (JAN, FEB, Filters()), "month")
    assert [(s, p.date(), n) for s, p, n in frame[["side", "period", "articles"]].itertuples(index=False)] == [
        (0, dt.date(2025, 1, 1), 2),
        (1, dt.date(2025, 2, 1), 2),
        (2, dt.date(2025, 1, 1), 2),
        (2, dt.date(2025, 2, 1), 2),
    ]
    with pytest.raises(ValueError):
        q.compare_over_time(con, (JAN, FEB), "month", "words; DROP TABLE articles")


def test_the_time_chart_puts_every_side_on_the_periods_of_all_sides():
    from dashboard import charts

    frame = pd.DataFrame(
        {"side": [0, 0, 1], "period": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01"]), "articles": [2, 1, 5]}
    )
    figure = charts.sides_over_time(frame, "articles", "Articles", ["A: one", "B: two", "C: none"], "month")
    assert [trace.name for trace in figure.data] == ["A: one", "B: two", "C: none"]
    assert [list(trace.y) for trace in figure.data] == [[2, 0, 1], [0, 5, 0], [0, 0, 0]]  # zeros where nothing
    assert [list(trace.marker.size) for trace in figure.data][1] == [0, 7, 0]  # dots only where counted
    assert len({trace.line.color for trace in figure.data}) == 3


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    from tests.app.stores import write_small_store

    return store.connect(write_small_store(tmp_path_factory.mktemp("compare-small") / "store"))


SIDE_SETS = [
    (Filters(speakers=("Jane Roe",)), Filters(speakers=("John Doe",))),  # overlapping articles (a2)
    (JAN, Filters(entity_labels=("PERSON",), speaker_kinds=("person",)), Filters(text="growth"), FEB),
    (Filters(text="nothing like this"), Filters(topics=("energy",))),  # a side without articles
]


@pytest.mark.parametrize("sides", SIDE_SETS)
def test_one_pass_for_all_sides_gives_what_each_side_alone_gives(small, sides):
    def alone(query, *args):
        return [[tuple(row) for row in query(small, side, *args).itertuples(index=False)] for side in sides]

    def together(frame):
        return [
            [tuple(row) for row in frame[frame["side"] == i].drop(columns="side").itertuples(index=False)]
            for i in range(len(sides))
        ]

    assert together(q.compare_top_speakers(small, sides, 2)) == alone(q.top_speakers, 2)
    assert together(q.compare_top_entities(small, sides, 3)) == alone(q.top_entities, 3)
    assert together(q.compare_term_frequencies(small, sides, 4)) == alone(q.term_frequencies, 4)
    counts = q.compare_counts(small, sides)
    assert list(counts["side"]) == list(range(len(sides)))
    assert [tuple(r) for r in counts[["articles", "quotes"]].itertuples(index=False)] == [
        tuple(q.counts(small, side)[["articles", "quotes"]].iloc[0]) for side in sides
    ]


def test_the_page_s_one_pass_gives_the_distinctive_and_the_frequent_words_as_asked_apart(con):
    both = q.compare_terms(con, (JAN, FEB), 10, ("oil",), 3)
    distinctive = both[both["list"] == "distinctive"].drop(columns="list").reset_index(drop=True)
    pd.testing.assert_frame_equal(distinctive, q.keyness(con, (JAN, FEB), 10, ("oil",)), check_dtype=False)
    frequent = both[both["list"] == "frequent"]
    # The excluded word leaves the distinctive words only: the cloud still counts oil, A's most frequent.
    assert [(r.side, r.term, r.count) for r in frequent.itertuples()] == [
        (0, "oil", 6),
        (0, "price", 2),
        (0, "crude", 1),
        (1, "grain", 4),
        (1, "oil", 2),
        (1, "price", 2),
    ]

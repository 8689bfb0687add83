"""A word over time and in context: per-1,000 rates, splits, and keyword-in-context lines from literal text."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from dashboard import queries as q
from dashboard import store
from dashboard.concordance import Line, as_search, lines, pattern, regular_forms
from dashboard.filters import Filters

# (date, source, body, lemmas the preprocess would have stored)
ARTICLES = {
    "w1": (dt.date(2025, 1, 2), "Wire", "Crude oil prices rose. Oil is up.", "crude oil price rise"),
    "w2": (dt.date(2025, 1, 9), "Wire", "Grain was steady.", "grain steady"),
    "w3": (dt.date(2025, 1, 16), "Daily", "The crude\noil glut.", "crude oil glut"),
    "w4": (dt.date(2025, 1, 23), "Daily", "Nothing to see.", "see"),
    "w5": (dt.date(2025, 3, 5), "Wire", "Oilseeds, not oil: turmoil.", "oilseed oil turmoil"),
}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    ids = list(ARTICLES)
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "file": "f",
            "line": 1,
            "date": [ARTICLES[i][0] for i in ids],
            "title": [f"Story {i}" for i in ids],
            "source": [ARTICLES[i][1] for i in ids],
            "url": None,
            "author": None,
            "text": [ARTICLES[i][2] for i in ids],
            "words": 5,
            "quote_marks": 0,
        }
    )
    terms = pd.DataFrame(
        [(i, term, 1) for i in ids for term in ARTICLES[i][3].split()], columns=["article_id", "term", "count"]
    )
    quotes = pd.DataFrame(
        [
            {"article_id": "w1", "quote_index": 0, "speaker": "Ann Lee", "speaker_kind": "person"},
            {"article_id": "w2", "quote_index": 0, "speaker": "Ann Lee", "speaker_kind": "person"},
            {"article_id": "w5", "quote_index": 0, "speaker": "Bo Kim", "speaker_kind": "person"},
        ]
    )
    quotes = quotes.reindex(columns=store.SCHEMAS["quotes"].names)
    folder = tmp_path_factory.mktemp("words") / "store"
    store.write_snapshot(folder, {"articles": articles, "terms": terms, "quotes": quotes}, {})
    return store.connect(folder)


def rates(frame, *columns):
    return [
        (p.date(), *rest)
        for p, *rest in frame[["period", *columns, "articles", "total", "per_1000"]].itertuples(index=False)
    ]


def test_a_word_per_1000_articles_so_a_busy_month_does_not_look_like_more_use(con):
    # January: 2 of 4 articles have the lemma oil (w1, w3); March: 1 of 1 (w5). February has no articles: no row.
    assert rates(q.word_over_time(con, Filters(), "oil", "month")) == [
        (dt.date(2025, 1, 1), 2, 4, 500.0),
        (dt.date(2025, 3, 1), 1, 1, 1000.0),
    ]
    # Filters narrow both the matches and the articles they are counted against.
    assert rates(q.word_over_time(con, Filters(text="crude"), "oil", "month")) == [(dt.date(2025, 1, 1), 2, 2, 1000.0)]


def test_a_phrase_is_counted_in_the_text_and_may_break_a_line(con):
    assert rates(q.word_over_time(con, Filters(), as_search("crude  oil"), "month")) == [
        (dt.date(2025, 1, 1), 2, 4, 500.0),  # w3 breaks the line between the words
        (dt.date(2025, 3, 1), 0, 1, 0.0),
    ]


def test_split_by_outlet_and_by_speaker_counts_against_each_group(con):
    by_outlet = q.word_over_time(con, Filters(), "oil", "month", "source")
    assert rates(by_outlet, "group") == [
        (dt.date(2025, 1, 1), "Daily", 1, 2, 500.0),
        (dt.date(2025, 1, 1), "Wire", 1, 2, 500.0),
        (dt.date(2025, 3, 1), "Wire", 1, 1, 1000.0),
    ]
    # Ann Lee is quoted in w1 (oil) and w2 (none), Bo Kim in w5 (oil): one match each, so the
    # one group kept is the speaker of more articles.
    assert rates(q.word_over_time(con, Filters(), "oil", "month", "speaker", 1), "group") == [
        (dt.date(2025, 1, 1), "Ann Lee", 1, 2, 500.0)
    ]
    assert rates(q.word_over_time(con, Filters(), "oil", "month", "speaker"), "group")[-1] == (
        dt.date(2025, 3, 1),
        "Bo Kim",
        1,
        1,
        1000.0,
    )
    with pytest.raises(ValueError):
        q.word_over_time(con, Filters(), "oil", "month", "title; DROP TABLE articles")


def test_contexts_list_each_use_in_the_newest_articles_first(con):
    frame = q.word_contexts(con, Filters(), "oil")
    assert [tuple(r) for r in frame[["article_id", "left", "match", "right"]].itertuples(index=False)] == [
        ("w5", "Oilseeds, not", "oil", ": turmoil."),  # not inside Oilseeds or turmoil
        ("w3", "The crude", "oil", "glut."),
        ("w1", "Crude", "oil", "prices rose. Oil is up."),
        ("w1", "Crude oil prices rose.", "Oil", "is up."),
    ]
    assert list(frame.columns) == ["left", "match", "right", "date", "source", "title", "article_id"]
    assert list(q.word_contexts(con, Filters(), "oil", 1)["article_id"]) == ["w5"]  # the newest article only
    assert list(q.word_contexts(con, Filters(), '"crude oil"')["match"]) == ["crude oil", "Crude oil"]


@pytest.mark.parametrize("factors", [(1,), (1, 2), (2, 3)])
def test_contexts_searched_in_recent_windows_first_are_those_of_the_whole_range(con, monkeypatch, factors):
    """The newest articles' lines come from the latest days first (a window of factor x wanted
    articles), widening to the whole range when a window holds too few: the same lines either way."""
    searches = ["oil", '"crude oil"', "grain", "turmoil", "nothing"]
    filters = [
        Filters(),
        Filters(sources=("Daily",)),
        Filters(end=dt.date(2025, 1, 20)),
        Filters(start=dt.date(2025, 1, 10)),
    ]
    monkeypatch.setattr(q, "WINDOW_FACTORS", ())
    whole = {(s, f, n): q.word_contexts(con, f, s, n) for s in searches for f in filters for n in (1, 2, 3, None)}
    monkeypatch.setattr(q, "WINDOW_FACTORS", factors)
    assert len(q._recent_windows(con, Filters(), 1)) == len(factors) + 1  # each window narrower than the store
    assert q._recent_windows(con, Filters(sources=("Daily",)), 1) == [Filters(sources=("Daily",))]
    for (search, f, n), frame in whole.items():
        pd.testing.assert_frame_equal(q.word_contexts(con, f, search, n), frame, obj=f"{search} {f} {n}")
    assert list(q.word_contexts(con, Filters(), "oil", 2)["article_id"]) == ["w5", "w3"]


# --- keyword in context, pure ---------------------------------------------------------------------


def test_lines_cut_the_context_at_word_edges_and_make_it_one_line():
    text = "Markets were calm on Monday.\nThen the central bank raised\ninterest rates by half a point, traders said."
    found = pattern(as_search("interest rates"))
    assert lines(text, found, width=24) == [Line("central bank raised", "interest rates", "by half a point,")]
    assert lines(text, found, width=1000) == [
        Line(
            "Markets were calm on Monday. Then the central bank raised",
            "interest rates",
            "by half a point, traders said.",
        )
    ]
    assert lines("", found) == [] and lines(text, None) == []


def test_a_word_matches_its_regular_forms_as_whole_words_in_any_case():
    found = pattern("price")
    text = "Prices rose; the price fell; priced in; PRICING; priceless art; overpriced."
    assert [line.match for line in lines(text, found)] == ["Prices", "price", "priced", "PRICING"]
    assert {"stop", "stops", "stopped", "stopping"} <= set(regular_forms("stop"))
    assert {"company", "companies"} <= set(regular_forms("companies"))


def test_what_a_typed_query_means():
    assert as_search("oil") == "oil"
    assert as_search("  crude   oil ") == '"crude oil"'  # several words: one phrase
    assert as_search("\u201ccrude oil\u201d") == '"crude oil"'
    assert [m.group(0) for m in pattern("50%").finditer("up 50%, then 150%")] == ["50%", "50%"]  # as typed, inside too
    assert pattern("") is None
    assert re.fullmatch(pattern('"oil price"'), "oil  price")


def test_the_rate_chart_breaks_its_line_where_a_period_has_no_articles(con):
    from dashboard import charts

    figure = charts.rates(q.word_over_time(con, Filters(), "oil", "month"), "oil", "month")
    (line,) = figure.data
    assert list(line.y)[0] == 500.0 and list(line.y)[-1] == 1000.0
    assert any(pd.isna(y) for y in line.y)  # February: no articles, no rate, a gap in the line

"""Dashboard queries on the hand-written five-article store, with literal expected rows."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard import queries as q
from dashboard import store
from dashboard.filters import Filters
from tests.app.stores import write_small_store

ALL = Filters()
JAN = Filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    return store.connect(write_small_store(tmp_path_factory.mktemp("q") / "store"))


def rows(frame, *columns):
    return [tuple(r) for r in frame[list(columns)].itertuples(index=False)]


def test_counts_unfiltered_and_by_speaker(con):
    assert rows(q.counts(con, ALL), "articles", "quotes", "speakers", "entities") == [(5, 5, 3, 5)]
    assert rows(q.counts(con, Filters(speakers=("Jane Roe",))), "articles", "quotes", "speakers", "entities") == [
        (2, 2, 1, 4)
    ]
    assert rows(q.counts(con, Filters(text="nothing like this")), "articles", "quotes") == [(0, 0)]


def test_articles_over_time_by_month_and_week(con):
    monthly = q.articles_over_time(con, ALL, "month")
    assert [(p.date(), n) for p, n in rows(monthly, "period", "articles")] == [
        (dt.date(2025, 1, 1), 2),
        (dt.date(2025, 2, 1), 1),
        (dt.date(2025, 3, 1), 2),
    ]
    weekly = q.articles_over_time(con, JAN, "week")
    # 2025-01-05 is a Sunday (week of Monday 2024-12-30); 2025-01-20 is a Monday.
    assert [(p.date(), n) for p, n in rows(weekly, "period", "articles")] == [
        (dt.date(2024, 12, 30), 1),
        (dt.date(2025, 1, 20), 1),
    ]


def test_period_names_are_checked(con):
    with pytest.raises(ValueError):
        q.articles_over_time(con, ALL, "day'); DROP TABLE articles; --")


def test_top_speakers_by_quotes_and_by_articles(con):
    assert rows(q.top_speakers(con, ALL, 10), "speaker", "kind", "quotes", "articles") == [
        ("Jane Roe", "person", 2, 2),
        ("John Doe", "person", 1, 1),
        ("Ministry of Finance", "organisation", 1, 1),
    ]
    assert rows(q.top_speakers(con, Filters(speaker_kinds=("organisation",)), 10), "speaker") == [
        ("Ministry of Finance",)
    ]
    assert rows(q.top_speakers(con, JAN, 1, by="articles"), "speaker", "articles") == [("Jane Roe", 2)]


def test_top_entities_and_entity_type_filter(con):
    assert rows(q.top_entities(con, ALL, 3), "entity", "label", "articles", "mentions") == [
        ("Jane Roe", "PERSON", 4, 4),
        ("Acme Corp", "ORG", 2, 2),
        ("John Doe", "PERSON", 2, 2),
    ]
    assert rows(q.top_entities(con, Filters(entity_labels=("GPE",)), 10), "entity", "mentions") == [("Paris", 2)]


def test_top_entities_per_type_ranks_within_each_type(con):
    assert rows(q.top_entities_per_type(con, ALL, 1), "label", "entity", "rank") == [
        ("GPE", "Paris", 1),
        ("ORG", "Acme Corp", 1),
        ("PERSON", "Jane Roe", 1),
    ]


def test_topic_over_time_shares_of_the_period(con):
    mix = q.topic_over_time(con, ALL, "month", "taxonomy")
    # A period with articles but without the tag shows 0, so the line drops instead of bridging it.
    assert [(p.date(), t, n, s) for p, t, n, s in rows(mix, "period", "topic", "articles", "share")] == [
        (dt.date(2025, 1, 1), "economy and business", 1, 0.5),
        (dt.date(2025, 1, 1), "energy", 1, 0.5),
        (dt.date(2025, 1, 1), "travel", 0, 0.0),
        (dt.date(2025, 2, 1), "economy and business", 1, 1.0),
        (dt.date(2025, 2, 1), "energy", 0, 0.0),
        (dt.date(2025, 2, 1), "travel", 0, 0.0),
        (dt.date(2025, 3, 1), "travel", 1, 0.5),
        (dt.date(2025, 3, 1), "economy and business", 0, 0.0),
        (dt.date(2025, 3, 1), "energy", 0, 0.0),
    ]
    # Weeks without any article have no rows at all (there is no share to show; the chart breaks the line).
    weekly = q.topic_over_time(con, JAN, "week", "taxonomy")
    assert sorted({p.date() for p in weekly["period"]}) == [dt.date(2024, 12, 30), dt.date(2025, 1, 20)]
    chosen = q.topic_over_time(con, Filters(topics=("energy",)), "month")
    assert rows(chosen, "topic", "share") == [("energy", 1.0)]


def test_quotes_table_filters_rows_by_speaker_and_date(con):
    table = q.quotes_table(con, Filters(speakers=("Jane Roe",)))
    assert rows(table, "speaker", "quote", "article_id") == [
        ("Jane Roe", "No,", "a2"),
        ("Jane Roe", "Prices will rise,", "a1"),
    ]
    assert rows(q.quotes_table(con, JAN.with_(speakers=["John Doe"])), "quote") == [("Oil is cheap,",)]
    assert rows(q.quotes_table(con, ALL, True), "quote", "speaker") == [("We are calm,", None)]


def test_speaker_values_with_quote_characters_are_parameters(con):
    assert len(q.quotes_table(con, Filters(speakers=("O'Brien'); DROP TABLE quotes; --",)))) == 0
    assert len(q.quotes_table(con, ALL)) == 5


def test_quotes_over_time_per_speaker(con):
    series = q.quotes_over_time(con, ALL, ("Jane Roe", "Ministry of Finance"), "month")
    assert [(p.date(), s, n) for p, s, n in rows(series, "period", "speaker", "quotes")] == [
        (dt.date(2025, 1, 1), "Jane Roe", 2),
        (dt.date(2025, 2, 1), "Ministry of Finance", 1),
    ]
    assert len(q.quotes_over_time(con, ALL, ())) == 0


def test_speaker_by_topic_and_by_entity(con):
    assert rows(q.speaker_topics(con, Filters(speakers=("John Doe",))), "speaker", "topic", "quotes") == [
        ("John Doe", "energy", 1),
        ("John Doe", "oil price cheap", 1),
    ]
    who = q.speaker_entities(con, ALL, 15, 15)
    assert ("Jane Roe", "Jane Roe") not in rows(who, "speaker", "entity")
    assert rows(who[who["speaker"] == "Ministry of Finance"], "entity", "articles") == [
        ("Acme Corp", 1),
        ("Jane Roe", 1),
    ]


def test_mentions_over_time_and_co_mentions(con):
    series = q.mentions_over_time(con, ALL, ("Paris",), "month")
    assert [(p.date(), e, a, m) for p, e, a, m in rows(series, "period", "entity", "articles", "mentions")] == [
        (dt.date(2025, 3, 1), "Paris", 1, 2)
    ]
    assert rows(q.co_mentions(con, ALL, "Acme Corp"), "entity", "articles") == [
        ("Jane Roe", 2),
        ("Ministry of Finance", 1),
    ]
    pairs = q.co_mention_pairs(con, ALL, 2)
    assert rows(pairs, "entity_a", "entity_b", "articles") == [
        ("Acme Corp", "Jane Roe", 2),
        ("Jane Roe", "Acme Corp", 2),
    ]


def test_topic_summary_and_per_topic_views(con):
    assert rows(q.topic_summary(con, ALL, "taxonomy"), "topic", "articles", "share") == [
        ("economy and business", 2, 0.4),
        ("energy", 1, 0.2),
        ("travel", 1, 0.2),
    ]
    assert rows(q.topic_speakers(con, ALL, "economy and business"), "speaker", "quotes") == [
        ("Jane Roe", 1),
        ("Ministry of Finance", 1),
    ]
    assert rows(q.topic_entities(con, ALL, "travel"), "entity", "mentions") == [("Paris", 2), ("John Doe", 1)]
    assert rows(q.topic_terms(con, "oil price cheap", 2), "term", "weight") == [
        ("oil", pytest.approx(0.9)),
        ("price", pytest.approx(0.5)),
    ]


def test_word_frequencies_for_text_quotes_and_entities(con):
    assert rows(q.term_frequencies(con, ALL, 3), "term", "count") == [("price", 2), ("rise", 2), ("analyst", 1)]
    assert rows(q.term_frequencies(con, Filters(speakers=("John Doe",))), "term") == [("cheap",), ("oil",)]
    assert rows(q.quote_term_frequencies(con, ALL, "Jane Roe"), "term", "count") == [("price", 1), ("rise", 1)]
    assert rows(q.entity_frequencies(con, Filters(entity_labels=("ORG",))), "term", "count") == [
        ("Acme Corp", 2),
        ("Ministry of Finance", 1),
    ]


def test_articles_table_lists_entities_speakers_topics_and_counts(con):
    table = q.articles_table(con, ALL)
    assert list(table["article_id"]) == ["a5", "a4", "a3", "a2", "a1"]
    a2 = table.set_index("article_id").loc["a2"]
    assert (a2["top_entities"], a2["speakers"], a2["topics"], a2["quotes"], a2["entities"]) == (
        "Jane Roe, John Doe",
        "Jane Roe, John Doe",
        "energy, oil price cheap",
        2,
        2,
    )
    assert list(q.articles_table(con, ALL, topic="travel")["article_id"]) == ["a5"]


def test_one_article_its_quotes_mentions_and_topics(con):
    assert q.article(con, "a2").iloc[0]["title"] == "Oil cheap"
    assert len(q.article(con, "nope")) == 0
    assert rows(q.article_quotes(con, "a2"), "speaker", "quote") == [("John Doe", "Oil is cheap,"), ("Jane Roe", "No,")]
    assert rows(q.article_mentions(con, "a5"), "name", "label") == [("Paris", "GPE"), ("John Doe", "PERSON")]
    assert rows(q.article_topics(con, "a2"), "topic", "kind") == [
        ("energy", "taxonomy"),
        ("oil price cheap", "discovered"),
    ]


def test_extraction_health_counts(con):
    health = q.health_summary(con, ALL)
    assert rows(
        health, "articles", "quote_marks", "quotes", "direct", "unattributed", "by_name", "by_pronoun", "by_role"
    ) == [(5, 12, 5, 5, 1, 2, 1, 1)]
    assert rows(q.quotes_by(con, ALL, "rule"), "value", "quotes", "unattributed") == [
        ("syntactic", 4, 0),
        ("floating", 1, 1),
    ]
    assert rows(q.quotes_by(con, ALL, "resolved_by"), "value", "quotes")[0] == ("name", 2)
    with pytest.raises(ValueError):
        q.quotes_by(con, ALL, "quote; DROP TABLE quotes")
    gaps = q.marks_vs_quotes(con, ALL)
    assert rows(gaps.head(1), "article_id", "quote_pairs", "direct", "gap") == [("a5", 1, 0, 1)]


def test_sidebar_choices_cover_the_whole_store(con):
    assert rows(q.speaker_choices(con), "speaker", "quotes") == [
        ("Jane Roe", 2),
        ("John Doe", 1),
        ("Ministry of Finance", 1),
    ]
    assert rows(q.entity_choices(con, 2), "entity", "articles") == [("Jane Roe", 4), ("Acme Corp", 2)]
    assert rows(q.topic_choices(con), "topic", "kind") == [
        ("economy and business", "taxonomy"),
        ("energy", "taxonomy"),
        ("travel", "taxonomy"),
        ("oil price cheap", "discovered"),
    ]
    assert [(first.date(), last.date()) for first, last in rows(q.corpus_span(con), "first", "last")] == [
        (dt.date(2025, 1, 5), dt.date(2025, 3, 15))
    ]


@pytest.mark.parametrize(
    "f, quotes, mentions",
    [
        (ALL, 5, 11),  # ten entity rows, Paris counted twice
        (JAN, 3, 5),  # a1 and a2
        (Filters(speakers=("Jane Roe", "John Doe")), 3, 5),  # their three quotes; entities of a1 and a2
        (Filters(speaker_kinds=("person",)), 3, 5),  # the ministry's and the unattributed quote are not
        (Filters(entities=("Acme Corp",), entity_labels=("PERSON",)), 2, 2),  # a1, a3; only Jane Roe is a PERSON
        (Filters(text="said"), 5, 8),  # a1 to a4 say "said"; a5 does not
        (Filters(topics=("energy",), speakers=("Jane Roe",)), 1, 2),  # a2 only, and only Jane Roe's quote
    ],
)
def test_quotes_table_and_entity_frequencies_keep_exactly_the_filtered_rows(con, f, quotes, mentions):
    """Counted by hand on tests/app/stores.py: the queries must agree with the Filters semantics."""
    assert len(q.quotes_table(con, f)) == quotes
    assert int(q.entity_frequencies(con, f, None)["count"].sum()) == mentions

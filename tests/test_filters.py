"""Filters: SQL semantics on a literal store, the sentence for humans, URL round trips."""

import datetime as dt

import pandas as pd
import pytest

from dashboard import store
from dashboard.filters import Filters


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3"],
            "file": "f",
            "line": 1,
            "date": [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)],
            "title": ["Rates up 50%", "Talks on pause", "Storm"],
            "source": ["Reuters", "AP", None],
            "url": None,
            "author": None,
            "text": ["The bank said so.", "Peskov said that.", "Rain_fell 50 percent"],
            "words": 4,
            "quote_marks": 0,
        }
    )
    quotes = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a2"],
            "quote_index": [0, 0, 1],
            "speaker": ["Bank", "Dmitry Peskov", None],
            "speaker_name": ["Bank", "Peskov", None],
            "speaker_role": None,
            "speaker_kind": ["organisation", "person", None],
            "quote": ["so", "that", "x"],
            "cue": "said",
            "kind": "indirect",
            "start_char": 0,
            "end_char": 1,
            "rule": "indirect",
            "resolved_by": "name",
        }
    )
    entities = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a2", "a3"],
            "entity": ["ECB", "Kremlin", "Russia", "Russia"],
            "label": ["ORG", "ORG", "GPE", "GPE"],
            "count": 1,
        }
    )
    topics = pd.DataFrame(
        {
            "article_id": ["a1", "a2"],
            "topic": ["markets and finance", "diplomacy"],
            "score": 1.0,
            "evidence": "",
            "kind": "taxonomy",
        }
    )
    speakers = pd.DataFrame(
        {
            "speaker": ["Dmitry Peskov", "Bank"],
            "kind": ["person", "organisation"],
            "gender": ["male", None],
            "decided_by": ["pronoun", None],
            "evidence": "",
            "quotes": 1,
        }
    )
    tables = {"articles": articles, "quotes": quotes, "entities": entities, "topics": topics, "speakers": speakers}
    store.write_snapshot(folder, tables, {})
    return store.connect(folder)


def _ids(con, filters):
    sql, params = filters.article_where("a")
    return sorted(r[0] for r in con.execute(f"SELECT article_id FROM articles a WHERE {sql}", params).fetchall())


@pytest.mark.parametrize(
    "filters, expected",
    [
        (Filters(), ["a1", "a2", "a3"]),
        (Filters(start=dt.date(2025, 2, 1)), ["a2", "a3"]),
        (Filters(end=dt.date(2025, 2, 1)), ["a1", "a2"]),
        # Both ends are inclusive: a one-day range keeps that day's article, the corpus's own ends keep all.
        (Filters(start=dt.date(2025, 2, 1), end=dt.date(2025, 2, 1)), ["a2"]),
        (Filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 1)), ["a1", "a2", "a3"]),
        (Filters(start=dt.date(2025, 3, 1)), ["a3"]),
        (Filters(end=dt.date(2025, 1, 1)), ["a1"]),
        (Filters(start=dt.date(2025, 1, 2), end=dt.date(2025, 1, 31)), []),
        (Filters(speakers=("Dmitry Peskov", "Bank")), ["a1", "a2"]),
        (Filters(speaker_kinds=("organisation",)), ["a1"]),
        (Filters(entities=("Russia",)), ["a2", "a3"]),
        (Filters(entities=("Russia",), end=dt.date(2025, 2, 15)), ["a2"]),
        (Filters(topics=("diplomacy",)), ["a2"]),
        (Filters(sources=("AP",)), ["a2"]),
        (Filters(sources=("AP", "Reuters")), ["a1", "a2"]),  # an article without a source matches no outlet
        (Filters(sources=("AP",), speakers=("Bank",)), []),
        (Filters(sources=("ap",)), []),  # outlets are kept exactly as given, so matched exactly
        (Filters(speaker_genders=("male",)), ["a2"]),
        (Filters(speaker_genders=("female", "unknown")), []),  # the bank is an organisation: no gender
        (Filters(speaker_genders=("male",), sources=("Reuters",)), []),
        (Filters(text="PAUSE"), ["a2"]),
        (Filters(text="50%"), ["a1"]),  # % is a literal, not a wildcard
        (Filters(text="rain_fell"), ["a3"]),  # so is _
        (Filters(text="ra___fell"), []),  # would match Rain_fell if _ were a wildcard
    ],
)
def test_article_filters_select_exactly(con, filters, expected):
    assert _ids(con, filters) == expected


def test_row_filters_narrow_rows_within_articles(con):
    f = Filters(speakers=("Dmitry Peskov",))
    sql, params = f.quote_where("q", "a")
    rows = con.execute(
        f"SELECT q.speaker FROM quotes q JOIN articles a USING (article_id) WHERE {sql}", params
    ).fetchall()
    assert rows == [("Dmitry Peskov",)]  # a2's unattributed quote is not the chosen speaker's
    sql, params = Filters(speaker_genders=("male",)).quote_where("q", "a")
    rows = con.execute(
        f"SELECT q.speaker FROM quotes q JOIN articles a USING (article_id) WHERE {sql}", params
    ).fetchall()
    assert rows == [("Dmitry Peskov",)]
    sql, params = Filters(entity_labels=("GPE",)).entity_where("e", "a")
    rows = con.execute(
        f"SELECT DISTINCT e.entity FROM entities e JOIN articles a USING (article_id) WHERE {sql}", params
    ).fetchall()
    assert rows == [("Russia",)]


def test_describe_reads_as_a_sentence():
    assert Filters().describe() == "All articles"
    f = Filters(
        start=dt.date(2025, 9, 1),
        end=dt.date(2025, 9, 30),
        speakers=("Dmitry Peskov",),
        topics=("diplomacy", "conflict and defence", "politics"),
        text=" pause ",
        sources=("Reuters", "TASS"),
        speaker_genders=("female",),
    )
    assert f.describe() == (
        "Articles where 2025-09-01 to 2025-09-30; outlet is Reuters or TASS; speaker is Dmitry Peskov; "
        "speaker gender is female; "
        "topic is diplomacy, conflict and defence or politics; text has the word \u201cpause\u201d"
    )


def test_url_params_name_every_set_field_literally():
    f = Filters(
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 1, 31),
        speakers=("Dmitry Peskov",),
        entities=("Russia", "Kremlin"),
        entity_labels=("GPE",),
        topics=("diplomacy",),
        speaker_kinds=("person",),
        text=" pause ",
        sources=("Reuters", "AP"),
        speaker_genders=("female", "male"),
    )
    assert f.to_params() == {
        "start": "2025-01-01",
        "end": "2025-01-31",
        "speakers": ["Dmitry Peskov"],
        "entities": ["Russia", "Kremlin"],
        "entity_labels": ["GPE"],
        "topics": ["diplomacy"],
        "speaker_kinds": ["person"],
        "speaker_genders": ["female", "male"],
        "source": ["Reuters", "AP"],
        "text": "pause",
    }
    assert Filters.from_params(f.to_params()) == f.with_(text="pause")
    assert Filters().to_params() == {}


def test_url_params_round_trip_and_junk_is_ignored():
    f = Filters(
        start=dt.date(2025, 1, 1), speakers=("A", "B"), entity_labels=("ORG",), speaker_kinds=("person",), text="x"
    )
    assert Filters.from_params(f.to_params()) == f
    junk = {
        "start": "yesterday",
        "end": ["2025-13-01"],
        "entity_labels": ["ORG", "NOPE"],
        "speaker_kinds": "robot",
        "speakers": ["A", "A", ""],
        "source": ["AP", "", "AP"],
        "speaker_genders": ["female", "woman"],
    }
    assert Filters.from_params(junk) == Filters(
        entity_labels=("ORG",), speakers=("A",), sources=("AP",), speaker_genders=("female",)
    )
    assert Filters.from_params({"source": "Reuters"}) == Filters(sources=("Reuters",))

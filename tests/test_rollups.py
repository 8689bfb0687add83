"""The rollups a commit stores answer the unfiltered views exactly as a scan of the parts would.

With nothing filtered, queries.py reads the rollups (store.ROLLUPS) instead of the parts. Each
query is asked twice on the same real store: unfiltered (the rollups) and with a filter that keeps
every article but is not empty (the scan). Any difference is a wrong number on a first visit.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from dashboard import corpus, preprocess, store
from dashboard import queries as q
from dashboard.filters import Filters

EVERYTHING = Filters(start=dt.date(1900, 1, 1))  # all articles have dates; not is_empty(), so no rollup


def _top_topic(con) -> str:
    return q.topic_summary(con, Filters(), "taxonomy")["topic"].iloc[0]


def _speakers(con, first: int, last: int) -> list[str]:
    """The speakers ranked first..last (from 0) by quotes."""
    return q.top_speakers(con, Filters(), last + 1)["speaker"].iloc[first : last + 1].tolist()


def _entity(con, rank: int) -> str:
    """The entity at `rank` (from 0) by articles: below store.TOP_CROSS it has rollup rows."""
    return q.top_entities(con, Filters(), None)["entity"].iloc[rank]


QUERIES = {
    "counts": lambda con, f: q.counts(con, f),
    "articles_over_time month": lambda con, f: q.articles_over_time(con, f, "month"),
    "articles_over_time week": lambda con, f: q.articles_over_time(con, f, "week"),
    "top_speakers quotes": lambda con, f: q.top_speakers(con, f, 30),
    "top_speakers articles": lambda con, f: q.top_speakers(con, f, 30, "articles"),
    "top_entities": lambda con, f: q.top_entities(con, f, None),
    "top_entities size": lambda con, f: q.table_size(con, f, "top_entities"),
    "top_entities_per_type": lambda con, f: q.top_entities_per_type(con, f, 5),
    "topic_over_time taxonomy": lambda con, f: q.topic_over_time(con, f, "month", "taxonomy"),
    "topic_summary taxonomy": lambda con, f: q.topic_summary(con, f, "taxonomy"),
    "term_frequencies": lambda con, f: q.term_frequencies(con, f, 300),
    "entity_frequencies": lambda con, f: q.entity_frequencies(con, f, 300),
    "co_mention_pairs": lambda con, f: q.co_mention_pairs(con, f, 8),
    "co_mention_pairs beyond the rollup": lambda con, f: q.co_mention_pairs(con, f, store.TOP_CROSS + 5),
    "speaker_entities": lambda con, f: q.speaker_entities(con, f, 6, 8),
    "co_mentions of the top entity": lambda con, f: q.co_mentions(con, f, _entity(con, 0), 20),
    "co_mentions of a lesser entity": lambda con, f: q.co_mentions(con, f, _entity(con, store.TOP_CROSS + 3), 20),
    "mentions_over_time month": lambda con, f: q.mentions_over_time(con, f, [_entity(con, i) for i in range(3)]),
    "mentions_over_time week": lambda con, f: q.mentions_over_time(con, f, [_entity(con, 1)], "week"),
    "health_summary": lambda con, f: q.health_summary(con, f),
    "health_by_source": lambda con, f: q.health_by_source(con, f),
    "quotes_by rule": lambda con, f: q.quotes_by(con, f, "rule"),
    "quotes_by resolved_by": lambda con, f: q.quotes_by(con, f, "resolved_by"),
    "marks_vs_quotes first rows": lambda con, f: q.marks_vs_quotes(con, f, 30),
    "quotes_over_time month": lambda con, f: q.quotes_over_time(con, f, _speakers(con, 0, 3)),
    "quotes_over_time of 40 speakers by week": lambda con, f: q.quotes_over_time(con, f, _speakers(con, 0, 40), "week"),
    "speaker_topics": lambda con, f: q.speaker_topics(con, f, 6),
    "topic_speakers": lambda con, f: q.topic_speakers(con, f, _top_topic(con), 8),
    "topic_entities": lambda con, f: q.topic_entities(con, f, _top_topic(con), 8),
    "source_summary": lambda con, f: q.source_summary(con, f),
    "top_speakers_per_source": lambda con, f: q.top_speakers_per_source(con, f, 5),
    "top_entities_per_source": lambda con, f: q.top_entities_per_source(con, f, 5),
    "gender_over_time": lambda con, f: q.gender_over_time(con, f, "month"),
    "gender_per_source": lambda con, f: q.gender_per_source(con, f),
    "top_speakers_by_gender": lambda con, f: q.top_speakers_by_gender(con, f, 5),
    "speaker_genders": lambda con, f: q.speaker_genders(con, f, 50),
    "speaker_genders size": lambda con, f: q.table_size(con, f, "speaker_genders"),
    "articles_table size": lambda con, f: q.table_size(con, f, "articles_table"),
    "articles_table size of a topic": lambda con, f: q.table_size(con, f, "articles_table", _top_topic(con)),
    # The newest rows of long tables: unfiltered, they read only the days the daily rollup points at.
    "quotes_table newest": lambda con, f: q.quotes_table(con, f, False, 12),
    "quotes_table unattributed newest": lambda con, f: q.quotes_table(con, f, True, 4),
    "articles_table newest": lambda con, f: q.articles_table(con, f, None, 6),
    "articles_table of a topic newest": lambda con, f: q.articles_table(con, f, _top_topic(con), 3),
}


@pytest.fixture(scope="module")
def reuters_store(corpora, tmp_path_factory):
    """A real store in parts, from 40 Reuters articles, with one name merged by the corpus map."""
    folder = tmp_path_factory.mktemp("in")
    for path in sorted((corpora / "reuters-1987" / "articles").iterdir())[:40]:
        (folder / path.name).symlink_to(path)
    out = tmp_path_factory.mktemp("rollups") / "store"
    preprocess.preprocess([folder], out, chunk_articles=8)
    return out


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_an_unfiltered_view_from_the_rollups_equals_the_scan(reuters_store, name):
    con = store.connect(reuters_store)
    from_rollups, scanned = QUERIES[name](con, Filters()), QUERIES[name](con, EVERYTHING)
    assert len(scanned) > 0
    pd.testing.assert_frame_equal(from_rollups, scanned, check_dtype=False)


def test_the_speaker_filter_keeps_exactly_the_articles_quoting_the_speaker(reuters_store):
    """It reads speaker_articles, not the quotes: for every speaker (merged names among them), alone,
    in twos and within dates, the articles are those the quotes give."""
    con = store.connect(reuters_store)
    merged = set(con.execute("SELECT canonical FROM name_map").fetchnumpy()["canonical"])
    speakers = q.speaker_choices(con)["speaker"].tolist()
    assert len(speakers) > 20 and merged & set(speakers)
    # (That the rollup is a plain read of its file: test_the_rollups_are_read_from_the_snapshot_not_computed.)
    assert "FROM speaker_articles" in _filtered_ids(Filters(speakers=(speakers[0],)))[0]

    def quoting(names, start=None, end=None) -> list[str]:
        sql = "SELECT DISTINCT article_id FROM quotes WHERE speaker IN (SELECT unnest(?::VARCHAR[]))"
        params = [list(names)]
        if start:
            sql += " AND date BETWEEN ? AND ?"
            params += [start, end]
        return sorted(con.execute(sql, params).fetchnumpy()["article_id"].tolist())

    start, end = dt.date(1987, 3, 1), dt.date(1987, 3, 31)
    cases = [(s,) for s in speakers] + list(zip(speakers[::2], speakers[1::2]))
    for names in cases:
        assert _ids(con, Filters(speakers=names)) == quoting(names), names
        assert _ids(con, Filters(speakers=names, start=start, end=end)) == quoting(names, start, end), names


def test_the_topic_filter_keeps_exactly_the_articles_tagged_with_the_topic(reuters_store):
    """It reads topic_articles (sorted by topic and date), not the topics of the parts."""
    con = store.connect(reuters_store)
    topics = q.topic_choices(con)["topic"].tolist()
    assert len(topics) >= 4
    assert "FROM topic_articles" in _filtered_ids(Filters(topics=(topics[0],)))[0]

    def tagged(names, start=None, end=None) -> list[str]:
        sql = """SELECT DISTINCT t.article_id FROM topics t JOIN articles a USING (article_id)
                 WHERE t.topic IN (SELECT unnest(?::VARCHAR[]))"""
        params = [list(names)]
        if start:
            sql += " AND a.date BETWEEN ? AND ?"
            params += [start, end]
        return sorted(con.execute(sql, params).fetchnumpy()["article_id"].tolist())

    start, end = dt.date(1987, 3, 1), dt.date(1987, 3, 31)
    for names in [(t,) for t in topics] + list(zip(topics[::2], topics[1::2])):
        assert _ids(con, Filters(topics=names)) == tagged(names), names
        assert _ids(con, Filters(topics=names, start=start, end=end)) == tagged(names, start, end), names
    # The articles table lists each article's topics, best first, from the same rows.
    table = q.articles_table(con, Filters(), topics[0], None)
    assert sorted(table["article_id"]) == tagged((topics[0],))
    for row in table.itertuples():
        expected = con.execute(
            "SELECT string_agg(topic, ', ' ORDER BY score DESC, topic) FROM topics WHERE article_id = ?",
            [row.article_id],
        ).fetchone()[0]
        assert row.topics == expected


def _filtered_ids(f: Filters) -> tuple[str, list]:
    where, params = f.article_where("a")
    return f"SELECT a.article_id FROM articles a WHERE {where} ORDER BY a.article_id", params


def _ids(con, f: Filters) -> list[str]:
    return con.execute(*_filtered_ids(f)).fetchnumpy()["article_id"].tolist()


def test_the_newest_rows_start_on_the_day_the_rollup_gives(reuters_store):
    con = store.connect(reuters_store)
    newest = q.quotes_table(con, Filters(), False, 12)
    day = q._newest(con, Filters(), 12, "quotes").start
    # The day is that of the 12th newest quote: no later day would hold 12, and no earlier one is read.
    assert day == newest["date"].iloc[-1].date() and q._newest(con, Filters(), None, "quotes") == Filters()


def test_the_rollups_are_read_from_the_snapshot_not_computed(reuters_store):
    manifest = store.read_manifest(reuters_store)
    snapshot = reuters_store / manifest["snapshot"]
    assert all((snapshot / f"{table}.parquet").is_file() for table in store.ROLLUPS)
    con = store.connect(reuters_store)
    for table in store.ROLLUPS:
        plan = con.execute(f"EXPLAIN SELECT * FROM {table}").fetchall()[0][1]
        # A plain read of the stored file: no aggregation over the parts at query time.
        assert "READ_PARQUET" in plan and "GROUP" not in plan and "JOIN" not in plan, (table, plan)


def test_the_segments_hold_exactly_the_rows_of_the_parts(reuters_store):
    """The views read the compacted segments; read from the parts instead, every table is the same."""
    manifest = store.read_manifest(reuters_store)
    assert manifest["segments"] and all(
        (reuters_store / store.SEGMENTS / s["segment"]).is_dir() for s in manifest["segments"]
    )
    from_parts = {k: v for k, v in manifest.items() if k != "segments"}
    for table in store.SCHEMAS:
        a = store.read_table(reuters_store, table, manifest)
        b = store.read_table(reuters_store, table, from_parts)
        keys = list(a.columns)
        assert len(a) == len(b)
        pd.testing.assert_frame_equal(
            a.sort_values(keys).reset_index(drop=True), b.sort_values(keys).reset_index(drop=True)
        )


def test_the_term_index_holds_the_terms_sorted_by_term_and_serves_the_text_filter(reuters_store, tmp_path):
    manifest = store.read_manifest(reuters_store)
    folders = [reuters_store / store.SEGMENTS / s["segment"] for s in manifest["segments"]]
    assert all(s.get(store.TERM_INDEX) for s in manifest["segments"])
    con = store.connect(reuters_store)
    for folder in folders:  # each segment's copy: the same rows, in term order
        copy = con.execute(
            f"SELECT term, date, article_id, count FROM read_parquet('{folder}/term_index.parquet')"
        ).df()
        terms = con.execute(f"SELECT term, date, article_id, count FROM read_parquet('{folder}/terms.parquet')").df()
        assert len(copy) == len(terms) > 0
        assert list(copy["term"]) == sorted(copy["term"])
        keys = ["term", "date", "article_id"]
        pd.testing.assert_frame_equal(copy, terms.sort_values(keys).reset_index(drop=True), check_dtype=False)
    plan = con.execute("EXPLAIN ANALYZE SELECT count(*) FROM term_index WHERE term = 'say'").fetchall()[0][1]
    assert "term_index.parquet" in plan
    # A manifest of before the index (segments without it) reads the terms: the same articles.
    older = {
        **manifest,
        "segments": [{k: v for k, v in s.items() if k != store.TERM_INDEX} for s in manifest["segments"]],
    }
    before = store.connect(reuters_store, older)
    assert (
        "term_index.parquet"
        not in before.execute("EXPLAIN ANALYZE SELECT count(*) FROM term_index WHERE term = 'say'").fetchall()[0][1]
    )
    for text in ("oil", "said", "oil prices", '"crude oil"', "zzqx"):
        f = Filters(text=text)
        assert _ids(con, f) == _ids(before, f), text
    assert len(_ids(con, Filters(text="said"))) > 10


def test_every_commit_refreshes_the_rollups(reuters_store, tmp_path):
    """A re-tag changes the topics: the topic rollups (and the segments' topics) follow, not the old ones."""
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(reuters_store, copy)
    taxonomy = tmp_path / "taxonomy.toml"
    # One tag that nearly every Reuters article carries: nothing like the shipped taxonomy.
    taxonomy.write_text(
        '[settings]\nthreshold = 0.1\nmin_evidence = 1\n\n[[topic]]\nname = "numbers"\n'
        'strong = ["year", "pct", "company", "share", "market", "price"]\n',
        encoding="utf-8",
    )
    corpus.retag(copy, taxonomy)
    con = store.connect(copy)
    summary = q.topic_summary(con, Filters(), "taxonomy")
    assert list(summary["topic"]) == ["numbers"] and summary["articles"].iloc[0] >= 30
    pd.testing.assert_frame_equal(summary, q.topic_summary(con, EVERYTHING, "taxonomy"), check_dtype=False)


def test_a_store_with_rollups_of_an_older_layout_computes_them(reuters_store, tmp_path):
    """A rollup file lacking a column the code now expects is ignored, not misread."""
    import shutil

    import pyarrow.parquet as pq

    copy = tmp_path / "store"
    shutil.copytree(reuters_store, copy)
    path = copy / store.read_manifest(copy)["snapshot"] / "speaker_counts.parquet"
    pq.write_table(pq.read_table(path).drop(["articles"]), path)
    con = store.connect(copy)
    pd.testing.assert_frame_equal(
        q.top_speakers(con, Filters(), 30), q.top_speakers(con, EVERYTHING, 30), check_dtype=False
    )


def test_the_cross_tab_rollups_hold_the_top_names_as_the_queries_rank_them(corpora, tmp_path, monkeypatch):
    """With the tops cut to 5 names, a small store has names outside them: a rollup that kept the
    wrong five (another ranking) or a query that read it beyond them gives other rows than the scan."""
    for name, value in (("TOP_CROSS", 5), ("TOP_SERIES", 5), ("TOP_CO_MENTIONS", 4)):
        old = getattr(store, name)
        monkeypatch.setattr(store, name, value)
        for table, sql in store.ROLLUPS.items():
            monkeypatch.setitem(store.ROLLUPS, table, re.sub(rf"LIMIT {old}\b", f"LIMIT {value}", sql))
        monkeypatch.setitem(
            store.ROLLUPS,
            "co_mention_top",
            store.ROLLUPS["co_mention_top"].replace(f"rank <= {old}", f"rank <= {value}"),
        )
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted((corpora / "reuters-1987" / "articles").iterdir())[:40]:
        (folder / path.name).symlink_to(path)
    out = tmp_path / "store"
    preprocess.preprocess([folder], out, chunk_articles=8)
    con = store.connect(out)
    assert len(q.top_speakers(con, Filters(), None)) > 10 and len(q.top_entities(con, Filters(), None)) > 10
    asked = {
        "speaker_entities": lambda f: q.speaker_entities(con, f, 5, 6),
        "speaker_entities, fewer": lambda f: q.speaker_entities(con, f, 3, 4),
        "co_mention_pairs": lambda f: q.co_mention_pairs(con, f, 5),
        "co_mentions of a top entity": lambda f: q.co_mentions(con, f, _entity(con, 2), 4),
        "co_mentions of another": lambda f: q.co_mentions(con, f, _entity(con, 8), 4),
        "co_mentions, more than kept": lambda f: q.co_mentions(con, f, _entity(con, 0), 9),
        "mentions_over_time": lambda f: q.mentions_over_time(con, f, [_entity(con, i) for i in (0, 4)], "week"),
        "mentions_over_time beyond": lambda f: q.mentions_over_time(con, f, [_entity(con, 7)], "week"),
        "quotes_over_time": lambda f: q.quotes_over_time(con, f, _speakers(con, 0, 4), "week"),
        "quotes_over_time beyond": lambda f: q.quotes_over_time(con, f, _speakers(con, 3, 7), "week"),
    }
    for name, ask in asked.items():
        scanned = ask(EVERYTHING)
        assert len(scanned) > 0, name
        pd.testing.assert_frame_equal(ask(Filters()), scanned, check_dtype=False, obj=name)


def test_a_topics_entity_counts_an_article_once_whatever_labels_the_entity_had_there(tmp_path):
    """In a1 the tagger read "Acme Corp" both as an organisation and as a person: one article of the
    economy topic, not two, and the label the most rows gave (ORG, also in a3)."""
    from tests.app.stores import tables

    t = tables()
    t["entities"] = pd.concat(
        [t["entities"], pd.DataFrame([("a1", "Acme Corp", "PERSON", 2)], columns=t["entities"].columns)],
        ignore_index=True,
    )
    folder = tmp_path / "store"
    store.write_snapshot(folder, t, {})
    con = store.connect(folder)
    rollup = q.topic_entities(con, Filters(), "economy and business", None)
    scan = q.topic_entities(con, EVERYTHING, "economy and business", None)
    pd.testing.assert_frame_equal(rollup, scan, check_dtype=False)
    acme = rollup.set_index("entity").loc["Acme Corp"]
    assert (acme["label"], acme["articles"], acme["mentions"]) == ("ORG", 2, 4)

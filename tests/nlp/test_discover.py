"""Topic discovery: two clearly different subjects come apart, and the command stores them."""

import datetime as dt
from collections import Counter

import pandas as pd
import pytest

from dashboard.nlp.discover import discover, knee

FOOTBALL = [
    "The striker scored twice as the home team won the league match in front of their fans.",
    "The coach praised his players after the team won the cup final on penalties.",
    "A late goal from the striker gave the visiting team a win in the league derby.",
    "Fans filled the stadium to watch the team play its rivals in the cup semi-final.",
    "The goalkeeper saved a penalty and the team kept a clean sheet in the league.",
    "The club signed a new striker before the league season, the coach said.",
    "Players and fans celebrated in the stadium after the team clinched the league title.",
    "The coach dropped two players after the team lost the match to its rivals.",
]
RATES = [
    "The central bank raised interest rates to curb inflation, and bond yields rose.",
    "Bond investors expect the central bank to cut interest rates as inflation slows.",
    "Inflation climbed again, putting pressure on the central bank to lift rates.",
    "Rising bond yields pushed mortgage rates higher as inflation stayed stubborn.",
    "The central bank held interest rates steady and said inflation would ease.",
    "Investors sold government bonds after inflation data beat forecasts and yields rose.",
    "Mortgage lenders raised rates after the central bank signalled more increases.",
    "Bond markets rallied when the central bank hinted that interest rates had peaked.",
]


@pytest.fixture(scope="module")
def corpus(nlp):
    """Stored-style terms (lemma counts) of sixteen literal articles, and their subjects."""
    rows, subject = [], {}
    for name, texts in (("football", FOOTBALL), ("rates", RATES)):
        for i, doc in enumerate(nlp.pipe(texts)):
            article = f"{name}-{i}"
            subject[article] = name
            counts = Counter(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop)
            rows += [(article, term, n) for term, n in counts.items()]
    return pd.DataFrame(rows, columns=["article_id", "term", "count"]), subject


def dominant(assignments):
    return (
        assignments.sort_values("score", ascending=False).drop_duplicates("article_id").set_index("article_id")["topic"]
    )


def test_two_topics_separate_the_two_subjects(corpus):
    terms, subject = corpus
    assignments, topic_terms, k = discover(terms, k=2)
    assert k == 2
    top = dominant(assignments)
    assert len(top) == 16
    by_subject = {name: set(top[[a for a, s in subject.items() if s == name]]) for name in ("football", "rates")}
    assert len(by_subject["football"]) == 1 and len(by_subject["rates"]) == 1
    assert by_subject["football"] != by_subject["rates"]
    football_name, rates_name = by_subject["football"].pop(), by_subject["rates"].pop()
    football_terms = set(topic_terms.loc[topic_terms["topic"] == football_name, "term"].head(5))
    rates_terms = set(topic_terms.loc[topic_terms["topic"] == rates_name, "term"].head(5))
    assert football_terms & {"team", "league", "striker", "coach", "fan", "player"}
    assert rates_terms & {"bank", "rate", "inflation", "bond", "central", "yield"}
    assert not football_terms & rates_terms
    assert set(assignments["kind"]) == {"discovered"}
    assert assignments["score"].between(0, 1).all()
    # Evidence: the article's own words among its topic's top terms.
    row = assignments[(assignments["article_id"] == "rates-0") & (assignments["topic"] == rates_name)].iloc[0]
    assert set(row["evidence"].split(", ")) <= {
        "central",
        "bank",
        "raise",
        "interest",
        "rate",
        "curb",
        "inflation",
        "bond",
        "yield",
        "rise",
    }
    assert topic_terms.groupby("topic")["weight"].sum().le(1.0 + 1e-9).all()


def test_chosen_k_keeps_subjects_apart(corpus):
    terms, subject = corpus
    assignments, _, k = discover(terms, k=None)
    assert 2 <= k <= 3
    top = dominant(assignments)
    for topic in set(top):
        members = {subject[a] for a in top[top == topic].index}
        assert len(members) == 1, f"topic {topic!r} mixes {members}"


def test_same_seed_same_topics(corpus):
    terms, _ = corpus
    first, _, _ = discover(terms, k=2, seed=3)
    second, _, _ = discover(terms, k=2, seed=3)
    pd.testing.assert_frame_equal(first, second)


def test_knee_is_where_adding_topics_stops_paying():
    assert knee([2, 4, 6, 8, 10], [100, 40, 35, 32, 30]) == 4
    assert knee([2, 4, 6], [10, 10, 10]) == 2
    assert knee([5, 10], [9, 8]) == 5


def test_too_small_a_corpus_is_refused():
    terms = pd.DataFrame([("a", "oil", 1)], columns=["article_id", "term", "count"])
    with pytest.raises(ValueError, match="too few"):
        discover(terms, k=2)


def test_command_stores_discovered_topics_beside_taxonomy_tags(corpus, tmp_path, capsys):
    from dashboard import store
    from dashboard.cli import main

    terms, subject = corpus
    ids = sorted(subject)
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "file": [f"{a}.txt" for a in ids],
            "line": 1,
            "date": dt.date(2025, 1, 1),
            "title": ids,
            "source": None,
            "url": None,
            "author": None,
            "text": "...",
            "words": 20,
            "quote_marks": 0,
        }
    )
    tagged = pd.DataFrame(
        {
            "article_id": ["rates-0"],
            "topic": ["markets and finance"],
            "score": [9.0],
            "evidence": ["bond, central bank"],
            "kind": ["taxonomy"],
        }
    )
    stale = pd.DataFrame(
        {"article_id": ["rates-1"], "topic": ["old topic"], "score": [0.5], "evidence": [""], "kind": ["discovered"]}
    )
    store.write_snapshot(
        tmp_path / "s",
        {
            "articles": articles,
            "terms": terms,
            "topics": pd.concat([tagged, stale]),
            "topic_terms": store.empty_frame("topic_terms"),
        },
        {},
    )
    assert main(["topics", "discover", "--k", "2", "--store", str(tmp_path / "s")]) == 0
    assert "2 topics (given) over 16 articles" in capsys.readouterr().out
    topics = store.read_table(tmp_path / "s", "topics")
    assert topics[topics["kind"] == "taxonomy"]["topic"].tolist() == ["markets and finance"]
    discovered = topics[topics["kind"] == "discovered"]
    assert "old topic" not in set(discovered["topic"])
    assert discovered["article_id"].nunique() == 16
    topic_terms = store.read_table(tmp_path / "s", "topic_terms")
    assert set(topic_terms["topic"]) == set(discovered["topic"])
    assert store.read_manifest(tmp_path / "s")["discovered"]["k"] == 2


def test_command_rejects_k_below_two(tmp_path, capsys):
    from dashboard.cli import main

    assert main(["topics", "discover", "--k", "1", "--store", str(tmp_path)]) == 2
    assert "at least 2" in capsys.readouterr().err


def test_a_store_of_parts_is_fitted_on_a_sample_and_streams_every_part(corpora, tmp_path, monkeypatch):
    from dashboard import corpus, store
    from dashboard.nlp import discover as discovery
    from dashboard.preprocess import preprocess

    files = sorted((corpora / "reuters-1987" / "articles").iterdir())[:60]
    out = tmp_path / "store"
    preprocess(files, out, chunk_articles=8)
    stored = store.read_manifest(out)["counts"]["articles"]
    tags = store.read_table(out, "topics").query("kind == 'taxonomy'")
    monkeypatch.setattr(discovery, "FIT_ARTICLES", 20)  # a sample of the parts, as at a million articles
    # Nothing reads the whole terms table.
    monkeypatch.setattr(store, "read_table", lambda *a, **k: pytest.fail("discovery read a whole table"))
    summary = discovery.discover_store(out, k=3)
    monkeypatch.undo()
    manifest = store.read_manifest(out)
    assert 0 < manifest["discovered"]["fitted_on"] < stored
    snapshot = out / manifest["snapshot"]
    assert (snapshot / "discovered.parquet").is_file() and not (snapshot / "topics.parquet").is_file()
    topics = store.read_table(out, "topics")
    discovered = topics[topics["kind"] == "discovered"]
    # Every article with any of the model's terms is assigned, also those of parts it was not fitted on.
    assert discovered["article_id"].nunique() == summary["articles"] >= 0.9 * stored
    assert discovered["topic"].nunique() == 3 and sum(summary["sizes"]) == len(discovered)
    key = ["article_id", "topic"]
    kept = topics[topics["kind"] == "taxonomy"].sort_values(key)[key].values.tolist()
    assert kept == tags.sort_values(key)[key].values.tolist()  # taxonomy tags untouched
    # The store stays one of parts: a re-tag reads its parts and keeps the discovered topics.
    corpus.retag(out)
    assert not (out / store.read_manifest(out)["snapshot"] / "topics.parquet").is_file()
    assert len(store.read_table(out, "topics").query("kind == 'discovered'")) == len(discovered)

"""Taxonomy topic tags: literal texts through the real model, the seed article, and re-tagging."""

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from dashboard.nlp.topics import (
    Tag,
    TaxonomyError,
    load_taxonomy,
    parse_taxonomy,
    tag_article,
    tag_frames,
    taxonomy_version,
)

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_78016a26d1a55681.txt"


def bag(nlp, title: str, body: str):
    """Terms, entities and length as the store keeps them (lemmas of alphabetic non-stop words)."""
    terms, entities = Counter(), Counter()
    docs = [nlp(title), nlp(body)] if title and not title.isupper() else [nlp(body)]
    for doc in docs:
        terms.update(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and not t.is_punct)
        entities.update(e.text for e in doc.ents)
    words = sum(1 for t in docs[-1] if not t.is_space and not t.is_punct)
    return terms, entities, words


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def tags_of(nlp, taxonomy, title, body):
    return {t.topic: t for t in tag_article(*bag(nlp, title, body)[:2], taxonomy, bag(nlp, title, body)[2])}


def test_energy_article_gets_energy_with_readable_evidence(nlp, taxonomy):
    tags = tags_of(
        nlp,
        taxonomy,
        "OPEC agrees to cut output",
        "OPEC ministers agreed to cut crude oil output by one million barrels a day. "
        "Refinery demand for oil has weakened and crude prices fell for a third week.",
    )
    assert "energy" in tags
    assert {"crude oil", "OPEC", "barrel", "refinery"} <= set(tags["energy"].evidence)
    assert "sport" not in tags and "culture and entertainment" not in tags


def test_sport_article_is_not_energy(nlp, taxonomy):
    tags = tags_of(
        nlp,
        taxonomy,
        "United win the league",
        "The striker scored twice as the team won the league championship in front of "
        "their fans at the stadium. The coach praised every player after the match.",
    )
    assert next(iter(tags)) == "sport"
    assert "energy" not in tags and "economy and business" not in tags


def test_court_article_is_crime_and_justice(nlp, taxonomy):
    tags = tags_of(
        nlp,
        taxonomy,
        "Former mayor jailed for fraud",
        "A judge sentenced the former mayor to five years in prison after a jury found "
        "him guilty of fraud and bribery. Prosecutors said police had arrested him in May.",
    )
    assert "crime and justice" in tags
    assert {"judge", "jail", "fraud"} <= set(tags["crime and justice"].evidence)


def test_one_passing_mention_in_a_long_article_earns_no_tag(nlp, taxonomy):
    body = (
        "The striker scored twice as the team won the league championship. " * 10
        + "Fans travelled by train because petrol was expensive."
    )
    tags = tags_of(nlp, taxonomy, "", body)
    assert "sport" in tags and "energy" not in tags


def test_a_single_word_repeated_is_not_enough(taxonomy):
    assert tag_article({"oil": 9}, {}, taxonomy, words=40) == []
    tags = tag_article({"oil": 3, "refinery": 1}, {}, taxonomy, words=40)
    assert [t.topic for t in tags] == ["energy"]
    assert tags[0].evidence == ("oil", "refinery")


def test_phrase_matches_when_all_its_words_occur(taxonomy):
    base = {"bank": 2, "dollar": 1, "currency": 1}
    with_both = tag_article({**base, "interest": 1, "rate": 2}, {}, taxonomy, words=30)
    only_one = tag_article({**base, "interest": 1}, {}, taxonomy, words=30)
    assert with_both[0].evidence == ("currency", "dollar", "interest rate", "bank", "rate")
    assert all("interest rate" not in t.evidence for t in only_one)


def test_a_phrase_is_one_piece_of_evidence_not_three(taxonomy):
    # "foreign minister" alone: the phrase takes the words' occurrences, so there is one cue.
    assert tag_article({"foreign": 1, "minister": 1}, {}, taxonomy, words=30) == []
    tags = tag_article({"foreign": 1, "minister": 1, "embassy": 1}, {}, taxonomy, words=30)
    assert tags[0].topic == "diplomacy"
    assert tags[0].evidence == ("embassy", "foreign minister")


def test_entity_cue_counts_once_beside_the_same_word(taxonomy):
    tags = tag_article({"opec": 2, "oil": 1}, {"OPEC": 2}, taxonomy, words=30)
    assert [e.lower() for e in tags[0].evidence].count("opec") == 1
    assert "OPEC" in tags[0].evidence


def test_seed_article_is_diplomacy_and_conflict(nlp, taxonomy):
    first, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    title = first.split(" ", 2)[2]
    tags = tags_of(nlp, taxonomy, title, body.strip())
    assert {"diplomacy", "conflict and defence"} <= set(tags)
    assert list(tags)[:2] == ["diplomacy", "conflict and defence"]
    assert "ceasefire" in tags["conflict and defence"].evidence
    assert "dialogue" in tags["diplomacy"].evidence
    assert "sport" not in tags and "energy" not in tags


def test_tags_are_frozen_values(taxonomy):
    tag = tag_article({"oil": 1, "refinery": 1}, {}, taxonomy, words=20)[0]
    assert isinstance(tag, Tag)
    with pytest.raises(AttributeError):
        tag.score = 0


def test_version_follows_content_not_comments(tmp_path):
    text = '[[topic]]\nname = "space"\nstrong = ["rocket", "orbit"]\n'
    a, b, c = tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "c.toml"
    a.write_text(text)
    b.write_text("# a comment\n" + text)
    c.write_text(text.replace("orbit", "astronaut"))
    va, vb, vc = (taxonomy_version(load_taxonomy(p)) for p in (a, b, c))
    assert va == vb != vc and len(va) == 12


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"topic": [{"name": "a", "strong": ["x", "x"]}]}, "listed twice"),
        ({"topic": [{"name": "a", "words": ["x"]}]}, "unknown field"),
        ({"topic": [{"strong": ["x"]}]}, "no name"),
        ({"settings": {"treshold": 1}, "topic": [{"name": "a"}]}, "unknown setting"),
        ({}, "no [[topic]]"),
    ],
)
def test_malformed_taxonomy_says_what_is_wrong(raw, message):
    with pytest.raises(TaxonomyError, match=message.replace("[", r"\[")):
        parse_taxonomy(raw)


def test_vectorised_tagging_agrees_with_tag_article(taxonomy):
    articles = {
        "a": ({"oil": 3, "crude": 2, "opec": 1, "price": 2}, {"OPEC": 1}, 60),
        "b": ({"interest": 2, "rate": 3, "bank": 2, "central": 1, "dollar": 1}, {}, 200),
        "c": ({"election": 2, "vote": 4, "candidate": 1, "party": 1}, {"Congress": 1}, 500),
        "d": ({"weather": 1}, {}, 10),
        "e": ({"foreign": 2, "minister": 1, "embassy": 1, "talk": 3}, {"UN": 1}, 120),
        "f": ({"crude": 3, "oil": 1, "opec": 2}, {"OPEC": 2, "Opec": 1}, 90),
    }
    terms = pd.DataFrame(
        [(a, t, c) for a, (ts, _, _) in articles.items() for t, c in ts.items()],
        columns=["article_id", "term", "count"],
    )
    ents = pd.DataFrame(
        [(a, e, c) for a, (_, es, _) in articles.items() for e, c in es.items()],
        columns=["article_id", "entity", "count"],
    )
    words = pd.DataFrame([(a, w) for a, (_, _, w) in articles.items()], columns=["article_id", "words"])
    frame = tag_frames(terms, ents, words, taxonomy)
    expected = [
        (a, t.topic, t.score, ", ".join(t.evidence))
        for a, (ts, es, w) in articles.items()
        for t in tag_article(ts, es, taxonomy, w)
    ]
    got = list(frame[["article_id", "topic", "score", "evidence"]].itertuples(index=False, name=None))
    assert got == expected
    assert set(frame["kind"]) == {"taxonomy"}
    assert "d" not in set(frame["article_id"])


def _store(tmp_path):
    """A store of two articles with stored terms and entities, one discovered topic row."""
    import datetime as dt

    from dashboard import store

    ids = ["a" * 16, "b" * 16]
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "file": ["one.txt", "two.txt"],
            "line": [1, 1],
            "date": [dt.date(2025, 9, 12)] * 2,
            "title": ["Launch", "Match"],
            "source": [None] * 2,
            "url": [None] * 2,
            "author": [None] * 2,
            "text": [
                "NASA launched a rocket that put a weather satellite into orbit on Friday.",
                "The coach said the team must win its last league match to stay up.",
            ],
            "words": [50, 50],
            "quote_marks": [0, 0],
        }
    )
    terms = pd.DataFrame(
        [
            (ids[0], "rocket", 2),
            (ids[0], "orbit", 1),
            (ids[0], "launch", 2),
            (ids[0], "satellite", 1),
            (ids[1], "team", 2),
            (ids[1], "league", 1),
            (ids[1], "match", 1),
            (ids[1], "coach", 1),
        ],
        columns=["article_id", "term", "count"],
    )
    mentions = pd.DataFrame([(ids[0], "NASA", "ORG", 2)], columns=["article_id", "name", "label", "count"])
    topics = pd.DataFrame(
        {
            "article_id": [ids[0]],
            "topic": ["rocket, launch"],
            "score": [0.9],
            "evidence": ["rocket, launch"],
            "kind": ["discovered"],
        }
    )
    store.write_snapshot(
        tmp_path / "store",
        {
            "articles": articles,
            "terms": terms,
            "mentions": mentions,
            "topics": topics,
            "entities": mentions.rename(columns={"name": "entity"}),
        },
        {"taxonomy_version": "old"},
    )
    return tmp_path / "store"


def test_retag_after_a_taxonomy_edit_changes_stored_tags_only(tmp_path, monkeypatch):
    from dashboard import store
    from dashboard.corpus import retag
    from dashboard.nlp import model
    from dashboard.nlp.topics import default_taxonomy_path

    def no_spacy(*args, **kwargs):
        raise AssertionError("re-tagging must not load a spaCy model")

    monkeypatch.setattr(model, "load_model", no_spacy)
    monkeypatch.setattr("spacy.load", no_spacy)
    store_dir = _store(tmp_path)
    terms_before = store.read_table(store_dir, "terms")
    retag(store_dir)
    first = store.read_table(store_dir, "topics")
    tagged = first[first["kind"] == "taxonomy"]
    # The shipped taxonomy has no "space" topic: the rocket article gets its nearest shipped tag.
    assert sorted(zip(tagged["article_id"], tagged["topic"])) == [("a" * 16, "science and health"), ("b" * 16, "sport")]
    # Cues that earned the tag come first, the similarity to the topic last.
    evidence = dict(zip(tagged["article_id"], tagged["evidence"].str.split(", ")))
    assert evidence["a" * 16][:2] == ["NASA", "rocket"] and evidence["b" * 16][:4] == [
        "coach",
        "league",
        "team",
        "match",
    ]
    assert evidence["a" * 16][-1].startswith("similarity ")

    edited = tmp_path / "taxonomy.toml"
    edited.write_text(
        default_taxonomy_path().read_text(encoding="utf-8")
        + '\n[[topic]]\nname = "space"\nstrong = ["rocket", "orbit", "astronaut"]\n'
        'terms = ["launch"]\nentities = ["NASA"]\n'
    )
    retag(store_dir, edited)
    second = store.read_table(store_dir, "topics")
    space = second[(second["topic"] == "space") & (second["kind"] == "taxonomy")]
    assert space["article_id"].tolist() == ["a" * 16]
    # Equal contributions are listed alphabetically; a name keeps its spelling.
    assert space["evidence"].iloc[0].split(", ")[:3] == ["NASA", "rocket", "orbit"]
    # Discovered topics and the other tables are carried over untouched.
    assert second[second["kind"] == "discovered"]["topic"].tolist() == ["rocket, launch"]
    pd.testing.assert_frame_equal(store.read_table(store_dir, "terms"), terms_before)
    manifest = store.read_manifest(store_dir)
    assert manifest["taxonomy_version"] == taxonomy_version(load_taxonomy(edited))
    assert "re-tagged" in manifest["history"][-1]["note"]


def test_retag_command_uses_the_taxonomy_beside_the_store(tmp_path, capsys):
    from dashboard import store
    from dashboard.cli import main
    from dashboard.settings import user_taxonomy

    store_dir = _store(tmp_path)
    user_taxonomy(store_dir).write_text('[[topic]]\nname = "space"\nstrong = ["rocket", "orbit"]\n')
    assert main(["topics", "retag", "--store", str(store_dir)]) == 0
    assert "re-tagged 1 articles" in capsys.readouterr().out
    topics = store.read_table(store_dir, "topics")
    assert set(topics.loc[topics["kind"] == "taxonomy", "topic"]) == {"space"}


def test_retag_reports_a_broken_taxonomy(tmp_path, capsys):
    from dashboard.cli import main

    store_dir = _store(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[topic]]\nname = "space"\nstrong = ["rocket", "rocket"]\n')
    assert main(["topics", "retag", "--store", str(store_dir), "--taxonomy", str(bad)]) == 1
    assert "listed twice" in capsys.readouterr().err

"""Topic tags from cue evidence plus embedding similarity: the real wordllama model, real stores."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from dashboard import corpus, preprocess, store
from dashboard.nlp import embeddings
from dashboard.nlp.topics import (
    combine,
    corpus_prototypes,
    default_taxonomy_path,
    lexicon_scores,
    load_taxonomy,
    parse_taxonomy,
    prototype_sums,
    tag_frames,
)

ID = "a" * 16


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def frames(nlp, title: str, body: str, article_id: str = ID):
    """The stored inputs of tagging for one article: terms, entity names, length, vector."""
    doc = nlp(f"{title}\n\n{body}")
    terms = Counter(t.lemma_.lower() for t in doc if t.is_alpha and not t.is_stop and len(t) > 1)
    names = Counter(e.text for e in doc.ents)
    return (
        pd.DataFrame([(article_id, k, v) for k, v in terms.items()], columns=["article_id", "term", "count"]),
        pd.DataFrame([(article_id, k, v) for k, v in names.items()], columns=["article_id", "entity", "count"]),
        pd.DataFrame({"article_id": [article_id], "words": [len(body.split())]}),
        ([article_id], embeddings.embed_articles([(article_id, title, body)])),
    )


def tags(nlp, taxonomy, title, body):
    terms, names, words, vectors = frames(nlp, title, body)
    return tag_frames(terms, names, words, taxonomy, vectors, embeddings.topic_vectors(taxonomy))


def test_the_model_loads_from_the_package_without_network_or_writes(monkeypatch):
    import requests

    def no_network(*args, **kwargs):
        raise AssertionError("wordllama must not download anything")

    monkeypatch.setattr(requests, "get", no_network)
    embeddings.model.cache_clear()
    vectors = embeddings.embed(["Shares fell on Wall Street.", ""])
    assert vectors.shape == (2, embeddings.DIM)
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not vectors[1].any()  # an empty text is no evidence of anything


def test_an_article_without_any_cue_word_gets_its_tag_from_the_embedding(nlp, taxonomy):
    title, body = "Maker shows its new gizmo", "The slim gizmo ships with a quicker chipset and a sharper touchscreen."
    terms, names, words, _ = frames(nlp, title, body)
    found = lexicon_scores(terms, names, words, taxonomy)
    assert "technology" not in set(found["topic"]) or found["cues"].max() < 2  # the cues alone earn nothing
    tagged = tags(nlp, taxonomy, title, body)
    assert tagged["topic"].iloc[0] == "technology"
    assert tagged["evidence"].iloc[0].startswith("similarity ")  # the reason says it is the embedding's


def test_cue_evidence_still_leads_and_is_shown(nlp, taxonomy):
    tagged = tags(
        nlp,
        taxonomy,
        "OPEC agrees to cut output",
        "OPEC ministers agreed to cut crude oil output. Refinery demand has weakened and crude prices fell.",
    )
    top = tagged.iloc[0]
    assert top["topic"] == "energy"
    assert {"OPEC", "refinery"} <= set(top["evidence"].split(", "))
    assert 0.5 < top["score"] <= 1.0  # a share of the article: cues and similarity agree


def test_scores_are_shares_that_sum_to_one_at_most(nlp, taxonomy):
    tagged = tags(nlp, taxonomy, "United win the league", "United beat City 2-1 to win the league title.")
    assert tagged["topic"].iloc[0] == "sport"
    assert 0 < tagged["score"].sum() <= 1.0 + 1e-6


def _toy_taxonomy(**settings):
    raw = {
        "settings": settings,
        "topic": [
            {"name": "one", "description": "one", "strong": ["alpha", "beta"]},
            {"name": "two", "description": "two", "strong": ["gamma"]},
            {"name": "three", "description": "three"},
        ],
    }
    return parse_taxonomy(raw)


def test_an_article_that_fits_no_topic_gets_no_tag_unless_its_cues_earn_one():
    taxonomy = _toy_taxonomy(similarity_floor=0.1)
    topics = np.eye(3, 4, dtype=np.float32)  # three topics along three axes
    lost = np.array([[0.0, 0.0, 0.0, 1.0]], dtype=np.float32)  # along none of them: cosine 0 with each
    near = np.array([[0.0, 1.0, 0.0, 0.0]], dtype=np.float32)
    none = lexicon_scores(pd.DataFrame(columns=["article_id", "term", "count"]), _no_names(), _words(), taxonomy)
    assert combine(none, ([ID], lost), topics, taxonomy).empty
    assert combine(none, ([ID], near), topics, taxonomy)["topic"].tolist() == ["two"]
    cued = pd.DataFrame([(ID, "alpha", 3), (ID, "beta", 2)], columns=["article_id", "term", "count"])
    earned = combine(lexicon_scores(cued, _no_names(), _words(), taxonomy), ([ID], lost), topics, taxonomy)
    assert earned["topic"].tolist() == ["one"]
    assert earned["evidence"].iloc[0].startswith("alpha, beta, similarity")


def _no_names():
    return pd.DataFrame(columns=["article_id", "entity", "count"])


def _words():
    return pd.DataFrame({"article_id": [ID], "words": [20]})


def test_text_unlike_any_topic_gets_no_tag_with_the_real_model(taxonomy):
    vectors = embeddings.embed_articles([(ID, "Lorem ipsum", "Lorem ipsum dolor sit amet.")])
    none = lexicon_scores(pd.DataFrame(columns=["article_id", "term", "count"]), _no_names(), _words(), taxonomy)
    assert combine(none, ([ID], vectors), embeddings.topic_vectors(taxonomy), taxonomy).empty


ARTICLES = {
    "a.txt": ("2024-05-01", "Capsule docks", "The crew docked their capsule with the orbiting station after a six-hour flight."),
    "b.txt": ("2024-05-02", "Bank raises rates", "The central bank raised interest rates, governor John Smith said."),
    "c.txt": ("2024-05-03", "United win the league", "United beat City 2-1 on Sunday to win the league title."),
}  # fmt: skip
SPACE = '\n[[topic]]\nname = "space flight"\ndescription = "{}"\n'


def _write_articles(folder, articles: dict) -> None:
    folder.mkdir(exist_ok=True)
    for name, (date, title, body) in articles.items():
        (folder / name).write_text(f"date {date} {title}\n\n{body}\n", encoding="utf-8")


@pytest.fixture
def built(tmp_path):
    folder = tmp_path / "in"
    _write_articles(folder, ARTICLES)
    out = tmp_path / "store"
    preprocess.preprocess([folder], out)
    return out


def _top_tags(store_dir) -> dict[str, str]:
    con = store.connect(store_dir)
    rows = con.execute(
        "SELECT a.title, t.topic FROM topics t JOIN articles a USING (article_id) WHERE t.kind = 'taxonomy' "
        "QUALIFY row_number() OVER (PARTITION BY t.article_id ORDER BY t.score DESC) = 1"
    ).fetchall()
    return dict(rows)


def test_vectors_are_stored_per_part_and_a_description_edit_retags_from_them(built, monkeypatch):
    manifest = store.read_manifest(built)
    stem = corpus.vectors_stem()
    assert all(part.get("vectors") == stem for part in manifest["parts"])
    files = [store.parts_dir(built) / p["chunk"] / f"{stem}.parquet" for p in manifest["parts"]]
    ids = [i for f in files for i in store.read_vectors(f)[0]]
    assert sorted(ids) == sorted(store.read_table(built, "articles")["article_id"])
    before = {f: f.read_bytes() for f in files}
    assert _top_tags(built)["Capsule docks"] == "science and health"

    # Re-tagging needs neither spaCy nor the model's article pass: only the stored vectors.
    def refuse(*args, **kwargs):
        raise AssertionError("re-tagging must reuse stored vectors and never parse")

    monkeypatch.setattr("dashboard.nlp.model.load_model", refuse)
    monkeypatch.setattr("spacy.load", refuse)
    monkeypatch.setattr(embeddings, "embed_articles", refuse)
    shipped = default_taxonomy_path().read_text(encoding="utf-8")
    edited = built / "taxonomy.toml"
    edited.write_text(shipped + SPACE.format("Gardening: flowers, lawns, hedges and vegetable beds."), encoding="utf-8")
    corpus.retag(built)
    assert "space flight" not in _top_tags(built).values()
    # The same topic, only its description changed: now the docking article is about it.
    edited.write_text(shipped + SPACE.format("Space flight: rockets, astronauts, orbit and space stations."))
    corpus.retag(built)
    tops = _top_tags(built)
    assert tops["Capsule docks"] == "space flight"
    assert tops["United win the league"] == "sport"
    assert {f: f.read_bytes() for f in files} == before  # the vectors were read, not recomputed
    assert all(p.get("vectors") == stem for p in store.read_manifest(built)["parts"])


def test_a_part_without_vectors_gets_them_from_its_stored_text_on_retag(built, monkeypatch):
    manifest = store.read_manifest(built)
    folder = store.parts_dir(built) / manifest["parts"][0]["chunk"]
    path = folder / f"{corpus.vectors_stem()}.parquet"
    ids, original = store.read_vectors(path)
    tags_before = _top_tags(built)
    path.unlink()  # as a part written before vectors were stored
    monkeypatch.setattr("spacy.load", lambda *a, **k: pytest.fail("re-tagging must not parse"))
    # Any edit makes a new taxonomy version, so every part is re-tagged.
    (built / "taxonomy.toml").write_text(
        default_taxonomy_path().read_text(encoding="utf-8") + SPACE.format("Gardening: flowers, lawns and hedges."),
        encoding="utf-8",
    )
    corpus.retag(built)
    again_ids, again = store.read_vectors(path)
    assert again_ids == ids and np.allclose(again, original, atol=2e-3)
    assert _top_tags(built) == tags_before


def _unit(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _blank(ids):
    none = pd.DataFrame(columns=["article_id", "term", "count"])
    return none, _no_names(), pd.DataFrame({"article_id": ids, "words": [20] * len(ids)})


def _top(tagged: pd.DataFrame) -> pd.Series:
    return tagged.sort_values("score", ascending=False).drop_duplicates("article_id").set_index("article_id")


def test_topics_move_towards_how_the_corpus_writes_about_them():
    taxonomy = _toy_taxonomy(corpus_min_articles=5)
    topics = np.eye(3, 4, dtype=np.float32)
    # This corpus writes about topic one with a fourth direction its description lacks.
    corpus_vectors = _unit([[1, 0, 0, 1.5]] * 10 + [[0, 1, 0, -0.3]] * 10)
    ids = [f"c{i}" for i in range(20)]
    first = _top(combine(lexicon_scores(*_blank(ids), taxonomy), (ids, corpus_vectors), topics, taxonomy))
    assert first.loc[ids, "topic"].tolist() == ["one"] * 10 + ["two"] * 10
    top = np.array([taxonomy.topics.index(t) for t in first.loc[ids, "topic"]])
    sums, counts = prototype_sums(corpus_vectors, topics, top, first.loc[ids, "score"].to_numpy(), taxonomy)
    assert counts.tolist() == [10, 10, 0]
    prototypes = corpus_prototypes(sums, counts, taxonomy)
    assert prototypes.articles == (10, 10, 0) and not prototypes.vectors[2].any()  # too few for three
    # An article in the corpus's own way of writing about topic one: nearer two by the descriptions.
    probe = _unit([[0.5, 0.6, 0, 1.2]])
    scores = lexicon_scores(*_blank(["p"]), taxonomy)
    assert _top(combine(scores, (["p"], probe), topics, taxonomy)).loc["p", "topic"] == "two"
    assert _top(combine(scores, (["p"], probe), topics, taxonomy, prototypes)).loc["p", "topic"] == "one"
    # Prototypes bring every text nearer some topic; whether it fits any is still the descriptions' say.
    lost = np.array([[0.0, 0.0, 0.0, 1.0]], dtype=np.float32)
    assert combine(scores, (["p"], lost), topics, taxonomy, prototypes).empty
    # Under the minimum nothing is fitted, and a batch's sums add up like the whole's.
    assert corpus_prototypes(sums, counts, _toy_taxonomy(corpus_min_articles=11)) is None
    halves = [prototype_sums(corpus_vectors[s], topics, top[s], first.loc[ids, "score"].to_numpy()[s], taxonomy)
              for s in (slice(0, 7), slice(7, 20))]  # fmt: skip
    assert np.allclose(halves[0][0] + halves[1][0], sums) and (halves[0][1] + halves[1][1] == counts).all()


MORE = {
    "d.txt": ("2024-05-04", "Striker signs for rivals", "The striker signed a four-year contract with the rival club."),
    "e.txt": ("2024-05-05", "Inflation slows", "Consumer prices rose 2.1 percent in April, the statistics office said."),
    "f.txt": ("2024-05-06", "Rover finds water ice", "The rover found water ice under the crater floor, the space agency said."),
    "g.txt": ("2024-05-07", "Coach sacked", "The club sacked its coach after five straight defeats."),
}  # fmt: skip


def test_a_store_fits_its_prototypes_once_and_refits_when_it_has_doubled(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    _write_articles(folder, ARTICLES)
    out = tmp_path / "store"
    out.mkdir()
    # One confident article (its top tag with half its share) is enough here, so three articles
    # give prototypes.
    shipped = default_taxonomy_path().read_text(encoding="utf-8")
    (out / "taxonomy.toml").write_text(shipped.replace("[settings]\n", "[settings]\ncorpus_min_articles = 1\n"))
    first = preprocess.preprocess([folder], out)["topic_prototypes"]
    assert first["fitted_on"] == 3 and 1 <= sum(first["articles"].values()) <= 3
    parts = store.read_manifest(out)["parts"]
    assert all(p["topics"].endswith("-" + first["version"]) for p in parts)
    taxonomy = load_taxonomy(out / "taxonomy.toml")
    # The stored tags are those an in-memory re-tag (evaluate --taxonomy) computes from scratch.
    stored = store.read_table(out, "topics").query("kind == 'taxonomy'")
    again = corpus.retagged(out, taxonomy)
    key = ["article_id", "topic"]
    assert stored.sort_values(key)[key].values.tolist() == again.sort_values(key)[key].values.tolist()

    # An unchanged re-run tags nothing again: the tags without prototypes are kept beside the others.
    calls = []
    real = corpus.retag_part
    monkeypatch.setattr(corpus, "retag_part", lambda *a, **k: calls.append(a) or real(*a, **k))
    preprocess.preprocess([folder], out)
    assert calls == []
    # A refit on the same articles reads those kept tags: the same prototypes.
    assert corpus.retag(out, refit=True)["topic_prototypes"]["version"] == first["version"]
    _write_articles(folder, {"d.txt": MORE["d.txt"]})  # 4 articles: fewer than twice 3, so the prototypes stay
    second = preprocess.preprocess([folder], out)["topic_prototypes"]
    assert (second["version"], second["fitted_on"]) == (first["version"], 3)
    _write_articles(folder, {k: MORE[k] for k in ("e.txt", "f.txt", "g.txt")})  # 7: refitted on them all
    third = preprocess.preprocess([folder], out)["topic_prototypes"]
    assert third["fitted_on"] == 7 and third["version"] != first["version"]
    assert all(p["topics"].endswith("-" + third["version"]) for p in store.read_manifest(out)["parts"])

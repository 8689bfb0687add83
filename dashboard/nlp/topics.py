"""Topic tags from an editable taxonomy: weighted lemmas, phrases and entity cues, plus meaning.

The taxonomy is data (`rules/taxonomy.toml`); this module only reads it and scores articles,
pure functions all: bags of lemmas and entity names and article vectors in, tags out. No spaCy
Doc and no model are needed, so the stored `terms`, `mentions` and per-part vectors are enough
to re-tag a whole corpus after the taxonomy changes (`dashboard.corpus.retag`, `topics retag`).
The vectors themselves come from `dashboard.nlp.embeddings`.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

TIERS = ("strong", "term", "weak")
# The TOML list that holds each tier's words ("term" weight, "terms" list).
TIER_KEYS = {"strong": "strong", "term": "terms", "weak": "weak"}
DEFAULT_SETTINGS = {
    "strong": 3.0,
    "term": 1.5,
    "weak": 0.5,
    "entity": 3.0,
    "per_words": 100,
    "min_words": 80,
    "length_power": 0.5,
    "threshold": 3.0,
    "min_evidence": 2,
    "relative": 0.0,
    # Combining cue scores with similarity to each topic (see `combine`; used when vectors are given).
    "similarity_scale": 10.0,
    "cue_weight": 3.0,
    "similarity_floor": 0.10,
    "second_share": 0.25,
    # Topics as this corpus writes about them (see `corpus_prototypes`): the weight of the corpus's
    # own articles in a topic's vector, the share an article's top tag needs to count for its
    # topic, and how many such articles a topic needs before the corpus speaks for it.
    "corpus_weight": 0.7,
    "corpus_confidence": 0.5,
    "corpus_min_articles": 20,
}
# Never in the stored terms (stop words), so a phrase may show them for readability
# ("secretary of state") and matching skips them.
FUNCTION_WORDS = frozenset(["a", "an", "and", "at", "by", "for", "in", "of", "on", "the", "to"])
MAX_EVIDENCE = 8  # evidence shown per tag: enough to convince a reader, short enough to read


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the topic and field."""


@dataclass(frozen=True)
class Tag:
    """One topic on one article, with the score and the words/names that earned it."""

    topic: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Cue:
    """One weighted sign of a topic: a word, a phrase (several lemmas) or an entity name."""

    topic: str
    text: str  # as shown in evidence
    words: tuple[str, ...]  # lemmas that must all occur; empty for entity cues
    weight: float
    entity: bool = False


@dataclass(frozen=True)
class Taxonomy:
    """Parsed taxonomy: topic names in file order, all cues, settings and lookup indexes."""

    topics: tuple[str, ...]
    cues: tuple[Cue, ...]
    settings: Mapping[str, float]
    content: str  # canonical JSON of the parsed file, what the version hashes
    thresholds: Mapping[str, float] = field(default_factory=dict)  # per topic (default: settings)
    # One plain sentence per topic: what its articles are about; articles are compared with it
    # (and with the topic's cue words) by meaning. Empty: the cue words alone stand for the topic.
    descriptions: Mapping[str, str] = field(default_factory=dict)
    # Indexes built once at load so tagging one article is a few dict lookups.
    by_word: Mapping[str, tuple[Cue, ...]] = field(repr=False, default_factory=dict)
    phrases_by_first: Mapping[str, tuple[Cue, ...]] = field(repr=False, default_factory=dict)
    by_entity: Mapping[str, tuple[Cue, ...]] = field(repr=False, default_factory=dict)


def default_taxonomy_path() -> Path:
    """Path of the taxonomy shipped with the package."""
    return Path(str(resources.files("dashboard.nlp") / "rules" / "taxonomy.toml"))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and check a taxonomy TOML file (default: the shipped one)."""
    path = Path(path) if path else default_taxonomy_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise TaxonomyError(f"{path}: not valid TOML ({err})") from err
    return parse_taxonomy(raw, source=str(path))


def parse_taxonomy(raw: Mapping, source: str = "taxonomy") -> Taxonomy:
    """Build a Taxonomy from the parsed TOML structure, with errors that say what to fix."""
    stray = set(raw) - {"settings", "topic"}
    if stray:
        raise TaxonomyError(
            f"{source}: unexpected top-level key(s) {sorted(stray)}: settings belong "
            "under [settings], topics under [[topic]]"
        )
    unknown = set(raw.get("settings", {})) - set(DEFAULT_SETTINGS)
    if unknown:
        raise TaxonomyError(f"{source}: unknown setting(s) {sorted(unknown)}; known: {sorted(DEFAULT_SETTINGS)}")
    settings = {**DEFAULT_SETTINGS, **raw.get("settings", {})}
    topics: list[str] = []
    thresholds: dict[str, float] = {}
    descriptions: dict[str, str] = {}
    cues: list[Cue] = []
    for number, entry in enumerate(raw.get("topic", []), start=1):
        name = str(entry.get("name", "")).strip()
        if not name:
            raise TaxonomyError(f"{source}: topic #{number} has no name")
        if name in topics:
            raise TaxonomyError(f"{source}: topic {name!r} is defined twice")
        extra = set(entry) - {"name", "description", "entities", "threshold", *TIER_KEYS.values()}
        if extra:
            raise TaxonomyError(f"{source}: topic {name!r} has unknown field(s) {sorted(extra)}")
        topics.append(name)
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise TaxonomyError(f"{source}: topic {name!r}: description must be text")
        descriptions[name] = " ".join(description.split())
        thresholds[name] = float(entry.get("threshold", settings["threshold"]))
        seen: set[str] = set()
        for tier in TIERS:
            for text in entry.get(TIER_KEYS[tier], []):
                key = " ".join(str(text).lower().split())
                words = tuple(w for w in key.split() if w not in FUNCTION_WORDS)
                if not words or key in seen:
                    raise TaxonomyError(f"{source}: topic {name!r}: {text!r} is empty or listed twice")
                seen.add(key)
                cues.append(Cue(name, key, words, float(settings[tier])))
        for text in entry.get("entities", []):
            cues.append(Cue(name, str(text), (), float(settings["entity"]), entity=True))
    if not topics:
        raise TaxonomyError(f"{source}: no [[topic]] entries")
    by_word: dict[str, list[Cue]] = {}
    by_entity: dict[str, list[Cue]] = {}
    by_first: dict[str, list[Cue]] = {}
    for cue in cues:
        if cue.entity:
            by_entity.setdefault(cue.text.lower(), []).append(cue)
        elif len(cue.words) == 1:
            by_word.setdefault(cue.words[0], []).append(cue)
        else:
            by_first.setdefault(cue.words[0], []).append(cue)
    content = json.dumps({"settings": settings, "topic": raw.get("topic", [])}, sort_keys=True)
    return Taxonomy(
        topics=tuple(topics),
        cues=tuple(cues),
        settings=settings,
        content=content,
        thresholds=thresholds,
        descriptions=descriptions,
        by_word={k: tuple(v) for k, v in by_word.items()},
        phrases_by_first={k: tuple(v) for k, v in by_first.items()},
        by_entity={k: tuple(v) for k, v in by_entity.items()},
    )


def taxonomy_version(taxonomy: Taxonomy) -> str:
    """Short hash of the taxonomy's content (comments and layout do not count)."""
    return hashlib.sha256(taxonomy.content.encode("utf-8")).hexdigest()[:12]


def repeat_factor(count: float) -> float:
    """How much a cue seen `count` times counts: 1 for once, then slowly more (1 + ln count)."""
    return 1.0 + math.log(count) if count > 0 else 0.0


def length_norm(words: int, settings: Mapping[str, float]) -> float:
    """Divisor that turns a sum of evidence into a score comparable across article lengths."""
    effective = max(int(words or 0), int(settings["min_words"]))
    return (effective / float(settings["per_words"])) ** float(settings["length_power"])


def tag_article(terms: Mapping[str, int], entities: Mapping[str, int], taxonomy: Taxonomy, words: int) -> list[Tag]:
    """Tags for one article from its lemma counts and entity counts, best first."""
    # topic -> {lower-case text: (contribution, text shown)}; a word cue and an entity cue with
    # the same text (say "opec") count once, at the higher contribution, so one name is not
    # double evidence; on a tie the entity's spelling ("OPEC") is shown.
    found: dict[str, dict[str, tuple[float, str]]] = {}

    def add(cue: Cue, count: float) -> None:
        gain = cue.weight * repeat_factor(count)
        bucket = found.setdefault(cue.topic, {})
        key = cue.text.lower()
        old = bucket.get(key, (0.0, ""))[0]
        if gain > old or (gain == old and cue.entity):
            bucket[key] = (gain, cue.text)

    # A phrase's occurrences are taken from its words' counts within the same topic, so one
    # "foreign minister" is one piece of evidence, not three (phrase, "foreign", "minister").
    used: dict[tuple[str, str], int] = {}
    candidates = (cue for word in terms for cue in taxonomy.phrases_by_first.get(word, ()))
    for cue in candidates:
        count = min(terms.get(word, 0) for word in cue.words)
        if count:
            add(cue, count)
            for word in cue.words:
                used[cue.topic, word] = used.get((cue.topic, word), 0) + count
    for term, count in terms.items():
        for cue in taxonomy.by_word.get(term, ()):
            left = count - used.get((cue.topic, term), 0)
            if left > 0:
                add(cue, left)
    for name, count in entities.items():
        for cue in taxonomy.by_entity.get(name.lower(), ()):
            add(cue, count)

    settings = taxonomy.settings
    norm = length_norm(words, settings)
    tags = []
    for topic, evidence in found.items():
        score = sum(gain for gain, _ in evidence.values()) / norm
        if score >= taxonomy.thresholds[topic] and len(evidence) >= settings["min_evidence"]:
            ranked = sorted(evidence.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_EVIDENCE]
            tags.append(Tag(topic, round(score, 3), tuple(text for _, (_, text) in ranked)))
    order = {topic: i for i, topic in enumerate(taxonomy.topics)}
    tags.sort(key=lambda t: (-t.score, order[t.topic]))
    # A side subject must be a fair share of the main one to be worth a tag.
    floor = tags[0].score * settings["relative"] if tags else 0.0
    return [t for t in tags if t.score >= floor]


def cue_table(taxonomy: Taxonomy) -> pd.DataFrame:
    """One row per (cue, lemma) pair: the join key for vectorised tagging of stored terms."""
    rows = [
        (i, cue.topic, cue.text, cue.weight, word, len(cue.words))
        for i, cue in enumerate(taxonomy.cues)
        if not cue.entity
        for word in cue.words
    ]
    return pd.DataFrame(rows, columns=["cue", "topic", "text", "weight", "term", "n_words"])


def lexicon_scores(
    terms: pd.DataFrame, entities: pd.DataFrame, words: pd.DataFrame, taxonomy: Taxonomy
) -> pd.DataFrame:
    """Every (article, topic) with at least one cue: the score of `tag_article`, before any threshold.

    terms: article_id, term, count; entities: article_id, entity, count;
    words: article_id, words. Returns article_id, topic, score, cues (distinct cues found),
    evidence (up to MAX_EVIDENCE cues, strongest first, comma-separated).
    """
    cues = cue_table(taxonomy)
    # Word and phrase cues: join the stored lemmas, then a phrase needs all of its words.
    joined = terms[["article_id", "term", "count"]].merge(cues, on="term")
    single = joined[joined["n_words"] == 1]
    phrases = (
        joined[joined["n_words"] > 1]
        .groupby(["article_id", "cue", "topic", "text", "weight", "n_words"], observed=True)
        .agg(found=("term", "size"), count=("count", "min"))
        .reset_index()
    )
    phrases = phrases[phrases["found"] == phrases["n_words"]]
    # Words inside a matched phrase count only beyond the phrase's occurrences (as in tag_article).
    used = (
        phrases[["article_id", "cue", "topic", "count"]]
        .merge(cues[["cue", "term"]], on="cue")
        .groupby(["article_id", "topic", "term"], observed=True)["count"]
        .sum()
        .rename("used")
    )
    single = single.merge(used.reset_index(), on=["article_id", "topic", "term"], how="left")
    single = single.assign(count=single["count"] - single["used"].fillna(0).astype(int))
    single = single[single["count"] > 0]
    columns = ["article_id", "topic", "text", "weight", "count"]
    hits = pd.concat([phrases[columns], single[columns]], ignore_index=True).assign(entity=False)
    # Entity cues: case-insensitive name match.
    ent_cues = pd.DataFrame(
        [(c.topic, c.text, c.text.lower(), c.weight) for c in taxonomy.cues if c.entity],
        columns=["topic", "text", "key", "weight"],
    )
    ents = entities[["article_id", "entity", "count"]].assign(key=entities["entity"].str.lower())
    ent_hits = ents.merge(ent_cues, on="key")[["article_id", "topic", "text", "weight", "count"]]
    ent_hits = ent_hits.assign(entity=True)
    hits = pd.concat([hits, ent_hits], ignore_index=True)
    if hits.empty:
        return pd.DataFrame(
            {
                "article_id": pd.Series(dtype=str),
                "topic": pd.Series(dtype=str),
                "score": pd.Series(dtype=float),
                "cues": pd.Series(dtype=int),
                "evidence": pd.Series(dtype=str),
            }
        )
    hits["gain"] = hits["weight"] * (1.0 + np.log(hits["count"].astype(float)))
    hits["key"] = hits["text"].str.lower()
    # One piece of evidence per text per topic, at its best gain (as in tag_article).
    hits = hits.sort_values(
        ["article_id", "topic", "gain", "key", "entity"], ascending=[True, True, False, True, False]
    )
    hits = hits.drop_duplicates(["article_id", "topic", "key"])

    settings = taxonomy.settings
    per = (
        hits.groupby(["article_id", "topic"], observed=True)
        .agg(raw=("gain", "sum"), cues=("gain", "size"))
        .reset_index()
    )
    lengths = words.set_index("article_id")["words"]
    effective = np.maximum(per["article_id"].map(lengths).fillna(0).astype(int), int(settings["min_words"]))
    per["score"] = per["raw"] / (effective / float(settings["per_words"])) ** float(settings["length_power"])
    kept = hits.groupby(["article_id", "topic"], observed=True).head(MAX_EVIDENCE)
    # Joined in plain Python: a groupby-agg per (article, topic) costs more than all the rest here.
    texts: dict[tuple[str, str], list[str]] = {}
    for key, text in zip(zip(kept["article_id"], kept["topic"]), kept["text"]):
        texts.setdefault(key, []).append(text)
    per["evidence"] = [", ".join(texts[key]) for key in zip(per["article_id"], per["topic"])]
    return per[["article_id", "topic", "score", "cues", "evidence"]]


def lexicon_tags(scores: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """The cues-only tags of `tag_article` from `lexicon_scores`: threshold, enough cues, near the best."""
    settings = taxonomy.settings
    per = scores[
        (scores["score"] >= scores["topic"].map(taxonomy.thresholds).astype(float))
        & (scores["cues"] >= settings["min_evidence"])
    ]
    best = per.groupby("article_id")["score"].transform("max")
    return per[per["score"] >= best * settings["relative"]]


def tag_frames(
    terms: pd.DataFrame,
    entities: pd.DataFrame,
    words: pd.DataFrame,
    taxonomy: Taxonomy,
    vectors: tuple[list[str], np.ndarray] | None = None,
    topic_vectors: np.ndarray | None = None,
    prototypes: Prototypes | None = None,
) -> pd.DataFrame:
    """Taxonomy tags for many articles at once; returns `topics` rows of kind 'taxonomy'.

    Without vectors: the cue scores of `tag_article`, vectorised. With `vectors` (article ids and
    their unit vectors) and `topic_vectors` (one unit vector per taxonomy topic, from its
    description): cue evidence and description similarity combined, see `combine`, with the
    topics moved towards the corpus's own articles when `prototypes` are given.
    """
    scores = lexicon_scores(terms, entities, words, taxonomy)
    if vectors is None or topic_vectors is None:
        out = lexicon_tags(scores, taxonomy)
    else:
        out = combine(scores, vectors, topic_vectors, taxonomy, prototypes)
    return _ordered(out, taxonomy)


def similarities(vectors: np.ndarray, topic_vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of each article (rows) to each topic's description (columns); unit vectors in."""
    return np.asarray(vectors, dtype=np.float32) @ np.asarray(topic_vectors, dtype=np.float32).T


def centred(vectors: np.ndarray, topic_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Articles and topics with the topics' mean vector taken out, back to unit length.

    Mean-pooled word vectors share a large common direction (what any news text has); the
    topics' mean is that direction as the taxonomy sees it, so taking it out leaves what tells
    one topic from another.
    """
    centre = np.asarray(topic_vectors, dtype=np.float32).mean(axis=0)
    return (
        _unit_rows(np.asarray(vectors, dtype=np.float32) - centre),
        _unit_rows(np.asarray(topic_vectors, dtype=np.float32) - centre),
    )


def _unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True)
class Prototypes:
    """Each topic as one corpus writes about it: the mean (centred) vector of the articles whose
    top tag it is with a confident share, and how many there were (0: too few to speak for it)."""

    vectors: np.ndarray  # (topics, dim), unit rows; zero rows where `articles` is under the minimum
    articles: tuple[int, ...]

    @property
    def version(self) -> str:
        """Hash of the prototypes: tags made with other prototypes are other files."""
        digest = hashlib.sha256(np.ascontiguousarray(self.vectors, dtype=np.float32).tobytes())
        digest.update(json.dumps(self.articles).encode())
        return digest.hexdigest()[:12]


def prototype_sums(
    vectors: np.ndarray, topic_vectors: np.ndarray, top: np.ndarray, share: np.ndarray, taxonomy: Taxonomy
) -> tuple[np.ndarray, np.ndarray]:
    """One batch's contribution to `corpus_prototypes`: per topic, the sum of the centred vectors
    of the articles whose top tag it is (index `top`, -1 for none) with at least
    `corpus_confidence` of their share, and their number. Sums add up over batches."""
    centred_vectors, _ = centred(vectors, topic_vectors)
    confident = (np.asarray(top) >= 0) & (np.asarray(share) >= float(taxonomy.settings["corpus_confidence"]))
    sums = np.zeros((len(taxonomy.topics), centred_vectors.shape[1]), dtype=np.float64)
    counts = np.zeros(len(taxonomy.topics), dtype=np.int64)
    np.add.at(sums, np.asarray(top)[confident], centred_vectors[confident].astype(np.float64))
    np.add.at(counts, np.asarray(top)[confident], 1)
    return sums, counts


def corpus_prototypes(sums: np.ndarray, counts: np.ndarray, taxonomy: Taxonomy) -> Prototypes | None:
    """The prototypes from summed `prototype_sums`; None when no topic has enough articles.

    Rounded to six decimals, so prototypes written to the manifest and read back tag alike.
    """
    enough = np.asarray(counts) >= int(taxonomy.settings["corpus_min_articles"])
    if not enough.any():
        return None
    means = np.where(enough[:, None], _unit_rows(np.asarray(sums, dtype=np.float64)), 0.0)
    return Prototypes(np.round(means, 6).astype(np.float32), tuple(int(n) if e else 0 for n, e in zip(counts, enough)))


def adapted(centred_topics: np.ndarray, prototypes: Prototypes | None, taxonomy: Taxonomy) -> np.ndarray:
    """Centred topic vectors moved towards the corpus's own articles: (1 - w) x topic + w x prototype,
    w = `corpus_weight`, back to unit length; topics without a prototype stay as they are."""
    if prototypes is None:
        return centred_topics
    weight = float(taxonomy.settings["corpus_weight"])
    has = np.asarray(prototypes.articles) > 0
    moved = _unit_rows((1.0 - weight) * centred_topics + weight * prototypes.vectors)
    return np.where(has[:, None], moved, centred_topics).astype(np.float32)


def combine(
    scores: pd.DataFrame,
    vectors: tuple[list[str], np.ndarray],
    topic_vectors: np.ndarray,
    taxonomy: Taxonomy,
    prototypes: Prototypes | None = None,
) -> pd.DataFrame:
    """Tags from cue scores (`lexicon_scores`) and similarity to each topic; rows article_id, topic, score, evidence.

    Per article and topic: z = similarity_scale x cosine + cue_weight x ln(1 + cue score), where
    the cue score counts only when the cues earn the tag on their own (`lexicon_tags`: threshold,
    enough distinct cues, near the article's best). A tag's score is its share softmax(z) over
    all topics: between 0 and 1, summing to 1 per article. The best topic is a tag unless the
    article fits none: its best cosine is under `similarity_floor` and no topic's cues earn a
    tag. Other topics are tags when their share reaches `second_share` or their cues earn them.
    With `prototypes`, the cosine in z is taken with each topic as the corpus writes about it
    (`adapted`); the floor still applies to the cosines with the descriptions.
    """
    settings = taxonomy.settings
    ids, matrix = vectors
    topics = list(taxonomy.topics)
    if not ids:
        return pd.DataFrame(columns=["article_id", "topic", "score", "evidence"])
    centred_articles, centred_topics = centred(matrix, topic_vectors)
    described = similarities(centred_articles, centred_topics)
    sims = similarities(centred_articles, adapted(centred_topics, prototypes, taxonomy))
    row = {article_id: i for i, article_id in enumerate(ids)}
    column = {topic: j for j, topic in enumerate(topics)}
    known = scores[scores["article_id"].isin(row)]
    earned = lexicon_tags(known, taxonomy)
    cue = np.zeros_like(sims)
    at = (earned["article_id"].map(row).to_numpy(dtype=np.intp), earned["topic"].map(column).to_numpy(dtype=np.intp))
    cue[at] = earned["score"].to_numpy(dtype=np.float32)
    z = float(settings["similarity_scale"]) * sims + float(settings["cue_weight"]) * np.log1p(cue)
    share = np.exp(z - z.max(axis=1, keepdims=True))
    share /= share.sum(axis=1, keepdims=True)

    # Whether an article fits any topic is judged by the descriptions alone: prototypes bring every
    # text nearer (lorem ipsum included), so the floor keeps one meaning whatever the corpus.
    fits = (described.max(axis=1) >= float(settings["similarity_floor"])) | (cue.max(axis=1) > 0)
    chosen = (share >= float(settings["second_share"])) | (cue > 0)
    chosen[np.arange(len(ids)), share.argmax(axis=1)] = True
    r, c = np.nonzero(chosen & fits[:, None])
    out = pd.DataFrame(
        {
            "article_id": np.asarray(ids, dtype=object)[r],
            "topic": np.asarray(topics, dtype=object)[c],
            "score": share[r, c],
            "earned": cue[r, c] > 0,
            "similar": ["similarity " + f"{x:.2f}" for x in sims[r, c]],
        }
    )
    out = out.merge(known[["article_id", "topic", "evidence"]], on=["article_id", "topic"], how="left")
    # The reason shown: the cues first when they earned the tag; else the similarity, with any
    # cues that were too weak to count on their own.
    out["evidence"] = [
        f"{cues}, {similar}"
        if earned
        else f"{similar} (weak cues: {cues})"
        if isinstance(cues, str) and cues
        else f"{similar} (no cue words)"
        for cues, similar, earned in zip(out["evidence"], out["similar"], out["earned"])
    ]
    return out[["article_id", "topic", "score", "evidence"]]


def _ordered(out: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    if out.empty:
        return _empty_topics()
    order = {topic: i for i, topic in enumerate(taxonomy.topics)}
    out = out.assign(kind="taxonomy", score=out["score"].round(3), _order=out["topic"].map(order))
    out = out.sort_values(["article_id", "score", "_order"], ascending=[True, False, True])
    return out[["article_id", "topic", "score", "evidence", "kind"]].reset_index(drop=True)


def _empty_topics() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": pd.Series(dtype=str),
            "topic": pd.Series(dtype=str),
            "score": pd.Series(dtype=float),
            "evidence": pd.Series(dtype=str),
            "kind": pd.Series(dtype=str),
        }
    )


def entity_counts(mentions: pd.DataFrame) -> pd.DataFrame:
    """(article_id, entity, count) of per-article mention names (or of an `entities` table): the
    entities tag_article saw, so re-tagging from them reproduces the stored tags."""
    names = mentions.rename(columns={"name": "entity"})
    return names.groupby(["article_id", "entity"], as_index=False)["count"].sum()

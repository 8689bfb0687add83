"""Topics found in the corpus without labels: NMF over TF-IDF of the stored lemma counts.

`python -m dashboard topics discover [--k N] [--store DIR]`

How k is chosen when not given: NMF is fitted for each candidate k on a random sample of
articles, and k is the knee of the reconstruction-error curve (Kneedle, Satopaa et al. 2011):
the candidate whose error lies farthest below the straight line joining the errors of the
smallest and largest candidates, i.e. where adding topics stops paying off. Mean topic
coherence (NPMI of each topic's top ten terms over article co-occurrence) is reported beside
it; on news it keeps rising as k falls (broad topics of very common words), so it is not used
to choose. Topics are named by their top three terms. Each article is assigned its dominant
topic, and any other topic holding at least `SECONDARY_SHARE` of its topic weight; the score
is that share (0-1).

In a store, the model is fitted on at most `FIT_ARTICLES` articles (whole parts, spread evenly
over the store) and every part is then assigned by it, one part in memory at a time: discovery
at a million articles holds a sample and one part, never the whole terms table.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

CANDIDATE_K = (6, 8, 10, 12, 15, 20, 25, 30)
SELECTION_SAMPLE = 5000  # articles used to compare candidate k (the final fit uses all)
FIT_ARTICLES = 20_000  # a store's topic model is fitted on at most about this many articles
COHERENCE_TERMS = 10
NAME_TERMS = 3
STORED_TERMS = 30  # top terms per topic kept in topic_terms
EVIDENCE_TERMS = 6
SECONDARY_SHARE = 0.3
MIN_DF_SHARE = 0.001  # a term must occur in this share of articles (and in at least 2)...
MAX_DF_SHARE = 0.5  # ...and in at most this share: a word in most articles tells no topic apart
MAX_VOCAB = 10_000
# Words that say when or who sent a story, never what it is about: without this list, months
# and wire credits become "topics" of any dated newswire corpus.
NOT_TOPICAL = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "today",
        "yesterday",
        "tomorrow",
        "reuters",
        "reuter",
        "ap",
        "afp",
        "upi",
        "bloomberg",
    ]
)


@dataclass(frozen=True)
class Matrix:
    """Document-term counts with their row (article) and column (term) labels."""

    counts: sparse.csr_matrix
    articles: np.ndarray
    terms: np.ndarray


def vocabulary(terms: pd.DataFrame) -> np.ndarray:
    """The terms topics are built from: in enough of the articles but not in most, at most MAX_VOCAB."""
    n_docs = terms["article_id"].nunique()
    df = terms.groupby("term")["article_id"].nunique()
    df = df[~df.index.isin(NOT_TOPICAL)]
    low = max(2, math.ceil(MIN_DF_SHARE * n_docs))
    keep = df[(df >= low) & (df <= MAX_DF_SHARE * n_docs)]
    return np.sort(np.asarray(keep.sort_values(ascending=False, kind="stable").head(MAX_VOCAB).index, dtype=object))


def term_matrix(terms: pd.DataFrame, vocab: np.ndarray | None = None) -> Matrix:
    """Sparse article x term counts from (article_id, term, count) rows over `vocab` (default:
    `vocabulary(terms)`); articles with none of its terms have no row."""
    vocab = vocabulary(terms) if vocab is None else vocab
    rows = terms[terms["term"].isin(vocab)]
    doc = pd.Categorical(rows["article_id"])
    term = pd.Categorical(rows["term"], categories=vocab)
    counts = sparse.csr_matrix(
        (rows["count"].to_numpy(dtype=np.float64), (doc.codes, term.codes)),
        shape=(len(doc.categories), len(vocab)),
    )
    return Matrix(counts, np.asarray(doc.categories), np.asarray(vocab))


def _nmf_model(k: int, seed: int):
    from sklearn.decomposition import NMF

    return NMF(n_components=k, init="nndsvda", solver="cd", max_iter=400, tol=1e-4, random_state=seed)


def _convergence_warning():
    # Stopping at max_iter leaves topics that are good enough to read; no need to alarm.
    from sklearn.exceptions import ConvergenceWarning

    return ConvergenceWarning


def _nmf(x: sparse.csr_matrix, k: int, seed: int):
    """(document-topic, topic-term, reconstruction error) of an NMF fit."""
    model = _nmf_model(k, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _convergence_warning())
        doc_topic = model.fit_transform(x)
    return doc_topic, model.components_, float(model.reconstruction_err_)


def coherence(components: np.ndarray, binary: sparse.csc_matrix, top: int = COHERENCE_TERMS) -> float:
    """Mean NPMI of each topic's top terms over article co-occurrence (-1 never together, 1 always)."""
    n_docs = binary.shape[0]
    scores = []
    for row in components:
        cols = np.argsort(row)[::-1][:top]
        sub = binary[:, cols]
        together = (sub.T @ sub).toarray()
        p = np.diag(together) / n_docs
        values = []
        for i in range(len(cols)):
            for j in range(i + 1, len(cols)):
                joint = together[i, j] / n_docs
                if joint <= 0 or p[i] <= 0 or p[j] <= 0:
                    values.append(-1.0)
                elif joint >= 1.0:
                    values.append(1.0)
                else:
                    values.append(math.log(joint / (p[i] * p[j])) / -math.log(joint))
        scores.append(float(np.mean(values)) if values else 0.0)
    return float(np.mean(scores))


def knee(ks: list[int], errors: list[float]) -> int:
    """The k whose error lies farthest below the chord from the first to the last candidate."""
    if len(ks) < 3:
        return ks[0]
    k = np.asarray(ks, dtype=float)
    e = np.asarray(errors, dtype=float)
    span_k, span_e = k[-1] - k[0], e[0] - e[-1]
    if span_e <= 0:
        return ks[0]  # more topics explain nothing more: keep the fewest
    # Both axes scaled to 0-1; the chord then runs from (0, 0) to (1, 1).
    gain = (e[0] - e) / span_e - (k - k[0]) / span_k
    return ks[int(np.argmax(gain))]


def choose_k(
    x: sparse.csr_matrix, binary: sparse.csc_matrix, candidates, seed: int = 0
) -> tuple[int, dict[int, dict[str, float]]]:
    """The knee of reconstruction error over candidate k, fitted on a sample of articles.

    Returns the chosen k and, per candidate, its error and mean coherence (for the report).
    """
    rng = np.random.default_rng(seed)
    rows = x.shape[0]
    sample = x if rows <= SELECTION_SAMPLE else x[np.sort(rng.choice(rows, SELECTION_SAMPLE, replace=False))]
    table = {}
    for k in candidates:
        _, components, error = _nmf(sample, k, seed)
        table[k] = {"error": round(error, 4), "coherence": round(coherence(components, binary), 4)}
    ks = sorted(table)
    return knee(ks, [table[k]["error"] for k in ks]), table


def candidate_ks(n_docs: int, n_terms: int) -> list[int]:
    """Candidate numbers of topics that the corpus can support (at least 2)."""
    limit = max(2, min(n_docs // 5, n_terms // 3))
    ks = [k for k in CANDIDATE_K if k <= limit]
    # A small corpus cannot hold the usual candidates: try every k it can.
    return ks or list(range(2, min(limit, CANDIDATE_K[0]) + 1))


def topic_names(components: np.ndarray, vocab: np.ndarray) -> list[str]:
    """Each topic's name: its top terms, lengthened until names are unique."""
    names: list[str] = []
    for row in components:
        order = np.argsort(row)[::-1]
        n = NAME_TERMS
        name = ", ".join(vocab[order[:n]])
        while name in names and n < len(order):
            n += 1
            name = ", ".join(vocab[order[:n]])
        names.append(name)
    return names


@dataclass(frozen=True)
class Model:
    """A fitted topic model: what `assign` needs to tag any article with its topics."""

    vocab: np.ndarray
    idf: object  # the fitted TfidfTransformer
    nmf: object  # the fitted NMF
    names: list[str]
    topic_terms: pd.DataFrame  # topic, term, weight

    @property
    def k(self) -> int:
        return len(self.names)


def fit(terms: pd.DataFrame, k: int | None, seed: int = 0, diagnostics: dict | None = None) -> Model:
    """Fit topics to (article_id, term, count) rows; `k` None chooses it (see module doc).
    `diagnostics`, when given, receives each candidate k's error and coherence."""
    from sklearn.feature_extraction.text import TfidfTransformer

    matrix = term_matrix(terms)
    if matrix.counts.shape[0] < 2 or matrix.counts.shape[1] < 2:
        raise ValueError("too few articles or shared terms to discover topics")
    # Sublinear TF-IDF with L2-normalised rows: long articles do not dominate the factors.
    idf = TfidfTransformer(sublinear_tf=True).fit(matrix.counts)
    x = idf.transform(matrix.counts).tocsr()
    if k is None:
        binary = (matrix.counts > 0).astype(np.float64).tocsc()
        k, table = choose_k(x, binary, candidate_ks(*x.shape), seed)
        if diagnostics is not None:
            diagnostics["candidates"] = table
    nmf = _nmf_model(k, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _convergence_warning())
        nmf.fit(x)
    names = topic_names(nmf.components_, matrix.terms)
    weights = nmf.components_ / np.maximum(nmf.components_.sum(axis=1, keepdims=True), 1e-12)
    top = np.argsort(weights, axis=1)[:, ::-1][:, :STORED_TERMS]
    topic_terms = pd.DataFrame(
        {
            "topic": np.repeat(names, top.shape[1]),
            "term": matrix.terms[top].ravel(),
            "weight": np.take_along_axis(weights, top, axis=1).ravel(),
        }
    )
    return Model(matrix.terms, idf, nmf, names, topic_terms[topic_terms["weight"] > 0].reset_index(drop=True))


def assign(model: Model, terms: pd.DataFrame) -> pd.DataFrame:
    """Topics-table rows (kind 'discovered') of the articles in `terms`, by a fitted model."""
    matrix = term_matrix(terms, model.vocab)
    if not matrix.counts.shape[0]:
        return pd.DataFrame(columns=["article_id", "topic", "score", "evidence", "kind"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", _convergence_warning())
        doc_topic = model.nmf.transform(model.idf.transform(matrix.counts).tocsr())
    totals = doc_topic.sum(axis=1, keepdims=True)
    share = np.divide(doc_topic, totals, out=np.zeros_like(doc_topic), where=totals > 0)
    best = share.argmax(axis=1)
    keep = (share >= SECONDARY_SHARE) | (np.eye(model.k, dtype=bool)[best] & (totals > 0))
    doc_idx, topic_idx = np.nonzero(keep)
    assignments = pd.DataFrame(
        {
            "article_id": matrix.articles[doc_idx],
            "topic": np.asarray(model.names, dtype=object)[topic_idx],
            "score": share[doc_idx, topic_idx].round(3),
        }
    )
    assignments["evidence"] = _evidence(assignments, terms, model.topic_terms)
    assignments["kind"] = "discovered"
    return assignments


def discover(
    terms: pd.DataFrame, k: int | None, seed: int = 0, diagnostics: dict | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Find topics in (article_id, term, count) rows; returns (assignments, topic_terms, k).

    assignments: topics-table rows (article_id, topic, score, evidence, kind='discovered');
    topic_terms: (topic, term, weight), the top terms of each topic (weights are shares of the
    topic's whole weight). `diagnostics`, when given, receives each candidate k's error and coherence.
    """
    model = fit(terms, k, seed, diagnostics)
    return assign(model, terms), model.topic_terms, model.k


def _evidence(assignments: pd.DataFrame, terms: pd.DataFrame, topic_terms: pd.DataFrame) -> pd.Series:
    """Per assignment: the topic's top terms that the article contains, most important first."""
    present = (
        assignments[["article_id", "topic"]]
        .reset_index()
        .merge(topic_terms, on="topic")
        .merge(terms[["article_id", "term"]], on=["article_id", "term"])
    )
    present = present.sort_values(["index", "weight"], ascending=[True, False])
    joined = present.groupby("index")["term"].agg(lambda s: ", ".join(s.head(EVIDENCE_TERMS)))
    return joined.reindex(assignments.index).fillna("")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `topics discover`."""
    parser.add_argument(
        "--k",
        type=int,
        default=None,
        help=f"number of topics (default: chosen among {', '.join(map(str, CANDIDATE_K))} "
        "at the knee of the NMF reconstruction-error curve)",
    )
    parser.add_argument(
        "--store", type=Path, default=None, help="store folder (default: $NEWSDASH_STORE or data/store)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same topics)")


def fit_parts(parts: list[dict], target: int | None = None) -> list[dict]:
    """Whole parts, evenly spread over the store, holding about `target` articles (default
    FIT_ARTICLES; all parts when the store has fewer)."""
    target = FIT_ARTICLES if target is None else target
    total = sum(int(p.get("n", 0)) for p in parts)
    if total <= target:
        return list(parts)
    stride = math.ceil(total / target)
    return parts[::stride]


def discover_store(store_dir, k: int | None = None, seed: int = 0) -> dict:
    """Discover topics in a store and replace its discovered topics and topic_terms; return a summary.

    A store of parts: the model is fitted on `fit_parts` and assigns every part in turn, its rows
    streamed to the snapshot's `discovered` file; taxonomy tags are not touched. A store written
    whole (small: tests, imports) is read and rewritten whole. Raises StoreError or ValueError
    (nothing to discover, bad k) with a message for the user.
    """
    import pyarrow.parquet as pq

    from dashboard import store

    if k is not None and k < 2:
        raise ValueError("the number of topics must be at least 2")
    started = time.perf_counter()
    manifest = store.read_manifest(store_dir)
    diagnostics: dict = {}
    parts = manifest.get("parts", [])
    whole = (Path(store_dir) / manifest["snapshot"] / "topics.parquet").is_file() or not parts
    if whole:
        terms = store.read_table(store_dir, "terms", manifest)
        model = fit(terms, k, seed, diagnostics)
        assignments = assign(model, terms)
        sizes, articles = assignments["topic"].value_counts(), assignments["article_id"].nunique()
        fitted_on = int(terms["article_id"].nunique())
        old = store.read_table(store_dir, "topics", manifest)
        topics = pd.concat([old[old["kind"] != "discovered"], assignments], ignore_index=True)
        writers = {"topics": topics}
    else:
        folder = store.parts_dir(store_dir)

        def part_terms(part: dict) -> pd.DataFrame:
            return pq.read_table(
                folder / part["chunk"] / "terms.parquet", columns=["article_id", "term", "count"]
            ).to_pandas()

        sample = pd.concat([part_terms(p) for p in fit_parts(parts)], ignore_index=True)
        fitted_on = int(sample["article_id"].nunique())
        model = fit(sample, k, seed, diagnostics)
        del sample
        counts: dict[str, int] = {}
        seen = [0]

        def write_discovered(path: Path) -> None:
            with pq.ParquetWriter(path, store.ALL_SCHEMAS["discovered"], compression="zstd") as writer:
                for part in parts:
                    rows = assign(model, part_terms(part))
                    seen[0] += rows["article_id"].nunique()
                    for topic, n in rows["topic"].value_counts().items():
                        counts[topic] = counts.get(topic, 0) + int(n)
                    writer.write_table(store.to_arrow("discovered", rows))

        writers = {"discovered": write_discovered}
    candidates = diagnostics.get("candidates", {})
    store.replace_tables(
        store_dir,
        {**writers, "topic_terms": model.topic_terms},
        note=f"discovered {model.k} topics",
        discovered={
            "k": model.k,
            "chosen": k is None,
            "seed": seed,
            "method": "NMF over sublinear TF-IDF of lemmas",
            "k_criterion": None if k else "knee of reconstruction error",
            "fitted_on": fitted_on,
            "candidates": {str(c): v for c, v in candidates.items()},
        },
    )
    if not whole:
        sizes = pd.Series(counts, dtype=int).sort_values(ascending=False)
        articles = seen[0]
    return {
        "k": model.k,
        "given": k is not None,
        "candidates": candidates,
        "articles": int(articles),
        "sizes": sizes,
        "seconds": time.perf_counter() - started,
    }


def summary_lines(summary: dict) -> list[str]:
    """The discovery summary as lines of text (CLI output, dashboard report)."""
    lines = []
    if not summary["given"]:
        lines.append(
            f"{'k':>4} {'error':>9} {'coherence':>9}   (NMF on a sample; coherence: mean NPMI of top {COHERENCE_TERMS} terms)"
        )
        for c, v in summary["candidates"].items():
            lines.append(f"{c:>4} {v['error']:>9.3f} {v['coherence']:>9.3f}{'   <- knee' if c == summary['k'] else ''}")
    how = "given" if summary["given"] else "knee of reconstruction error"
    lines.append(f"{summary['k']} topics ({how}) over {summary['articles']:,} articles in {summary['seconds']:.1f} s")
    lines.extend(f"  {size:>7,} articles  {name}" for name, size in summary["sizes"].items())
    return lines


def run(args: argparse.Namespace) -> int:
    """CLI: discover topics in a store and print what was found."""
    from dashboard import store
    from dashboard.settings import default_store

    try:
        summary = discover_store(args.store or default_store(), args.k, seed=args.seed)
    except (store.StoreError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1 if args.k is None or args.k >= 2 else 2
    print("\n".join(summary_lines(summary)))
    return 0

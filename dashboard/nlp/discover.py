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


def term_matrix(terms: pd.DataFrame) -> Matrix:
    """Sparse article x term counts from (article_id, term, count) rows, vocabulary pruned."""
    n_docs = terms["article_id"].nunique()
    df = terms.groupby("term")["article_id"].nunique()
    df = df[~df.index.isin(NOT_TOPICAL)]
    low = max(2, math.ceil(MIN_DF_SHARE * n_docs))
    keep = df[(df >= low) & (df <= MAX_DF_SHARE * n_docs)]
    keep = keep.sort_values(ascending=False, kind="stable").head(MAX_VOCAB)
    rows = terms[terms["term"].isin(keep.index)]
    doc = pd.Categorical(rows["article_id"])
    term = pd.Categorical(rows["term"])
    counts = sparse.csr_matrix(
        (rows["count"].to_numpy(dtype=np.float64), (doc.codes, term.codes)),
        shape=(len(doc.categories), len(term.categories)),
    )
    return Matrix(counts, np.asarray(doc.categories), np.asarray(term.categories))


def tfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Sublinear TF-IDF with L2-normalised rows (long articles do not dominate the factors)."""
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).tocsr()


def _nmf(x: sparse.csr_matrix, k: int, seed: int):
    """(document-topic, topic-term, reconstruction error) of an NMF fit."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="nndsvda", solver="cd", max_iter=400, tol=1e-4, random_state=seed)
    with warnings.catch_warnings():
        # Stopping at max_iter leaves topics that are good enough to read; no need to alarm.
        warnings.simplefilter("ignore", ConvergenceWarning)
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


def discover(
    terms: pd.DataFrame, k: int | None, seed: int = 0, diagnostics: dict | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Find topics in (article_id, term, count) rows; returns (assignments, topic_terms, k).

    assignments: topics-table rows (article_id, topic, score, evidence, kind='discovered');
    topic_terms: (topic, term, weight), the top terms of each topic (weights are shares of the
    topic's whole weight). `diagnostics`, when given, receives each candidate k's error and coherence.
    """
    matrix = term_matrix(terms)
    if matrix.counts.shape[0] < 2 or matrix.counts.shape[1] < 2:
        raise ValueError("too few articles or shared terms to discover topics")
    x = tfidf(matrix.counts)
    if k is None:
        binary = (matrix.counts > 0).astype(np.float64).tocsc()
        k, table = choose_k(x, binary, candidate_ks(*x.shape), seed)
        if diagnostics is not None:
            diagnostics["candidates"] = table
    doc_topic, components, _ = _nmf(x, k, seed)
    names = topic_names(components, matrix.terms)

    weights = components / np.maximum(components.sum(axis=1, keepdims=True), 1e-12)
    top = np.argsort(weights, axis=1)[:, ::-1][:, :STORED_TERMS]
    topic_terms = pd.DataFrame(
        {
            "topic": np.repeat(names, top.shape[1]),
            "term": matrix.terms[top].ravel(),
            "weight": np.take_along_axis(weights, top, axis=1).ravel(),
        }
    )
    topic_terms = topic_terms[topic_terms["weight"] > 0].reset_index(drop=True)

    totals = doc_topic.sum(axis=1, keepdims=True)
    share = np.divide(doc_topic, totals, out=np.zeros_like(doc_topic), where=totals > 0)
    best = share.argmax(axis=1)
    keep = (share >= SECONDARY_SHARE) | (np.eye(k, dtype=bool)[best] & (totals > 0))
    doc_idx, topic_idx = np.nonzero(keep)
    assignments = pd.DataFrame(
        {
            "article_id": matrix.articles[doc_idx],
            "topic": np.asarray(names, dtype=object)[topic_idx],
            "score": share[doc_idx, topic_idx].round(3),
        }
    )
    assignments["evidence"] = _evidence(assignments, terms, topic_terms)
    assignments["kind"] = "discovered"
    return assignments, topic_terms, k


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


def discover_store(store_dir, k: int | None = None, seed: int = 0) -> dict:
    """Discover topics in a store and replace its discovered topics and topic_terms; return a summary.

    Raises StoreError or ValueError (nothing to discover, bad k) with a message for the user.
    """
    from dashboard import store

    if k is not None and k < 2:
        raise ValueError("the number of topics must be at least 2")
    started = time.perf_counter()
    manifest = store.read_manifest(store_dir)
    terms = store.read_table(store_dir, "terms", manifest)
    diagnostics: dict = {}
    assignments, topic_terms, chosen = discover(terms, k, seed=seed, diagnostics=diagnostics)
    old = store.read_table(store_dir, "topics", manifest)
    topics = pd.concat([old[old["kind"] != "discovered"], assignments], ignore_index=True)
    candidates = diagnostics.get("candidates", {})
    store.replace_tables(
        store_dir,
        {"topics": topics, "topic_terms": topic_terms},
        note=f"discovered {chosen} topics",
        discovered={
            "k": chosen,
            "chosen": k is None,
            "seed": seed,
            "method": "NMF over sublinear TF-IDF of lemmas",
            "k_criterion": None if k else "knee of reconstruction error",
            "candidates": {str(c): v for c, v in candidates.items()},
        },
    )
    return {
        "k": chosen,
        "given": k is not None,
        "candidates": candidates,
        "articles": int(assignments["article_id"].nunique()),
        "sizes": assignments["topic"].value_counts(),
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

"""Throughput of preprocessing as a ratio to plain `nlp.pipe` over the same texts, same model, same run.

    python bench/preprocess.py [--articles N] [--corpus DIR] [--rounds R]

The baseline parses exactly the texts preprocessing parses (headline + body) and does nothing else;
preprocessing adds every extractor (entities, quotes, terms, topic tags) and the column building.
Rounds alternate baseline and preprocess so machine noise hits both alike. Target: ratio >= 0.85.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.annotate import Annotator, doc_text  # noqa: E402
from dashboard.ingest import Article, read_inputs  # noqa: E402
from dashboard.preprocess import CHUNK_ARTICLES as CHUNK  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "reuters-1987" / "articles"


def sample(corpus: Path, count: int) -> list[Article]:
    """Every k-th article of the corpus, so the sample spans all dates and lengths."""
    articles = [a for a in read_inputs([corpus]) if isinstance(a, Article)]
    step = max(1, len(articles) // count)
    return articles[::step][:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    articles = sample(args.corpus, args.articles)
    rows = [(a.article_id, a.title, a.text) for a in articles]
    texts = [doc_text(a.title, a.text)[0] for a in articles]
    words = sum(len(a.text.split()) for a in articles)
    annotator = Annotator(None, None)
    nlp = annotator.nlp
    list(nlp.pipe(texts[:50], batch_size=32))  # warm-up: first calls allocate

    def baseline() -> float:
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        return time.perf_counter() - start

    def preprocess() -> float:
        start = time.perf_counter()
        for offset in range(0, len(rows), CHUNK):
            annotator.annotate(rows[offset : offset + CHUNK])
        return time.perf_counter() - start

    base_times, pre_times = [], []
    for _ in range(args.rounds):
        base_times.append(baseline())
        pre_times.append(preprocess())
    base, pre = statistics.median(base_times), statistics.median(pre_times)
    print(
        f"articles: {len(articles)}, words: {words:,}, model: {nlp.meta['name']}-{nlp.meta['version']}, rounds: {args.rounds}"
    )
    print(f"plain nlp.pipe: {base:.2f} s  ({words / base:,.0f} words/s)")
    print(f"preprocess    : {pre:.2f} s  ({words / pre:,.0f} words/s)")
    print(f"ratio (preprocess throughput / nlp.pipe throughput): {base / pre:.3f}  (target >= 0.85)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

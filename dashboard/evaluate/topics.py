"""Score taxonomy topic tags against labelled articles (Reuters-21578 TOPICS through a code map).

`python -m dashboard evaluate topics --labels FILE --map FILE [--store DIR] [--taxonomy FILE]`

Labels: a TSV with a `file` column (article file name) and a `topics` column (comma-separated
codes). Map: a TSV `code<TAB>tag` (one line per pair; an empty tag means "no taxonomy topic";
`#` starts a comment). An article is labelled when at least one of its codes maps to a tag.
With --taxonomy the store's terms are re-tagged in memory (no spaCy, store unchanged), so a
taxonomy edit can be measured before it is applied.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

TOP_TARGET = 0.85
PRECISION_TARGET = 0.70


@dataclass(frozen=True)
class TopicScores:
    """Result of one evaluation: top-tag accuracy and per-tag precision/recall."""

    labelled: int  # articles with at least one mapped code
    top_right: int  # of those, articles whose highest-scoring tag is one of their mapped tags
    untagged: int  # labelled articles with no tag at all (counted as wrong)
    per_tag: pd.DataFrame  # topic, gold, tagged, correct, precision, recall (NaN: undefined)

    @property
    def top_share(self) -> float:
        """Share of labelled articles whose top tag is right."""
        return self.top_right / self.labelled if self.labelled else float("nan")


def read_map(path: str | Path) -> pd.DataFrame:
    """The code -> tag map as rows (code, tag); codes mapped to nothing are dropped."""
    rows = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.split("#", 1)[0].rstrip()
        if not line.strip() or line.lower().startswith("code\t"):
            continue
        code, _, tag = line.partition("\t")
        if not code.strip():
            raise ValueError(f"{path}:{number}: no code")
        if tag.strip():
            rows.append((code.strip(), tag.strip()))
    return pd.DataFrame(rows, columns=["code", "tag"]).drop_duplicates()


def read_labels(path: str | Path) -> pd.DataFrame:
    """Rows (file, code) from a labels TSV with `file` and `topics` columns."""
    labels = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = {"file", "topics"} - set(labels.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
    pairs = labels.assign(code=labels["topics"].str.split(",")).explode("code")
    pairs["code"] = pairs["code"].str.strip()
    return pairs.loc[pairs["code"] != "", ["file", "code"]].drop_duplicates()


def gold_tags(labels: pd.DataFrame, code_map: pd.DataFrame) -> pd.DataFrame:
    """Rows (file, tag): the taxonomy tags each labelled article should carry."""
    return labels.merge(code_map, on="code")[["file", "tag"]].drop_duplicates()


def score_tags(tags: pd.DataFrame, gold: pd.DataFrame) -> TopicScores:
    """Compare tags (file, topic, score) with gold (file, tag) over the gold's articles."""
    labelled = pd.Index(gold["file"].unique())
    tags = tags[tags["file"].isin(labelled)]
    top = tags.sort_values(["file", "score", "topic"], ascending=[True, False, True]).drop_duplicates("file")[
        ["file", "topic"]
    ]
    gold_pairs = set(zip(gold["file"], gold["tag"]))
    top_right = sum((f, t) in gold_pairs for f, t in zip(top["file"], top["topic"]))

    tag_pairs = set(zip(tags["file"], tags["topic"]))
    names = sorted(set(gold["tag"]) | set(tags["topic"]))
    rows = []
    for name in names:
        gold_n = sum(1 for _, t in gold_pairs if t == name)
        tagged_n = sum(1 for _, t in tag_pairs if t == name)
        correct = sum(1 for pair in tag_pairs if pair[1] == name and pair in gold_pairs)
        # A tag that no code maps to has no gold: its precision cannot be measured here.
        precision = correct / tagged_n if tagged_n and gold_n else float("nan")
        recall = correct / gold_n if gold_n else float("nan")
        rows.append((name, gold_n, tagged_n, correct, precision, recall))
    per_tag = pd.DataFrame(rows, columns=["topic", "gold", "tagged", "correct", "precision", "recall"])
    return TopicScores(
        labelled=len(labelled),
        top_right=int(top_right),
        untagged=int(len(labelled) - top["file"].nunique()),
        per_tag=per_tag,
    )


def format_report(scores: TopicScores, source: str) -> str:
    """The figures as plain text, with targets marked."""
    ok = lambda good: "ok" if good else "BELOW TARGET"  # noqa: E731
    lines = [
        f"topic tags vs {source}",
        f"labelled articles (>= 1 mapped code): {scores.labelled:,}",
        f"top tag is a mapped tag: {scores.top_right:,} = {scores.top_share:.1%} "
        f"(target {TOP_TARGET:.0%}: {ok(scores.top_share >= TOP_TARGET)}); untagged: {scores.untagged:,}",
        "",
        f"{'tag':28} {'gold':>6} {'tagged':>7} {'right':>6} {'precision':>9} {'recall':>7}",
    ]
    for row in scores.per_tag.itertuples(index=False):
        precision = "n/a" if pd.isna(row.precision) else f"{row.precision:.3f}"
        recall = "n/a" if pd.isna(row.recall) else f"{row.recall:.3f}"
        flag = "" if pd.isna(row.precision) or row.precision >= PRECISION_TARGET else "  < target"
        lines.append(
            f"{row.topic:28} {row.gold:>6,} {row.tagged:>7,} {row.correct:>6,} {precision:>9} {recall:>7}{flag}"
        )
    lines.append("n/a: no code maps to this tag, so the labels cannot say whether it is right.")
    return "\n".join(lines)


def store_tags(store_dir: str | Path, taxonomy_path: str | Path | None = None) -> pd.DataFrame:
    """Tags (file, topic, score) of a store: the stored ones, or re-tagged from stored terms."""
    from dashboard import store
    from dashboard.nlp.topics import entity_counts, load_taxonomy, tag_frames

    manifest = store.read_manifest(store_dir)
    articles = store.read_table(store_dir, "articles", manifest)
    if taxonomy_path is None:
        topics = store.read_table(store_dir, "topics", manifest)
        topics = topics[topics["kind"] == "taxonomy"]
    else:
        # Per-article mention names are what preprocessing handed the tagger, so an unchanged
        # taxonomy reproduces the stored tags.
        terms = store.read_table(store_dir, "terms", manifest)
        entities = entity_counts(store.read_table(store_dir, "mentions", manifest))
        words = articles[["article_id", "words"]]
        topics = tag_frames(terms, entities, words, load_taxonomy(taxonomy_path))
    files = articles[["article_id", "file"]].assign(file=articles["file"].map(lambda f: Path(str(f)).name))
    return topics.merge(files, on="article_id")[["file", "topic", "score"]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `evaluate topics`."""
    parser.add_argument(
        "--labels",
        type=Path,
        required=True,
        help="TSV with columns file and topics (comma-separated codes), e.g. reuters-1987/labels.tsv",
    )
    parser.add_argument(
        "--map",
        type=Path,
        required=True,
        help="TSV code<TAB>tag mapping label codes to taxonomy tags (data/reuters_topic_map.tsv)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="store built from the labelled articles (default: $NEWSDASH_STORE or data/store)",
    )
    parser.add_argument(
        "--taxonomy",
        type=Path,
        default=None,
        help="score this taxonomy file instead of the stored tags (re-tags in memory, no spaCy)",
    )


def run(args: argparse.Namespace) -> int:
    """Print the figures; exit 0 when computed (whether or not targets are met), 1 on bad input."""
    from dashboard import store
    from dashboard.settings import default_store

    store_dir = args.store or default_store()
    try:
        gold = gold_tags(read_labels(args.labels), read_map(args.map))
        tags = store_tags(store_dir, args.taxonomy)
    except (OSError, ValueError, store.StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    in_store = gold[gold["file"].isin(_stored_files(store_dir))]
    if in_store.empty:
        print(f"error: none of the labelled files of {args.labels} is in the store at {store_dir}", file=sys.stderr)
        return 1
    source = f"{args.labels.name} via {args.map.name}"
    if args.taxonomy:
        source += f", taxonomy {args.taxonomy}"
    print(format_report(score_tags(tags, in_store), source))
    return 0


def _stored_files(store_dir: str | Path) -> set[str]:
    from dashboard import store

    files = store.read_table(store_dir, "articles")["file"]
    return {Path(str(f)).name for f in files}

"""Preprocessing: ingest -> annotate (spaCy, in worker processes) -> corpus-wide names -> store.

Re-running on the same inputs annotates only articles the store does not already hold; a different
model or changed extraction rules (`rules_version`) reprocess everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from dashboard import store
from dashboard.ingest import Article, Reject, read_inputs
from dashboard.nlp import model as nlp_model
from dashboard.settings import user_aliases, user_taxonomy

if TYPE_CHECKING:
    from dashboard.nlp.topics import Taxonomy

NLP_DIR = Path(__file__).resolve().parent / "nlp"
CHUNK = 64  # articles per task: large enough for nlp.pipe batching, small for progress
PER_ARTICLE_TABLES = ("mentions", "quotes", "quote_terms", "terms", "topics")
ProgressFn = Callable[[int, int], None]


class NoArticles(RuntimeError):
    """No input article could be read; the store was left unchanged."""

    def __init__(self, rejects: list[Reject]):
        super().__init__(f"no article could be read ({len(rejects)} rejected)")
        self.rejects = rejects


# Tagging and discovery only read stored terms, so their changes re-tag instead of re-parsing.
# Likewise name merging and aliases run over the whole corpus on every run.
NOT_EXTRACTION = {"topics.py", "discover.py", "speakers.py", "aliases.tsv"}  # taxonomy.toml: no .toml counts


def rules_version() -> str:
    """Hash of the extraction code and its lexicons: any change means annotations are stale."""
    digest = hashlib.sha1()
    for path in sorted(NLP_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".txt", ".tsv", ".json"} and path.name not in NOT_EXTRACTION:
            digest.update(path.relative_to(NLP_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def is_newswire_slug(title: str) -> bool:
    """All-caps headlines (newswire slugs) confuse the tagger and NER, so they are not parsed."""
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def doc_text(title: str, body: str) -> tuple[str, int]:
    """The text spaCy parses for an article and the offset of the body within it."""
    if not title or is_newswire_slug(title):
        return body, 0
    return f"{title}\n\n{body}", len(title) + 2


def _term(token) -> str | None:
    if not token.is_alpha or token.is_stop or len(token) < 2:
        return None
    lemma = token.lemma_.lower()
    return lemma if lemma.isalpha() and len(lemma) > 1 else None


class Annotator:
    """Runs the pipeline and every extractor over batches of articles (one per process)."""

    def __init__(self, model_name: str | None, taxonomy_path: str | None):
        from dashboard.nlp import topics

        self.nlp = nlp_model.load_model(model_name)
        self.nlp.max_length = max(self.nlp.max_length, 2_100_000)
        self.taxonomy = topics.load_taxonomy(taxonomy_path)

    def annotate(self, rows: list[tuple[str, str, str]]) -> dict[str, dict[str, list]]:
        """(article_id, title, body) rows -> column lists for each per-article table (+ stats)."""
        from dashboard.nlp.extract import annotate_doc
        from dashboard.nlp.topics import tag_article

        out: dict[str, dict[str, list]] = {t: {c: [] for c in store.SCHEMAS[t].names} for t in PER_ARTICLE_TABLES}
        out["stats"] = {"article_id": [], "words": [], "quote_marks": []}
        texts = [doc_text(title, body) for _, title, body in rows]
        docs = self.nlp.pipe((text for text, _ in texts), batch_size=32)
        for (article_id, _, body), (_, body_start), doc in zip(rows, texts, docs):
            result = annotate_doc(doc, body_start)
            terms = Counter(t for t in map(_term, doc) if t)
            names = Counter()
            for m in result.mentions:
                _append(out["mentions"], article_id=article_id, name=m.name, label=m.label, count=m.count)
                names[m.name] += m.count
            for index, q in enumerate(result.quotes):
                _append(
                    out["quotes"],
                    article_id=article_id,
                    quote_index=index,
                    speaker=q.speaker,
                    speaker_name=q.speaker,
                    speaker_role=q.speaker_role,
                    speaker_kind=q.speaker_kind,
                    quote=q.quote,
                    cue=q.cue,
                    kind=q.kind,
                    start_char=q.start_char,
                    end_char=q.end_char,
                    rule=q.rule,
                    resolved_by=q.resolved_by,
                )
                span = doc.char_span(q.start_char + body_start, q.end_char + body_start, alignment_mode="expand")
                for term, count in Counter(t for t in map(_term, span or ()) if t).items():
                    _append(out["quote_terms"], article_id=article_id, quote_index=index, term=term, count=count)
            for term, count in terms.items():
                _append(out["terms"], article_id=article_id, term=term, count=count)
            words = len(body.split())
            for tag in tag_article(terms, names, self.taxonomy, words):
                _append(
                    out["topics"],
                    article_id=article_id,
                    topic=tag.topic,
                    score=tag.score,
                    evidence=", ".join(tag.evidence),
                    kind="taxonomy",
                )
            _append(out["stats"], article_id=article_id, words=words, quote_marks=count_quote_marks(body))
        return out


def count_quote_marks(body: str) -> int:
    """Double quotation marks in a text: straight, curly, and the typewriter pairs '' and ``."""
    return sum(body.count(mark) for mark in ('"', "\u201c", "\u201d", "''", "``"))


def _append(columns: dict[str, list], **values) -> None:
    for key, value in values.items():
        columns[key].append(value)


# One Annotator per worker process: the model loads once per process, not once per task.
_worker: Annotator | None = None


def _init_worker(model_name: str | None, taxonomy_path: str | None) -> None:
    global _worker
    _worker = Annotator(model_name, taxonomy_path)


def _annotate_in_worker(rows: list[tuple[str, str, str]]) -> dict[str, dict[str, list]]:
    assert _worker is not None, "worker not initialised"
    return _worker.annotate(rows)


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def annotate_articles(
    articles: list[Article],
    model_name: str | None,
    taxonomy_path: str | None,
    workers: int = 1,
    on_progress: ProgressFn | None = None,
) -> dict[str, pd.DataFrame]:
    """Annotate articles (in `workers` processes) and return the per-article tables as frames."""
    parts: dict[str, list[pd.DataFrame]] = {t: [] for t in (*PER_ARTICLE_TABLES, "stats")}
    rows = [(a.article_id, a.title, a.text) for a in articles]
    done = 0

    def collect(result: dict[str, dict[str, list]], size: int) -> None:
        nonlocal done
        for table, columns in result.items():
            parts[table].append(pd.DataFrame(columns))
        done += size
        if on_progress:
            on_progress(done, len(rows))

    if rows and workers <= 1:
        annotator = Annotator(model_name, taxonomy_path)
        for chunk in _chunks(rows, CHUNK):
            collect(annotator.annotate(chunk), len(chunk))
    elif rows:
        # fork shares the imported code; each worker still loads its own model in the initializer.
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=_init_worker, initargs=(model_name, taxonomy_path)
        ) as pool:
            chunks = list(_chunks(rows, CHUNK))
            for chunk, result in zip(chunks, pool.map(_annotate_in_worker, chunks)):
                collect(result, len(chunk))
    frames = {}
    for table, pieces in parts.items():
        base = (
            store.empty_frame(table)
            if table != "stats"
            else pd.DataFrame(columns=["article_id", "words", "quote_marks"])
        )
        frames[table] = pd.concat([base, *pieces], ignore_index=True) if pieces else base
    return frames


def _articles_frame(articles: list[Article], stats: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "article_id": a.article_id,
                "file": a.file,
                "line": a.line,
                "date": a.date,
                "title": a.title,
                "source": a.source,
                "url": a.url,
                "author": a.author,
                "text": a.text,
            }
            for a in articles
        ],
        columns=["article_id", "file", "line", "date", "title", "source", "url", "author", "text"],
    )
    return frame.merge(stats, on="article_id", how="left")


def collect_inputs(
    inputs: Iterable[str | Path], limit: int | None = None, source: str | None = None
) -> tuple[list[Article], list[Reject], int]:
    """Read inputs; drop exact duplicates into rejects; stop after `limit` articles (count the rest)."""
    articles: list[Article] = []
    rejects: list[Reject] = []
    seen: dict[str, Article] = {}
    skipped = 0
    for item in read_inputs(inputs, source):
        if isinstance(item, Reject):
            rejects.append(item)
        elif item.article_id in seen:
            first = seen[item.article_id]
            rejects.append(
                Reject(
                    item.file, f"line {item.line}", f"exact duplicate of {first.file} (line {first.line}); stored once"
                )
            )
        elif limit is not None and len(articles) >= limit:
            skipped += 1
        else:
            seen[item.article_id] = item
            articles.append(item)
    return articles, rejects, skipped


def _previous(out: Path, model: str, rules: str) -> tuple[dict, dict[str, pd.DataFrame]]:
    """The previous manifest and its tables, when made with the same model and extraction rules."""
    try:
        manifest = store.read_manifest(out)
    except store.StoreError:
        return {}, {}
    if (manifest.get("model"), manifest.get("rules_version")) != (model, rules):
        return {}, {}
    return manifest, {t: store.read_table(out, t, manifest) for t in (*PER_ARTICLE_TABLES, "articles", "topic_terms")}


def _merge_tables(
    articles: list[Article],
    annotated: dict[str, pd.DataFrame],
    previous: dict[str, pd.DataFrame],
    known: set[str],
    retag_with: Taxonomy | None,
) -> dict[str, pd.DataFrame]:
    """This run's per-article tables: fresh annotations plus the reused rows of kept articles.

    `known` holds the previous store's article ids. With `retag_with` (the taxonomy changed) the
    reused articles are tagged again from their stored terms; else they keep their stored tags.
    Discovered topics survive only when the article set is unchanged, since a topic model fitted
    to other articles would not cover them.
    """
    from dashboard.nlp import topics

    keep = {a.article_id for a in articles}
    old = {t: frame[frame["article_id"].isin(keep)] for t, frame in previous.items() if "article_id" in frame}
    stats = annotated["stats"]
    if old:
        stats = pd.concat([stats, old["articles"][["article_id", "words", "quote_marks"]]], ignore_index=True)
        discovered = old["topics"]["kind"] == "discovered"
        tagged = old["topics"][~discovered]
        if retag_with is not None:
            tagged = topics.tag_frames(
                old["terms"],
                topics.entity_counts(old["mentions"]),
                old["articles"][["article_id", "words"]],
                retag_with,
            )
        old["topics"] = pd.concat([tagged, old["topics"][discovered]] if known == keep else [tagged], ignore_index=True)
    tables = {
        table: pd.concat([annotated[table], *([old[table]] if old else [])], ignore_index=True)
        for table in PER_ARTICLE_TABLES
    }
    tables["articles"] = _articles_frame(articles, stats)
    kept_discovered = (tables["topics"]["kind"] == "discovered").any()
    tables["topic_terms"] = previous["topic_terms"] if kept_discovered else store.empty_frame("topic_terms")
    return tables


def apply_names(
    mentions: pd.DataFrame, quotes: pd.DataFrame, aliases_path: Path | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Corpus-wide canonical names: entities aggregated from mentions, quote speakers renamed."""
    from dashboard.nlp import speakers

    # One combined read, so a user alias can continue a shipped one (A -> B in one, B -> C in the other).
    aliases = speakers.read_aliases(speakers.default_aliases_path(), *([aliases_path] if aliases_path else []))
    name_map = speakers.build_name_map(mentions, quotes.assign(speaker=quotes["speaker_name"]), aliases)
    entities = (
        mentions.assign(entity=mentions["name"].map(lambda n: name_map.get(n, n)))
        .groupby(["article_id", "entity", "label"], as_index=False, sort=False)["count"]
        .sum()
    )
    quotes = quotes.assign(
        speaker=quotes["speaker_name"].map(lambda n: name_map.get(n, n) if isinstance(n, str) else None)
    )
    return entities, quotes


def preprocess(
    inputs: list[str | Path],
    out: str | Path,
    model: str | None = None,
    workers: int = 1,
    limit: int | None = None,
    on_progress: ProgressFn | None = None,
    source: str | None = None,
) -> dict:
    """Build (or update) the store at `out` from the inputs; return the new manifest."""
    from dashboard.nlp import topics

    started = time.perf_counter()
    out = Path(out)
    model_name = nlp_model.resolve_model_name(model)
    model_version = _model_version(model_name)
    taxonomy_path = user_taxonomy(out) if user_taxonomy(out).is_file() else None
    taxonomy = topics.load_taxonomy(taxonomy_path)
    taxonomy_version = topics.taxonomy_version(taxonomy)
    rules = rules_version()

    articles, rejects, skipped = collect_inputs(inputs, limit, source)
    if not articles:
        raise NoArticles(rejects)
    read_seconds = time.perf_counter() - started
    old_manifest, previous = _previous(out, model_version, rules)
    known = set(previous["articles"]["article_id"]) if previous else set()
    fresh = [a for a in articles if a.article_id not in known]
    annotated = annotate_articles(
        fresh, model_name, str(taxonomy_path) if taxonomy_path else None, workers, on_progress
    )
    annotate_seconds = time.perf_counter() - started - read_seconds

    retag_with = taxonomy if previous and old_manifest.get("taxonomy_version") != taxonomy_version else None
    tables = _merge_tables(articles, annotated, previous, known, retag_with)
    tables["entities"], tables["quotes"] = apply_names(tables["mentions"], tables["quotes"], user_aliases(out))
    tables["rejects"] = pd.DataFrame([vars(r) for r in rejects], columns=["file", "where", "reason"])

    seconds = time.perf_counter() - started
    words = int(tables["articles"]["words"].sum()) if len(articles) else 0
    fresh_words = sum(len(a.text.split()) for a in fresh)
    manifest = {
        "model": model_version,
        "model_package": model_name,
        "rules_version": rules,
        "taxonomy_version": taxonomy_version,
        "inputs": [str(Path(i)) for i in inputs],
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "counts": {
            "articles": len(articles),
            "annotated": len(fresh),
            "reused": len(articles) - len(fresh),
            "rejects": len(rejects),
            "not_read_over_limit": skipped,
            "words": words,
            "quotes": len(tables["quotes"]),
            "speakers": int(tables["quotes"]["speaker"].nunique()),
            "entities": int(tables["entities"]["entity"].nunique()),
            "date_min": str(tables["articles"]["date"].min()) if len(articles) else None,
            "date_max": str(tables["articles"]["date"].max()) if len(articles) else None,
        },
        "timings": {
            "seconds": round(seconds, 2),
            "read_seconds": round(read_seconds, 2),
            "annotate_seconds": round(annotate_seconds, 2),
            "workers": workers,
            "words_per_second": round(fresh_words / annotate_seconds, 1) if fresh and annotate_seconds else None,
            "peak_memory_mib": peak_memory_mib(workers),
        },
    }
    return store.write_snapshot(out, tables, manifest)


def recount_names(store_dir: str | Path) -> dict:
    """Re-apply corpus name merging and the user's alias file to a store, without spaCy."""
    manifest = store.read_manifest(store_dir)
    mentions = store.read_table(store_dir, "mentions", manifest)
    quotes = store.read_table(store_dir, "quotes", manifest)
    entities, quotes = apply_names(mentions, quotes, user_aliases(store_dir))
    counts = {
        **manifest.get("counts", {}),
        "speakers": int(quotes["speaker"].nunique()),
        "entities": int(entities["entity"].nunique()),
    }
    return store.replace_tables(
        store_dir, {"entities": entities, "quotes": quotes}, note="aliases re-applied", counts=counts
    )


def peak_memory_mib(workers: int = 1) -> float:
    """Peak resident memory of the run in MiB: this process, plus `workers` times the largest worker.

    The kernel reports only the largest finished child; workers do the same work on equal
    chunks, so their peaks are alike and the sum is a fair upper estimate.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if workers > 1 else 0
    return round((own + workers * child) / 1024, 1)  # ru_maxrss is in KiB on Linux


def _model_version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{package}-{version(package.replace('_', '-'))}"
    except PackageNotFoundError:
        return package


def print_summary(manifest: dict, stream=None) -> None:
    """The end-of-run summary a user reads."""
    stream = stream or sys.stdout
    c, t = manifest["counts"], manifest["timings"]
    print(f"articles stored: {c['articles']:,} ({c['annotated']:,} annotated, {c['reused']:,} reused)", file=stream)
    print(
        f"rejects: {c['rejects']:,}"
        + (f"; not read (over --limit): {c['not_read_over_limit']:,}" if c["not_read_over_limit"] else ""),
        file=stream,
    )
    print(f"quotes: {c['quotes']:,}; speakers: {c['speakers']:,}; entities: {c['entities']:,}", file=stream)
    rate = f"{t['words_per_second']:,} words/s" if t.get("words_per_second") else "nothing new to annotate"
    print(
        f"seconds: {t['seconds']:,}; {rate}; peak memory {t['peak_memory_mib']:,} MiB; workers {t['workers']}",
        file=stream,
    )
    print(f"model {manifest['model']}, rules {manifest['rules_version']}", file=stream)
    if c["rejects"]:
        print("reasons: python -m dashboard rejects --store DIR", file=stream)

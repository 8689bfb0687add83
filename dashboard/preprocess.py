"""Preprocessing: ingest (streamed) -> chunks -> annotate (here, in worker processes or on Dask) ->
Parquet parts -> corpus-wide names and rollups in DuckDB SQL -> an atomically committed snapshot.

Memory does not grow with the corpus: articles are read lazily and grouped into chunks; each chunk
is annotated and written as its own part as soon as it is done, and only the chunks in flight are
held (at most 2 per worker). The corpus-wide steps run as SQL over the parts. What does grow is one
64-bit integer per article for the duplicate check (about 60 MB per million articles).

Chunks are cut where an article's id (a content hash) says so, not every N articles, so adding or
removing one article changes one chunk and leaves every other chunk, and its part, as it was. A
chunk's id hashes its article ids with the model and the extraction rules: a re-run, or a run after
a crash, finds every finished chunk's part already there and annotates only the rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import resource
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import annotate, corpus, parts, store
from dashboard.annotate import count_quote_marks, doc_text, rules_version  # noqa: F401 - public names
from dashboard.ingest import Article, Outlets, Reject, outlets_of, read_inputs
from dashboard.nlp import model as nlp_model
from dashboard.settings import user_aliases, user_taxonomy

# Average articles per chunk: big enough that a million articles make ~2,000 parts (DuckDB reads
# them as one table), small enough that a killed run loses at most a few minutes of a worker.
CHUNK_ARTICLES = 500
ProgressFn = Callable[[int, int], None]


class NoArticles(RuntimeError):
    """No input article could be read; the store was left unchanged."""

    def __init__(self, rejects: list[Reject]):
        super().__init__(f"no article could be read ({len(rejects)} rejected)")
        self.rejects = rejects


# --- reading: dedupe, limit, chunks ---------------------------------------------------------


class _Rejects:
    """Rejects streamed to a Parquet file as they come (a bad corpus can have millions)."""

    SCHEMA = pa.schema([*store.SCHEMAS["rejects"], ("duplicate_of", pa.string())])

    def __init__(self, path: Path, keep: int = 1000):
        self.path = path
        self.writer: pq.ParquetWriter | None = None
        self.buffer: list[tuple[str, str, str, str | None]] = []
        self.count = 0
        self.first: list[tuple[Reject, str | None]] = []  # the first few, for messages and small runs
        self.keep = keep

    def add(self, reject: Reject, duplicate_of: str | None = None) -> None:
        self.count += 1
        if len(self.first) < self.keep:
            self.first.append((reject, duplicate_of))
        self.buffer.append((reject.file, reject.where, reject.reason, duplicate_of))
        if len(self.buffer) >= 10_000:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        columns = list(zip(*self.buffer))
        table = pa.table(dict(zip(self.SCHEMA.names, columns)), schema=self.SCHEMA)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.SCHEMA, compression="zstd")
        self.writer.write_table(table)
        self.buffer = []

    def close(self) -> None:
        self._flush()
        if self.writer is None:
            pq.write_table(self.SCHEMA.empty_table(), self.path)
        else:
            self.writer.close()


def unique_articles(
    items: Iterable[Article | Reject], rejects: _Rejects, limit: int | None = None, skipped: list | None = None
) -> Iterator[Article]:
    """Articles in input order, each id once: repeats and bad inputs go to `rejects`; stop at `limit`.

    Articles past `limit` are read and counted in `skipped[0]`, not stored.
    """
    seen: set[int] = set()
    stored = 0
    for item in items:
        if isinstance(item, Reject):
            rejects.add(item)
            continue
        key = int(item.article_id, 16)
        if key in seen:
            rejects.add(Reject(item.file, f"line {item.line}", "exact duplicate"), duplicate_of=item.article_id)
        elif limit is not None and stored >= limit:
            if skipped is not None:
                skipped[0] += 1
        else:
            seen.add(key)
            stored += 1
            yield item


def chunked(articles: Iterable[Article], target: int = CHUNK_ARTICLES) -> Iterator[list[Article]]:
    """Content-defined chunks: a chunk ends after an article whose id hash hits 1 in `target`.

    Between target/4 and 4 x target articles each, so an edit shifts the boundaries of one chunk
    only: the chunks after it keep their articles and so their ids.
    """
    low, high = max(1, target // 4), max(1, target * 4)
    chunk: list[Article] = []
    for article in articles:
        chunk.append(article)
        boundary = int(article.article_id[-8:], 16) % target == 0
        if len(chunk) >= high or (boundary and len(chunk) >= low):
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def chunk_id(articles: list[Article], model: str, rules: str) -> str:
    """The id of a chunk's annotations: its articles' ids, the model and the rules."""
    digest = hashlib.sha1(f"{model}\x1f{rules}".encode())
    for article in articles:
        digest.update(article.article_id.encode())
    return "c" + digest.hexdigest()[:20]


def _meta_version(articles: list[Article]) -> str:
    digest = hashlib.sha1()
    for a in articles:
        digest.update("\x1f".join(str(v) for v in (a.article_id, a.file, a.line, a.source, a.url, a.author)).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:12]


def articles_table(articles: list[Article]) -> pa.Table:
    """A chunk's rows of the public `articles` table."""
    columns = {name: [] for name in store.SCHEMAS["articles"].names}
    for a in articles:
        for name in ("article_id", "file", "line", "date", "title", "source", "url", "author", "text"):
            columns[name].append(getattr(a, name))
        columns["words"].append(len(a.text.split()))
        columns["quote_marks"].append(count_quote_marks(a.text))
    return pa.table(columns, schema=store.SCHEMAS["articles"])


def without_failed(folder: Path, articles: list[Article], rejects: _Rejects) -> list[Article]:
    """The chunk's articles less those whose annotation raised (the part's `failed` file), each rejected with its error."""
    path = folder / "failed.parquet"
    if not path.is_file():
        return articles
    failed = pq.read_table(path).to_pydict()
    reasons = dict(zip(failed["article_id"], failed["reason"]))
    for a in articles:
        if a.article_id in reasons:
            rejects.add(Reject(a.file, f"line {a.line}", reasons[a.article_id]))
    return [a for a in articles if a.article_id not in reasons]


def duplicate_reason(first: Article) -> str:
    """The reject reason of an exact repeat of an article already read."""
    return f"exact duplicate of {first.file} (line {first.line}); stored once"


def collect_inputs(
    inputs: Iterable[str | Path], limit: int | None = None, source: str | Outlets | None = None
) -> tuple[list[Article], list[Reject], int]:
    """Read inputs into lists (small inputs and tests): articles, rejects with reasons, count over limit."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        rejects = _Rejects(Path(tmp) / "rejects.parquet", keep=sys.maxsize)
        skipped = [0]
        articles = list(unique_articles(read_inputs(inputs, source), rejects, limit, skipped))
        rejects.close()
    by_id = {a.article_id: a for a in articles}
    resolved = [Reject(r.file, r.where, duplicate_reason(by_id[of])) if of in by_id else r for r, of in rejects.first]
    return articles, resolved, skipped[0]


class _Known:
    """Articles the previous snapshot holds, annotated with the same model and rules: id -> part.

    Looked up only for chunks that are new, so a re-chunked article (its neighbour changed) is
    copied from its old part instead of being annotated again. Built on first use, in DuckDB.
    """

    def __init__(self, out: Path, model: str, rules: str):
        try:
            previous = store.read_manifest(out)
        except store.StoreError:
            previous = {}
        same = (previous.get("model"), previous.get("rules_version")) == (model, rules)
        self.files = [
            str(store.parts_dir(out) / p["chunk"] / f"{p['articles']}.parquet")
            for p in previous.get("parts", [])
            if same and p.get("articles")
        ]
        self.con = None

    def lookup(self, ids: list[str]) -> dict[str, str]:
        if not self.files:
            return {}
        import duckdb

        if self.con is None:
            self.con = duckdb.connect(":memory:")
            store.configure(self.con)
            listed = store.sql_paths(self.files)
            self.con.execute(
                "CREATE TABLE known AS SELECT article_id, string_split(filename, '/')[-2] AS chunk "
                f"FROM read_parquet({listed}, filename = true)"
            )
        self.con.register("wanted", pa.table({"article_id": pa.array(ids, pa.string())}))
        found = self.con.execute("SELECT article_id, chunk FROM known SEMI JOIN wanted USING (article_id)").fetchall()
        self.con.unregister("wanted")
        return dict(found)


# --- the run -------------------------------------------------------------------------------


def estimate_articles(inputs: Iterable[str | Path]) -> int:
    """A quick estimate of how many articles the inputs hold, for the progress bar's ETA.

    One per .txt file, one per line of .csv/.jsonl files (a CSV body with line breaks makes this
    an over-estimate; the bar corrects its total as it learns). A gzipped one is counted exactly
    when small, else from its first GZ_SAMPLE decompressed bytes, scaled by its compressed size.
    """
    total = 0
    for given in inputs:
        root = Path(given)
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
        for path in files:
            gzipped = path.name.lower().endswith(".gz")
            name = path.name.lower().removesuffix(".gz")
            if name.endswith(".txt"):
                total += 1
            elif name.endswith((".csv", ".jsonl", ".ndjson")):
                total += _gz_lines(path) if gzipped else _lines(path)
    return total


# Decompressed bytes read from a gzipped input to estimate its lines (the rest is extrapolated).
GZ_SAMPLE = 8 << 20


def _lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


def _gz_lines(path: Path) -> int:
    """Lines of a gzipped file, read in blocks: exact up to GZ_SAMPLE bytes, else scaled from them."""
    import gzip
    import zlib

    lines = read = 0
    try:
        with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw) as handle:
            while read < GZ_SAMPLE:
                block = handle.read(1 << 20)
                if not block:
                    return lines
                lines += block.count(b"\n")
                read += len(block)
            # Compressed bytes behind the sample (the reader buffers ahead a little: a fair estimate).
            consumed = raw.tell()
    except (OSError, EOFError, zlib.error):
        return lines  # a corrupt gzip: its readable rows are all the run will get
    size = path.stat().st_size
    return round(lines * size / consumed) if consumed else lines


def preprocess(
    inputs: list[str | Path],
    out: str | Path,
    model: str | None = None,
    workers: int = 1,
    limit: int | None = None,
    on_progress: ProgressFn | None = None,
    source: str | Outlets | None = None,
    scheduler: str | object | None = None,
    shared: str | None = None,
    chunk_articles: int = CHUNK_ARTICLES,
) -> dict:
    """Build (or update) the store at `out` from the inputs; return the new manifest.

    `workers` local processes annotate chunks, or, with `scheduler` (a dask.distributed scheduler
    address or Client), the Dask cluster's workers do; they write parts under `shared` (a path or
    fsspec URL all of them and this process reach; default: the store's own parts folder).
    """
    from dashboard import cluster
    from dashboard.nlp import topics

    started = time.perf_counter()
    out = Path(out)
    model_name = nlp_model.resolve_model_name(model)
    model_version = _model_version(model_name)
    taxonomy_path = user_taxonomy(out)
    taxonomy_text = taxonomy_path.read_text(encoding="utf-8") if taxonomy_path.is_file() else None
    taxonomy = annotate.load_taxonomy_text(taxonomy_text)
    taxonomy_version = topics.taxonomy_version(taxonomy)
    vectors_stem = corpus.vectors_stem()
    rules = rules_version()
    parts_root = shared or str(store.parts_dir(out))
    local_parts = store.parts_dir(out)
    total = estimate_articles(inputs)
    try:
        previous = store.read_manifest(out)
    except store.StoreError:
        previous = None

    building = store.begin_snapshot(out)
    rejects = _Rejects(building / "_rejects_raw.parquet")
    skipped = [0]
    done_articles = annotated = annotated_words = 0
    annotate_seconds = 0.0
    chunk_index: dict[str, int] = {}
    in_flight: dict[str, tuple] = {}
    known_articles = _Known(out, model_version, rules)
    finished: list[tuple[int, dict]] = []

    def progress() -> None:
        if on_progress:
            on_progress(done_articles, max(total, done_articles))

    def finish(chunk: str, articles: list[Article]) -> None:
        nonlocal done_articles
        parts.fetch(parts_root, chunk, out)
        folder = local_parts / chunk
        done_articles += len(articles)
        articles = without_failed(folder, articles, rejects)
        meta = f"articles-{_meta_version(articles)}"
        topics_stem = f"topics-{taxonomy_version}"
        if not (folder / f"{meta}.parquet").is_file():
            store.write_parquet(articles_table(articles), folder / f"{meta}.parquet")
        if not (folder / f"{topics_stem}.parquet").is_file():
            # A reused chunk under an edited taxonomy (or an older part without vectors, which
            # gets them here from its text): re-tagged from what the part stores, no spaCy.
            tags = corpus.retag_part(folder, folder / f"{meta}.parquet", taxonomy)
            store.write_parquet(tags, folder / f"{topics_stem}.parquet")
        entry = {"chunk": chunk, "articles": meta, "topics": topics_stem, "n": len(articles)}
        if (folder / f"{vectors_stem}.parquet").is_file():
            entry["vectors"] = vectors_stem
        if articles:  # else every article of the chunk failed: each is a reject, none is stored
            finished.append((chunk_index[chunk], entry))
        progress()

    def task(chunk: str, articles: list[Article]) -> annotate.ChunkTask:
        return annotate.ChunkTask(
            chunk=chunk,
            rows=tuple((a.article_id, a.title, a.text) for a in articles),
            model_name=model_name,
            taxonomy_text=taxonomy_text,
            taxonomy_version=taxonomy_version,
            parts_root=parts_root,
        )

    def assemble(chunk: str, sources: list, fresh: str | None) -> None:
        if fresh:
            parts.fetch(parts_root, fresh, out)
            sources = [*sources, (local_parts / fresh, None)]
        parts.assemble(local_parts, chunk, sources, [f"topics-{taxonomy_version}", vectors_stem])

    def tasks() -> Iterator[annotate.ChunkTask]:
        stream = unique_articles(read_inputs(inputs, source), rejects, limit, skipped)
        for index, articles in enumerate(chunked(stream, chunk_articles)):
            chunk = chunk_id(articles, model_version, rules)
            chunk_index[chunk] = index
            if store.part_done(local_parts, chunk) or parts.done(parts_root, chunk):
                finish(chunk, articles)  # annotated by an earlier (perhaps killed) run
                continue
            known = known_articles.lookup([a.article_id for a in articles])
            by_part: dict[str, list[str]] = {}
            for article_id, part in known.items():
                by_part.setdefault(part, []).append(article_id)
            sources = [(local_parts / part, ids) for part, ids in by_part.items()]
            fresh = [a for a in articles if a.article_id not in known]
            if not fresh:
                assemble(chunk, sources, None)
                finish(chunk, articles)
                continue
            # Only the articles no part holds are annotated, as a sub-part merged in on completion.
            work = chunk if not known else "f" + chunk[1:]
            in_flight[work] = (chunk, articles, fresh, sources)
            yield task(work, fresh)

    try:
        progress()
        with cluster.runner(workers, scheduler) as run:
            for result in run(tasks()):
                chunk, articles, fresh, sources = in_flight.pop(result.chunk)
                if chunk != result.chunk:
                    assemble(chunk, sources, result.chunk)
                annotated += len(fresh)
                annotated_words += sum(len(a.text.split()) for a in fresh)
                annotate_seconds += result.seconds
                finish(chunk, articles)
        rejects.close()
        if not finished:
            raise NoArticles([reject for reject, _ in rejects.first])
        read_done = time.perf_counter()
        part_list = [entry for _, entry in sorted(finished, key=lambda item: item[0])]
        part_list, prototypes = corpus.adapt_topics(out, part_list, taxonomy, previous)
        manifest = {
            "model": model_version,
            "model_package": model_name,
            "rules_version": rules,
            "taxonomy_version": taxonomy_version,
            "inputs": [str(Path(i)) for i in inputs],
            "outlets": outlets_of(source).describe(),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "parts": part_list,
            "topic_prototypes": prototypes,
        }
        manifest = corpus.finish(out, building, manifest, user_aliases(out))
    except BaseException:
        import shutil

        shutil.rmtree(building, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    counts = manifest["counts"]
    counts.update(
        annotated=annotated,
        reused=counts["articles"] - annotated,
        rejects=rejects.count,
        not_read_over_limit=skipped[0],
    )
    main_peak, worker_peak = process_peaks_mib()
    manifest["timings"] = {
        "seconds": round(seconds, 2),
        "corpus_seconds": round(time.perf_counter() - read_done, 2),
        "annotate_seconds": round(annotate_seconds, 2),
        "workers": workers if scheduler is None else "dask",
        "words_per_second": round(annotated_words / seconds, 1) if annotated else None,
        "peak_memory_mib": peak_memory_mib(workers if scheduler is None else 1),
        "peak_main_mib": main_peak,
        "peak_worker_mib": worker_peak,
    }
    store.update_manifest(out, {"counts": counts, "timings": manifest["timings"]})
    return manifest


def recount_names(store_dir: str | Path) -> dict:
    """Re-apply corpus name merging and the user's alias file to a store, without spaCy."""
    return corpus.renamed(store_dir, user_aliases(store_dir))


def peak_memory_mib(workers: int = 1) -> float:
    """Peak resident memory of the run in MiB: this process, plus `workers` times the largest worker.

    The kernel reports only the largest finished child; workers do the same work on equal
    chunks, so their peaks are alike and the sum is a fair upper estimate.
    """
    own, child = process_peaks_mib()
    return round(own + (workers * child if workers > 1 else 0), 1)


def process_peaks_mib() -> tuple[float, float]:
    """Peak resident memory in MiB of this process and of its largest finished child (a local worker; 0 if none)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(own / 1024, 1), round(child / 1024, 1)  # ru_maxrss is in KiB on Linux


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
    record = manifest.get("topic_prototypes")
    if record:
        fitted = sum(1 for n in record["articles"].values() if n)
        print(
            f"topic prototypes {record['version']}: {fitted} of {len(record['articles'])} topics, "
            f"fitted on {record['fitted_on']:,} articles",
            file=stream,
        )
    if c["rejects"]:
        print("reasons: python -m dashboard rejects --store DIR", file=stream)

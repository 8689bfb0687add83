"""The store: Parquet read in place through DuckDB views, in immutable parts plus small snapshots.

Layout of a store folder (README "Data layout"):

    manifest.json                 names the current snapshot and the parts it is made of
    parts/<chunk>/                one folder per annotated chunk of articles, never changed once done:
        mentions.parquet, quotes.parquet, quote_terms.parquet, terms.parquet
        topics-<taxonomy>.parquet   taxonomy tags, one file per taxonomy version
        vectors-<embedding>.parquet each article's embedding, for re-tagging without spaCy
        articles-<meta>.parquet     the chunk's articles with their metadata (file, source, ...)
        _SUCCESS                    written last: a chunk is done when this file exists
    snapshot-<time>-<id>/         the corpus-wide tables of one commit, all small: name_map, rejects,
                                  discovered topics, topic_terms, rollups (or tables written whole)

A chunk's folder is written under a temporary name and renamed when complete, so "which chunks are
done" is "which folders have _SUCCESS", and a killed run resumes by skipping them. A commit writes
a new snapshot folder, then replaces `manifest.json` atomically (`os.replace`): a run killed at any
point leaves the previous store readable. Parts are shared by snapshots, so a run that adds one
article writes one new part and the small corpus-wide tables, not the whole store.

Readers never copy tables into memory: `connect` opens an in-memory DuckDB whose views read the
snapshot's Parquet files where they lie. Names are merged across the corpus by joining the
per-article names with the `name_map` table, so a changed alias rewrites that table only.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
PARTS = "parts"
SEGMENTS = "segments"
# Chunks per segment on average (about 32,000 articles at 500 per chunk); at most four times that.
SEGMENT_CHUNKS = 64
# The segments' layout, part of each segment's name: a new layout rewrites every segment once.
# "dated-2": each row of the PART_TABLES carries its article's date, and every segment file is sorted
# by (date, article_id) in row groups of SEGMENT_ROW_GROUP rows, so a date filter reads only the row
# groups whose date range meets it (DuckDB prunes them by their min/max statistics).
SEGMENT_LAYOUT = "dated-2"
# Rows per row group, per table: small where rows are large (bodies) or few, the default where a
# table has tens of millions of small rows (each row group has its own dictionaries, and 16,384-row
# groups made a term lookup over 49 M rows 3x slower than DuckDB's default of 122,880).
SEGMENT_ROW_GROUP = {
    "term_index": 122_880,
    "articles": 16_384,
    "quotes": 32_768,
    "mentions": 65_536,
    "quote_terms": 122_880,
    "terms": 122_880,
    "topics": 122_880,
}
# Each segment file's sort order: a total order, so the same parts always give the same file.
SEGMENT_ORDER = {
    "term_index": "term, date, article_id",
    "articles": "date, article_id",
    "mentions": "date, article_id, name, label",
    "quotes": "date, article_id, quote_index",
    "quote_terms": "date, article_id, quote_index, term",
    "terms": "date, article_id, term",
    "topics": "article_id, kind, topic",
}
# Beside each segment's terms (sorted by date), the same rows sorted by term: a lemma lookup ("which
# articles have 'oil'") then reads one or two row groups per segment instead of all 49 M rows of a
# million articles (0.8 s -> 0.15 s), at the price of 2.3x the terms' disk (they compress worse
# by term). Written for any segment that lacks it, so an older store gains it at its next commit.
TERM_INDEX = "term_index"
DONE = "_SUCCESS"
SCHEMA_VERSION = 2
# The tables a worker writes for each chunk (articles and topics files are named by version).
PART_TABLES = ("mentions", "quotes", "quote_terms", "terms")

# The public schema (README "Store schema"). Writers conform frames to it, so an empty table
# still has its columns and types, and readers can rely on them.
SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            ("article_id", pa.string()),
            ("file", pa.string()),
            ("line", pa.int32()),
            ("date", pa.date32()),
            ("title", pa.string()),
            ("source", pa.string()),
            ("url", pa.string()),
            ("author", pa.string()),
            ("text", pa.string()),
            ("words", pa.int32()),
            ("quote_marks", pa.int32()),
        ]
    ),
    "mentions": pa.schema(
        [("article_id", pa.string()), ("name", pa.string()), ("label", pa.string()), ("count", pa.int32())]
    ),
    "entities": pa.schema(
        [("article_id", pa.string()), ("entity", pa.string()), ("label", pa.string()), ("count", pa.int32())]
    ),
    "quotes": pa.schema(
        [
            ("article_id", pa.string()),
            ("quote_index", pa.int32()),
            ("speaker", pa.string()),
            ("speaker_name", pa.string()),
            ("speaker_role", pa.string()),
            ("speaker_kind", pa.string()),
            ("quote", pa.string()),
            ("cue", pa.string()),
            ("kind", pa.string()),
            ("start_char", pa.int32()),
            ("end_char", pa.int32()),
            ("rule", pa.string()),
            ("resolved_by", pa.string()),
            # Added with speaker genders: parts written before it read it as null (see _source).
            ("speaker_pronoun", pa.string()),
        ]
    ),
    "topics": pa.schema(
        [
            ("article_id", pa.string()),
            ("topic", pa.string()),
            ("score", pa.float32()),
            ("evidence", pa.string()),
            ("kind", pa.string()),
        ]
    ),
    "topic_terms": pa.schema([("topic", pa.string()), ("term", pa.string()), ("weight", pa.float32())]),
    "terms": pa.schema([("article_id", pa.string()), ("term", pa.string()), ("count", pa.int32())]),
    "quote_terms": pa.schema(
        [("article_id", pa.string()), ("quote_index", pa.int32()), ("term", pa.string()), ("count", pa.int32())]
    ),
    "rejects": pa.schema([("file", pa.string()), ("where", pa.string()), ("reason", pa.string())]),
    # One row per speaker, written by each commit (dashboard/gender.py): gender is null for organisations.
    "speakers": pa.schema(
        [
            ("speaker", pa.string()),
            ("kind", pa.string()),
            ("gender", pa.string()),
            ("decided_by", pa.string()),
            ("evidence", pa.string()),
            ("quotes", pa.int64()),
        ]
    ),
}

# Corpus-wide tables of a snapshot that are not part of the public schema.
INTERNAL_SCHEMAS: dict[str, pa.Schema] = {
    # Per-article name -> corpus canonical name, only for names that change.
    "name_map": pa.schema([("name", pa.string()), ("canonical", pa.string())]),
    # Articles where the map gives two of their names one canonical name (their rows are summed).
    "entity_merges": pa.schema([("article_id", pa.string())]),
    # A part's articles whose annotation raised, with the error: rejected, not stored (`failed.parquet`).
    "failed": pa.schema([("article_id", pa.string()), ("reason", pa.string())]),
    # Rollups: the sidebar's choices and searches, and the unfiltered views (queries.py reads them
    # when nothing is filtered, so a first visit does not scan the parts). See ROLLUPS.
    "speaker_counts": pa.schema(
        [("speaker", pa.string()), ("kind", pa.string()), ("quotes", pa.int64()), ("articles", pa.int64())]
    ),
    "entity_counts": pa.schema([("entity", pa.string()), ("label", pa.string()), ("articles", pa.int64())]),
    "entity_label_counts": pa.schema(
        [
            ("entity", pa.string()),
            ("label", pa.string()),
            ("articles", pa.int64()),
            ("mentions", pa.int64()),
            ("rank", pa.int64()),  # within its label, as top_entities_per_type ranks
        ]
    ),
    "daily_counts": pa.schema(
        [("date", pa.date32()), ("articles", pa.int64()), ("quotes", pa.int64()), ("unattributed", pa.int64())]
    ),
    "topic_daily": pa.schema(
        [("date", pa.date32()), ("topic", pa.string()), ("kind", pa.string()), ("articles", pa.int64())]
    ),
    "topic_counts": pa.schema([("topic", pa.string()), ("kind", pa.string()), ("articles", pa.int64())]),
    "term_counts": pa.schema([("term", pa.string()), ("count", pa.int64())]),
    "topic_speaker_counts": pa.schema(
        [("topic", pa.string()), ("speaker", pa.string()), ("quotes", pa.int64()), ("articles", pa.int64())]
    ),
    "topic_entity_counts": pa.schema(
        [
            ("topic", pa.string()),
            ("entity", pa.string()),
            ("label", pa.string()),
            ("articles", pa.int64()),
            ("mentions", pa.int64()),
        ]
    ),
    "gender_daily": pa.schema(
        [("date", pa.date32()), ("source", pa.string()), ("gender", pa.string()), ("quotes", pa.int64())]
    ),
    "source_counts": pa.schema(
        [
            ("source", pa.string()),
            ("articles", pa.int64()),
            ("quotes", pa.int64()),
            ("speakers", pa.int64()),
            ("first", pa.date32()),
            ("last", pa.date32()),
        ]
    ),
    "source_speaker_counts": pa.schema(
        [
            ("source", pa.string()),
            ("speaker", pa.string()),
            ("kind", pa.string()),
            ("quotes", pa.int64()),
            ("articles", pa.int64()),
            ("rank", pa.int64()),  # within its outlet, as top_speakers_per_source ranks
        ]
    ),
    "source_entity_counts": pa.schema(
        [
            ("source", pa.string()),
            ("entity", pa.string()),
            ("label", pa.string()),
            ("articles", pa.int64()),
            ("mentions", pa.int64()),
            ("rank", pa.int64()),  # within its outlet, as top_entities_per_source ranks
        ]
    ),
    # Cross-tabs among the most frequent names (TOP_CROSS of them; TOP_SERIES for the series), for
    # the unfiltered speakers and entities pages; a query asking for more reads the rows instead.
    "speaker_entity_top": pa.schema([("speaker", pa.string()), ("entity", pa.string()), ("articles", pa.int64())]),
    "entity_pair_top": pa.schema([("entity_a", pa.string()), ("entity_b", pa.string()), ("articles", pa.int64())]),
    "co_mention_top": pa.schema(
        [
            ("anchor", pa.string()),
            ("entity", pa.string()),
            ("label", pa.string()),
            ("articles", pa.int64()),
            ("rank", pa.int64()),  # within its anchor, as co_mentions ranks; only the first TOP_CO_MENTIONS
        ]
    ),
    "entity_daily_top": pa.schema(
        [("date", pa.date32()), ("entity", pa.string()), ("articles", pa.int64()), ("mentions", pa.int64())]
    ),
    "speaker_daily_top": pa.schema([("date", pa.date32()), ("speaker", pa.string()), ("quotes", pa.int64())]),
    # The articles quoting each speaker, sorted by speaker: the speaker filter reads the row groups
    # of the chosen names only (the quotes' speaker is a join with the name map, so no scan of the
    # quotes can skip anything).
    "speaker_articles": pa.schema(
        [("speaker", pa.string()), ("article_id", pa.string()), ("date", pa.date32()), ("quotes", pa.int64())]
    ),
    # Each topic's articles with their date and score, sorted by topic and date: the topic filter and
    # a table's topics read the row groups of the chosen topics and dates only (the topics of the
    # parts carry no date).
    "topic_articles": pa.schema(
        [
            ("topic", pa.string()),
            ("kind", pa.string()),
            ("article_id", pa.string()),
            ("date", pa.date32()),
            ("score", pa.float32()),
        ]
    ),
    # Extraction health with nothing filtered: quotes by their facets, per outlet the marks and
    # quotes, and the articles with the largest gap between quotation marks and direct quotes.
    "quote_facets": pa.schema(
        [
            ("source", pa.string()),
            ("kind", pa.string()),
            ("rule", pa.string()),
            ("resolved_by", pa.string()),
            ("speaker_kind", pa.string()),
            ("quotes", pa.int64()),
            ("unattributed", pa.int64()),
        ]
    ),
    "source_health": pa.schema(
        [
            ("source", pa.string()),
            ("articles", pa.int64()),
            ("quote_marks", pa.int64()),
            ("quote_pairs", pa.int64()),
            ("pairs_quoted", pa.int64()),
            ("quotes", pa.int64()),
            ("unattributed", pa.int64()),
        ]
    ),
    "marks_gap_top": pa.schema(
        [
            ("date", pa.date32()),
            ("title", pa.string()),
            ("source", pa.string()),
            ("quote_pairs", pa.int64()),
            ("direct", pa.int64()),
            ("unattributed", pa.int64()),
            ("gap", pa.int64()),
            ("article_id", pa.string()),
        ]
    ),
    # Discovered topics (kind 'discovered'): corpus-wide, kept while the article set is unchanged.
    "discovered": SCHEMAS["topics"],
    # Per part (vectors-<embedding version>): each article's unit embedding, for re-tagging without
    # spaCy or the model. float16 halves the size and keeps cosines to about 3 decimals.
    "vectors": pa.schema([("article_id", pa.string()), ("vector", pa.list_(pa.float16()))]),
}
ALL_SCHEMAS = {**SCHEMAS, **INTERNAL_SCHEMAS}
# Columns added to a table after stores were written without them: a frame or file lacking one
# reads it as null (older parts, hand-made test stores), so adding one needs no rebuild to open a store.
ADDED_COLUMNS: dict[str, frozenset[str]] = {"quotes": frozenset({"speaker_pronoun"})}


class StoreError(RuntimeError):
    """The store is missing, incomplete or unreadable; the message says which and what to do."""


def empty_frame(table: str) -> pd.DataFrame:
    """A frame with the table's columns and no rows."""
    return ALL_SCHEMAS[table].empty_table().to_pandas()


def to_arrow(table: str, frame: pd.DataFrame | pa.Table) -> pa.Table:
    """A frame or Arrow table conformed to the table's schema (columns in order, types cast)."""
    schema = ALL_SCHEMAS[table]
    names = frame.column_names if isinstance(frame, pa.Table) else list(frame.columns)
    added = [f for f in schema if f.name not in names and f.name in ADDED_COLUMNS.get(table, ())]
    for f in added:
        nulls = pa.nulls(len(frame), f.type)
        frame = frame.append_column(f.name, nulls) if isinstance(frame, pa.Table) else frame.assign(**{f.name: None})
    missing = [f.name for f in schema if f.name not in names and f not in added]
    if missing:
        raise ValueError(f"table {table!r} lacks column(s) {missing}")
    if isinstance(frame, pa.Table):
        return frame.select(schema.names).cast(schema)
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write one Parquet file atomically: a temporary name in the same folder, then a rename."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- manifest ------------------------------------------------------------------------------


def read_manifest(store_dir: str | Path) -> dict:
    """The current manifest; StoreError when there is no readable store."""
    path = Path(store_dir) / MANIFEST
    if not path.is_file():
        raise StoreError(
            f"No store at {store_dir}: run `python -m dashboard preprocess INPUT --out {store_dir}` first."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise StoreError(
            f"The manifest {path} cannot be read ({err}); re-run preprocess to rebuild the store."
        ) from err
    snapshot = Path(store_dir) / manifest.get("snapshot", "")
    if not manifest.get("snapshot") or not snapshot.is_dir():
        raise StoreError(f"The store at {store_dir} names a snapshot that is missing; re-run preprocess.")
    return manifest


def _replace_manifest(store: Path, manifest: dict) -> None:
    tmp = store / f".{MANIFEST}.{uuid.uuid4().hex[:6]}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, store / MANIFEST)


def update_manifest(store_dir: str | Path, updates: dict) -> dict:
    """Merge `updates` into the current manifest (same snapshot), atomically."""
    manifest = {**read_manifest(store_dir), **updates}
    _replace_manifest(Path(store_dir), manifest)
    return manifest


# --- parts ---------------------------------------------------------------------------------


def parts_dir(store_dir: str | Path) -> Path:
    """The folder of a store's chunk parts."""
    return Path(store_dir) / PARTS


def part_done(root: str | Path, chunk: str) -> bool:
    """True when the chunk's part folder under `root` is complete."""
    return (Path(root) / chunk / DONE).is_file()


@contextlib.contextmanager
def building_part(root: str | Path, chunk: str):
    """A temporary folder for part `chunk` under `root`; on a clean exit it gets `_SUCCESS` and is renamed
    into place, on an error it is removed. The one way a part comes into being."""
    final = Path(root) / chunk
    final.parent.mkdir(parents=True, exist_ok=True)
    building = final.parent / f".{chunk}.{uuid.uuid4().hex[:8]}.partial"
    building.mkdir()
    try:
        yield building
        (building / DONE).write_text("", encoding="utf-8")
        if final.exists():  # an incomplete folder of a killed copy: nothing in it is trusted
            shutil.rmtree(final)
        building.rename(final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def write_part(root: str | Path, chunk: str, tables: Mapping[str, pa.Table]) -> Path:
    """Write a chunk's tables as `root/<chunk>/`, appearing complete or not at all; return the folder.

    `tables` maps file stems (e.g. "quotes", "topics-<version>") to Arrow tables. An existing
    complete folder is kept as it is: the same chunk id means the same content.
    """
    if not part_done(root, chunk):
        with building_part(root, chunk) as building:
            for stem, table in tables.items():
                pq.write_table(table, building / f"{stem}.parquet", compression="zstd")
    return Path(root) / chunk


def _part_files(store: Path, manifest: Mapping, stem_of) -> list[str]:
    """The files of one table: from the segments when the manifest has them, else from the parts."""
    if "segments" in manifest:
        folders = [(store / SEGMENTS / seg["segment"], seg) for seg in manifest["segments"]]
    else:
        folders = [(store / PARTS / part["chunk"], part) for part in manifest.get("parts", [])]
    files = []
    for folder, entry in folders:
        stem = stem_of(entry)
        if stem is not None:
            files.append(str(folder / f"{stem}.parquet"))
    return files


# --- segments: the parts compacted for reading -------------------------------------------------
#
# A query pays for every file it opens: at a million articles a table has 2,000 parts, and opening
# them costs more than reading them. So each commit also writes the parts' rows into segments, each
# holding a run of consecutive chunks in one file per table, and the views read the segments. Runs
# end after a chunk whose id hashes to a fixed residue (content-defined, like the chunks), so a new
# chunk changes only the segment it falls in: one new article rewrites one segment (about 32,000
# articles' rows, no annotation), never the store. Parts stay the record (resume, reuse, re-tag read
# them); segments are derived from them and can be deleted at any time (the next commit rewrites
# them). The cost is disk: the annotations are stored twice.


def plan_segments(parts: list[Mapping]) -> list[list[Mapping]]:
    """The parts cut into runs of consecutive chunks, each run one segment."""
    runs: list[list[Mapping]] = []
    run: list[Mapping] = []
    for part in parts:
        run.append(part)
        residue = int(hashlib.sha1(part["chunk"].encode()).hexdigest()[:8], 16) % SEGMENT_CHUNKS
        if residue == 0 or len(run) >= 4 * SEGMENT_CHUNKS:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _digest(values: Iterable[str]) -> str:
    return hashlib.sha1("\n".join(values).encode()).hexdigest()[:16]


def write_segments(store_dir: str | Path, parts: list[Mapping]) -> list[dict]:
    """Compact the parts into segments (writing only those missing); return the manifest's segment list.

    A segment is named by its chunks; its articles and topics files by the versions of its parts'
    files, so new metadata or a re-tag adds files to a segment instead of renaming it.
    """
    store = Path(store_dir)
    root = store / SEGMENTS
    con = duckdb.connect(":memory:")
    configure(con)
    segments = []
    for run in plan_segments(parts):
        chunks = [p["chunk"] for p in run]
        name = _digest([SEGMENT_LAYOUT, *chunks])
        entry: dict = {"segment": name, "chunks": chunks}
        articles = [(p["chunk"], p["articles"]) for p in run if p.get("articles")]
        if not part_done(root, name):
            # The dates come from the articles files: an article's date is part of its id, so a
            # metadata change (new articles file) never makes a segment's dates stale.
            dates = f"SELECT article_id, date FROM ({_read_parts(con, store, 'articles', articles)})"
            with building_part(root, name) as building:
                for table in PART_TABLES:
                    rows = f"SELECT x.*, d.date FROM ({_read_parts(con, store, table, [(c, table) for c in chunks])}) x"
                    rows += f" LEFT JOIN ({dates}) d USING (article_id)"
                    _compact(con, rows, table, building / f"{table}.parquet")
        index = root / name / f"{TERM_INDEX}.parquet"
        if not index.is_file():
            _compact(con, f"SELECT * FROM read_parquet({sql_path(root / name / 'terms.parquet')})", TERM_INDEX, index)
        entry[TERM_INDEX] = TERM_INDEX
        for key in ("articles", "topics"):
            files = [(p["chunk"], p[key]) for p in run if p.get(key)]
            if files:
                entry[key] = f"{key}-{_digest(stem for _, stem in files)}"
                if not (root / name / f"{entry[key]}.parquet").is_file():
                    rows = _read_parts(con, store, key, files)
                    _compact(con, rows, key, root / name / f"{entry[key]}.parquet")
        segments.append(entry)
    return segments


def _read_parts(con: duckdb.DuckDBPyConnection, store: Path, table: str, files: list[tuple[str, str]]) -> str:
    """The rows of the parts' files (chunk, stem), with the table's columns (added columns that older
    parts lack as null)."""
    return _source(con, table, [str(store / PARTS / chunk / f"{stem}.parquet") for chunk, stem in files])


def _compact(con: duckdb.DuckDBPyConnection, rows: str, table: str, target: Path) -> None:
    """One file of the table's rows in its segment order; it appears complete or not at all."""
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        con.execute(
            f"COPY (SELECT * FROM ({rows}) ORDER BY {SEGMENT_ORDER[table]}) TO {sql_path(tmp)} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {SEGMENT_ROW_GROUP[table]})"
        )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _collect_segments(store: Path, *segment_lists: list[Mapping]) -> None:
    root = store / SEGMENTS
    if not root.is_dir():
        return
    wanted: dict[str, set[str]] = {}
    for segments in segment_lists:
        for seg in segments:
            files = wanted.setdefault(seg["segment"], set())
            files.update(f"{seg[key]}.parquet" for key in ("articles", "topics") if seg.get(key))
    for path in root.iterdir():
        if not path.is_dir():
            continue
        if path.name not in wanted:
            if not path.name.endswith(".partial") or _idle_for(path) > PARTIAL_GRACE_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
            continue
        for file in path.glob("*-*.parquet"):
            if file.name not in wanted[path.name]:
                file.unlink(missing_ok=True)


def vectors_table(article_ids: list[str], vectors) -> pa.Table:
    """A part's vectors file from article ids and a (articles x dimensions) float array."""
    import numpy as np

    matrix = np.asarray(vectors, dtype=np.float16)
    rows, width = matrix.shape
    offsets = pa.array(np.arange(rows + 1, dtype=np.int32) * width)
    values = pa.ListArray.from_arrays(offsets, pa.array(matrix.reshape(-1)))
    return pa.table({"article_id": pa.array(article_ids, pa.string()), "vector": values}, schema=ALL_SCHEMAS["vectors"])


def read_vectors(path: Path):
    """(article ids, float32 matrix) of a part's vectors file."""
    import numpy as np

    table = pq.read_table(path)
    column = table.column("vector").combine_chunks()
    values = column.flatten().to_numpy(zero_copy_only=False).astype(np.float32)
    width = len(values) // max(len(column), 1)
    return table.column("article_id").to_pylist(), values.reshape(len(column), width)


# --- snapshots -----------------------------------------------------------------------------


def _new_snapshot_name() -> str:
    return f"snapshot-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def begin_snapshot(store_dir: str | Path) -> Path:
    """A new, empty snapshot folder under a temporary name; `commit` publishes it."""
    store = Path(store_dir)
    store.mkdir(parents=True, exist_ok=True)
    building = store / f".{_new_snapshot_name()}.partial"
    building.mkdir()
    return building


def write_snapshot_table(building: Path, table: str, data: pd.DataFrame | pa.Table) -> None:
    """One table of a snapshot being built, conformed to its schema."""
    pq.write_table(to_arrow(table, data), building / f"{table}.parquet", compression="zstd")


def commit(store_dir: str | Path, building: Path, manifest: dict, collect_parts: bool = False) -> dict:
    """Publish a snapshot folder made by `begin_snapshot`: rename it, then switch the manifest atomically.

    `manifest["parts"]` lists the chunk parts the snapshot reads. The previous snapshot and its
    parts stay (a dashboard may still be reading them); older snapshots go, and with
    `collect_parts` so do parts neither snapshot uses (leftovers of killed runs among them).
    """
    store = Path(store_dir)
    try:
        previous = read_manifest(store)
    except StoreError:
        previous = {}
    name = building.name.removeprefix(".").removesuffix(".partial")
    try:
        manifest = _derive(store, building, manifest)
        building.rename(store / name)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    tables = sorted(p.stem for p in (store / name).glob("*.parquet"))
    manifest = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "snapshot": name,
        "snapshot_tables": tables,
        "parts": list(manifest.get("parts", [])),
    }
    if previous.get("snapshot"):
        manifest["previous_snapshot"] = previous["snapshot"]
    _replace_manifest(store, manifest)
    keep = {name, previous.get("snapshot")}
    for path in store.iterdir():
        stale = path.name.startswith("snapshot-") and path.name not in keep
        # A .partial folder is debris of a killed run, unless another run is building it right now.
        debris = path.name.endswith(".partial") and path != building and _idle_for(path) > PARTIAL_GRACE_SECONDS
        if path.is_dir() and (stale or debris):
            shutil.rmtree(path, ignore_errors=True)
    if collect_parts:
        used = {p["chunk"] for p in manifest["parts"]} | {p["chunk"] for p in previous.get("parts", [])}
        _collect_parts(store, used, manifest["parts"], previous.get("parts", []))
        _collect_segments(store, manifest.get("segments", []), previous.get("segments", []))
    return manifest


PARTIAL_GRACE_SECONDS = 600


def _derive(store: Path, building: Path, manifest: dict) -> dict:
    """Write the snapshot's rollups afresh and measure it: every commit does, whatever changed (new
    parts, a name map, re-tagged topics, discovered topics), so no rollup can go stale."""
    for table in ("entity_merges", *ROLLUPS):
        (building / f"{table}.parquet").unlink(missing_ok=True)
    manifest = {
        **manifest,
        "segments": write_segments(store, manifest.get("parts", [])),
        "segment_layout": SEGMENT_LAYOUT,
    }
    provisional = {**manifest, "snapshot": building.name}
    con = connect(store, provisional)
    target = sql_path(building / "entity_merges.parquet")
    con.execute(f"COPY (SELECT * FROM entity_merges) TO {target} (FORMAT parquet, COMPRESSION zstd)")
    con = connect(store, provisional)  # the entities view now reads the merges just written
    for table in ROLLUPS:
        target = sql_path(building / f"{table}.parquet")
        con.execute(f"COPY (SELECT * FROM {table}) TO {target} (FORMAT parquet, COMPRESSION zstd)")
    measured, rows = _measure(connect(store, provisional))
    return {**manifest, "counts": {**manifest.get("counts", {}), **measured}, "rows": rows}


def _measure(con: duckdb.DuckDBPyConnection) -> tuple[dict, dict]:
    """(counts, rows) for the manifest: articles, words, quotes, speakers, entities, dates; rows per table."""
    row = con.execute(
        """SELECT (SELECT count(*) FROM articles), (SELECT coalesce(sum(words), 0) FROM articles),
                  (SELECT count(*) FROM quotes), (SELECT count(*) FROM speaker_counts),
                  (SELECT count(*) FROM entity_counts), (SELECT min(date) FROM articles),
                  (SELECT max(date) FROM articles)"""
    ).fetchone()
    articles, words, quotes, speakers, entities, first, last = row
    counts = {
        "articles": int(articles),
        "words": int(words),
        "quotes": int(quotes),
        "speakers": int(speakers),
        "entities": int(entities),
        "date_min": str(first) if first else None,
        "date_max": str(last) if last else None,
    }
    rows = {table: int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in SCHEMAS}
    return counts, rows


def _idle_for(path: Path) -> float:
    """Seconds since anything in `path` (one level deep) last changed."""
    import time

    try:
        latest = max([path.stat().st_mtime, *(p.stat().st_mtime for p in path.iterdir())])
    except OSError:
        return 0.0
    return time.time() - latest


def _collect_parts(store: Path, used: set[str], *part_lists: list[Mapping]) -> None:
    root = store / PARTS
    if not root.is_dir():
        return
    wanted: dict[str, set[str]] = {}
    for parts in part_lists:
        for part in parts:
            files = wanted.setdefault(part["chunk"], set())
            stems = (part.get("articles"), part.get("topics"), part.get("plain_topics"), part.get("vectors"))
            files.update(f"{stem}.parquet" for stem in stems if stem)
    for path in root.iterdir():
        if not path.is_dir():
            continue
        if path.name not in used:
            shutil.rmtree(path, ignore_errors=True)
            continue
        # Superseded versioned files of a kept chunk (an older taxonomy, older metadata) go too.
        for file in path.glob("*-*.parquet"):
            if file.name not in wanted.get(path.name, set()):
                file.unlink(missing_ok=True)


def write_snapshot(store_dir: str | Path, tables: Mapping[str, pd.DataFrame], manifest: dict) -> dict:
    """Write these exact tables (frames of the public schema) as a new snapshot and switch to it.

    For small stores made whole (tests, imports): each given table is stored as one file in the
    snapshot and read as it is; tables not given are empty.
    """
    building = begin_snapshot(store_dir)
    try:
        for table, frame in tables.items():
            write_snapshot_table(building, table, frame)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return commit(store_dir, building, {**manifest, "parts": []})


def replace_tables(store_dir: str | Path, replacements: dict, note: str, **manifest_updates) -> dict:
    """A new snapshot with some snapshot tables replaced; parts and the other tables carried over.

    Each replacement is a frame (or Arrow table) of the table's schema, or a function that writes
    the table's file at the path it is given (to stream a large table rather than build it)."""
    manifest = read_manifest(store_dir)
    old = Path(store_dir) / manifest["snapshot"]
    building = begin_snapshot(store_dir)
    try:
        for path in old.glob("*.parquet"):
            if path.stem not in replacements:
                _link_or_copy(path, building / path.name)
        for table, data in replacements.items():
            if callable(data):
                data(building / f"{table}.parquet")
            else:
                write_snapshot_table(building, table, data)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    history = list(manifest.get("history", []))[-19:]
    history.append({"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "note": note})
    return commit(store_dir, building, {**manifest, **manifest_updates, "history": history})


def _link_or_copy(src: Path, dst: Path) -> None:
    # Snapshot files are never modified in place, so a hard link is as good as a copy.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# --- reading -------------------------------------------------------------------------------


def sql_path(path: str | Path) -> str:
    """A file path as a SQL string literal (paths are the store's own, never user text)."""
    return "'" + str(path).replace("'", "''") + "'"


def sql_paths(paths: Iterable[str | Path]) -> str:
    """File paths as a SQL list literal, for read_parquet([...])."""
    return "[" + ", ".join(map(sql_path, paths)) + "]"


def canonical_quote_columns(alias: str = "q", names: str = "m") -> str:
    """The quotes columns with `speaker` as the corpus name: `alias` joined to name_map as `names`."""
    return ", ".join(
        f"coalesce({names}.canonical, {alias}.speaker_name) AS speaker" if c == "speaker" else f"{alias}.{c}"
        for c in SCHEMAS["quotes"].names
    )


def _columns(table: str, absent: Iterable[str] = ()) -> str:
    absent = set(absent)
    return ", ".join(
        f'NULL::{_SQL_TYPES[f.type]} AS "{f.name}"' if f.name in absent else f'"{f.name}"' for f in ALL_SCHEMAS[table]
    )


_SQL_TYPES = {pa.string(): "VARCHAR"}


def read_files(table: str, files: list[str], extra: tuple[str, ...] = ()) -> str:
    """read_parquet over the files, with the table's columns (and the `extra` columns every file has);
    added columns (ADDED_COLUMNS) that files written before them lack are read as null."""
    added = ADDED_COLUMNS.get(table, frozenset())
    more = "".join(f', "{c}"' for c in extra)
    # The parts of one store come from one version of the extraction code (a change to it
    # re-annotates every chunk), so the first and last files stand for all; only when they differ
    # is every footer read (half a millisecond each, a second for a million-article store).
    ends = [files[0], files[-1]] if added else []
    lacking = [added - set(pq.read_schema(file).names) for file in ends]
    if lacking and lacking[0] != lacking[-1]:
        lacking = [added - set(pq.read_schema(file).names) for file in files]
    if not any(lacking):
        return f"SELECT {_columns(table)}{more} FROM read_parquet({sql_paths(files)})"
    if all(lack == lacking[0] for lack in lacking):  # every file lacks the same columns
        return f"SELECT {_columns(table, lacking[0])}{more} FROM read_parquet({sql_paths(files)})"
    # Some files have them, some not: DuckDB matches columns by name and fills the gaps with null.
    return f"SELECT {_columns(table)}{more} FROM read_parquet({sql_paths(files)}, union_by_name = true)"


def _source(con: duckdb.DuckDBPyConnection, table: str, files: list[str]) -> str:
    """SQL for a relation over Parquet files with the table's columns; an empty typed table when none."""
    if files:
        return read_files(table, files)
    empty = f"_empty_{table}"
    con.register(empty, ALL_SCHEMAS[table].empty_table())
    con.execute(f"CREATE OR REPLACE TABLE {empty}_t AS SELECT * FROM {empty}")
    con.unregister(empty)
    return f"SELECT {_columns(table)} FROM {empty}_t"


# DuckDB's memory cap for every connection (commit and dashboard), and where it spills past it.
# Decision: 1 GB. On a 1,000,216-article store a cap of 400 MB made `names` faster (21-26 s at 675
# MiB against 54-63 s at 0.88-1.17 GiB under 600 MB to 1 GB), but the first commit then ran out of
# memory in the topic_entity_counts rollup, whose per-group count(DISTINCT) and mode() could not
# spill. That rollup is now plain GROUP BYs, and every rollup of that store completed under 400 MB
# (peak 598 MiB), but a whole first commit under 400 MB was not re-measured, so the cap stays.
# Spilled data goes to the system's temporary folder, not to the working directory (DuckDB's own
# default), which may be the project or read-only.
DEFAULT_MEMORY = "1GB"


def configure(con: duckdb.DuckDBPyConnection, memory_limit: str | None = None) -> None:
    """Session settings for reading a store: bounded memory (DuckDB spills past it), cached Parquet footers."""
    limit = memory_limit or os.environ.get("NEWSDASH_DUCKDB_MEMORY", DEFAULT_MEMORY)
    con.execute("SET memory_limit = ?", [limit])
    con.execute("SET temp_directory = ?", [os.environ.get("NEWSDASH_DUCKDB_TEMP", _spill_folder())])
    with contextlib.suppress(duckdb.Error):  # an option a DuckDB release may rename; only a speed-up
        con.execute("SET parquet_metadata_cache = true")
    with contextlib.suppress(duckdb.Error):  # a server has no terminal to draw it on
        con.execute("SET enable_progress_bar = false")


def _spill_folder() -> str:
    # One folder per user (DuckDB creates it when it first spills and removes its files after).
    return os.path.join(tempfile.gettempdir(), f"newsdash-duckdb-{os.getuid() if hasattr(os, 'getuid') else 'user'}")


def connect(store_dir: str | Path, manifest: dict | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose views read the current snapshot's Parquet files in place.

    Views: every public table (articles, entities, quotes, ...) plus name_map, speaker_counts and
    entity_counts. Tables the snapshot holds whole are read from its folder; the rest come from
    the parts, with corpus-wide names applied through `name_map`.
    """
    store = Path(store_dir)
    manifest = manifest or read_manifest(store)
    snapshot = store / manifest["snapshot"]
    whole = {p.stem for p in snapshot.glob("*.parquet")}
    con = duckdb.connect(":memory:")
    configure(con)

    def view(name: str, sql: str) -> None:
        con.execute(f"CREATE VIEW {name} AS {sql}")

    def snapshot_table(table: str) -> str:
        files = [str(snapshot / f"{table}.parquet")] if table in whole else []
        return _source(con, table, files)

    def with_dates(rows: str) -> str:
        return (
            f"SELECT x.*, d.date FROM ({rows}) x LEFT JOIN (SELECT article_id, date FROM articles) d USING (article_id)"
        )

    def derived(table: str, sql: str) -> str:
        # A derived file of an older layout (fewer columns) is ignored: computed here it is still right.
        path = snapshot / f"{table}.parquet"
        current = table in whole and _has_columns(path, ALL_SCHEMAS[table])
        return snapshot_table(table) if current else f"SELECT {_columns(table)} FROM ({sql})"

    raw = {t: _source(con, t, _part_files(store, manifest, lambda p, t=t: t)) for t in PART_TABLES}
    raw["articles"] = _source(con, "articles", _part_files(store, manifest, lambda p: p.get("articles")))
    raw["topics"] = _source(con, "topics", _part_files(store, manifest, lambda p: p.get("topics")))
    view("name_map", snapshot_table("name_map"))
    for table in ("rejects", "topic_terms", "discovered"):
        view(table, snapshot_table(table))
    view("articles", snapshot_table("articles") if "articles" in whole else raw["articles"])
    # Rows of the part tables carry their article's date (so a date filter can skip row groups):
    # read from dated segments, else joined from the articles.
    dated = manifest.get("segment_layout") == SEGMENT_LAYOUT and "segments" in manifest
    for table in PART_TABLES:
        if table not in whole and dated and _part_files(store, manifest, lambda p, t=table: t):
            raw[table] = read_files(table, _part_files(store, manifest, lambda p, t=table: t), extra=("date",))
        else:
            raw[table] = with_dates(snapshot_table(table) if table in whole else raw[table])
    for table in ("mentions", "terms", "quote_terms"):
        view(table, raw[table])
    # The lemma lookups' view: the segments' term-sorted copies when every segment has one, else the terms.
    index = _part_files(store, manifest, lambda p: p.get(TERM_INDEX)) if dated and "terms" not in whole else []
    complete = bool(index) and len(index) == len(manifest["segments"])
    view("term_index", read_files("terms", index, extra=("date",)) if complete else "SELECT * FROM terms")
    if "quotes" in whole:
        view("quotes", raw["quotes"])
    else:
        cols = canonical_quote_columns()
        view(
            "quotes", f"SELECT {cols}, q.date FROM ({raw['quotes']}) q LEFT JOIN name_map m ON m.name = q.speaker_name"
        )
    view("entity_merges", derived("entity_merges", ENTITY_MERGES))
    if "entities" in whole:
        view("entities", with_dates(snapshot_table("entities")))
    else:
        # Each mention row renamed by the map is an entity row, except in the few articles where two
        # names become one (entity_merges, written by each commit): only those are grouped.
        named = f"""
            SELECT x.article_id, coalesce(m.canonical, x.name) AS entity, x.label, x.count, x.date
            FROM ({raw["mentions"]}) x LEFT JOIN name_map m ON m.name = x.name"""
        # Written out twice, not as a CTE: DuckDB would materialise a CTE read twice.
        view(
            "entities",
            f"""
            SELECT n.* FROM ({named}) n ANTI JOIN entity_merges g ON g.article_id = n.article_id
            UNION ALL
            SELECT n.article_id, n.entity, n.label, sum(n.count)::INTEGER AS count, n.date
            FROM ({named}) n SEMI JOIN entity_merges g ON g.article_id = n.article_id
            GROUP BY n.article_id, n.entity, n.label, n.date""",
        )
    if "topics" in whole:
        view("topics", snapshot_table("topics"))
    else:
        view("topics", f"{raw['topics']} UNION ALL SELECT {_columns('topics')} FROM discovered")
    if "speakers" in whole:
        view("speakers", snapshot_table("speakers"))
    else:  # a store committed before speaker genders, or written whole: inferred when read
        from dashboard import gender

        view("speakers", gender.speakers_sql(con))
    for table, sql in ROLLUPS.items():
        view(table, derived(table, sql))
    return con


def _has_columns(path: Path, schema: pa.Schema) -> bool:
    try:
        return set(schema.names) <= set(pq.read_schema(path).names)
    except (OSError, pa.ArrowInvalid):
        return False


# Articles where two per-article names (as variant or as target of the map) become one entity.
ENTITY_MERGES = """
    WITH touched AS (SELECT name FROM name_map UNION SELECT canonical FROM name_map)
    SELECT DISTINCT x.article_id FROM mentions x LEFT JOIN name_map m ON m.name = x.name
    WHERE x.name IN (SELECT name FROM touched)
    GROUP BY x.article_id, coalesce(m.canonical, x.name), x.label HAVING count(*) > 1"""

# How each rollup is computed from the views. A commit stores them (small: one row per name, per
# day, per term), so the sidebar and the unfiltered views need not scan the parts. Each groups so
# that sums over its rows are exact: an article has one date, so distinct articles per (date, x)
# add up to distinct articles per (period, x).
TOP_CROSS = 50  # speakers and entities in the cross-tab rollups
TOP_CO_MENTIONS = 200  # co-mentioned entities kept per anchor
TOP_SERIES = 200  # entities with a daily series
TOP_GAPS = 5000  # articles kept in marks_gap_top (a page shows at most 5,000 rows)

# Double quotation marks inside a stored quote's text (alias q), counted as count_quote_marks counts a body.
MARKS_IN_QUOTE = """(length(q.quote) - length(replace(replace(replace(replace(replace(q.quote,
    '``', ''), '\'\'', ''), '"', ''), '“', ''), '”', ''))
    - (length(q.quote) - length(replace(q.quote, '``', ''))) // 2
    - (length(q.quote) - length(replace(q.quote, '\'\'', ''))) // 2)"""

# The top names as the queries rank them (speakers by articles, entities by articles), ties by name.
_TOP_SPEAKERS = f"SELECT speaker FROM speaker_counts ORDER BY articles DESC, speaker LIMIT {TOP_CROSS}"
_TOP_ENTITIES = "SELECT entity FROM entity_counts ORDER BY articles DESC, entity LIMIT {n}"

ROLLUPS = {
    "speaker_counts": """
        SELECT speaker, mode(speaker_kind) AS kind, count(*) AS quotes, count(DISTINCT article_id) AS articles
        FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker""",
    "entity_counts": """
        SELECT entity, mode(label) AS label, count(DISTINCT article_id) AS articles
        FROM entities GROUP BY entity""",
    "entity_label_counts": """
        SELECT *, row_number() OVER (PARTITION BY label ORDER BY articles DESC, mentions DESC, entity) AS rank
        FROM (SELECT entity, label, count(DISTINCT article_id) AS articles, sum(count)::BIGINT AS mentions
              FROM entities GROUP BY entity, label) ORDER BY rank""",
    "daily_counts": """
        SELECT a.date, count(*) AS articles, coalesce(sum(q.n), 0)::BIGINT AS quotes,
               coalesce(sum(q.unattributed), 0)::BIGINT AS unattributed
        FROM articles a
        LEFT JOIN (SELECT article_id, count(*) AS n, count(*) FILTER (WHERE speaker IS NULL) AS unattributed
                   FROM quotes GROUP BY article_id) q
             ON q.article_id = a.article_id
        GROUP BY a.date""",
    "topic_daily": """
        SELECT a.date, t.topic, t.kind, count(DISTINCT t.article_id) AS articles
        FROM topics t JOIN articles a ON a.article_id = t.article_id GROUP BY a.date, t.topic, t.kind""",
    "topic_counts": """
        SELECT topic, min(kind) AS kind, count(DISTINCT article_id) AS articles FROM topics GROUP BY topic""",
    "term_counts": "SELECT term, sum(count)::BIGINT AS count FROM terms GROUP BY term",
    # Per topic, its speakers and entities (the topics page's tables; sorted by topic, so reading
    # one topic's rows skips the others' row groups).
    "topic_speaker_counts": """
        SELECT t.topic, q.speaker, count(*) AS quotes, count(DISTINCT q.article_id) AS articles
        FROM quotes q JOIN topics t ON t.article_id = q.article_id WHERE q.speaker IS NOT NULL
        GROUP BY t.topic, q.speaker ORDER BY t.topic""",
    "topic_entity_counts": """
        -- Plain GROUP BYs only (per article first, then per topic and entity): DuckDB spills them past
        -- its memory cap, while a per-group count(DISTINCT) or mode() over a million articles' tags
        -- and entities ran out of memory under 400 MB. The label is a most frequent one, as mode() gives.
        WITH te AS (SELECT t.topic, e.entity, e.label, e.article_id, e.count
                    FROM entities e JOIN topics t ON t.article_id = e.article_id),
             per_article AS (SELECT topic, entity, article_id, sum(count) AS mentions FROM te GROUP BY ALL),
             labels AS (SELECT topic, entity, label, count(*) AS n FROM te GROUP BY ALL),
             best AS (SELECT topic, entity, arg_max(label, n) AS label FROM labels GROUP BY ALL)
        SELECT p.topic, p.entity, any_value(b.label) AS label, count(*) AS articles, sum(p.mentions)::BIGINT AS mentions
        FROM per_article p JOIN best b USING (topic, entity)
        GROUP BY p.topic, p.entity ORDER BY p.topic""",
    # Person quotes per day, outlet and gender (the gender page's shares).
    "gender_daily": """
        SELECT a.date, a.source, s.gender, count(*) AS quotes
        FROM quotes q JOIN articles a ON a.article_id = q.article_id JOIN speakers s ON s.speaker = q.speaker
        WHERE s.gender IS NOT NULL GROUP BY a.date, a.source, s.gender""",
    # Per outlet (source as stored, null included): its totals, speakers and entities.
    "source_counts": """
        WITH qs AS (SELECT a.source, count(*) AS quotes, count(DISTINCT q.speaker) AS speakers
                    FROM quotes q JOIN articles a ON a.article_id = q.article_id GROUP BY a.source)
        SELECT a.source, count(*) AS articles, coalesce(any_value(qs.quotes), 0) AS quotes,
               coalesce(any_value(qs.speakers), 0) AS speakers, min(a.date) AS first, max(a.date) AS last
        FROM articles a LEFT JOIN qs ON qs.source IS NOT DISTINCT FROM a.source GROUP BY a.source""",
    "source_speaker_counts": """
        SELECT *, row_number() OVER (PARTITION BY source ORDER BY quotes DESC, articles DESC, speaker) AS rank
        FROM (SELECT a.source, q.speaker, mode(q.speaker_kind) AS kind, count(*) AS quotes,
                     count(DISTINCT q.article_id) AS articles
              FROM quotes q JOIN articles a ON a.article_id = q.article_id WHERE q.speaker IS NOT NULL
              GROUP BY a.source, q.speaker) ORDER BY rank""",
    "source_entity_counts": """
        SELECT *, row_number() OVER (PARTITION BY source ORDER BY articles DESC, mentions DESC, entity, label) AS rank
        FROM (SELECT a.source, e.entity, e.label, count(DISTINCT e.article_id) AS articles,
                     sum(e.count)::BIGINT AS mentions
              FROM entities e JOIN articles a ON a.article_id = e.article_id GROUP BY a.source, e.entity, e.label)
        ORDER BY rank""",
    "speaker_entity_top": f"""
        WITH fq AS (SELECT DISTINCT q.article_id, q.speaker FROM quotes q SEMI JOIN ({_TOP_SPEAKERS}) t USING (speaker)),
             fe AS (SELECT DISTINCT e.article_id, e.entity FROM entities e SEMI JOIN fq USING (article_id))
        SELECT fq.speaker, fe.entity, count(*) AS articles FROM fq JOIN fe USING (article_id)
        WHERE fe.entity <> fq.speaker GROUP BY fq.speaker, fe.entity ORDER BY fq.speaker""",
    "entity_pair_top": f"""
        WITH te AS (SELECT DISTINCT e.article_id, e.entity FROM entities e
                    SEMI JOIN ({_TOP_ENTITIES.format(n=TOP_CROSS)}) t USING (entity))
        SELECT x.entity AS entity_a, y.entity AS entity_b, count(*) AS articles
        FROM te x JOIN te y ON x.article_id = y.article_id AND x.entity <> y.entity GROUP BY x.entity, y.entity""",
    "co_mention_top": f"""
        WITH anchor AS (SELECT DISTINCT e.article_id, e.entity AS anchor FROM entities e
                        SEMI JOIN ({_TOP_ENTITIES.format(n=TOP_CROSS)}) t USING (entity))
        SELECT * FROM (
            SELECT *, row_number() OVER (PARTITION BY anchor ORDER BY articles DESC, entity) AS rank
            FROM (SELECT anchor.anchor, o.entity, mode(o.label) AS label, count(DISTINCT o.article_id) AS articles
                  FROM entities o JOIN anchor ON anchor.article_id = o.article_id WHERE o.entity <> anchor.anchor
                  GROUP BY anchor.anchor, o.entity))
        WHERE rank <= {TOP_CO_MENTIONS} ORDER BY anchor, rank""",
    "entity_daily_top": f"""
        SELECT a.date, e.entity, count(DISTINCT e.article_id) AS articles, sum(e.count)::BIGINT AS mentions
        FROM entities e SEMI JOIN ({_TOP_ENTITIES.format(n=TOP_SERIES)}) t USING (entity)
        JOIN articles a ON a.article_id = e.article_id
        WHERE a.date IS NOT NULL GROUP BY a.date, e.entity ORDER BY e.entity, a.date""",
    "speaker_daily_top": f"""
        SELECT q.date, q.speaker, count(*) AS quotes
        FROM quotes q SEMI JOIN (SELECT speaker FROM speaker_counts ORDER BY quotes DESC, speaker LIMIT {TOP_SERIES}) t
             USING (speaker)
        WHERE q.date IS NOT NULL GROUP BY q.date, q.speaker ORDER BY q.speaker, q.date""",
    "speaker_articles": """
        SELECT speaker, article_id, any_value(date) AS date, count(*) AS quotes
        FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker, article_id ORDER BY speaker, date, article_id""",
    "topic_articles": """
        SELECT t.topic, t.kind, t.article_id, a.date, t.score
        FROM topics t LEFT JOIN articles a ON a.article_id = t.article_id ORDER BY t.topic, a.date, t.article_id""",
    "quote_facets": """
        SELECT a.source, q.kind, q.rule, q.resolved_by, q.speaker_kind, count(*) AS quotes,
               count(*) FILTER (WHERE q.speaker IS NULL) AS unattributed
        FROM quotes q JOIN articles a ON a.article_id = q.article_id GROUP BY ALL""",
    "source_health": f"""
        WITH per_quote AS (
                 SELECT q.article_id, q.speaker IS NULL AS unattributed,
                        CASE WHEN q.kind = 'direct' AND q.rule NOT LIKE '%partial' THEN 1 ELSE 0 END
                          + {MARKS_IN_QUOTE} // 2 AS pairs
                 FROM quotes q),
             per_article AS (
                 SELECT a.source, a.quote_marks, a.quote_marks // 2 AS quote_pairs,
                        least(a.quote_marks // 2, coalesce(sum(pq.pairs), 0)) AS pairs_quoted,
                        count(pq.article_id) AS quotes, count(*) FILTER (WHERE pq.unattributed) AS unattributed
                 FROM articles a LEFT JOIN per_quote pq ON pq.article_id = a.article_id
                 GROUP BY a.article_id, a.source, a.quote_marks)
        SELECT source, count(*) AS articles, coalesce(sum(quote_marks), 0)::BIGINT AS quote_marks,
               coalesce(sum(quote_pairs), 0)::BIGINT AS quote_pairs, coalesce(sum(pairs_quoted), 0)::BIGINT AS pairs_quoted,
               sum(quotes)::BIGINT AS quotes, sum(unattributed)::BIGINT AS unattributed
        FROM per_article GROUP BY source""",
    "marks_gap_top": f"""
        WITH q AS (SELECT article_id, count(*) FILTER (WHERE kind = 'direct') AS direct,
                          count(*) FILTER (WHERE speaker IS NULL) AS unattributed
                   FROM quotes GROUP BY article_id)
        SELECT a.date, a.title, a.source, (a.quote_marks // 2)::BIGINT AS quote_pairs, coalesce(q.direct, 0) AS direct,
               coalesce(q.unattributed, 0) AS unattributed,
               (a.quote_marks // 2 - coalesce(q.direct, 0))::BIGINT AS gap, a.article_id
        FROM articles a LEFT JOIN q ON q.article_id = a.article_id
        ORDER BY gap DESC, a.date DESC NULLS LAST, a.article_id LIMIT {TOP_GAPS}""",
}


def read_table(store_dir: str | Path, table: str, manifest: dict | None = None) -> pd.DataFrame:
    """One table of the current snapshot as a DataFrame (for small stores, tests and tools).

    The dashboard never calls this: it queries the views of `connect`.
    """
    if table not in ALL_SCHEMAS:
        raise ValueError(f"no table {table!r} in the store schema")
    try:
        con = connect(store_dir, manifest)
        arrow = con.sql(f"SELECT * FROM {table}").to_arrow_table()
    except (duckdb.Error, OSError) as err:
        raise StoreError(f"Table {table} of {store_dir} cannot be read ({err}); re-run preprocess.") from err
    return to_arrow(table, arrow).to_pandas()

"""The store: Parquet tables in snapshot folders, and `manifest.json` naming the current one.

A write builds a complete new snapshot folder, then replaces `manifest.json` atomically
(`os.replace`), so a run killed at any point leaves the previous store readable.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
SCHEMA_VERSION = 1

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
        [
            ("article_id", pa.string()),
            ("name", pa.string()),
            ("label", pa.string()),
            ("count", pa.int32()),
        ]
    ),
    "entities": pa.schema(
        [
            ("article_id", pa.string()),
            ("entity", pa.string()),
            ("label", pa.string()),
            ("count", pa.int32()),
        ]
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
        [
            ("article_id", pa.string()),
            ("quote_index", pa.int32()),
            ("term", pa.string()),
            ("count", pa.int32()),
        ]
    ),
    "rejects": pa.schema([("file", pa.string()), ("where", pa.string()), ("reason", pa.string())]),
}


class StoreError(RuntimeError):
    """The store is missing, incomplete or unreadable; the message says which and what to do."""


def empty_frame(table: str) -> pd.DataFrame:
    """A frame with the table's columns and no rows."""
    return SCHEMAS[table].empty_table().to_pandas()


def _to_arrow(table: str, frame: pd.DataFrame) -> pa.Table:
    schema = SCHEMAS[table]
    missing = [f.name for f in schema if f.name not in frame.columns]
    if missing:
        raise ValueError(f"table {table!r} lacks column(s) {missing}")
    return pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)


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


def table_path(store_dir: str | Path, table: str, manifest: dict | None = None) -> Path:
    """Path of one table's Parquet file in the current snapshot."""
    manifest = manifest or read_manifest(store_dir)
    return Path(store_dir) / manifest["snapshot"] / f"{table}.parquet"


def read_table(store_dir: str | Path, table: str, manifest: dict | None = None) -> pd.DataFrame:
    """One table of the current snapshot as a DataFrame (empty with its columns if absent)."""
    path = table_path(store_dir, table, manifest)
    if not path.exists():
        return empty_frame(table)
    try:
        return pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException) as err:
        raise StoreError(f"Table {path} cannot be read ({err}); re-run preprocess.") from err


def write_snapshot(store_dir: str | Path, tables: dict[str, pd.DataFrame], manifest: dict) -> dict:
    """Write all tables as a new snapshot, then switch the manifest to it atomically."""
    store = Path(store_dir)
    store.mkdir(parents=True, exist_ok=True)
    name = f"snapshot-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    building = store / f".{name}.partial"
    building.mkdir()
    try:
        for table, frame in tables.items():
            pq.write_table(_to_arrow(table, frame), building / f"{table}.parquet", compression="zstd")
        building.rename(store / name)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    manifest = {
        **manifest,
        "schema_version": SCHEMA_VERSION,
        "snapshot": name,
        "rows": {table: len(frame) for table, frame in tables.items()},
    }
    _replace_manifest(store, manifest)
    _remove_old_snapshots(store, keep=name)
    return manifest


def _replace_manifest(store: Path, manifest: dict) -> None:
    tmp = store / f".{MANIFEST}.{uuid.uuid4().hex[:6]}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, default=str)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, store / MANIFEST)


def _remove_old_snapshots(store: Path, keep: str) -> None:
    # A dashboard process may still be reading the previous snapshot; it holds its tables in
    # memory (see connect), so older folders can go. Leftovers of killed runs go too.
    for path in store.iterdir():
        if (
            path.is_dir()
            and path.name != keep
            and (path.name.startswith("snapshot-") or path.name.endswith(".partial"))
        ):
            shutil.rmtree(path, ignore_errors=True)


def replace_tables(store_dir: str | Path, replacements: dict[str, pd.DataFrame], note: str, **manifest_updates) -> dict:
    """Write a new snapshot with some tables replaced and the rest carried over unchanged."""
    manifest = read_manifest(store_dir)
    tables = {table: read_table(store_dir, table, manifest) for table in manifest.get("rows", {})}
    tables.update(replacements)
    history = list(manifest.get("history", []))[-19:]
    history.append({"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "note": note})
    return write_snapshot(store_dir, tables, {**manifest, **manifest_updates, "history": history})


def connect(store_dir: str | Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the current snapshot's tables.

    Loading into memory (a fraction of a second for 19,000 articles) makes queries independent of
    later snapshot swaps and keeps repeated dashboard queries fast.
    """
    manifest = read_manifest(store_dir)
    con = duckdb.connect(":memory:")
    for table in SCHEMAS:
        path = table_path(store_dir, table, manifest)
        if path.exists():
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet(?)", [str(path)])
        else:
            con.register(
                f"_{table}_empty", pa.Table.from_pandas(empty_frame(table), schema=SCHEMAS[table], preserve_index=False)
            )
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM _{table}_empty")
            con.unregister(f"_{table}_empty")
    return con

"""Where workers write chunk parts: a local (or shared, mounted) folder, or an fsspec URL.

A local folder gets the store's atomic folder rename. On an fsspec location (`s3://...`,
`gcs://...`, `file://...`) there is no rename to rely on, so a chunk counts as done only once its
`_SUCCESS` marker, written after every table, exists; the client then copies the chunk into the
store's own `parts/` folder (again atomically) before committing a snapshot that reads it.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import store


def is_url(root: str) -> bool:
    """True for an fsspec URL (`scheme://...`), False for a plain path."""
    return "://" in str(root)


def _fs(root: str):
    import fsspec

    fs, path = fsspec.core.url_to_fs(root)
    return fs, path.rstrip("/")


def done(root: str, chunk: str) -> bool:
    """True when the chunk's part under `root` is complete."""
    if not is_url(root):
        return store.part_done(root, chunk)
    fs, path = _fs(root)
    return fs.exists(f"{path}/{chunk}/{store.DONE}")


def write(root: str, chunk: str, tables: Mapping[str, pa.Table]) -> None:
    """Write a chunk's tables under `root`, the completion marker last."""
    if not is_url(root):
        store.write_part(root, chunk, tables)
        return
    fs, path = _fs(root)
    folder = f"{path}/{chunk}"
    fs.makedirs(folder, exist_ok=True)
    for stem, table in tables.items():
        with fs.open(f"{folder}/{stem}.parquet", "wb") as handle:
            pq.write_table(table, handle, compression="zstd")
    with fs.open(f"{folder}/{store.DONE}", "wb") as handle:
        handle.write(b"")


def fetch(root: str, chunk: str, store_dir: str | Path) -> None:
    """Make a chunk written under `root` part of the store's own parts folder (a no-op when it is)."""
    local = store.parts_dir(store_dir)
    if not is_url(root) and Path(root).resolve() == local.resolve():
        return
    if store.part_done(local, chunk):
        return
    with store.building_part(local, chunk) as building:
        if is_url(root):
            fs, path = _fs(root)
            for remote in fs.ls(f"{path}/{chunk}", detail=False):
                name = remote.rstrip("/").rsplit("/", 1)[-1]
                if name != store.DONE:
                    fs.get(remote, str(building / name))
        else:
            for file in (Path(root) / chunk).iterdir():
                if file.name != store.DONE:
                    shutil.copy2(file, building / file.name)


def assemble(local_root: Path, chunk: str, sources: list[tuple[Path, list[str] | None]], versioned: list[str]) -> None:
    """Make part `chunk` from rows of other parts: each source is (part folder, article ids or None for all).

    For a chunk whose articles were mostly annotated before, in other chunks: their rows are copied,
    not annotated again. Each `versioned` file (topics, vectors) comes along only when every source
    has it (else the commit re-tags the chunk from its terms, embedding its text if need be).
    """
    import duckdb

    if store.part_done(local_root, chunk):
        return
    con = duckdb.connect(":memory:")
    store.configure(con)
    stems = [*store.PART_TABLES]
    stems += [stem for stem in versioned if all((folder / f"{stem}.parquet").is_file() for folder, _ in sources)]
    # Articles whose annotation failed come along from the sources that list them (only fresh ones do).
    stems += ["failed"] if any((folder / "failed.parquet").is_file() for folder, _ in sources) else []
    with store.building_part(local_root, chunk) as building:
        for stem in stems:
            table = stem.split("-")[0]
            selects = []
            for i, (folder, ids) in enumerate(sources):
                if stem == "failed" and not (folder / "failed.parquet").is_file():
                    continue
                path = store.sql_path(folder / f"{stem}.parquet")
                if ids is None:
                    selects.append(f"SELECT * FROM read_parquet({path})")
                else:
                    con.register(f"ids_{i}", pa.table({"article_id": pa.array(ids, pa.string())}))
                    selects.append(f"SELECT * FROM read_parquet({path}) SEMI JOIN ids_{i} USING (article_id)")
            rows = con.sql(" UNION ALL ".join(selects)).to_arrow_table()
            pq.write_table(store.to_arrow(table, rows), building / f"{stem}.parquet", compression="zstd")

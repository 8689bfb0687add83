"""Build a large store from a real one by replication, for measuring the dashboard and the commit at scale.

    python bench/make_large_store.py SRC DST COPIES

Copy k (0 .. COPIES-1) of every article gets a new id (k = 0 keeps the original) and its date moved
k years on. Names seen fewer than 3 times in the source (as a mention or a speaker) get a per-copy
suffix ("Jo Park" -> "Jo Park Q7"), so the long tail of rare names grows with the corpus as it does
in real news, while frequent names stay shared. Every other value is copied as annotated.

The copy has the layout preprocessing writes: one part per source part and copy, then the same
corpus-wide commit (name map, rollups, counts in DuckDB SQL) a real run ends with, whose time is
printed: it is what a re-run of a store this size costs besides annotating what is new.
53 copies of the Reuters store give about 1.0 M articles.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import corpus, store  # noqa: E402

RARE_BELOW = 3


def _q(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def replicate(src: Path, dst: Path, copies: int) -> dict:
    """Write the replicated parts of `src` into `dst` and commit them; return the manifest."""
    manifest = store.read_manifest(src)
    parts = manifest.get("parts", [])
    if not parts:
        raise SystemExit(f"{src} holds no parts: build it with `python -m dashboard preprocess` first")
    if (dst / store.MANIFEST).exists():
        raise SystemExit(f"{dst} already holds a store; choose an empty folder")
    con = store.connect(src, manifest)
    # Raw per-article names: the name map of the copy is computed afresh, as a run would.
    con.execute(f"""
        CREATE TABLE rare AS SELECT name FROM (
            SELECT name FROM mentions UNION ALL SELECT speaker_name FROM quotes WHERE speaker_name IS NOT NULL
        ) GROUP BY name HAVING count(*) < {RARE_BELOW}""")
    con.execute("""
        CREATE MACRO nid(id, k) AS CASE WHEN k = 0 THEN id ELSE substr(md5(id || '/' || k::VARCHAR), 1, 16) END""")
    root = store.parts_dir(dst)
    root.mkdir(parents=True)
    new_parts = []
    started = time.perf_counter()
    for k in range(copies):
        for part in parts:
            chunk = f"{part['chunk']}k{k:03d}"
            source, target = store.parts_dir(src) / part["chunk"], root / f".{chunk}.partial"
            target.mkdir()

            def copy(stem: str, select: str, source=source, target=target) -> None:
                sql = select.format(src=_q(source / f"{stem}.parquet"))
                con.execute(f"COPY ({sql}) TO {_q(target / f'{stem}.parquet')} (FORMAT parquet, COMPRESSION zstd)")

            renamed = "CASE WHEN {k} > 0 AND r.name IS NOT NULL THEN {col} || ' Q{k}' ELSE {col} END"
            copy(
                part["articles"],
                f"SELECT * REPLACE (nid(article_id, {k}) AS article_id, "
                f"(date + INTERVAL ({k}) YEAR)::DATE AS date) FROM read_parquet({{src}})",
            )
            copy(
                "mentions",
                f"SELECT nid(m.article_id, {k}) AS article_id, {renamed.format(k=k, col='m.name')} AS name, "
                "m.label, m.count FROM read_parquet({src}) m LEFT JOIN rare r ON r.name = m.name",
            )
            speaker = renamed.format(k=k, col="q.speaker_name")
            copy(
                "quotes",
                f"SELECT q.* REPLACE (nid(q.article_id, {k}) AS article_id, {speaker} AS speaker, "
                f"{speaker} AS speaker_name) FROM read_parquet({{src}}) q LEFT JOIN rare r ON r.name = q.speaker_name",
            )
            extra = filter(None, [part.get("vectors"), part.get("plain_topics")])
            for stem in ("terms", "quote_terms", part["topics"], *extra):
                copy(stem, f"SELECT * REPLACE (nid(article_id, {k}) AS article_id) FROM read_parquet({{src}})")
            (target / store.DONE).write_text("", encoding="utf-8")
            target.rename(root / chunk)
            new_parts.append({**part, "chunk": chunk})
        done = (k + 1) * sum(p["n"] for p in parts)
        print(f"copy {k + 1}/{copies}: {done:,} articles, {time.perf_counter() - started:.0f} s", flush=True)
    building = store.begin_snapshot(dst)
    commit_started = time.perf_counter()
    # The copies keep the source's tags, so they keep its topic prototypes too (a refit can use
    # the copied tags made without them).
    fields = ("model", "model_package", "rules_version", "taxonomy_version", "topic_prototypes")
    made = {key: manifest[key] for key in fields if key in manifest}
    made.update(parts=new_parts, inputs=[f"{src} x {copies}"], replicated_from=str(src), copies=copies)
    result = corpus.finish(dst, building, made, None)
    print(f"commit (name map, rollups, counts over the whole store): {time.perf_counter() - commit_started:.1f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build the store, print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path, help="a store made by preprocess")
    parser.add_argument("dst", type=Path, help="an empty or new folder")
    parser.add_argument("copies", type=int, help="how many copies of each article (>= 1)")
    args = parser.parse_args(argv)
    if args.copies < 1:
        parser.error("COPIES must be at least 1")
    manifest = replicate(args.src, args.dst, args.copies)
    c, rows = manifest["counts"], manifest["rows"]
    print(
        f"{args.dst}: {c['articles']:,} articles, {c['quotes']:,} quotes, {c['speakers']:,} speakers, "
        f"{c['entities']:,} entities, {rows['terms']:,} term rows, {len(manifest['parts']):,} parts"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

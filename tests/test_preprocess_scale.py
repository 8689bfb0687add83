"""Preprocessing at scale, on small real inputs: chunked parts, resume after SIGKILL, reuse, Dask.

Every test runs the real model on a few dozen Reuters articles (linked from ../shared, never
copied into the project) with small chunks, so the behaviour of a million-article run shows in
seconds.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from dashboard import preprocess, store
from tests.conftest import ROOT

ARTICLES = 48
CHUNK = 6  # articles per chunk on average: several parts even for a small corpus


@pytest.fixture
def reuters(corpora, tmp_path):
    """A folder of links to the first ARTICLES Reuters articles, in corpus order."""
    source = corpora / "reuters-1987" / "articles"
    folder = tmp_path / "in"
    folder.mkdir()
    for path in sorted(source.iterdir())[:ARTICLES]:
        (folder / path.name).symlink_to(path)
    return folder


def _part_files(out):
    """{part folder: {file name: inode}} of a store."""
    root = store.parts_dir(out)
    return {p.name: {f.name: f.stat().st_ino for f in p.iterdir()} for p in root.iterdir() if p.is_dir()}


def _table(out, table):
    keys = [c for c in store.SCHEMAS[table].names if c != "score"]
    return store.read_table(out, table)[keys].sort_values(keys).reset_index(drop=True)


def test_a_run_writes_one_part_per_chunk_and_an_unchanged_rerun_writes_none(reuters, tmp_path):
    out = tmp_path / "store"
    first = preprocess.preprocess([reuters], out, chunk_articles=CHUNK)
    stored = first["counts"]["articles"]
    assert stored + first["counts"]["rejects"] == ARTICLES and first["counts"]["annotated"] == stored
    parts = _part_files(out)
    assert len(first["parts"]) == len(parts) >= 4
    assert sum(p["n"] for p in first["parts"]) == stored
    again = preprocess.preprocess([reuters], out, chunk_articles=CHUNK)
    assert (again["counts"]["annotated"], again["counts"]["reused"]) == (0, stored)
    assert _part_files(out) == parts  # the same files, not rewritten copies


def _segment_files(out):
    root = out / store.SEGMENTS
    return {p.name: {f.name: f.stat().st_ino for f in p.iterdir()} for p in root.iterdir() if p.is_dir()}


def test_one_new_article_annotates_it_alone_and_adds_one_part(reuters, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "SEGMENT_CHUNKS", 2)  # several segments from a few parts
    out = tmp_path / "store"
    first = preprocess.preprocess([reuters], out, chunk_articles=CHUNK)
    before = _part_files(out)
    segments_before = _segment_files(out)
    assert len(first["segments"]) == len(segments_before) >= 3
    (reuters / "zz_new.txt").write_text(
        'date 1987-03-02 Port strike ends\n\n"We are back at work," union leader Maria Costa said on Monday.\n',
        encoding="utf-8",
    )
    second = preprocess.preprocess([reuters], out, chunk_articles=CHUNK)
    assert (second["counts"]["annotated"], second["counts"]["reused"]) == (1, first["counts"]["articles"])
    after = {p["chunk"] for p in second["parts"]}
    unchanged = [chunk for chunk in after if chunk in before]
    # Only the last chunk took the new article; every other part is read as it was.
    assert len(after - set(before)) == 1 and len(unchanged) == len(first["parts"]) - 1
    assert all(_part_files(out)[chunk] == before[chunk] for chunk in unchanged)
    # The segments the dashboard reads: only the one holding the changed chunk is written again (two
    # when the new chunk moves a segment boundary); the others are the same files.
    segments_after = _segment_files(out)
    kept = [name for name in segments_after if segments_before.get(name) == segments_after[name]]
    assert len(segments_after) - len(kept) <= 2 and len(kept) >= len(segments_before) - 2
    quotes = store.read_table(out, "quotes")
    new = quotes[quotes["quote"].str.contains("back at work")]
    assert new[["speaker", "kind"]].values.tolist() == [["Maria Costa", "direct"]]


def test_a_killed_run_resumes_from_the_chunks_it_finished(reuters, tmp_path):
    out = tmp_path / "store"
    command = [sys.executable, "-m", "dashboard", "preprocess", str(reuters), "--out", str(out)]
    child = subprocess.Popen(
        [*command, "--chunk-articles", str(CHUNK), "--no-progress"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    root = store.parts_dir(out)
    try:
        deadline = time.time() + 120
        while not (root.is_dir() and sum(1 for p in root.iterdir() if (p / store.DONE).exists()) >= 3):
            assert time.time() < deadline and child.poll() is None, "the run finished or stalled before the kill"
            time.sleep(0.05)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert not (out / store.MANIFEST).exists()  # killed before its first commit: no store yet
    # Articles of the finished chunks whose article files were written before the kill.
    finished = [p for p in root.iterdir() if (p / store.DONE).exists() and list(p.glob("articles-*.parquet"))]
    import pyarrow.parquet as pq

    done = sum(pq.read_metadata(next(p.glob("articles-*.parquet"))).num_rows for p in finished)
    assert done >= 1

    resumed = preprocess.preprocess([reuters], out, chunk_articles=CHUNK)
    counts = resumed["counts"]
    assert counts["reused"] >= done and counts["annotated"] <= counts["articles"] - done
    # The resumed store holds exactly what an uninterrupted run gives.
    clean = tmp_path / "clean"
    preprocess.preprocess([reuters], clean, chunk_articles=CHUNK)
    for table in ("articles", "quotes", "entities", "topics", "terms"):
        assert _table(out, table).equals(_table(clean, table)), table


def test_a_dask_cluster_gives_the_same_store_as_a_local_run(reuters, tmp_path):
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local"
    preprocess.preprocess([reuters], local, chunk_articles=CHUNK)
    shared = tmp_path / "shared-parts"
    # A loaded 2-core machine can take long to start two worker processes: be patient, not flaky.
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "120s", "distributed.nanny.startup-timeout": "120s"}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, timeout=120
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        # Workers write to a location of their own (an fsspec URL), the client commits.
        made = preprocess.preprocess(
            [reuters], tmp_path / "dask", chunk_articles=CHUNK, scheduler=client, shared=shared.as_uri()
        )
        workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
    assert len(workers) == 2 and made["timings"]["workers"] == "dask"
    same = ("articles", "quotes", "speakers", "entities", "words", "annotated")
    assert {k: made["counts"][k] for k in same} == {k: store.read_manifest(local)["counts"][k] for k in same}
    assert [p["chunk"] for p in made["parts"]] == [p["chunk"] for p in store.read_manifest(local)["parts"]]
    for table in store.SCHEMAS:
        assert _table(tmp_path / "dask", table).equals(_table(local, table)), table
    assert any(shared.iterdir())  # the workers really wrote there


def test_make_large_store_replicates_articles_and_grows_the_long_tail(reuters, tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from make_large_store import replicate

    from dashboard.nlp.topics import default_taxonomy_path

    small = tmp_path / "small"
    small.mkdir()
    shipped = default_taxonomy_path().read_text(encoding="utf-8")  # prototypes even for a few articles:
    (small / "taxonomy.toml").write_text(shipped.replace("[settings]\n", "[settings]\ncorpus_min_articles = 2\n"))
    made = preprocess.preprocess([reuters], small, chunk_articles=CHUNK)
    big = replicate(small, tmp_path / "big", 3)
    n = made["counts"]["articles"]
    # The copies keep the source's tags and so its topic prototypes, and the tags made without
    # them, which a refit reads.
    assert made["topic_prototypes"] and big["topic_prototypes"] == made["topic_prototypes"]
    assert all(
        (store.parts_dir(tmp_path / "big") / p["chunk"] / f"{p['plain_topics']}.parquet").is_file()
        for p in big["parts"]
    )
    assert big["counts"]["articles"] == 3 * n and len(big["parts"]) == 3 * len(made["parts"])
    con = store.connect(tmp_path / "big")
    assert con.execute("SELECT count(DISTINCT article_id) FROM articles").fetchone() == (3 * n,)
    # The same text three times, k years apart.
    years = con.execute(
        "SELECT list(year(date) ORDER BY date) FROM articles GROUP BY text ORDER BY min(article_id) LIMIT 1"
    ).fetchone()[0]
    assert years == [1987, 1988, 1989]
    # A name seen once in the source is a different name in each copy; a frequent one is shared.
    source = store.connect(small)
    # Seen as often as a mention or as a speaker: once is rare, the most seen is common.
    rare, common = source.execute("""
        WITH seen AS (SELECT name, count(*) AS n FROM (
            SELECT name FROM mentions UNION ALL SELECT speaker_name FROM quotes WHERE speaker_name IS NOT NULL
        ) GROUP BY name)
        SELECT min(name) FILTER (WHERE n = 1 AND name IN (SELECT name FROM mentions)), arg_max(name, n) FROM seen
    """).fetchone()
    names = dict(
        con.execute("SELECT name, count(*) FROM mentions WHERE name LIKE ? || '%' GROUP BY name", [rare]).fetchall()
    )
    assert names == {rare: 1, f"{rare} Q1": 1, f"{rare} Q2": 1}
    assert (
        con.execute("SELECT count(*) FROM mentions WHERE name = ?", [common]).fetchone()[0]
        == 3 * source.execute("SELECT count(*) FROM mentions WHERE name = ?", [common]).fetchone()[0]
    )


@pytest.fixture
def spread(corpora, tmp_path):
    """Links to 36 Reuters articles taken across the whole corpus (many dates), in reverse order."""
    paths = sorted((corpora / "reuters-1987" / "articles").iterdir())
    folder = tmp_path / "spread"
    folder.mkdir()
    for i, path in enumerate(reversed(paths[:: len(paths) // 36][:36])):
        (folder / f"{i:02d}_{path.name}").symlink_to(path)
    return folder


def test_segments_keep_rows_in_date_order_so_a_date_filter_skips_row_groups(spread, tmp_path, monkeypatch):
    import json

    import duckdb
    import pyarrow.parquet as pq

    from dashboard import queries
    from dashboard.filters import Filters

    # DuckDB writes row groups of 2,048 rows at the least: the terms files get several.
    monkeypatch.setattr(store, "SEGMENT_ROW_GROUP", dict.fromkeys(store.SEGMENT_ROW_GROUP, 2048))
    out = tmp_path / "store"
    manifest = preprocess.preprocess([spread], out, chunk_articles=CHUNK)
    assert manifest["segment_layout"] == store.SEGMENT_LAYOUT
    con = duckdb.connect()
    for table in store.PART_TABLES:
        for segment in manifest["segments"]:
            path = out / store.SEGMENTS / segment["segment"] / f"{table}.parquet"
            meta = pq.ParquetFile(path).metadata
            column = meta.schema.names.index("date")
            spans = [
                (meta.row_group(i).column(column).statistics.min, meta.row_group(i).column(column).statistics.max)
                for i in range(meta.num_row_groups)
            ]
            # Sorted: each row group's dates start where the previous one's end.
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), (table, spans)
        # Every row carries its own article's date.
        wrong = con.execute(
            f"""SELECT count(*) FROM read_parquet('{out}/{store.SEGMENTS}/*/{table}.parquet') x
            JOIN read_parquet('{out}/{store.SEGMENTS}/*/articles-*.parquet') a USING (article_id)
            WHERE x.date IS DISTINCT FROM a.date"""
        ).fetchone()[0]
        assert wrong == 0, table
    dates = sorted(store.read_table(out, "articles")["date"].unique())
    assert len(dates) >= 10
    f = Filters(start=dates[3], end=dates[6])
    # Counted here from the public tables: the quotes and term rows of the articles of those days,
    # both ends included.
    articles, quotes, terms = (store.read_table(out, t) for t in ("articles", "quotes", "terms"))
    inside = set(articles[(articles["date"] >= f.start) & (articles["date"] <= f.end)]["article_id"])
    on_the_last_day = set(articles[articles["date"] == f.end]["article_id"])
    assert quotes["article_id"].isin(on_the_last_day).any()
    expected = queries.counts(store.connect(out), f)
    assert expected["quotes"].iloc[0] == quotes["article_id"].isin(inside).sum()
    term_sum = queries.term_frequencies(store.connect(out), f, None)["count"].sum()
    assert term_sum == terms[terms["article_id"].isin(inside)]["count"].sum()
    # The dated rows and the rows dated through a join with the articles (a store of an older
    # layout) give the same answers.
    dated = store.connect(out)
    older = {k: v for k, v in json.loads((out / store.MANIFEST).read_text()).items() if k != "segment_layout"}
    joined = store.connect(out, older)
    for query in (queries.top_speakers, queries.top_entities, queries.term_frequencies, queries.counts):
        expected = query(joined, f)
        assert not expected.empty
        assert query(dated, f).equals(expected), query.__name__
    # The dated store reads the chosen day's row groups only.
    plan = dated.execute("EXPLAIN ANALYZE SELECT count(*) FROM terms WHERE date = ?", [dates[3]]).fetchall()[0][1]
    read, total = max(
        ((int(a), int(b)) for a, b in re.findall(r"Row Groups Scanned: (\d+) / (\d+)", plan)), key=lambda x: x[1]
    )
    assert total >= 2 and 0 < read < total, plan

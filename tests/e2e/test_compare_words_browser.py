"""Compare and Word over time in a real headless Chromium, on a store of two outlets.

The store is built by the real preprocess from a Reuters 1987 sample (`--source Reuters`) and AG News
items (whose CSV names its own outlet), so each part meets more than one source. A comparison is
opened from a copied address in a fresh tab; a phrase is typed and its uses downloaded; both are
checked against direct DuckDB queries of the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard import comparison, store
from dashboard.filters import Filters
from tests.e2e.conftest import ROOT, start_server, stop_server
from tests.e2e.test_dashboard_browser import (
    assert_no_exception,
    open_page,
    page,  # noqa: F401 - the tab fixture: no dialogs, screenshot on failure
    screenshot,
    settle,
    wait_for_caption,
)

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is in requirements-test.txt").expect

REUTERS_SAMPLE, AG_ITEMS = 80, 60


@pytest.fixture(scope="module")
def two_outlets(tmp_path_factory, corpora):
    """A store of Reuters 1987 articles (outlet "Reuters") and AG News items (outlet "AG's corpus")."""
    files = sorted((corpora / "reuters-1987" / "articles").glob("*.txt"))
    sample = files[:: max(1, len(files) // REUTERS_SAMPLE)][:REUTERS_SAMPLE]
    inputs = tmp_path_factory.mktemp("e2e-outlets-input")
    with open(corpora / "ag-news" / "articles.csv", encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    with open(inputs / "ag.csv", "w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(rows[: AG_ITEMS + 1])  # the header and the first items
    out = tmp_path_factory.mktemp("e2e-outlets") / "store"
    command = [sys.executable, "-m", "dashboard", "preprocess", *map(str, sample), str(inputs / "ag.csv")]
    done = subprocess.run(
        [*command, "--source", "Reuters", "--out", str(out), "--no-progress"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"preprocess failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return out


@pytest.fixture(scope="module")
def outlets_server(two_outlets, tmp_path_factory, artifacts):
    server = start_server(two_outlets, artifacts / "server-outlets.log", tmp_path_factory.mktemp("home-outlets"))
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def con(two_outlets):
    connection = store.connect(two_outlets)
    yield connection
    connection.close()


def download_rows(page, key: str, artifacts, name: str) -> list[list[str]]:
    with page.expect_download() as info:
        page.locator(f".st-key-{key} button").click()
    saved = artifacts / name
    info.value.save_as(saved)
    return list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"), newline="")))


def test_the_store_has_two_outlets(con):
    assert [r[0] for r in con.execute("SELECT DISTINCT source FROM articles ORDER BY 1").fetchall()] == [
        "AG's corpus",
        "Reuters",
    ]


def test_a_copied_comparison_link_reopens_it_in_a_fresh_tab(page, outlets_server, artifacts, con):  # noqa: F811
    first, last = con.execute("SELECT min(date), max(date) FROM articles").fetchone()
    sides = (Filters(start=first, end=dt.date(1987, 12, 31)), Filters(start=last - dt.timedelta(days=364), end=last))
    # Side A: the sidebar's dates (from a link), then the button; side B: a date preset, then the button.
    open_page(page, f"{outlets_server.url}/compare?end=1987-12-31")
    wait_for_caption(page, sides[0].describe())
    page.locator(".st-key-compare_add button").click()
    settle(page, "document.body.innerText.includes(arg)", "Add the sidebar's filters as side B")
    page.locator(".st-key-filter_preset").click()
    page.get_by_role("option", name="Last 365 days").click()
    wait_for_caption(page, sides[1].describe())
    page.locator(".st-key-compare_add button").click()
    settle(page, "document.body.innerText.includes(arg)", "Add the sidebar's filters as side C")
    copied = page.url
    assert comparison.from_params(parse_qs(urlparse(copied).query)) == sides
    assert_no_exception(page, "comparison built")

    fresh = page.context.new_page()
    open_page(fresh, copied)
    for side in sides:
        expect(fresh.get_by_text(side.describe(), exact=True).first).to_be_visible()
    legend = fresh.locator(".st-key-compare_time .legendtext")
    expect(legend).to_have_count(2)
    assert_no_exception(fresh, "comparison from a link")
    # Side B's distinctive words download with side B's sentence and are words only AG uses more.
    rows = download_rows(fresh, "compare_words_b_csv", artifacts, "compare-b-words.csv")
    assert rows[0] == [f"# {sides[1].describe()}"]
    assert rows[1][:3] == ["term", "count", "others"]
    top = rows[2]
    ag_share, reuters_share = con.execute(
        """
        SELECT sum(t.count) FILTER (WHERE a.date >= ? AND t.term = ?) / sum(t.count) FILTER (WHERE a.date >= ?),
               coalesce(sum(t.count) FILTER (WHERE a.date <= ? AND t.term = ?), 0)
               / sum(t.count) FILTER (WHERE a.date <= ?)
        FROM terms t JOIN articles a USING (article_id)""",
        [sides[1].start, top[0], sides[1].start, sides[0].end, top[0], sides[0].end],
    ).fetchone()
    assert ag_share > reuters_share
    screenshot(fresh, artifacts, "compare-two-outlets")
    fresh.close()


def test_a_phrase_over_time_and_in_context(page, outlets_server, artifacts, con):  # noqa: F811
    open_page(page, f"{outlets_server.url}/words")
    box = page.locator(".st-key-words_query input")
    box.fill("crude oil")
    box.press("Enter")
    sentence = Filters(text='"crude oil"').describe()
    settle(page, "document.body.innerText.includes(arg)", sentence)
    page.wait_for_url(lambda url: "word=crude+oil" in url or "word=crude%20oil" in url)
    bodies = con.execute("SELECT article_id, title, text FROM articles").fetchall()
    whole = re.compile(r"(?<![^\W_])crude\s+oil(?![^\W_])", re.IGNORECASE)
    matching = [i for i, title, text in bodies if whole.search(title) or whole.search(text)]
    assert matching, "the Reuters sample should mention crude oil"
    expect(page.get_by_text(f"{len(matching):,} of {len(bodies):,} articles: {sentence}")).to_be_visible()
    expect(page.locator(".st-key-words_time").get_by_text("articles per 1,000", exact=True)).to_be_visible()

    rows = download_rows(page, "words_kwic_csv", artifacts, "words-crude-oil.csv")
    assert rows[0] == [f"# {sentence}"]
    header = rows[1]
    uses = [dict(zip(header, row)) for row in rows[2:]]
    assert len(uses) == sum(len(whole.findall(text)) for _, _, text in bodies)
    assert {" ".join(u["match"].lower().split()) for u in uses} == {"crude oil"}
    assert {u["source"] for u in uses} <= {"Reuters", "AG's corpus"}

    page.locator(".st-key-words_split").get_by_text("outlet", exact=True).click()
    settle(page, "document.querySelectorAll('.st-key-words_time .legendtext').length === 2")
    legend = page.locator(".st-key-words_time .legendtext").all()
    assert sorted(e.text_content() for e in legend) == ["AG's corpus", "Reuters"]  # SVG: no innerText
    assert_no_exception(page, "phrase split by outlet")
    screenshot(page, artifacts, "words-crude-oil")

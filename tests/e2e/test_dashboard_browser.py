"""The dashboard in a real headless Chromium, against a real Streamlit server and a real store.

What a user does: opens every page, narrows by dates and a speaker, downloads the quotes, reads an
article. Every check that concerns data compares the page with a direct DuckDB query of the store.
Screenshots of each page go to artifacts/e2e/.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from dashboard import store
from dashboard.charts import speaker_badge
from dashboard.filters import Filters
from tests.e2e.conftest import playwright_api

pytestmark = pytest.mark.e2e
expect = playwright_api().expect

# (url path, title) of every page, as docs/dashboard.md lists them.
PAGES = [
    ("", "Overview"),
    ("speakers", "Speakers and quotes"),
    ("entities", "Entities"),
    ("outlets", "Outlets"),
    ("gender", "Gender of sources"),
    ("topics", "Topics"),
    ("word-clouds", "Word clouds"),
    ("compare", "Compare"),
    ("words", "Word over time"),
    ("articles", "Articles"),
    ("extraction-health", "Extraction health"),
]
APP = '[data-testid="stApp"]'
EXCEPTION = '[data-testid="stException"]'
QUOTE_COLUMNS = ["date", "speaker", "role", "quote", "cue", "kind", "title", "source", "article_id", "quote_index"]


# --- helpers ---------------------------------------------------------------------------------
def settle(page, condition: str = "true", arg=None, timeout: float = 60_000) -> None:
    """Wait until the script run is over (running indicator, stale elements, placeholders gone) and `condition` holds.

    A run that was just triggered may not have started yet, so callers pass a condition that
    only the new run can satisfy (a caption, a URL); the state check then covers the rest of it.
    """
    page.wait_for_function(
        """([condition, arg]) => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
            if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            if (document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]')) return false;
            if (document.querySelector('[data-stale="true"]')) return false;
            // Placeholders stand where a run has not delivered its elements yet (the state can
            // already read notRunning on first load while they show).
            if (document.querySelector('[data-testid="stSkeleton"]')) return false;
            return new Function('arg', 'return (' + condition + ')')(arg);
        }""",
        arg=[condition, arg],
        timeout=timeout,
        polling=100,
    )


def open_page(page, url: str) -> None:
    """Go to `url` and wait until its page title is drawn and the run is over."""
    page.goto(url)
    settle(page, "document.querySelector('h1') !== null")


def filter_caption(page) -> str:
    """The one-line description of the active filters under the page title."""
    return (
        page.locator('[data-testid="stCaptionContainer"]')
        .filter(has_text=re.compile(r"^(All articles|Articles where)"))
        .first.inner_text()
        .strip()
    )


def wait_for_caption(page, text: str) -> None:
    settle(
        page,
        """[...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
                        .some(e => e.innerText.trim() === arg)""",
        text,
    )


def assert_no_exception(page, what: str) -> None:
    errors = page.locator(EXCEPTION)
    assert errors.count() == 0, f"{what}: Streamlit exception shown: {errors.first.inner_text()[:2000]}"
    assert page.get_by_text("Page not found").count() == 0, f"{what}: Streamlit says 'Page not found'"


def screenshot(page, artifacts: Path, name: str) -> None:
    """The whole page as a PNG in artifacts/e2e/.

    Streamlit scrolls inside its main container, not the document, so a "full page" screenshot
    would stop at the window: the window is made as tall as the content for the shot instead.
    """
    viewport = page.viewport_size
    height = page.evaluate("""() => Math.max(1000, ...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"], [data-testid="stSidebarContent"]')]
        .map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": viewport["width"], "height": min(height + 40, 12_000)})
    # Let charts re-lay themselves out for the new size: two animation frames, not a fixed sleep.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    settle(page)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    page.set_viewport_size(viewport)


def query_params(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def direct_quotes(con, start: dt.date, end: dt.date, speaker: str) -> list[list[str]]:
    """The quotes a user should get for these filters, written straight against the store's tables."""
    rows = con.execute(
        """
        SELECT strftime(a.date, '%Y-%m-%d'), q.speaker, q.speaker_role, q.quote, q.cue, q.kind, a.title,
               a.source, q.article_id, q.quote_index
        FROM quotes q JOIN articles a USING (article_id)
        WHERE a.date BETWEEN ? AND ? AND q.speaker = ?
        ORDER BY a.date DESC, a.article_id, q.quote_index""",
        [start, end, speaker],
    ).fetchall()
    return [["" if v is None else str(v) for v in row] for row in rows]


@pytest.fixture(scope="module")
def con(e2e_store):
    """The e2e store's tables in DuckDB, for the direct queries the page is checked against."""
    connection = store.connect(e2e_store)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def chosen(con) -> tuple[dt.date, dt.date, str]:
    """A typical filter on this store: a two-month window and its most quoted person in it."""
    start, end = dt.date(1987, 3, 1), dt.date(1987, 4, 30)
    row = con.execute(
        """
        SELECT q.speaker, count(*) AS n FROM quotes q JOIN articles a USING (article_id)
        WHERE a.date BETWEEN ? AND ? AND q.speaker IS NOT NULL AND q.speaker_kind = 'person'
        GROUP BY q.speaker ORDER BY n DESC, q.speaker LIMIT 1""",
        [start, end],
    ).fetchone()
    assert row and row[1] >= 2, "the Reuters sample should hold a person quoted at least twice in March-April 1987"
    return start, end, row[0]


@pytest.fixture
def page(context, request, artifacts):
    """A browser tab that records any JavaScript dialog (none may open); screenshotted if its test fails."""
    tab = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        screenshot(tab, artifacts, f"FAILED-{re.sub(r'[^A-Za-z0-9_-]+', '-', request.node.name)}")
    assert dialogs == [], f"a JavaScript dialog opened: {dialogs}"


# --- tests -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p or "overview" for p, _ in PAGES])
def test_every_page_renders_without_exception(page, server, artifacts, path, title):
    open_page(page, f"{server.url}/{path}")
    assert page.locator("h1").first.inner_text().strip() == title
    assert page.title() == f"{title} · News explorer"
    assert filter_caption(page) == "All articles"
    assert_no_exception(page, title)
    screenshot(page, artifacts, f"page-{path or 'overview'}")


@pytest.mark.parametrize(("path", "title"), PAGES, ids=[p or "overview" for p, _ in PAGES])
def test_every_page_renders_the_filtered_view(page, server, artifacts, chosen, path, title):
    start, end, speaker = chosen
    expected = Filters(start=start, end=end, speakers=(speaker,))
    open_page(page, f"{server.url}/{path}?{urlencode(expected.to_params(), doseq=True)}")
    wait_for_caption(page, expected.describe())
    assert page.locator("h1").first.inner_text().strip() == title
    assert_no_exception(page, f"{title} with filters")
    screenshot(page, artifacts, f"filtered-{path or 'overview'}")


def test_filters_matching_nothing_explain_themselves(page, server, artifacts):
    nothing = Filters(text="zqxjv no article says this")
    open_page(page, f"{server.url}/speakers?{urlencode(nothing.to_params(), doseq=True)}")
    wait_for_caption(page, nothing.describe())
    expect(page.get_by_text("No articles match these filters").first).to_be_visible()
    assert_no_exception(page, "empty result")
    screenshot(page, artifacts, "empty-result")


def test_date_and_speaker_filters_then_quotes_csv_matches_the_store(page, server, artifacts, con, chosen):
    start, end, speaker = chosen
    open_page(page, f"{server.url}/speakers")

    # Dates: type the range into the sidebar's date fields (year, month, day segments advance by
    # themselves); the widget commits when it loses focus.
    dates = page.locator(".st-key-filter_dates")
    dates.get_by_role("spinbutton", name="year, Dates start date").click()
    page.keyboard.type(start.strftime("%Y%m%d"))
    dates.get_by_role("spinbutton", name="year, Dates end date").click()
    page.keyboard.type(end.strftime("%Y%m%d"))
    page.locator("h1").first.click()
    wait_for_caption(page, Filters(start=start, end=end).describe())

    # Speaker: type into the multiselect and take the first match.
    speakers = page.locator(".st-key-filter_speakers input")
    speakers.click()
    speakers.fill(speaker)
    page.get_by_role("option", name=re.compile(rf"^{re.escape(speaker)} \(")).first.click()
    page.keyboard.press("Escape")
    expected = Filters(start=start, end=end, speakers=(speaker,))
    wait_for_caption(page, expected.describe())
    assert_no_exception(page, "speakers page with filters")

    # The filters are in the address, so the view can be shared.
    wanted = {"start": [start.isoformat()], "end": [end.isoformat()], "speakers": [speaker]}
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query) == wanted)

    want = direct_quotes(con, start, end, speaker)
    with page.expect_download() as info:
        page.locator(".st-key-quotes_table_csv button").click()
    download = info.value
    assert download.suggested_filename == f"quotes-{dt.date.today().isoformat()}.csv"
    saved = artifacts / "quotes.csv"
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == [f"# {expected.describe()}"]
    assert rows[1] == QUOTE_COLUMNS
    assert rows[2:] == want
    assert len(want) >= 2

    # The JSON download holds the same rows, values unchanged, with the same description.
    with page.expect_download() as info:
        page.locator(".st-key-quotes_table_json button").click()
    document = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert document["filters"] == expected.describe()
    assert [["" if v is None else str(v) for v in row.values()] for row in document["rows"]] == want

    # The download did not reset the page: filters and URL are as they were.
    settle(page)
    assert filter_caption(page) == expected.describe()
    assert query_params(page)["speakers"] == [speaker]
    screenshot(page, artifacts, "filters-set-in-sidebar")


def test_article_shows_highlighted_quotes_and_script_as_text(page, server, artifacts, con, hostile_title):
    article_id, body = con.execute("SELECT article_id, text FROM articles WHERE title = ?", [hostile_title]).fetchone()
    stored = con.execute(
        "SELECT start_char, end_char, speaker, speaker_role FROM quotes WHERE article_id = ? ORDER BY start_char",
        [article_id],
    ).fetchall()
    assert stored, "the hostile article should have quotes"
    open_page(page, f"{server.url}/articles")

    # Choose it in the picker, as a user who does not scroll the table would.
    picker = page.locator(".st-key-article_pick").get_by_role("combobox")
    picker.click()
    picker.fill(hostile_title)
    page.get_by_role("option", name=re.compile(re.escape(hostile_title))).first.click()
    settle(page, "document.querySelector('.article-text') !== null")
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("article") == [article_id])

    text = page.locator(".article-text")
    assert "<script>alert(1)</script>" in text.inner_text()
    assert "<b>they</b>" in text.inner_text()
    assert text.locator("script").count() == 0 and text.locator("b").count() == 0
    # Each stored quote is highlighted over exactly its characters, with its speaker's badge.
    marks = [m.inner_text() for m in text.locator("mark.quote").all()]
    badges = [b.inner_text().strip() for b in text.locator("span.speaker").all()]
    assert marks == [body[start:end] for start, end, _, _ in stored]
    assert badges == [speaker_badge(speaker, role) for _, _, speaker, role in stored]
    assert "John Mensah" in badges
    assert any(m.startswith("We will not accept a plan that leaves farmers with less") for m in marks)
    assert_no_exception(page, "article view")
    screenshot(page, artifacts, "article-script")


def test_deep_link_opens_the_filtered_view_on_a_fresh_server(server_factory, context, artifacts, con, chosen):
    start, end, speaker = chosen
    fresh = server_factory("deeplink")
    tab = context.new_page()
    expected = Filters(start=start, end=end, speakers=(speaker,))
    open_page(tab, f"{fresh.url}/speakers?{urlencode(expected.to_params(), doseq=True)}")
    wait_for_caption(tab, expected.describe())
    assert_no_exception(tab, "deep link")
    # The widgets took the link's values, and the table holds exactly the store's rows.
    chips = tab.locator(".st-key-filter_speakers [data-tag]")
    expect(chips).to_have_count(1)
    expect(chips.first).to_have_text(re.compile(rf"^{re.escape(speaker)} \("))
    want = direct_quotes(con, start, end, speaker)
    expect(tab.locator(".st-key-quotes_table_csv")).to_have_count(1)
    expect(tab.get_by_text(f"{len(want):,} rows", exact=True).first).to_be_visible()
    screenshot(tab, artifacts, "deep-link-speakers")

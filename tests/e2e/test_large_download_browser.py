"""A large download in the real browser: prepare the file on the server, then download it whole.

The server runs with a threshold of 10 rows, so the e2e store's quotes count as a large export.
"""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from dashboard import settings, store
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.test_dashboard_browser import (  # noqa: F401 - con and page are fixtures
    QUOTE_COLUMNS,
    assert_no_exception,
    con,
    open_page,
    page,
    screenshot,
    settle,
)

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is in requirements-test.txt").expect

THRESHOLD = 10


@pytest.fixture(scope="module")
def large_export_server(e2e_store, artifacts, tmp_path_factory):
    """A server on the e2e store for which more than THRESHOLD rows is a large export."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(settings.LARGE_EXPORT_ENV, str(THRESHOLD))
        server = start_server(e2e_store, artifacts / "server-large-export.log", tmp_path_factory.mktemp("home-large"))
    yield server
    stop_server(server)
    shutil.rmtree(settings.exports_dir(e2e_store), ignore_errors=True)  # leave the shared store as it was


def test_a_large_quotes_export_is_prepared_then_downloaded_with_every_row(
    page,
    large_export_server,
    artifacts,
    con,
    e2e_store,
):
    want = [
        ["" if v is None else str(v) for v in row]
        for row in con.execute(
            """
            SELECT strftime(a.date, '%Y-%m-%d'), q.speaker, q.speaker_role, q.quote, q.cue, q.kind, a.title, a.source,
                   q.article_id, q.quote_index
            FROM quotes q JOIN articles a USING (article_id)
            ORDER BY a.date DESC NULLS LAST, q.article_id, q.quote_index"""
        ).fetchall()
    ]
    assert len(want) > THRESHOLD
    # The app's root first: on a fresh server, a deep link's first run is the page script alone,
    # and a button clicked on it is lost on the rerun, which already runs under st.navigation
    # (the widget's identity includes the page). Any later run is consistent.
    open_page(page, large_export_server.url)
    open_page(page, f"{large_export_server.url}/speakers")
    expect(page.get_by_text(f"{len(want):,} rows: too many to build on a click", exact=False)).to_be_visible()
    assert page.locator(".st-key-quotes_table_csv").count() == 0  # nothing to download before it is prepared

    page.locator(".st-key-quotes_table_csv_prepare button").click()
    settle(page, "document.querySelector('.st-key-quotes_table_csv button') !== null")
    assert_no_exception(page, "prepared quotes export")
    button = page.locator(".st-key-quotes_table_csv button")
    expect(button).to_contain_text("CSV · ")
    screenshot(page, artifacts, "large-export-prepared")

    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename.startswith("quotes-") and download.suggested_filename.endswith(".csv")
    saved = artifacts / "quotes-large.csv"
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0] == ["# All articles"]
    assert rows[1] == QUOTE_COLUMNS
    assert len(rows) - 2 == len(want)
    assert rows[2:] == want

    # What was served is the prepared file in the store's exports/ folder, byte for byte.
    snapshot = store.read_manifest(e2e_store)["snapshot"]
    (prepared,) = (settings.exports_dir(e2e_store) / snapshot).glob("quotes-*.csv")
    assert saved.read_bytes() == prepared.read_bytes()
    assert button.inner_text().strip().endswith(("B", "kB", "MB"))

"""Finding a speaker the sidebar does not list, in a real headless Chromium.

The server runs on a hand-built store with more speakers than the sidebar lists (tests/app/many_names.py),
so the rare speaker can only be reached through the "Find" box: type part of its name, pick it, and
check the sentence under the title and the page address.
"""

from __future__ import annotations

import re

import pytest

from dashboard.filters import Filters
from tests.app.many_names import RARE_SPEAKER, write_many_names_store
from tests.e2e.conftest import start_server, stop_server
from tests.e2e.test_dashboard_browser import (
    assert_no_exception,
    open_page,
    page,  # noqa: F401 - the tab fixture: no dialogs, screenshot on failure
    query_params,
    screenshot,
    settle,
    wait_for_caption,
)

pytestmark = pytest.mark.e2e
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is in requirements-test.txt").expect


@pytest.fixture(scope="module")
def many_names_server(tmp_path_factory, artifacts):
    """A server of its own on the many-names store."""
    folder = write_many_names_store(tmp_path_factory.mktemp("e2e-many") / "store")
    server = start_server(folder, artifacts / "server-many-names.log", tmp_path_factory.mktemp("home-many"))
    yield server
    stop_server(server)


def test_a_speaker_off_the_list_is_found_by_typing_part_of_its_name(page, many_names_server, artifacts):  # noqa: F811
    open_page(page, many_names_server.url)
    listed = page.locator(".st-key-filter_speakers input")
    listed.click()
    listed.fill("Zofia")
    expect(page.get_by_role("option", name=re.compile("Zofia"))).to_have_count(0)  # not among the most quoted
    page.keyboard.press("Escape")

    find = page.locator(".st-key-filter_speaker_find input")
    find.fill("wróbl")
    find.press("Enter")
    settle(page, "document.body.innerText.includes(arg)", "1 speaker matches “wróbl”")

    listed.click()
    # The sidebar scrolls to bring the list into view, and a scroll closes the menu the click opened
    # (the sidebar is taller than the window): the arrow key opens it again, as a keyboard user would.
    listed.press("ArrowDown")
    page.get_by_role("option", name=f"{RARE_SPEAKER} (1)").click()
    page.keyboard.press("Escape")
    expected = Filters(speakers=(RARE_SPEAKER,))
    wait_for_caption(page, expected.describe())
    page.wait_for_url(lambda url: "speakers=" in url)
    assert query_params(page) == {"speakers": [RARE_SPEAKER]}
    expect(page.locator(".st-key-filter_speakers [data-tag]")).to_have_count(1)
    assert_no_exception(page, "rare speaker chosen")
    screenshot(page, artifacts, "sidebar-find-speaker")

    # The address reopens the view in a fresh tab, the rare name chosen though it is not listed.
    fresh = page.context.new_page()
    open_page(fresh, page.url)
    wait_for_caption(fresh, expected.describe())
    expect(fresh.locator(".st-key-filter_speakers [data-tag]")).to_contain_text(RARE_SPEAKER)
    fresh.close()


def test_the_gender_editor_finds_a_speaker_it_does_not_offer(page, many_names_server, artifacts):  # noqa: F811
    open_page(page, f"{many_names_server.url}/speakers")
    page.get_by_text("Correct a speaker's gender").click()
    picker = page.locator(".st-key-gender_speaker input")
    picker.click()
    picker.fill("Zofia")
    expect(page.get_by_role("option", name=re.compile("Zofia"))).to_have_count(0)  # not among the most quoted
    page.keyboard.press("Escape")

    find = page.locator(".st-key-gender_find input")
    find.fill("wróbl")
    find.press("Enter")
    settle(page, "document.body.innerText.includes(arg)", "1 person speaker(s) match “wróbl”")
    picker.click()
    picker.press("ArrowDown")  # a scroll into view may close the menu the click opened (as above)
    page.get_by_role("option", name=RARE_SPEAKER).click()
    # Picking reruns the editor alone (a fragment) and shows the gender the store holds now.
    settle(page, "document.body.innerText.includes(arg)", "Now ")
    expect(page.get_by_text(re.compile(r"^Now (female|male|unknown):"))).to_have_count(1)
    assert_no_exception(page, "gender editor search")
    screenshot(page, artifacts, "gender-editor-find-speaker")

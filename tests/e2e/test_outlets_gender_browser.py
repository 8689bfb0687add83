"""Outlets and gender in a real headless Chromium: choose an outlet in the sidebar, read the gender charts.

The store is built by the real preprocess command from Reuters articles in two folders, each named
as an outlet with `--source NAME=PATH`; the figures the charts draw (Plotly's own data in the page)
must be the store's quotes of that outlet, per gender.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard import queries, store
from dashboard.filters import Filters
from tests.conftest import require_dir
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
OUTLETS = ("Wire East", "Wire West")
ARTICLES = 40  # Reuters articles that quote women as well as men, split between the two outlets


@pytest.fixture(scope="module")
def outlet_store(tmp_path_factory, corpora):
    folder = tmp_path_factory.mktemp("outlets-e2e")
    files = sorted(require_dir(corpora / "reuters-1987" / "articles").glob("*.txt"))
    quoting_women = [f for f in files if re.search(r"\b[Ss]he said\b", f.read_text(encoding="utf-8", errors="replace"))]
    chosen = quoting_women[:ARTICLES]
    for i, path in enumerate(chosen):
        target = folder / f"o{i % 2}"
        target.mkdir(exist_ok=True)
        shutil.copy(path, target / path.name)
    out = folder / "store"
    sources = [f"--source={name}={folder / f'o{i}'}" for i, name in enumerate(OUTLETS)]
    command = [sys.executable, "-m", "dashboard", "preprocess", *sources, "--out", str(out), "--no-progress"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def outlet_server(outlet_store, artifacts, tmp_path_factory):
    server = start_server(outlet_store, artifacts / "server-outlets.log", tmp_path_factory.mktemp("home-outlets"))
    yield server
    stop_server(server)


PLOT_DATA_JS = """(key) => {
    const plot = document.querySelector(`.st-key-${key} .js-plotly-plot`);
    return plot && plot._fullData ? plot._fullData.map(d => ({name: d.name, x: d.x, y: d.y, custom: d.customdata})) : null;
}"""


def _plot(page, key: str) -> list[dict]:
    settle(page, "document.querySelector(`.st-key-${arg} .js-plotly-plot .barlayer`) !== null", key)
    return page.evaluate(PLOT_DATA_JS, key)


def test_choosing_an_outlet_redraws_the_gender_charts_with_its_quotes(page, outlet_server, outlet_store, artifacts):
    open_page(page, f"{outlet_server.url}/gender")
    assert_no_exception(page, "gender page")
    before = {trace["name"]: list(trace["y"]) for trace in _plot(page, "gender_outlets")}
    assert set(before["female"]) == set(OUTLETS)  # both outlets drawn, as bars per outlet

    chosen = OUTLETS[1]
    box = page.locator(".st-key-filter_sources input")
    box.click()
    page.get_by_role("option", name=re.compile(rf"^{re.escape(chosen)} \(")).first.click()
    page.keyboard.press("Escape")
    wait_for_caption(page, Filters(sources=(chosen,)).describe())
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("source") == [chosen])
    assert_no_exception(page, "gender page for one outlet")

    drawn = {trace["name"]: trace for trace in _plot(page, "gender_outlets")}
    assert {tuple(t["y"]) for t in drawn.values() if len(t["y"])} == {(chosen,)}
    want = queries.gender_per_source(store.connect(outlet_store), Filters(sources=(chosen,)))
    want = dict(zip(want["gender"], want["quotes"]))
    got = {name: int(t["custom"][0][0]) for name, t in drawn.items() if len(t["y"])}
    assert got == want and want.get("female", 0) > 0
    over_time = {t["name"]: sum(c[0] for c in t["custom"]) for t in _plot(page, "gender_time") if t["custom"]}
    assert over_time == want  # every dated quote, period by period, adds up to the same counts
    screenshot(page, artifacts, "gender-one-outlet")

"""Clicking a bar, a heatmap cell or a line point applies that filter, in a real headless Chromium.

docs/dashboard.md promises that clicking a bar, a heatmap cell or a point on a line in a speakers,
entities or topics chart adds that value to the filters. These tests click the top bar of "Top
speakers by quotes" and of "Top entities by articles", the darkest cell of a heatmap and the highest
point of a line chart with the mouse, as a user would, and check where the filter must then show
up: the sidebar multiselect (for bars), the page address and the sentence under the title.

Bars, cells and points and their names are found through Plotly's own DOM and data (the trace's
customdata, which is what the click hands to Streamlit), never from fixed pixel positions.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard.filters import Filters
from tests.e2e.conftest import playwright_api
from tests.e2e.test_dashboard_browser import (
    assert_no_exception,
    filter_caption,
    open_page,
    page,  # noqa: F401 - the tab fixture: no dialogs, screenshot on failure
    screenshot,
    settle,
)

pytestmark = pytest.mark.e2e
expect = playwright_api().expect

# Every bar of a bar trace, with the index of its data point: Plotly binds each `g.point` to its
# calcdata entry (d3's __data__), whose `i` is the point's index in the trace's data.
BARS_JS = """(plot) => {
    const out = [];
    const traces = plot.querySelectorAll('.barlayer .trace.bars');
    traces.forEach((trace, t) => {
        const full = plot._fullData.filter(d => d.type === 'bar')[t];
        trace.querySelectorAll('g.point').forEach((point, pos) => {
            const datum = point.__data__;
            const path = point.querySelector('path');
            if (!datum || !path) return;
            const box = path.getBoundingClientRect();
            const custom = full.customdata ? full.customdata[datum.i] : null;
            out.push({trace: t, pos: pos, index: datum.i, label: Array.isArray(custom) ? custom[0] : custom,
                      axis: full.orientation === 'h' ? full.y[datum.i] : full.x[datum.i],
                      value: datum.s !== undefined ? datum.s : (full.orientation === 'h' ? full.x[datum.i] : full.y[datum.i]),
                      top: box.top, width: box.width, height: box.height});
        });
    });
    return out;
}"""


def plot_of(page, key: str):
    """The `.js-plotly-plot` node of the chart drawn with Streamlit key `key`, once Plotly has drawn its bars."""
    chart = page.locator(f".st-key-{key}")
    expect(chart).to_have_count(1)
    plot = chart.locator(".js-plotly-plot")
    expect(plot).to_have_count(1)
    expect(plot.locator(".barlayer g.point path").first).to_be_attached()
    return plot


def top_bar(page, key: str) -> tuple[dict, object, object]:
    """The top bar of a horizontal bar chart (its largest value), its element and the plot, read from Plotly's data."""
    plot = plot_of(page, key)
    plot.scroll_into_view_if_needed()
    bars = plot.evaluate(BARS_JS)
    assert bars, f"{key}: no bars found in the Plotly DOM"
    assert all(b["label"] for b in bars), f"{key}: a bar carries no customdata label: {bars}"
    drawn = [b for b in bars if b["width"] > 0 and b["height"] > 0]
    bar = min(drawn, key=lambda b: b["top"])  # horizontal bars: the first (largest) is drawn on top
    assert bar["value"] == max(b["value"] for b in bars), f"{key}: the top bar is not the largest: {bars}"
    element = plot.locator(".barlayer .trace.bars").nth(bar["trace"]).locator("g.point").nth(bar["pos"])
    return bar, element, plot


def click_centre(page, plot, element, name: str) -> None:
    """Hover the bar until Plotly shows its hover label, then click its centre (as a user's mouse does).

    Plotly's bars lie under its drag layer, which takes the mouse events and finds the bar under
    the pointer, so the click goes to the page coordinates rather than to the path element.
    """
    element.scroll_into_view_if_needed()
    box = element.locator("path").bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, f"the bar has no size on screen: {box}"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    # Plotly reports a click for the point it is hovering: wait for its hover label, naming this bar.
    expect(plot.locator(".hoverlayer .hovertext")).to_contain_text(name)
    page.mouse.click(x, y)


def wait_for_filter(page, field: str, name: str) -> None:
    """Wait until the run triggered by the click is over and the address carries `field=name`."""
    settle(page, "new URLSearchParams(location.search).getAll(arg[0]).includes(arg[1])", [field, name])


@pytest.mark.parametrize(
    ("chart_key", "field", "widget_key", "chip"),
    [
        ("overview_top_speakers", "speakers", "filter_speakers", r"{name} \([\d,]+\)"),
        ("overview_top_entities", "entities", "filter_entities", r"{name}( · [A-Z_]+)?"),
    ],
    ids=["speaker", "entity"],
)
def test_clicking_a_top_bar_on_overview_applies_that_filter(
    page, server, artifacts, chart_key, field, widget_key, chip
):
    open_page(page, f"{server.url}/")
    assert filter_caption(page) == "All articles"
    expect(page.locator(f".st-key-{widget_key} [data-tag]")).to_have_count(0)

    bar, element, plot = top_bar(page, chart_key)
    name = bar["label"]
    # The axis shows the same name (HTML-escaped, as Plotly renders labels as a little HTML).
    assert html.unescape(bar["axis"]) == name, bar
    click_centre(page, plot, element, name)
    wait_for_filter(page, field, name)
    assert_no_exception(page, f"after clicking {name!r} in {chart_key}")

    # (a) the sidebar filter holds exactly that value.
    chips = page.locator(f".st-key-{widget_key} [data-tag]")
    expect(chips).to_have_count(1)
    expect(chips.first).to_have_text(re.compile("^" + chip.format(name=re.escape(name)) + "$"))
    # (b) the address carries it, and nothing else.
    assert parse_qs(urlparse(page.url).query) == {field: [name]}
    # (c) the sentence under the title says so.
    expected = Filters(**{field: (name,)})
    label = "speaker" if field == "speakers" else "entity"
    assert expected.describe() == f"Articles where {label} is {name}"
    assert filter_caption(page) == expected.describe()
    screenshot(page, artifacts, f"clicked-{chart_key}")


# Every marker of the scatter traces (line points, heatmap cell targets), placed on the page by
# Plotly's own axes: the value a click hands over (customdata[0]) and what the marker shows.
MARKERS_JS = """(plot) => {
    const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis;
    const rect = plot.getBoundingClientRect();
    const out = [];
    plot._fullData.filter(d => d.type === 'scatter').forEach(d => d.x.forEach((x, i) => out.push({
        label: d.customdata[i][0], value: Number(d.text ? d.text[i] : d.y[i]),
        x: rect.left + xa._offset + xa.d2p(x), y: rect.top + ya._offset + ya.d2p(d.y[i])})));
    return out;
}"""


def click_largest_marker(page, plot) -> str:
    """Hover the marker with the largest value until Plotly labels it, click it; its label."""
    plot.scroll_into_view_if_needed()
    markers = plot.evaluate(MARKERS_JS)
    assert markers and all(m["label"] for m in markers), markers
    marker = max(markers, key=lambda m: m["value"])
    page.mouse.move(marker["x"], marker["y"])
    expect(plot.locator(".hoverlayer .hovertext")).to_contain_text(marker["label"])
    page.mouse.click(marker["x"], marker["y"])
    return marker["label"]


@pytest.mark.parametrize(
    ("path", "chart_key", "field"),
    [
        ("speakers", "speakers_topics", "speakers"),  # a heatmap: the click filters by the cell's row
        ("entities", "entities_time", "entities"),
    ],  # a line: the click filters by the point's series
    ids=["heatmap-cell", "line-point"],
)
def test_clicking_a_heatmap_cell_or_a_line_point_applies_that_filter(page, server, artifacts, path, chart_key, field):
    # Streamlit returns no selection for heatmap cells; charts.heatmap lays a clickable marker on each.
    open_page(page, f"{server.url}/{path}")
    plot = page.locator(f".st-key-{chart_key} .js-plotly-plot")
    expect(plot.locator(".scatterlayer .point").first).to_be_attached()
    name = click_largest_marker(page, plot)
    wait_for_filter(page, field, name)
    assert_no_exception(page, f"after clicking {name!r} in {chart_key}")
    assert parse_qs(urlparse(page.url).query) == {field: [name]}
    assert filter_caption(page) == Filters(**{field: (name,)}).describe()
    screenshot(page, artifacts, f"clicked-{chart_key}")

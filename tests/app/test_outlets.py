"""Outlets in the sidebar: offered only when there is a choice, in the URL and the filter sentence."""

from __future__ import annotations

from dashboard.filters import Filters
from tests.app.test_pages import first_caption, table_with


def _keys(at) -> set[str]:
    return {w.key for w in at.multiselect}


def test_a_two_outlet_store_offers_the_outlets_and_filters_by_them(open_app, small_store):
    at = open_app(small_store, "overview.py")
    box = at.multiselect(key="filter_sources")
    assert box.options == ["Wire (3)", "Daily (2)"]  # most articles first, with their counts
    box.set_value(["Daily"]).run()
    assert not at.exception, at.exception
    assert first_caption(at) == "Articles where outlet is Daily"
    assert Filters.from_params({k: at.query_params[k] for k in at.query_params}) == Filters(sources=("Daily",))
    reopened = open_app(small_store, "articles.py", source=["Daily"])
    assert reopened.multiselect(key="filter_sources").value == ["Daily"]
    assert sorted(table_with(reopened, "title")["title"]) == ["Growth ahead", "Markup <b>test</b>"]


def test_a_one_outlet_store_shows_no_outlet_control(open_app, seed_store):
    at = open_app(seed_store, "overview.py")
    assert not at.exception, at.exception
    assert "filter_sources" not in _keys(at)


def test_a_link_naming_an_outlet_keeps_the_control_so_it_can_be_removed(open_app, seed_store):
    at = open_app(seed_store, "overview.py", source=["Elsewhere"])
    assert at.multiselect(key="filter_sources").value == ["Elsewhere"]
    assert first_caption(at) == Filters(sources=("Elsewhere",)).describe()


def test_the_outlets_page_counts_each_outlet_and_follows_the_filters(open_app, small_store):
    at = open_app(small_store, "outlets.py")
    assert not at.exception, at.exception
    summary = table_with(at, "source", "articles")
    assert dict(zip(summary["source"], summary["articles"])) == {"Wire": 3, "Daily": 2}
    speakers = table_with(at, "source", "speaker", "rank")
    assert list(speakers[speakers["source"] == "Wire"]["speaker"]) == ["Jane Roe", "John Doe"]
    at.multiselect(key="filter_speakers").set_value(["John Doe"]).run()
    summary = table_with(at, "source", "articles")
    assert dict(zip(summary["source"], summary["articles"])) == {"Wire": 1}


def test_the_one_outlet_hint_shows_only_for_a_one_outlet_store(open_app, small_store, seed_store):
    assert not open_app(small_store, "outlets.py", source=["Daily"]).info  # a filter to one outlet is no hint
    (hint,) = open_app(seed_store, "outlets.py").info
    assert "--source NAME=PATH" in hint.value

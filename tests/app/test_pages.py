"""Every page rendered by Streamlit's AppTest: no exception, filters that do what they say."""

from __future__ import annotations

import base64
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from dashboard import store
from dashboard.filters import Filters
from dashboard.ui import editing
from dashboard.ui.frame import PAGES
from tests.app import stores
from tests.app.conftest import connect, copy_store

PAGE_FILES = [file for file, *_ in PAGES]


def titles(at) -> list[str]:
    return [t.value for t in at.title]


def first_caption(at) -> str:
    """The filter sentence under the page title."""
    return at.caption[0].value


def table_with(at, *columns: str) -> pd.DataFrame:
    """The first dataframe on the page having these columns."""
    for frame in at.dataframe:
        value = frame.value
        if all(c in value.columns for c in columns):
            return value
    raise AssertionError(f"no table with columns {columns}; tables: {[list(f.value.columns) for f in at.dataframe]}")


# --- every page renders ----------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_on_the_small_store(open_app, small_store, page):
    at = open_app(small_store, page)
    assert not at.exception, at.exception
    assert titles(at) == [dict((f, t) for f, t, *_ in PAGES)[page]]
    assert first_caption(at) == "All articles"


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_on_the_seed_store(open_app, seed_store, page):
    at = open_app(seed_store, page)
    assert not at.exception, at.exception
    assert not at.error


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_renders_on_a_reuters_sample(open_app, reuters_store, page):
    at = open_app(reuters_store, page)
    assert not at.exception, at.exception
    assert not at.error


def test_navigation_switches_through_every_page_keeping_the_filters(open_app, small_store):
    at = open_app(small_store)
    assert titles(at) == ["Overview"]
    at.multiselect(key="filter_speakers").set_value(["Jane Roe"]).run()
    for file, title, *_ in PAGES:
        at.switch_page(f"pages/{file}").run()
        assert not at.exception, (file, at.exception)
        assert titles(at) == [title]
        assert first_caption(at) == "Articles where speaker is Jane Roe"
        assert Filters.from_params(dict(at.query_params)) == Filters(speakers=("Jane Roe",))


# --- filters change the tables to exactly what the store says ----------------------------------


def test_overview_counts_follow_the_speaker_filter(open_app, small_store):
    at = open_app(small_store)
    assert [m.value for m in at.metric] == ["5", "5", "3", "5"]
    at.multiselect(key="filter_speakers").set_value(["Jane Roe"]).run()
    # Jane Roe is quoted in a1 and a2: 2 articles, her 2 quotes, 1 speaker, 4 entities in those articles.
    assert [m.value for m in at.metric] == ["2", "2", "1", "4"]


def _busy_month(con, speaker: str) -> tuple:
    """The calendar month with most of the speaker's quotes, inside the sample's span."""
    month = con.execute(
        """
        SELECT date_trunc('month', a.date) FROM quotes q JOIN articles a USING (article_id) WHERE q.speaker = ?
        GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""",
        [speaker],
    ).fetchone()[0]
    start = month.date() if hasattr(month, "date") else month
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    # The date picker refuses a day after the corpus's last one (the busy month may be the last month).
    last = con.execute("SELECT max(date) FROM articles").fetchone()[0]
    return start, min(end, last)


def test_date_range_and_speaker_give_exactly_the_stores_quotes(open_app, reuters_store):
    con = connect(reuters_store)
    top = con.execute(
        "SELECT speaker, count(*) n FROM quotes WHERE speaker IS NOT NULL "
        "GROUP BY speaker ORDER BY n DESC, speaker LIMIT 1"
    ).fetchone()[0]
    start, end = _busy_month(con, top)
    at = open_app(reuters_store, "speakers.py")
    at.multiselect(key="filter_speakers").set_value([top]).run()
    at.date_input(key="filter_dates").set_value((start, end)).run()
    assert first_caption(at) == f"Articles where {start.isoformat()} to {end.isoformat()}; speaker is {top}"
    shown = table_with(at, "quote", "speaker")
    expected = con.execute(
        """
        SELECT q.quote FROM quotes q JOIN articles a USING (article_id)
        WHERE q.speaker = ? AND a.date BETWEEN ? AND ? ORDER BY a.date DESC, q.article_id, q.quote_index""",
        [top, start, end],
    ).df()
    everywhere = con.execute("SELECT count(*) FROM quotes WHERE speaker = ?", [top]).fetchone()[0]
    assert 0 < len(expected) <= everywhere
    assert list(shown["quote"]) == list(expected["quote"])
    assert set(shown["speaker"]) == {top}


def test_date_range_narrows_the_small_store_to_literal_rows(open_app, small_store):
    at = open_app(small_store, "speakers.py")
    at.date_input(key="filter_dates").set_value((dt.date(2025, 1, 10), dt.date(2025, 2, 28))).run()
    assert first_caption(at) == "Articles where 2025-01-10 to 2025-02-28"
    quotes = table_with(at, "quote", "speaker")
    assert list(quotes["quote"]) == ["We expect growth,", "Oil is cheap,", "No,"]
    at.multiselect(key="filter_speakers").set_value(["Jane Roe"]).run()
    quotes = table_with(at, "quote", "speaker")
    assert list(quotes["quote"]) == ["No,"]
    assert first_caption(at) == "Articles where 2025-01-10 to 2025-02-28; speaker is Jane Roe"


def test_articles_table_follows_entity_topic_and_text_filters(open_app, small_store):
    at = open_app(small_store, "articles.py")
    assert list(table_with(at, "title")["article_id"]) == ["a5", "a4", "a3", "a2", "a1"]
    at.multiselect(key="filter_entities").set_value(["Acme Corp"]).run()
    assert list(table_with(at, "title")["article_id"]) == ["a3", "a1"]
    at.multiselect(key="filter_topics").set_value(["economy and business"]).run()
    at.text_input(key="filter_text").set_value("growth").run()
    assert list(table_with(at, "title")["article_id"]) == ["a3"]


def test_date_presets_are_relative_to_the_corpus(open_app, small_store):
    at = open_app(small_store)
    at.selectbox(key="filter_preset").set_value("Last 30 days").run()
    # The corpus ends on 2025-03-15: the last 30 days start on 2025-02-14.
    assert first_caption(at) == "Articles where 2025-02-14 to 2025-03-15"
    assert at.metric[0].value == "2"
    at.selectbox(key="filter_preset").set_value("All dates").run()
    assert first_caption(at) == "All articles"


def test_time_charts_of_a_decades_long_archive_start_per_quarter_and_per_month_for_a_season(open_app, tmp_path):
    tables = stores.tables()
    tables["articles"].loc[0, "date"] = dt.date(1990, 5, 5)  # a1: 35 years before the rest
    directory = tmp_path / "store"
    store.write_snapshot(directory, tables, {"model": "hand-built", "counts": {"articles": 5}})

    def bars(at) -> dict[str, int]:
        trace = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
        y = trace["y"]  # plotly sends numbers as typed binary arrays
        counts = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]) if isinstance(y, dict) else y
        return {str(x)[:10]: int(n) for x, n in zip(trace["x"], counts)}

    at = open_app(directory, "overview.py")
    assert at.segmented_control(key="overview_freq").value == "quarter"
    assert bars(at) == {"1990-04-01": 1, "2025-01-01": 4}
    # The default follows the dates shown: one season of 2025 is drawn per month again.
    season = open_app(directory, "overview.py", start="2025-01-01", end="2025-03-31")
    assert season.segmented_control(key="overview_freq").value == "month"
    assert bars(season) == {"2025-01-01": 1, "2025-02-01": 1, "2025-03-01": 2}
    # A choice the user makes stays; clearing it falls back to the default.
    at.segmented_control(key="overview_freq").set_value("year").run()
    assert bars(at) == {"1990-01-01": 1, "2025-01-01": 4}
    at.segmented_control(key="overview_freq").set_value(None).run()
    assert bars(at) == {"1990-04-01": 1, "2025-01-01": 4}


def test_clear_all_resets_every_filter(open_app, small_store):
    at = open_app(small_store, speakers="Jane Roe", text="oil", entity_labels="PERSON")
    assert first_caption(at) == "Articles where speaker is Jane Roe; entity type is PERSON; text has the word “oil”"
    at.button(key="filter_clear").click().run()
    assert first_caption(at) == "All articles"
    assert at.multiselect(key="filter_speakers").value == []
    assert dict(at.query_params) == {}


# --- empty results, missing stores ---------------------------------------------------------


@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_filter_matching_nothing_explains_itself_on_every_page(open_app, small_store, page):
    at = open_app(small_store, page)
    at.text_input(key="filter_text").set_value("no such words anywhere").run()
    assert not at.exception
    assert "No articles match these filters" in at.warning[0].value
    assert not at.dataframe and not at.get("plotly_chart")
    at.button(key="empty_clear").click().run()
    assert first_caption(at) == "All articles"


@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_link_with_filters_reopens_them_on_every_page(open_app, small_store, page):
    at = open_app(small_store, page, speakers="Jane Roe", start="2025-01-10", end="2025-02-28")
    assert not at.exception, at.exception
    assert first_caption(at) == "Articles where 2025-01-10 to 2025-02-28; speaker is Jane Roe"


def test_a_missing_store_gives_a_friendly_message(open_app, tmp_path):
    at = open_app(tmp_path / "nowhere")
    assert not at.exception
    assert "The news store cannot be opened" in at.error[0].value
    assert "preprocess" in at.error[0].value


def test_an_unreadable_manifest_gives_a_friendly_message(open_app, tmp_path):
    (tmp_path / store.MANIFEST).write_text("{not json", encoding="utf-8")
    at = open_app(tmp_path, "overview.py")
    assert not at.exception
    assert "cannot be read" in at.error[0].value


def test_a_missing_store_can_be_built_from_the_seeds(open_app, tmp_path):
    at = open_app(tmp_path / "fresh", "overview.py")
    at.button(key="build_seed_store").click().run()
    assert not at.exception, at.exception
    assert titles(at) == ["Overview"]
    assert json.loads((tmp_path / "fresh" / store.MANIFEST).read_text())["counts"]["articles"] >= 1


def test_an_empty_store_says_so(open_app, tmp_path):
    store.write_snapshot(tmp_path, {t: store.empty_frame(t) for t in store.SCHEMAS}, {})
    at = open_app(tmp_path, "overview.py")
    assert not at.exception
    assert "holds no articles" in at.info[0].value


# --- URLs ------------------------------------------------------------------------------------


def test_widgets_write_the_filters_into_the_url_and_the_url_reopens_them(open_app, small_store):
    at = open_app(small_store, "speakers.py")
    at.multiselect(key="filter_speakers").set_value(["Jane Roe", "John Doe"]).run()
    at.multiselect(key="filter_speaker_kinds").set_value(["person"]).run()
    at.date_input(key="filter_dates").set_value((dt.date(2025, 1, 6), dt.date(2025, 2, 1))).run()
    at.text_input(key="filter_text").set_value("oil").run()
    params = {k: at.query_params[k] for k in at.query_params}
    chosen = Filters(
        start=dt.date(2025, 1, 6),
        end=dt.date(2025, 2, 1),
        speakers=("Jane Roe", "John Doe"),
        speaker_kinds=("person",),
        text="oil",
    )
    assert Filters.from_params(params) == chosen

    reopened = open_app(small_store, "speakers.py", **params)
    assert first_caption(reopened) == chosen.describe()
    assert reopened.multiselect(key="filter_speakers").value == ["Jane Roe", "John Doe"]
    assert reopened.date_input(key="filter_dates").value == (dt.date(2025, 1, 6), dt.date(2025, 2, 1))
    assert list(table_with(reopened, "quote")["quote"]) == ["Oil is cheap,", "No,"]


def test_links_to_articles_keep_every_filter():
    from dashboard.ui.widgets import links_to_articles

    f = Filters(
        start=dt.date(2025, 1, 1),
        speakers=("Jane Roe",),
        entities=("Acme Corp",),
        entity_labels=("ORG",),
        topics=("economy and business",),
        text="growth",
    )
    assert list(links_to_articles(pd.Series(["a1", "a 3"]), f)) == [
        "articles?start=2025-01-01&speakers=Jane+Roe&entities=Acme+Corp&entity_labels=ORG"
        "&topics=economy+and+business&text=growth&article=a1",
        "articles?start=2025-01-01&speakers=Jane+Roe&entities=Acme+Corp&entity_labels=ORG"
        "&topics=economy+and+business&text=growth&article=a%203",
    ]


def test_an_article_link_reopens_entity_and_topic_filters(open_app, small_store):
    at = open_app(small_store, "articles.py", entities="Acme Corp", topics="economy and business", article="a3")
    assert not at.exception, at.exception
    assert first_caption(at) == "Articles where entity is Acme Corp; topic is economy and business"
    assert list(table_with(at, "title")["article_id"]) == ["a3", "a1"]
    assert at.selectbox(key="article_pick").value == "a3"


def test_url_values_that_do_not_fit_are_ignored_or_clamped(open_app, small_store):
    at = open_app(small_store, start="not-a-date", end="2030-01-01", entity_labels="BOGUS")
    assert not at.exception
    assert first_caption(at) == "All articles"


# --- articles: highlighted text, never executed --------------------------------------------


def test_article_text_with_markup_is_shown_as_text(open_app, small_store):
    at = open_app(small_store, "articles.py", article="a4")
    assert not at.exception
    html = next(m.value for m in at.markdown if "article-text" in m.value)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script" not in html and "<img" not in html
    # The quote is marked, with its (unknown) speaker; the entity is highlighted.
    assert '<span class="speaker unknown">speaker unknown</span>&quot;<mark class="quote"' in html
    assert '<mark class="ent-person" title="PERSON">Jane Roe</mark>' in html
    assert at.selectbox(key="article_pick").value == "a4"
    assert at.subheader[0].value == r"Markup \<b\>test\</b\>"  # Markdown-escaped: shown as written


def test_an_opened_article_shows_its_tags_and_quotes(open_app, small_store):
    at = open_app(small_store, "articles.py", article="a2")
    html = next(m.value for m in at.markdown if "article-text" in m.value)
    assert (
        '<span class="speaker">John Doe</span>&quot;<mark class="quote" title="John Doe">Oil is cheap,</mark>' in html
    )
    assert '<span class="speaker">Jane Roe</span>&quot;<mark class="quote" title="Jane Roe">No,</mark>' in html
    quotes = table_with(at, "cue", "rule")
    assert list(quotes["speaker"]) == ["John Doe", "Jane Roe"]
    tags = table_with(at, "evidence")
    assert list(tags["topic"]) == ["energy", "oil price cheap"]


# --- speakers: merge and rename ------------------------------------------------------------


def chart_titles(at) -> list[str]:
    """The titles of the Plotly charts the run sent (a chart not sent costs the browser nothing)."""
    return [json.loads(chart.proto.spec)["layout"]["title"]["text"] for chart in at.get("plotly_chart")]


def test_only_the_open_tab_of_the_speakers_page_draws_its_heatmap(open_app, small_store):
    at = open_app(small_store, "speakers.py")
    assert "Quotes of the top speakers by article topic" in chart_titles(at)
    assert "Articles where the speaker is quoted and the entity mentioned" not in chart_titles(at)
    at.session_state["speakers_tab"] = "Who talks about whom"
    at.run()
    assert not at.exception, at.exception
    assert "Articles where the speaker is quoted and the entity mentioned" in chart_titles(at)
    assert "Quotes of the top speakers by article topic" not in chart_titles(at)


def open_editor(at, key: str):
    """Open one of the Speakers page's editors (an expander whose content runs only while open)."""
    at.session_state[key] = True
    return at.run()


def test_merging_two_speakers_recounts_and_keeps_the_filter(open_app, writable_small_store):
    at = open_editor(open_app(writable_small_store, "speakers.py", speakers="John Doe"), editing.SPEAKER_EDITOR)
    at.selectbox(key="merge_from").set_value("John Doe")
    at.selectbox(key="merge_into").set_value("Jane Roe")
    at.button[[b.label for b in at.button].index("Merge")].click().run()
    assert not at.exception, at.exception
    assert at.multiselect(key="filter_speakers").value == ["Jane Roe"]
    con = connect(writable_small_store)
    assert con.execute("SELECT count(*) FROM quotes WHERE speaker = 'Jane Roe'").fetchone()[0] == 3
    assert con.execute("SELECT count(*) FROM quotes WHERE speaker = 'John Doe'").fetchone()[0] == 0
    assert set(table_with(at, "quote", "speaker")["speaker"]) == {"Jane Roe"}
    assert len(table_with(at, "quote", "speaker")) == 3


def test_the_editors_find_any_speaker_beyond_the_ones_they_offer(open_app, writable_small_store, monkeypatch):
    monkeypatch.setattr(editing, "EDITOR_CHOICES", 1)  # only the most quoted is offered before a search
    at = open_app(writable_small_store, "speakers.py")
    editor_keys = (
        "merge_find",
        "merge_from",
        "merge_into",
        "rename_from",
        "rename_to",
        "gender_find",
        "gender_speaker",
    )
    assert not {w.key for w in [*at.main.selectbox, *at.main.text_input]} & set(editor_keys)  # closed: labels only
    at = open_editor(at, editing.SPEAKER_EDITOR)
    assert at.selectbox(key="merge_from").options == ["Jane Roe"]
    at.text_input(key="merge_find").set_value("doe").run()
    assert at.selectbox(key="merge_from").options == ["John Doe"]
    at.selectbox(key="merge_from").set_value("John Doe").run()
    at.text_input(key="merge_find").set_value("roe").run()
    assert at.selectbox(key="merge_into").options == ["John Doe", "Jane Roe"]  # the pick is kept
    at.selectbox(key="merge_into").set_value("Jane Roe")
    at.button[[b.label for b in at.button].index("Merge")].click().run()
    assert not at.exception, at.exception
    con = connect(writable_small_store)
    assert con.execute("SELECT count(*) FROM quotes WHERE speaker = 'John Doe'").fetchone()[0] == 0
    at = open_editor(at, editing.GENDER_EDITOR)
    at.text_input(key="gender_find").set_value("finance").run()
    assert at.selectbox(key="gender_speaker").options == []  # an organisation has no gender to correct
    assert "No person speaker has \u201cfinance\u201d in its name." in [c.value for c in at.caption]


def test_discovery_on_too_small_a_store_explains_why(open_app, writable_small_store):
    at = open_app(writable_small_store, "topics.py")
    at.number_input(key="discover_k").set_value(2)
    at.button(key="discover_run").click().run()
    assert not at.exception
    assert at.error[0].value == "Discovery failed: too few articles or shared terms to discover topics"


def test_discovering_topics_from_the_topics_page_stores_and_shows_them(open_app, reuters_store, tmp_path):
    writable = copy_store(reuters_store, tmp_path / "store")
    at = open_app(writable, "topics.py")
    at.number_input(key="discover_k").set_value(2)
    at.button(key="discover_run").click().run()
    assert not at.exception, at.exception
    assert not at.error, at.error[0].value
    assert "Topic discovery finished" in at.success[0].value
    con = connect(writable)
    found = con.execute("SELECT count(DISTINCT topic) FROM topics WHERE kind = 'discovered'").fetchone()[0]
    assert found == 2
    assert con.execute("SELECT count(*) FROM topic_terms").fetchone()[0] > 0
    at.segmented_control(key="topics_kind").set_value("Discovered topics").run()
    assert not at.exception
    assert len(table_with(at, "title")) >= 1


def test_the_topics_page_says_which_topics_the_corpus_itself_shaped(open_app, reuters_store, small_store):
    manifest = store.read_manifest(reuters_store)
    shaped = [t for t, n in manifest["topic_prototypes"]["articles"].items() if n]
    assert shaped  # 200 Reuters articles: enough confident economy articles at least
    note = next(c.value for c in open_app(reuters_store, "topics.py").caption if "Taxonomy tags weigh" in c.value)
    assert f"{len(shaped)} of 14 topics are as this corpus writes about them" in note
    assert all(topic in note for topic in shaped)
    note = next(c.value for c in open_app(small_store, "topics.py").caption if "Taxonomy tags weigh" in c.value)
    assert "the descriptions alone decide" in note


def test_first_start_builds_the_default_store_from_the_seeds(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from dashboard import settings

    monkeypatch.delenv(settings.STORE_ENV, raising=False)
    monkeypatch.setattr(settings, "default_store", lambda: tmp_path / "default")
    at = AppTest.from_file(str(settings.PROJECT_ROOT / "pages" / "overview.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert titles(at) == ["Overview"]
    assert at.status[0].label.startswith("Built a store of 1 article at")
    assert int(at.metric[0].value) >= 1
    assert (tmp_path / "default" / store.MANIFEST).is_file()


def test_choosing_another_article_in_the_picker_replaces_the_linked_one(open_app, small_store):
    at = open_app(small_store, "articles.py", article="a4")
    at.selectbox(key="article_pick").set_value("a2").run()
    assert at.subheader[0].value == "Oil cheap"
    assert at.query_params["article"] == "a2"
    at.selectbox(key="article_pick").set_value(None).run()
    assert not at.main.subheader and "article" not in at.query_params


def test_a_new_snapshot_under_an_open_page_is_picked_up_and_dates_fit_it(open_app, writable_small_store):
    from tests.app.stores import tables

    at = open_app(writable_small_store, "overview.py")
    assert at.metric[0].value == "5"
    narrower = tables()
    narrower["articles"] = narrower["articles"].iloc[1:3]  # a2 and a3: 2025-01-20 to 2025-02-03
    store.write_snapshot(writable_small_store, narrower, {})
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].value == "2"
    assert at.date_input(key="filter_dates").value == (dt.date(2025, 1, 20), dt.date(2025, 2, 3))
    assert first_caption(at) == "All articles"


def test_renaming_a_speaker_saves_an_alias_and_renames_everywhere(open_app, writable_small_store):
    at = open_editor(open_app(writable_small_store, "speakers.py"), editing.SPEAKER_EDITOR)
    at.selectbox(key="rename_from").set_value("Ministry of Finance")
    at.text_input(key="rename_to").set_value("Finance Ministry")
    at.button[[b.label for b in at.button].index("Rename")].click().run()
    assert not at.exception, at.exception
    assert "Ministry of Finance\tFinance Ministry" in (writable_small_store / "aliases.tsv").read_text(encoding="utf-8")
    assert "Finance Ministry" in set(table_with(at, "quote", "speaker")["speaker"])
    assert "Ministry of Finance" not in set(table_with(at, "quote", "speaker")["speaker"])


def test_renaming_to_the_same_name_is_refused_with_a_reason(open_app, writable_small_store):
    at = open_editor(open_app(writable_small_store, "speakers.py"), editing.SPEAKER_EDITOR)
    at.selectbox(key="rename_from").set_value("Jane Roe")
    at.text_input(key="rename_to").set_value("Jane Roe")
    at.button[[b.label for b in at.button].index("Rename")].click().run()
    assert at.warning[0].value == "Choose a speaker and a different name for it."
    assert not (writable_small_store / "aliases.tsv").exists()


def test_reuters_articles_table_equals_the_stores_articles_for_a_speaker_and_dates(open_app, reuters_store):
    con = connect(reuters_store)
    speaker = con.execute(
        "SELECT speaker FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker "
        "ORDER BY count(DISTINCT article_id) DESC, speaker LIMIT 1"
    ).fetchone()[0]
    start, end = _busy_month(con, speaker)
    at = open_app(reuters_store, "articles.py", speakers=speaker, start=start.isoformat(), end=end.isoformat())
    expected = con.execute(
        """
        SELECT article_id FROM articles WHERE date BETWEEN ? AND ?
          AND article_id IN (SELECT article_id FROM quotes WHERE speaker = ?)
        ORDER BY date DESC, title, article_id""",
        [start, end, speaker],
    ).df()
    assert len(expected) >= 1
    assert list(table_with(at, "title")["article_id"]) == list(expected["article_id"])


def test_long_tables_show_their_first_rows_and_say_how_many_there_are(open_app, small_store, monkeypatch):
    from dashboard.ui import widgets

    monkeypatch.setattr(widgets, "MAX_SHOWN", 2)
    at = open_app(small_store, "speakers.py")
    assert list(table_with(at, "quote", "speaker")["quote"]) == ["We are calm,", "We expect growth,"]
    assert any(c.value.startswith("Showing the first 2 of 5 rows; the downloads hold all of them") for c in at.caption)
    assert "5 rows" in [c.value for c in at.caption]


def topic_line_colours(at, title: str) -> dict[str, str]:
    """Line colour per topic in the chart titled `title`."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec["layout"]["title"]["text"] == title:
            return {t["name"]: t["line"]["color"] for t in spec["data"]}
    raise AssertionError(f"no chart titled {title!r}")


def test_a_topic_keeps_its_colour_on_overview_and_topics_whatever_the_filter(open_app, small_store):
    overview = topic_line_colours(
        open_app(small_store, "overview.py"), "Topic mix over time (share of articles per period)"
    )
    at = open_app(small_store, "topics.py")
    assert topic_line_colours(at, "Topic share over time") == overview
    at.multiselect(key="filter_topics").set_value(["travel"]).run()
    assert topic_line_colours(at, "Topic share over time") == {"travel": overview["travel"]}
    assert len(set(overview.values())) == len(overview) == 3


def test_a_link_opens_a_filtered_article_older_than_the_table_rows(open_app, small_store, monkeypatch):
    # The table holds the newest rows only (2 here, 5,000 in use); a quote's "open" link may name an older article.
    monkeypatch.setattr("dashboard.ui.MAX_SHOWN", 2)
    monkeypatch.setattr("dashboard.ui.widgets.MAX_SHOWN", 2)
    at = open_app(small_store, "articles.py", article="a1")
    assert not at.exception, at.exception
    assert len(table_with(at, "title", "date")) == 2
    assert at.selectbox(key="article_pick").value == "a1"
    assert any("Prices will rise," in m.value for m in at.markdown if "article-text" in m.value)
    # An article the filters leave out is still not opened by a link.
    outside = open_app(small_store, "articles.py", article="a1", start="2025-02-01", end="2025-03-15")
    assert outside.selectbox(key="article_pick").value is None
    assert not [m for m in outside.markdown if "article-text" in m.value]

"""The Compare and Word over time pages in AppTest: opened from links, edited with buttons, downloads per side."""

from __future__ import annotations

from urllib.parse import urlencode

from dashboard import comparison
from dashboard.filters import Filters
from tests.app.test_downloads import click, csv_rows  # noqa: F401 - click is a fixture

JANE, JOHN = Filters(speakers=("Jane Roe",)), Filters(speakers=("John Doe",))


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def tables(at, column: str) -> list:
    """The page's tables having `column`, in page order (AppTest gives a dataframe no key)."""
    return [frame.value for frame in at.dataframe if column in frame.value.columns]


def comparison_in_url(at) -> tuple[Filters, ...]:
    return comparison.from_params({name: at.query_params[name] for name in at.query_params})


def test_a_copied_comparison_link_reopens_both_sides_with_their_own_tables(open_app, small_store, click):  # noqa: F811
    at = open_app(small_store, "compare.py", **{"sides": "2", "a.speakers": "Jane Roe", "b.speakers": "John Doe"})
    assert not at.exception, at.exception
    assert "Articles where speaker is Jane Roe" in captions(at) and "Articles where speaker is John Doe" in captions(at)
    assert [m.value for m in at.metric] == ["2", "2", "1", "1"]  # articles and quotes of A, then of B
    # Jane Roe's articles (a1, a2) against John Doe's (a2): rise is A's (2 against 0), oil and cheap B's.
    side_a, side_b = tables(at, "term")
    assert list(side_a["term"]) == ["rise", "price", "share"]
    assert list(side_b["term"]) == ["cheap", "oil"]
    # Each side's downloads carry that side's sentence.
    assert csv_rows(click(at, "compare_words_b_csv"))[:2] == [
        ["# Articles where speaker is John Doe"],
        ["term", "count", "others", "per_10k", "others_per_10k", "z", "rank"],
    ]
    assert csv_rows(click(at, "compare_speakers_a_csv"))[0] == ["# Articles where speaker is Jane Roe"]
    assert comparison_in_url(at) == (JANE, JOHN)


def test_splitting_the_sidebar_makes_one_side_per_speaker_and_the_url_holds_them(open_app, small_store):
    at = open_app(small_store, "compare.py")
    assert not at.exception and any("Nothing compared yet" in i.value for i in at.info)
    at.multiselect(key="filter_speakers").set_value(["Jane Roe", "John Doe"]).run()
    at.button(key="compare_split_speakers").click().run()
    assert not at.exception, at.exception
    assert comparison_in_url(at) == (JANE, JOHN)
    assert Filters.from_params(dict(at.query_params)) == Filters(speakers=("Jane Roe", "John Doe"))  # sidebar too


def test_a_side_is_edited_in_the_sidebar_and_put_back(open_app, small_store):
    at = open_app(small_store, "compare.py", **{"sides": "2", "a.speakers": "Jane Roe", "b.speakers": "John Doe"})
    at.button(key="compare_edit_b").click().run()
    assert at.multiselect(key="filter_speakers").value == ["John Doe"]  # side B is now in the sidebar
    at.multiselect(key="filter_speakers").set_value(["Ministry of Finance"]).run()
    at.text_input(key="filter_text").input("growth").run()
    at.button(key="compare_set_b").click().run()
    assert comparison_in_url(at) == (JANE, Filters(speakers=("Ministry of Finance",), text="growth"))
    at.button(key="compare_add").click().run()  # the sidebar's filters once more, as side C
    assert len(comparison_in_url(at)) == 3
    at.button(key="compare_remove_a").click().run()
    assert comparison_in_url(at)[0].speakers == ("Ministry of Finance",)
    assert not at.exception, at.exception


def test_four_sides_at_most(open_app, small_store):
    sides = [JANE, JOHN, Filters(topics=("energy",)), Filters()]
    at = open_app(small_store, "compare.py", **comparison.to_params(sides))
    assert not at.exception, at.exception
    assert at.button(key="compare_add").disabled
    assert [c for c in captions(at) if c.startswith(("Articles where", "All articles"))][1:] == [
        s.describe() for s in sides
    ]


def test_the_word_page_counts_per_1000_and_lists_each_use_with_a_link(open_app, small_store, click):  # noqa: F811
    at = open_app(small_store, "words.py", word="jane roe", entities="Jane Roe")
    assert not at.exception, at.exception
    sentence = "Articles where entity is Jane Roe; text has the phrase \u201cjane roe\u201d"
    assert f"4 of 4 articles: {sentence}" in captions(at)
    (lines,) = tables(at, "match")
    assert list(lines["article_id"]) == ["a4", "a3", "a2", "a1"]  # newest first
    assert list(lines["match"]) == ["Jane Roe"] * 4
    assert lines["right"].iloc[3] == ". Ministry of Finance stayed quiet."
    linked = Filters(entities=("Jane Roe",), text='"jane roe"')
    assert lines["open"].iloc[0] == "articles?" + urlencode({**linked.to_params(), "article": "a4"}, doseq=True)
    assert csv_rows(click(at, "words_kwic_csv"))[0] == [f"# {sentence}"]
    figure = at.get("plotly_chart")[0]
    assert '"per 1,000' in figure.proto.spec or "per 1,000" in figure.proto.spec


def test_the_word_page_splits_by_outlet_and_keeps_the_word_in_the_url(open_app, small_store):
    at = open_app(small_store, "words.py", word="price")
    assert at.query_params["word"] == "price"
    at.segmented_control(key="words_split").set_value("outlet").run()
    assert not at.exception, at.exception
    spec = at.get("plotly_chart")[0].proto.spec
    assert '"name":"Wire"' in spec and '"name":"Daily"' in spec
    at.text_input(key="words_query").input("").run()
    assert "word" not in at.query_params
    assert any("Type a word or phrase" in i.value for i in at.info)


def test_the_word_page_offers_no_outlet_split_for_a_one_outlet_store(open_app, seed_store, small_store):
    at = open_app(seed_store, "words.py", word="Peskov")
    assert not at.exception, at.exception
    assert at.segmented_control(key="words_split").options == ["speaker"]
    at.segmented_control(key="words_split").set_value("speaker").run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart")  # the split that is offered still draws
    two = open_app(small_store, "words.py", word="price")
    assert two.segmented_control(key="words_split").options == ["outlet", "speaker"]


def test_identical_sides_have_no_distinctive_words_and_say_so(open_app, small_store):
    at = open_app(small_store, "compare.py", **comparison.to_params([JANE, JANE]))
    assert not at.exception, at.exception
    assert [i.value for i in at.info].count("No word is used here more than on the other sides.") == 2


def test_punctuation_alone_is_not_a_search_that_matches_everything(open_app, small_store):
    at = open_app(small_store, "words.py", word='"\u201c\u201d')
    assert not at.exception, at.exception
    assert any(i.value.startswith("Nothing to look for") for i in at.info)
    assert not at.dataframe


def test_the_comparison_counts_quotes_over_time_on_request(open_app, small_store):
    at = open_app(small_store, "compare.py", **comparison.to_params([JANE, JOHN]))
    at.segmented_control(key="compare_what").set_value("quotes").run()
    assert not at.exception, at.exception
    figure = at.get("plotly_chart")[0].proto.spec
    assert '"text":"quotes"' in figure  # the y axis


def test_the_context_caption_says_how_many_uses_and_articles(open_app, small_store):
    at = open_app(small_store, "words.py", word="jane roe")
    assert "4 uses in the 4 matching articles." in captions(at)

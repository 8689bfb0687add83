"""The search text: read as words, tokens and phrases; answered from the lemma index (`terms`) on a literal store."""

import datetime as dt

import pandas as pd
import pytest

from dashboard import store
from dashboard.filters import Filters, TextQuery, text_query, word_forms

# article: (title, body, lemmas the preprocess would have stored for it)
ARTICLES = {
    "t1": ("Oil prices climb", "Crude oil prices rose again, traders said.", "oil price climb crude rise trader say"),
    "t2": ("Markets", "Political turmoil; the price was fixed.", "market political turmoil price fix"),
    "t3": ("OIL GLUT FEARED", "Output is high.\nThe crude\noil glut grows.", "output high crude oil glut grow"),
    "t4": ("New rules", "A new law on U.S. trade, up 50% in a year.", "new rule law trade year"),
    "t5": ("Priceless", "The painting was priceless, the news said.", "priceless painting news say"),
    "t6": ("Rain_fell", "Oil and crude, apart: crude is not oil here.", "oil crude apart"),
}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    ids = list(ARTICLES)
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "file": "f",
            "line": 1,
            "date": dt.date(2025, 1, 1),
            "title": [ARTICLES[i][0] for i in ids],
            "source": None,
            "url": None,
            "author": None,
            "text": [ARTICLES[i][1] for i in ids],
            "words": 8,
            "quote_marks": 0,
        }
    )
    terms = pd.DataFrame(
        [(i, term, 1) for i in ids for term in ARTICLES[i][2].split()], columns=["article_id", "term", "count"]
    )
    folder = tmp_path_factory.mktemp("text") / "store"
    store.write_snapshot(folder, {"articles": articles, "terms": terms}, {})
    return store.connect(folder)


def ids(con, text: str) -> list[str]:
    sql, params = Filters(text=text).article_where("a")
    return sorted(r[0] for r in con.execute(f"SELECT article_id FROM articles a WHERE {sql}", params).fetchall())


@pytest.mark.parametrize(
    "text, expected",
    [
        ("oil", ["t1", "t3", "t6"]),  # t2's "turmoil" is not the word oil
        ("OIL", ["t1", "t3", "t6"]),
        ("price", ["t1", "t2"]),  # t1 says "prices": its lemma is price; "priceless" is another word
        ("prices", ["t1", "t2"]),  # looked up as its singular too
        ("oil price", ["t1"]),  # every word
        ("glut", ["t3"]),
        ("feared", ["t3"]),  # not a lemma anywhere, but a word of t3's (unparsed, all-caps) title
        ("said", ["t1", "t5"]),  # stored under the lemma "say": looked for as typed in the bodies
        ("the", ["t2", "t3", "t5"]),  # a stop word: the same
        ("news", ["t5"]),  # not the plural of "new" (t4)
        ('"crude oil"', ["t1", "t3"]),  # t3 breaks the line inside the phrase; t6 has both words, apart
        ("\u201ccrude oil\u201d prices", ["t1"]),
        ('"oil crude"', []),
        ('"the price"', ["t2"]),  # a stop word inside a phrase
        ("50%", ["t4"]),
        ("5", ["t4"]),  # tokens the index cannot hold are found as typed, inside longer ones too
        ("rules", ["t4"]),  # a plural the index holds as "rule"
        ("said the", ["t5"]),  # both unknown to the index: both looked for in the bodies
        ("oil said", ["t1"]),
        ("u.s.", ["t4"]),
        ("rain_fell", ["t6"]),  # underscores and percent signs are no wildcards
        ("ra__fell", []),
        ("oil, price?", ["t1"]),  # punctuation around a word is not part of it
        ("zebra", []),
    ],
)
def test_the_search_text_selects_exactly(con, text, expected):
    assert ids(con, text) == expected


@pytest.mark.parametrize("text", ["said", "said the", "oil said", "feared", '"the price"', "5"])
def test_a_date_range_keeps_every_kind_of_match_in_range_and_none_outside(con, text):
    # The lemma lookups and the body scans carry the date range as parameters of their own: bound in
    # the wrong order, a range that holds every article would find none (or raise).
    def dated(start, end):
        sql, params = Filters(text=text, start=start, end=end).article_where("a")
        return sorted(r[0] for r in con.execute(f"SELECT article_id FROM articles a WHERE {sql}", params).fetchall())

    assert dated(dt.date(2024, 12, 31), dt.date(2025, 1, 1)) == ids(con, text) != []
    assert dated(dt.date(2025, 1, 2), dt.date(2025, 3, 1)) == []


def test_reading_the_search_text():
    assert text_query('  Oil prices, "crude  oil" 50% U.S. a (OPEC) -- ') == TextQuery(
        words=("oil", "prices", "opec"), literals=("50%", "U.S.", "a"), phrases=("crude oil",)
    )
    assert text_query("\u201cbank of england\u201d rates") == TextQuery(words=("rates",), phrases=("bank of england",))
    assert text_query('"unclosed phrase') == TextQuery(phrases=("unclosed phrase",))
    assert text_query("oil OIL oil") == TextQuery(words=("oil",))
    assert not text_query(" -- ") and not text_query("")


def test_word_forms_are_the_word_and_its_possible_singulars():
    assert word_forms("price") == ("price",)
    assert word_forms("prices") == ("prices", "price")
    assert word_forms("companies") == ("companies", "company", "companie")
    assert word_forms("taxes") == ("taxes", "tax", "taxe")
    assert word_forms("news") == ("news",)
    assert word_forms("crisis") == ("crisis",)
    assert word_forms("loss") == ("loss",)
    assert word_forms("gas") == ("gas",)


def test_the_sentence_says_what_is_searched():
    assert Filters(text="oil price").describe() == "Articles where text has the words \u201coil price\u201d"
    assert Filters(text=" pause ").describe() == "Articles where text has the word \u201cpause\u201d"
    assert Filters(text='opec "crude oil"').describe() == (
        "Articles where text has the word \u201copec\u201d and the phrase \u201ccrude oil\u201d"
    )
    assert Filters(text=" -- ").describe() == "All articles"


def test_the_search_text_is_a_bound_parameter():
    hostile = "x') OR 1=1; DROP TABLE articles; --"
    sql, params = Filters(text=hostile).article_where("a")
    assert "DROP" not in sql and "1=1" not in sql
    assert any("drop" in str(p).lower() for p in params)

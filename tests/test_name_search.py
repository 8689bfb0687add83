"""Name search over the whole store: what a user types is a literal part of a name, never a pattern."""

import datetime as dt

import pandas as pd
import pytest

from dashboard import queries, store

SPEAKERS = ["50% Club", "5000 Club", "snake_case Ltd", "snakeXcase Ltd", "back\\slash", "Ann Lee", "ANNE LEE"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    articles = pd.DataFrame(
        {
            "article_id": ["n1", "n2"],
            "file": "f",
            "line": 1,
            "date": dt.date(2025, 1, 1),
            "title": "t",
            "source": None,
            "url": None,
            "author": None,
            "text": "b",
            "words": 1,
            "quote_marks": 0,
        }
    )
    # "Ann Lee" is quoted in both articles, so she ranks first of the names containing "lee".
    said = [("n1", s) for s in SPEAKERS] + [("n2", "Ann Lee")]
    quotes = pd.DataFrame(
        {
            "article_id": [a for a, _ in said],
            "quote_index": range(len(said)),
            "speaker": [s for _, s in said],
            "speaker_name": [s for _, s in said],
            "speaker_role": None,
            "speaker_kind": "person",
            "quote": "q",
            "cue": "said",
            "kind": "direct",
            "start_char": 0,
            "end_char": 1,
            "rule": "syntactic",
            "resolved_by": "name",
        }
    )
    entities = pd.DataFrame(
        {"article_id": ["n1", "n2", "n1"], "entity": ["50% Club", "50% Club", "5000 Club"], "label": "ORG", "count": 1}
    )
    folder = tmp_path_factory.mktemp("names") / "store"
    store.write_snapshot(folder, {"articles": articles, "quotes": quotes, "entities": entities}, {})
    return store.connect(folder)


def speakers(con, text):
    return list(queries.speaker_search(con, text, 50)["speaker"])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("50%", ["50% Club"]),  # "%" is itself, not "anything": 5000 Club does not match
        ("e_c", ["snake_case Ltd"]),  # "_" is itself, not "any one character"
        ("k\\s", ["back\\slash"]),  # and so is the escape character
        ("lee", ["Ann Lee", "ANNE LEE"]),  # any case; more quotes first
        ("nobody", []),
    ],
)
def test_speaker_search_takes_the_text_literally(con, text, expected):
    assert speakers(con, text) == expected


def test_entity_search_takes_the_text_literally_and_ranks_by_articles(con):
    found = queries.entity_search(con, "club", 50)
    assert [tuple(r) for r in found[["entity", "label", "articles"]].itertuples(index=False)] == [
        ("50% Club", "ORG", 2),
        ("5000 Club", "ORG", 1),
    ]
    assert list(queries.entity_search(con, "0%", 50)["entity"]) == ["50% Club"]

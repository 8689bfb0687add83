"""Small hand-written stores with known contents, so tests can state literal expected rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard import store

XSS_TITLE = "Markup <b>test</b>"
XSS_BODY = 'Analysts said <script>alert(1)</script> was odd. "We are calm," Jane Roe said. <img src=x onerror=alert(2)>'

_BODIES = {
    "a1": 'Acme Corp shares rose. "Prices will rise," said Jane Roe. Ministry of Finance stayed quiet.',
    "a2": '"Oil is cheap," John Doe said. Jane Roe disagreed. "No," she said.',
    "a3": '"We expect growth," the ministry said. Acme Corp agreed with Jane Roe.',
    "a4": XSS_BODY,
    "a5": 'Nothing quoted here, "scare quotes" aside. John Doe visited Paris.',
}


def _quote_span(body: str, quote: str) -> tuple[int, int]:
    start = body.index(quote)
    return start, start + len(quote)


def tables() -> dict[str, pd.DataFrame]:
    """The five-article store: two speakers, one organisation, one unattributed quote, one HTML article."""
    articles = pd.DataFrame(
        {
            "article_id": ["a1", "a2", "a3", "a4", "a5"],
            "file": ["f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt"],
            "line": [1, 1, 1, 1, 1],
            "date": [
                dt.date(2025, 1, 5),
                dt.date(2025, 1, 20),
                dt.date(2025, 2, 3),
                dt.date(2025, 3, 1),
                dt.date(2025, 3, 15),
            ],
            "title": ["Acme rises", "Oil cheap", "Growth ahead", XSS_TITLE, "Paris visit"],
            "source": ["Wire", "Wire", "Daily", "Daily", "Wire"],
            "url": [None] * 5,
            "author": [None] * 5,
            "text": [_BODIES[k] for k in ("a1", "a2", "a3", "a4", "a5")],
            "words": [14, 12, 12, 15, 9],
            "quote_marks": [2, 4, 2, 2, 2],
        }
    )
    q = []

    def add(aid, idx, speaker, kind_of, quote, cue, kind, rule, resolved):
        s, e = _quote_span(_BODIES[aid], quote)
        q.append(
            dict(
                article_id=aid,
                quote_index=idx,
                speaker=speaker,
                speaker_name=speaker,
                speaker_role=None,
                speaker_kind=kind_of,
                quote=quote,
                cue=cue,
                kind=kind,
                start_char=s,
                end_char=e,
                rule=rule,
                resolved_by=resolved,
            )
        )

    add("a1", 0, "Jane Roe", "person", "Prices will rise,", "said", "direct", "syntactic", "name")
    add("a2", 0, "John Doe", "person", "Oil is cheap,", "said", "direct", "syntactic", "name")
    add("a2", 1, "Jane Roe", "person", "No,", "said", "direct", "syntactic", "pronoun")
    add("a3", 0, "Ministry of Finance", "organisation", "We expect growth,", "said", "direct", "syntactic", "role")
    add("a4", 0, None, None, "We are calm,", "said", "direct", "floating", None)
    quotes = pd.DataFrame(q)
    quotes.loc[quotes["speaker"] == "Ministry of Finance", "speaker_role"] = "the ministry"
    entities = pd.DataFrame(
        [
            ("a1", "Acme Corp", "ORG", 1),
            ("a1", "Jane Roe", "PERSON", 1),
            ("a1", "Ministry of Finance", "ORG", 1),
            ("a2", "John Doe", "PERSON", 1),
            ("a2", "Jane Roe", "PERSON", 1),
            ("a3", "Acme Corp", "ORG", 1),
            ("a3", "Jane Roe", "PERSON", 1),
            ("a4", "Jane Roe", "PERSON", 1),
            ("a5", "John Doe", "PERSON", 1),
            ("a5", "Paris", "GPE", 2),
        ],
        columns=["article_id", "entity", "label", "count"],
    )
    mentions = entities.rename(columns={"entity": "name"})
    topics = pd.DataFrame(
        [
            ("a1", "economy and business", 0.9, "shares; Acme Corp", "taxonomy"),
            ("a2", "energy", 0.8, "oil", "taxonomy"),
            ("a3", "economy and business", 0.7, "growth; ministry", "taxonomy"),
            ("a5", "travel", 0.5, "visit; Paris", "taxonomy"),
            ("a2", "oil price cheap", 0.6, "oil; cheap", "discovered"),
        ],
        columns=["article_id", "topic", "score", "evidence", "kind"],
    )
    topic_terms = pd.DataFrame(
        [("oil price cheap", "oil", 0.9), ("oil price cheap", "price", 0.5), ("oil price cheap", "cheap", 0.4)],
        columns=["topic", "term", "weight"],
    )
    terms = pd.DataFrame(
        [
            ("a1", "share", 1),
            ("a1", "price", 1),
            ("a1", "rise", 2),
            ("a2", "oil", 1),
            ("a2", "cheap", 1),
            ("a3", "growth", 1),
            ("a3", "ministry", 1),
            ("a4", "analyst", 1),
            ("a5", "visit", 1),
            ("a5", "price", 1),
        ],
        columns=["article_id", "term", "count"],
    )
    quote_terms = pd.DataFrame(
        [
            ("a1", 0, "price", 1),
            ("a1", 0, "rise", 1),
            ("a2", 0, "oil", 1),
            ("a2", 0, "cheap", 1),
            ("a3", 0, "growth", 1),
            ("a4", 0, "calm", 1),
        ],
        columns=["article_id", "quote_index", "term", "count"],
    )
    rejects = pd.DataFrame([("bad.txt", "line 1", "no date header")], columns=["file", "where", "reason"])
    return {
        "articles": articles,
        "quotes": quotes,
        "entities": entities,
        "mentions": mentions,
        "topics": topics,
        "topic_terms": topic_terms,
        "terms": terms,
        "quote_terms": quote_terms,
        "rejects": rejects,
    }


def write_small_store(directory: Path) -> Path:
    """Write the five-article store into `directory` and return it."""
    store.write_snapshot(
        directory, tables(), {"model": "hand-built", "created": "2025-04-01T10:00:00+00:00", "counts": {"articles": 5}}
    )
    return directory

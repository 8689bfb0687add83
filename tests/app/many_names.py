"""A store with more speakers and entities than the sidebar lists, so the rarest can only be found by search."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from dashboard import store
from dashboard.ui.sidebar import MAX_CHOICES
from tests.app.stores import tables

COMMON = MAX_CHOICES + 20  # speakers quoted twice and entities of one article: they fill the lists
RARE_SPEAKER = "Zofia Wróblewska"  # quoted once, last by name among the once-quoted: off the list
RARE_ENTITY = "Zzyzx Springs"  # one article, last by name: off the list


def tables_with_many_names() -> dict[str, pd.DataFrame]:
    """The five-article store plus article m1, in which COMMON speakers speak twice and RARE_SPEAKER once."""
    t = tables()
    lines = [f'"Point {i} stands," Speaker {i:03} said. "Twice {i}," Speaker {i:03} added.' for i in range(COMMON)]
    lines.append(f'"Only once," {RARE_SPEAKER} said of {RARE_ENTITY}.')
    body = " ".join(lines)
    t["articles"] = pd.concat(
        [
            t["articles"],
            pd.DataFrame(
                {
                    "article_id": ["m1"],
                    "file": ["m1.txt"],
                    "line": [1],
                    "date": [dt.date(2025, 3, 20)],
                    "title": ["Many voices"],
                    "source": ["Wire"],
                    "url": [None],
                    "author": [None],
                    "text": [body],
                    "words": [len(body.split())],
                    "quote_marks": [2 * len(lines)],
                }
            ),
        ],
        ignore_index=True,
    )
    said = [(f"Speaker {i:03}", f"Point {i} stands,", "said") for i in range(COMMON)]
    said += [(f"Speaker {i:03}", f"Twice {i},", "added") for i in range(COMMON)]
    said.append((RARE_SPEAKER, "Only once,", "said"))
    quotes = []
    for index, (speaker, quote, cue) in enumerate(said):
        start = body.index(f'"{quote}"') + 1
        quotes.append(
            dict(
                article_id="m1",
                quote_index=index,
                speaker=speaker,
                speaker_name=speaker,
                speaker_role=None,
                speaker_kind="person",
                quote=quote,
                cue=cue,
                kind="direct",
                start_char=start,
                end_char=start + len(quote),
                rule="syntactic",
                resolved_by="name",
            )
        )
    t["quotes"] = pd.concat([t["quotes"], pd.DataFrame(quotes)], ignore_index=True)
    names = [(f"Speaker {i:03}", "PERSON") for i in range(COMMON)] + [(RARE_SPEAKER, "PERSON"), (RARE_ENTITY, "LOC")]
    entities = pd.DataFrame([("m1", name, label, 1) for name, label in names], columns=t["entities"].columns)
    t["entities"] = pd.concat([t["entities"], entities], ignore_index=True)
    t["mentions"] = pd.concat([t["mentions"], entities.rename(columns={"entity": "name"})], ignore_index=True)
    return t


def write_many_names_store(directory: Path) -> Path:
    """Write the many-names store into `directory` and return it."""
    store.write_snapshot(
        directory, tables_with_many_names(), {"model": "hand-built", "created": "2025-04-01T10:00:00+00:00"}
    )
    return directory

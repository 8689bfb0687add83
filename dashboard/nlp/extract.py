"""Doc -> everything the store keeps per article: entity mentions and quotes with speakers.

This is the one entry point the preprocessing pipeline calls, in worker processes, on every
article; it adds only linear passes over spaCy's output (no extra model runs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from spacy.tokens import Doc

from dashboard.nlp.entities import Mention, index_entities
from dashboard.nlp.quotes import Quote, extract_quotes

__all__ = ["DocAnnotations", "Mention", "Quote", "annotate_doc"]


@dataclass(frozen=True)
class DocAnnotations:
    """Per-article extraction results."""

    mentions: list[Mention]
    quotes: list[Quote]


def annotate_doc(doc: Doc, body_start: int = 0) -> DocAnnotations:
    """Entity mentions over the whole Doc, and quotes from the body with offsets into the body."""
    entities = index_entities(doc, body_start)
    quotes = [
        replace(q, start_char=q.start_char - body_start, end_char=q.end_char - body_start)
        for q in extract_quotes(doc, entities, body_start)
        if q.start_char >= body_start
    ]
    return DocAnnotations(mentions=entities.mentions, quotes=quotes)

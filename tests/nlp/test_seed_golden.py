"""Golden test: the seed article through the real model and annotate_doc, as the pipeline runs it."""

from pathlib import Path

import pytest

from dashboard.ingest import parse_text_article
from dashboard.nlp.extract import annotate_doc
from dashboard.preprocess import doc_text

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_78016a26d1a55681.txt"


@pytest.fixture(scope="module")
def seed(nlp):
    """(body, annotations) of the seed, read and parsed exactly as the preprocess pipeline does."""
    article = parse_text_article(SEED.read_text(encoding="utf-8"), SEED.name)
    text, body_start = doc_text(article.title, article.text)
    return article.text, annotate_doc(nlp(text), body_start)


def test_every_quotation_is_peskovs(seed):
    body, annotations = seed
    quotes = annotations.quotes
    assert len(quotes) >= 5
    assert {q.speaker for q in quotes} == {"Dmitry Peskov"}
    assert {q.speaker_kind for q in quotes} == {"person"}
    for q in quotes:
        assert body[q.start_char : q.end_char] == q.quote


def test_direct_quotations_are_found_with_their_rules(seed):
    _, annotations = seed
    by_start = {q.quote[:30]: q for q in annotations.quotes}
    assert by_start["The communication channels are"].rule == "direct-before-cue"
    assert by_start["The communication channels are"].resolved_by == "pronoun"
    assert by_start["The communication channels are"].quote.endswith("to speak about a pause,")
    assert by_start["Under normal conditions of con"].rule == "direct-colon"
    assert by_start["Under normal conditions of con"].cue == "added"
    assert by_start["Such a practice existed. Now, "].rule == "floating"
    assert by_start["Such a practice existed. Now, "].resolved_by == "previous"
    # A quotation of three sentences is one quote, attributed once.
    argued = by_start["The Russian side continues to "]
    assert argued.cue == "argued" and argued.quote.endswith("This is no secret,")


def test_indirect_speech_keeps_the_appositive_role(seed):
    _, annotations = seed
    first = annotations.quotes[0]
    assert first.quote == "Communications between the Russian and Ukrainian negotiating groups are currently on hold"
    assert (first.kind, first.rule, first.cue) == ("indirect", "indirect", "said")
    assert first.speaker_role == "Kremlin spokesman"
    assert first.resolved_by == "name"


def test_scare_quotes_and_apostrophes_are_not_quotations(seed):
    _, annotations = seed
    assert not any("thousand-for-thousand" in q.quote for q in annotations.quotes)
    assert not any("soldiers" in q.quote for q in annotations.quotes)


def test_mention_counts(seed):
    _, annotations = seed
    counts = {m.name: m.count for m in annotations.mentions}
    labels = {m.name: m.label for m in annotations.mentions}
    assert counts["Dmitry Peskov"] == 5 and labels["Dmitry Peskov"] == "PERSON"
    assert "Peskov" not in counts  # the surname joined the full name
    assert counts["Kremlin"] >= 1 and "the Kremlin" not in counts
    assert counts["NATO"] == 2
    assert counts["Russia"] >= 3
    assert counts["Ukraine"] >= 1
    assert counts["Europe"] == 2 and "Europe's" not in counts
    assert counts["Donald Trump"] == 1 and "Donald Trump's" not in counts
    assert not {"DATE", "CARDINAL", "TIME"} & set(labels.values())

"""Each quote stage alone, on Docs built by hand (no model): the stage modules are functions of a
frozen ArticleContext, so a rule can be pinned without the parser's moods."""

import dataclasses

import pytest

from dashboard.nlp.entities import index_entities
from dashboard.nlp.quotes import ArticleContext, Rule, extract_quotes
from dashboard.nlp.quotes.attribution import Evidence, pronoun_speaker
from dashboard.nlp.quotes.direct import cue_after, direct, floating
from dashboard.nlp.quotes.marks import Covered
from tests.nlp.handdoc import hand_doc

RUIZ = (
    '"We will appeal," said Ana Ruiz.',
    [
        '" `` punct 6',
        "We PRP nsubj 3",
        "will MD aux 3",
        "appeal VB ccomp 6",
        ", , punct 6",
        "\" '' punct 6",
        "said VBD ROOT 6 say",
        "Ana NNP compound 8 PERSON",
        "Ruiz NNP nsubj 6 I-PERSON",
        ". . punct 6",
    ],
)


def context(text, rows):
    doc = hand_doc(text, rows)
    return ArticleContext.of(doc, index_entities(doc))


def test_an_inverted_cue_after_a_quotation():
    ctx = context(*RUIZ)
    (mark,) = ctx.marked
    cand = cue_after(ctx, mark, len(ctx.text))
    assert (ctx.text[cand.start : cand.end], cand.rule, cand.source.text) == (
        "We will appeal,",
        Rule.DIRECT_INVERTED,
        "Ruiz",
    )


def test_a_scare_quote_mid_sentence_has_no_cue_and_does_not_float():
    ctx = context(
        'The so-called "reform" failed.',
        [
            "The DT det 3",
            "so-called JJ amod 3",
            '" `` punct 3',
            "reform NN nsubj 5",
            "\" '' punct 3",
            "failed VBD ROOT 5 fail",
            ". . punct 5",
        ],
    )
    found, unused = direct(ctx)
    assert found == [] and len(unused) == 1
    assert floating(ctx, unused) == []
    assert extract_quotes(ctx.doc, ctx.entities) == []


def pronoun_doc(pronoun):
    return context(
        f'Tom Ng arrived. "It is over," {pronoun} said.',
        [
            "Tom NNP compound 1 PERSON",
            "Ng NNP nsubj 2 I-PERSON",
            "arrived VBD ROOT 2 arrive",
            ". . punct 2",
            '" `` punct 10',
            "It PRP nsubj 6",
            "is VBZ ccomp 10 be",
            "over RB advmod 6",
            ", , punct 10",
            "\" '' punct 10",
            f"{pronoun} PRP nsubj 10",
            "said VBD ROOT 10 say",
            ". . punct 10",
        ],
    )


@pytest.mark.parametrize("pronoun, speaker", [("he", "Tom Ng"), ("she", None)])
def test_a_pronoun_takes_the_earlier_person_of_its_gender_only(pronoun, speaker):
    ctx = pronoun_doc(pronoun)
    found = pronoun_speaker(ctx, ctx.doc[10], Evidence((), Covered([])))
    assert found.name == speaker


def test_the_context_is_frozen_and_rules_are_a_closed_set():
    ctx = context(*RUIZ)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.text = "other"  # type: ignore[misc]
    (quote,) = extract_quotes(ctx.doc, ctx.entities)
    assert (quote.speaker, quote.rule) == ("Ana Ruiz", "direct-inverted")
    assert type(quote.rule) is str and quote.rule in {r.value for r in Rule}

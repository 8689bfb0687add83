"""Docs built by hand, as spaCy's own tests build them: words, heads, dependencies, tags and
entities given literally, so a quote rule can be tried without the model."""

from __future__ import annotations

from functools import cache

import spacy
from spacy.tokens import Doc
from spacy.util import get_words_and_spaces
from spacy.vocab import Vocab

_POS = {
    "NNP": "PROPN",
    "NN": "NOUN",
    "NNS": "NOUN",
    "PRP": "PRON",
    "WP": "PRON",
    "VBD": "VERB",
    "VBZ": "VERB",
    "VB": "VERB",
    "VBN": "VERB",
    "VBG": "VERB",
    "MD": "AUX",
    "DT": "DET",
    "IN": "ADP",
    "JJ": "ADJ",
    "CD": "NUM",
    "RB": "ADV",
}


@cache
def _vocab() -> Vocab:
    # A blank English vocabulary: lexical attributes (lower case, punctuation) without any model.
    return spacy.blank("en").vocab


def hand_doc(text: str, rows: list[str]) -> Doc:
    """A Doc of `text` from one row per token: 'word TAG dep head [lemma] [ENT]', head an absolute
    token index (the token's own index for the root), ENT a label starting an entity ('PERSON')
    or continuing the previous one ('I-PERSON'). POS follows from the tag ('.' tags are PUNCT)."""
    words, tags, deps, heads, lemmas, ents = [], [], [], [], [], []
    for row in rows:
        word, tag, dep, head, *rest = row.split()
        lemma = next((r for r in rest if not r.isupper() and not r.startswith("I-")), word.lower())
        ent = next((r for r in rest if r.isupper() or r.startswith("I-")), "")
        words.append(word)
        tags.append(tag)
        deps.append(dep)
        heads.append(int(head))
        lemmas.append(lemma)
        ents.append("O" if not ent else ent if ent.startswith("I-") else f"B-{ent}")
    words, spaces = get_words_and_spaces(words, text)
    pos = [_POS.get(t, "PUNCT" if not t[0].isalpha() else "X") for t in tags]
    return Doc(
        _vocab(), words=words, spaces=spaces, tags=tags, pos=pos, deps=deps, heads=heads, lemmas=lemmas, ents=ents
    )

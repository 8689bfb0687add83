"""Doc -> quotations and reported statements, each with its speaker and the rule that found it.

The recipe, one stage module each, every stage a function of the article's frozen
ArticleContext (earlier rules win where spans overlap):
1. marks: quotation marks paired per paragraph (`marks.py`);
2. direct quotes: a quoted span with a speech cue right after it ("...," he said; "...," said
   Peskov), right before it (He added: "..."; he said, "...") or "according to X"; then
   floating quotes, a quotation with no cue of its own that continues a speaker (`direct.py`);
3. reported speech: the complement clause of a speech verb ("Peskov said that ...";
   "..., Peskov said"), including clauses that embed partial quotes, and "according to X"
   (`indirect.py`);
4. dedupe, then speakers are resolved in document order: names to canonical names, pronouns to
   the right person (gender, number), roles ("the spokesman") to the person named in that role
   (`attribution.py`).

Quoted phrases with no cue ("thousand-for-thousand") are scare quotes, and apostrophes
("soldiers' bodies") never open a quotation. Every rule is linear in the length of the Doc.
"""

from __future__ import annotations

from spacy.tokens import Doc

from dashboard.nlp.entities import EntityIndex
from dashboard.nlp.quotes.attribution import resolve
from dashboard.nlp.quotes.context import ArticleContext
from dashboard.nlp.quotes.direct import direct, floating
from dashboard.nlp.quotes.indirect import indirect
from dashboard.nlp.quotes.marks import Covered, merged, paragraphs, quoted_spans
from dashboard.nlp.quotes.records import Candidate, Quote, Rule

__all__ = ["ArticleContext", "Quote", "Rule", "extract_quotes", "paragraphs", "quoted_spans"]


def extract_quotes(doc: Doc, entities: EntityIndex, body_start: int = 0) -> list[Quote]:
    """Quotes found in doc.text[body_start:], offsets still relative to the Doc."""
    return quotes_of(ArticleContext.of(doc, entities, body_start))


def quotes_of(ctx: ArticleContext) -> list[Quote]:
    """The whole recipe on one article's context."""
    found, unused = direct(ctx)
    # A quotation with no cue of its own after one that has ('"A," said X. "B."') is a statement
    # of its own, the previous speaker's (a floating quote): two quotes, as a reader counts them.
    candidates = found + floating(ctx, unused)
    # '"...," said Edward Leamer, an economist': the parse may give an inverted cue a clause of its
    # own (the speaker's description); other cues may still report a clause beside their quotation.
    used_cues = {c.cue.i for c in candidates if c.cue is not None and c.rule == Rule.DIRECT_INVERTED}
    candidates += indirect(ctx, Covered(merged((c.start, c.end) for c in candidates)), used_cues)
    return resolve(ctx, dedupe([c for c in candidates if _is_statement(ctx, c)]))


def _is_statement(ctx: ArticleContext, cand: Candidate) -> bool:
    """Not page furniture (a cue, a speaker or the quote itself inside 'READ MORE: ...' or a photo
    credit), and not a number alone ('5,835.20')."""
    inside = ctx.furniture.covers
    if inside(cand.start) or (cand.cue is not None and inside(cand.cue.idx)):
        return False
    if cand.source is not None and inside(cand.source.idx):
        return False
    return any(ch.isalpha() for ch in ctx.text[cand.start : cand.end])


def dedupe(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the first-found candidate where spans overlap (earlier rules are more precise)."""
    kept: list[Candidate] = []
    covered = Covered([])
    for cand in candidates:
        if cand.end > cand.start and not covered.overlaps(cand.start, cand.end):
            kept.append(cand)
            covered.add(cand.start, cand.end)
    return kept

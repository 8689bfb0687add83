"""Reported speech: the complement clause of a speech verb ("Peskov said that ..."), also where
the parser hung it elsewhere (a later "that", a fronted clause, the rest of a statement verb's
sentence, an attribution set off by commas inside its statement), what someone "vowed to" do,
and statements attributed with "according to". A nested ", saying ..." is a separate statement.
"""

from __future__ import annotations

from spacy.tokens import Token

from dashboard.nlp.quotes.context import ArticleContext
from dashboard.nlp.quotes.marks import Covered
from dashboard.nlp.quotes.records import Candidate, Rule
from dashboard.nlp.quotes.syntax import CUE_WINDOW, SENTENCE_END, cue_subject, object_of

_MIN_INDIRECT_TOKENS = 3
_PROMISE_VERBS = {"vow", "urge"}  # "vowed to ...", "urged Canadians to ...": the infinitive is the statement
# Verbs that report words by naming them: 'called the program "the biggest ..."', 'voiced his
# "frustration ..."', 'described it as "..."'. (Any speech verb governing a quotation was tried:
# precision fell by a point on the develop publishers.)
_NAMING_VERBS = {"call", "describe", "voice", "dub", "brand", "label"}
_MIN_QUOTED_WORDS = 2
# Verbs whose object is what was said, not whom it was said to ('told reporters' is no statement).
_STATEMENT_VERBS = {
    "say",
    "claim",
    "argue",
    "add",
    "insist",
    "state",
    "declare",
    "note",
    "write",
    "explain",
    "contend",
    "assert",
    "maintain",
    "stress",
    "acknowledge",
    "admit",
}


def indirect(ctx: ArticleContext, taken: Covered, used_cues: set[int]) -> list[Candidate]:
    """Complement clauses of speech verbs and statements attributed with "according to", except
    for the cues in used_cues."""
    found = []
    first = ctx.token_at(ctx.body_start)
    for token in ctx.doc[first:]:
        # A cue inside quotation marks is part of what was said, not an attribution.
        if (
            token.idx < ctx.body_start
            or token.i in used_cues
            or taken.covers(token.idx)
            or ctx.in_marks.covers(token.idx)
        ):
            continue
        candidate = None
        if token.lower_ == "according" and token.i + 1 < len(ctx.doc) and ctx.doc[token.i + 1].lower_ == "to":
            candidate = _according_to(ctx, token)
        elif ctx.is_cue(token):
            candidate = _reported(ctx, token)
        if candidate is None and token.pos_ == "VERB" and token.lemma_.lower() in _NAMING_VERBS:
            candidate = _quoted_object(ctx, token)
        if candidate and not taken.overlaps(candidate.start, candidate.end):
            found.append(candidate)
            taken.add(candidate.start, candidate.end)
    return found


def _reported(ctx: ArticleContext, verb: Token) -> Candidate | None:
    # The parser sometimes hangs a previous paragraph on the verb: only its own paragraph counts.
    para = ctx.para_of(verb.idx)
    clauses = [c for c in verb.children if c.dep_ == "ccomp" and ctx.para_of(c.idx) == para]
    clause = next((c for c in clauses if c.i > verb.i), clauses[0] if clauses else None)
    source = cue_subject(verb)
    if source is None or (source.lower_ == "it" and source.dep_ == "nsubjpass"):
        return None
    if clause is None:
        return (
            _fronted(ctx, verb, source)
            or _interpolated(ctx, verb, source)
            or _promised(ctx, verb, source)
            or _tail_clause(ctx, verb, source)
        )
    # A speech verb inside the clause with a clause of its own (', saying ...') is a separate
    # statement: the content stops before it.
    nested = [
        t
        for t in clause.subtree
        if t.i != clause.i
        and t.dep_ in {"advcl", "conj"}
        and ctx.is_cue(t)
        and any(c.dep_ == "ccomp" for c in t.children)
    ]
    cut = {d.i for t in nested for d in t.subtree}
    tokens = [t for t in clause.subtree if t.i not in cut and not (t.i == clause.left_edge.i and t.lower_ == "that")]
    if cut:
        tokens = [t for t in tokens if t.i < min(cut)]
    span = clip(ctx, tokens, verb)
    if span is None:
        return None
    return _statement(ctx, span, verb, source)


def _quoted_object(ctx: ArticleContext, verb: Token) -> Candidate | None:
    """'Ana Ruiz called the program "the biggest waste ..."', 'described it as "a disaster"', 'voiced
    his "frustration with ..."': a quotation of at least two words inside what the verb governs,
    in its sentence, is the subject's words."""
    source = cue_subject(verb)
    if source is None or ctx.in_marks.covers(source.idx) or verb.dep_ in {"amod", "acl"}:
        return None  # 'the so-called "reform"'
    sentence = verb.sent
    governed = {t.i for t in verb.subtree if t.i > verb.i}
    for mark in ctx.marked:
        if not (sentence.start_char <= mark.outer_start < sentence.end_char):
            continue
        inside = ctx.doc.char_span(mark.inner_start, mark.inner_end, alignment_mode="contract")
        words = ctx.text[mark.inner_start : mark.inner_end].split()
        if inside is not None and len(words) >= _MIN_QUOTED_WORDS and any(t.i in governed for t in inside):
            return Candidate(mark.inner_start, mark.inner_end, verb, verb.text, source, "direct", Rule.QUOTED_OBJECT)
    return None


def _statement(ctx: ArticleContext, span: tuple[int, int], verb: Token, source: Token) -> Candidate:
    """A reported statement; 'partial' when it embeds quoted words, 'direct' when they are most of it."""
    start, end = span
    quoted = sum(
        min(end, m.inner_end) - max(start, m.inner_start)
        for m in ctx.marked
        if m.inner_start < end and m.inner_end > start
    )
    kind, rule = ("direct", Rule.DIRECT_PARTIAL) if quoted * 2 >= end - start else ("indirect", Rule.INDIRECT)
    if quoted:
        rule = Rule.DIRECT_PARTIAL if kind == "direct" else Rule.INDIRECT_PARTIAL
    return Candidate(start, end, verb, verb.text, source, kind, rule)


def _promised(ctx: ArticleContext, verb: Token, source: Token) -> Candidate | None:
    """'He vowed to "continue the fight"': what the vow's infinitive says will be done. ('pledged
    to', 'promised to' were tried: on PolNeAR train they added more plans than statements.)"""
    if verb.lemma_.lower() not in _PROMISE_VERBS:
        return None
    action = next((c for c in verb.children if c.dep_ == "xcomp" and c.i > verb.i), None)
    span = clip(ctx, list(action.subtree), verb) if action is not None else None
    return _statement(ctx, span, verb, source) if span else None


def _interpolated(ctx: ArticleContext, verb: Token, source: Token) -> Candidate | None:
    """'Many of the closures, he said, have involved public courses.': an attribution set off by
    commas inside the statement it reports. The span is the whole sentence, attribution
    included, as for a quotation interrupted by its cue."""
    first = min(source.left_edge.i, verb.i)
    if first < 2 or ctx.doc[first - 1].text != ",":
        return None
    attribution = {t.i for t in verb.subtree}
    last = verb.i
    while (
        last + 1 in attribution
        and last + 1 < len(ctx.doc)
        and ctx.doc[last + 1].text != ","
        and last - verb.i < CUE_WINDOW
    ):
        last += 1
    if last + 1 >= len(ctx.doc) or ctx.doc[last + 1].text != ",":
        return None
    sentence = verb.sent
    before = [t for t in sentence if t.i < first - 1 and not t.is_space]
    after = [t for t in sentence if t.i > last + 1 and not t.is_space and not t.is_punct]
    if len(before) < 2 or len(after) < _MIN_INDIRECT_TOKENS:
        return None
    if any(ctx.is_cue(t) and t.i != verb.i for t in before + after if t.dep_ == "ROOT"):
        return None  # the sentence has an attribution of its own
    span = clip(ctx, before + [t for t in sentence if t.i > last + 1], verb)
    return _statement(ctx, span, verb, source) if span else None


def _fronted(ctx: ArticleContext, verb: Token, source: Token) -> Candidate | None:
    """'Talks are on hold, Kremlin spokesman Dmitry Peskov said on Friday.' when the parser did
    not make the statement the verb's clause: the sentence up to the comma before the attribution."""
    first = min(source.left_edge.i, verb.i)
    comma = first - 1
    if comma < 1 or ctx.doc[comma].text != ",":
        return None
    tail = []
    for token in ctx.doc[verb.i + 1 :]:
        if token.text in SENTENCE_END or token.is_space:
            break
        tail.append(token)
    if len(tail) > 6 or any(t.dep_ in {"dobj", "ccomp", "xcomp"} for t in tail):
        return None  # the attribution does not close the sentence: no fronted statement
    para_start = ctx.paras[ctx.para_of(verb.idx)][0]
    start = comma
    while start > 0 and ctx.doc[start - 1].idx >= para_start and ctx.doc[start - 1].text not in SENTENCE_END:
        start -= 1
    span = clip(ctx, list(ctx.doc[start:comma]), verb)
    if span is None:
        return None
    return Candidate(span[0], span[1], verb, verb.text, source, "indirect", Rule.INDIRECT)


def _tail_clause(ctx: ArticleContext, verb: Token, source: Token) -> Candidate | None:
    """The rest of the sentence when the parser missed the verb's clause: 'said following a vote
    in 2001 that he had ...' (a 'that' further on), or 'says the movement ... appeals to ...'."""
    para_end = ctx.paras[ctx.para_of(verb.idx)][1]
    tail = []
    for token in ctx.doc[verb.i + 1 :]:
        if token.idx >= para_end or token.text in SENTENCE_END or token.text == ";":
            break
        tail.append(token)
    that = next((t for t in tail if t.lower_ == "that" and t.dep_ == "mark"), None)
    if that is not None:
        tokens = [t for t in tail if t.i > that.i]
    elif (
        verb.lemma_.lower() in _STATEMENT_VERBS
        and len(tail) >= 6
        and tail[0].pos_ in {"DET", "NOUN", "PROPN", "PRON", "ADJ", "NUM"}
        and tail[0].dep_ != "dative"
    ):
        tokens = tail
    else:
        return None
    span = clip(ctx, tokens, verb)
    if span is None:
        return None
    return Candidate(span[0], span[1], verb, verb.text, source, "indirect", Rule.INDIRECT)


def _according_to(ctx: ArticleContext, according: Token) -> Candidate | None:
    to = ctx.doc[according.i + 1]
    source = object_of(to)
    if source is None:
        return None
    phrase = {according.i, to.i} | {t.i for t in source.subtree}
    head = according.head if according.head.i != according.i else according
    tokens = [t for t in head.subtree if t.i not in phrase]
    # The statement is the side of the sentence the phrase does not occupy.
    left = [t for t in tokens if t.i < according.i]
    right = [t for t in tokens if t.i > max(phrase)]
    side = right if len(right) > len(left) else left
    span = clip(ctx, side, according)
    if span is None:
        return None
    return Candidate(span[0], span[1], according, "according to", source, "indirect", Rule.ACCORDING_TO)


def clip(ctx: ArticleContext, tokens: list[Token], cue: Token) -> tuple[int, int] | None:
    """Character span of tokens, kept inside the cue's paragraph and without edge punctuation."""
    para_start, para_end = ctx.paras[ctx.para_of(cue.idx)]
    tokens = [t for t in tokens if para_start <= t.idx < para_end and not t.is_space]
    while tokens and (tokens[0].is_punct and tokens[0].text not in "\"“‘'"):
        tokens.pop(0)
    while tokens and tokens[-1].is_punct and tokens[-1].text not in "\"”’'":
        tokens.pop()
    if len(tokens) < _MIN_INDIRECT_TOKENS:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    # Extend to whole quotations (of this paragraph) the clause only partly covers.
    for mark in ctx.marked:
        if mark.inner_start < end and mark.inner_end > start and para_start <= mark.outer_start < para_end:
            start, end = min(start, mark.inner_start), max(end, mark.inner_end)
    return start, end

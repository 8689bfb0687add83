"""Direct quotes: a quotation with a speech cue right beside it, and follow-on quotations that
continue a speaker without a cue of their own.

- after the quotation: '"...," he said', '"...," said Peskov', '"...," according to X';
- before it: 'He added: "..."', 'he said, "..."', a colon closing the previous paragraph;
- a quotation interrupted by its cue ('"A," he said, "B."') or resumed after a long attribution
  in the same sentence is one quote;
- floating: a quotation with no cue that opens a paragraph or a sentence continues the previous
  speaker (decided in attribution); a quoted phrase inside a sentence does not.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Token

from dashboard.nlp.quotes.context import ArticleContext
from dashboard.nlp.quotes.marks import Marked
from dashboard.nlp.quotes.records import Candidate, Rule
from dashboard.nlp.quotes.syntax import (
    CUE_WINDOW,
    SENTENCE_END,
    SUBJECTS,
    ends_sentence,
    is_title,
    object_of,
    phrase_head,
)

_MIN_FLOATING_WORDS = 4


def direct(ctx: ArticleContext) -> tuple[list[Candidate], list[Marked]]:
    """Quoted spans with a cue right after or right before them; the rest are returned unused."""
    found: list[Candidate] = []
    unused: list[Marked] = []
    for n, mark in enumerate(ctx.marked):
        nxt = ctx.marked[n + 1].outer_start if n + 1 < len(ctx.marked) else len(ctx.text)
        prv = ctx.marked[n - 1].outer_end if n > 0 else ctx.body_start
        candidate = cue_after(ctx, mark, nxt) or cue_before(ctx, mark, prv) or _resumed(ctx, found, mark)
        if candidate:
            found.append(candidate)
        else:
            unused.append(mark)
    return join_split_quotes(found), unused


def _resumed(ctx: ArticleContext, found: list[Candidate], mark: Marked) -> Candidate | None:
    """'"The risk," said Edward Leamer, an economist at UCLA, "is that ..."': a quotation resumed
    after an attribution too long for the cue window, in the same sentence."""
    prev = found[-1] if found else None
    if prev is None or prev.kind != "direct" or prev.cue is None or prev.cue.idx < prev.end:
        return None
    between = ctx.text[prev.end : mark.outer_start]
    if (
        ctx.para_of(prev.start) != ctx.para_of(mark.outer_start)
        or not between.rstrip().endswith(",")
        or any(ch in between for ch in ".!?;")
        or len(between) > 300
    ):
        return None
    return Candidate(mark.inner_start, mark.inner_end, prev.cue, prev.cue_text, prev.source, "direct", prev.rule)


def _window_after(ctx: ArticleContext, mark: Marked, limit: int) -> list[Token]:
    para_end = ctx.paras[ctx.para_of(mark.outer_start)][1]
    limit = min(limit, para_end)
    tokens = []
    for i in range(ctx.token_at(mark.outer_end), len(ctx.doc)):
        token = ctx.doc[i]
        if token.idx < mark.outer_end:
            continue
        if token.idx >= limit or len(tokens) >= CUE_WINDOW:
            break
        if ends_sentence(token) or token.text == ";":
            break
        tokens.append(token)
    return tokens


def cue_after(ctx: ArticleContext, mark: Marked, limit: int) -> Candidate | None:
    """'"...," he said' / '"...," said Peskov' / '"...", according to X' / '"...." Trump said.'."""
    inner = ctx.text[mark.inner_start : mark.inner_end].rstrip()
    after = ctx.text[mark.outer_end : mark.outer_end + 2].lstrip()
    window = _window_after(ctx, mark, limit)
    if not window:
        return None
    ends_sentence = window[-1].i + 1 < len(ctx.doc) and ctx.doc[window[-1].i + 1].text in SENTENCE_END
    # No break after the quotation: what follows continues its sentence, unless it is a
    # bare attribution closing the sentence ('"...." Trump said.').
    breaks = inner.endswith((",", "?", "!", "—", "–", "-", "…")) or after.startswith((",", "—", "–"))
    bare = ends_sentence and len(window) <= 6 and not any(t.dep_ in {"ccomp", "dobj"} for t in window)
    if not (breaks or bare):
        return None
    first = next((t for t in window if not t.is_punct), None)
    if first is not None and first.dep_ in SUBJECTS | {"compound"}:
        # The speaker opens the attribution and a long apposition may separate the cue:
        # '"...," Trump, the GOP frontrunner ..., said when ...'.
        head = phrase_head(first)
        verb = head.head
        if (
            head.dep_ in SUBJECTS
            and ctx.is_cue(verb)
            and verb.i > head.i
            and ctx.para_of(verb.idx) == ctx.para_of(mark.outer_start)
        ):
            return _marked(mark, verb, verb.text, head, Rule.DIRECT_BEFORE_CUE)
    for token in window:
        if token.lower_ == "according" and token.i + 1 < len(ctx.doc) and ctx.doc[token.i + 1].lower_ == "to":
            source = object_of(ctx.doc[token.i + 1])
            return _marked(mark, token, "according to", source, Rule.ACCORDING_TO)
        if ctx.is_cue(token):
            subject = ctx.subject_outside_marks(token)
            before = [t for t in window if t.i < token.i and t.pos_ in {"PROPN", "NOUN", "PRON"}]
            if subject is not None and subject.i < token.i:
                return _marked(mark, token, token.text, subject, Rule.DIRECT_BEFORE_CUE)
            if subject is None and before:
                # The parser missed the subject: the attribution opens with it ('Ramos, 58, told').
                return _marked(mark, token, token.text, phrase_head(before[0]), Rule.DIRECT_BEFORE_CUE)
            # '"...," told Reuters' / 'told Golf Channel's Jane Doe': whom it was told is no speaker.
            after = [] if token.lemma_.lower() == "tell" else window
            if subject is not None and is_title(subject) and subject.i > token.i:
                subject = None  # 'said Const. Mary Lee': the title is not the speaker, the name after it is
            source = subject or next(
                (t for t in after if t.i > token.i and t.pos_ in {"PROPN", "NOUN", "PRON"} and not is_title(t)), None
            )
            return _marked(mark, token, token.text, phrase_head(source), Rule.DIRECT_INVERTED)
    return None


def cue_before(ctx: ArticleContext, mark: Marked, limit: int) -> Candidate | None:
    """'He added: "..."' / 'he said, "..."' / 'Stated Stone:' closing the previous paragraph."""
    para = ctx.para_of(mark.outer_start)
    para_start = ctx.paras[para][0]
    if mark.outer_start == para_start and para > 0:
        prev_start, prev_end = ctx.paras[para - 1]
        if ctx.text[prev_start:prev_end].rstrip().endswith(":"):
            para_start = prev_start  # a colon closing the previous paragraph introduces this one
    before = ctx.text[max(limit, para_start, mark.outer_start - 300) : mark.outer_start].rstrip()
    limit = max(limit, para_start)
    tokens = []
    for i in range(ctx.token_at(mark.outer_start) - 1, -1, -1):
        token = ctx.doc[i]
        if token.idx < limit or len(tokens) >= CUE_WINDOW or token.text in SENTENCE_END:
            break
        if token.idx + len(token) <= mark.outer_start and not token.is_space:
            tokens.append(token)
    if not tokens:
        return None
    if not before.endswith((":", ",")):
        return None  # 'says "the wind is at our backs" despite ...': the clause is the quote (indirect)
    for token in tokens:
        if ctx.is_cue(token):
            rule = Rule.DIRECT_COLON if before.endswith(":") else Rule.DIRECT_AFTER_CUE
            subject = ctx.subject_outside_marks(token)
            if subject is None:  # 'Stated Stone:' - inverted, the speaker follows the cue
                subject = next((t for t in reversed(tokens) if t.i > token.i and t.pos_ in {"PROPN", "PRON"}), None)
            if subject is None:  # 'Clinton seemed ready to riff on it, telling the crowd, "..."'
                subject = next((t for t in tokens if t.i < token.i and t.dep_ in SUBJECTS), None)
            return _marked(mark, token, token.text, phrase_head(subject), rule)
    return None


def floating(ctx: ArticleContext, unused: list[Marked]) -> list[Candidate]:
    """A quotation with no cue that opens a paragraph, or a sentence, continues the previous
    speaker ('"This is over," Smith said. "We won."'); a quoted phrase inside a sentence does not."""
    found = []
    for mark in unused:
        para_start = ctx.paras[ctx.para_of(mark.outer_start)][0]
        words = ctx.text[mark.inner_start : mark.inner_end].split()
        opens_paragraph = mark.outer_start == para_start
        before = ctx.text[para_start : mark.outer_start].rstrip()
        opens_sentence = before.endswith(tuple(".!?\"”'’"))
        if (opens_paragraph and len(words) >= _MIN_FLOATING_WORDS) or (opens_sentence and len(words) >= 2):
            found.append(Candidate(mark.inner_start, mark.inner_end, None, None, None, "direct", Rule.FLOATING))
    return found


def _marked(mark: Marked, cue: Token, cue_text: str, source: Token | None, rule: Rule) -> Candidate:
    return Candidate(mark.inner_start, mark.inner_end, cue, cue_text, source, "direct", rule)


def join_split_quotes(found: list[Candidate]) -> list[Candidate]:
    """'"A," he said, "B."' is one quotation interrupted by its cue."""
    joined: list[Candidate] = []
    for cand in found:
        prev = joined[-1] if joined else None
        if prev and cand.cue is not None and prev.cue is not None and cand.cue.i == prev.cue.i:
            joined[-1] = replace(prev, end=cand.end)
        else:
            joined.append(cand)
    return joined

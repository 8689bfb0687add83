"""Doc -> quotations and reported statements, each with its speaker and the rule that found it.

The recipe, in order (earlier rules win where spans overlap):
1. syntactic direct quotes: a quoted span with a speech cue right after it ("...," he said;
   "...," said Peskov), right before it (He added: "..."; he said, "...") or "according to X";
2. floating quotes: a paragraph that opens with a quotation and has no cue of its own continues
   the previous speaker;
3. heuristics: indirect speech, the complement clause of a speech verb ("Peskov said that ...";
   "..., Peskov said"), including clauses that embed partial quotes, and "according to X";
4. dedupe, then speakers are resolved in document order: names to canonical names, pronouns to
   the right person (gender, number), roles ("the spokesman") to the person named in that role.

Quoted phrases with no cue ("thousand-for-thousand") are scare quotes, and apostrophes
("soldiers' bodies") never open a quotation. Every rule is linear in the length of the Doc.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from dashboard.nlp.entities import EntityIndex
from dashboard.nlp.names import clean_name, is_plausible_name, lexicon, person_name

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_DOUBLE_MARK = re.compile(r"``|''|[“”„\"]")
_DOUBLE_OPEN = {"“", "„", "``"}
_DOUBLE_CLOSE = {"”"}
_DOUBLE_EITHER = {'"', "''"}  # opens when no quotation is open, closes otherwise
_SINGLE_OPEN = re.compile(r"(?<![\w’'`])[‘'](?=[\w])")
_SINGLE_CLOSE = re.compile(r"(?<=[\w.,!?])[’'](?![\w])")
_SENTENCE_END = {".", "!", "?"}
_SUBJECTS = {"nsubj", "nsubjpass"}
_MALE, _FEMALE = {"he", "him"}, {"she", "her"}
_PLURAL = {"they", "them"}
_APPOSITION_GAP = 6  # tokens between a name and the indefinite role that describes it
_INDEFINITE = {"a", "an", "another", "one", "some", "several", "many", "other"}
_GENDERED = {
    **dict.fromkeys(("he", "him", "his", "himself"), "m"),
    **dict.fromkeys(("she", "her", "hers", "herself"), "f"),
}
_PRONOUN_WINDOW = 60  # tokens after a mention searched for the pronouns that reveal a gender
_MAX_SINGLE_QUOTE = 400  # single quotes further apart than this are apostrophes, not a quotation
_CUE_WINDOW = 12  # tokens searched for a cue beside a quotation
_ORG_LOOKBACK = 1500  # tokens searched back for the organisation "the ministry" means (keeps it linear)
_MIN_FLOATING_WORDS = 4
_TITLE_NOUNS = {
    "sen": "senator",
    "rep": "congressman",
    "gov": "governor",
    "gen": "general",
    "lt": "lieutenant",
    "capt": "captain",
    "adm": "admiral",
    "sgt": "sergeant",
    "rev": "reverend",
    "pres": "president",
    "supt": "superintendent",
    "amb": "ambassador",
    "sec": "secretary",
}
# Rank penalties of antecedents for a he/she (see _pronoun): a name inside reported speech, the
# subject of a side clause, a name whose gender the name itself does not tell.
_REPORTED_PENALTY, _SIDE_CLAUSE_PENALTY, _UNKNOWN_GENDER_PENALTY = 3, 2.5, 1.5
_MIN_INDIRECT_TOKENS = 3
_PROMISE_VERBS = {"vow"}  # "vowed to ...": the infinitive is the statement
_SPEECH_LEMMAS_FOR_PARTICIPLES = {"say", "tell", "add", "argue", "write", "claim", "insist", "explain", "note"}
_NOT_SPEAKERS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
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


@dataclass(frozen=True)
class Quote:
    """One quotation or reported statement; offsets are into the article body."""

    speaker: str | None
    speaker_role: str | None
    speaker_kind: str | None  # 'person' | 'organisation' | None
    quote: str
    cue: str | None
    kind: str  # 'direct' | 'indirect'
    start_char: int
    end_char: int
    rule: str
    resolved_by: str | None  # 'name' | 'pronoun' | 'role' | 'previous' | None
    # The he/she (him/her) that was resolved to the person speaker, when resolved_by is 'pronoun':
    # the article's own word for that person's gender (dashboard/gender.py reads it).
    pronoun: str | None = None


@dataclass(frozen=True)
class _Marked:
    """A span of text between quotation marks; `inner` excludes the marks."""

    outer_start: int
    outer_end: int
    inner_start: int
    inner_end: int


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    cue: Token | None
    cue_text: str | None
    source: Token | None  # head token of the speaker phrase
    kind: str
    rule: str


@dataclass(frozen=True)
class _Speaker:
    name: str | None
    role: str | None
    kind: str | None
    resolved_by: str | None


_NO_SPEAKER = _Speaker(None, None, None, None)


def paragraphs(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) character spans of the non-blank paragraphs of text[start:]."""
    spans, pos = [], start
    for match in _PARAGRAPH_BREAK.finditer(text, start):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _double_quoted(text: str, paras: list[tuple[int, int]]) -> list[_Marked]:
    """Spans in double quotes (“ ”, ", and the typewriter pairs `` and '' of older archives); an
    unclosed quote ends with its paragraph unless the next paragraph reopens it (the newspaper
    convention for a quotation running over several paragraphs)."""
    found: list[_Marked] = []
    opened: tuple[int, int] | None = None  # (outer start, inner start) of the open quotation
    for n, (start, end) in enumerate(paras):
        marks = list(_DOUBLE_MARK.finditer(text, start, end))
        if opened is not None and marks and marks[0].start() == start and marks[0].group() not in _DOUBLE_CLOSE:
            marks = marks[1:]  # the reopening mark of a continued quotation
        for mark in marks:
            kind = mark.group()
            if kind in _DOUBLE_OPEN or (kind in _DOUBLE_EITHER and opened is None):
                if opened is not None:
                    found.append(_Marked(opened[0], mark.start(), opened[1], mark.start()))
                opened = (mark.start(), mark.end())
            elif opened is not None:
                found.append(_Marked(opened[0], mark.end(), opened[1], mark.start()))
                opened = None
        if opened is not None:
            nxt = _DOUBLE_MARK.match(text, paras[n + 1][0]) if n + 1 < len(paras) else None
            if not (nxt and nxt.group() not in _DOUBLE_CLOSE):
                found.append(_Marked(opened[0], end, opened[1], end))
                opened = None
    return found


def _single_quoted(text: str, paras: list[tuple[int, int]], taken: list[_Marked]) -> list[_Marked]:
    """Spans in single quotes outside double-quoted text. An opening mark must start a word, so
    apostrophes ("soldiers' bodies", "don't") never open one."""
    found: list[_Marked] = []
    inside = _Covered([(m.outer_start, m.outer_end) for m in taken])
    for start, end in paras:
        pos = start
        while True:
            opening = _SINGLE_OPEN.search(text, pos, end)
            if not opening:
                break
            pos = opening.end()
            if inside.covers(opening.start()):
                continue
            closing = _SINGLE_CLOSE.search(text, pos, min(end, pos + _MAX_SINGLE_QUOTE))
            if not closing:
                continue
            found.append(_Marked(opening.start(), closing.end(), pos, closing.start()))
            pos = closing.end()
    return found


class _Covered:
    """Fast membership test of a character offset in sorted, disjoint spans."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def covers(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.spans[i][1]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.spans[i][1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect_right(self.starts, start)
        self.spans.insert(i, (start, end))
        self.starts.insert(i, start)


def quoted_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Inner (start, end) offsets of every quotation-marked span in text[start:], in order."""
    paras = paragraphs(text, start)
    double = _double_quoted(text, paras)
    marked = sorted(double + _single_quoted(text, paras, double), key=lambda m: m.outer_start)
    return [(m.inner_start, m.inner_end) for m in marked]


def _gendered_pronoun(source: Token | None, speaker: _Speaker) -> str | None:
    """The cue's he/she (him/her) when it is what resolved to a person speaker, lower case."""
    if source is None or speaker.resolved_by != "pronoun" or speaker.kind != "person":
        return None
    word = source.lower_
    return word if word in _MALE or word in _FEMALE else None


class _Extractor:
    """State of one Doc's extraction: token and paragraph lookups, lexicons, the entity index."""

    def __init__(self, doc: Doc, entities: EntityIndex, body_start: int):
        self.doc = doc
        self.text = doc.text
        self.entities = entities
        self.body_start = body_start
        self.verbs = lexicon("reporting_verbs")
        self.org_nouns = lexicon("quote_org_nouns")
        self.role_nouns = lexicon("quote_role_nouns")
        self.document_nouns = lexicon("quote_document_nouns")
        self.paras = paragraphs(self.text, body_start)
        self.para_starts = [a for a, _ in self.paras]
        self.token_starts = [t.idx for t in doc]
        double = _double_quoted(self.text, self.paras)
        self.marked = sorted(double + _single_quoted(self.text, self.paras, double), key=lambda m: m.outer_start)
        self.in_marks = _Covered([(m.outer_start, m.outer_end) for m in self.marked])
        self.people_by_token = {p.token: p for p in entities.people}
        self.genders = {**self._genders_from_pronouns(), **entities.genders}
        self.reported = _Covered([])  # spans of all candidate quotes, set by resolve()

    def _genders_from_pronouns(self) -> dict[str, str]:
        """Genders of people whose names say none ('Tyresha McClenney', 'Priebus'), from the pronouns
        that follow their mentions: up to the end of the next sentence, outside quotation marks,
        and only until another person is named; subjects of reporting verbs do not count. A name is
        given a gender when its pronouns agree."""
        votes: dict[str, set[str]] = defaultdict(set)
        for mention in self.entities.people:
            if mention.name in self.entities.genders:
                continue
            sentences = 0
            for token in self.doc[mention.token + 1 : mention.token + _PRONOUN_WINDOW]:
                entry = self.entities.name_at(token.i)
                if entry and entry[1] == "PERSON" and entry[0] != mention.name:
                    break
                if token.is_sent_start:
                    sentences += 1
                    if sentences > 1:
                        break
                word = token.lower_
                if word not in _GENDERED or self.in_marks.covers(token.idx):
                    continue
                if token.dep_ in _SUBJECTS and token.head.lemma_.lower() in self.verbs:
                    continue  # the 'he' of 'he said' is what is being resolved, not evidence
                votes[mention.name].add(_GENDERED[word])
        return {name: found.pop() for name, found in votes.items() if len(found) == 1}

    # -- lookups ---------------------------------------------------------------------------
    def para_of(self, char: int) -> int:
        return bisect_right(self.para_starts, char) - 1

    def token_at(self, char: int) -> int:
        return max(0, bisect_right(self.token_starts, char) - 1)

    def _subject_outside_marks(self, verb: Token) -> Token | None:
        """The cue's subject, unless the parse ran into the quotation ('"We were wrong," Ramos told AFP')."""
        subject = _subject(verb)
        return None if subject is not None and self.in_marks.covers(subject.idx) else subject

    def is_cue(self, token: Token) -> bool:
        return token.pos_ == "VERB" and token.lemma_.lower() in self.verbs and not self.in_marks.covers(token.idx)

    # -- 1. direct quotes with a cue beside them -----------------------------------------------
    def direct(self) -> tuple[list[_Candidate], list[_Marked]]:
        """Quoted spans with a cue right after or right before them; the rest are returned unused."""
        found: list[_Candidate] = []
        unused: list[_Marked] = []
        for n, mark in enumerate(self.marked):
            nxt = self.marked[n + 1].outer_start if n + 1 < len(self.marked) else len(self.text)
            prv = self.marked[n - 1].outer_end if n > 0 else self.body_start
            candidate = self._cue_after(mark, nxt) or self._cue_before(mark, prv) or self._resumed(found, mark)
            if candidate:
                found.append(candidate)
            else:
                unused.append(mark)
        return _join_split_quotes(found), unused

    def _resumed(self, found: list[_Candidate], mark: _Marked) -> _Candidate | None:
        """'"The risk," said Edward Leamer, an economist at UCLA, "is that ..."': a quotation resumed
        after an attribution too long for the cue window, in the same sentence."""
        prev = found[-1] if found else None
        if prev is None or prev.kind != "direct" or prev.cue is None or prev.cue.idx < prev.end:
            return None
        between = self.text[prev.end : mark.outer_start]
        if (
            self.para_of(prev.start) != self.para_of(mark.outer_start)
            or not between.rstrip().endswith(",")
            or any(ch in between for ch in ".!?;")
            or len(between) > 300
        ):
            return None
        return _Candidate(mark.inner_start, mark.inner_end, prev.cue, prev.cue_text, prev.source, "direct", prev.rule)

    def _window_after(self, mark: _Marked, limit: int) -> list[Token]:
        para_end = self.paras[self.para_of(mark.outer_start)][1]
        limit = min(limit, para_end)
        tokens = []
        for i in range(self.token_at(mark.outer_end), len(self.doc)):
            token = self.doc[i]
            if token.idx < mark.outer_end:
                continue
            if token.idx >= limit or len(tokens) >= _CUE_WINDOW:
                break
            if token.text in _SENTENCE_END or token.text == ";":
                break
            tokens.append(token)
        return tokens

    def _cue_after(self, mark: _Marked, limit: int) -> _Candidate | None:
        """'"...," he said' / '"...," said Peskov' / '"...", according to X' / '"...." Trump said.'."""
        inner = self.text[mark.inner_start : mark.inner_end].rstrip()
        after = self.text[mark.outer_end : mark.outer_end + 2].lstrip()
        window = self._window_after(mark, limit)
        if not window:
            return None
        ends_sentence = window[-1].i + 1 < len(self.doc) and self.doc[window[-1].i + 1].text in _SENTENCE_END
        # No break after the quotation: what follows continues its sentence, unless it is a
        # bare attribution closing the sentence ('"...." Trump said.').
        breaks = inner.endswith((",", "?", "!", "—", "–", "-", "…")) or after.startswith((",", "—", "–"))
        bare = ends_sentence and len(window) <= 6 and not any(t.dep_ in {"ccomp", "dobj"} for t in window)
        if not (breaks or bare):
            return None
        first = next((t for t in window if not t.is_punct), None)
        if first is not None and first.dep_ in _SUBJECTS | {"compound"}:
            # The speaker opens the attribution and a long apposition may separate the cue:
            # '"...," Trump, the GOP frontrunner ..., said when ...'.
            head = _phrase_head(first)
            verb = head.head
            if (
                head.dep_ in _SUBJECTS
                and self.is_cue(verb)
                and verb.i > head.i
                and self.para_of(verb.idx) == self.para_of(mark.outer_start)
            ):
                return self._candidate(mark, verb, verb.text, head, "direct-before-cue")
        for token in window:
            if token.lower_ == "according" and token.i + 1 < len(self.doc) and self.doc[token.i + 1].lower_ == "to":
                source = _object_of(self.doc[token.i + 1])
                return self._candidate(mark, token, "according to", source, "according-to")
            if self.is_cue(token):
                subject = self._subject_outside_marks(token)
                before = [t for t in window if t.i < token.i and t.pos_ in {"PROPN", "NOUN", "PRON"}]
                if subject is not None and subject.i < token.i:
                    return self._candidate(mark, token, token.text, subject, "direct-before-cue")
                if subject is None and before:
                    # The parser missed the subject: the attribution opens with it ('Ramos, 58, told').
                    return self._candidate(mark, token, token.text, _phrase_head(before[0]), "direct-before-cue")
                source = subject or next(
                    (t for t in window if t.i > token.i and t.pos_ in {"PROPN", "NOUN", "PRON"}), None
                )
                return self._candidate(mark, token, token.text, _phrase_head(source), "direct-inverted")
        return None

    def _cue_before(self, mark: _Marked, limit: int) -> _Candidate | None:
        """'He added: "..."' / 'he said, "..."' / 'Stated Stone:' closing the previous paragraph."""
        para = self.para_of(mark.outer_start)
        para_start = self.paras[para][0]
        if mark.outer_start == para_start and para > 0:
            prev_start, prev_end = self.paras[para - 1]
            if self.text[prev_start:prev_end].rstrip().endswith(":"):
                para_start = prev_start  # a colon closing the previous paragraph introduces this one
        before = self.text[max(limit, para_start, mark.outer_start - 300) : mark.outer_start].rstrip()
        limit = max(limit, para_start)
        tokens = []
        for i in range(self.token_at(mark.outer_start) - 1, -1, -1):
            token = self.doc[i]
            if token.idx < limit or len(tokens) >= _CUE_WINDOW or token.text in _SENTENCE_END:
                break
            if token.idx + len(token) <= mark.outer_start and not token.is_space:
                tokens.append(token)
        if not tokens:
            return None
        if not before.endswith((":", ",")):
            return None  # 'says "the wind is at our backs" despite ...': the clause is the quote (indirect)
        for token in tokens:
            if self.is_cue(token):
                rule = "direct-colon" if before.endswith(":") else "direct-after-cue"
                subject = self._subject_outside_marks(token)
                if subject is None:  # 'Stated Stone:' - inverted, the speaker follows the cue
                    subject = next((t for t in reversed(tokens) if t.i > token.i and t.pos_ in {"PROPN", "PRON"}), None)
                if subject is None:  # 'Clinton seemed ready to riff on it, telling the crowd, "..."'
                    subject = next((t for t in tokens if t.i < token.i and t.dep_ in _SUBJECTS), None)
                return self._candidate(mark, token, token.text, _phrase_head(subject), rule)
        return None

    def _candidate(self, mark: _Marked, cue: Token, cue_text: str, source: Token | None, rule: str) -> _Candidate:
        return _Candidate(mark.inner_start, mark.inner_end, cue, cue_text, source, "direct", rule)

    # -- 2. floating quotes ---------------------------------------------------------------------
    def floating(self, unused: list[_Marked]) -> list[_Candidate]:
        """A quotation with no cue that opens a paragraph, or a sentence, continues the previous
        speaker ('"This is over," Smith said. "We won."'); a quoted phrase inside a sentence does not."""
        found = []
        for mark in unused:
            para_start = self.paras[self.para_of(mark.outer_start)][0]
            words = self.text[mark.inner_start : mark.inner_end].split()
            opens_paragraph = mark.outer_start == para_start
            before = self.text[para_start : mark.outer_start].rstrip()
            opens_sentence = before.endswith(tuple(".!?\"”'’"))
            if (opens_paragraph and len(words) >= _MIN_FLOATING_WORDS) or (opens_sentence and len(words) >= 2):
                found.append(_Candidate(mark.inner_start, mark.inner_end, None, None, None, "direct", "floating"))
        return found

    def continued(self, candidates: list[_Candidate]) -> list[_Candidate]:
        """'"A," Trump said. "B."' is one quotation: a floating quote right after the cue of a
        quote in the same paragraph extends it."""
        merged: list[_Candidate] = []
        for cand in sorted(candidates, key=lambda c: c.start):
            prev = merged[-1] if merged else None
            if (
                prev is not None
                and cand.rule == "floating"
                and prev.cue is not None
                and prev.end <= prev.cue.idx < cand.start
                and self.para_of(prev.start) == self.para_of(cand.start)
            ):
                merged[-1] = replace(prev, end=cand.end)
            else:
                merged.append(cand)
        return merged

    # -- 3. heuristics: indirect speech and "according to" --------------------------------------
    def indirect(self, taken: _Covered, used_cues: set[int]) -> list[_Candidate]:
        """Complement clauses of speech verbs and statements attributed with "according to", except
        for the cues in used_cues."""
        found = []
        first = self.token_at(self.body_start)
        for token in self.doc[first:]:
            # A cue inside quotation marks is part of what was said, not an attribution.
            if (
                token.idx < self.body_start
                or token.i in used_cues
                or taken.covers(token.idx)
                or self.in_marks.covers(token.idx)
            ):
                continue
            if token.lower_ == "according" and token.i + 1 < len(self.doc) and self.doc[token.i + 1].lower_ == "to":
                candidate = self._according_to(token)
            elif self.is_cue(token):
                candidate = self._reported(token)
            else:
                candidate = None
            if candidate and not taken.overlaps(candidate.start, candidate.end):
                found.append(candidate)
                taken.add(candidate.start, candidate.end)
        return found

    def _reported(self, verb: Token) -> _Candidate | None:
        # The parser sometimes hangs a previous paragraph on the verb: only its own paragraph counts.
        para = self.para_of(verb.idx)
        clauses = [c for c in verb.children if c.dep_ == "ccomp" and self.para_of(c.idx) == para]
        clause = next((c for c in clauses if c.i > verb.i), clauses[0] if clauses else None)
        source = _subject(verb)
        if source is None or (source.lower_ == "it" and source.dep_ == "nsubjpass"):
            return None
        if clause is None:
            return (
                self._fronted(verb, source)
                or self._interpolated(verb, source)
                or self._promised(verb, source)
                or self._tail_clause(verb, source)
            )
        # A speech verb inside the clause with a clause of its own (', saying ...') is a separate
        # statement: the content stops before it.
        nested = [
            t
            for t in clause.subtree
            if t.i != clause.i
            and t.dep_ in {"advcl", "conj"}
            and self.is_cue(t)
            and any(c.dep_ == "ccomp" for c in t.children)
        ]
        cut = {d.i for t in nested for d in t.subtree}
        tokens = [
            t for t in clause.subtree if t.i not in cut and not (t.i == clause.left_edge.i and t.lower_ == "that")
        ]
        if cut:
            tokens = [t for t in tokens if t.i < min(cut)]
        span = self._clip(tokens, verb)
        if span is None:
            return None
        return self._statement(span, verb, source)

    def _statement(self, span: tuple[int, int], verb: Token, source: Token) -> _Candidate:
        """A reported statement; 'partial' when it embeds quoted words, 'direct' when they are most of it."""
        start, end = span
        quoted = sum(
            min(end, m.inner_end) - max(start, m.inner_start)
            for m in self.marked
            if m.inner_start < end and m.inner_end > start
        )
        kind, rule = ("direct", "direct-partial") if quoted * 2 >= end - start else ("indirect", "indirect")
        if quoted:
            rule = "direct-partial" if kind == "direct" else "indirect-partial"
        return _Candidate(start, end, verb, verb.text, source, kind, rule)

    def _promised(self, verb: Token, source: Token) -> _Candidate | None:
        """'He vowed to "continue the fight"': what the vow's infinitive says will be done. ('pledged
        to', 'promised to' were tried: on PolNeAR train they added more plans than statements.)"""
        if verb.lemma_.lower() not in _PROMISE_VERBS:
            return None
        action = next((c for c in verb.children if c.dep_ == "xcomp" and c.i > verb.i), None)
        span = self._clip(list(action.subtree), verb) if action is not None else None
        return self._statement(span, verb, source) if span else None

    def _interpolated(self, verb: Token, source: Token) -> _Candidate | None:
        """'Many of the closures, he said, have involved public courses.': an attribution set off by
        commas inside the statement it reports. The span is the whole sentence, attribution
        included, as for a quotation interrupted by its cue."""
        first = min(source.left_edge.i, verb.i)
        if first < 2 or self.doc[first - 1].text != ",":
            return None
        attribution = {t.i for t in verb.subtree}
        last = verb.i
        while (
            last + 1 in attribution
            and last + 1 < len(self.doc)
            and self.doc[last + 1].text != ","
            and last - verb.i < _CUE_WINDOW
        ):
            last += 1
        if last + 1 >= len(self.doc) or self.doc[last + 1].text != ",":
            return None
        sentence = verb.sent
        before = [t for t in sentence if t.i < first - 1 and not t.is_space]
        after = [t for t in sentence if t.i > last + 1 and not t.is_space and not t.is_punct]
        if len(before) < 2 or len(after) < _MIN_INDIRECT_TOKENS:
            return None
        if any(self.is_cue(t) and t.i != verb.i for t in before + after if t.dep_ == "ROOT"):
            return None  # the sentence has an attribution of its own
        span = self._clip(before + [t for t in sentence if t.i > last + 1], verb)
        return self._statement(span, verb, source) if span else None

    def _fronted(self, verb: Token, source: Token) -> _Candidate | None:
        """'Talks are on hold, Kremlin spokesman Dmitry Peskov said on Friday.' when the parser did
        not make the statement the verb's clause: the sentence up to the comma before the attribution."""
        first = min(source.left_edge.i, verb.i)
        comma = first - 1
        if comma < 1 or self.doc[comma].text != ",":
            return None
        tail = []
        for token in self.doc[verb.i + 1 :]:
            if token.text in _SENTENCE_END or token.is_space:
                break
            tail.append(token)
        if len(tail) > 6 or any(t.dep_ in {"dobj", "ccomp", "xcomp"} for t in tail):
            return None  # the attribution does not close the sentence: no fronted statement
        para_start = self.paras[self.para_of(verb.idx)][0]
        start = comma
        while start > 0 and self.doc[start - 1].idx >= para_start and self.doc[start - 1].text not in _SENTENCE_END:
            start -= 1
        span = self._clip(list(self.doc[start:comma]), verb)
        if span is None:
            return None
        return _Candidate(span[0], span[1], verb, verb.text, source, "indirect", "indirect")

    def _tail_clause(self, verb: Token, source: Token) -> _Candidate | None:
        """The rest of the sentence when the parser missed the verb's clause: 'said following a vote
        in 2001 that he had ...' (a 'that' further on), or 'says the movement ... appeals to ...'."""
        para_end = self.paras[self.para_of(verb.idx)][1]
        tail = []
        for token in self.doc[verb.i + 1 :]:
            if token.idx >= para_end or token.text in _SENTENCE_END or token.text == ";":
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
        span = self._clip(tokens, verb)
        if span is None:
            return None
        return _Candidate(span[0], span[1], verb, verb.text, source, "indirect", "indirect")

    def _according_to(self, according: Token) -> _Candidate | None:
        to = self.doc[according.i + 1]
        source = _object_of(to)
        if source is None:
            return None
        phrase = {according.i, to.i} | {t.i for t in source.subtree}
        head = according.head if according.head.i != according.i else according
        tokens = [t for t in head.subtree if t.i not in phrase]
        # The statement is the side of the sentence the phrase does not occupy.
        left = [t for t in tokens if t.i < according.i]
        right = [t for t in tokens if t.i > max(phrase)]
        side = right if len(right) > len(left) else left
        span = self._clip(side, according)
        if span is None:
            return None
        return _Candidate(span[0], span[1], according, "according to", source, "indirect", "according-to")

    def _clip(self, tokens: list[Token], cue: Token) -> tuple[int, int] | None:
        """Character span of tokens, kept inside the cue's paragraph and without edge punctuation."""
        para_start, para_end = self.paras[self.para_of(cue.idx)]
        tokens = [t for t in tokens if para_start <= t.idx < para_end and not t.is_space]
        while tokens and (tokens[0].is_punct and tokens[0].text not in "\"“‘'"):
            tokens.pop(0)
        while tokens and tokens[-1].is_punct and tokens[-1].text not in "\"”’'":
            tokens.pop()
        if len(tokens) < _MIN_INDIRECT_TOKENS:
            return None
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        # Extend to whole quotations (of this paragraph) the clause only partly covers.
        for mark in self.marked:
            if mark.inner_start < end and mark.inner_end > start and para_start <= mark.outer_start < para_end:
                start, end = min(start, mark.inner_start), max(end, mark.inner_end)
        return start, end

    # -- 4. speakers ----------------------------------------------------------------------------
    def resolve(self, candidates: list[_Candidate]) -> list[Quote]:
        """Turn candidates into Quotes in document order, resolving each speaker."""
        quotes: list[Quote] = []
        spoken: list[tuple[int, _Speaker]] = []  # (char offset, speaker) of earlier quotes
        self.reported = _Covered([(c.start, c.end) for c in candidates])  # deduped: disjoint
        for cand in sorted(candidates, key=lambda c: c.start):
            if cand.rule == "floating":
                speaker = self._previous_speaker(cand, spoken)
                para_start = self.paras[self.para_of(cand.start)][0]
                if speaker is _NO_SPEAKER and self.text[para_start : cand.start - 1].strip():
                    continue  # a quoted phrase mid-paragraph with nobody to continue: not a quotation
            else:
                speaker = self._speaker(cand.source, spoken)
            if speaker.name or speaker.role:
                # Where the speaker was named counts for pronouns, not where the quote starts.
                spoken.append((cand.source.idx if cand.source is not None else cand.start, speaker))
            quotes.append(
                Quote(
                    speaker=speaker.name,
                    speaker_role=speaker.role,
                    speaker_kind=speaker.kind,
                    quote=self.text[cand.start : cand.end],
                    cue=cand.cue_text,
                    kind=cand.kind,
                    start_char=cand.start,
                    end_char=cand.end,
                    rule=cand.rule,
                    resolved_by=speaker.resolved_by,
                    pronoun=_gendered_pronoun(cand.source, speaker),
                )
            )
        return quotes

    def _previous_speaker(self, cand: _Candidate, spoken: list[tuple[int, _Speaker]]) -> _Speaker:
        """Who a quotation without a cue continues: the last speaker of this or the previous
        paragraph, unless a person introduced as a subject since then takes over ('Morton Klein,
        president of the group, blasted the remarks.' followed by a quotation)."""
        para = self.para_of(cand.start)
        last = spoken[-1] if spoken and para - self.para_of(spoken[-1][0]) <= 1 else None
        since = last[0] if last else self.paras[max(0, para - 1)][0]
        opens_paragraph = not self.text[self.paras[para][0] : cand.start - 1].strip()
        newcomer = opens_paragraph and next(
            (
                p
                for p in reversed(self.entities.people)
                if p.is_subject
                and since <= self.doc[p.token].idx < cand.start
                and para - self.para_of(self.doc[p.token].idx) <= 1
                and not self.in_marks.covers(self.doc[p.token].idx)
                and (last is None or p.name != last[1].name)
            ),
            None,
        )
        if newcomer:
            role = self._latest_role(newcomer.name, newcomer.token + 1)
            return _Speaker(newcomer.name, role, "person", "previous")
        if last is not None:
            return replace(last[1], resolved_by="previous")
        return _NO_SPEAKER

    def _speaker(self, head: Token | None, spoken: list[tuple[int, _Speaker]]) -> _Speaker:
        if head is None:
            return _NO_SPEAKER
        if head.tag_ in {"WP", "WDT"} and head.head.dep_ == "relcl":
            head = head.head.head  # "Peskov, who said ..." speaks through the relative pronoun
        named = self._named(head)
        if named:
            return named
        if head.pos_ == "PRON":
            return self._pronoun(head, spoken)
        author = self._author_of(head)
        if author:
            return author
        if head.pos_ == "PROPN" and head.ent_type_ not in _NOT_SPEAKERS and not _is_dateline(head):
            name = person_name(_noun_phrase(head))
            name = name if is_plausible_name(name) else ""  # 'S and P said': no lone letter speaks
            return _Speaker(name or None, None, None, "name" if name else None)
        return self._nominal(head)

    def _named(self, head: Token) -> _Speaker | None:
        """A speaker phrase that contains a name: 'Kremlin spokesman Dmitry Peskov', 'the spokesman,
        Peskov'. A person wins over a place or organisation in the same phrase ('CLEVELAND (AP) -
        Former Attorney General Michael Mukasey')."""
        # 'GOP contender and former neurosurgeon Ben Carson': a coordinated name is the same speaker.
        # But a name modifying a common noun ('the Sanders campaign', 'Clinton aides', 'Trump fans')
        # names whom the speakers belong to, not who spoke.
        joined = (
            {"appos", "conj"}
            if head.pos_ == "NOUN" and not self.entities.name_at(head.i)
            else {"appos", "compound", "conj"}
        )
        candidates = [head] + [c for c in head.children if c.dep_ in joined]
        entries = [(token, self.entities.name_at(token.i)) for token in candidates]
        for token, entry in entries:
            if entry and entry[1] == "PERSON":
                role = self._role_of(token, head) or self._latest_role(entry[0], head.i)
                return _Speaker(entry[0], role, "person", "name")
        entry = entries[0][1]
        if entry and not _is_dateline(head):
            return _Speaker(entry[0], None, "organisation", "name")
        return None

    def _author_of(self, head: Token) -> _Speaker | None:
        """'a tally by the Associated Press', 'a statement from Mr. Cruz': the named author of a document."""
        if head.pos_ != "NOUN" or head.lemma_.lower() not in self.document_nouns:
            return None
        for prep in head.children:
            obj = _object_of(prep) if prep.dep_ == "prep" and prep.lower_ in {"by", "from", "of"} else None
            named = self._named(obj) if obj is not None else None
            if named:
                return named
        return None

    def _role_of(self, token: Token, head: Token) -> str | None:
        for start in range(token.i, max(-1, token.i - 6), -1):
            mention = self.people_by_token.get(start)
            if mention:
                return mention.role
        if token is not head:
            return clean_name(_noun_phrase(head)) or None
        return None

    def _pronoun(self, pronoun: Token, spoken: list[tuple[int, _Speaker]]) -> _Speaker:
        word = pronoun.lower_
        if word in _PLURAL or word == "it":
            # 'the company said ... it said': the last organisation quoted, or named as a subject,
            # in this or the previous paragraph; 'they' also continues an unnamed group.
            para = self.para_of(pronoun.idx)
            for offset, speaker in reversed(spoken):
                if para - self.para_of(offset) > 1:
                    break
                if speaker.kind == "organisation":
                    return replace(speaker, resolved_by="pronoun")
                if word in _PLURAL and speaker.name is None and speaker.role:
                    # '"...," delegates said. "...," they said.': the same unnamed group speaks on.
                    return replace(speaker, resolved_by="pronoun")
            for token in reversed(self.doc[max(0, pronoun.i - _ORG_LOOKBACK) : pronoun.i]):
                if para - self.para_of(token.idx) > 1:
                    break
                entry = self.entities.name_at(token.i)
                if entry and entry[1] == "ORG" and token.dep_ in _SUBJECTS and not self.in_marks.covers(token.idx):
                    return _Speaker(entry[0], None, "organisation", "pronoun")
            return _NO_SPEAKER
        wanted = "m" if word in _MALE else "f" if word in _FEMALE else None
        if wanted is None:
            return _NO_SPEAKER
        genders = self.genders

        def agrees(name: str) -> bool:
            return genders.get(name, wanted) == wanted

        # Candidates, best first: the most recent person quoted or named as a subject earlier in
        # this paragraph; a person quoted in the previous paragraph (a "he said" chain); a subject
        # of the previous paragraph; a person quoted in the last three paragraphs; anyone named
        # before. A known gender that agrees beats an unknown one of the same or the next rank.
        # Names inside quotations are what someone said, never antecedents; names inside reported
        # speech and subjects of side clauses fall back by the penalties above.
        para = self.para_of(pronoun.idx)
        best: tuple[float, int, str] | None = None

        def consider(rank: float, position: int, name: str | None) -> None:
            nonlocal best
            if not name or not agrees(name) or position >= pronoun.idx:
                return
            # Only a gender the name or an honorific tells counts as known: one read from nearby
            # pronouns may rule a name out, but is too weak to rank it up.
            key = (rank + (0.0 if name in self.entities.genders else _UNKNOWN_GENDER_PENALTY), -position, name)
            if best is None or key < best:
                best = key

        for offset, speaker in spoken:
            if speaker.kind != "person":
                continue
            distance = para - self.para_of(offset)
            rank = 0 if distance == 0 else 1 if distance == 1 else 3 if distance <= 3 else None
            if rank is not None:
                consider(rank, offset, speaker.name)
        for mention in self.entities.people:  # in document order
            if mention.token >= pronoun.i:
                break
            token = self.doc[mention.token]
            if self.in_marks.covers(token.idx):
                continue
            distance = para - self.para_of(token.idx)
            # A name inside reported speech ('Trump said Putin respects him') is what was said about
            # someone; the next 'he said' is far more often the speaker.
            penalty = _REPORTED_PENALTY if self.reported.covers(token.idx) else 0
            if mention.is_subject and mention.in_side_clause:
                penalty += _SIDE_CLAUSE_PENALTY
            if mention.is_subject and distance == 0:
                consider(penalty, token.idx, mention.name)
            elif mention.is_subject and distance == 1:
                consider(2 + penalty, token.idx, mention.name)
            else:
                consider(4 + penalty, token.idx, mention.name)
        if best is None:
            return _NO_SPEAKER
        return _Speaker(best[2], self._latest_role(best[2], pronoun.i), "person", "pronoun")

    def _latest_role(self, name: str, before: int) -> str | None:
        roles = [p.role for p in self.entities.people if p.name == name and p.token < before and p.role]
        return roles[-1] if roles else None

    def _nominal(self, head: Token) -> _Speaker:
        """'the spokesman' -> the person named earlier as spokesman; 'the ministry' -> an organisation."""
        lemma = head.lemma_.lower()
        phrase = clean_name(_noun_phrase(head))
        definite = any(c.lower_ in {"the", "this"} for c in head.children) and head.tag_ == "NN"
        # 'a Democratic senator', 'another official', 'the senators': someone else than anyone named.
        indefinite = head.tag_ == "NNS" or any(c.dep_ == "det" and c.lower_ in _INDEFINITE for c in head.children)
        if lemma in self.role_nouns or definite:
            # 'the actress' after 'Oscar-winning actress Susan Sarandon': any role the article gave;
            # an indefinite role only as the description of the name just before it ('Laurence
            # Meyer, a former Fed governor who ..., said').
            for mention in reversed(self.entities.people):
                if indefinite and head.i - mention.token > _APPOSITION_GAP:
                    break
                if mention.token < head.i and mention.role and _role_noun(mention.role) in {lemma, head.lower_}:
                    return _Speaker(mention.name, mention.role, "person", "role")
        if lemma in self.role_nouns:
            return _Speaker(None, phrase or None, "person", None)
        if lemma in self.org_nouns or phrase.lower() in self.org_nouns:
            generic = lemma in lexicon("quote_org_generic")
            para = self.para_of(head.idx)
            for token_i in range(head.i - 1, max(-1, head.i - _ORG_LOOKBACK), -1):
                entry = self.entities.name_at(token_i)
                if not entry or entry[1] not in {"ORG", "GPE"}:
                    continue
                if lemma in entry[0].lower() or (
                    generic and not indefinite and entry[1] == "ORG" and para - self.para_of(self.doc[token_i].idx) <= 2
                ):
                    return _Speaker(entry[0], None, "organisation", "role")
            if generic:
                # 'the company said' with no company named nearby: an unnamed organisation, kept as
                # a role like 'the spokesman', not a speaker called 'company'.
                return _Speaker(None, phrase or None, "organisation", None)
            return _Speaker(phrase or None, None, "organisation", None)
        return _Speaker(None, phrase or None, None, None)


def _role_noun(role: str) -> str:
    """The noun a role ends in, abbreviated titles spelled out: 'Sen.' -> 'senator' ('the senator said')."""
    word = role.lower().split()[-1].rstrip(".")
    return _TITLE_NOUNS.get(word, word)


def _merged(spans) -> list[tuple[int, int]]:
    """Sorted spans with overlapping ones joined, as _Covered needs."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _subject(verb: Token) -> Token | None:
    """Grammatical subject of a speech verb, also when it is inherited: 'and said', ', saying ...',
    ', adding ...', 'issued a statement saying ...'; or the name written just before the verb
    when the parse offers only 'it' ('... - Brendan Buck, a spokesman for Ryan, told POLITICO')."""
    subject = _parsed_subject(verb)
    if subject is None or subject.lower_ in {"it", "there"} or subject.ent_type_ in _NOT_SPEAKERS:
        return _name_before(verb) or subject
    return subject


def _parsed_subject(verb: Token) -> Token | None:
    if verb.dep_ in {"advcl", "conj"}:
        # 'said A and said B' / '"messy," adding': continue the nearest speech verb above.
        for ancestor in verb.ancestors:
            if ancestor.pos_ == "VERB" and ancestor.lemma_.lower() in _SPEECH_LEMMAS_FOR_PARTICIPLES:
                verb = ancestor
                break
    for _ in range(4):
        subjects = [c for c in verb.children if c.dep_ in _SUBJECTS]
        # '9:30 p.m. Donald Trump says': a time can share the subject slot; the nearest name wins.
        named = [c for c in subjects if c.ent_type_ not in _NOT_SPEAKERS] or subjects
        if named:
            return named[-1] if named[-1].i < verb.i else named[0]
        agent = next((c for c in verb.children if c.dep_ == "agent"), None)
        if agent is not None:
            return _object_of(agent)
        if verb.dep_ == "acl" and verb.head.pos_ == "NOUN" and verb.head.head.i != verb.head.i:
            verb = verb.head.head  # 'issued a statement saying'
            continue
        if verb.dep_ not in {"conj", "advcl", "xcomp", "acomp"} or verb.head.i == verb.i:
            return None
        verb = verb.head
    return None


def _name_before(verb: Token) -> Token | None:
    """A person named right before the verb, past one apposition set off by commas or brackets
    ('Sen. Elizabeth Warren (D-MA) said')."""
    i = verb.i - 1
    if i >= 0 and verb.doc[i].text == ")":
        while i > max(0, verb.i - 8) and verb.doc[i].text != "(":
            i -= 1
        i -= 1
    if i >= 0 and verb.doc[i].text == ",":
        j = i - 1
        while j > max(0, i - 12) and verb.doc[j].text != ",":
            j -= 1
        i = j - 1 if verb.doc[j].text == "," else -1
    if i >= 0 and verb.doc[i].ent_type_ == "PERSON":
        return verb.doc[i]
    return None


def _is_dateline(token: Token) -> bool:
    """'CLEVELAND (AP) -' / 'WASHINGTON -': a place in capitals opening a story, not a speaker."""
    if not token.is_upper or len(token) < 3:
        return False
    following = token.doc[token.i + 1 : token.i + 5]
    return any(t.text in {"(", "—", "–", "-", "--"} for t in following)


def _object_of(preposition: Token) -> Token | None:
    return next((c for c in preposition.children if c.dep_ == "pobj"), None)


def _phrase_head(token: Token | None) -> Token | None:
    """Climb from a modifier to the head noun of its phrase ('Kremlin' in 'Kremlin spokesman ...')."""
    while (
        token is not None
        and token.dep_ in {"compound", "amod", "det"}
        and token.head.i != token.i
        and token.head.pos_ in {"NOUN", "PROPN", "PRON"}
    ):
        token = token.head
    return token


def _noun_phrase(head: Token) -> str:
    """Text of a noun phrase up to its head: determiners, adjectives and compounds, no clauses."""
    left = [t for t in head.lefts if t.dep_ in {"det", "amod", "compound", "poss", "nmod"}]
    start = min([t.left_edge.i for t in left], default=head.i)
    return head.doc[start : head.i + 1].text


def _join_split_quotes(found: list[_Candidate]) -> list[_Candidate]:
    """'"A," he said, "B."' is one quotation interrupted by its cue."""
    joined: list[_Candidate] = []
    for cand in found:
        prev = joined[-1] if joined else None
        if prev and cand.cue is not None and prev.cue is not None and cand.cue.i == prev.cue.i:
            joined[-1] = replace(prev, end=cand.end)
        else:
            joined.append(cand)
    return joined


def extract_quotes(doc: Doc, entities: EntityIndex, body_start: int = 0) -> list[Quote]:
    """Quotes found in doc.text[body_start:], offsets still relative to the Doc."""
    extractor = _Extractor(doc, entities, body_start)
    direct, unused = extractor.direct()
    candidates = extractor.continued(direct + extractor.floating(unused))
    # '"...," said Edward Leamer, an economist': the parse may give an inverted cue a clause of its
    # own (the speaker's description); other cues may still report a clause beside their quotation.
    used_cues = {c.cue.i for c in candidates if c.cue is not None and c.rule == "direct-inverted"}
    candidates += extractor.indirect(_Covered(_merged((c.start, c.end) for c in candidates)), used_cues)
    return extractor.resolve(_dedupe(candidates))


def _dedupe(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the first-found candidate where spans overlap (earlier rules are more precise)."""
    kept: list[_Candidate] = []
    covered = _Covered([])
    for cand in candidates:
        if cand.end > cand.start and not covered.overlaps(cand.start, cand.end):
            kept.append(cand)
            covered.add(cand.start, cand.end)
    return kept

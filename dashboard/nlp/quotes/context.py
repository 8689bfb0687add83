"""The frozen view of one article that every quote stage reads: its Doc and text, paragraphs,
quotation marks, entity index, lexicons and the lookups built on them once."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from dashboard.nlp.entities import EntityIndex, PersonMention
from dashboard.nlp.names import gender, given_name, lexicon
from dashboard.nlp.quotes.marks import Covered, Marked, marked_spans, merged, paragraphs
from dashboard.nlp.quotes.syntax import SUBJECTS, cue_subject

_GENDERED = {
    **dict.fromkeys(("he", "him", "his", "himself"), "m"),
    **dict.fromkeys(("she", "her", "hers", "herself"), "f"),
}
_PRONOUN_WINDOW = 60  # tokens after a mention searched for the pronouns that reveal a gender
# Page furniture scraped with the text: link lines, advertising breaks, photo credits. Nothing in
# them is a quote, a cue or a speaker ('READ MORE: Schools say ...' made 'Schools' a speaker).
_FURNITURE_LINE = re.compile(
    r"^[ \t]*(?:READ MORE|RELATED|WATCH|SEE ALSO|MORE|LISTEN|CLICK HERE|PHOTOS?|VIDEO)\b\s*[:|-].*$"
    r"|^[ \t]*(?:ADVERTISEMENT|Advertisement|Sign up for .*|Subscribe .*)[ \t]*$",
    re.MULTILINE,
)
_BRACKETED_SHORT = re.compile(r"\(([A-Z][A-Z&]{1,9})\)")
_FURNITURE_INLINE = re.compile(
    r"Story continues below(?: this)? advertisement|Article [Cc]ontinued [Bb]elow|Continue reading below"
    # '(Ana Ruiz/The Canadian Press)': a photo credit, often glued to the next sentence
    r"|\((?:Photo:\s*)?[A-Z][\w.'’-]*(?:\s[A-Z][\w.'’-]*){0,3}\s?/\s?[A-Z][^()\n]{1,60}\)"
)


@dataclass(frozen=True)
class Lexicons:
    """The word lists the rules consult (data files under dashboard/nlp/rules/)."""

    verbs: frozenset[str]
    org_nouns: frozenset[str]
    org_generic: frozenset[str]
    role_nouns: frozenset[str]
    document_nouns: frozenset[str]
    # generic organisation noun -> words of the names it can mean ('agency' -> authority, ...)
    org_kinds: Mapping[str, frozenset[str]] = field(default_factory=dict)
    outlets: frozenset[str] = frozenset()  # words that make a name a news outlet
    market_names: frozenset[str] = frozenset()  # head words of indexes and currencies

    @classmethod
    def shipped(cls) -> Lexicons:
        """The lexicons shipped with the project."""
        return cls(
            lexicon("reporting_verbs"),
            lexicon("quote_org_nouns"),
            lexicon("quote_org_generic"),
            lexicon("quote_role_nouns"),
            lexicon("quote_document_nouns"),
            {line.split()[0]: frozenset(line.split()[1:]) for line in lexicon("quote_org_kinds")},
            lexicon("quote_outlets"),
            lexicon("quote_market_names"),
        )

    def is_outlet(self, name: str | None) -> bool:
        """'CTV News', 'Reuters', 'the Washington Post': a news outlet's name."""
        return bool(name) and bool(self.outlets & set(name.lower().replace("'s", "").split()))


@dataclass(frozen=True)
class ArticleContext:
    """Everything the stages know about one article; built once by `of`, never changed."""

    doc: Doc
    text: str
    entities: EntityIndex
    body_start: int
    lexicons: Lexicons
    paras: tuple[tuple[int, int], ...]
    para_starts: tuple[int, ...]
    token_starts: tuple[int, ...]
    marked: tuple[Marked, ...]
    in_marks: Covered
    people_by_token: Mapping[int, PersonMention]
    genders: Mapping[str, str]
    acronyms: Mapping[str, str] = field(default_factory=dict)  # 'NTA' -> 'Northern Transit Authority'
    furniture: Covered = field(default_factory=lambda: Covered([]))  # page furniture (see above)

    @classmethod
    def of(cls, doc: Doc, entities: EntityIndex, body_start: int = 0, lexicons: Lexicons | None = None):
        """The context of a parsed article whose body starts at character body_start."""
        text = doc.text
        lexicons = lexicons or Lexicons.shipped()
        paras = tuple(paragraphs(text, body_start))
        marked = tuple(marked_spans(text, list(paras)))
        in_marks = Covered([(m.outer_start, m.outer_end) for m in marked])
        genders = {**entities.genders, **_genders_from_pronouns(doc, entities, in_marks, lexicons.verbs)}
        return cls(
            doc=doc,
            text=text,
            entities=entities,
            body_start=body_start,
            lexicons=lexicons,
            paras=paras,
            para_starts=tuple(a for a, _ in paras),
            token_starts=tuple([t.idx for t in doc]),
            marked=marked,
            in_marks=in_marks,
            people_by_token={p.token: p for p in entities.people},
            genders=genders,
            acronyms=_acronyms(doc, text, entities),
            furniture=furniture(text, body_start),
        )

    def para_of(self, char: int) -> int:
        """Index of the paragraph holding a character offset."""
        return bisect_right(self.para_starts, char) - 1

    def token_at(self, char: int) -> int:
        """Index of the token holding (or last starting before) a character offset."""
        return max(0, bisect_right(self.token_starts, char) - 1)

    def is_cue(self, token: Token) -> bool:
        """A speech verb of the lexicon, outside quotation marks."""
        return (
            token.pos_ == "VERB" and token.lemma_.lower() in self.lexicons.verbs and not self.in_marks.covers(token.idx)
        )

    def subject_outside_marks(self, verb: Token) -> Token | None:
        """The cue's subject, unless the parse ran into the quotation ('"We were wrong," Ramos told AFP')."""
        subject = cue_subject(verb)
        return None if subject is not None and self.in_marks.covers(subject.idx) else subject


def _genders_from_pronouns(doc: Doc, entities: EntityIndex, in_marks: Covered, verbs: frozenset[str]) -> dict[str, str]:
    """Genders of people whose names say none ('Tyresha McClenney', 'Priebus'), from the pronouns
    that follow their mentions: up to the end of the next sentence, outside quotation marks,
    and only until another person is named; subjects of reporting verbs do not count. A name is
    given a gender when its pronouns agree. A gender known from census shares alone ('Robin') is
    overruled by at least two such pronouns of the other gender."""
    votes: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for mention in entities.people:
        if mention.name in entities.genders and not _census_only(mention.name, entities.genders[mention.name]):
            continue
        sentences = 0
        for token in doc[mention.token + 1 : mention.token + _PRONOUN_WINDOW]:
            entry = entities.name_at(token.i)
            if entry and entry[1] == "PERSON" and entry[0] != mention.name:
                break
            if token.is_sent_start:
                sentences += 1
                if sentences > 1:
                    break
            word = token.lower_
            if word not in _GENDERED or in_marks.covers(token.idx):
                continue
            if token.dep_ in SUBJECTS and token.head.lemma_.lower() in verbs:
                continue  # the 'he' of 'he said' is what is being resolved, not evidence
            votes[mention.name].add(_GENDERED[word])
            counts[mention.name] += 1
    return {
        name: next(iter(found))
        for name, found in votes.items()
        if len(found) == 1 and (name not in entities.genders or counts[name] >= 2)
    }


def _census_only(name: str, known: str) -> bool:
    """The name's gender came from census shares alone ('Robin' is mostly a woman's name), not from
    the name lexicons or an honorific: the article's own pronouns ('Robin Leigh-Pemberton
    repeated his criticism') may overrule it."""
    first = given_name(name).lower().rstrip(".")
    listed = first in lexicon("names_male") or first in lexicon("names_female")
    return not listed and gender(name) == known


def furniture(text: str, start: int = 0) -> Covered:
    """Spans of page furniture in text[start:]: 'READ MORE: ...' lines, 'Story continues below
    advertisement', photo credits '(Name/Agency)'."""
    spans = [m.span() for m in _FURNITURE_LINE.finditer(text, start)]
    spans += [m.span() for m in _FURNITURE_INLINE.finditer(text, start)]
    return Covered(merged(spans))


def initials(name: str) -> str:
    """The capitals starting a name's words: 'Federal Bureau of Investigation' -> 'FBI'."""
    return "".join(word[0] for word in name.split() if word[:1].isupper())


def _acronyms(doc: Doc, text: str, entities: EntityIndex) -> dict[str, str]:
    """Short forms of the article's organisations and other non-person names: the initials of a
    name's capitalised words ('Federal Bureau of Investigation' -> FBI), or letters in brackets
    right after a name that spell its words in order ('Immigration and Customs Enforcement
    (ICE)'). A short form two names share means neither; 'WASHINGTON (AP)' is a dateline."""
    found: dict[str, set[str]] = defaultdict(set)
    names = {name for name, label in entities.token_names.values() if label != "PERSON" and len(name.split()) > 1}
    for name in names:
        if len(initials(name)) >= 2:
            found[initials(name)].add(name)
    for match in _BRACKETED_SHORT.finditer(text):
        span = doc.char_span(match.start(1), match.end(1))
        if span is None or len(span) != 1 or span.start < 2:
            continue
        entry = entities.name_at(span.start - 2)
        if entry and entry[1] != "PERSON" and _spells(match.group(1), entry[0]):
            found[match.group(1)] = {entry[0]}  # written out by the article: it wins over initials
    return {short: next(iter(full)) for short, full in found.items() if len(full) == 1}


def _spells(short: str, name: str) -> bool:
    """The letters of `short` start words of `name` in order, the first letter the first word's."""
    words = [w.lower() for w in name.split()]
    letters = short.lower()
    if len(words) < 2 or not words[0].startswith(letters[0]):
        return False
    i = 0
    for word in words:
        if i < len(letters) and word.startswith(letters[i]):
            i += 1
    return i == len(letters)

"""Doc -> named-entity mentions with per-article canonical names.

Within one article a surname or given name joins the full name it shortens ("Peskov" ->
"Dmitry Peskov"), possessives and leading articles go ("the Kremlin's" -> "Kremlin"), and
titles leave person names ("President Trump" -> "Trump"). The index built here also serves the
quote extractor: which token belongs to which canonical name, where people were mentioned
(for pronouns) and in which role ("Kremlin spokesman"), for speakers named only by role.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from dashboard.nlp.names import (
    clean_name,
    gender,
    given_name,
    is_plausible_name,
    lexicon,
    name_key,
    person_name,
    surname,
)

LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "LAW", "PRODUCT")
# A single-word entity that is the surname of someone named in full in the article is that person,
# whatever label the tagger gave it ("Peskov" as ORG, "Cole" as PRODUCT after "Jane Cole").
_SHORT_PERSON_LABELS = set(LABELS)
_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*")
_SIDE_CLAUSES = {"relcl", "advcl", "acl"}
_HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f"}


@dataclass(frozen=True)
class Mention:
    """Mentions of one canonical entity in one article."""

    name: str
    label: str
    count: int


@dataclass(frozen=True)
class PersonMention:
    """One mention of a person, in document order, for pronoun and role resolution."""

    token: int
    name: str
    role: str | None
    is_subject: bool
    # Subject of a relative or adverbial clause ('the ideas Sanders championed'): a side remark,
    # a weaker antecedent than the subject of the sentence.
    in_side_clause: bool = False


@dataclass
class EntityIndex:
    """Canonical names of an article's entities and where they occur."""

    mentions: list[Mention] = field(default_factory=list)
    token_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # token -> (name, label)
    people: list[PersonMention] = field(default_factory=list)
    genders: dict[str, str] = field(default_factory=dict)  # canonical person name -> 'm' | 'f'

    def name_at(self, token_i: int) -> tuple[str, str] | None:
        """(canonical name, label) of the entity covering a token, if any."""
        return self.token_names.get(token_i)


def _headline_name(name: str, body_words: set[str]) -> str:
    """A person named in a title-case headline, without the capitalised words around the name that
    the body never uses ('Derelict Obama' -> 'Obama', 'Endorses Ted Cruz' -> 'Ted Cruz'); unchanged
    when the body uses none of its words."""
    words = name.split()
    if not any(w in body_words for w in words):
        return name
    while words[0] not in body_words:
        words.pop(0)
    while words[-1] not in body_words:
        words.pop()
    return " ".join(words)


def _surface(ent: Span) -> str:
    return person_name(ent.text) if ent.label_ == "PERSON" else clean_name(ent.text)


def _role(ent: Span) -> str | None:
    """Role words written beside a person: "Kremlin spokesman Dmitry Peskov", "Peskov, the Kremlin spokesman"."""
    doc = ent.doc
    start = ent.start
    # Words left of the name that attach into it: compounds and adjectives of one noun phrase.
    while start > 0:
        prev = doc[start - 1]
        if prev.pos_ not in {"NOUN", "PROPN", "ADJ"} or prev.ent_type_ == "PERSON":
            break
        if not (start - 1 < prev.head.i < ent.end):
            break
        start -= 1
    if start < ent.start:
        return clean_name(doc[start : ent.start].text) or None
    root = ent.root
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN" and child.i > root.i:
            words = [t for t in child.subtree if t.i <= child.i]
            if len(words) <= 6:
                return clean_name(doc[words[0].i : child.i + 1].text) or None
    if root.dep_ == "appos" and root.head.pos_ == "NOUN" and root.head.i < ent.start:
        head = root.head
        return clean_name(doc[head.left_edge.i : head.i + 1].text) or None
    return None


def _honorific_gender(ent: Span) -> str | None:
    """'m' / 'f' when Mr., Mrs., Ms. or Miss stands right before the name."""
    honorific = ent.doc[ent.start - 1].lower_.rstrip(".") if ent.start > 0 else ""
    return _HONORIFIC_GENDER.get(honorific)


def _canonical_people(raw: list[tuple[Span, str]]) -> dict[int, str]:
    """Map each raw mention (by position in `raw`) to its article-canonical person name, if it is one."""
    full_counts: Counter[str] = Counter(name for ent, name in raw if ent.label_ == "PERSON" and len(name.split()) > 1)
    # Variants of one full name ("Donald J. Trump", "Donald Trump"): the most used wins.
    by_key: dict[tuple[str, str], str] = {}
    for name, _ in full_counts.most_common():
        by_key.setdefault(name_key(name), name)
    full_of = {name: by_key[name_key(name)] for name in full_counts}
    fulls_by_surname: dict[str, set[str]] = defaultdict(set)
    fulls_by_given: dict[str, set[str]] = defaultdict(set)
    for full in set(full_of.values()):
        fulls_by_surname[surname(full).lower()].add(full)
        fulls_by_given[given_name(full).lower()].add(full)

    result: dict[int, str] = {}
    last_full_by_surname: dict[str, str] = {}
    for pos, (ent, name) in enumerate(raw):
        if name in full_of:
            canonical = full_of[name]
            result[pos] = canonical
            last_full_by_surname[surname(canonical).lower()] = canonical
            continue
        if len(name.split()) != 1 or ent.label_ not in _SHORT_PERSON_LABELS:
            continue
        word = name.lower()
        by_surname = fulls_by_surname.get(word, set())
        if by_surname:
            # Several people share the surname: an honorific picks by gender ('Mr. Cruz' after
            # 'Heidi Cruz'); else the one named most recently, else the most frequent.
            wanted = _honorific_gender(ent)
            if wanted and len(by_surname) > 1:
                by_surname = {full for full in by_surname if gender(full) == wanted} or by_surname
            recent = last_full_by_surname.get(word)
            result[pos] = (
                recent if recent in by_surname else max(sorted(by_surname), key=lambda full: full_counts[full])
            )
            continue
        by_given = fulls_by_given.get(word, set())
        if len(by_given) == 1 and ent.label_ == "PERSON":
            result[pos] = next(iter(by_given))
        elif ent.label_ == "PERSON":
            result[pos] = name
    return result


def _whole_person(ent: Span) -> Span:
    """A person entity widened over given names the tagger left out ("Dmitry [Peskov]")."""
    if ent.label_ != "PERSON":
        return ent
    start = ent.start
    while start > 0:
        prev = ent.doc[start - 1]
        if (
            prev.pos_ != "PROPN"
            or prev.ent_type_
            or prev.dep_ != "compound"
            or not (ent.start <= prev.head.i < ent.end)
        ):
            break
        if not prev.text[:1].isupper() or prev.lower_.rstrip(".") in lexicon("names_titles"):
            break  # titles stay outside the name: they are the person's role
        start -= 1
    return ent if start == ent.start else Span(ent.doc, start, ent.end, label="PERSON")


def _untagged_surnames(doc: Doc, raw: list[tuple[Span, str]]) -> list[tuple[Span, str]]:
    """Surnames of people named in full that the tagger missed elsewhere ("Merkel smiled")."""
    surnames = {surname(name) for ent, name in raw if ent.label_ == "PERSON" and len(name.split()) > 1}
    found = []
    for token in doc:
        # The tagger also reads a sentence-initial surname as a common noun ("Fields said ...").
        if token.text in surnames and token.pos_ in {"PROPN", "NOUN"} and token.ent_type_ not in LABELS:
            if token.dep_ == "compound" and token.head.pos_ == "PROPN":
                continue  # part of another name ("Merkel Foundation")
            found.append((Span(doc, token.i, token.i + 1, label="PERSON"), token.text))
    return found


def index_entities(doc: Doc, body_start: int = 0) -> EntityIndex:
    """Canonical entity names of one Doc, their counts, and person positions for speaker resolution.
    Text before body_start is a headline: its title-case words are checked against the body."""
    raw = [(_whole_person(ent), "") for ent in doc.ents if ent.label_ in LABELS]
    raw = [(ent, _surface(ent)) for ent, _ in raw]
    if body_start:
        body_words = set(_CAPITALISED.findall(doc.text[body_start:]))
        raw = [
            (ent, _headline_name(name, body_words) if ent.label_ == "PERSON" and ent.start_char < body_start else name)
            for ent, name in raw
        ]
    raw = [(ent, name) for ent, name in raw if any(ch.isalpha() for ch in name) and is_plausible_name(name)]
    raw = sorted(raw + _untagged_surnames(doc, raw), key=lambda pair: pair[0].start)
    people = _canonical_people(raw)

    index = EntityIndex()
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for pos, (ent, name) in enumerate(raw):
        label = "PERSON" if pos in people else ent.label_
        name = people.get(pos, name)
        labels[name][label] += 1
        for token in ent:
            index.token_names[token.i] = (name, label)
        if label == "PERSON":
            index.people.append(
                PersonMention(
                    ent.start,
                    name,
                    _role(ent),
                    ent.root.dep_ in {"nsubj", "nsubjpass"},
                    ent.root.head.dep_ in _SIDE_CLAUSES,
                )
            )
            guessed = _honorific_gender(ent) or gender(name)
            if guessed:
                index.genders.setdefault(name, guessed)

    # One label per canonical name: the one most of its mentions carry.
    for name, counter in labels.items():
        label = counter.most_common(1)[0][0]
        index.mentions.append(Mention(name, label, sum(counter.values())))
    for token_i, (name, _) in index.token_names.items():
        index.token_names[token_i] = (name, labels[name].most_common(1)[0][0])
    index.mentions.sort(key=lambda m: (-m.count, m.name))
    return index


def entity_mentions(doc: Doc) -> list[Mention]:
    """Per-article mention counts of named entities under canonical names."""
    return index_entities(doc).mentions

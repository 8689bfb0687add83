"""One frozen `Filters` value: compiled to SQL with bound parameters, described in words, kept in URLs.

Every chart, table and download wraps the SQL from here, so they can never disagree.

Semantics (what a user can expect):
- Article filters narrow the set of articles: date range; articles quoting any chosen speaker;
  articles mentioning any chosen entity; articles with any chosen topic; articles from any chosen
  outlet (`articles.source`, exactly as stored; an article without a source matches no outlet);
  articles matching the search text. Different filters combine with AND; the choices inside one filter combine with OR.
- The search text (any case) is read as words and "quoted phrases"; an article must match all.
  A word (letters only, two or more) matches an article whose stored lemmas (`terms`) hold it or
  its singular (`prices` -> `price`), so `price` also finds "prices" and "priced", or whose title
  has it as a word. A word no article has as a lemma (stop words, inflections stored under another
  lemma such as "said") and any other token (`50%`, `U.S.`, `covid-19`, one letter) must occur as
  typed in the title or body, also inside a longer word, as the search always worked. A phrase must
  occur as typed, as whole words (any case, any spacing), in the title or body; its words narrow
  the bodies scanned. Only those fallbacks scan every body; words the index holds do not.
- Speaker genders (`speakers.gender`, dashboard/gender.py) keep the articles quoting a person of
  any chosen gender, and their quotes.
- Row filters narrow rows within those articles: quote tables keep the chosen speakers' quotes
  (and the chosen speaker kinds and genders); entity tables keep the chosen entity types.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "LAW", "PRODUCT")
SPEAKER_KINDS = ("person", "organisation")
SPEAKER_GENDERS = ("female", "male", "unknown")
# The URL key of `Filters.sources`, repeated once per outlet (`?source=Reuters&source=AP`).
SOURCE_PARAM = "source"


@dataclass(frozen=True)
class Filters:
    """The user's current view of the corpus. Empty fields mean 'no restriction'."""

    start: dt.date | None = None
    end: dt.date | None = None
    speakers: tuple[str, ...] = field(default_factory=tuple)
    entities: tuple[str, ...] = field(default_factory=tuple)
    entity_labels: tuple[str, ...] = field(default_factory=tuple)
    topics: tuple[str, ...] = field(default_factory=tuple)
    speaker_kinds: tuple[str, ...] = field(default_factory=tuple)
    text: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)
    speaker_genders: tuple[str, ...] = field(default_factory=tuple)

    # --- SQL -----------------------------------------------------------------------------
    def article_where(self, alias: str = "a") -> tuple[str, list]:
        """Condition on the `articles` table (aliased `alias`) and its parameters."""
        clauses: list[str] = []
        params: list = []
        if self.start:
            clauses.append(f"{alias}.date >= ?")
            params.append(self.start)
        if self.end:
            clauses.append(f"{alias}.date <= ?")
            params.append(self.end)
        if self.sources:
            clauses.append(f"{alias}.source IN ({marks(self.sources)})")
            params.extend(self.sources)
        # Each choice list keeps the articles having at least one matching row in its table
        # (for speakers and topics, the rollups of their articles: the same rows, read by name).
        for values, table, column in (
            (self.speakers, "speaker_articles", "speaker"),
            (self.speaker_kinds, "quotes", "speaker_kind"),
            (self.entities, "entities", "entity"),
            (self.topics, "topic_articles", "topic"),
        ):
            if values:
                # Their rows carry their article's date: the subquery reads only the row groups of
                # the chosen dates (speaker_articles and topic_articles: of the chosen names too).
                dates, date_params = self.row_dates(table)
                clauses.append(
                    f"{alias}.article_id IN (SELECT article_id FROM {table} {table}"
                    f" WHERE {column} IN ({marks(values)}) AND {dates})"
                )
                params.extend([*values, *date_params])
        if self.speaker_genders:
            dates, date_params = self.row_dates("quotes")
            clauses.append(
                f"{alias}.article_id IN (SELECT article_id FROM quotes WHERE {_gendered('speaker', self)} AND {dates})"
            )
            params.extend([*self.speaker_genders, *date_params])
        for sql, values in text_query(self.text).conditions(alias, self.row_dates):
            clauses.append(sql)
            params.extend(values)
        return (" AND ".join(clauses) or "TRUE"), params

    def row_dates(self, alias: str) -> tuple[str, list]:
        """The date range on a table whose rows carry their article's `date` (quotes, entities, terms).

        Implied by the article condition, it changes no result; it lets DuckDB skip the row groups
        of other dates before the join.
        """
        clauses, params = [], []
        if self.start:
            clauses.append(f"{alias}.date >= ?")
            params.append(self.start)
        if self.end:
            clauses.append(f"{alias}.date <= ?")
            params.append(self.end)
        return (" AND ".join(clauses) or "TRUE"), params

    def quote_rows(self, alias: str = "q") -> tuple[str, list]:
        """The row part of quote_where (chosen speakers and kinds, the dates), for quotes joined to
        filtered articles."""
        sql, params = self.row_dates(alias)
        if self.speakers:
            sql += f" AND {alias}.speaker IN ({marks(self.speakers)})"
            params += list(self.speakers)
        if self.speaker_kinds:
            sql += f" AND {alias}.speaker_kind IN ({marks(self.speaker_kinds)})"
            params += list(self.speaker_kinds)
        if self.speaker_genders:
            sql += f" AND {_gendered(f'{alias}.speaker', self)}"
            params += list(self.speaker_genders)
        return sql, params

    def entity_rows(self, alias: str = "e") -> tuple[str, list]:
        """The row part of entity_where (chosen entity types, the dates), for entities joined to
        filtered articles."""
        sql, params = self.row_dates(alias)
        if self.entity_labels:
            sql += f" AND {alias}.label IN ({marks(self.entity_labels)})"
            params += list(self.entity_labels)
        return sql, params

    def quote_where(self, alias: str = "q", article_alias: str = "a") -> tuple[str, list]:
        """Condition on `quotes` joined to `articles`: filtered articles, then chosen speakers/kinds."""
        sql, params = self.article_where(article_alias)
        rows, row_params = self.quote_rows(alias)
        return f"{sql} AND {rows}", [*params, *row_params]

    def entity_where(self, alias: str = "e", article_alias: str = "a") -> tuple[str, list]:
        """Condition on `entities` joined to `articles`: filtered articles, then chosen entity types."""
        sql, params = self.article_where(article_alias)
        rows, row_params = self.entity_rows(alias)
        return (f"{sql} AND {rows}" if row_params else sql), [*params, *row_params]

    # --- words -----------------------------------------------------------------------------
    def describe(self) -> str:
        """One sentence a person can read: what this view shows."""
        parts: list[str] = []
        if self.start and self.end:
            parts.append(f"{self.start.isoformat()} to {self.end.isoformat()}")
        elif self.start:
            parts.append(f"from {self.start.isoformat()}")
        elif self.end:
            parts.append(f"until {self.end.isoformat()}")
        for label, values in (
            ("outlet", self.sources),
            ("speaker", self.speakers),
            ("speaker kind", self.speaker_kinds),
            ("speaker gender", self.speaker_genders),
            ("entity", self.entities),
            ("entity type", self.entity_labels),
            ("topic", self.topics),
        ):
            if values:
                parts.append(f"{label} is {_either(values)}")
        if query := text_query(self.text):
            parts.append(query.describe())
        return "All articles" if not parts else "Articles where " + "; ".join(parts)

    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    # --- URLs ------------------------------------------------------------------------------
    def to_params(self) -> dict[str, str | list[str]]:
        """Query-string parameters (only the set ones), so a copied link reopens this view."""
        params: dict[str, str | list[str]] = {}
        if self.start:
            params["start"] = self.start.isoformat()
        if self.end:
            params["end"] = self.end.isoformat()
        for name in ("speakers", "entities", "entity_labels", "topics", "speaker_kinds", "speaker_genders"):
            values = getattr(self, name)
            if values:
                params[name] = list(values)
        if self.sources:
            params[SOURCE_PARAM] = list(self.sources)
        if self.text.strip():
            params["text"] = self.text.strip()
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, str | list[str]]) -> Filters:
        """Rebuild from query-string parameters, ignoring values that do not parse."""

        def many(name: str) -> tuple[str, ...]:
            value = params.get(name) or []
            values = [value] if isinstance(value, str) else list(value)
            return tuple(dict.fromkeys(v for v in values if v))

        def day(name: str) -> dt.date | None:
            value = params.get(name)
            value = value[-1] if isinstance(value, list) and value else value
            try:
                return dt.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                return None

        text = params.get("text") or ""
        return cls(
            start=day("start"),
            end=day("end"),
            speakers=many("speakers"),
            entities=many("entities"),
            entity_labels=tuple(v for v in many("entity_labels") if v in ENTITY_LABELS),
            topics=many("topics"),
            speaker_kinds=tuple(v for v in many("speaker_kinds") if v in SPEAKER_KINDS),
            text=text if isinstance(text, str) else text[-1],
            sources=many(SOURCE_PARAM),
            speaker_genders=tuple(v for v in many("speaker_genders") if v in SPEAKER_GENDERS),
        )

    def with_(self, **changes) -> Filters:
        """A copy with some fields changed (tuples accepted as any iterable)."""
        tuple_fields = {f.name for f in fields(self) if f.name not in ("start", "end", "text")}
        return replace(self, **{k: tuple(v) if k in tuple_fields else v for k, v in changes.items()})


def _gendered(column: str, f: Filters) -> str:
    """`column` names a person speaker of a chosen gender (parameters: f.speaker_genders)."""
    return f"{column} IN (SELECT speaker FROM speakers WHERE gender IN ({marks(f.speaker_genders)}))"


def marks(values: Collection) -> str:
    """One `?` placeholder per value, comma-separated (for `IN (...)`)."""
    return ", ".join("?" for _ in values)


def contains_pattern(text: str) -> str:
    """An ILIKE pattern (with ESCAPE '\\') matching values that contain `text` literally."""
    return f"%{_escape_like(text)}%"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- the search text ----------------------------------------------------------------------------

_PUNCTUATION = string.punctuation + "\u201c\u201d\u2018\u2019"
_PHRASE = re.compile(r'"([^"]*)"?|\u201c([^\u201d]*)\u201d?')
# Plurals whose last letter is not a plural -s: "news" is not "new", "analysis" not "analysi".
_NOT_PLURAL = ("ss", "us", "is", "ws")
# A token is whole when no letter or digit touches it on either side.
_EDGE_START, _EDGE_END = r"(^|[^\pL\pN])", r"([^\pL\pN]|$)"


def word_forms(word: str) -> tuple[str, ...]:
    """The lemmas a typed word is looked up under: itself, then its possible singulars."""
    forms = [word]
    if len(word) > 3 and word.endswith("s") and not word.endswith(_NOT_PLURAL):
        if word.endswith("ies"):
            forms.append(word[:-3] + "y")
        if word.endswith(("ses", "xes", "zes", "ches", "shes")):
            forms.append(word[:-2])
        forms.append(word[:-1])
    return tuple(forms)


def _regex_literal(text: str) -> str:
    # RE2 takes any ASCII punctuation escaped as itself; a run of spaces matches any whitespace
    # (bodies break lines inside phrases).
    out = []
    for part in text.split():
        out.append("".join("\\" + c if c.isascii() and not c.isalnum() else c for c in part))
    return r"\s+".join(out)


def _whole(*alternatives: str) -> str:
    """A case-insensitive RE2 pattern for any of `alternatives` as whole tokens."""
    return _EDGE_START + "(" + "|".join(_regex_literal(a) for a in alternatives) + ")" + _EDGE_END


@dataclass(frozen=True)
class TextQuery:
    """The search text read as words (looked up as lemmas), literal tokens and quoted phrases."""

    words: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def conditions(
        self, alias: str = "a", dates: Callable[[str], tuple[str, list]] = lambda _: ("TRUE", [])
    ) -> list[tuple[str, list]]:
        """One SQL condition on `articles` (aliased `alias`) per word, token and phrase, with parameters.

        `dates(alias)`: the article condition's date range on the rows of a table aliased `alias`
        that carry their article's date (Filters.row_dates), which lets the lemma lookups and the
        body scans read only those dates' row groups.
        """
        title, text = f"{alias}.title", f"{alias}.text"
        ds, dp = dates("terms")
        bs, bp = dates("body")
        out: list[tuple[str, list]] = []
        for word in self.words:
            forms = word_forms(word)
            in_title, title_params = _contains(title, forms)
            in_text, text_params = _contains("body.text", (word,), whole=False)
            # The bodies are scanned only when no article has any of the forms as a lemma, and in a
            # subquery of their own: a condition naming `{alias}.text` makes DuckDB read every
            # filtered body even when it never evaluates it (at a million articles 2.5 s of the 1.0 s
            # a known word needs). That scan looks for the word as typed, also inside longer words,
            # as the search always did: a whole-word regular expression over every body costs twice.
            out.append(
                (
                    f"({_has_lemma(alias, forms, ds)} OR {in_title}"
                    f" OR {alias}.article_id IN (SELECT body.article_id FROM articles body"
                    f" WHERE NOT {_known(forms)} AND {bs} AND {in_text}))",
                    [*forms, *dp, *title_params, *forms, *bp, *text_params],
                )
            )
        for token in (*self.literals, *self.phrases):
            # Tokens scan every body, so they are plain substrings; phrases scan only the bodies
            # their words narrowed to, so they are whole words with any spacing between them.
            whole = token in self.phrases
            in_title, title_params = _contains(title, (token,), whole)
            in_text, text_params = _contains(text, (token,), whole)
            narrow, narrow_params = "TRUE", []
            for word in _words_of(token) if whole else ():
                # A phrase's words narrow the bodies scanned; a word the index lacks narrows nothing.
                forms = word_forms(word)
                narrow += f" AND ({_has_lemma(alias, forms, ds)} OR NOT {_known(forms)})"
                narrow_params += [*forms, *dp, *forms]
            out.append(
                (
                    f"({in_title} OR CASE WHEN {narrow} THEN {in_text} ELSE FALSE END)",
                    [*title_params, *narrow_params, *text_params],
                )
            )
        return out

    def __bool__(self) -> bool:
        return bool(self.words or self.literals or self.phrases)

    def describe(self) -> str:
        """The search in words, e.g. 'text has the words “oil price” and the phrase “crude oil”'."""
        parts = []
        tokens = (*self.words, *self.literals)
        if tokens:
            parts.append(f"the word{'s' if len(tokens) > 1 else ''} \u201c{' '.join(tokens)}\u201d")
        for phrase in self.phrases:
            parts.append(f"the phrase \u201c{phrase}\u201d")
        return "text has " + " and ".join(parts)


def text_query(text: str) -> TextQuery:
    """Read a search text: "quoted phrases" (straight or curly quotes), then words and other tokens."""
    phrases = []

    def take(match: re.Match) -> str:
        phrase = " ".join((match.group(1) or match.group(2) or "").split())
        if phrase:
            phrases.append(phrase)
        return " "

    rest = _PHRASE.sub(take, text)
    words, literals = [], []
    for token in rest.split():
        core = token.strip(_PUNCTUATION)
        if core.isalpha() and len(core) > 1:
            words.append(core.lower())
        elif core:  # "50%", "U.S.", "covid-19", "a": as typed, less a trailing comma or question mark
            literals.append(token.rstrip(",;:!?"))
    return TextQuery(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(literals)), tuple(dict.fromkeys(phrases)))


def _words_of(phrase: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", phrase) if len(w) > 1]


def _has_lemma(alias: str, forms: tuple[str, ...], dates: str = "TRUE") -> str:
    """The article has one of `forms` among its stored lemmas (parameters: the forms, then those of
    `dates`, a condition on the `terms` rows' date that the article's own date meets)."""
    # term_index: the terms sorted by term (store.TERM_INDEX), so only the forms' row groups are read.
    return f"{alias}.article_id IN (SELECT article_id FROM term_index terms WHERE term IN ({marks(forms)}) AND {dates})"


def _known(forms: tuple[str, ...]) -> str:
    """Some article has one of `forms` among its stored lemmas (parameters: the forms)."""
    return f"EXISTS (SELECT 1 FROM terms WHERE term IN ({marks(forms)}))"


def _contains(column: str, alternatives: tuple[str, ...], whole: bool = True) -> tuple[str, list]:
    """`column` has one of `alternatives` (any case): as whole tokens, or else anywhere.

    ILIKE first: it is several times faster than the regular expression, which then runs only on
    the values ILIKE let through. The ILIKE pattern is a superset: the alternatives' common prefix,
    or a phrase's words in order with anything between them.
    """
    prefix = os.path.commonprefix(list(alternatives))
    like = "%" + "%".join(_escape_like(part) for part in prefix.split()) + "%"
    if not whole:
        return f"{column} ILIKE ? ESCAPE '\\'", [like]
    return f"({column} ILIKE ? ESCAPE '\\' AND regexp_matches({column}, ?, 'i'))", [like, _whole(*alternatives)]


def _either(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]

"""One frozen `Filters` value: compiled to SQL with bound parameters, described in words, kept in URLs.

Every chart, table and download wraps the SQL from here, so they can never disagree.

Semantics (what a user can expect):
- Article filters narrow the set of articles: date range; articles quoting any chosen speaker;
  articles mentioning any chosen entity; articles with any chosen topic; articles whose title or
  body contains the search text (case-insensitive). Different filters combine with AND; the
  choices inside one filter combine with OR.
- Row filters narrow rows within those articles: quote tables keep the chosen speakers' quotes
  (and the chosen speaker kinds); entity tables keep the chosen entity types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace

ENTITY_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC", "LAW", "PRODUCT")
SPEAKER_KINDS = ("person", "organisation")


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
        # Each choice list keeps the articles having at least one matching row in its table.
        for values, table, column in (
            (self.speakers, "quotes", "speaker"),
            (self.speaker_kinds, "quotes", "speaker_kind"),
            (self.entities, "entities", "entity"),
            (self.topics, "topics", "topic"),
        ):
            if values:
                clauses.append(
                    f"{alias}.article_id IN (SELECT article_id FROM {table} WHERE {column} IN ({marks(values)}))"
                )
                params.extend(values)
        if self.text.strip():
            pattern = f"%{_escape_like(self.text.strip())}%"
            clauses.append(f"({alias}.title ILIKE ? ESCAPE '\\' OR {alias}.text ILIKE ? ESCAPE '\\')")
            params.extend([pattern, pattern])
        return (" AND ".join(clauses) or "TRUE"), params

    def quote_rows(self, alias: str = "q") -> tuple[str, list]:
        """The row part of quote_where (chosen speakers and kinds), for quotes joined to filtered articles."""
        sql, params = "TRUE", []
        if self.speakers:
            sql += f" AND {alias}.speaker IN ({marks(self.speakers)})"
            params += list(self.speakers)
        if self.speaker_kinds:
            sql += f" AND {alias}.speaker_kind IN ({marks(self.speaker_kinds)})"
            params += list(self.speaker_kinds)
        return sql, params

    def entity_rows(self, alias: str = "e") -> tuple[str, list]:
        """The row part of entity_where (chosen entity types), for entities joined to filtered articles."""
        if not self.entity_labels:
            return "TRUE", []
        return f"{alias}.label IN ({marks(self.entity_labels)})", list(self.entity_labels)

    def quote_where(self, alias: str = "q", article_alias: str = "a") -> tuple[str, list]:
        """Condition on `quotes` joined to `articles`: filtered articles, then chosen speakers/kinds."""
        sql, params = self.article_where(article_alias)
        rows, row_params = self.quote_rows(alias)
        return sql + rows.removeprefix("TRUE"), [*params, *row_params]

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
            ("speaker", self.speakers),
            ("speaker kind", self.speaker_kinds),
            ("entity", self.entities),
            ("entity type", self.entity_labels),
            ("topic", self.topics),
        ):
            if values:
                parts.append(f"{label} is {_either(values)}")
        if self.text.strip():
            parts.append(f"text contains \u201c{self.text.strip()}\u201d")
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
        for name in ("speakers", "entities", "entity_labels", "topics", "speaker_kinds"):
            values = getattr(self, name)
            if values:
                params[name] = list(values)
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
        )

    def with_(self, **changes) -> Filters:
        """A copy with some fields changed (tuples accepted as any iterable)."""
        tuple_fields = {f.name for f in fields(self) if f.name not in ("start", "end", "text")}
        return replace(self, **{k: tuple(v) if k in tuple_fields else v for k, v in changes.items()})


def marks(values: Collection) -> str:
    """One `?` placeholder per value, comma-separated (for `IN (...)`)."""
    return ", ".join("?" for _ in values)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _either(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]

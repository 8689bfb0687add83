"""What the quote stages hand each other: candidates, speakers, the closed set of rules, and the
public Quote record the store keeps."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from spacy.tokens import Token

Kind = Literal["direct", "indirect"]
SpeakerKind = Literal["person", "organisation"]
ResolvedBy = Literal["name", "pronoun", "role", "previous"]


class Rule(StrEnum):
    """The rules that find quotes; the value is what the store's `rule` column holds."""

    DIRECT_BEFORE_CUE = "direct-before-cue"  # '"...," he said' / '"...," Trump, the frontrunner, said'
    DIRECT_INVERTED = "direct-inverted"  # '"...," said Angela Merkel'
    DIRECT_AFTER_CUE = "direct-after-cue"  # 'Mary Smith said, "..."'
    DIRECT_COLON = "direct-colon"  # 'He added: "..."'
    ACCORDING_TO = "according-to"  # '"...," according to John Smith' / 'According to X, ...'
    FLOATING = "floating"  # a quotation with no cue of its own continues the previous speaker
    INDIRECT = "indirect"  # 'Peskov said that ...' / '..., Peskov said.'
    DIRECT_PARTIAL = "direct-partial"  # reported speech that is mostly quoted words
    INDIRECT_PARTIAL = "indirect-partial"  # reported speech that embeds a few quoted words
    QUOTED_OBJECT = "quoted-object"  # 'called it "a disaster"', 'voiced his "frustration ..."'


@dataclass(frozen=True)
class Quote:
    """One quotation or reported statement; offsets are into the article body."""

    speaker: str | None
    speaker_role: str | None
    speaker_kind: SpeakerKind | None
    quote: str
    cue: str | None
    kind: Kind
    start_char: int
    end_char: int
    rule: str  # a Rule value
    resolved_by: ResolvedBy | None
    # The he/she (him/her) that was resolved to the person speaker, when resolved_by is 'pronoun':
    # the article's own word for that person's gender (dashboard/gender.py reads it).
    pronoun: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A quote found by a rule, before its speaker is resolved; offsets into the Doc's text."""

    start: int
    end: int
    cue: Token | None
    cue_text: str | None
    source: Token | None  # head token of the speaker phrase
    kind: Kind
    rule: Rule


@dataclass(frozen=True)
class Speaker:
    """Who said a quote: a name, a role, or both; how it was found."""

    name: str | None
    role: str | None
    kind: SpeakerKind | None
    resolved_by: ResolvedBy | None


NO_SPEAKER = Speaker(None, None, None, None)

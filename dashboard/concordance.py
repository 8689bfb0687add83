"""Keyword in context: what a typed word or phrase means, and the lines of text around each match.

What a query means (the Word over time page says the same to users):
- One word of letters (`price`): the word in any of its forms and any case. Which articles hold it
  comes from the stored lemmas, exactly as the sidebar search finds it (`prices` and `priced` are
  the lemma `price`; a title counts too). In context, the word and its regular forms are shown
  (price, prices, priced, pricing); irregular forms the lemmas know (`rose` for `rise`) are
  counted but not shown.
- Several words (`crude oil`), or anything in quotation marks: a phrase, those words in that order
  as whole words, any case, any spacing (line breaks too), in the title or body.
- Any other single token (`50%`, `U.S.`): the characters as typed, any case, also inside longer words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.filters import text_query, word_forms

# A match is whole when no letter or digit touches it (Python's \w without the underscore).
_BEFORE, _AFTER = r"(?<![^\W_])", r"(?![^\W_])"
_VOWELS = "aeiou"


def as_search(typed: str) -> str:
    """The sidebar-search text for what was typed: several words become one "phrase"."""
    words = " ".join(typed.replace("\u201c", '"').replace("\u201d", '"').split())
    if '"' in words or len(words.split()) < 2:
        return words
    return f'"{words}"'


def regular_forms(word: str) -> tuple[str, ...]:
    """The word, its singulars (as the search reads them) and their regular English inflections."""
    forms: list[str] = []
    for base in word_forms(word.lower()):
        stem = base[:-1] if base.endswith("e") else base
        forms += [base, base + "s", base + "es", stem + "ed", stem + "ing"]
        if len(base) > 2 and base.endswith("y") and base[-2] not in _VOWELS:
            forms += [base[:-1] + "ies", base[:-1] + "ied"]
        if len(base) > 2 and base[-1] not in _VOWELS + "wxy" and base[-2] in _VOWELS:
            forms += [base + base[-1] + "ed", base + base[-1] + "ing"]  # stop -> stopped, stopping
    return tuple(dict.fromkeys(forms))


def pattern(search: str) -> re.Pattern | None:
    """A case-insensitive pattern for the body text matching what `search` (a sidebar search) finds."""
    query = text_query(search)
    alternatives = [_BEFORE + "(?:" + "|".join(map(re.escape, regular_forms(w))) + ")" + _AFTER for w in query.words]
    alternatives += [re.escape(literal) for literal in query.literals]
    alternatives += [_BEFORE + r"\s+".join(map(re.escape, p.split())) + _AFTER for p in query.phrases]
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


@dataclass(frozen=True)
class Line:
    """One match with the text either side: left, match and right (each on one line)."""

    left: str
    match: str
    right: str


def lines(text: str, found: re.Pattern | None, width: int = 60) -> list[Line]:
    """Every match of `found` in `text` with up to `width` characters either side, whitespace made single spaces.

    The context is cut at a word edge where one lies within it, so a line does not start mid-word.
    """
    if not text or found is None:
        return []
    out = []
    for match in found.finditer(text):
        if match.end() == match.start():
            continue
        left = text[max(0, match.start() - width) : match.start()]
        right = text[match.end() : match.end() + width]
        if match.start() > width and (cut := re.search(r"\s", left)):
            left = left[cut.start() :]  # the first word was likely cut: it goes
        if match.end() + width < len(text) and (cut := re.search(r"\s\S*$", right)):
            right = right[: cut.start()]
        out.append(Line(_one_line(left), _one_line(match.group(0)), _one_line(right)))
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())

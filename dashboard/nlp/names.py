"""Name normalisation shared by entities, quotes and corpus-wide speaker merging.

The lexicons live in `rules/` as plain text (one lower-case entry a line, `#` comments).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib.resources import files

_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_INITIAL = re.compile(r"^[A-Z]\.?$")
_AMOUNT = re.compile(r"^\d[\d.,]*$")
_CAMEL_HUMP = re.compile(r"[a-z][A-Z]")
_CENSUS_RATIO = 3.0  # how many times more common in one sex a given name must be to tell a gender


@cache
def lexicon(name: str) -> frozenset[str]:
    """Entries of the data file `rules/<name>.txt`, lower case, comments and blanks dropped."""
    text = (files("dashboard.nlp") / "rules" / f"{name}.txt").read_text(encoding="utf-8")
    entries = (line.split("#", 1)[0].strip().lower() for line in text.splitlines())
    return frozenset(entry for entry in entries if entry)


def clean_name(text: str) -> str:
    """Collapse spaces, drop a leading article and a trailing possessive: "the Kremlin's" -> "Kremlin"."""
    # Newswire marks company names with angle brackets ("<Acme Corp>"); they are no part of the name.
    text = _SPACES.sub(" ", text.replace("<", " ").replace(">", " ")).strip(" \t\n,;:-–—\"“”‘’'()")
    text = _LEADING_ARTICLE.sub("", text)
    return _POSSESSIVE.sub("", text).strip()


@cache
def _not_name_words() -> tuple[frozenset[str], frozenset[str]]:
    entries = lexicon("names_not_names")
    suffixes = frozenset(e.split(None, 1)[1] for e in entries if e.startswith("&suffix "))
    return frozenset(e for e in entries if not e.startswith("&")), suffixes


def is_plausible_name(name: str) -> bool:
    """False for what the tagger marks as a name but no reader would: shorthand, amounts, lone letters,
    words run together."""
    words = [w.lower().strip(".,") for w in name.split()]
    if len(name.replace(".", "").replace(" ", "")) < 2:
        return False
    if any(_AMOUNT.match(w) for w in words):  # "Revs 12.2 mln vs"; "Zapad-2025" or "G7" stay names
        return False
    if any(len(_CAMEL_HUMP.findall(w)) >= 2 for w in re.split(r"[\s-]+", name)):
        return False  # page furniture run together: "FlagShareLikeReplySara" (one hump: "McDonough")
    never, suffixes = _not_name_words()
    return not any(w in never for w in words) and not all(w in suffixes for w in words)


@cache
def _front_words() -> frozenset[str]:
    return lexicon("names_titles") | lexicon("quote_role_nouns")


def strip_titles(name: str) -> str:
    """Drop honorifics, office titles and role nouns from the front of a person's name: "President
    Trump" -> "Trump", "Analyst Tom Gray" -> "Tom Gray" (the tagger often takes a capitalised role
    noun before a name into the name)."""
    titles = _front_words()
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in titles:
        words = words[1:]
    return " ".join(words)


def person_name(text: str) -> str:
    """Canonical surface of a person mention: cleaned, titles off."""
    return strip_titles(clean_name(text))


def surname(name: str) -> str:
    """Last word of a name, ignoring generational suffixes: "Martin Luther King Jr." -> "King"."""
    words = [w for w in name.split() if w.lower().rstrip(".,") not in {"jr", "sr", "ii", "iii", "iv"}]
    return words[-1] if words else name


def given_name(name: str) -> str:
    """First word of a name."""
    return name.split()[0] if name.split() else name


def name_key(name: str) -> tuple[str, str]:
    """(given name, surname) in lower case, ignoring middle names and initials: 'Donald J. Trump' ~ 'Donald Trump'."""
    words = [w for w in name.split() if not _INITIAL.match(w)]
    if len(words) < 2:
        return ("", surname(name).lower())
    return (words[0].lower(), surname(" ".join(words)).lower())


def gender(name: str) -> str | None:
    """'m', 'f' or None from a given name or honorific: the names_male/names_female lexicons first,
    then the US census given-name frequencies, where one sex must outnumber the other three to one
    ('Terry' is male, 'Leslie' stays unknown)."""
    first = fold_accents(given_name(name).lower().rstrip("."))
    listed = _listed_gender(first)
    if listed or first in lexicon("names_male") or len(name.split()) < 2:
        return listed  # a lone word may be a surname ('Warren'): the census lists tell given names only
    return _census_gender(first)


def fold_accents(text: str) -> str:
    """Letters without their accents ('François' -> 'Francois'): the names lists are unaccented."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _listed_gender(first: str) -> str | None:
    male, female = first in lexicon("names_male"), first in lexicon("names_female")
    return ("m" if male else "f") if male != female else None


def _census_gender(first: str) -> str | None:
    share = census_given_names()
    m, f = share.get(("m", first), 0.0), share.get(("f", first), 0.0)
    if m >= _CENSUS_RATIO * f and m > 0:
        return "m"
    if f >= _CENSUS_RATIO * m and f > 0:
        return "f"
    return None


def given_name_genders() -> dict[str, tuple[str, str]]:
    """Every given name `gender` can tell: lower-case name -> ('m' or 'f', 'names list' or 'census')."""
    names = {first for _, first in census_given_names()} | lexicon("names_male") | lexicon("names_female")
    out = {}
    for first in sorted(names):
        listed = _listed_gender(first)
        if listed:
            out[first] = (listed, "names list")
        elif first not in lexicon("names_male") and (found := _census_gender(first)):
            out[first] = (found, "census")
    return out


@lru_cache(maxsize=1)
def census_given_names() -> dict[tuple[str, str], float]:
    """(sex, lower-case given name) -> percent of that sex bearing it, from the 1990 US census lists
    that the `names` package ships (public-domain data: 1,219 male and 4,275 female names)."""
    shares: dict[tuple[str, str], float] = {}
    for sex, file in (("m", "dist.male.first"), ("f", "dist.female.first")):
        for line in (files("names") / file).read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                shares[(sex, parts[0].lower())] = float(parts[1])
    return shares

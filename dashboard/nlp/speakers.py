"""Corpus-wide names: one person, one name across articles, with a user-editable alias file.

Per-article canonical names ("Dmitry Peskov") come from the extractors; this step joins the
variants different articles used: "Donald J. Trump" and "Donald Trump" (same given name and
surname), "President Trump" (titles), and a bare "Trump" when one full name clearly dominates that
surname across the corpus. People who merely share a surname ("Hillary Clinton", "Bill Clinton")
never merge. The alias file (variant<TAB>canonical, `#` comments) applies last and always wins.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections import Counter, defaultdict
from importlib.resources import files
from pathlib import Path

import pandas as pd

from dashboard.nlp.names import name_key, person_name, surname

log = logging.getLogger(__name__)

# A bare surname joins a full name only when that name has this share of the full-name mentions
# with the surname, and appears in at least this many articles (so one article is no evidence).
DOMINANT_SHARE = 0.8
MIN_ARTICLES = 2
_MAX_CHAIN = 10


def default_aliases_path() -> Path:
    """The alias file shipped with the package (rules/aliases.tsv)."""
    return Path(str(files("dashboard.nlp") / "rules" / "aliases.tsv"))


def read_aliases(*paths) -> dict[str, str]:
    """variant -> canonical from TSV alias files (later files win), chains followed across files.

    A missing file gives nothing, so a store without a user alias file still reads the defaults.
    """
    raw: dict[str, str] = {}
    for path in map(Path, paths):
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.split("\t")]
            if len(parts) != 2 or not all(parts):
                log.warning("%s:%d: expected 'variant<TAB>canonical', skipped: %r", path, number, line)
                continue
            raw[parts[0]] = parts[1]
    followed = {variant: _follow(raw, variant) for variant in raw}
    return {variant: canonical for variant, canonical in followed.items() if canonical != variant}


def _follow(aliases: dict[str, str], name: str) -> str:
    """Follow variant -> canonical chains (A -> B -> C gives C); a cycle stops where it closes."""
    seen = {name}
    for _ in range(_MAX_CHAIN):
        nxt = aliases.get(name)
        if nxt is None or nxt in seen:
            break
        seen.add(nxt)
        name = nxt
    return name


def add_alias(path, variant: str, canonical: str) -> None:
    """Record that `variant` means `canonical` (replacing an older entry for it), atomically."""
    variant, canonical = variant.strip(), canonical.strip()
    for value in (variant, canonical):
        if not value or "\t" in value or "\n" in value:
            raise ValueError(f"alias names must be non-empty single-line text without tabs: {value!r}")
    if variant == canonical:
        raise ValueError(f"a name cannot be an alias of itself: {variant!r}")
    path = Path(path)
    lines = (
        path.read_text(encoding="utf-8").splitlines()
        if path.is_file()
        else ["# Speaker and entity aliases: variant<TAB>canonical, one per line; # starts a comment."]
    )
    kept = [line for line in lines if line.split("\t")[0].strip() != variant or line.lstrip().startswith("#")]
    kept.append(f"{variant}\t{canonical}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(kept) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _person_names(mentions: pd.DataFrame, quotes: pd.DataFrame) -> tuple[Counter[str], dict[str, set]]:
    """Mention counts and article sets of every name used for a person."""
    counts: Counter[str] = Counter()
    articles: dict[str, set] = defaultdict(set)
    people = mentions[mentions["label"] == "PERSON"] if len(mentions) else mentions
    for article_id, name, count in zip(people["article_id"], people["name"], people["count"]):
        counts[name] += int(count)
        articles[name].add(article_id)
    if len(quotes):
        speakers = quotes[quotes["speaker"].notna() & (quotes["speaker_kind"] == "person")]
        for article_id, name in zip(speakers["article_id"], speakers["speaker"]):
            if name not in counts:
                counts[name] += 1
            articles[name].add(article_id)
    return counts, articles


def build_name_map(mentions: pd.DataFrame, quotes: pd.DataFrame, aliases: dict[str, str]) -> dict[str, str]:
    """Raw per-article name -> corpus canonical name, for the names that change."""
    counts, articles = _person_names(mentions, quotes)
    cleaned = {name: person_name(name) or name for name in counts}

    # Full names: variants with the same given name and surname join the most used spelling.
    full_counts: Counter[str] = Counter()
    full_articles: dict[str, set] = defaultdict(set)
    for name, clean in cleaned.items():
        if len(clean.split()) > 1:
            full_counts[clean] += counts[name]
    by_key: dict[tuple[str, str], str] = {}
    for clean, _ in sorted(full_counts.items(), key=lambda item: (-item[1], -len(item[0]), item[0])):
        by_key.setdefault(name_key(clean), clean)
    key_counts: Counter[str] = Counter()
    for name, clean in cleaned.items():
        if len(clean.split()) > 1:
            canonical = by_key[name_key(clean)]
            key_counts[canonical] += counts[name]
            full_articles[canonical] |= articles[name]

    # Bare surnames join the full name that clearly dominates the surname across the corpus.
    by_surname: dict[str, list[str]] = defaultdict(list)
    for canonical in key_counts:
        by_surname[surname(canonical)].append(canonical)

    def joined(clean: str) -> str:
        if len(clean.split()) > 1:
            return by_key[name_key(clean)]
        owners = by_surname.get(clean, [])
        if not owners:
            return clean
        best = max(owners, key=lambda owner: (key_counts[owner], owner))
        total = sum(key_counts[owner] for owner in owners)
        if key_counts[best] >= DOMINANT_SHARE * total and len(full_articles[best]) >= MIN_ARTICLES:
            return best
        return clean

    result = {name: joined(clean) for name, clean in cleaned.items()}
    # Names of organisations and places, and unknown speakers, take part only through aliases.
    for name in set(mentions["name"]) if len(mentions) else set():
        result.setdefault(name, name)
    if len(quotes):
        for name in quotes["speaker"].dropna().unique():
            result.setdefault(name, name)

    # Aliases last: a variant listed there, raw or merged, goes where the user said.
    final = {}
    for raw, merged in result.items():
        target = aliases.get(raw) or aliases.get(merged) or merged
        if target != raw:
            final[raw] = target
    return final

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


def _register_name_functions(con) -> None:
    """The name rules of dashboard.nlp.names as DuckDB functions, so merging runs as SQL."""
    from duckdb.sqltypes import VARCHAR

    def clean(name: str) -> str:
        return person_name(name) or name

    def key(clean_name: str) -> str | None:
        # Only full names (two words or more) have a key; a bare surname is matched by surname.
        return "\x1f".join(name_key(clean_name)) if len(clean_name.split()) > 1 else None

    present = {row[0] for row in con.execute("SELECT function_name FROM duckdb_functions()").fetchall()}
    for fname, fn in (("nm_clean", clean), ("nm_key", key), ("nm_surname", surname)):
        if fname not in present:
            # nm_key returns NULL for bare names, so it must handle nulls itself ("special").
            handling = "special" if fname == "nm_key" else "default"
            con.create_function(fname, fn, [VARCHAR], VARCHAR, null_handling=handling)


NAME_MAP_SQL = """
WITH person_rows AS (
    SELECT article_id, name, count::BIGINT AS n, TRUE AS mentioned FROM {mentions} WHERE label = 'PERSON'
    UNION ALL
    SELECT article_id, {speaker} AS name, 0 AS n, FALSE AS mentioned FROM {quotes}
    WHERE {speaker} IS NOT NULL AND speaker_kind = 'person'
),
-- A name's weight: its mention counts, or 1 for a person only ever seen as a speaker.
names AS (
    SELECT name, CASE WHEN bool_or(mentioned) THEN sum(n) ELSE 1 END AS n FROM person_rows GROUP BY name
),
cleaned AS MATERIALIZED (
    SELECT name, n, nm_clean(name) AS clean, nm_key(nm_clean(name)) AS key FROM names
),
full_counts AS (SELECT clean, key, sum(n) AS n FROM cleaned WHERE key IS NOT NULL GROUP BY clean, key),
-- Variants with the same given name and surname join the most used spelling (then the longest).
by_key AS (
    SELECT key, first(clean ORDER BY n DESC, length(clean) DESC, clean) AS canonical, sum(n) AS n
    FROM full_counts GROUP BY key
),
full_articles AS (
    SELECT b.canonical, count(DISTINCT p.article_id) AS articles
    FROM person_rows p JOIN cleaned c USING (name) JOIN by_key b ON b.key = c.key
    GROUP BY b.canonical
),
owners AS (
    SELECT nm_surname(b.canonical) AS surname, b.canonical, b.n, f.articles
    FROM by_key b JOIN full_articles f USING (canonical)
),
-- A bare surname joins the full name that clearly dominates it across the corpus.
bare AS (
    SELECT surname, first(canonical ORDER BY n DESC, canonical DESC) AS best,
           max(n) AS best_n, first(articles ORDER BY n DESC, canonical DESC) AS best_articles, sum(n) AS total
    FROM owners GROUP BY surname
),
merged AS (
    SELECT c.name,
           CASE WHEN c.key IS NOT NULL THEN b.canonical
                WHEN o.best IS NOT NULL AND o.best_n >= ? * o.total AND o.best_articles >= ? THEN o.best
                ELSE c.clean END AS merged
    FROM cleaned c LEFT JOIN by_key b ON b.key = c.key LEFT JOIN bare o ON c.key IS NULL AND o.surname = c.clean
),
all_names AS (
    SELECT DISTINCT name FROM {mentions}
    UNION SELECT DISTINCT {speaker} FROM {quotes} WHERE {speaker} IS NOT NULL
),
-- Aliases last: a variant listed there, raw or merged, goes where the user said.
final AS (
    SELECT a.name, coalesce(raw.canonical, via.canonical, m.merged, a.name) AS canonical
    FROM all_names a LEFT JOIN merged m USING (name)
    LEFT JOIN aliases raw ON raw.variant = a.name
    LEFT JOIN aliases via ON via.variant = coalesce(m.merged, a.name)
)
SELECT name, canonical FROM final WHERE canonical <> name ORDER BY name
"""


def name_map_relation(
    con, aliases: dict[str, str], mentions: str = "mentions", quotes: str = "quotes", speaker: str = "speaker_name"
) -> str:
    """SQL (on `con`) for the name map over the relations `mentions` and `quotes`: (name, canonical).

    Runs in DuckDB over the whole corpus without bringing its rows into Python: only the name
    rules themselves (titles, keys, surnames) are Python functions, called once per distinct name.
    """
    import pyarrow as pa

    _register_name_functions(con)
    table = pa.table(
        {"variant": list(aliases), "canonical": list(aliases.values())},
        schema=pa.schema([("variant", pa.string()), ("canonical", pa.string())]),
    )
    con.register("aliases", table)
    return NAME_MAP_SQL.format(mentions=mentions, quotes=quotes, speaker=speaker)


def name_map_params() -> list:
    """The bound values of NAME_MAP_SQL: dominant share, minimum articles."""
    return [DOMINANT_SHARE, MIN_ARTICLES]


def build_name_map(mentions: pd.DataFrame, quotes: pd.DataFrame, aliases: dict[str, str]) -> dict[str, str]:
    """Raw per-article name -> corpus canonical name, for the names that change (frames in, for small data)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.register("m_in", mentions[["article_id", "name", "label", "count"]])
    con.register("q_in", quotes[["article_id", "speaker", "speaker_kind"]].astype({"speaker": object}))
    sql = name_map_relation(con, aliases, mentions="m_in", quotes="q_in", speaker="speaker")
    return dict(con.execute(sql, name_map_params()).fetchall())

"""Gender of the people quoted: `female`, `male` or `unknown` for each person speaker, with the evidence.

Computed once per commit as DuckDB SQL over the store's views (corpus.finish, corpus.renamed), into
the snapshot's `speakers` table; never for organisations. Evidence, in order of trust:

1. pronouns: quotes whose "he said" / "she said" was resolved to this person (`quotes.speaker_pronoun`);
2. honorifics: articles quoting the person that also write Mr. / Mrs. / Ms. / Miss / Mme before
   the person's surname (or given name); only for names of two words or more, since a surname
   alone ("Reagan") is shared by a family;
3. the given name: the names lists shipped in dashboard/nlp/rules, then the 1990 US census lists
   (one sex at least three times as common), as dashboard.nlp.names.gender reads them.

Pronouns and honorifics are the article's own words; each kind of them decides when one gender
has at least four fifths of its votes, and is a conflict otherwise. A conflict, or pronouns and
honorifics that disagree, give `unknown`: not a guess. The given name is a statistic, so it only
speaks when neither of them does. A user's correction (the store's genders.tsv, written by the
Speakers page) wins over all of them and survives re-runs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa

GENDERS = ("female", "male", "unknown")
CORRECTIONS_FILE = "genders.tsv"
# The share of one kind of evidence's votes a gender needs to decide (else: a conflict).
DECISIVE_SHARE = 0.8
_FEMALE_WORDS, _MALE_WORDS = ("she", "her"), ("he", "him")
_FEMALE_TITLES, _MALE_TITLES = ("Mrs", "Ms", "Miss", "Mme"), ("Mr",)
# An honorific and the capitalised word after it ("Mr. Baker", "Ms O'Neill"); RE2 syntax.
_HONORIFIC = r"\b(Mrs|Ms|Miss|Mme|Mr)\.?\s+([A-Z][A-Za-z'’-]+)"
_SUFFIXES = ("Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV")


def corrections_path(store_dir: str | Path) -> Path:
    """The user's gender corrections for a store, beside its alias file (speaker<TAB>gender)."""
    return Path(store_dir) / CORRECTIONS_FILE


def read_corrections(path: str | Path) -> dict[str, str]:
    """speaker -> gender from a corrections file; missing file: none. Lines that do not parse are skipped."""
    path = Path(path)
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or "\t" not in line:
            continue
        speaker, value = (part.strip() for part in line.split("\t", 1))
        if speaker and value in GENDERS:
            out[speaker] = value
    return out


def save_correction(path: str | Path, speaker: str, gender: str | None) -> None:
    """Record a speaker's gender (None: forget the correction, the inference decides again), atomically."""
    speaker = speaker.strip()
    if not speaker or "\t" in speaker or "\n" in speaker:
        raise ValueError(f"a speaker must be non-empty single-line text without tabs: {speaker!r}")
    if gender is not None and gender not in GENDERS:
        raise ValueError(f"gender must be one of {GENDERS}, not {gender!r}")
    corrections = read_corrections(path)
    corrections.pop(speaker, None)
    if gender is not None:
        corrections[speaker] = gender
    path = Path(path)
    lines = ["# Gender corrections: speaker<TAB>female|male|unknown; written by the dashboard's Speakers page."]
    lines += [f"{name}\t{value}" for name, value in sorted(corrections.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _given_names() -> pa.Table:
    from dashboard.nlp.names import given_name_genders

    rows = given_name_genders()
    return pa.table(
        {
            "given": list(rows),
            "gender": ["female" if g == "f" else "male" for g, _ in rows.values()],
            "list": [source for _, source in rows.values()],
        }
    )


def _table(con, name: str, data: pa.Table) -> None:
    # A table of the database, not a registered Arrow view: every cursor of `con` (one per browser
    # session) sees it, while a registration belongs to the one connection object.
    con.register(f"{name}_arrow", data)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def _verdict(female: str, male: str) -> str:
    """SQL: 'female', 'male', 'conflict' or NULL (no votes) from two vote counts."""
    share = DECISIVE_SHARE
    return (
        f"CASE WHEN {female} + {male} = 0 THEN NULL WHEN {female} >= {share} * ({female} + {male}) THEN 'female' "
        f"WHEN {male} >= {share} * ({female} + {male}) THEN 'male' ELSE 'conflict' END"
    )


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"  # constants of this module, never user text


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(map(_literal, values))


def speakers_sql(con, corrections: dict[str, str] | None = None) -> str:
    """SQL of the `speakers` table over `con`'s views (quotes, articles); creates its two small tables in `con`.

    Columns: speaker, kind, gender (NULL for organisations), decided_by ('pronoun', 'honorific',
    'given name', 'conflict', 'none' or 'user'), evidence (in words), quotes.
    """
    corrections = corrections or {}
    _table(con, "_given_names", _given_names())
    _table(
        con,
        "_gender_corrections",
        pa.table(
            {"speaker": list(corrections), "gender": list(corrections.values())},
            schema=pa.schema([("speaker", pa.string()), ("gender", pa.string())]),
        ),
    )
    pronoun, honorific = _verdict("she", "he"), _verdict("hf", "hm")
    return f"""
    WITH spk AS (
      SELECT speaker, mode(speaker_kind) AS kind, count(*) AS quotes FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker),
    people AS (SELECT speaker FROM spk WHERE kind = 'person'),
    pron AS (
      SELECT q.speaker, count(*) FILTER (WHERE q.speaker_pronoun IN ({_quoted(_FEMALE_WORDS)})) AS she,
             count(*) FILTER (WHERE q.speaker_pronoun IN ({_quoted(_MALE_WORDS)})) AS he
      FROM quotes q SEMI JOIN people USING (speaker) WHERE q.speaker_pronoun IS NOT NULL GROUP BY q.speaker),
    named AS (
      -- Each article's own name for a person quoted in it, and the words an honorific would stand before.
      SELECT DISTINCT q.article_id, q.speaker, q.speaker_name FROM quotes q SEMI JOIN people USING (speaker)
      WHERE q.speaker_name IS NOT NULL),
    words AS (
      SELECT article_id, speaker, list_filter(string_split(speaker_name, ' '), lambda w: w NOT IN ({_quoted(_SUFFIXES)})) AS w
      FROM named),
    titled AS (
      SELECT a.article_id, unnest(regexp_extract_all(a.text, {_literal(_HONORIFIC)}, 0)) AS hit
      FROM articles a WHERE a.article_id IN (SELECT article_id FROM named)),
    titles AS (
      SELECT article_id, regexp_extract(hit, {_literal(_HONORIFIC)}, 1) AS title, regexp_extract(hit, {_literal(_HONORIFIC)}, 2) AS word
      FROM titled),
    hon AS (
      SELECT n.speaker,
             count(DISTINCT n.article_id) FILTER (WHERE t.title IN ({_quoted(_FEMALE_TITLES)})) AS f,
             count(DISTINCT n.article_id) FILTER (WHERE t.title IN ({_quoted(_MALE_TITLES)})) AS m,
             string_agg(DISTINCT t.title || '.', '/' ORDER BY t.title || '.') AS seen
      FROM words n JOIN titles t ON t.article_id = n.article_id AND len(n.w) > 0 AND t.word IN (n.w[1], n.w[-1])
      GROUP BY n.speaker),
    given AS (
      SELECT s.speaker, g.gender, g.list, string_split(s.speaker, ' ')[1] AS first
      FROM people s JOIN _given_names g ON g.given = strip_accents(lower(string_split(s.speaker, ' ')[1]))
      WHERE len(string_split(s.speaker, ' ')) >= 2),
    judged AS (
      SELECT s.speaker, s.kind, s.quotes, c.gender AS corrected,
             coalesce(p.she, 0) AS she, coalesce(p.he, 0) AS he, coalesce(h.f, 0) AS hf, coalesce(h.m, 0) AS hm,
             h.seen, g.gender AS by_name, g.list, g.first
      FROM spk s LEFT JOIN pron p USING (speaker) LEFT JOIN hon h USING (speaker) LEFT JOIN given g USING (speaker)
      LEFT JOIN _gender_corrections c USING (speaker)),
    -- A one-word speaker is a surname alone, which a relative or spouse shares ("Mrs. Reagan" in an
    -- article quoting the President): its honorifics are shown but never decide.
    voted AS (
      SELECT *, {pronoun} AS by_pronoun,
             CASE WHEN len(string_split(speaker, ' ')) >= 2 THEN {honorific} END AS by_honorific,
             len(string_split(speaker, ' ')) < 2 AS surname_only
      FROM judged),
    decided AS (
      SELECT *,
        CASE WHEN kind IS DISTINCT FROM 'person' THEN NULL
             WHEN corrected IS NOT NULL THEN 'user'
             WHEN by_pronoun = 'conflict' OR by_honorific = 'conflict'
                  OR (by_pronoun IS NOT NULL AND by_honorific IS NOT NULL AND by_pronoun <> by_honorific) THEN 'conflict'
             WHEN by_pronoun IS NOT NULL THEN 'pronoun'
             WHEN by_honorific IS NOT NULL THEN 'honorific'
             WHEN by_name IS NOT NULL THEN 'given name'
             ELSE 'none' END AS decided_by,
        concat_ws('; ',
          CASE WHEN she + he > 0 THEN 'pronouns: she ' || she || ', he ' || he END,
          CASE WHEN hf + hm > 0 THEN 'honorifics (' || seen || '): female in ' || hf || ', male in ' || hm || ' article(s)'
               || CASE WHEN surname_only THEN ' (not used: a surname alone)' ELSE '' END END,
          CASE WHEN by_name IS NOT NULL THEN 'given name ' || first || ': ' || by_name || ' (' || list || ')' END
        ) AS found
      FROM voted)
    SELECT speaker, kind,
           CASE decided_by WHEN 'user' THEN corrected WHEN 'pronoun' THEN by_pronoun WHEN 'honorific' THEN by_honorific
                WHEN 'given name' THEN by_name WHEN 'conflict' THEN 'unknown' WHEN 'none' THEN 'unknown' END AS gender,
           decided_by,
           CASE WHEN decided_by IS NULL THEN 'organisation: not gendered'
                WHEN decided_by = 'user' THEN 'corrected by a user' || CASE WHEN found <> '' THEN ' (found: ' || found || ')' ELSE '' END
                WHEN decided_by = 'none' AND found = '' THEN 'no pronoun, honorific or known given name'
                WHEN decided_by = 'conflict' THEN 'conflicting evidence: ' || found
                ELSE found END AS evidence,
           quotes
    FROM decided ORDER BY quotes DESC, speaker"""

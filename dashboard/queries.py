"""Every number the dashboard shows: (DuckDB connection, Filters, ...) -> DataFrame.

Charts, tables and downloads all call these, so what a user sees and what they download come from
the same SQL: a long table's query builds its SQL in `<name>_sql(f, ..., limit)`, the page reads
its first rows as a DataFrame and `stream` reads all of them as Arrow record batches. Conditions
come from `Filters` (bound parameters); the few extra values (a period, a limit, a chosen speaker)
are bound too. Nothing here imports streamlit: dashboard/ui caches these.

Counting conventions (docs/dashboard.md repeats them for users):
- "articles" of a speaker, entity or topic count distinct articles; "mentions" sum entity counts.
- Top entities rank by articles, then mentions, so one article repeating a name does not dominate.
- Rankings break ties by name, so the same store always gives the same order.

With nothing filtered (a first visit), the overview's numbers come from the rollups a commit
stores (store.ROLLUPS: per speaker, entity, day, topic and term), not from a scan of the parts;
tests check that both ways give the same rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard import concordance, store
from dashboard.filters import Filters, contains_pattern, marks

PERIODS = ("day", "week", "month", "quarter", "year")


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pd.DataFrame:
    return con.execute(sql, params).df()


def _period(freq: str) -> str:
    if freq not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {freq!r}")
    return freq


def _scope(f: Filters, columns: str = "a.article_id, a.date, a.title") -> tuple[str, list]:
    """CTE `fa`: the filtered articles (`columns` of `articles a`), computed once per query.

    Materialised because the article conditions (a text search scans every body) would otherwise
    run again for each table a query joins.
    """
    if f.is_empty():
        # Nothing to compute once: left to the planner, which reads only the columns a query uses
        # and may build its join on the other, smaller side.
        return f"fa AS (SELECT {columns} FROM articles a)", []
    aw, ap = f.article_where("a")
    return f"fa AS MATERIALIZED (SELECT {columns} FROM articles a WHERE {aw})", ap


def _limit(n: int | None) -> int:
    # DuckDB needs a number for LIMIT; "no limit" becomes the largest BIGINT.
    return 2**62 if n is None else max(int(n), 0)


# --- the corpus, unfiltered (sidebar choices) ---------------------------------------------------


def corpus_span(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row: articles, first and last date of the whole store."""
    return _df(con, "SELECT count(*) AS articles, min(date) AS first, max(date) AS last FROM articles", [])


def speaker_choices(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> pd.DataFrame:
    """Speakers of the whole store by quote count (speaker, kind, quotes), from the commit's rollup."""
    return _df(
        con,
        "SELECT speaker, kind, quotes FROM speaker_counts ORDER BY quotes DESC, speaker LIMIT ?",
        [_limit(limit)],
    )


def entity_choices(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> pd.DataFrame:
    """Entities of the whole store by number of articles (entity, label, articles), from the commit's rollup."""
    return _df(
        con,
        "SELECT entity, label, articles FROM entity_counts ORDER BY articles DESC, entity LIMIT ?",
        [_limit(limit)],
    )


def speaker_search(con: duckdb.DuckDBPyConnection, text: str, limit: int = 50) -> pd.DataFrame:
    """Speakers of the whole store whose name contains `text`, any case (speaker, kind, quotes).

    The text is taken literally (`%` and `_` are not wildcards); the most quoted come first, ties by name.
    """
    return _df(
        con,
        # The commit's rollup: one row per name, so a million articles' 455,000 speakers scan in ms.
        """
        SELECT speaker, kind, quotes FROM speaker_counts WHERE speaker ILIKE ? ESCAPE '\\'
        ORDER BY quotes DESC, speaker LIMIT ?""",
        [contains_pattern(text), _limit(limit)],
    )


def entity_search(con: duckdb.DuckDBPyConnection, text: str, limit: int = 50) -> pd.DataFrame:
    """Entities of the whole store whose name contains `text`, any case (entity, label, articles).

    The text is taken literally; the entities in most articles come first, ties by name.
    """
    return _df(
        con,
        """
        SELECT entity, label, articles FROM entity_counts WHERE entity ILIKE ? ESCAPE '\\'
        ORDER BY articles DESC, entity LIMIT ?""",
        [contains_pattern(text), _limit(limit)],
    )


def source_choices(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Outlets of the whole store (source, articles), most articles first; articles without one are left out."""
    return _df(
        con,
        """
        SELECT source, count(*) AS articles FROM articles WHERE source IS NOT NULL
        GROUP BY source ORDER BY articles DESC, source""",
        [],
    )


def topic_choices(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Topics of the whole store (topic, kind, articles), taxonomy tags first, from the commit's rollup."""
    return _df(con, "SELECT topic, kind, articles FROM topic_counts ORDER BY kind DESC, articles DESC, topic", [])


# --- overview ------------------------------------------------------------------------------


def counts(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """One row: filtered articles, quotes, distinct speakers, distinct entities."""
    if f.is_empty():
        return _df(
            con,
            """
            SELECT (SELECT coalesce(sum(articles), 0) FROM daily_counts)::BIGINT AS articles,
                   (SELECT coalesce(sum(quotes), 0) FROM daily_counts)::BIGINT AS quotes,
                   (SELECT count(*) FROM speaker_counts) AS speakers,
                   (SELECT count(*) FROM entity_counts) AS entities""",
            [],
        )
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    er, ep = f.entity_rows()
    return _df(
        con,
        f"""
        WITH {fa},
             fq AS (SELECT q.speaker FROM quotes q JOIN fa ON fa.article_id = q.article_id WHERE {qr})
        SELECT (SELECT count(*) FROM fa) AS articles,
               (SELECT count(*) FROM fq) AS quotes,
               (SELECT count(DISTINCT speaker) FROM fq) AS speakers,
               (SELECT count(DISTINCT e.entity) FROM entities e JOIN fa ON fa.article_id = e.article_id WHERE {er}) AS entities
        """,
        [*ap, *qp, *ep],
    )


def articles_over_time(con: duckdb.DuckDBPyConnection, f: Filters, freq: str = "month") -> pd.DataFrame:
    """Filtered articles per period (period, articles)."""
    if f.is_empty():
        return _df(
            con,
            """
            SELECT date_trunc(?, date)::DATE AS period, sum(articles)::BIGINT AS articles
            FROM daily_counts WHERE date IS NOT NULL GROUP BY period ORDER BY period""",
            [_period(freq)],
        )
    aw, ap = f.article_where("a")
    return _df(
        con,
        f"""
        SELECT date_trunc(?, a.date)::DATE AS period, count(*) AS articles
        FROM articles a WHERE {aw} AND a.date IS NOT NULL GROUP BY period ORDER BY period""",
        [_period(freq), *ap],
    )


def top_speakers(con: duckdb.DuckDBPyConnection, f: Filters, n: int = 20, by: str = "quotes") -> pd.DataFrame:
    """The most quoted speakers (speaker, kind, quotes, articles), ranked by quotes or articles."""
    order = {"quotes": "quotes DESC, articles DESC", "articles": "articles DESC, quotes DESC"}[by]
    if f.is_empty():
        return _df(
            con,
            f"SELECT speaker, kind, quotes, articles FROM speaker_counts ORDER BY {order}, speaker LIMIT ?",
            [_limit(n)],
        )
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT q.speaker, mode(q.speaker_kind) AS kind, count(*) AS quotes, count(DISTINCT q.article_id) AS articles
        FROM quotes q JOIN fa ON fa.article_id = q.article_id
        WHERE q.speaker IS NOT NULL AND {qr}
        GROUP BY q.speaker ORDER BY {order}, q.speaker LIMIT ?""",
        [*ap, *qp, _limit(n)],
    )


def top_entities(con: duckdb.DuckDBPyConnection, f: Filters, n: int | None = 20) -> pd.DataFrame:
    """The most mentioned entities (entity, label, articles, mentions); n None: all of them."""
    return _df(con, *top_entities_sql(f, n))


def top_entities_sql(f: Filters, n: int | None = 20) -> tuple[str, list]:
    """SQL and parameters of top_entities."""
    if f.is_empty():
        return (
            """
            SELECT entity, label, articles, mentions FROM entity_label_counts
            ORDER BY articles DESC, mentions DESC, entity, label LIMIT ?""",
            [_limit(n)],
        )
    fa, ap = _scope(f)
    er, ep = f.entity_rows()
    return (
        f"""
        WITH {fa}
        SELECT e.entity, e.label, count(DISTINCT e.article_id) AS articles, sum(e.count)::BIGINT AS mentions
        FROM entities e JOIN fa ON fa.article_id = e.article_id WHERE {er}
        GROUP BY e.entity, e.label ORDER BY articles DESC, mentions DESC, e.entity, e.label LIMIT ?""",
        [*ap, *ep, _limit(n)],
    )


def top_entities_per_type(con: duckdb.DuckDBPyConnection, f: Filters, n: int = 10) -> pd.DataFrame:
    """The n most mentioned entities of each type (label, entity, articles, mentions, rank)."""
    fa, ap = _scope(f)
    er, ep = f.entity_rows()
    counted = f"""
        SELECT e.label, e.entity, count(DISTINCT e.article_id) AS articles, sum(e.count)::BIGINT AS mentions
        FROM entities e JOIN fa ON fa.article_id = e.article_id WHERE {er}
        GROUP BY e.label, e.entity"""
    if f.is_empty():  # the rollup holds the ranks: its first rows are the top ones
        fa, ap = "fa AS (SELECT 1)", []
        counted = "SELECT label, entity, articles, mentions FROM entity_label_counts WHERE rank <= ?"
        ep = [_limit(n)]
    return _df(
        con,
        f"""
        WITH {fa},
             counted AS ({counted})
        SELECT label, entity, articles, mentions,
               row_number() OVER (PARTITION BY label ORDER BY articles DESC, mentions DESC, entity) AS rank
        FROM counted QUALIFY rank <= ? ORDER BY label, rank""",
        [*ap, *ep, _limit(n)],
    )


def topic_over_time(
    con: duckdb.DuckDBPyConnection, f: Filters, freq: str = "month", kind: str | None = None
) -> pd.DataFrame:
    """Articles per topic and period, and their share of the period's filtered articles.

    (period, topic, kind, articles, share). When the filters choose topics, only those are shown.
    Every period with filtered articles has a row for every topic shown (0 when none carried it), so a
    line drops to zero there; periods without articles have no rows, and charts break the line there.
    """
    aw, ap = f.article_where("a")
    extra, extra_p = "", []
    if f.topics:
        extra += f" AND t.topic IN ({marks(f.topics)})"
        extra_p += list(f.topics)
    if kind:
        extra += " AND t.kind = ?"
        extra_p.append(kind)
    counted = f"""
        fa AS MATERIALIZED (SELECT a.article_id, date_trunc(?, a.date)::DATE AS period FROM articles a
                            WHERE {aw} AND a.date IS NOT NULL),
        total AS (SELECT period, count(*) AS n FROM fa GROUP BY period),
        tagged AS (SELECT fa.period, t.topic, min(t.kind) AS kind, count(DISTINCT fa.article_id) AS articles
                   FROM fa JOIN topics t ON t.article_id = fa.article_id
                   WHERE TRUE {extra} GROUP BY fa.period, t.topic)"""
    params = [_period(freq), *ap, *extra_p]
    if f.is_empty() and kind:
        # The rollups: an article's tags of one kind are distinct topics, so per-day counts add up.
        counted = """
        total AS (SELECT date_trunc(?, date)::DATE AS period, sum(articles) AS n FROM daily_counts
                  WHERE date IS NOT NULL GROUP BY period),
        tagged AS (SELECT date_trunc(?, date)::DATE AS period, topic, min(kind) AS kind, sum(articles)::BIGINT AS articles
                   FROM topic_daily WHERE date IS NOT NULL AND kind = ? GROUP BY period, topic)"""
        params = [_period(freq), _period(freq), kind]
    return _df(
        con,
        f"""
        WITH {counted},
             shown AS (SELECT topic, min(kind) AS kind FROM tagged GROUP BY topic)
        SELECT total.period, shown.topic, shown.kind, coalesce(tagged.articles, 0) AS articles,
               coalesce(tagged.articles, 0) / total.n AS share
        FROM total CROSS JOIN shown
        LEFT JOIN tagged ON tagged.period = total.period AND tagged.topic = shown.topic
        ORDER BY total.period, articles DESC, shown.topic""",
        params,
    )


# --- outlets -------------------------------------------------------------------------------

# How an article without a source is named in per-outlet charts and tables (it matches no outlet filter).
NO_SOURCE = "(no outlet)"


def source_summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Per outlet of the filtered articles: (source, articles, quotes, speakers, first, last), most articles first."""
    if f.is_empty():
        return _df(
            con,
            """
            SELECT coalesce(source, ?) AS source, articles, quotes, speakers, first, last FROM source_counts
            ORDER BY articles DESC, source""",
            [NO_SOURCE],
        )
    fa, ap = _scope(f, "a.article_id, a.date, coalesce(a.source, ?) AS source")
    qr, qp = f.quote_rows()
    return _df(
        con,
        f"""
        WITH {fa},
             fq AS (SELECT fa.source, q.speaker FROM quotes q JOIN fa ON fa.article_id = q.article_id WHERE {qr}),
             qs AS (SELECT source, count(*) AS quotes, count(DISTINCT speaker) AS speakers FROM fq GROUP BY source)
        SELECT fa.source, count(*) AS articles, coalesce(any_value(qs.quotes), 0) AS quotes,
               coalesce(any_value(qs.speakers), 0) AS speakers, min(fa.date) AS first, max(fa.date) AS last
        FROM fa LEFT JOIN qs USING (source) GROUP BY fa.source ORDER BY articles DESC, fa.source""",
        [NO_SOURCE, *ap, *qp],
    )


def articles_per_source(con: duckdb.DuckDBPyConnection, f: Filters, freq: str = "month") -> pd.DataFrame:
    """Filtered articles per period and outlet (period, source, articles); outlets with most articles first."""
    aw, ap = f.article_where("a")
    return _df(
        con,
        f"""
        WITH counted AS (
          SELECT date_trunc(?, a.date)::DATE AS period, coalesce(a.source, ?) AS source, count(*) AS articles
          FROM articles a WHERE {aw} AND a.date IS NOT NULL GROUP BY ALL)
        SELECT period, source, articles FROM counted
        ORDER BY sum(articles) OVER (PARTITION BY source) DESC, source, period""",
        [_period(freq), NO_SOURCE, *ap],
    )


def top_speakers_per_source(con: duckdb.DuckDBPyConnection, f: Filters, n: int = 10) -> pd.DataFrame:
    """The n most quoted speakers of each outlet (source, speaker, kind, quotes, articles, rank)."""
    fa, ap = _scope(f, "a.article_id, coalesce(a.source, ?) AS source")
    qr, qp = f.quote_rows()
    counted = f"""
        SELECT fa.source, q.speaker, mode(q.speaker_kind) AS kind, count(*) AS quotes,
               count(DISTINCT q.article_id) AS articles
        FROM quotes q JOIN fa ON fa.article_id = q.article_id
        WHERE q.speaker IS NOT NULL AND {qr} GROUP BY fa.source, q.speaker"""
    params = [NO_SOURCE, *ap, *qp]
    if f.is_empty():
        counted = """
        SELECT coalesce(source, ?) AS source, speaker, kind, quotes, articles FROM source_speaker_counts
        WHERE rank <= ?"""
        fa, params = "fa AS (SELECT 1)", [NO_SOURCE, _limit(n)]
    return _df(
        con,
        f"""
        WITH {fa},
             counted AS ({counted})
        SELECT *, row_number() OVER (PARTITION BY source ORDER BY quotes DESC, articles DESC, speaker) AS rank
        FROM counted QUALIFY rank <= ? ORDER BY source, rank""",
        [*params, _limit(n)],
    )


def top_entities_per_source(con: duckdb.DuckDBPyConnection, f: Filters, n: int = 10) -> pd.DataFrame:
    """The n most mentioned entities of each outlet (source, entity, label, articles, mentions, rank)."""
    fa, ap = _scope(f, "a.article_id, coalesce(a.source, ?) AS source")
    er, ep = f.entity_rows()
    counted = f"""
        SELECT fa.source, e.entity, e.label, count(DISTINCT e.article_id) AS articles,
               sum(e.count)::BIGINT AS mentions
        FROM entities e JOIN fa ON fa.article_id = e.article_id WHERE {er}
        GROUP BY fa.source, e.entity, e.label"""
    params = [NO_SOURCE, *ap, *ep]
    if f.is_empty():
        counted = """
        SELECT coalesce(source, ?) AS source, entity, label, articles, mentions FROM source_entity_counts
        WHERE rank <= ?"""
        fa, params = "fa AS (SELECT 1)", [NO_SOURCE, _limit(n)]
    return _df(
        con,
        f"""
        WITH {fa},
             counted AS ({counted})
        SELECT *, row_number() OVER (PARTITION BY source ORDER BY articles DESC, mentions DESC, entity, label) AS rank
        FROM counted QUALIFY rank <= ? ORDER BY source, rank""",
        [*params, _limit(n)],
    )


# --- gender of the people quoted ------------------------------------------------------------------
# Shares count the quotes of person speakers (organisations have no gender); `unknown` is a share too,
# so the shares of a period add up to one and a store with little evidence says so.


def _person_quotes(f: Filters, columns: str) -> tuple[str, list]:
    """CTEs `fa` and `pq`: the filtered articles (`columns`) and their person quotes with the speaker's gender."""
    fa, ap = _scope(f, columns)
    qr, qp = f.quote_rows()
    return (
        f"""{fa},
        pq AS (SELECT fa.*, q.speaker, s.gender FROM quotes q JOIN fa ON fa.article_id = q.article_id
               JOIN speakers s ON s.speaker = q.speaker WHERE s.gender IS NOT NULL AND {qr})""",
        [*ap, *qp],
    )


def gender_over_time(con: duckdb.DuckDBPyConnection, f: Filters, freq: str = "month") -> pd.DataFrame:
    """Person quotes per period and gender (period, gender, quotes, share of the period's person quotes)."""
    if f.is_empty():
        return _df(
            con,
            """
            SELECT date_trunc(?, date)::DATE AS period, gender, sum(quotes)::BIGINT AS quotes,
                   sum(quotes) / sum(sum(quotes)) OVER (PARTITION BY period) AS share
            FROM gender_daily WHERE date IS NOT NULL GROUP BY period, gender ORDER BY period, gender""",
            [_period(freq)],
        )
    cte, params = _person_quotes(f, "a.article_id, a.date")
    return _df(
        con,
        f"""
        WITH {cte}
        SELECT date_trunc(?, date)::DATE AS period, gender, count(*) AS quotes,
               count(*) / sum(count(*)) OVER (PARTITION BY period) AS share
        FROM pq WHERE date IS NOT NULL GROUP BY period, gender ORDER BY period, gender""",
        [*params, _period(freq)],
    )


def gender_per_source(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Person quotes per outlet and gender (source, gender, quotes, share of the outlet's person quotes)."""
    if f.is_empty():
        return _df(
            con,
            """
            WITH g AS (SELECT coalesce(source, ?) AS source, gender, sum(quotes)::BIGINT AS quotes
                       FROM gender_daily GROUP BY ALL)
            SELECT source, gender, quotes, quotes / sum(quotes) OVER (PARTITION BY source) AS share
            FROM g ORDER BY sum(quotes) OVER (PARTITION BY source) DESC, source, gender""",
            [NO_SOURCE],
        )
    cte, params = _person_quotes(f, "a.article_id, coalesce(a.source, ?) AS source")
    return _df(
        con,
        f"""
        WITH {cte}
        SELECT source, gender, count(*) AS quotes, count(*) / sum(count(*)) OVER (PARTITION BY source) AS share
        FROM pq GROUP BY source, gender ORDER BY sum(count(*)) OVER (PARTITION BY source) DESC, source, gender""",
        [NO_SOURCE, *params],
    )


def top_speakers_by_gender(con: duckdb.DuckDBPyConnection, f: Filters, n: int = 10) -> pd.DataFrame:
    """The n most quoted women and the n most quoted men (gender, speaker, quotes, articles, rank)."""
    cte, params = _person_quotes(f, "a.article_id")
    counted = """
        SELECT gender, speaker, count(*) AS quotes, count(DISTINCT article_id) AS articles
        FROM pq WHERE gender IN ('female', 'male') GROUP BY gender, speaker"""
    if f.is_empty():  # a person's quotes in the whole store are the speaker rollup's
        cte, params = "fa AS (SELECT 1)", []
        counted = """
        SELECT s.gender, c.speaker, c.quotes, c.articles FROM speaker_counts c JOIN speakers s USING (speaker)
        WHERE s.gender IN ('female', 'male')"""
    return _df(
        con,
        f"""
        WITH {cte},
             counted AS ({counted})
        SELECT *, row_number() OVER (PARTITION BY gender ORDER BY quotes DESC, articles DESC, speaker) AS rank
        FROM counted QUALIFY rank <= ? ORDER BY gender, rank""",
        [*params, _limit(n)],
    )


def speaker_genders(con: duckdb.DuckDBPyConnection, f: Filters, limit: int | None = None) -> pd.DataFrame:
    """Person speakers of the filtered quotes with their gender and its evidence, most quoted first.

    (speaker, gender, decided_by, evidence, quotes: in these articles, corpus_quotes: in the whole store).
    """
    return _df(con, *speaker_genders_sql(f, limit))


def speaker_genders_sql(f: Filters, limit: int | None = None) -> tuple[str, list]:
    """SQL and parameters of speaker_genders."""
    cte, params = _person_quotes(f, "a.article_id")
    counted = "SELECT speaker, count(*) AS quotes FROM pq GROUP BY speaker"
    if f.is_empty():
        cte, params = "fa AS (SELECT 1)", []
        counted = "SELECT c.speaker, c.quotes FROM speaker_counts c SEMI JOIN speakers s ON s.speaker = c.speaker AND s.gender IS NOT NULL"
    return (
        f"""
        WITH {cte},
             counted AS ({counted})
        SELECT s.speaker, s.gender, s.decided_by, s.evidence, c.quotes, s.quotes AS corpus_quotes
        FROM counted c JOIN speakers s USING (speaker) ORDER BY c.quotes DESC, s.speaker LIMIT ?""",
        [*params, _limit(limit)],
    )


def gender_of(con: duckdb.DuckDBPyConnection, speaker: str) -> pd.DataFrame:
    """One speaker's row of the speakers table (speaker, kind, gender, decided_by, evidence, quotes), or none."""
    return _df(con, "SELECT * FROM speakers WHERE speaker = ?", [speaker])


# --- speakers and quotes ---------------------------------------------------------------------


def quotes_over_time(
    con: duckdb.DuckDBPyConnection, f: Filters, speakers: list[str] | tuple[str, ...], freq: str = "month"
) -> pd.DataFrame:
    """Quotes per period of each chosen speaker (period, speaker, quotes)."""
    if not speakers:
        return pd.DataFrame(
            {
                "period": pd.Series(dtype="datetime64[us]"),
                "speaker": pd.Series(dtype=str),
                "quotes": pd.Series(dtype="int64"),
            }
        )
    if f.is_empty():
        chosen = list(dict.fromkeys(speakers))
        (have,) = con.execute(
            f"SELECT count(DISTINCT speaker) FROM speaker_daily_top WHERE speaker IN ({marks(chosen)})", chosen
        ).fetchone()
        if have == len(chosen):  # all among the speakers with a daily series
            return _df(
                con,
                f"""
                SELECT date_trunc(?, date)::DATE AS period, speaker, sum(quotes)::BIGINT AS quotes
                FROM speaker_daily_top WHERE speaker IN ({marks(chosen)})
                GROUP BY period, speaker ORDER BY period, speaker""",
                [_period(freq), *chosen],
            )
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT date_trunc(?, fa.date)::DATE AS period, q.speaker, count(*) AS quotes
        FROM quotes q JOIN fa ON fa.article_id = q.article_id
        WHERE {qr} AND fa.date IS NOT NULL AND q.speaker IN ({marks(speakers)})
        GROUP BY period, q.speaker ORDER BY period, q.speaker""",
        [*ap, _period(freq), *qp, *speakers],
    )


def quotes_table(
    con: duckdb.DuckDBPyConnection, f: Filters, unattributed_only: bool = False, limit: int | None = None
) -> pd.DataFrame:
    """The filtered quotes, newest first (date, speaker, role, quote, cue, kind, title, source, article_id, quote_index)."""
    f = _newest(con, f, limit, "unattributed" if unattributed_only else "quotes")
    return _df(con, *quotes_table_sql(f, unattributed_only, limit))


def _newest(con: duckdb.DuckDBPyConnection, f: Filters, limit: int | None, column: str, topic: str | None = None):
    """Unfiltered, the newest `limit` rows lie on or after the latest day from which the daily
    rollup counts at least `limit` of them: that day as a start date, so a table's first rows read
    only recent articles (the same rows, as the ordering is by date first). Else `f` as it is."""
    if limit is None or not f.is_empty():
        return f
    if topic is None:
        daily, params = f"SELECT date, {column} AS n FROM daily_counts", []
    else:  # the smaller count of a day's kinds: never more than the day's articles with the topic
        daily, params = "SELECT date, max(articles) AS n FROM topic_daily WHERE topic = ? GROUP BY date", [topic]
    start = _latest_day_holding(con, daily, params, int(limit))
    return f if start is None else f.with_(start=start)


def _latest_day_holding(
    con: duckdb.DuckDBPyConnection, daily: str, params: list, n: int, end: dt.date | None = None
) -> dt.date | None:
    """The latest day from which the days of `daily` (date, n) up to `end` count at least `n`; None if none do."""
    return con.execute(
        f"""
        SELECT max(date) FROM (SELECT date, sum(n) OVER (ORDER BY date DESC) AS upto FROM ({daily}) d
                               WHERE date IS NOT NULL AND date <= coalesce(?::DATE, date))
        WHERE upto >= ?""",
        [*params, end, n],
    ).fetchone()[0]


# How many articles, as multiples of the rows wanted, the recent windows of a sparse search hold.
WINDOW_FACTORS = (20, 400)


def _recent_windows(con: duckdb.DuckDBPyConnection, f: Filters, limit: int | None) -> list[Filters]:
    """`f` narrowed to its latest days holding WINDOW_FACTORS x `limit` articles (the daily rollup),
    each window wider, then `f` itself: for the newest `limit` rows of a search.

    Rows are ordered by date first, so a window's hits all come before any older hit: the first
    window with at least `limit` hits has the newest `limit`. A common word is then found among the
    newest articles alone (at a million articles, "oil" in 10,000 of them), a rare one costs the
    narrower scans on top of the full one. A window that would reach `f`'s own start is left out,
    and a filter on more than dates gets none: the rollup counts all articles, so a window would hold
    few of the filtered ones (a speaker's) and only add scans.
    """
    if limit is None or not f.with_(start=None, end=None).is_empty():
        return [f]
    windows = []
    for factor in WINDOW_FACTORS:
        start = _latest_day_holding(con, "SELECT date, articles AS n FROM daily_counts", [], int(limit) * factor, f.end)
        if start is None or (f.start is not None and start <= f.start):
            break
        windows.append(f.with_(start=start))
    return [*windows, f]


def quotes_table_sql(f: Filters, unattributed_only: bool = False, limit: int | None = None) -> tuple[str, list]:
    """SQL and parameters of quotes_table."""
    fa, ap = _scope(f, "a.article_id, a.date, a.title, a.source")
    qr, qp = f.quote_rows()
    only = " AND q.speaker IS NULL" if unattributed_only else ""
    return (
        f"""
        WITH {fa}
        SELECT fa.date, q.speaker, q.speaker_role AS role, q.quote, q.cue, q.kind, fa.title, fa.source,
               q.article_id, q.quote_index
        FROM quotes q JOIN fa ON fa.article_id = q.article_id
        WHERE {qr}{only}
        ORDER BY fa.date DESC NULLS LAST, q.article_id, q.quote_index LIMIT ?""",
        [*ap, *qp, _limit(limit)],
    )


def speaker_topics(con: duckdb.DuckDBPyConnection, f: Filters, n_speakers: int = 15) -> pd.DataFrame:
    """Quotes of the top speakers by topic of the article they were quoted in (speaker, topic, quotes)."""
    if f.is_empty():
        return _df(
            con,
            """
            WITH top AS (SELECT speaker FROM speaker_counts ORDER BY quotes DESC, speaker LIMIT ?)
            SELECT c.speaker, c.topic, c.quotes FROM topic_speaker_counts c SEMI JOIN top USING (speaker)
            ORDER BY c.quotes DESC, c.speaker, c.topic""",
            [_limit(n_speakers)],
        )
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    topic_in, tp = "", []
    if f.topics:
        topic_in = f" AND t.topic IN ({marks(f.topics)})"
        tp = list(f.topics)
    return _df(
        con,
        f"""
        WITH {fa},
             fq AS (SELECT q.article_id, q.speaker FROM quotes q JOIN fa ON fa.article_id = q.article_id
                    WHERE q.speaker IS NOT NULL AND {qr}),
             top AS (SELECT speaker, count(*) AS n FROM fq GROUP BY speaker ORDER BY n DESC, speaker LIMIT ?)
        SELECT fq.speaker, t.topic, count(*) AS quotes
        FROM fq JOIN top ON top.speaker = fq.speaker JOIN topics t ON t.article_id = fq.article_id
        WHERE TRUE {topic_in}
        GROUP BY fq.speaker, t.topic ORDER BY quotes DESC, fq.speaker, t.topic""",
        [*ap, *qp, _limit(n_speakers), *tp],
    )


def speaker_entities(
    con: duckdb.DuckDBPyConnection, f: Filters, n_speakers: int = 15, n_entities: int = 15
) -> pd.DataFrame:
    """Who talks about whom: articles where a top speaker is quoted and a top entity is mentioned.

    (speaker, entity, articles); a speaker's own name is not counted as an entity they talk about.
    """
    if f.is_empty() and n_speakers <= store.TOP_CROSS:
        # The same ranking over the rollup of the top speakers' pairs.
        return _df(
            con,
            """
            WITH top_s AS (SELECT speaker FROM speaker_counts ORDER BY articles DESC, speaker LIMIT ?),
                 pairs AS (SELECT p.* FROM speaker_entity_top p SEMI JOIN top_s USING (speaker)),
                 top_e AS (SELECT entity, sum(articles) AS n FROM pairs GROUP BY entity ORDER BY n DESC, entity LIMIT ?)
            SELECT speaker, entity, articles FROM pairs JOIN top_e USING (entity)
            ORDER BY articles DESC, speaker, entity""",
            [_limit(n_speakers), _limit(n_entities)],
        )
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    er, ep = f.entity_rows()
    return _df(
        con,
        f"""
        WITH {fa},
             fq AS (SELECT DISTINCT q.article_id, q.speaker FROM quotes q JOIN fa ON fa.article_id = q.article_id
                    WHERE q.speaker IS NOT NULL AND {qr}),
             top_s AS (SELECT speaker, count(*) AS n FROM fq GROUP BY speaker ORDER BY n DESC, speaker LIMIT ?),
             fe AS (SELECT DISTINCT e.article_id, e.entity FROM entities e
                    WHERE {er} AND e.article_id IN (SELECT article_id FROM fq JOIN top_s USING (speaker))),
             pairs AS (SELECT fq.speaker, fe.entity FROM fq JOIN top_s USING (speaker)
                       JOIN fe ON fe.article_id = fq.article_id WHERE fe.entity <> fq.speaker),
             top_e AS (SELECT entity, count(*) AS n FROM pairs GROUP BY entity ORDER BY n DESC, entity LIMIT ?)
        SELECT speaker, entity, count(*) AS articles FROM pairs JOIN top_e USING (entity)
        GROUP BY speaker, entity ORDER BY articles DESC, speaker, entity""",
        [*ap, *qp, _limit(n_speakers), *ep, _limit(n_entities)],
    )


# --- entities ------------------------------------------------------------------------------


def mentions_over_time(
    con: duckdb.DuckDBPyConnection, f: Filters, entities: list[str] | tuple[str, ...], freq: str = "month"
) -> pd.DataFrame:
    """Articles mentioning each chosen entity per period (period, entity, articles, mentions)."""
    if not entities:
        return pd.DataFrame(
            {
                "period": pd.Series(dtype="datetime64[us]"),
                "entity": pd.Series(dtype=str),
                "articles": pd.Series(dtype="int64"),
                "mentions": pd.Series(dtype="int64"),
            }
        )
    if f.is_empty():
        chosen = list(dict.fromkeys(entities))
        (have,) = con.execute(
            f"SELECT count(DISTINCT entity) FROM entity_daily_top WHERE entity IN ({marks(chosen)})", chosen
        ).fetchone()
        if have == len(chosen):  # all among the entities with a daily series
            return _df(
                con,
                f"""
                SELECT date_trunc(?, date)::DATE AS period, entity, sum(articles)::BIGINT AS articles,
                       sum(mentions)::BIGINT AS mentions
                FROM entity_daily_top WHERE entity IN ({marks(chosen)})
                GROUP BY period, entity ORDER BY period, entity""",
                [_period(freq), *chosen],
            )
    fa, ap = _scope(f)
    er, ep = f.entity_rows()
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT date_trunc(?, fa.date)::DATE AS period, e.entity, count(DISTINCT e.article_id) AS articles,
               sum(e.count)::BIGINT AS mentions
        FROM entities e JOIN fa ON fa.article_id = e.article_id
        WHERE {er} AND fa.date IS NOT NULL AND e.entity IN ({marks(entities)})
        GROUP BY period, e.entity ORDER BY period, e.entity""",
        [*ap, _period(freq), *ep, *entities],
    )


def co_mentions(con: duckdb.DuckDBPyConnection, f: Filters, entity: str, n: int = 20) -> pd.DataFrame:
    """Entities mentioned in the same filtered articles as `entity` (entity, label, articles)."""
    if f.is_empty() and n <= store.TOP_CO_MENTIONS:
        found = _df(
            con,
            """
            SELECT entity, label, articles FROM co_mention_top WHERE anchor = ? AND rank <= ?
            ORDER BY articles DESC, entity""",
            [entity, _limit(n)],
        )
        if not found.empty:  # an anchor among the top entities (others are read from the rows)
            return found
    fa, ap = _scope(f)
    er, ep = f.entity_rows("o")
    return _df(
        con,
        f"""
        WITH {fa},
             anchor AS (SELECT e.article_id FROM entities e JOIN fa ON fa.article_id = e.article_id WHERE e.entity = ?)
        SELECT o.entity, mode(o.label) AS label, count(DISTINCT o.article_id) AS articles
        FROM entities o JOIN anchor ON anchor.article_id = o.article_id WHERE o.entity <> ? AND {er}
        GROUP BY o.entity ORDER BY articles DESC, o.entity LIMIT ?""",
        [*ap, entity, entity, *ep, _limit(n)],
    )


def co_mention_pairs(con: duckdb.DuckDBPyConnection, f: Filters, n_entities: int = 15) -> pd.DataFrame:
    """Shared articles of each pair among the top entities (entity_a, entity_b, articles), both orders."""
    fa, ap = _scope(f)
    er, ep = f.entity_rows()
    chosen = f"""
        fe AS (SELECT DISTINCT e.article_id, e.entity FROM entities e JOIN fa ON fa.article_id = e.article_id
               WHERE {er}),
        top AS (SELECT entity, count(*) AS n FROM fe GROUP BY entity ORDER BY n DESC, entity LIMIT ?),
        te AS (SELECT fe.* FROM fe JOIN top USING (entity))"""
    if f.is_empty() and n_entities <= store.TOP_CROSS:
        # The pairs among the top entities by articles are a rollup.
        return _df(
            con,
            """
            WITH top AS (SELECT entity FROM entity_counts ORDER BY articles DESC, entity LIMIT ?)
            SELECT entity_a, entity_b, articles FROM entity_pair_top
            WHERE entity_a IN (SELECT entity FROM top) AND entity_b IN (SELECT entity FROM top)
            ORDER BY articles DESC, entity_a, entity_b""",
            [_limit(n_entities)],
        )
    return _df(
        con,
        f"""
        WITH {fa}, {chosen}
        SELECT x.entity AS entity_a, y.entity AS entity_b, count(*) AS articles
        FROM te x JOIN te y ON x.article_id = y.article_id AND x.entity <> y.entity
        GROUP BY x.entity, y.entity ORDER BY articles DESC, entity_a, entity_b""",
        [*ap, *ep, _limit(n_entities)],
    )


# --- topics --------------------------------------------------------------------------------


def topic_summary(con: duckdb.DuckDBPyConnection, f: Filters, kind: str | None = None) -> pd.DataFrame:
    """Topics of the filtered articles (topic, kind, articles, share of filtered articles)."""
    if f.is_empty() and kind:
        return _df(
            con,
            """
            SELECT topic, min(kind) AS kind, sum(articles)::BIGINT AS articles,
                   sum(articles) / (SELECT sum(articles) FROM daily_counts) AS share
            FROM topic_daily WHERE kind = ? GROUP BY topic ORDER BY articles DESC, topic""",
            [kind],
        )
    fa, ap = _scope(f)
    kind_sql, kp = ("AND t.kind = ?", [kind]) if kind else ("", [])
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT t.topic, min(t.kind) AS kind, count(DISTINCT t.article_id) AS articles,
               count(DISTINCT t.article_id) / (SELECT count(*) FROM fa) AS share
        FROM topics t JOIN fa ON fa.article_id = t.article_id WHERE TRUE {kind_sql}
        GROUP BY t.topic ORDER BY articles DESC, t.topic""",
        [*ap, *kp],
    )


def topic_speakers(con: duckdb.DuckDBPyConnection, f: Filters, topic: str, n: int = 10) -> pd.DataFrame:
    """The most quoted speakers in filtered articles tagged `topic` (speaker, quotes, articles)."""
    if f.is_empty():
        return _df(
            con,
            """
            SELECT speaker, quotes, articles FROM topic_speaker_counts WHERE topic = ?
            ORDER BY quotes DESC, articles DESC, speaker LIMIT ?""",
            [topic, _limit(n)],
        )
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    return _df(
        con,
        f"""
        WITH {fa},
             ta AS (SELECT fa.article_id FROM fa SEMI JOIN topics t ON t.article_id = fa.article_id AND t.topic = ?)
        SELECT q.speaker, count(*) AS quotes, count(DISTINCT q.article_id) AS articles
        FROM quotes q JOIN ta ON ta.article_id = q.article_id
        WHERE q.speaker IS NOT NULL AND {qr}
        GROUP BY q.speaker ORDER BY quotes DESC, articles DESC, q.speaker LIMIT ?""",
        [*ap, topic, *qp, _limit(n)],
    )


def topic_entities(con: duckdb.DuckDBPyConnection, f: Filters, topic: str, n: int = 10) -> pd.DataFrame:
    """The most mentioned entities in filtered articles tagged `topic` (entity, label, articles, mentions)."""
    if f.is_empty():
        return _df(
            con,
            """
            SELECT entity, label, articles, mentions FROM topic_entity_counts WHERE topic = ?
            ORDER BY articles DESC, mentions DESC, entity LIMIT ?""",
            [topic, _limit(n)],
        )
    fa, ap = _scope(f)
    er, ep = f.entity_rows()
    return _df(
        con,
        f"""
        WITH {fa},
             ta AS (SELECT fa.article_id FROM fa SEMI JOIN topics t ON t.article_id = fa.article_id AND t.topic = ?)
        SELECT e.entity, mode(e.label) AS label, count(DISTINCT e.article_id) AS articles, sum(e.count)::BIGINT AS mentions
        FROM entities e JOIN ta ON ta.article_id = e.article_id
        WHERE {er}
        GROUP BY e.entity ORDER BY articles DESC, mentions DESC, e.entity LIMIT ?""",
        [*ap, topic, *ep, _limit(n)],
    )


def topic_terms(con: duckdb.DuckDBPyConnection, topic: str, n: int = 30) -> pd.DataFrame:
    """A discovered topic's top terms by weight (term, weight)."""
    return _df(
        con,
        """
        SELECT term, weight FROM topic_terms WHERE topic = ? ORDER BY weight DESC, term LIMIT ?""",
        [topic, _limit(n)],
    )


# --- word clouds -----------------------------------------------------------------------------


def term_frequencies(con: duckdb.DuckDBPyConnection, f: Filters, n: int = 200) -> pd.DataFrame:
    """Lemma counts over the filtered articles' text (term, count)."""
    if f.is_empty():
        return _df(con, "SELECT term, count FROM term_counts ORDER BY count DESC, term LIMIT ?", [_limit(n)])
    fa, ap = _scope(f)
    tr, tp = f.row_dates("t")
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT t.term, sum(t.count)::BIGINT AS count FROM terms t JOIN fa ON fa.article_id = t.article_id
        WHERE {tr} GROUP BY t.term ORDER BY count DESC, t.term LIMIT ?""",
        [*ap, *tp, _limit(n)],
    )


def quote_term_frequencies(con: duckdb.DuckDBPyConnection, f: Filters, speaker: str, n: int = 200) -> pd.DataFrame:
    """Lemma counts over one speaker's filtered quotes (term, count)."""
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    tr, tp = f.row_dates("qt")
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT qt.term, sum(qt.count)::BIGINT AS count
        FROM quote_terms qt
        JOIN quotes q ON q.article_id = qt.article_id AND q.quote_index = qt.quote_index
        JOIN fa ON fa.article_id = q.article_id
        WHERE {qr} AND {tr} AND q.speaker = ?
        GROUP BY qt.term ORDER BY count DESC, qt.term LIMIT ?""",
        [*ap, *qp, *tp, speaker, _limit(n)],
    )


def entity_frequencies(con: duckdb.DuckDBPyConnection, f: Filters, n: int = 200) -> pd.DataFrame:
    """Entity mention counts over the filtered articles (term, count), for an entity cloud."""
    if f.is_empty():
        return _df(
            con,
            """
            SELECT entity AS term, sum(mentions)::BIGINT AS count FROM entity_label_counts
            GROUP BY entity ORDER BY count DESC, entity LIMIT ?""",
            [_limit(n)],
        )
    fa, ap = _scope(f)
    er, ep = f.entity_rows()
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT e.entity AS term, sum(e.count)::BIGINT AS count
        FROM entities e JOIN fa ON fa.article_id = e.article_id WHERE {er}
        GROUP BY e.entity ORDER BY count DESC, e.entity LIMIT ?""",
        [*ap, *ep, _limit(n)],
    )


# --- articles ------------------------------------------------------------------------------


def articles_table(
    con: duckdb.DuckDBPyConnection, f: Filters, topic: str | None = None, limit: int | None = None
) -> pd.DataFrame:
    """The filtered articles, newest first, with their top entities, speakers, topics and counts.

    (date, title, source, top_entities, speakers, topics, quotes, entities, words, article_id);
    `topic` narrows to one topic's articles (the topics page); `limit` keeps the newest (and only
    those are looked up in the other tables).
    """
    return _df(con, *articles_table_sql(_newest(con, f, limit, "articles", topic), topic, limit))


def articles_table_sql(f: Filters, topic: str | None = None, limit: int | None = None) -> tuple[str, list]:
    """SQL and parameters of articles_table."""
    aw, ap = f.article_where("a")
    dates, dp = f.row_dates("t")
    topic_sql, tp = (
        (f"AND a.article_id IN (SELECT article_id FROM topic_articles t WHERE topic = ? AND {dates})", [topic, *dp])
        if topic
        else ("", [])
    )
    return (
        f"""
        -- The rows join on the date as well (each row carries its article's): DuckDB passes the newest
        -- articles' date span to the entity and quote scans, which skip the other row groups.
        WITH fa AS MATERIALIZED (SELECT a.article_id, a.date, a.title, a.source, a.words FROM articles a
                                 WHERE {aw} {topic_sql}
                                 ORDER BY a.date DESC NULLS LAST, a.title, a.article_id LIMIT ?),
        ents AS (
          SELECT e.article_id, array_to_string(list_slice(list(e.entity ORDER BY e.count DESC, e.entity), 1, 5), ', ')
                 AS top_entities, count(*) AS entities
          FROM entities e SEMI JOIN fa ON fa.article_id = e.article_id AND fa.date = e.date GROUP BY e.article_id),
        spk AS (
          SELECT article_id, string_agg(speaker, ', ' ORDER BY n DESC, speaker) FILTER (WHERE speaker IS NOT NULL) AS speakers,
                 sum(n)::BIGINT AS quotes
          FROM (SELECT q.article_id, q.speaker, count(*) AS n FROM quotes q
                SEMI JOIN fa ON fa.article_id = q.article_id AND fa.date = q.date
                GROUP BY q.article_id, q.speaker)
          GROUP BY article_id),
        tps AS (
          SELECT t.article_id, string_agg(t.topic, ', ' ORDER BY t.score DESC, t.topic) AS topics
          FROM topic_articles t SEMI JOIN fa ON fa.article_id = t.article_id AND fa.date = t.date GROUP BY t.article_id)
        SELECT fa.date, fa.title, fa.source, ents.top_entities, spk.speakers, tps.topics,
               coalesce(spk.quotes, 0) AS quotes, coalesce(ents.entities, 0) AS entities, fa.words, fa.article_id
        FROM fa LEFT JOIN ents USING (article_id) LEFT JOIN spk USING (article_id) LEFT JOIN tps USING (article_id)
        ORDER BY fa.date DESC NULLS LAST, fa.title, fa.article_id""",
        [*ap, *tp, _limit(limit)],
    )


def table_size(con: duckdb.DuckDBPyConnection, f: Filters, table: str, *args) -> pd.DataFrame:
    """One row (rows): how many rows `table(con, f, *args)` returns without a limit.

    For the tables the dashboard shows only the first rows of and has no other count of:
    articles_table (of a topic), top_entities and speaker_genders. (The quotes, unattributed quotes and all articles
    are counted by counts and health_summary.)
    """
    fa, ap = _scope(f)
    if table == "articles_table" and f.is_empty():
        # A topic's articles of any kind, or all articles: the commit's counts (at a million
        # articles 0.25 s for a topic's count over the tags, against a lookup of one row).
        if args and args[0]:
            return _df(
                con, "SELECT coalesce(sum(articles), 0)::BIGINT AS rows FROM topic_counts WHERE topic = ?", [args[0]]
            )
        return _df(con, "SELECT coalesce(sum(articles), 0)::BIGINT AS rows FROM daily_counts", [])
    if table == "articles_table":
        topic = args[0] if args else None
        sql = "SELECT count(*) FROM fa" + (
            " WHERE article_id IN (SELECT article_id FROM topics WHERE topic = ?)" if topic else ""
        )
        extra = [topic] if topic else []
    elif table == "top_entities" and f.is_empty():
        return _df(con, "SELECT count(*) AS rows FROM entity_label_counts", [])
    elif table == "top_entities":
        er, extra = f.entity_rows()
        sql = f"SELECT count(DISTINCT (e.entity, e.label)) FROM entities e JOIN fa ON fa.article_id = e.article_id WHERE {er}"
    elif table == "speaker_genders" and f.is_empty():
        return _df(
            con,
            "SELECT count(*) AS rows FROM speaker_counts c JOIN speakers s USING (speaker) WHERE s.gender IS NOT NULL",
            [],
        )
    elif table == "speaker_genders":
        cte, params = _person_quotes(f, "a.article_id")
        return _df(con, f"WITH {cte} SELECT count(DISTINCT speaker) AS rows FROM pq", params)
    else:
        raise ValueError(f"no size for table {table!r}")
    return _df(con, f"WITH {fa} SELECT ({sql}) AS rows", [*ap, *extra])


def article(con: duckdb.DuckDBPyConnection, article_id: str) -> pd.DataFrame:
    """One article with its full text (all `articles` columns), or no rows."""
    return _df(con, "SELECT * FROM articles WHERE article_id = ?", [article_id])


def filtered_article(con: duckdb.DuckDBPyConnection, f: Filters, article_id: str) -> pd.DataFrame:
    """The article (date, title, article_id) if the filters keep it, else no rows (for links past the table's rows)."""
    aw, ap = f.article_where("a")
    return _df(
        con, f"SELECT a.date, a.title, a.article_id FROM articles a WHERE {aw} AND a.article_id = ?", [*ap, article_id]
    )


def article_quotes(con: duckdb.DuckDBPyConnection, article_id: str) -> pd.DataFrame:
    """One article's quotes in text order (all `quotes` columns)."""
    return _df(con, "SELECT * FROM quotes WHERE article_id = ? ORDER BY start_char, quote_index", [article_id])


def article_mentions(con: duckdb.DuckDBPyConnection, article_id: str) -> pd.DataFrame:
    """Names as written in one article with their entity label (name, label, count), for highlighting."""
    return _df(
        con,
        """
        SELECT name, label, count FROM mentions WHERE article_id = ?
        UNION
        SELECT entity AS name, label, count FROM entities WHERE article_id = ?
        ORDER BY count DESC, name""",
        [article_id, article_id],
    )


def article_topics(con: duckdb.DuckDBPyConnection, article_id: str) -> pd.DataFrame:
    """One article's topic tags with score and evidence (topic, kind, score, evidence)."""
    return _df(
        con,
        """
        SELECT topic, kind, score, evidence FROM topics WHERE article_id = ? ORDER BY kind DESC, score DESC, topic""",
        [article_id],
    )


# --- extraction health ---------------------------------------------------------------------


def health_summary(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """One row: quotation marks seen and quotes extracted in the filtered articles.

    (articles, quote_marks, quotes, direct, indirect, unattributed, by_name, by_pronoun, by_role,
    by_previous); quotation marks come in pairs, so about quote_marks / 2 direct quotes are expected.
    """
    if f.is_empty():
        return _df(
            con,
            """
            SELECT (SELECT coalesce(sum(articles), 0) FROM source_health)::BIGINT AS articles,
                   (SELECT coalesce(sum(quote_marks), 0) FROM source_health)::BIGINT AS quote_marks,
                   coalesce(sum(quotes), 0)::BIGINT AS quotes,
                   coalesce(sum(quotes) FILTER (WHERE kind = 'direct'), 0)::BIGINT AS direct,
                   coalesce(sum(quotes) FILTER (WHERE kind = 'indirect'), 0)::BIGINT AS indirect,
                   coalesce(sum(unattributed), 0)::BIGINT AS unattributed,
                   coalesce(sum(quotes) FILTER (WHERE resolved_by = 'name'), 0)::BIGINT AS by_name,
                   coalesce(sum(quotes) FILTER (WHERE resolved_by = 'pronoun'), 0)::BIGINT AS by_pronoun,
                   coalesce(sum(quotes) FILTER (WHERE resolved_by = 'role'), 0)::BIGINT AS by_role,
                   coalesce(sum(quotes) FILTER (WHERE resolved_by = 'previous'), 0)::BIGINT AS by_previous
            FROM quote_facets""",
            [],
        )
    fa, ap = _scope(f, "a.article_id, a.quote_marks")
    qr, qp = f.quote_rows()
    return _df(
        con,
        f"""
        WITH {fa},
             fq AS (SELECT q.* FROM quotes q JOIN fa ON fa.article_id = q.article_id WHERE {qr})
        SELECT (SELECT count(*) FROM fa) AS articles,
               (SELECT coalesce(sum(quote_marks), 0)::BIGINT FROM fa) AS quote_marks,
               count(*) AS quotes,
               count(*) FILTER (WHERE kind = 'direct') AS direct,
               count(*) FILTER (WHERE kind = 'indirect') AS indirect,
               count(*) FILTER (WHERE speaker IS NULL) AS unattributed,
               count(*) FILTER (WHERE resolved_by = 'name') AS by_name,
               count(*) FILTER (WHERE resolved_by = 'pronoun') AS by_pronoun,
               count(*) FILTER (WHERE resolved_by = 'role') AS by_role,
               count(*) FILTER (WHERE resolved_by = 'previous') AS by_previous
        FROM fq""",
        [*ap, *qp],
    )


_MARKS_IN_QUOTE = store.MARKS_IN_QUOTE


def health_by_source(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """Per outlet (articles.source) of the filtered articles, then one row '(all)': quotation-mark
    pairs seen, the pairs inside extracted quotes and their share, quotes, quotes without a speaker
    and their share.

    (source, articles, quote_pairs, pairs_quoted, pairs_share, quotes, unattributed,
    unattributed_share). A direct quote covers its own pair of marks plus the pairs inside it ('"A,"
    she said, "B."' is one quote over two pairs); a partial quote covers the pairs inside it. An
    article counts at most the pairs its body has (single quotes are not among the marks counted).
    """
    if f.is_empty():
        return _df(
            con,
            """
            WITH rows AS (
                 SELECT coalesce(source, ?) AS source, 0 AS overall, sum(articles)::BIGINT AS articles,
                        sum(quote_pairs)::BIGINT AS quote_pairs, sum(pairs_quoted)::BIGINT AS pairs_quoted,
                        sum(quotes)::BIGINT AS quotes, sum(unattributed)::BIGINT AS unattributed
                 FROM source_health GROUP BY 1
                 UNION ALL
                 SELECT '(all)', 1, coalesce(sum(articles), 0)::BIGINT, coalesce(sum(quote_pairs), 0)::BIGINT,
                        coalesce(sum(pairs_quoted), 0)::BIGINT, coalesce(sum(quotes), 0)::BIGINT,
                        coalesce(sum(unattributed), 0)::BIGINT
                 FROM source_health)
            SELECT source, articles, quote_pairs, pairs_quoted,
                   pairs_quoted / nullif(quote_pairs, 0) AS pairs_share, quotes, unattributed,
                   unattributed / nullif(quotes, 0) AS unattributed_share
            FROM rows ORDER BY overall, articles DESC, source""",
            [NO_SOURCE],
        )
    fa, ap = _scope(f, "a.article_id, coalesce(a.source, ?) AS source, a.quote_marks")
    ap = [NO_SOURCE, *ap]
    qr, qp = f.quote_rows()
    return _df(
        con,
        f"""
        WITH {fa},
             per_quote AS (
                 SELECT q.article_id, q.speaker IS NULL AS unattributed,
                        CASE WHEN q.kind = 'direct' AND q.rule NOT LIKE '%partial' THEN 1 ELSE 0 END
                          + {_MARKS_IN_QUOTE} // 2 AS pairs
                 FROM quotes q JOIN fa ON fa.article_id = q.article_id WHERE {qr}),
             per_article AS (
                 SELECT fa.source, fa.quote_marks // 2 AS quote_pairs,
                        least(fa.quote_marks // 2, coalesce(sum(pq.pairs), 0)) AS pairs_quoted,
                        count(pq.article_id) AS quotes,
                        count(*) FILTER (WHERE pq.unattributed) AS unattributed
                 FROM fa LEFT JOIN per_quote pq ON pq.article_id = fa.article_id
                 GROUP BY fa.article_id, fa.source, fa.quote_marks),
             rows AS (
                 SELECT source, 0 AS overall, count(*) AS articles, sum(quote_pairs)::BIGINT AS quote_pairs,
                        sum(pairs_quoted)::BIGINT AS pairs_quoted, sum(quotes)::BIGINT AS quotes,
                        sum(unattributed)::BIGINT AS unattributed
                 FROM per_article GROUP BY source
                 UNION ALL
                 SELECT '(all)', 1, count(*), coalesce(sum(quote_pairs), 0)::BIGINT,
                        coalesce(sum(pairs_quoted), 0)::BIGINT, coalesce(sum(quotes), 0)::BIGINT,
                        coalesce(sum(unattributed), 0)::BIGINT
                 FROM per_article)
        SELECT source, articles, quote_pairs, pairs_quoted,
               pairs_quoted / nullif(quote_pairs, 0) AS pairs_share, quotes, unattributed,
               unattributed / nullif(quotes, 0) AS unattributed_share
        FROM rows ORDER BY overall, articles DESC, source""",
        [*ap, *qp],
    )


def quotes_by(con: duckdb.DuckDBPyConnection, f: Filters, column: str) -> pd.DataFrame:
    """Filtered quotes counted by one of rule, resolved_by, kind or speaker_kind (value, quotes, unattributed)."""
    if column not in ("rule", "resolved_by", "kind", "speaker_kind"):
        raise ValueError(f"cannot group quotes by {column!r}")
    if f.is_empty():
        return _df(
            con,
            f"""
            SELECT coalesce({column}, '(none)') AS value, sum(quotes)::BIGINT AS quotes,
                   sum(unattributed)::BIGINT AS unattributed
            FROM quote_facets GROUP BY value ORDER BY quotes DESC, value""",
            [],
        )
    fa, ap = _scope(f)
    qr, qp = f.quote_rows()
    return _df(
        con,
        f"""
        WITH {fa}
        SELECT coalesce(q.{column}, '(none)') AS value, count(*) AS quotes,
               count(*) FILTER (WHERE q.speaker IS NULL) AS unattributed
        FROM quotes q JOIN fa ON fa.article_id = q.article_id WHERE {qr}
        GROUP BY value ORDER BY quotes DESC, value""",
        [*ap, *qp],
    )


def marks_vs_quotes(con: duckdb.DuckDBPyConnection, f: Filters, n: int | None = None) -> pd.DataFrame:
    """Per filtered article: quotation-mark pairs seen vs direct quotes extracted, largest gap first.

    (date, title, source, quote_pairs, direct, unattributed, gap, article_id).
    """
    return _df(con, *marks_vs_quotes_sql(f, n))


def marks_vs_quotes_sql(f: Filters, n: int | None = None) -> tuple[str, list]:
    """SQL and parameters of marks_vs_quotes."""
    if f.is_empty() and n is not None and n <= store.TOP_GAPS:
        return "SELECT * FROM marks_gap_top ORDER BY gap DESC, date DESC NULLS LAST, article_id LIMIT ?", [_limit(n)]
    aw, ap = f.article_where("a")
    return (
        f"""
        WITH q AS (SELECT article_id, count(*) FILTER (WHERE kind = 'direct') AS direct,
                          count(*) FILTER (WHERE speaker IS NULL) AS unattributed
                   FROM quotes GROUP BY article_id)
        SELECT a.date, a.title, a.source, (a.quote_marks // 2)::BIGINT AS quote_pairs, coalesce(q.direct, 0) AS direct,
               coalesce(q.unattributed, 0) AS unattributed,
               (a.quote_marks // 2 - coalesce(q.direct, 0))::BIGINT AS gap, a.article_id
        FROM articles a LEFT JOIN q ON q.article_id = a.article_id WHERE {aw}
        ORDER BY gap DESC, a.date DESC NULLS LAST, a.article_id LIMIT ?""",
        [*ap, _limit(n)],
    )


# --- long tables as a stream (downloads) -------------------------------------------------------

# The tables a page shows the first rows of, with the builders of their SQL.
TABLE_SQL: dict[Callable[..., pd.DataFrame], Callable[..., tuple[str, list]]] = {
    quotes_table: quotes_table_sql,
    articles_table: articles_table_sql,
    top_entities: top_entities_sql,
    marks_vs_quotes: marks_vs_quotes_sql,
    speaker_genders: speaker_genders_sql,
}


def stream(
    con: duckdb.DuckDBPyConnection, query: Callable[..., pd.DataFrame], f: Filters, *args, batch_rows: int = 50_000
) -> pa.RecordBatchReader:
    """Every row of `query(con, f, *args)` (no limit), same SQL, order and columns, as Arrow record batches.

    DuckDB runs the query once and hands the rows over `batch_rows` at a time, so the caller holds
    one batch, not the table. Read the reader to its end before anything else runs on `con`
    (give it a cursor of its own).
    """
    try:
        build = TABLE_SQL[query]
    except KeyError:
        raise ValueError(f"{getattr(query, '__name__', query)!r} is not a long table query") from None
    sql, params = build(f, *args, None)
    # A relation (con.sql), not con.execute: only a relation's reader streams in DuckDB 2.0.
    return con.sql(sql, params=params).to_arrow_reader(batch_size=batch_rows)


# --- comparisons (several Filters values side by side) -------------------------------------------


def _sides(sides: tuple[Filters, ...]) -> tuple[str, list]:
    """CTE `sa`: (side, article_id, date) of each side's filtered articles; side is its index from 0.

    An article two sides keep is there once for each.
    """
    parts, params = [], []
    for i, f in enumerate(sides):
        aw, ap = f.article_where("a")
        parts.append(f"SELECT ?::INTEGER AS side, a.article_id, a.date FROM articles a WHERE {aw}")
        params += [i, *ap]
    return f"sa AS MATERIALIZED ({' UNION ALL '.join(parts)})", params


def _per_side(sides: tuple[Filters, ...], rows: Callable[[Filters], tuple[str, list]]) -> tuple[str, list]:
    """A condition on rows joined to `sa`: each side's own row filter (`rows(f)`) on that side's rows."""
    cases, params = [], []
    for i, f in enumerate(sides):
        sql, p = rows(f)
        cases.append(f"WHEN ? THEN ({sql})")
        params += [i, *p]
    return f"(CASE sa.side {' '.join(cases)} END)", params


def compare_counts(con: duckdb.DuckDBPyConnection, sides: tuple[Filters, ...]) -> pd.DataFrame:
    """One row per side (side, articles, quotes): as `counts` gives them for each side alone."""
    sa, params = _sides(sides)
    qr, qp = _per_side(sides, lambda f: f.quote_rows("q"))
    return _df(
        con,
        f"""
        WITH {sa},
             a AS (SELECT side, count(*) AS articles FROM sa GROUP BY side),
             q AS (SELECT sa.side, count(*) AS quotes FROM quotes q JOIN sa ON sa.article_id = q.article_id
                   WHERE {qr} GROUP BY sa.side)
        SELECT s.side::INTEGER AS side, coalesce(a.articles, 0) AS articles, coalesce(q.quotes, 0) AS quotes
        FROM (SELECT unnest(range(?)) AS side) s LEFT JOIN a USING (side) LEFT JOIN q USING (side) ORDER BY side""",
        [*params, *qp, len(sides)],
    )


def compare_top_speakers(con: duckdb.DuckDBPyConnection, sides: tuple[Filters, ...], n: int = 10) -> pd.DataFrame:
    """Each side's most quoted speakers (side, speaker, kind, quotes, articles), as `top_speakers` ranks them.

    One pass over the quotes for all sides, instead of one per side.
    """
    sa, params = _sides(sides)
    qr, qp = _per_side(sides, lambda f: f.quote_rows("q"))
    return _df(
        con,
        f"""
        WITH {sa}
        SELECT sa.side, q.speaker, mode(q.speaker_kind) AS kind, count(*) AS quotes,
               count(DISTINCT q.article_id) AS articles
        FROM quotes q JOIN sa ON sa.article_id = q.article_id
        WHERE q.speaker IS NOT NULL AND {qr}
        GROUP BY sa.side, q.speaker
        QUALIFY row_number() OVER (PARTITION BY sa.side ORDER BY quotes DESC, articles DESC, q.speaker) <= ?
        ORDER BY sa.side, quotes DESC, articles DESC, q.speaker""",
        [*params, *qp, _limit(n)],
    )


def compare_top_entities(con: duckdb.DuckDBPyConnection, sides: tuple[Filters, ...], n: int = 10) -> pd.DataFrame:
    """Each side's most mentioned entities (side, entity, label, articles, mentions), as `top_entities` ranks them."""
    sa, params = _sides(sides)
    er, ep = _per_side(sides, lambda f: f.entity_rows("e"))
    return _df(
        con,
        f"""
        WITH {sa}
        SELECT sa.side, e.entity, e.label, count(DISTINCT e.article_id) AS articles, sum(e.count)::BIGINT AS mentions
        FROM entities e JOIN sa ON sa.article_id = e.article_id WHERE {er}
        GROUP BY sa.side, e.entity, e.label
        QUALIFY row_number() OVER (PARTITION BY sa.side ORDER BY articles DESC, mentions DESC, e.entity, e.label) <= ?
        ORDER BY sa.side, articles DESC, mentions DESC, e.entity, e.label""",
        [*params, *ep, _limit(n)],
    )


def compare_term_frequencies(con: duckdb.DuckDBPyConnection, sides: tuple[Filters, ...], n: int = 200) -> pd.DataFrame:
    """Each side's lemma counts (side, term, count), the n most frequent, as `term_frequencies` gives them."""
    frame = compare_terms(con, sides, 0, (), n)
    return frame.loc[frame["list"] == "frequent", ["side", "term", "count"]].reset_index(drop=True)


def compare_over_time(
    con: duckdb.DuckDBPyConnection, sides: tuple[Filters, ...], freq: str = "month", what: str = "articles"
) -> pd.DataFrame:
    """Articles (or quotes, with each side's speaker and kind row filters) per period of each side.

    (side, period, articles | quotes); side is the index of its Filters in `sides`.
    """
    if what not in ("articles", "quotes"):
        raise ValueError(f"compare articles or quotes, not {what!r}")
    if not sides:
        return pd.DataFrame({"side": [], "period": pd.Series(dtype="datetime64[us]"), what: []})
    parts, params = [], []
    for i, f in enumerate(sides):
        if what == "articles":
            where, wp = f.article_where("a")
            source = "articles a"
        else:
            where, wp = f.quote_where("q", "a")
            source = "quotes q JOIN articles a ON a.article_id = q.article_id"
        parts.append(
            f"SELECT ?::INTEGER AS side, date_trunc(?, a.date)::DATE AS period, count(*) AS {what} "
            f"FROM {source} WHERE {where} AND a.date IS NOT NULL GROUP BY period"
        )
        params += [i, _period(freq), *wp]
    return _df(con, " UNION ALL ".join(parts) + " ORDER BY side, period", params)


_KEYNESS_COLUMNS = ("side", "term", "count", "others", "per_10k", "others_per_10k", "z", "rank")


def keyness(
    con: duckdb.DuckDBPyConnection, sides: tuple[Filters, ...], n: int = 20, exclude: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The words most distinctive of each side against the other sides together (docs/dashboard.md, "Keyness").

    Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008) over the
    stored lemma counts of each side's articles; the prior is the sides' pooled counts. For a word w,
    side i and the others j (their counts added):
        delta = ln((y_i + a_w) / (n_i + a_0 - y_i - a_w)) - ln((y_j + a_w) / (n_j + a_0 - y_j - a_w))
        z = delta / sqrt(1 / (y_i + a_w) + 1 / (y_j + a_w))
    where y are the word's counts, n the sides' total counts, a_w the word's pooled count and a_0
    the pooled total. (side, term, count, others, per_10k, others_per_10k, z, rank): the n words
    with the largest z above 0 per side, ties by term. Terms in `exclude` are left out of every count,
    as if the articles did not have them.
    """
    if len(sides) < 2:
        return pd.DataFrame({c: [] for c in _KEYNESS_COLUMNS})
    frame = compare_terms(con, sides, n, exclude, 0)
    return frame.loc[frame["list"] == "distinctive", list(_KEYNESS_COLUMNS)].reset_index(drop=True)


def compare_terms(
    con: duckdb.DuckDBPyConnection,
    sides: tuple[Filters, ...],
    n_distinctive: int = 20,
    exclude: tuple[str, ...] = (),
    n_frequent: int = 200,
) -> pd.DataFrame:
    """`keyness(sides, n_distinctive, exclude)` and `compare_term_frequencies(sides, n_frequent)` from one
    pass over the lemma counts of the sides' articles (the Compare page needs both; each alone is a
    scan of every term row when the sides' articles are spread over all dates).

    (list, side, term, count, others, per_10k, others_per_10k, z, rank): list "distinctive" holds the
    keyness rows, "frequent" the most frequent lemmas (side, term, count, rank; `exclude` does not
    apply to them), each ordered by side and rank.
    """
    if not sides:
        return pd.DataFrame({c: [] for c in ("list", *_KEYNESS_COLUMNS)})
    sa, params = _sides(sides)
    return _df(
        con,
        f"""
        WITH {sa},
             summed AS MATERIALIZED (SELECT sa.side, t.term, sum(t.count)::DOUBLE AS y
                        FROM sa JOIN terms t ON t.article_id = sa.article_id GROUP BY sa.side, t.term),
             counts AS (SELECT * FROM summed ANTI JOIN (SELECT unnest(?::VARCHAR[]) AS term) x USING (term)),
             pooled AS (SELECT term, sum(y) AS a FROM counts GROUP BY term),
             totals AS (SELECT side, sum(y) AS n FROM counts GROUP BY side),
             grand AS (SELECT sum(y) AS a0 FROM counts),
             cells AS (
               SELECT c.side, c.term, c.y AS y_i, p.a - c.y AS y_j, p.a, t.n AS n_i, g.a0 - t.n AS n_j, g.a0
               FROM counts c JOIN pooled p USING (term) JOIN totals t USING (side) CROSS JOIN grand g),
             scored AS (
               SELECT side, term, y_i, y_j, n_i, n_j,
                      (ln((y_i + a) / nullif(n_i + a0 - y_i - a, 0)) - ln((y_j + a) / nullif(n_j + a0 - y_j - a, 0)))
                      / sqrt(1 / (y_i + a) + 1 / (y_j + a)) AS z
               FROM cells),
             distinctive AS (
               SELECT side, term, y_i::BIGINT AS count, y_j::BIGINT AS others,
                      10000 * y_i / n_i AS per_10k, 10000 * y_j / nullif(n_j, 0) AS others_per_10k, z,
                      row_number() OVER (PARTITION BY side ORDER BY z DESC, term) AS rank
               FROM scored WHERE z > 0 QUALIFY rank <= ?),
             frequent AS (
               SELECT side, term, y::BIGINT AS count, row_number() OVER (PARTITION BY side ORDER BY y DESC, term) AS rank
               FROM summed QUALIFY rank <= ?)
        SELECT 'distinctive' AS list, side, term, count, others, per_10k, others_per_10k, z, rank FROM distinctive
        UNION ALL
        SELECT 'frequent', side, term, count, NULL, NULL, NULL, NULL, rank FROM frequent
        ORDER BY list, side, rank""",
        [*params, list(exclude), _limit(n_distinctive), _limit(n_frequent)],
    )


# --- a word over time, and in context -------------------------------------------------------------

SPLITS = ("source", "speaker")


def word_over_time(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    search: str,
    freq: str = "month",
    split: str | None = None,
    groups: int = 5,
) -> pd.DataFrame:
    """Per period: filtered articles matching `search` (the sidebar search's meaning) per 1,000 filtered articles.

    (period, [group,] articles, total, per_1000): `articles` match, `total` are all filtered
    articles of the period (and group). `split` "source" gives one group per outlet, "speaker" one per
    speaker quoted in the article (the speaker and kind filters apply); the `groups` groups with the
    most matching articles are kept. A period with filtered articles and no match has per_1000 0;
    a period without filtered articles has no row.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"split by one of {SPLITS}, not {split!r}")
    aw, ap = f.article_where("a")
    # The date range again: it changes no row, and lets the lemma lookup skip the other dates.
    mw, mp = Filters(text=search, start=f.start, end=f.end).article_where("a")
    fa = f"""fa AS MATERIALIZED (
               SELECT a.article_id, a.source, date_trunc(?, a.date)::DATE AS period, ({mw}) AS hit
               FROM articles a WHERE {aw} AND a.date IS NOT NULL)"""
    params = [_period(freq), *mp, *ap]
    rate = "count(*) FILTER (WHERE hit) AS articles, count(*) AS total, 1000.0 * count(*) FILTER (WHERE hit) / count(*) AS per_1000"
    if split is None:
        return _df(con, f"WITH {fa} SELECT period, {rate} FROM fa GROUP BY period ORDER BY period", params)
    if split == "source":
        grouped, gp = "SELECT article_id, period, hit, coalesce(source, ?) AS grp FROM fa", [NO_SOURCE]
    else:
        qr, gp = f.quote_rows("q")
        grouped = f"""SELECT DISTINCT fa.article_id, fa.period, fa.hit, q.speaker AS grp
                      FROM fa JOIN quotes q ON q.article_id = fa.article_id WHERE q.speaker IS NOT NULL AND {qr}"""
    return _df(
        con,
        f"""
        WITH {fa},
             g AS MATERIALIZED ({grouped}),
             top AS (SELECT grp FROM g GROUP BY grp
                     ORDER BY count(*) FILTER (WHERE hit) DESC, count(*) DESC, grp LIMIT ?)
        SELECT period, grp AS "group", {rate}
        FROM g SEMI JOIN top USING (grp) GROUP BY period, grp ORDER BY period, "group" """,
        [*params, *gp, _limit(groups)],
    )


def word_contexts(
    con: duckdb.DuckDBPyConnection, f: Filters, search: str, articles: int | None = None, width: int = 60
) -> pd.DataFrame:
    """Keyword in context: each match of `search` in the bodies of the newest `articles` filtered articles holding it.

    (left, match, right, date, source, title, article_id), newest article first, matches in text
    order; the articles are those the sidebar search finds, the matches those of
    dashboard.concordance.pattern (an article found by its title alone has no line).
    """
    rows = []
    for window in _recent_windows(con, f, articles):
        aw, ap = window.article_where("a")
        # The date range again: it changes no row, and lets the lemma lookup skip the other dates.
        mw, mp = Filters(text=search, start=window.start, end=window.end).article_where("a")
        # The newest articles first, without their bodies, then the bodies of those alone: joined on
        # the date as well (every stored article has one: ingest rejects a missing date), the second
        # scan reads only the newest days' row groups; selecting the text in the first read every
        # filtered body (at a million articles 2.7 s for "oil", then 1.0 s).
        rows = con.execute(
            f"""
            WITH hits AS MATERIALIZED (SELECT a.article_id, a.date FROM articles a WHERE {aw} AND {mw}
                                       ORDER BY a.date DESC NULLS LAST, a.article_id LIMIT ?)
            SELECT a.date, a.source, a.title, a.text, a.article_id
            FROM articles a SEMI JOIN hits h ON h.article_id = a.article_id AND h.date = a.date
            ORDER BY a.date DESC NULLS LAST, a.article_id""",
            [*ap, *mp, _limit(articles)],
        ).fetchall()
        if articles is not None and len(rows) >= articles:
            break
    found = concordance.pattern(search)
    out = [
        (line.left, line.match, line.right, date, source, title, article_id)
        for date, source, title, text, article_id in rows
        for line in concordance.lines(text, found, width)
    ]
    return pd.DataFrame(out, columns=["left", "match", "right", "date", "source", "title", "article_id"])

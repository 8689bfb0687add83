"""How long each dashboard page's work takes: its queries and figures, for a typical filter.

    python bench/dashboard.py [--store /tmp/reuters-store] [--repeat 5] [--start D --end D --speaker NAME]
                              [--page NAME] [--baseline both|read|memory|none] [--baseline-repeat N]

Each page's work is replayed with the dashboard.queries calls its script in pages/ makes, against
the store's in-memory DuckDB (as the dashboard's cached connection holds it), then the same
dashboard.charts figures, serialised to JSON as st.plotly_chart does, and word clouds rendered to
PNG. Long tables are fetched as the pages fetch them: the first 5,000 rows (ui.MAX_SHOWN), then a
count when those fill the table and the page has no count of its own (queries.table_size); a
top list asked at two sizes is queried twice (a page queries the larger and cuts it), so times
are a little above the pages'. The baseline, measured in the same process, is the obvious alternative without a database:
read the page's tables from Parquet into pandas and filter and aggregate there, then build the
same figures. It is timed twice: reading the tables on each page view, and with the tables already
held in memory. Both sides are checked to return the same number of rows for every query.

At a million articles the baselines are costly (every table in pandas: several GB, minutes per
page): `--baseline read --baseline-repeat 1` keeps the per-view one, `--baseline none` skips them.

The default filter is typical of use: the three calendar months with the most articles, and the
person quoted most often in them. The target is every page's work under 0.5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard import charts, queries, store  # noqa: E402
from dashboard.concordance import lines, pattern  # noqa: E402
from dashboard.filters import Filters, text_query, word_forms  # noqa: E402
from dashboard.settings import default_store  # noqa: E402
from dashboard.wordclouds import STOP_WORDS, render, to_png, without_stop_words  # noqa: E402

TARGET_SECONDS = 0.5
MAX_SHOWN = 5000  # dashboard.ui.widgets.MAX_SHOWN (not imported: ui imports streamlit)
QUOTE_COLUMNS = ["date", "speaker", "role", "quote", "cue", "kind", "title", "article_id", "quote_index"]


# --- the two ways of answering the pages' queries ---------------------------------------------
class DuckData:
    """dashboard.queries against the in-memory DuckDB connection, as the pages call them."""

    def __init__(self, con):
        self.con = con

    def __getattr__(self, name: str) -> Callable[..., pd.DataFrame]:
        query = getattr(queries, name)
        return lambda *args: query(self.con, *args)


def _period(dates: pd.Series, freq: str) -> pd.Series:
    """date_trunc(freq, date) in pandas (weeks start on Monday, as in DuckDB)."""
    code = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q", "year": "Y"}[freq]
    return dates.dt.to_period(code).dt.start_time


def _mode(frame: pd.DataFrame, key: str, column: str) -> pd.Series:
    """The most frequent non-null `column` value per `key` (vectorised: no Python call per group)."""
    counts = frame.dropna(subset=[column]).groupby([key, column]).size().rename("n").reset_index()
    counts = counts.sort_values([key, "n", column], ascending=[True, False, True]).drop_duplicates(key)
    return counts.set_index(key)[column]


class PandasData:
    """The same answers computed with pandas over whole tables (the baseline)."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.t = tables

    # the filtered rows
    def _articles(self, f: Filters) -> pd.DataFrame:
        a, q = self.t["articles"], self.t["quotes"]
        keep = pd.Series(True, index=a.index)
        if f.start:
            keep &= a["date"] >= pd.Timestamp(f.start)
        if f.end:
            keep &= a["date"] <= pd.Timestamp(f.end)
        if f.speakers:
            keep &= a["article_id"].isin(q.loc[q["speaker"].isin(f.speakers), "article_id"])
        if f.speaker_kinds:
            keep &= a["article_id"].isin(q.loc[q["speaker_kind"].isin(f.speaker_kinds), "article_id"])
        if f.entities:
            e = self.t["entities"]
            keep &= a["article_id"].isin(e.loc[e["entity"].isin(f.entities), "article_id"])
        if f.topics:
            t = self.t["topics"]
            keep &= a["article_id"].isin(t.loc[t["topic"].isin(f.topics), "article_id"])
        if f.text.strip():
            needle = f.text.strip()
            keep &= a["title"].str.contains(needle, case=False, regex=False) | a["text"].str.contains(
                needle, case=False, regex=False
            )
        return a[keep]

    def _quotes(self, f: Filters) -> pd.DataFrame:
        fa = self._articles(f)
        q = self.t["quotes"]
        q = q[q["article_id"].isin(fa["article_id"])]
        if f.speakers:
            q = q[q["speaker"].isin(f.speakers)]
        if f.speaker_kinds:
            q = q[q["speaker_kind"].isin(f.speaker_kinds)]
        return q.merge(fa[["article_id", "date", "title"]], on="article_id")

    def _entities(self, f: Filters) -> pd.DataFrame:
        fa = self._articles(f)
        e = self.t["entities"]
        e = e[e["article_id"].isin(fa["article_id"])]
        if f.entity_labels:
            e = e[e["label"].isin(f.entity_labels)]
        return e.merge(fa[["article_id", "date"]], on="article_id")

    # overview
    def counts(self, f):
        fq, fe = self._quotes(f), self._entities(f)
        return pd.DataFrame(
            [
                {
                    "articles": len(self._articles(f)),
                    "quotes": len(fq),
                    "speakers": fq["speaker"].nunique(),
                    "entities": fe["entity"].nunique(),
                }
            ]
        )

    def articles_over_time(self, f, freq="month"):
        fa = self._articles(f).dropna(subset=["date"])
        return fa.assign(period=_period(fa["date"], freq)).groupby("period").size().rename("articles").reset_index()

    def top_speakers(self, f, n=20, by="quotes"):
        fq = self._quotes(f)
        fq = fq[fq["speaker"].notna()]
        out = fq.groupby("speaker").agg(quotes=("quote", "size"), articles=("article_id", "nunique"))
        out = out.join(_mode(fq, "speaker", "speaker_kind").rename("kind")).reset_index()
        order = ["quotes", "articles"] if by == "quotes" else ["articles", "quotes"]
        out = out.sort_values([*order, "speaker"], ascending=[False, False, True])
        return out if n is None else out.head(n)

    def top_entities(self, f, n=20):
        out = (
            self._entities(f)
            .groupby(["entity", "label"])
            .agg(articles=("article_id", "nunique"), mentions=("count", "sum"))
            .reset_index()
            .sort_values(["articles", "mentions", "entity", "label"], ascending=[False, False, True, True])
        )
        return out if n is None else out.head(n)

    def top_entities_per_type(self, f, n=10):
        out = self.top_entities(f, None)
        out["rank"] = out.groupby("label").cumcount() + 1
        return out[out["rank"] <= n].sort_values(["label", "rank"])

    def topic_over_time(self, f, freq="month", kind=None):
        fa = self._articles(f).dropna(subset=["date"])
        fa = fa.assign(period=_period(fa["date"], freq))[["article_id", "period"]]
        total = fa.groupby("period").size().rename("n")
        t = self.t["topics"]
        if f.topics:
            t = t[t["topic"].isin(f.topics)]
        if kind:
            t = t[t["kind"] == kind]
        tagged = (
            fa.merge(t, on="article_id")
            .groupby(["period", "topic"])
            .agg(kind=("kind", "min"), articles=("article_id", "nunique"))
            .reset_index()
        )
        # Like the dashboard: every period with articles gets a row for every topic shown (0 if none).
        shown = tagged.groupby("topic", as_index=False)["kind"].min()
        grid = total.reset_index()[["period"]].merge(shown, how="cross")
        out = grid.merge(tagged.drop(columns="kind"), on=["period", "topic"], how="left")
        out["articles"] = out["articles"].fillna(0).astype("int64")
        out["share"] = out["articles"] / out["period"].map(total)
        return out.sort_values(["period", "articles", "topic"], ascending=[True, False, True])

    # speakers and quotes
    def quotes_over_time(self, f, speakers, freq="month"):
        fq = self._quotes(f).dropna(subset=["date"])
        fq = fq[fq["speaker"].isin(speakers)]
        return (
            fq.assign(period=_period(fq["date"], freq))
            .groupby(["period", "speaker"])
            .size()
            .rename("quotes")
            .reset_index()
        )

    def quotes_table(self, f, unattributed_only=False, limit=None):
        fq = self._quotes(f)
        if unattributed_only:
            fq = fq[fq["speaker"].isna()]
        fq = fq.sort_values(["date", "article_id", "quote_index"], ascending=[False, True, True])
        return fq.rename(columns={"speaker_role": "role"})[QUOTE_COLUMNS].head(limit)

    def table_size(self, f, table, *args):
        return pd.DataFrame({"rows": [len(getattr(self, table)(f, *args, None))]})

    def _top_speaker_rows(self, f, n, distinct=False):
        """Quotes of the n top speakers, ranked by quotes (or by articles when `distinct`)."""
        fq = self._quotes(f)
        fq = fq[fq["speaker"].notna()][["article_id", "speaker"]]
        if distinct:
            fq = fq.drop_duplicates()
        top = fq.groupby("speaker").size().reset_index(name="n").sort_values(["n", "speaker"], ascending=[False, True])
        return fq[fq["speaker"].isin(top["speaker"].head(n))]

    def speaker_topics(self, f, n_speakers=15):
        t = self.t["topics"]
        if f.topics:
            t = t[t["topic"].isin(f.topics)]
        return (
            self._top_speaker_rows(f, n_speakers)
            .merge(t, on="article_id")
            .groupby(["speaker", "topic"])
            .size()
            .rename("quotes")
            .reset_index()
            .sort_values(["quotes", "speaker", "topic"], ascending=[False, True, True])
        )

    def speaker_entities(self, f, n_speakers=15, n_entities=15):
        fq = self._top_speaker_rows(f, n_speakers, distinct=True)
        fe = self._entities(f)[["article_id", "entity"]].drop_duplicates()
        pairs = fq.merge(fe, on="article_id")
        pairs = pairs[pairs["entity"] != pairs["speaker"]]
        top = (
            pairs.groupby("entity")
            .size()
            .reset_index(name="n")
            .sort_values(["n", "entity"], ascending=[False, True])
            .head(n_entities)
        )
        return (
            pairs[pairs["entity"].isin(top["entity"])]
            .groupby(["speaker", "entity"])
            .size()
            .rename("articles")
            .reset_index()
            .sort_values(["articles", "speaker", "entity"], ascending=[False, True, True])
        )

    # entities
    def mentions_over_time(self, f, entities, freq="month"):
        fe = self._entities(f).dropna(subset=["date"])
        fe = fe[fe["entity"].isin(entities)]
        return (
            fe.assign(period=_period(fe["date"], freq))
            .groupby(["period", "entity"])
            .agg(articles=("article_id", "nunique"), mentions=("count", "sum"))
            .reset_index()
        )

    def co_mentions(self, f, entity, n=20):
        fe = self._entities(f)
        others = fe[(fe["entity"] != entity) & fe["article_id"].isin(fe.loc[fe["entity"] == entity, "article_id"])]
        out = others.groupby("entity").agg(articles=("article_id", "nunique")).join(_mode(others, "entity", "label"))
        return out.reset_index().sort_values(["articles", "entity"], ascending=[False, True]).head(n)

    def co_mention_pairs(self, f, n_entities=15):
        fe = self._entities(f)[["article_id", "entity"]].drop_duplicates()
        top = (
            fe.groupby("entity")
            .size()
            .reset_index(name="n")
            .sort_values(["n", "entity"], ascending=[False, True])
            .head(n_entities)
        )
        te = fe[fe["entity"].isin(top["entity"])]
        pairs = te.merge(te, on="article_id", suffixes=("_a", "_b"))
        pairs = pairs[pairs["entity_a"] != pairs["entity_b"]]
        return (
            pairs.groupby(["entity_a", "entity_b"])
            .size()
            .rename("articles")
            .reset_index()
            .sort_values(["articles", "entity_a", "entity_b"], ascending=[False, True, True])
        )

    # topics
    def topic_summary(self, f, kind=None):
        fa = self._articles(f)
        t = self.t["topics"]
        t = t[t["article_id"].isin(fa["article_id"])]
        if kind:
            t = t[t["kind"] == kind]
        out = t.groupby("topic").agg(kind=("kind", "min"), articles=("article_id", "nunique")).reset_index()
        out["share"] = out["articles"] / len(fa)
        return out.sort_values(["articles", "topic"], ascending=[False, True])

    def _in_topic(self, topic):
        t = self.t["topics"]
        return t.loc[t["topic"] == topic, "article_id"]

    def topic_speakers(self, f, topic, n=10):
        fq = self._quotes(f)
        fq = fq[fq["speaker"].notna() & fq["article_id"].isin(self._in_topic(topic))]
        return (
            fq.groupby("speaker")
            .agg(quotes=("quote", "size"), articles=("article_id", "nunique"))
            .reset_index()
            .sort_values(["quotes", "articles", "speaker"], ascending=[False, False, True])
            .head(n)
        )

    def topic_entities(self, f, topic, n=10):
        fe = self._entities(f)
        fe = fe[fe["article_id"].isin(self._in_topic(topic))]
        out = fe.groupby("entity").agg(articles=("article_id", "nunique"), mentions=("count", "sum"))
        out = out.join(_mode(fe, "entity", "label")).reset_index()
        return out.sort_values(["articles", "mentions", "entity"], ascending=[False, False, True]).head(n)

    def topic_terms(self, topic, n=30):
        tt = self.t["topic_terms"]
        return tt[tt["topic"] == topic].sort_values(["weight", "term"], ascending=[False, True]).head(n)

    # word clouds
    def term_frequencies(self, f, n=200):
        terms = self.t["terms"]
        terms = terms[terms["article_id"].isin(self._articles(f)["article_id"])]
        return (
            terms.groupby("term")["count"]
            .sum()
            .reset_index()
            .sort_values(["count", "term"], ascending=[False, True])
            .head(n)
        )

    # articles
    def articles_table(self, f, topic=None, limit=None):
        fa = self._articles(f)
        if topic:
            fa = fa[fa["article_id"].isin(self._in_topic(topic))]
        fa = fa.sort_values(["date", "title", "article_id"], ascending=[False, True, True]).head(limit)
        ids = fa["article_id"]
        e = self.t["entities"]
        e = e[e["article_id"].isin(ids)].sort_values(["article_id", "count", "entity"], ascending=[True, False, True])
        ents = e.groupby("article_id").size().rename("entities").to_frame()
        ents["top_entities"] = e.groupby("article_id").head(5).groupby("article_id")["entity"].agg(", ".join)
        q = self.t["quotes"]
        q = q[q["article_id"].isin(ids)]
        per = q.groupby(["article_id", "speaker"], dropna=False).size().reset_index(name="n")
        spk = per.groupby("article_id").agg(quotes=("n", "sum"))
        named = per.dropna(subset=["speaker"]).sort_values(
            ["article_id", "n", "speaker"], ascending=[True, False, True]
        )
        spk["speakers"] = named.groupby("article_id")["speaker"].agg(", ".join)
        t = self.t["topics"]
        t = t[t["article_id"].isin(ids)].sort_values(["article_id", "score", "topic"], ascending=[True, False, True])
        tps = t.groupby("article_id")["topic"].agg(", ".join).rename("topics")
        out = fa[["article_id", "date", "title", "source", "words"]].set_index("article_id").join([ents, spk, tps])
        out[["quotes", "entities"]] = out[["quotes", "entities"]].fillna(0)
        return out.reset_index().sort_values(["date", "title", "article_id"], ascending=[False, True, True])

    def article(self, article_id):
        a = self.t["articles"]
        return a[a["article_id"] == article_id]

    def article_quotes(self, article_id):
        q = self.t["quotes"]
        return q[q["article_id"] == article_id].sort_values(["start_char", "quote_index"])

    def article_mentions(self, article_id):
        m, e = self.t["mentions"], self.t["entities"]
        both = pd.concat(
            [
                m.loc[m["article_id"] == article_id, ["name", "label", "count"]],
                e.loc[e["article_id"] == article_id, ["entity", "label", "count"]].rename(columns={"entity": "name"}),
            ]
        )
        return both.drop_duplicates().sort_values(["count", "name"], ascending=[False, True])

    def article_topics(self, article_id):
        t = self.t["topics"]
        return t[t["article_id"] == article_id].sort_values(["kind", "score", "topic"], ascending=[False, False, True])

    # extraction health
    def health_summary(self, f):
        fa, fq = self._articles(f), self._quotes(f)
        by = fq["resolved_by"]
        return pd.DataFrame(
            [
                {
                    "articles": len(fa),
                    "quote_marks": int(fa["quote_marks"].sum()),
                    "quotes": len(fq),
                    "direct": int((fq["kind"] == "direct").sum()),
                    "indirect": int((fq["kind"] == "indirect").sum()),
                    "unattributed": int(fq["speaker"].isna().sum()),
                    "by_name": int((by == "name").sum()),
                    "by_pronoun": int((by == "pronoun").sum()),
                    "by_role": int((by == "role").sum()),
                    "by_previous": int((by == "previous").sum()),
                }
            ]
        )

    def quotes_by(self, f, column):
        fq = self._quotes(f)
        fq = fq.assign(value=fq[column].fillna("(none)"), missing=fq["speaker"].isna())
        return (
            fq.groupby("value")
            .agg(quotes=("value", "size"), unattributed=("missing", "sum"))
            .reset_index()
            .sort_values(["quotes", "value"], ascending=[False, True])
        )

    def marks_vs_quotes(self, f, n=None):
        fa = self._articles(f)
        q = self.t["quotes"]
        per = (
            q.assign(direct=q["kind"] == "direct", unattributed=q["speaker"].isna())
            .groupby("article_id")[["direct", "unattributed"]]
            .sum()
        )
        out = (
            fa[["article_id", "date", "title", "quote_marks"]]
            .set_index("article_id")
            .join(per)
            .fillna({"direct": 0, "unattributed": 0})
            .reset_index()
        )
        out["quote_pairs"] = out["quote_marks"] // 2
        out["gap"] = out["quote_pairs"] - out["direct"]
        out = out.sort_values(["gap", "date", "article_id"], ascending=[False, False, True])
        return out if n is None else out.head(n)

    # comparisons
    def compare_over_time(self, sides, freq="month", what="articles"):
        parts = []
        for i, side in enumerate(sides):
            rows = (self._articles(side) if what == "articles" else self._quotes(side)).dropna(subset=["date"])
            per = rows.assign(period=_period(rows["date"], freq)).groupby("period").size().rename(what).reset_index()
            parts.append(per.assign(side=i))
        return pd.concat(parts)[["side", "period", what]]

    def keyness(self, sides, n=20, exclude=()):
        terms = self.t["terms"]
        terms = terms[~terms["term"].isin(exclude)]
        counts = pd.concat(
            terms[terms["article_id"].isin(self._articles(side)["article_id"])].assign(side=i)
            for i, side in enumerate(sides)
        )
        counts = counts.groupby(["side", "term"])["count"].sum().astype(float).rename("y_i").reset_index()
        prior = counts.groupby("term")["y_i"].sum().rename("a")
        totals = counts.groupby("side")["y_i"].sum().rename("n_i")
        cells = counts.join(prior, on="term").join(totals, on="side")
        a0 = totals.sum()
        y_i, a, n_i = cells["y_i"], cells["a"], cells["n_i"]
        y_j, n_j = a - y_i, a0 - n_i
        delta = np.log((y_i + a) / (n_i + a0 - y_i - a)) - np.log((y_j + a) / (n_j + a0 - y_j - a))
        cells = cells.assign(z=delta / np.sqrt(1 / (y_i + a) + 1 / (y_j + a)))
        cells = cells[cells["z"] > 0].sort_values(["side", "z", "term"], ascending=[True, False, True])
        return cells.groupby("side").head(n)

    def _each_side(self, name, sides, *args):
        return pd.concat(getattr(self, name)(side, *args).assign(side=i) for i, side in enumerate(sides))

    def compare_counts(self, sides):
        return self._each_side("counts", sides)

    def compare_top_speakers(self, sides, n=10):
        return self._each_side("top_speakers", sides, n)

    def compare_top_entities(self, sides, n=10):
        return self._each_side("top_entities", sides, n)

    def compare_term_frequencies(self, sides, n=200):
        return self._each_side("term_frequencies", sides, n)

    # a word over time
    def _matching(self, f, search):
        """The filtered articles the search finds: lemmas (or the title) for one word, the text for a phrase."""
        fa = self._articles(f)
        found = pattern(search)
        in_title = fa["title"].str.contains(found, na=False)
        words = text_query(search).words
        if words:  # lemmas, the way the sidebar search reads a word
            terms = self.t["terms"]
            forms = [form for word in words for form in word_forms(word)]
            hit = in_title | fa["article_id"].isin(terms.loc[terms["term"].isin(forms), "article_id"])
        else:
            hit = in_title | fa["text"].str.contains(found, na=False)
        return fa.assign(hit=hit)

    def word_over_time(self, f, search, freq="month"):
        fa = self._matching(f, search).dropna(subset=["date"])
        fa = fa.assign(period=_period(fa["date"], freq))
        out = fa.groupby("period").agg(articles=("hit", "sum"), total=("hit", "size")).reset_index()
        return out.assign(per_1000=1000 * out["articles"] / out["total"])

    def word_contexts(self, f, search, articles=None):
        fa = self._matching(f, search)
        fa = fa[fa["hit"]].sort_values(["date", "article_id"], ascending=[False, True]).head(articles)
        found = pattern(search)
        return pd.DataFrame(
            [
                (line.left, line.match, line.right, aid)
                for aid, text in zip(fa["article_id"], fa["text"])
                for line in lines(text, found)
            ],
            columns=["left", "match", "right", "article_id"],
        )


# Tables each page reads, for the baseline that loads them per page view.
PAGE_TABLES = {
    "Overview": ("articles", "quotes", "entities", "topics"),
    "Speakers and quotes": ("articles", "quotes", "entities", "topics"),
    "Entities": ("articles", "quotes", "entities"),
    "Topics": ("articles", "quotes", "entities", "topics", "topic_terms"),
    "Word clouds": ("articles", "quotes", "terms"),
    "Articles": ("articles", "quotes", "entities", "topics", "mentions"),
    "Extraction health": ("articles", "quotes"),
    "Compare": ("articles", "quotes", "entities", "terms"),
    "Word (one word)": ("articles", "quotes", "terms"),
    "Word (a phrase)": ("articles", "quotes", "terms"),
}


# --- the pages' work, as the scripts in pages/ do it ---------------------------------------------
class Work:
    """Runs one page's work, timing data and figures apart and keeping every frame for the row check."""

    def __init__(self, data):
        self.data, self.frames, self.data_s, self.figure_s, self.slowest = data, [], 0.0, 0.0, (0.0, "")

    def q(self, name: str, *args) -> pd.DataFrame:
        start = time.perf_counter()
        frame = getattr(self.data, name)(*args)
        seconds = time.perf_counter() - start
        self.data_s += seconds
        self.slowest = max(self.slowest, (seconds, name))
        self.frames.append((name, len(frame)))
        return frame

    def table(self, name: str, f: Filters, *args, counted: bool = True) -> pd.DataFrame:
        """A long table as ui.query_table fetches it: the first MAX_SHOWN rows, and their total
        (queries.table_size) when they fill the table and the page has no count of its own."""
        head = self.q(name, f, *args, MAX_SHOWN)
        if len(head) >= MAX_SHOWN and not counted:
            self.q("table_size", f, name, *args)
        return head

    def fig(self, build: Callable[[], object]) -> None:
        start = time.perf_counter()
        made = build()
        if hasattr(made, "to_json"):
            made.to_json()  # what st.plotly_chart sends to the browser
        self.figure_s += time.perf_counter() - start


def overview(w: Work, f: Filters) -> None:
    w.q("counts", f)
    w.fig(lambda: charts.over_time(w.q("articles_over_time", f, "month"), "articles", "Articles over time", "month"))
    speakers = w.q("top_speakers", f, 15)
    w.fig(lambda: charts.bars(speakers, "speaker", "quotes", "Top speakers", hover=["articles", "kind"]))
    entities = w.q("top_entities", f, 15)
    w.fig(lambda: charts.bars(entities, "entity", "articles", "Top entities", hover=["label", "mentions"]))
    mix = w.q("topic_over_time", f, "month", "taxonomy")
    w.fig(lambda: charts.shares(mix, "Topic mix over time", "month"))


def speakers_page(w: Work, f: Filters) -> None:
    by_quotes = w.q("top_speakers", f, 20, "quotes")
    w.fig(lambda: charts.bars(by_quotes, "speaker", "quotes", "Top speakers by quotes", hover=["articles", "kind"]))
    by_articles = w.q("top_speakers", f, 20, "articles")
    w.fig(lambda: charts.bars(by_articles, "speaker", "articles", "Top speakers by articles", hover=["quotes", "kind"]))
    choices = list(dict.fromkeys([*f.speakers, *w.q("top_speakers", f, 50)["speaker"]]))
    series = w.q("quotes_over_time", f, tuple(choices[:3]), "month")
    if len(series):
        w.fig(lambda: charts.small_multiples(series, "speaker", "quotes", "Quotes per period", "month"))
    grid = w.q("speaker_topics", f, 15)
    if len(grid):
        w.fig(lambda: charts.heatmap(grid, "speaker", "topic", "quotes", "Speakers by topic"))
    grid2 = w.q("speaker_entities", f, 15, 15)
    if len(grid2):
        w.fig(lambda: charts.heatmap(grid2, "speaker", "entity", "articles", "Who talks about whom"))
    w.q("counts", f)  # the quotes table's total
    w.table("quotes_table", f, False)


def entities_page(w: Work, f: Filters) -> None:
    per_type = w.q("top_entities_per_type", f, 10)
    w.fig(lambda: charts.per_group_bars(per_type, "label", "entity", "articles", "Top entities per type"))
    choices = list(dict.fromkeys([*f.entities, *w.q("top_entities", f, 60)["entity"]]))
    series = w.q("mentions_over_time", f, tuple(choices[:4]), "month")
    if len(series):
        w.fig(
            lambda: charts.over_time(series, "articles", "Articles mentioning", "month", series="entity", kind="line")
        )
    if choices:
        with_anchor = w.q("co_mentions", f, choices[0], 20)
        w.fig(lambda: charts.bars(with_anchor, "entity", "articles", "Co-mentions", hover=["label"]))
    pairs = w.q("co_mention_pairs", f, 15)
    if len(pairs):
        w.fig(lambda: charts.heatmap(pairs, "entity_a", "entity_b", "articles", "Shared articles"))
    w.table("top_entities", f, counted=False)


def topics_page(w: Work, f: Filters) -> None:
    summary = w.q("topic_summary", f, "taxonomy")
    if not len(summary):
        return
    w.fig(lambda: charts.bars(summary.head(25), "topic", "articles", "Articles per topic", hover=["kind"]))
    mix = w.q("topic_over_time", f, "month", "taxonomy")
    w.fig(lambda: charts.shares(mix, "Topic share over time", "month"))
    topic = summary["topic"].iloc[0]
    top = w.q("topic_speakers", f, topic, 10)
    if len(top):
        w.fig(lambda: charts.bars(top, "speaker", "quotes", f"Top speakers on {topic}"))
    ents = w.q("topic_entities", f, topic, 10)
    if len(ents):
        w.fig(lambda: charts.bars(ents, "entity", "articles", f"Top entities in {topic}", hover=["label"]))
    terms = w.q("topic_terms", topic, 30)
    if len(terms):
        w.fig(lambda: charts.bars(terms, "term", "weight", f"Top terms of {topic}"))
        w.fig(lambda: to_png(render(dict(zip(terms["term"], terms["weight"])), 1000, 500)))
    w.table("articles_table", f, topic, counted=False)


def wordclouds_page(w: Work, f: Filters) -> None:
    size = 150
    frame = w.q("term_frequencies", f, size * 2)
    frequencies = without_stop_words(dict(zip(frame["term"], frame["count"])))
    top = dict(sorted(frequencies.items(), key=lambda kv: (-kv[1], kv[0]))[:size])
    if top:
        w.fig(lambda: to_png(render(top, 1000, 500)))


def articles_page(w: Work, f: Filters) -> None:
    w.q("counts", f)  # the articles table's total
    table = w.table("articles_table", f, None)
    if not len(table):
        return
    article_id = table["article_id"].iloc[0]  # the user opens the newest article
    article = w.q("article", article_id)
    quotes = w.q("article_quotes", article_id)
    w.q("article_topics", article_id)
    mentions = w.q("article_mentions", article_id)
    w.fig(lambda: charts.article_html(article["text"].iloc[0], quotes, mentions))


def health_page(w: Work, f: Filters) -> None:
    w.q("health_summary", f)
    resolved = w.q("quotes_by", f, "resolved_by")
    if len(resolved):
        w.fig(lambda: charts.bars(resolved, "value", "quotes", "How speakers were found", hover=["unattributed"]))
    rules = w.q("quotes_by", f, "rule")
    if len(rules):
        w.fig(lambda: charts.bars(rules, "value", "quotes", "Rules", hover=["unattributed"]))
    w.table("quotes_table", f, True)  # totals from health_summary
    w.table("marks_vs_quotes", f)


def outlets_page(w: Work, f: Filters) -> None:
    w.q("source_summary", f)
    per = w.q("articles_per_source", f, "month")
    w.fig(lambda: charts.over_time(per, "articles", "Articles per outlet", "month", series="source", kind="line"))
    speakers = w.q("top_speakers_per_source", f, 10)
    w.fig(lambda: charts.per_group_bars(speakers, "source", "speaker", "quotes", "Top speakers per outlet", 2))
    entities = w.q("top_entities_per_source", f, 10)
    w.fig(lambda: charts.per_group_bars(entities, "source", "entity", "articles", "Top entities per outlet", 2))


def gender_page(w: Work, f: Filters) -> None:
    over_time = w.q("gender_over_time", f, "month")
    w.fig(lambda: charts.gender_shares(over_time, "period", "Share of quotes by gender", "month"))
    per_outlet = w.q("gender_per_source", f)
    w.fig(lambda: charts.gender_shares(per_outlet, "source", "Share of quotes by gender per outlet"))
    top = w.q("top_speakers_by_gender", f, 10)
    w.fig(lambda: charts.per_group_bars(top, "gender", "speaker", "quotes", "Most quoted women and men", 2))
    w.q("speaker_genders", f, 5000)


def compare_page(w: Work, f: Filters) -> None:
    # Speaker A against speaker B in the same months: the two most quoted people under the filter's
    # dates (the typical filter's speaker is the first), as "One side per speaker" makes them.
    people = w.data.top_speakers(f.with_(speakers=(), speaker_kinds=("person",)), 2)["speaker"]
    sides = tuple(f.with_(speakers=(p,)) for p in people)
    names = [f"{i}: {side.describe()}" for i, side in enumerate(sides)]
    series = w.q("compare_over_time", sides, "month", "articles")
    w.fig(lambda: charts.sides_over_time(series, "articles", "Articles over time", names, "month"))
    words_of = w.q("compare_terms", sides, 15, tuple(sorted(STOP_WORDS)), 300)
    w.q("compare_counts", sides)
    for query, label, value in (
        ("compare_top_speakers", "speaker", "quotes"),
        ("compare_top_entities", "entity", "articles"),
    ):
        top = w.q(query, sides, 10)
        for i in range(len(sides)):
            w.fig(
                lambda i=i, top=top, label=label, value=value: charts.bars(top[top["side"] == i], label, value, "Top")
            )
    terms = words_of[words_of["list"] == "frequent"]
    for i in range(len(sides)):
        mine = terms[terms["side"] == i]
        cloud = dict(list(without_stop_words(dict(zip(mine["term"], mine["count"]))).items())[:120])
        if cloud:
            w.fig(lambda cloud=cloud: to_png(render(cloud, 560, 340)))


def word_page(search: str) -> Callable[[Work, Filters], None]:
    """The Word over time page for one search (its default view: no split, the context table)."""

    def run(w: Work, f: Filters) -> None:
        rates = w.q("word_over_time", f, search, "month")
        w.fig(lambda: charts.rates(rates, f"Articles per 1,000 using {search}", "month"))
        w.q("word_contexts", f, search, 500)

    return run


PAGES: dict[str, Callable[[Work, Filters], None]] = {
    "Overview": overview,
    "Speakers and quotes": speakers_page,
    "Entities": entities_page,
    "Topics": topics_page,
    "Word clouds": wordclouds_page,
    "Articles": articles_page,
    "Extraction health": health_page,
    "Compare": compare_page,
    "Word (one word)": word_page("oil"),
    "Word (a phrase)": word_page('"interest rates"'),
    # No pandas baseline for these (yet): DuckDB times only.
    "Outlets": outlets_page,
    "Gender of sources": gender_page,
}


# --- measuring ---------------------------------------------------------------------------------
def typical_filter(con) -> Filters:
    """The three calendar months with most articles, and the person quoted most in them."""
    months = dict(
        con.execute("""
        SELECT date_trunc('month', date)::DATE AS m, count(*) AS n FROM articles WHERE date IS NOT NULL
        GROUP BY m""").fetchall()
    )

    def window(first: dt.date) -> tuple[dt.date, dt.date]:
        return first, (pd.Timestamp(first) + pd.offsets.MonthEnd(3)).date()  # three calendar months

    # Months without articles still count as calendar months, so the window is never wider.
    start, end = window(
        max(sorted(months), key=lambda m: sum(n for d, n in months.items() if window(m)[0] <= d <= window(m)[1]))
    )
    row = con.execute(
        """
        SELECT q.speaker FROM quotes q JOIN articles a USING (article_id)
        WHERE a.date BETWEEN ? AND ? AND q.speaker IS NOT NULL AND q.speaker_kind = 'person'
        GROUP BY q.speaker ORDER BY count(*) DESC, q.speaker LIMIT 1""",
        [start, end],
    ).fetchone()
    return Filters(start=start, end=end, speakers=(row[0],) if row else ())


def load_tables(store_dir: Path, manifest: dict, names) -> dict[str, pd.DataFrame]:
    """Tables read from Parquet into pandas, dates as datetime64 (as the baseline filters them)."""
    tables = {name: store.read_table(store_dir, name, manifest) for name in names}
    if "articles" in tables:
        tables["articles"]["date"] = pd.to_datetime(tables["articles"]["date"])
    return tables


def timed(run: Callable[[], Work], repeat: int) -> tuple[float, Work]:
    """Median wall time of `repeat` runs, and the last run's Work with median data and figure times."""
    seconds, works = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        works.append(run())
        seconds.append(time.perf_counter() - start)
    work = works[-1]
    work.data_s = statistics.median(w.data_s for w in works)
    work.figure_s = statistics.median(w.figure_s for w in works)
    return statistics.median(seconds), work


def main(argv: list[str] | None = None) -> int:
    """Print per page: seconds of DuckDB work, of the pandas baselines, and their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=default_store())
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the median is shown")
    parser.add_argument("--start", type=dt.date.fromisoformat)
    parser.add_argument("--end", type=dt.date.fromisoformat)
    parser.add_argument("--speaker", action="append", default=[])
    parser.add_argument("--baseline", choices=("both", "read", "memory", "none"), default="both")
    parser.add_argument("--baseline-repeat", type=int, help="runs per baseline measurement (default: --repeat)")
    parser.add_argument("--page", action="append", default=[], choices=list(PAGES), help="only these pages")
    args = parser.parse_args(argv)
    base_repeat = args.baseline_repeat or args.repeat

    manifest = store.read_manifest(args.store)
    start = time.perf_counter()
    con = store.connect(args.store)
    connect_s = time.perf_counter() - start
    f = typical_filter(con)
    if args.start or args.end or args.speaker:
        f = f.with_(start=args.start or f.start, end=args.end or f.end, speakers=args.speaker or f.speakers)
    all_names = sorted({n for names in PAGE_TABLES.values() for n in names})
    start = time.perf_counter()
    in_memory = (
        PandasData(load_tables(args.store, manifest, all_names)) if args.baseline in ("both", "memory") else None
    )
    load_s = time.perf_counter() - start
    rows = manifest.get("rows", {})

    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
        "(other processes compete for the CPUs when it is above 0)"
    )
    print(
        f"store: {args.store} ({rows.get('articles', '?'):,} articles, {rows.get('quotes', '?'):,} quotes, "
        f"{rows.get('entities', '?'):,} entity rows, {rows.get('terms', '?'):,} term rows)"
    )
    print(
        f"one-off: DuckDB opens the store's views in {connect_s:.2f} s (cached by the server); "
        + (f"pandas reads all tables in {load_s:.2f} s" if in_memory else "no in-memory pandas baseline")
    )
    print(
        f"median of {args.repeat} runs; 'duckdb' = queries, 'figures' = Plotly figures built and serialised "
        "and word clouds rendered to PNG, 'page' = both"
    )
    worst = 0.0
    for label, filters in (("typical filter", f), ("no filter (a first visit)", Filters())):
        print(f"\n{label}: {filters.describe()}")
        header = (
            f"{'page':<20} {'duckdb':>7} {'figures':>7} {'page':>7}   {'pandas+read':>11} {'ratio':>6}"
            f"   {'pandas mem':>10} {'ratio':>6}   {'<0.5 s':>6}  {'rows':<5} slowest query"
        )
        print(header)
        print("-" * len(header))
        for name, page in PAGES.items():
            if args.page and name not in args.page:
                continue
            page(Work(DuckData(con)), filters)  # warm-up: DuckDB plans, imports, font loading
            duck_s, duck = timed(lambda page=page, filters=filters: _run(page, DuckData(con), filters), args.repeat)
            read_s = mem_s = float("nan")
            pandas_work = None
            baseline = name in PAGE_TABLES  # the pages added since have no pandas replay
            if baseline and args.baseline in ("both", "read"):
                read_s, pandas_work = timed(
                    lambda page=page, name=name, filters=filters: _run(
                        page, PandasData(load_tables(args.store, manifest, PAGE_TABLES[name])), filters
                    ),
                    base_repeat,
                )
            if baseline and in_memory is not None:
                mem_s, pandas_work = timed(
                    lambda page=page, filters=filters: _run(page, in_memory, filters), base_repeat
                )
            rows_ok = "-"
            if pandas_work is not None:
                same = [a == b for a, b in zip(duck.frames, pandas_work.frames)]
                rows_ok = (
                    "same"
                    if all(same) and len(duck.frames) == len(pandas_work.frames)
                    else "DIFFER: " + ", ".join(f"{a}" for a, ok in zip(duck.frames, same) if not ok)
                )
            worst = max(worst, duck_s)
            print(
                f"{name:<20} {duck.data_s:>7.3f} {duck.figure_s:>7.3f} {duck_s:>7.3f}   {_seconds(read_s, 11)} "
                f"{_ratio(read_s, duck_s)}   {_seconds(mem_s, 10)} {_ratio(mem_s, duck_s)}   "
                f"{'yes' if duck_s < TARGET_SECONDS else 'NO':>6}  {rows_ok:<5} "
                f"{duck.slowest[1]} {duck.slowest[0]:.3f}"
            )
    print(f"\nslowest page: {worst:.3f} s (target {TARGET_SECONDS} s); load average at end {os.getloadavg()[0]:.1f}")
    return 0 if worst < TARGET_SECONDS else 1


def _seconds(value: float, width: int) -> str:
    return f"{'n/a':>{width}}" if value != value else f"{value:>{width}.3f}"  # nan: not measured


def _ratio(baseline: float, duck: float) -> str:
    return f"{'':>6}" if baseline != baseline else f"{baseline / duck:>5.1f}x"


def _run(page: Callable[[Work, Filters], None], data, f: Filters) -> Work:
    work = Work(data)
    page(work, f)
    return work


if __name__ == "__main__":
    sys.exit(main())

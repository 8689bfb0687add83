"""Do the tests notice when a promise breaks? Apply one deliberate bug at a time and run the tests meant to catch it.

    python bench/mutations.py [--only NAME ...] [--list] [--no-baseline]

Each entry of MUTATIONS below replaces one exact piece of code (`old`, which must occur exactly
once in `file`) by a broken version (`new`) in a temporary copy of the project, runs the entry's
tests there with this Python (`pytest -x -q -p no:cacheprovider`), and reports the mutation
"caught" when they fail, "SURVIVED" when they pass. The exit code is 1 when any survived, 2 when
the list itself is stale (an `old` that is not found exactly once, after a refactor) or the tests
fail before any mutation. Add an entry for each promise the README or docs make.

The copy sits in a temporary folder beside a symlink `shared` to the real ../shared, so tests
that read the shared corpora find them as they do in the real tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPY_IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "artifacts", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info"
)
EXCLUDED = ("data/store",)  # generated stores can be large and are no part of the code
TIMEOUT_SECONDS = 900


@dataclass(frozen=True)
class Mutation:
    """One deliberate bug: in `file`, `old` (exactly once) becomes `new`; `tests` must then fail."""

    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]


PAGES = "tests/app/test_pages.py"

MUTATIONS: tuple[Mutation, ...] = (
    # --- downloads (dashboard/export.py, dashboard/ui/widgets.py) ---------------------------------
    Mutation(
        "csv-formula-cells-not-neutralised",
        "dashboard/export.py",
        """        return "'" + value""",
        """        return value""",
        ("tests/test_export.py",),
    ),
    Mutation(
        "csv-header-not-neutralised",
        "dashboard/export.py",
        "writer.writerow([neutralise(c) for c in reader.schema.names])",
        "writer.writerow(list(reader.schema.names))",
        ("tests/test_export.py",),
    ),
    Mutation(
        "csv-without-bom",
        "dashboard/export.py",
        "out.write(codecs.BOM_UTF8)",
        "pass",
        ("tests/test_export.py",),
    ),
    Mutation(
        "csv-loses-the-filter-description",
        "dashboard/export.py",
        "writer.writerow([_comment(description)])",
        'writer.writerow(["#"])',
        ("tests/test_export.py",),
    ),
    Mutation(
        "json-neutralises-values",
        "dashboard/export.py",
        "text = json.dumps(dict(zip(columns, row)), ensure_ascii=False, indent=1, allow_nan=False)",
        "text = json.dumps(dict(zip(columns, (neutralise(v) for v in row))), ensure_ascii=False, indent=1, allow_nan=False)",
        ("tests/test_export.py",),
    ),
    Mutation(
        "excel-rows-past-the-sheet-limit-lost",
        "dashboard/export.py",
        "            if written == EXCEL_MAX_ROWS:\n",
        "            if sheet is None:\n",
        ("tests/test_export.py",),
    ),
    Mutation(
        "excel-keeps-overlong-cells",
        "dashboard/export.py",
        'return value if len(value) <= EXCEL_MAX_CELL else value[: EXCEL_MAX_CELL - 1] + "\\u2026"',
        "return value",
        ("tests/test_export.py",),
    ),
    Mutation(
        "download-name-keeps-path-characters",
        "dashboard/export.py",
        'return re.sub(r"[^a-z0-9]+", "-", ascii_view.lower()).strip("-")[:60].strip("-") or "export"',
        'return ascii_view.lower()[:60] or "export"',
        ("tests/test_export.py",),
    ),
    Mutation(
        "downloads-capped-to-the-shown-rows",
        "dashboard/ui/widgets.py",
        "data=lambda fn=to_bytes: fn(everything(), description),",
        "data=lambda fn=to_bytes: fn(frame, description),",
        ("tests/app/test_downloads.py",),
    ),
    Mutation(
        "query-table-never-fetches-all-rows",
        "dashboard/ui/widgets.py",
        "everything = full.frame if full is not None and rows > len(frame) else lambda: frame",
        "everything = lambda: frame  # noqa: E731",
        ("tests/app/test_downloads.py",),
    ),
    # --- filters (dashboard/filters.py) --------------------------------------------------------
    Mutation(
        "end-date-exclusive",
        "dashboard/filters.py",
        'clauses.append(f"{alias}.date <= ?")\n            params.append(self.end)\n        if self.sources:',
        'clauses.append(f"{alias}.date < ?")\n            params.append(self.end)\n        if self.sources:',
        ("tests/test_filters.py",),
    ),
    Mutation(
        "start-date-exclusive",
        "dashboard/filters.py",
        'params: list = []\n        if self.start:\n            clauses.append(f"{alias}.date >= ?")',
        'params: list = []\n        if self.start:\n            clauses.append(f"{alias}.date > ?")',
        ("tests/test_filters.py",),
    ),
    Mutation(
        "links-lose-entities-and-topics",
        "dashboard/filters.py",
        'for name in ("speakers", "entities", "entity_labels", "topics", "speaker_kinds", "speaker_genders"):',
        'for name in ("speakers", "entity_labels", "speaker_kinds", "speaker_genders"):',
        ("tests/test_filters.py", f"{PAGES}::test_links_to_articles_keep_every_filter"),
    ),
    Mutation(
        "search-text-wildcards-not-escaped",
        "dashboard/filters.py",
        'return text.replace("\\\\", "\\\\\\\\").replace("%", "\\\\%").replace("_", "\\\\_")',
        "return text",
        ("tests/test_filters.py",),
    ),
    Mutation(
        "search-text-case-sensitive",
        "dashboard/filters.py",
        "return f\"{column} ILIKE ? ESCAPE '\\\\'\", [like]",
        "return f\"{column} LIKE ? ESCAPE '\\\\'\", [like]",
        ("tests/test_filters.py",),
    ),
    Mutation(
        "different-filters-combine-with-or",
        "dashboard/filters.py",
        '            params.extend(values)\n        return (" AND ".join(clauses) or "TRUE"), params',
        '            params.extend(values)\n        return (" OR ".join(clauses) or "TRUE"), params',
        ("tests/test_filters.py",),
    ),
    Mutation(
        "quote-rows-not-narrowed-to-the-chosen-speakers",
        "dashboard/filters.py",
        'return f"{sql} AND {rows}", [*params, *row_params]',
        "return sql, params",
        ("tests/test_filters.py", "tests/test_queries.py"),
    ),
    Mutation(
        "url-keeps-unknown-entity-types",
        "dashboard/filters.py",
        'entity_labels=tuple(v for v in many("entity_labels") if v in ENTITY_LABELS),',
        'entity_labels=many("entity_labels"),',
        ("tests/test_filters.py",),
    ),
    Mutation(
        "description-joins-choices-with-and",
        "dashboard/filters.py",
        '", ".join(values[:-1]) + " or " + values[-1]',
        '", ".join(values[:-1]) + " and " + values[-1]',
        ("tests/test_filters.py",),
    ),
    Mutation(
        "date-presets-one-day-too-long",
        "dashboard/ui/sidebar.py",
        "return max(first, last - dt.timedelta(days=days[preset] - 1)), last",
        "return max(first, last - dt.timedelta(days=days[preset])), last",
        ("tests/app/test_sidebar.py",),
    ),
    # --- ingest (dashboard/ingest.py) and the CLI (dashboard/cli.py) -----------------------------
    Mutation(
        "unsupported-files-silently-dropped",
        "dashboard/ingest.py",
        "                else:\n                    yield Reject(",
        "                elif False:\n                    yield Reject(",
        ("tests/test_ingest.py",),
    ),
    Mutation(
        "body-over-a-million-characters-accepted",
        "dashboard/ingest.py",
        "if len(body) > MAX_BODY_CHARS:",
        "if False:",
        ("tests/test_ingest.py",),
    ),
    Mutation(
        "body-limit-off-by-one",
        "dashboard/ingest.py",
        "if len(body) > MAX_BODY_CHARS:",
        "if len(body) >= MAX_BODY_CHARS:",
        ("tests/test_ingest.py",),
    ),
    Mutation(
        "text-file-size-limit-removed",
        "dashboard/ingest.py",
        "    if size > limit:",
        "    if False:",
        ("tests/test_ingest.py",),
    ),
    Mutation(
        "no-windows-1252-fallback",
        "dashboard/ingest.py",
        'for encoding in ("utf-8", "cp1252") if codec == "utf-8" else (codec,):',
        'for encoding in ("utf-8",) if codec == "utf-8" else (codec,):',
        ("tests/test_ingest.py",),
    ),
    Mutation(
        "rejects-command-lists-nothing",
        "dashboard/cli.py",
        'print(f"{row.file}\\t{row.where}\\t{row.reason}")',
        "pass",
        ("tests/test_preprocess.py::test_rejects_are_stored_and_listed",),
    ),
    Mutation(
        "nothing-readable-exits-zero",
        "dashboard/cli.py",
        '            print(f"  {reject.file}\\t{reject.where}\\t{reject.reason}", file=sys.stderr)\n        return 1',
        '            print(f"  {reject.file}\\t{reject.where}\\t{reject.reason}", file=sys.stderr)\n        return 0',
        ("tests/test_preprocess.py::test_nothing_readable_exits_nonzero_and_keeps_the_store",),
    ),
    Mutation(
        "names-command-does-not-recount",
        "dashboard/cli.py",
        "manifest = preprocess.recount_names(args.store or default_store())",
        "manifest = store.read_manifest(args.store or default_store())",
        ("tests/test_preprocess.py::test_names_command_applies_a_user_alias_and_recounts_entities",),
    ),
    # --- quotes on outlets the rules were not tuned on (dashboard/nlp/quotes/, issue 10) ----------
    Mutation(
        "acronym-not-expanded",
        "dashboard/nlp/quotes/attribution.py",
        'return Speaker(ctx.acronyms.get(entry[0], entry[0]), None, "organisation", "name")',
        'return Speaker(entry[0], None, "organisation", "name")',
        ("tests/nlp/test_quotes_unseen.py",),
    ),
    Mutation(
        "dateline-agency-taken-for-a-short-form",
        "dashboard/nlp/quotes/context.py",
        'if entry and entry[1] != "PERSON" and _spells(match.group(1), entry[0]):',
        'if entry and entry[1] != "PERSON":',
        ("tests/nlp/test_quotes_unseen.py",),
    ),
    Mutation(
        "outlet-after-a-quotation-speaks",
        "dashboard/nlp/quotes/attribution.py",
        "cand.source is None or (cand.rule == Rule.ACCORDING_TO and ctx.lexicons.is_outlet(speaker.name))",
        "cand.source is None",
        ("tests/nlp/test_quotes_unseen.py",),
    ),
    Mutation(
        "page-furniture-kept",
        "dashboard/nlp/quotes/__init__.py",
        "inside = ctx.furniture.covers",
        "inside = {}.get",
        ("tests/nlp/test_quotes_unseen.py",),
    ),
    Mutation(
        "follow-on-quote-loses-its-speaker",
        "dashboard/nlp/quotes/attribution.py",
        "            speaker = previous_speaker(ctx, cand, evidence)\n",
        "            speaker = NO_SPEAKER\n",
        ("tests/nlp/test_quotes_unseen.py", "tests/nlp/test_quotes.py"),
    ),
    Mutation(
        "untagged-surname-not-a-name",
        "dashboard/nlp/quotes/attribution.py",
        '(head.pos_ == "PROPN" or _untagged_name(ctx, head) or given)',
        '(head.pos_ == "PROPN" or given)',
        ("tests/nlp/test_quotes_unseen.py",),
    ),
    Mutation(
        "plural-surname-not-a-name",
        "dashboard/nlp/quotes/attribution.py",
        '(head.pos_ == "PROPN" or _untagged_name(ctx, head) or given)',
        '(head.pos_ == "PROPN" or _untagged_name(ctx, head))',
        ("tests/nlp/test_quotes_unseen.py",),
    ),
    Mutation(
        "speaker-filter-reads-the-quotes",
        "dashboard/filters.py",
        '(self.speakers, "speaker_articles", "speaker")',
        '(self.speakers, "quotes", "speaker")',
        ("tests/test_rollups.py",),
    ),
    Mutation(
        "no-term-index",
        "dashboard/store.py",
        'view("term_index", read_files("terms", index, extra=("date",)) if complete else "SELECT * FROM terms")',
        'view("term_index", "SELECT * FROM terms")',
        ("tests/test_rollups.py",),
    ),
    Mutation(
        "topics-table-lists-no-topics",
        "dashboard/queries.py",
        "FROM topic_articles t SEMI JOIN fa ON fa.article_id = t.article_id AND fa.date = t.date GROUP BY t.article_id",
        "FROM topic_articles t SEMI JOIN fa ON fa.article_id = t.article_id AND fa.date = t.date + 1 GROUP BY t.article_id",
        ("tests/test_rollups.py",),
    ),
    Mutation(
        "pronoun-ignores-gender",
        "dashboard/nlp/quotes/attribution.py",
        "return (known(name) or wanted) == wanted",
        "return True",
        ("tests/nlp/test_quote_stages.py",),
    ),
    Mutation(
        "health-pairs-inside-a-quote-not-counted",
        "dashboard/queries.py",
        "+ {_MARKS_IN_QUOTE} // 2 AS pairs",
        "+ 0 AS pairs",
        ("tests/app/test_health_by_outlet.py",),
    ),
    Mutation(
        "ggt-rule-accepts-thirty-percent",
        "dashboard/evaluate/quotes.py",
        "return c > t if ggt else c >= t",
        "return c >= t",
        ("tests/evaluate/test_quote_scorer.py",),
    ),
    # --- names and aliases (dashboard/nlp/speakers.py) -------------------------------------------
    Mutation(
        "alias-chains-not-followed",
        "dashboard/nlp/speakers.py",
        "followed = {variant: _follow(raw, variant) for variant in raw}",
        "followed = dict(raw)",
        ("tests/nlp/test_speakers.py",),
    ),
    Mutation(
        "aliases-ignored",
        "dashboard/nlp/speakers.py",
        "coalesce(raw.canonical, via.canonical, m.merged, a.name) AS canonical",
        "coalesce(m.merged, a.name) AS canonical",
        ("tests/nlp/test_speakers.py",),
    ),
    Mutation(
        "bare-surname-joins-without-a-dominant-full-name",
        "dashboard/nlp/speakers.py",
        "WHEN o.best IS NOT NULL AND o.best_n >= ? * o.total AND o.best_articles >= ? THEN o.best",
        "WHEN o.best IS NOT NULL AND o.best_n >= 0 * ? * o.total AND o.best_articles >= ? THEN o.best",
        ("tests/nlp/test_speakers.py",),
    ),
    # --- what the pages show (dashboard/charts.py) -----------------------------------------------
    Mutation(
        "article-text-not-escaped",
        "dashboard/charts.py",
        "    out.append(html.escape(segment[last:]))",
        "    out.append(segment[last:])",
        ("tests/test_charts.py", f"{PAGES}::test_article_text_with_markup_is_shown_as_text"),
    ),
    Mutation(
        "chart-labels-not-escaped",
        "dashboard/charts.py",
        "return html.escape(str(text), quote=False)",
        "return str(text)",
        ("tests/test_charts.py",),
    ),
    # --- comparisons and a word over time (dashboard/comparison.py, queries.py, concordance.py) -----
    Mutation(
        "comparison-sides-share-one-set-of-parameters",
        "dashboard/comparison.py",
        'params[f"{letter}.{name}"] = value',
        "params[name] = value",
        ("tests/test_compare.py",),
    ),
    Mutation(
        "comparison-side-without-filters-lost",
        "dashboard/comparison.py",
        "params: dict[str, str | list[str]] = {COUNT: str(len(sides))} if sides else {}",
        "params: dict[str, str | list[str]] = {}",
        ("tests/test_compare.py",),
    ),
    Mutation(
        "keyness-others-include-the-side",
        "dashboard/queries.py",
        "c.y AS y_i, p.a - c.y AS y_j,",
        "c.y AS y_i, p.a AS y_j,",
        ("tests/test_compare.py",),
    ),
    Mutation(
        "word-rate-not-per-1000-articles",
        "dashboard/queries.py",
        "1000.0 * count(*) FILTER (WHERE hit) / count(*) AS per_1000",
        "1000.0 * count(*) FILTER (WHERE hit) / 1000 AS per_1000",
        ("tests/test_words.py",),
    ),
    Mutation(
        "context-matches-inside-longer-words",
        "dashboard/concordance.py",
        '_BEFORE, _AFTER = r"(?<![^\\W_])", r"(?![^\\W_])"',
        '_BEFORE, _AFTER = "", ""',
        ("tests/test_words.py",),
    ),
    # --- the store and runs (dashboard/store.py, dashboard/preprocess.py) --------------------------
    Mutation(
        "manifest-written-in-place",
        "dashboard/store.py",
        'tmp = store / f".{MANIFEST}.{uuid.uuid4().hex[:6]}.tmp"',
        "tmp = store / MANIFEST",
        ("tests/test_store_manifest.py",),
    ),
    Mutation(
        "name-map-not-applied-to-speakers",
        "dashboard/store.py",
        'f"coalesce({names}.canonical, {alias}.speaker_name) AS speaker" if c == "speaker"',
        'f"{alias}.speaker_name AS speaker" if c == "speaker"',
        ("tests/test_preprocess.py",),
    ),
    Mutation(
        "known-articles-annotated-again",
        "dashboard/preprocess.py",
        "fresh = [a for a in articles if a.article_id not in known]",
        "fresh = list(articles)",
        ("tests/test_preprocess_scale.py::test_one_new_article_annotates_it_alone_and_adds_one_part",),
    ),
    # --- outlets and gender (dashboard/ingest.py, dashboard/gender.py) ------------------------------
    Mutation(
        "outlet-filter-ignored",
        "dashboard/filters.py",
        'clauses.append(f"{alias}.source IN ({marks(self.sources)})")',
        'clauses.append(f"({alias}.source IN ({marks(self.sources)}) OR TRUE)")',
        ("tests/test_filters.py",),
    ),
    Mutation(
        "outlet-of-the-shallowest-path",
        "dashboard/ingest.py",
        "len(root.parts) > best[0]",
        "len(root.parts) < best[0]",
        ("tests/test_outlets.py",),
    ),
    Mutation(
        "pronoun-conflict-not-unknown",
        "dashboard/gender.py",
        "WHEN by_pronoun = 'conflict' OR by_honorific = 'conflict'",
        "WHEN by_honorific = 'conflict'",
        ("tests/test_gender.py",),
    ),
    Mutation(
        "census-name-beats-pronouns",
        "dashboard/gender.py",
        """             WHEN by_pronoun IS NOT NULL THEN 'pronoun'
             WHEN by_honorific IS NOT NULL THEN 'honorific'
             WHEN by_name IS NOT NULL THEN 'given name'""",
        """             WHEN by_name IS NOT NULL THEN 'given name'
             WHEN by_pronoun IS NOT NULL THEN 'pronoun'
             WHEN by_honorific IS NOT NULL THEN 'honorific'""",
        ("tests/test_gender.py",),
    ),
    Mutation(
        "organisations-gendered",
        "dashboard/gender.py",
        "CASE WHEN kind IS DISTINCT FROM 'person' THEN NULL",
        "CASE WHEN FALSE THEN NULL",
        ("tests/test_gender.py",),
    ),
    Mutation(
        "gender-corrections-not-re-applied",
        "dashboard/corpus.py",
        "sql = gender.speakers_sql(con, gender.read_corrections(gender.corrections_path(store_dir)))",
        "sql = gender.speakers_sql(con, {})",
        ("tests/test_gender.py", "tests/app/test_gender.py"),
    ),
    # --- rollups, segments, entity merges (dashboard/store.py, dashboard/queries.py) ---------------
    Mutation(
        "commit-derives-no-rollups",
        "dashboard/store.py",
        "        manifest = _derive(store, building, manifest)\n",
        "",
        ("tests/test_rollups.py",),
    ),
    Mutation(
        "unfiltered-top-speakers-misordered",
        "dashboard/queries.py",
        'f"SELECT speaker, kind, quotes, articles FROM speaker_counts ORDER BY {order}, speaker LIMIT ?"',
        'f"SELECT speaker, kind, quotes, articles FROM speaker_counts ORDER BY speaker LIMIT ?"',
        ("tests/test_rollups.py",),
    ),
    Mutation(
        "segments-drop-the-last-run",
        "dashboard/store.py",
        "    if run:\n        runs.append(run)\n    return runs",
        "    return runs",
        ("tests/test_rollups.py",),
    ),
    Mutation(
        "segments-unsorted",
        "dashboard/store.py",
        'f"COPY (SELECT * FROM ({rows}) ORDER BY {SEGMENT_ORDER[table]}) TO {sql_path(tmp)} "',
        'f"COPY (SELECT * FROM ({rows})) TO {sql_path(tmp)} "',
        ("tests/test_preprocess_scale.py::test_segments_keep_rows_in_date_order_so_a_date_filter_skips_row_groups",),
    ),
    Mutation(
        "row-date-end-off-by-one",
        "dashboard/filters.py",
        '            clauses.append(f"{alias}.date <= ?")\n            params.append(self.end)\n        return (',
        '            clauses.append(f"{alias}.date < ?")\n            params.append(self.end)\n        return (',
        ("tests/test_preprocess_scale.py::test_segments_keep_rows_in_date_order_so_a_date_filter_skips_row_groups",),
    ),
    Mutation(
        "speaker-entity-rollup-ranks-by-quotes",
        "dashboard/store.py",
        'f"SELECT speaker FROM speaker_counts ORDER BY articles DESC, speaker LIMIT {TOP_CROSS}"',
        'f"SELECT speaker FROM speaker_counts ORDER BY quotes DESC, speaker LIMIT {TOP_CROSS}"',
        ("tests/test_rollups.py",),
    ),
    Mutation(
        "entity-merges-missed",
        "dashboard/store.py",
        "GROUP BY x.article_id, coalesce(m.canonical, x.name), x.label HAVING count(*) > 1",
        "GROUP BY x.article_id, coalesce(m.canonical, x.name), x.label HAVING count(*) > 2",
        ("tests/test_store.py",),
    ),
    Mutation(
        "retag-recomputes-stored-vectors",
        "dashboard/corpus.py",
        "    if path.is_file():\n        return store.read_vectors(path)",
        "    if False:\n        return store.read_vectors(path)",
        ("tests/nlp/test_topics_embed.py::test_vectors_are_stored_per_part_and_a_description_edit_retags_from_them",),
    ),
    Mutation(
        "article-that-fits-no-topic-tagged-anyway",
        "dashboard/nlp/topics.py",
        "r, c = np.nonzero(chosen & fits[:, None])",
        "r, c = np.nonzero(chosen)",
        ("tests/nlp/test_topics_embed.py",),
    ),
    Mutation(
        "embedding-ignored-in-tags",
        "dashboard/nlp/topics.py",
        'z = float(settings["similarity_scale"]) * sims + ',
        "z = 0.0 * sims + ",
        ("tests/nlp/test_topics_embed.py",),
    ),
    Mutation(
        "prototypes-ignored",
        "dashboard/nlp/topics.py",
        "    if prototypes is None:\n        return centred_topics\n",
        "    return centred_topics\n",
        ("tests/nlp/test_topics_embed.py",),
    ),
    Mutation(
        "floor-judged-on-prototypes",
        "dashboard/nlp/topics.py",
        'fits = (described.max(axis=1) >= float(settings["similarity_floor"]))',
        'fits = (sims.max(axis=1) >= float(settings["similarity_floor"]))',
        ("tests/nlp/test_topics_embed.py",),
    ),
    Mutation(
        "prototypes-refitted-on-every-run",
        "dashboard/corpus.py",
        "    if _refit(record, taxonomy, articles):\n",
        "    if True:\n",
        ("tests/nlp/test_topics_embed.py",),
    ),
    Mutation(
        "contexts-stop-at-a-window-with-too-few-hits",
        "dashboard/queries.py",
        "        if articles is not None and len(rows) >= articles:",
        "        if articles is not None and len(rows) > 0:",
        ("tests/test_words.py",),
    ),
    Mutation(
        "editors-always-send-their-widgets",
        "dashboard/ui/editing.py",
        '    box = st.expander("Merge or rename speakers", key=SPEAKER_EDITOR, on_change="rerun")\n    if not box.open:\n        return\n',
        '    box = st.expander("Merge or rename speakers", key=SPEAKER_EDITOR, on_change="rerun")\n',
        (PAGES,),
    ),
    Mutation(
        "speakers-page-draws-both-tabs",
        "pages/speakers.py",
        "    if who_entity.open:\n",
        "    if True:\n",
        (PAGES,),
    ),
    Mutation(
        "topic-entity-rollup-counts-rows-not-articles",
        "dashboard/store.py",
        "per_article AS (SELECT topic, entity, article_id, sum(count)",
        "per_article AS (SELECT topic, entity, label, article_id, sum(count)",
        ("tests/test_rollups.py",),
    ),
)


def stale(mutations: tuple[Mutation, ...], root: Path = ROOT) -> list[str]:
    """Why some mutations no longer apply: their file is gone or `old` is not there exactly once."""
    problems = []
    names = [m.name for m in mutations]
    problems += [f"{n}: the name is used twice" for n in sorted({n for n in names if names.count(n) > 1})]
    for m in mutations:
        path = root / m.file
        if not path.is_file():
            problems.append(f"{m.name}: {m.file} does not exist")
            continue
        found = path.read_text(encoding="utf-8").count(m.old)
        if found != 1:
            problems.append(f"{m.name}: `old` occurs {found} times in {m.file} (must be exactly once): {m.old!r}")
        if m.old == m.new:
            problems.append(f"{m.name}: `new` equals `old`")
        if not m.tests:
            problems.append(f"{m.name}: no tests named")
    return problems


def copy_project(workdir: Path) -> Path:
    """workdir/project (the code, without .venv, .git, stores, artifacts) and workdir/shared -> the real ../shared."""
    project = workdir / "project"

    def ignore(folder: str, entries: list[str]) -> set[str]:
        skipped = set(COPY_IGNORE(folder, entries))
        relative = Path(folder).resolve().relative_to(ROOT)
        return skipped | {e for e in entries if (relative / e).as_posix() in EXCLUDED}

    shutil.copytree(ROOT, project, ignore=ignore, symlinks=True)
    shared = ROOT.parent / "shared"
    if shared.exists():
        (workdir / "shared").symlink_to(shared.resolve(), target_is_directory=True)
    return project


def run_tests(project: Path, tests: tuple[str, ...]) -> tuple[int, float, str]:
    """(pytest exit code, seconds, output tail) of `tests` run in `project`."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=project, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return -1, time.perf_counter() - started, f"timed out after {TIMEOUT_SECONDS} s"
    return done.returncode, time.perf_counter() - started, (done.stdout + done.stderr)[-2000:]


def check(mutation: Mutation, project: Path) -> tuple[str, float, str]:
    """Apply `mutation` in the copy, run its tests, restore the file; return (verdict, seconds, output)."""
    path = project / mutation.file
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(mutation.old, mutation.new, 1), encoding="utf-8")
    try:
        code, seconds, output = run_tests(project, mutation.tests)
    finally:
        path.write_text(original, encoding="utf-8")
    # 1: tests failed. 2 (interrupted, e.g. an import error) and a time-out also stop the bug from
    # passing; 0 means it passed; 4 and 5 mean the named tests were not found, a stale list.
    verdict = {0: "SURVIVED", 1: "caught", 2: "caught (interrupted)", -1: "caught (time-out)"}.get(
        code, f"ERROR (pytest exit {code})"
    )
    return verdict, seconds, output


def main(argv: list[str] | None = None) -> int:
    """Run the chosen mutations and print one line each; the exit code says whether all were caught."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this mutation (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip running the tests once unmutated first")
    args = parser.parse_args(argv)

    problems = stale(MUTATIONS)
    if problems:
        print("The mutation list is stale; fix these entries first:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    chosen = [m for m in MUTATIONS if not args.only or m.name in args.only]
    unknown = sorted(set(args.only or ()) - {m.name for m in MUTATIONS})
    if unknown:
        print(f"no such mutation: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if args.list:
        for m in chosen:
            print(f"{m.name:50} {m.file:28} {' '.join(m.tests)}")
        return 0

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsdash-mutations-") as tmp:
        project = copy_project(Path(tmp))
        if not args.no_baseline:
            tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
            code, seconds, output = run_tests(project, tests)
            print(f"{'baseline':9} {seconds:6.1f} s  the tests of these mutations, unmutated", flush=True)
            if code != 0:
                print(f"The tests fail without any mutation (pytest exit {code}):\n{output}", file=sys.stderr)
                return 2
        survived, errors = [], []
        for m in chosen:
            verdict, seconds, output = check(m, project)
            print(f"{verdict:9} {seconds:6.1f} s  {m.name}  ({m.file})", flush=True)
            if verdict != "caught" and not verdict.startswith("ERROR"):
                print(f"          {output.strip().splitlines()[-1] if output.strip() else ''}", flush=True)
            if verdict == "SURVIVED":
                survived.append(m.name)
            elif verdict.startswith("ERROR"):
                errors.append(m.name)
                print(output, file=sys.stderr)
    caught = len(chosen) - len(survived) - len(errors)
    print(
        f"{caught} of {len(chosen)} mutations caught, {len(survived)} survived"
        + (f", {len(errors)} errors" if errors else "")
        + f"; {time.perf_counter() - started:.0f} s"
    )
    if survived:
        print("survived: " + ", ".join(survived))
    return 2 if errors else (1 if survived else 0)


if __name__ == "__main__":
    sys.exit(main())

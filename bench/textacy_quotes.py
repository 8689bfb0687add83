"""textacy's `direct_quotations` through the same quote scorer as `evaluate quotes`, for comparison.

textacy is not a project dependency: install it in a throwaway virtual environment, never into
the project's environment or requirements, and run this script with that interpreter while the
project's own packages come first on the path:

    python -m venv --system-site-packages /tmp/textacy-venv
    /tmp/textacy-venv/bin/pip install textacy==0.13.0
    PYTHONPATH=/work/venv/lib/python3.11/site-packages /tmp/textacy-venv/bin/python \\
        bench/textacy_quotes.py --gold ../shared/corpora/polnear/dev

(PYTHONPATH names the site-packages of the project's environment, wherever that is.)

Both systems parse the same texts with the same spaCy model (title + blank line + body, as
preprocess does). textacy raises on some articles (unbalanced quotation marks, stray
apostrophes); those articles count as having no predicted quotes, and the number is printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.evaluate.quotes import (  # noqa: E402 - after the sys.path line above
    Predicted,
    default_pronoun_sources,
    format_scores,
    load_gold,  # noqa: E402
    score,
    write_report,
)
from dashboard.nlp.model import load_model  # noqa: E402
from dashboard.preprocess import doc_text  # noqa: E402


def textacy_predictions(articles, model: str | None = None):
    """Predicted quotes per gold article from textacy's direct_quotations, and the articles it failed on."""
    from textacy.extract.triples import direct_quotations

    nlp = load_model(model)
    texts = [doc_text(a.title, a.body) for a in articles]
    predictions, failed = {}, []
    for article, (_, body_start), doc in zip(articles, texts, nlp.pipe(t for t, _ in texts)):
        found = []
        try:
            for speaker, _cue, content in direct_quotations(doc):
                start, end = content.start_char, content.end_char
                if start < body_start:
                    continue
                name = " ".join(t.text for t in speaker) or None
                offset = article.body_offset - body_start
                found.append(Predicted(start + offset, end + offset, name, "textacy", None, content.text))
        except Exception as err:  # noqa: BLE001 - textacy raises ValueError and others on text it cannot pair up
            failed.append(f"{article.name}: {type(err).__name__}: {err}")
        predictions[article.name] = found
    return predictions, failed


def main(argv: list[str] | None = None) -> int:
    """Score textacy on the gold and print the same figures as `evaluate quotes`."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "corpora" / "polnear" / "dev")
    parser.add_argument("--report", type=Path, default=None, help="also write the per-article error report here")
    parser.add_argument("--model", default=None)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    try:
        import textacy
    except ImportError:
        print("textacy is not installed here; see this script's docstring for a throwaway venv", file=sys.stderr)
        return 2
    articles = load_gold(args.gold, args.limit, default_pronoun_sources())  # the same gold as evaluate quotes
    predictions, failed = textacy_predictions(articles, args.model)
    scores = score(articles, predictions)
    print(f"textacy {textacy.__version__} direct_quotations on {len(articles)} gold articles from {args.gold}")
    print(f"articles where textacy raised (scored with no quotes): {len(failed)}")
    for line in failed[:10]:
        print(f"  {line[:160]}")
    print(format_scores(scores))
    if args.report:
        write_report(scores, articles, args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

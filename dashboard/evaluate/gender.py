"""Score the inferred gender of speakers against hand labels.

`python -m dashboard evaluate gender --labels data/gender_labels.tsv --store CORPUS=DIR [--store CORPUS=DIR ...]`

Labels: a TSV with columns `corpus`, `speaker` (the store's canonical name), `label` (`female`,
`male`, `unknown`: the labeller could not tell, or `none`: not a person, e.g. a company the
extractor took for one) and `reason`. Each `--store` names the store whose `speakers` table is
judged for the labels of that corpus. A speaker the store does not hold is reported, not scored.

Figures: precision of `female` and of `male` (of the speakers given that gender, the share the
labeller gave it too; a gender given to a non-person counts as wrong), the share of speakers left
`unknown` (or given no gender), and the confusion table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

LABELS = ("female", "male", "unknown", "none")


def read_labels(path: str | Path) -> pd.DataFrame:
    """The hand labels; ValueError when a column or a label is not as documented."""
    labels = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    missing = {"corpus", "speaker", "label"} - set(labels.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {sorted(missing)}")
    wrong = sorted(set(labels["label"]) - set(LABELS))
    if wrong:
        raise ValueError(f"{path}: labels must be one of {LABELS}, not {wrong}")
    return labels


def judged(labels: pd.DataFrame, stores: dict[str, Path]) -> pd.DataFrame:
    """The labels with each speaker's inferred gender (`predicted`: female, male, unknown; NaN when absent)."""
    from dashboard import store

    frames = []
    for corpus, rows in labels.groupby("corpus", sort=False):
        if corpus not in stores:
            raise ValueError(f"no --store given for corpus {corpus!r}")
        con = store.connect(stores[corpus])
        inferred = con.execute(
            "SELECT speaker, coalesce(gender, 'unknown') AS predicted, decided_by FROM speakers"
        ).df()
        frames.append(rows.merge(inferred, on="speaker", how="left"))
    return pd.concat(frames, ignore_index=True)


def scores(frame: pd.DataFrame) -> dict[str, float]:
    """Precision per gender, the share left unknown, and the counts behind them."""
    held = frame[frame["predicted"].notna()]
    out: dict[str, float] = {"speakers": len(held), "not_found": int(frame["predicted"].isna().sum())}
    for gender in ("female", "male"):
        given = held[held["predicted"] == gender]
        out[f"{gender}_given"] = len(given)
        out[f"{gender}_precision"] = (given["label"] == gender).mean() if len(given) else float("nan")
        labelled = held[held["label"] == gender]
        out[f"{gender}_recall"] = (labelled["predicted"] == gender).mean() if len(labelled) else float("nan")
    out["unknown_share"] = (held["predicted"] == "unknown").mean() if len(held) else float("nan")
    people = held[held["label"].isin(("female", "male"))]
    out["unknown_share_of_gendered_people"] = (people["predicted"] == "unknown").mean() if len(people) else float("nan")
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `evaluate gender`."""
    parser.add_argument("--labels", type=Path, required=True, help="TSV corpus, speaker, label, reason")
    parser.add_argument(
        "--store",
        action="append",
        default=[],
        metavar="CORPUS=DIR",
        required=True,
        help="the store judged for a corpus's labels (repeat per corpus)",
    )


def _print(name: str, frame: pd.DataFrame) -> None:
    s = scores(frame)
    print(f"\n{name}: {s['speakers']} labelled speakers found in the store ({s['not_found']} not found)")
    for gender in ("female", "male"):
        print(
            f"  {gender:<7} precision {s[f'{gender}_precision']:.3f} (of {s[f'{gender}_given']} given), "
            f"recall {s[f'{gender}_recall']:.3f}"
        )
    print(
        f"  unknown: {s['unknown_share']:.1%} of all labelled speakers, "
        f"{s['unknown_share_of_gendered_people']:.1%} of those the labeller could gender"
    )
    table = pd.crosstab(frame["label"], frame["predicted"].fillna("(absent)"), margins=True)
    print("  labelled (rows) by inferred (columns):")
    print("\n".join("    " + line for line in table.to_string().splitlines()))
    people = frame[frame["label"].isin(("female", "male")) & frame["predicted"].notna()]
    counts = people["decided_by"].fillna("organisation").value_counts()
    print("  decided by (labelled people): " + ", ".join(f"{k} {v}" for k, v in counts.items()))


def run(args: argparse.Namespace) -> int:
    """Print the figures per corpus and overall; 1 on bad input."""
    from dashboard import store

    try:
        stores = {}
        for value in args.store:
            corpus, sep, path = value.partition("=")
            if not sep:
                raise ValueError(f"--store {value!r}: expected CORPUS=DIR")
            stores[corpus] = Path(path)
        frame = judged(read_labels(args.labels), stores)
    except (OSError, ValueError, store.StoreError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for corpus, rows in frame.groupby("corpus", sort=False):
        _print(corpus, rows)
    _print("all", frame)
    missing = frame[frame["predicted"].isna()]
    if len(missing):
        print("\nnot in the store:", ", ".join(missing["speaker"]))
    return 0

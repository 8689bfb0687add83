"""Write PolNeAR's articles in the seed format, one folder per outlet, for a multi-outlet store.

PolNeAR (Newell, Margolin & Ruths, LREC 2018) names each file `<outlet>_<date>_<slug>.txt`, with the
title on the first line and the body after it. This writes `OUT/<outlet>/<file>` as
`date YYYY-MM-DD title`, a blank line, the body, and prints the `--source NAME=PATH` options that
name each folder's outlet, one a line (outlet names hold spaces):

    python bench/polnear_outlets.py /tmp/polnear-seed | xargs -d '\n' python -m dashboard preprocess --out DIR

The copies are for local runs only: never commit them (the articles belong to their publishers).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "polnear"
_NAME = re.compile(r"^(?P<outlet>[a-z-]+)_(?P<date>\d{4}-\d{2}-\d{2})_")
OUTLETS = {
    "breitbart": "Breitbart",
    "huff-post": "HuffPost",
    "nyt": "New York Times",
    "politico": "Politico",
    "usa-today": "USA Today",
    "wash-post": "Washington Post",
    "west-journal": "Western Journal",
}


def convert(out: Path, splits: tuple[str, ...] = ("train", "dev")) -> dict[str, Path]:
    """Write the seed-format copies; return outlet name -> its folder."""
    folders: dict[str, Path] = {}
    for split in splits:
        for path in sorted((CORPUS / split / "text").glob("*.txt")):
            match = _NAME.match(path.name)
            if not match:
                continue
            title, _, body = path.read_text(encoding="utf-8").partition("\n")
            name = OUTLETS.get(match["outlet"], match["outlet"])
            folder = folders.setdefault(name, out / match["outlet"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / path.name).write_text(
                f"date {match['date']} {title.strip()}\n\n{body.strip()}\n", encoding="utf-8"
            )
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    for name, folder in convert(args.out).items():
        print(f"--source={name}={folder}")


if __name__ == "__main__":
    main()

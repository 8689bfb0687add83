"""Where things live: paths come from here (or the environment), never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = PROJECT_ROOT / "seeds"
STORE_ENV = "NEWSDASH_STORE"
ALIASES_FILE = "aliases.tsv"
TAXONOMY_FILE = "taxonomy.toml"
EXPORTS_DIR = "exports"
LARGE_EXPORT_ENV = "NEWSDASH_LARGE_EXPORT_ROWS"
# Above this many rows a download is written to a file under the store's exports/ folder first
# (docs/dashboard.md, "Tables and downloads", says why this number).
LARGE_EXPORT_ROWS = 100_000


def default_store() -> Path:
    """The store to open: $NEWSDASH_STORE if set, else data/store in the project."""
    return Path(os.environ.get(STORE_ENV) or PROJECT_ROOT / "data" / "store")


def user_aliases(store_dir: str | Path) -> Path:
    """The user's alias file for a store; it lives beside the snapshots so rebuilds keep it."""
    return Path(store_dir) / ALIASES_FILE


def user_taxonomy(store_dir: str | Path) -> Path:
    """The user's edited taxonomy for a store (absent: the shipped default is used)."""
    return Path(store_dir) / TAXONOMY_FILE


def taxonomy_for_store(store_dir: str | Path) -> Path | None:
    """The taxonomy a store uses: the user's edited copy beside it, else None (the shipped one)."""
    path = user_taxonomy(store_dir)
    return path if path.is_file() else None


def exports_dir(store_dir: str | Path) -> Path:
    """The store's folder of prepared export files (large downloads), beside the snapshots."""
    return Path(store_dir) / EXPORTS_DIR


def large_export_rows() -> int:
    """Rows above which a download is prepared as a file: $NEWSDASH_LARGE_EXPORT_ROWS, else LARGE_EXPORT_ROWS."""
    value = os.environ.get(LARGE_EXPORT_ENV, "").strip()
    return int(value) if value else LARGE_EXPORT_ROWS

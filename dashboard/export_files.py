"""Prepared export files: large downloads written to disk under the store's `exports/` folder.

Layout: `exports/<snapshot>/<view>-<key>.<ext>`, where `key` hashes the snapshot, the query, its
arguments and the filters, so the same view of the same data always maps to the same file and a
file is reused instead of written again. A file is written under a temporary name (`.*.part`) and
renamed when complete, so a half-written file is never served: "prepared" simply means "the file
exists". Files of other snapshots are removed, and of the current one only the newest KEEP stay.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from dashboard import export, settings

KEEP = 10  # prepared files kept per store; each may be gigabytes at a million articles
STALE_PART_SECONDS = 6 * 3600  # a .part file this old belongs to a writer that died


def path(store_dir: str | Path, snapshot: str, view_name: str, identity: str, ext: str) -> Path:
    """Where the export of `identity` (query, arguments, filters, as a stable text) of this snapshot goes."""
    key = hashlib.sha256(f"{snapshot}\n{identity}\n{ext}".encode()).hexdigest()[:16]
    return settings.exports_dir(store_dir) / _safe(snapshot) / f"{export.slug(view_name)}-{key}.{ext}"


def prepare(target: Path, write: Callable[[BinaryIO], object]) -> Path:
    """`target`, written by `write(file)` unless it already exists; complete or absent, never half-written."""
    if target.is_file():
        os.utime(target)  # recently used: kept by clean_up
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(part, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        # Two sessions preparing the same file both finish with complete files; either may win.
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target


def clean_up(store_dir: str | Path, snapshot: str, keep: int = KEEP) -> list[Path]:
    """Remove export files of other snapshots, all but the newest `keep` of this one, and dead .part files."""
    root = settings.exports_dir(store_dir)
    if not root.is_dir():
        return []
    removed: list[Path] = []
    current = root / _safe(snapshot)
    for folder in root.iterdir():
        if folder.is_dir() and folder != current:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if not current.is_dir():
        return removed
    now = time.time()
    files = [p for p in current.iterdir() if p.is_file() and not p.name.startswith(".")]
    for old in sorted(files, key=lambda p: p.stat().st_mtime, reverse=True)[keep:]:
        old.unlink(missing_ok=True)
        removed.append(old)
    for part in current.glob(".*.part"):
        if now - part.stat().st_mtime > STALE_PART_SECONDS:
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def size_text(n_bytes: float) -> str:
    """A file size for people: 980 B, 12.3 kB, 4.5 MB, 1.2 GB (powers of 1,000, as file managers show)."""
    for unit in ("B", "kB", "MB", "GB"):
        if n_bytes < 1000 or unit == "GB":
            return f"{n_bytes:,.0f} {unit}" if unit == "B" else f"{n_bytes:,.1f} {unit}"
        n_bytes /= 1000
    raise AssertionError("unreachable")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name) or "_"

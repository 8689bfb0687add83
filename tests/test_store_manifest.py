"""manifest.json is only ever replaced whole: never opened for writing in place, so no reader sees half of one.

Behavioural on purpose (the store's internals are being rewritten): it watches the file system
calls a write makes, whatever functions make them.
"""

import builtins
import datetime as dt
import io
import os
from pathlib import Path

import pandas as pd
import pytest

from dashboard import store

WRITE_MODES = set("wax+")


def _articles(title: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": ["id0"],
            "file": "f.txt",
            "line": 1,
            "date": [dt.date(2025, 1, 1)],
            "title": [title],
            "source": None,
            "url": None,
            "author": None,
            "text": "body",
            "words": 1,
            "quote_marks": 0,
        }
    )


@pytest.fixture
def file_calls(monkeypatch):
    """Records (what, path) of writing opens and of renames, made by any code during the test."""
    calls: list[tuple[str, str]] = []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open
    real_replace, real_rename = os.replace, os.rename

    def recording_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and WRITE_MODES & set(mode):
            calls.append(("open", os.fspath(file)))
        return real_open(file, mode, *args, **kwargs)

    def recording_io_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and WRITE_MODES & set(mode):
            calls.append(("open", os.fspath(file)))
        return real_io_open(file, mode, *args, **kwargs)

    def recording_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR):
            calls.append(("open", os.fspath(path)))
        return real_os_open(path, flags, *args, **kwargs)

    def recording_replace(src, dst, *args, **kwargs):
        calls.append(("replace", os.fspath(dst)))
        return real_replace(src, dst, *args, **kwargs)

    def recording_rename(src, dst, *args, **kwargs):
        calls.append(("replace", os.fspath(dst)))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    monkeypatch.setattr(io, "open", recording_io_open)
    monkeypatch.setattr(os, "open", recording_os_open)
    monkeypatch.setattr(os, "replace", recording_replace)
    monkeypatch.setattr(os, "rename", recording_rename)
    return calls


def _manifest_calls(calls, store_dir: Path) -> list[str]:
    target = os.path.realpath(store_dir / store.MANIFEST)
    return [what for what, path in calls if os.path.realpath(path) == target]


def test_the_manifest_is_written_aside_then_swapped_in(tmp_path, file_calls):
    store.write_snapshot(tmp_path, {"articles": _articles("first")}, {"note": "one"})
    assert _manifest_calls(file_calls, tmp_path) == ["replace"]
    file_calls.clear()
    # The second write replaces an existing manifest: still never opened in place.
    store.write_snapshot(tmp_path, {"articles": _articles("second")}, {"note": "two"})
    assert _manifest_calls(file_calls, tmp_path) == ["replace"]
    file_calls.clear()
    store.replace_tables(tmp_path, {"articles": _articles("third")}, note="edit")
    assert _manifest_calls(file_calls, tmp_path) == ["replace"]
    assert store.read_manifest(tmp_path)["history"][-1]["note"] == "edit"
    assert list(store.read_table(tmp_path, "articles")["title"]) == ["third"]
    # No temporary manifest is left lying beside it.
    assert [p.name for p in tmp_path.iterdir() if "manifest" in p.name] == [store.MANIFEST]

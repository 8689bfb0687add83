"""Which store is open, its cached DuckDB connection, and cached query results.

Caching follows Streamlit's guidance: the connection is a resource keyed on store folder and
snapshot name (so a new snapshot is picked up on the next run), query results are bounded
`st.cache_data` entries keyed on snapshot, query name and arguments (the `Filters` value among them).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb
import pandas as pd
import streamlit as st

from dashboard import queries, settings, store
from dashboard.filters import Filters

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    """The store folder to open and whether the user named it (else: the default, built on demand)."""

    path: Path
    explicit: bool


def source() -> Source:
    """`--store DIR` (after `--` on the streamlit command line), else $NEWSDASH_STORE, else data/store."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store")
    args, _ = parser.parse_known_args(sys.argv[1:])
    if args.store:
        return Source(Path(args.store).expanduser().resolve(), True)
    return Source(settings.default_store(), bool(os.environ.get(settings.STORE_ENV)))


@st.cache_resource(max_entries=4, show_spinner="Loading the store…")
def _connection(store_dir: str, snapshot: str) -> duckdb.DuckDBPyConnection:
    # `snapshot` is only part of the key: a preprocess run or an alias recount writes a new
    # snapshot, and the next page run opens views over it (the previous snapshot's files stay
    # until the one after, so a query already running on them finishes).
    return store.connect(store_dir)


def connection(store_dir: Path, manifest: dict) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection whose views read the store's current snapshot in place (shared by sessions)."""
    return _connection(str(store_dir), manifest["snapshot"])


@st.cache_resource
def build_lock() -> threading.Lock:
    """One lock per server, so two browser tabs never build the same store at once."""
    return threading.Lock()


def on_cursor(con: duckdb.DuckDBPyConnection, fn: Callable[..., T], *args) -> T:
    """`fn(cursor, *args)` on a cursor of its own, closed afterwards.

    A cursor per call: DuckDB connections are not shared across threads, and every browser session
    (and every download) runs on its own thread.
    """
    cursor = con.cursor()
    try:
        return fn(cursor, *args)
    finally:
        cursor.close()


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached(snapshot_key: str, name: str, args_key: str, _con: duckdb.DuckDBPyConnection, _args: tuple) -> pd.DataFrame:
    return on_cursor(_con, getattr(queries, name), *_args)


@dataclass(frozen=True)
class View:
    """What a page works with: the open store, its connection and this run's filters."""

    con: duckdb.DuckDBPyConnection
    filters: Filters
    store_dir: Path
    manifest: dict

    def get(self, query: Callable[..., pd.DataFrame], *args) -> pd.DataFrame:
        """`query(con, filters, *args)` from dashboard.queries, cached per snapshot and filters."""
        return self.raw(query, self.filters, *args)

    def raw(self, query: Callable[..., pd.DataFrame], *args) -> pd.DataFrame:
        """`query(con, *args)` (no filters implied), cached per snapshot and arguments."""
        if getattr(queries, query.__name__, None) is not query:
            raise ValueError(f"{query!r} is not a dashboard.queries function")
        key = f"{self.store_dir}::{self.manifest['snapshot']}"
        # repr of a frozen dataclass, tuples, strings and numbers is stable, so it is the key.
        return _cached(key, query.__name__, repr(args), self.con, args)


def clear_caches() -> None:
    """Forget cached query results (after the store changed under the same snapshot name)."""
    _cached.clear()

"""The frame around every page: navigation, page config, the store (built from seeds on first start),
the sidebar, the title and the filter sentence."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import duckdb
import streamlit as st

from dashboard import queries, settings, store
from dashboard.filters import Filters
from dashboard.ui import data, sidebar, widgets

log = logging.getLogger(__name__)

APP_NAME = "News explorer"

# (file in pages/, title, icon). Titles are the page names users and tests see. The URL path is the
# file's stem: Streamlit also lists pages/ by stem before the entry script first runs, and when the
# two disagree the first visitor after a server start sees "Page not found".
PAGES = (
    ("overview.py", "Overview", ":material/dashboard:"),
    ("speakers.py", "Speakers and quotes", ":material/record_voice_over:"),
    ("entities.py", "Entities", ":material/hub:"),
    ("outlets.py", "Outlets", ":material/newspaper:"),
    ("gender.py", "Gender of sources", ":material/wc:"),
    ("topics.py", "Topics", ":material/category:"),
    ("word-clouds.py", "Word clouds", ":material/cloud:"),
    ("compare.py", "Compare", ":material/compare:"),
    ("words.py", "Word over time", ":material/timeline:"),
    ("articles.py", "Articles", ":material/article:"),
    ("extraction-health.py", "Extraction health", ":material/health_and_safety:"),
)


def navigation():
    """The app's st.navigation over the page scripts in pages/ (the entry script runs what it returns)."""
    pages_dir = settings.PROJECT_ROOT / "pages"
    return st.navigation(
        [
            st.Page(pages_dir / file, title=title, url_path=Path(file).stem, icon=icon, default=i == 0)
            for i, (file, title, icon) in enumerate(PAGES)
        ]
    )


def _serving_pages_folder() -> bool:
    # Until some run has called st.navigation, Streamlit treats pages/ as a plain page folder and
    # runs a deep-linked page script without the entry script (Streamlit 1.67 keeps this flag on
    # PagesManager; if a later version drops it, the entry script's navigation still works).
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:
        return False
    return bool(getattr(PagesManager, "uses_pages_directory", False))


def _seed_inputs() -> list[Path]:
    return sorted(p for p in settings.SEEDS_DIR.iterdir() if p.is_file() and not p.name.startswith("."))


def build_from_seeds(store_dir: Path) -> dict:
    """Build a store from the bundled seeds/ with a visible progress indicator; return its manifest."""
    from dashboard.preprocess import preprocess  # spaCy is only needed when a store is built

    with data.build_lock():
        try:  # another tab may have built it while this one waited
            return store.read_manifest(store_dir)
        except store.StoreError:
            pass
        inputs = _seed_inputs()
        with st.status(f"No store yet: building one from {len(inputs)} bundled seed file(s)…", expanded=True) as status:
            bar = st.progress(0.0, text="Loading the language model…")

            def progress(done: int, total: int) -> None:
                bar.progress(done / total if total else 1.0, text=f"Annotated {done:,} of {total:,} articles")

            manifest = preprocess(inputs, store_dir, on_progress=progress)
            count = manifest.get("counts", {}).get("articles", 0)
            status.update(
                label=f"Built a store of {count:,} article{'' if count == 1 else 's'} at {store_dir}",
                state="complete",
                expanded=False,
            )
        return manifest


def _manifest(title: str, source: data.Source) -> dict:
    """The open store's manifest; on failure a friendly explanation and the page stops."""
    try:
        return store.read_manifest(source.path)
    except store.StoreError as err:
        problem = err
    missing = not (source.path / store.MANIFEST).exists()
    if missing and not source.explicit:
        try:
            return build_from_seeds(source.path)
        except Exception as err:  # noqa: BLE001 - any failure becomes a message, never a traceback
            log.exception("building the seed store failed")
            problem = f"Building a store from the bundled seeds failed: {err}"
    st.title(title)
    st.error(f"**The news store cannot be opened.** {problem}", icon=":material/folder_off:")
    st.markdown(
        "Build a store with `python -m dashboard preprocess INPUT --out DIR` and open it with "
        "`streamlit run streamlit_app.py -- --store DIR` (or set `NEWSDASH_STORE=DIR`)."
    )
    if missing and st.button("Build a store here from the bundled seed articles", key="build_seed_store"):
        try:
            build_from_seeds(source.path)
        except Exception as err:  # noqa: BLE001
            log.exception("building the seed store failed")
            st.error(f"Building failed: {err}")
        else:
            st.rerun()
    st.stop()


def page(title: str) -> data.View:
    """Set up a page: config, store, sidebar filters, title and filter sentence; returns its View.

    Every page script calls this first, so a page also works when run on its own (deep link, AppTest).
    When the filters match no article the page shows why and stops here.
    """
    st.set_page_config(page_title=f"{title} · {APP_NAME}", page_icon=":material/newspaper:", layout="wide")
    if _serving_pages_folder():
        # A deep link right after a server start: declaring the navigation here shows the real
        # menu and switches the server to it for every later run.
        navigation()
    source = data.source()
    manifest = _manifest(title, source)
    try:
        con = data.connection(source.path, manifest)
    except (store.StoreError, duckdb.Error, OSError) as err:
        st.title(title)
        st.error(
            f"**The news store at {source.path} cannot be read.** {err} Re-run preprocess to rebuild it.",
            icon=":material/folder_off:",
        )
        st.stop()
    view = data.View(con, Filters(), source.path, manifest)
    view = replace(view, filters=sidebar.filters(view))
    st.title(title)
    st.caption(view.filters.describe())
    if int(view.get(queries.counts).iloc[0]["articles"]) == 0:
        if int(view.raw(queries.corpus_span).iloc[0]["articles"]) == 0:
            widgets.empty("This store holds no articles yet. Run preprocess on some input files.")
        else:
            widgets.no_results(view.filters)
        st.stop()
    return view

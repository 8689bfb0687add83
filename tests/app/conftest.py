"""AppTest fixtures: stores to open (hand-built, seed, Reuters sample) and a way to run the app on one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import settings, store
from tests.app.stores import write_small_store
from tests.conftest import CORPORA, require_dir

ROOT = Path(__file__).resolve().parents[2]
REUTERS = CORPORA / "reuters-1987" / "articles"
REUTERS_SAMPLE = 200
TIMEOUT = 60


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> Path:
    """The five-article hand-written store (tests/app/stores.py)."""
    return write_small_store(tmp_path_factory.mktemp("small") / "store")


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory) -> Path:
    """A store built by the real preprocess from the bundled seeds/."""
    from dashboard.preprocess import preprocess

    out = tmp_path_factory.mktemp("seed") / "store"
    preprocess([settings.SEEDS_DIR], out)
    return out


@pytest.fixture(scope="session")
def reuters_store(tmp_path_factory) -> Path:
    """A store built by the real preprocess from 200 Reuters 1987 articles spread over the whole corpus."""
    from dashboard.preprocess import preprocess

    files = sorted(require_dir(REUTERS).iterdir())
    files = files[:: max(1, len(files) // REUTERS_SAMPLE)][:REUTERS_SAMPLE]  # every k-th: all months
    out = tmp_path_factory.mktemp("reuters") / "store"
    preprocess(files, out)
    return out


@pytest.fixture
def writable_small_store(tmp_path) -> Path:
    """A private copy of the small store, for tests that change it (merge, rename, discovery)."""
    return write_small_store(tmp_path / "store")


@pytest.fixture
def open_app(monkeypatch):
    """open_app(store, page=None, **query_params) -> AppTest after its first run on that store.

    page None runs the entry script (navigation); a page file name runs that page alone (a deep link).
    """

    def run(store_dir: Path, page: str | None = None, **params) -> AppTest:
        monkeypatch.setenv(settings.STORE_ENV, str(store_dir))
        script = ROOT / ("streamlit_app.py" if page is None else f"pages/{page}")
        at = AppTest.from_file(str(script), default_timeout=TIMEOUT)
        for name, value in params.items():
            at.query_params[name] = value
        return at.run()

    return run


def connect(store_dir: Path):
    """A DuckDB connection on the store, for the direct queries tests compare pages with."""
    return store.connect(store_dir)


def copy_store(source: Path, target: Path) -> Path:
    """A copy of a whole store folder."""
    shutil.copytree(source, target)
    return target

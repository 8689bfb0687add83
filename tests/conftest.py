"""Shared fixtures: the real spaCy model once per session, and a home-free environment."""

import os
import tempfile
from pathlib import Path

import pytest

# Nothing the tests run may write into the user's home (matplotlib, fontconfig, streamlit).
_TMP_HOME = tempfile.mkdtemp(prefix="newsdash-test-home-")
for _var in ("MPLCONFIGDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
    os.environ.setdefault(_var, os.path.join(_TMP_HOME, _var.lower()))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"


@pytest.fixture(scope="session")
def nlp():
    """The real small English pipeline, loaded once."""
    from dashboard.nlp.model import load_model

    return load_model()


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared read-only corpora folder; skips when it is not present."""
    if not CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {CORPORA}")
    return CORPORA

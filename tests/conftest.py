"""Shared fixtures: the real spaCy model once per session, and a home-free environment.

The strongest checks need things outside the repository: the shared corpora (`../shared`) and
Debian's Chromium. Locally a test that lacks one is skipped with what is missing and how to get
it; in CI (`CI=true`) it fails, so a broken checkout can never pass by skipping its best tests.
"""

import os
import tempfile
from pathlib import Path
from typing import NoReturn

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


SHARED_HOW = (
    "the read-only corpora folder `shared/` must sit next to the project folder "
    "(mount or copy the team's shared folder there)"
)


def in_ci() -> bool:
    """True on the CI runner (`CI=true`), where nothing the suite needs may be missing."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing(what: str, module_level: bool = False) -> NoReturn:
    """Skip (locally) or fail (in CI) because `what` is missing; `what` says how to get it."""
    if in_ci():
        pytest.fail(f"CI=true and {what}", pytrace=False)
    pytest.skip(f"skipped: {what}", allow_module_level=module_level)


def require_dir(path: Path, how: str = SHARED_HOW) -> Path:
    """`path` when it is a folder, else `missing` (a skip locally, a failure in CI)."""
    if not path.is_dir():
        missing(f"{path} is not there: {how}")
    return path


@pytest.fixture(scope="session")
def corpora() -> Path:
    """The shared read-only corpora folder (../shared/corpora); skipped locally, an error in CI, when absent."""
    return require_dir(CORPORA)

"""Which store the dashboard opens: --store after --, else NEWSDASH_STORE, else data/store."""

from pathlib import Path

from dashboard import settings
from dashboard.ui.data import Source, source


def test_store_flag_after_the_double_dash_wins(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STORE_ENV, str(tmp_path / "from-env"))
    monkeypatch.setattr("sys.argv", ["streamlit_app.py", "--store", str(tmp_path / "from-flag")])
    assert source() == Source(tmp_path / "from-flag", True)


def test_environment_variable_names_the_store(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.STORE_ENV, str(tmp_path / "from-env"))
    monkeypatch.setattr("sys.argv", ["streamlit_app.py"])
    assert source() == Source(tmp_path / "from-env", True)


def test_default_store_is_built_on_demand(monkeypatch):
    monkeypatch.delenv(settings.STORE_ENV, raising=False)
    monkeypatch.setattr("sys.argv", ["streamlit_app.py", "--unrelated"])
    assert source() == Source(Path(settings.PROJECT_ROOT / "data" / "store"), False)

#!/usr/bin/env bash
# The two set-up commands of the README:
#   ./run.sh dashboard [streamlit args]   install, then start the dashboard (builds a store from seeds/ if none)
#   ./run.sh test [pytest args]            install (incl. Debian chromium for browser tests), run the whole suite
set -euo pipefail
cd "$(dirname "$0")"
VENV="${NEWSDASH_VENV:-.venv}"
PY="${PYTHON:-python3}"

install_python() {
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$1"
}

install_chromium() {
    [ -x /usr/bin/chromium ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing Debian chromium for the browser tests..." >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

case "${1:-}" in
    dashboard)
        shift
        install_python requirements.txt
        exec "$VENV/bin/python" -m streamlit run streamlit_app.py "$@"
        ;;
    test)
        shift
        install_python requirements-test.txt
        install_chromium
        export PYTHONDONTWRITEBYTECODE=1
        # Lint and format first: a style failure is a test failure (config in pyproject.toml).
        "$VENV/bin/ruff" check --quiet .
        "$VENV/bin/ruff" format --check --quiet .
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    *)
        echo "usage: ./run.sh dashboard|test [args]" >&2
        exit 2
        ;;
esac

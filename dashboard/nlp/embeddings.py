"""Static embeddings of articles and topic descriptions (wordllama, weights shipped in its package).

The model is an embedding table and a tokenizer: an article's vector is the mean of its tokens'
vectors, so embedding costs about as much as tokenizing (~1,700 articles per second per process).
It loads once per process from the installed package and never downloads anything.

The store keeps them per chunk part (`vectors-<version>.parquet`: article_id, vector), so a taxonomy
edit re-tags from them without spaCy; `version()` names the model and the text preparation, so a
change of either means new vector files, not stale ones.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from importlib.metadata import version as package_version
from pathlib import Path

import numpy as np

CONFIG = "l2_supercat"  # the only configuration whose weights ship inside the package
DIM = 256
# The lead of a news article says what it is about; past it, averaging more tokens only blurs
# the vector and pads the batch (the tokenizer pads to the longest text of a batch).
MAX_CHARS = 2000
BATCH = 32


class EmbeddingUnavailable(RuntimeError):
    """The wordllama package or its shipped weights are missing; the message says how to install them."""


def package_dir() -> Path:
    """The installed wordllama package folder, which holds `weights/` and `tokenizers/`."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise EmbeddingUnavailable("wordllama is not installed: pip install -r requirements.txt")
    return Path(spec.origin).parent


def version() -> str:
    """Short hash of what a stored vector depends on: package version, weights file, text preparation."""
    # This file is left out of `rules_version` (vectors are re-made, not re-parsed), so a change
    # to `article_text` or `embed` must change the text below.
    text = f"wordllama {package_version('wordllama')} {CONFIG} {DIM} chars {MAX_CHARS} slug-case 1"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@functools.lru_cache(maxsize=1)
def model():
    """The process's wordllama model, loaded on first use from the package's own files.

    `cache_dir` is the package folder: wordllama looks for the tokenizer under
    `<cache_dir>/tokenizers/`, where the package ships it, and `disable_download` makes a missing
    file an error instead of a network request. Nothing is written.
    """
    import logging

    folder = package_dir()
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from wordllama import WordLlama

        loaded = WordLlama.load(config=CONFIG, dim=DIM, cache_dir=folder, disable_download=True)
    except FileNotFoundError as err:
        raise EmbeddingUnavailable(f"wordllama's shipped weights are missing under {folder}: {err}") from err
    finally:
        # wordllama's inference module calls logging.basicConfig at import; undo that here.
        root.setLevel(level)
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
    return loaded


def article_text(title: str, body: str) -> str:
    """What is embedded for an article: headline and the lead of the body, all-caps headlines in sentence case."""
    title = (title or "").strip()
    letters = [c for c in title if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        title = title.capitalize()
    text = f"{title}. {body or ''}" if title else body or ""
    return text[:MAX_CHARS]


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length vectors (float32, one row per text); an empty text gets a zero vector."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    keep = [i for i, text in enumerate(texts) if text and text.strip()]
    if keep:
        # Similar lengths together, so a batch pads little.
        keep.sort(key=lambda i: len(texts[i]))
        vectors = model().embed([texts[i] for i in keep], batch_size=BATCH)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out[keep] = vectors / np.where(norms > 0, norms, 1.0)
    return out


def embed_articles(rows: list[tuple[str, str, str]]) -> np.ndarray:
    """Vectors of (article_id, title, body) rows, in order."""
    return embed([article_text(title, body) for _, title, body in rows])


def topic_text(taxonomy, topic: str) -> tuple[str, str]:
    """The two texts a topic is embedded from: its description, and its strong and ordinary cue words."""
    words = [
        c.text for c in taxonomy.cues if c.topic == topic and not c.entity and c.weight >= taxonomy.settings["term"]
    ]
    return taxonomy.descriptions.get(topic, ""), " ".join(words)


def topic_vectors(taxonomy) -> np.ndarray:
    """One unit vector per taxonomy topic: the mean of its description's and its cue words' vectors.

    The description says in plain words what the topic is about; the cue words add the
    vocabulary its articles use. Either alone serves when the other is empty.
    """
    return _described(tuple(topic_text(taxonomy, topic) for topic in taxonomy.topics))


@functools.lru_cache(maxsize=8)
def _described(texts: tuple[tuple[str, str], ...]) -> np.ndarray:
    # Embedded once per taxonomy version and process: a re-tag of a thousand parts embeds 28 texts.
    halves = embed([text for pair in texts for text in pair]).reshape(len(texts), 2, DIM)
    vectors = halves.sum(axis=1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms > 0, norms, 1.0)
    vectors.setflags(write=False)
    return vectors

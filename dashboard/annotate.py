"""Annotation of one chunk of articles: spaCy and every extractor -> the chunk's Parquet part.

This is the unit of work of a run, the same function in the main process, in a local worker
process and on a Dask worker: a task names its chunk, carries the chunk's articles (id, headline,
body), the model and taxonomy, and where to write; the worker loads the model once per process
and writes the part itself, so only a small summary travels back.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from dashboard import store
from dashboard.nlp import model as nlp_model

NLP_DIR = Path(__file__).resolve().parent / "nlp"

# Tagging and discovery only read stored terms, so their changes re-tag instead of re-parsing.
# Likewise name merging and aliases run over the whole corpus on every run.
NOT_EXTRACTION = {
    "topics.py",
    "embeddings.py",
    "discover.py",
    "speakers.py",
    "aliases.tsv",
}  # taxonomy.toml: no .toml counts


def rules_version() -> str:
    """Hash of the extraction code and its lexicons: any change means annotations are stale."""
    digest = hashlib.sha1()
    for path in sorted(NLP_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".txt", ".tsv", ".json"} and path.name not in NOT_EXTRACTION:
            digest.update(path.relative_to(NLP_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def is_newswire_slug(title: str) -> bool:
    """All-caps headlines (newswire slugs) confuse the tagger and NER, so they are not parsed."""
    letters = [c for c in title if c.isalpha()]
    return len(letters) >= 4 and all(c.isupper() for c in letters)


def doc_text(title: str, body: str) -> tuple[str, int]:
    """The text spaCy parses for an article and the offset of the body within it."""
    if not title or is_newswire_slug(title):
        return body, 0
    return f"{title}\n\n{body}", len(title) + 2


def count_quote_marks(body: str) -> int:
    """Double quotation marks in a text: straight, curly, and the typewriter pairs '' and ``."""
    return sum(body.count(mark) for mark in ('"', "\u201c", "\u201d", "''", "``"))


def _term(token) -> str | None:
    if not token.is_alpha or token.is_stop or len(token) < 2:
        return None
    lemma = token.lemma_.lower()
    return lemma if lemma.isalpha() and len(lemma) > 1 else None


def load_taxonomy_text(text: str | None):
    """A Taxonomy from TOML text (None: the shipped taxonomy)."""
    from dashboard.nlp import topics

    if text is None:
        return topics.load_taxonomy(None)
    return topics.parse_taxonomy(tomllib.loads(text), source="taxonomy.toml")


class Annotator:
    """Runs the pipeline and every extractor over batches of articles (one per process)."""

    def __init__(self, model_name: str | None, taxonomy_text: str | None = None):
        self.nlp = nlp_model.load_model(model_name)
        self.nlp.max_length = max(self.nlp.max_length, 2_100_000)
        self.taxonomy = load_taxonomy_text(taxonomy_text)

    def annotate(self, rows: list[tuple[str, str, str]]) -> dict[str, dict[str, list]]:
        """(article_id, title, body) rows -> column lists for each per-article table.

        When the batch raises, the articles are annotated one by one and each one that raises is
        left out and listed in `out["failed"]` with the error, so one bad article costs only itself.
        """
        from dashboard.nlp import embeddings

        out = _empty_columns()
        failed: dict[str, list] = {"article_id": [], "reason": []}
        try:
            words = self._extract(rows, out)
            kept = list(rows)
        except Exception:  # noqa: BLE001 - which article raised is found by trying each alone
            out, words, kept = _empty_columns(), [], []
            for row in rows:
                one = _empty_columns()
                try:
                    words += self._extract([row], one)
                except Exception as error:  # noqa: BLE001 - recorded as the article's reject reason
                    failed["article_id"].append(row[0])
                    failed["reason"].append(f"annotation failed: {type(error).__name__}: {error}"[:500])
                    continue
                kept.append(row)
                for table, columns in one.items():
                    for name, values in columns.items():
                        out[table][name].extend(values)
        # Vectors, then tags for the whole chunk at once: the same function a re-tag runs on the
        # stored terms, names and vectors, so preprocessing and re-tagging agree by construction.
        ids = [article_id for article_id, _, _ in kept]
        vectors = embeddings.embed_articles(kept)
        out["vectors"] = {"article_id": ids, "vector": vectors}
        out["topics"] = tag_chunk(out, ids, words, vectors, self.taxonomy)
        out["failed"] = failed
        return out

    def _extract(self, rows: list[tuple[str, str, str]], out: dict[str, dict[str, list]]) -> list[int]:
        """Parse the rows and append their per-article tables to `out`; return their word counts."""
        from dashboard.nlp.extract import annotate_doc

        texts = [doc_text(title, body) for _, title, body in rows]
        docs = self.nlp.pipe((text for text, _ in texts), batch_size=32)
        words: list[int] = []
        for (article_id, _, body), (_, body_start), doc in zip(rows, texts, docs):
            result = annotate_doc(doc, body_start)
            terms = Counter(t for t in map(_term, doc) if t)
            for m in result.mentions:
                _append(out["mentions"], article_id=article_id, name=m.name, label=m.label, count=m.count)
            for index, q in enumerate(result.quotes):
                # `speaker` holds the per-article name here; readers apply the corpus name map.
                _append(
                    out["quotes"],
                    article_id=article_id,
                    quote_index=index,
                    speaker=q.speaker,
                    speaker_name=q.speaker,
                    speaker_role=q.speaker_role,
                    speaker_kind=q.speaker_kind,
                    quote=q.quote,
                    cue=q.cue,
                    kind=q.kind,
                    start_char=q.start_char,
                    end_char=q.end_char,
                    rule=q.rule,
                    resolved_by=q.resolved_by,
                    speaker_pronoun=q.pronoun,
                )
                span = doc.char_span(q.start_char + body_start, q.end_char + body_start, alignment_mode="expand")
                for term, count in Counter(t for t in map(_term, span or ()) if t).items():
                    _append(out["quote_terms"], article_id=article_id, quote_index=index, term=term, count=count)
            for term, count in terms.items():
                _append(out["terms"], article_id=article_id, term=term, count=count)
            words.append(len(body.split()))
        return words


def _empty_columns() -> dict[str, dict[str, list]]:
    return {t: {c: [] for c in store.SCHEMAS[t].names} for t in store.PART_TABLES}


def tag_chunk(columns: dict[str, dict[str, list]], ids: list[str], words: list[int], vectors, taxonomy) -> dict:
    """Taxonomy tags of a chunk from its term and mention columns and its vectors, as topics columns."""
    import pandas as pd

    from dashboard.nlp import embeddings, topics

    def frame(table: str) -> pd.DataFrame:  # typed even when empty
        return pa.table(columns[table], schema=store.SCHEMAS[table]).to_pandas()

    tagged = topics.tag_frames(
        frame("terms"),
        topics.entity_counts(frame("mentions")),
        pd.DataFrame({"article_id": ids, "words": words}),
        taxonomy,
        vectors=(ids, vectors),
        topic_vectors=embeddings.topic_vectors(taxonomy),
    )
    return {name: tagged[name].tolist() for name in store.SCHEMAS["topics"].names}


def _append(columns: dict[str, list], **values) -> None:
    for key, value in values.items():
        columns[key].append(value)


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to annotate one chunk and write its part; small and picklable."""

    chunk: str
    rows: tuple[tuple[str, str, str], ...]  # (article_id, title, body)
    model_name: str
    taxonomy_text: str | None
    taxonomy_version: str
    parts_root: str  # a local folder or an fsspec URL every worker and the client can reach


@dataclass(frozen=True)
class ChunkDone:
    """What comes back from a worker: the chunk written, its row counts and how long it took."""

    chunk: str
    articles: int
    rows: dict
    seconds: float


# One Annotator per process and (model, taxonomy): the model loads once per worker, not per task.
_annotators: dict[tuple[str, str | None], Annotator] = {}


def annotator_for(model_name: str, taxonomy_text: str | None) -> Annotator:
    """The process's Annotator for this model and taxonomy, loaded on first use."""
    key = (model_name, taxonomy_text)
    if key not in _annotators:
        _annotators.clear()  # a new taxonomy within one run never happens; between runs, free the old
        _annotators[key] = Annotator(model_name, taxonomy_text)
    return _annotators[key]


def part_tables(columns: dict[str, dict[str, list]], taxonomy_version: str) -> dict[str, pa.Table]:
    """Column lists of `Annotator.annotate` -> the part's Arrow tables, by file stem."""
    from dashboard.nlp import embeddings

    tables = {t: pa.table(columns[t], schema=store.SCHEMAS[t]) for t in store.PART_TABLES}
    tables[f"topics-{taxonomy_version}"] = pa.table(columns["topics"], schema=store.SCHEMAS["topics"])
    vectors = columns["vectors"]
    tables[f"vectors-{embeddings.version()}"] = store.vectors_table(vectors["article_id"], vectors["vector"])
    if columns.get("failed", {}).get("article_id"):
        tables["failed"] = pa.table(columns["failed"], schema=store.INTERNAL_SCHEMAS["failed"])
    return tables


def run_chunk(task: ChunkTask) -> ChunkDone:
    """Annotate a chunk and write its part under `task.parts_root` (skipped when already done)."""
    import time

    from dashboard import parts

    started = time.perf_counter()
    if parts.done(task.parts_root, task.chunk):
        return ChunkDone(task.chunk, len(task.rows), {}, 0.0)
    columns = annotator_for(task.model_name, task.taxonomy_text).annotate(list(task.rows))
    tables = part_tables(columns, task.taxonomy_version)
    parts.write(task.parts_root, task.chunk, tables)
    rows = {stem.split("-")[0]: table.num_rows for stem, table in tables.items()}
    return ChunkDone(task.chunk, len(task.rows), rows, time.perf_counter() - started)

"""The corpus-wide steps of a commit, as DuckDB SQL over the parts: names, rejects, discovered topics,
speaker genders.

Each writes small snapshot tables; none brings a whole table into Python. Re-tagging after a
taxonomy edit goes chunk by chunk, one part in memory at a time.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import store
from dashboard.settings import taxonomy_for_store

# Snapshot tables a commit derives anew (the rest of a snapshot is carried over by a rename).
DERIVED = ("name_map", "speakers", *store.ROLLUPS)
# The corpus's topic prototypes are fitted again when the store has this many times more (or fewer)
# articles than they were fitted on: a few new articles re-tag only their own parts.
PROTOTYPE_GROWTH = 2.0


def _provisional(building: Path, manifest: dict) -> dict:
    return {**manifest, "snapshot": building.name}


def _copy(con, sql: str, target: Path) -> None:
    con.execute(f"COPY ({sql}) TO {store.sql_path(target)} (FORMAT parquet, COMPRESSION zstd)")


def _resolve_rejects(con, building: Path) -> None:
    """Rejects with the article each exact duplicate repeats, in input order."""
    raw = building / "_rejects_raw.parquet"
    if not raw.exists():
        return
    _copy(
        con,
        f"""SELECT r.file, r."where",
               CASE WHEN r.duplicate_of IS NULL THEN r.reason
                    ELSE 'exact duplicate of ' || a.file || ' (line ' || a.line || '); stored once' END AS reason
            FROM read_parquet({store.sql_path(raw)}, file_row_number = true) r
            LEFT JOIN articles a ON a.article_id = r.duplicate_of
            ORDER BY r.file_row_number""",
        building / "rejects.parquet",
    )
    raw.unlink()


def _write_name_map(store_dir: Path, building: Path, manifest: dict, aliases_path: Path | None) -> None:
    from dashboard.nlp import speakers

    aliases = speakers.read_aliases(speakers.default_aliases_path(), *([aliases_path] if aliases_path else []))
    (building / "name_map.parquet").unlink(missing_ok=True)
    con = store.connect(store_dir, _provisional(building, manifest))
    # The views' quotes carry the canonical speaker; the map is built from the per-article names.
    sql = speakers.name_map_relation(con, aliases, mentions="mentions", quotes="quotes", speaker="speaker_name")
    table = con.sql(sql, params=speakers.name_map_params()).to_arrow_table()
    pq.write_table(store.to_arrow("name_map", table), building / "name_map.parquet", compression="zstd")


def _write_speakers(store_dir: Path, building: Path, manifest: dict) -> None:
    """The `speakers` table: each speaker's gender and its evidence, with the user's corrections applied."""
    from dashboard import gender

    (building / "speakers.parquet").unlink(missing_ok=True)
    con = store.connect(store_dir, _provisional(building, manifest))
    sql = gender.speakers_sql(con, gender.read_corrections(gender.corrections_path(store_dir)))
    _copy(con, sql, building / "speakers.parquet")


def _rename_whole_tables(store_dir: Path, building: Path, manifest: dict) -> None:
    """Stores written whole (small ones, older layouts) hold canonical names in their own files."""
    con = store.connect(store_dir, _provisional(building, manifest))
    present = {p.stem for p in building.glob("*.parquet")}
    if "quotes" in present:
        target = building / "quotes.new.parquet"
        cols = store.canonical_quote_columns()
        _copy(
            con,
            f"SELECT {cols} FROM ({store.read_files('quotes', [str(building / 'quotes.parquet')])}) q "
            "LEFT JOIN name_map m ON m.name = q.speaker_name",
            target,
        )
        (building / "quotes.parquet").unlink()
        target.rename(building / "quotes.parquet")
    if "entities" in present and "mentions" in present:
        target = building / "entities.new.parquet"
        _copy(
            con,
            "SELECT x.article_id, coalesce(m.canonical, x.name) AS entity, x.label, sum(x.count)::INTEGER AS count "
            "FROM mentions x LEFT JOIN name_map m ON m.name = x.name GROUP BY ALL ORDER BY 1, 2, 3",
            target,
        )
        (building / "entities.parquet").unlink()
        target.rename(building / "entities.parquet")


def _carry_discovered(store_dir: Path, building: Path, manifest: dict) -> None:
    """Discovered topics stay only when the article set is unchanged: a topic model fitted to
    other articles would not cover the new ones."""
    try:
        previous = store.read_manifest(store_dir)
    except store.StoreError:
        return

    def articles_of(m: dict) -> list:
        return [(p["chunk"], p["articles"]) for p in m.get("parts", [])]

    if not previous.get("parts") or articles_of(previous) != articles_of(manifest):
        return
    con = store.connect(store_dir, previous)
    if con.execute("SELECT count(*) FROM topics WHERE kind = 'discovered'").fetchone()[0]:
        _copy(con, "SELECT * FROM topics WHERE kind = 'discovered'", building / "discovered.parquet")
        _copy(con, "SELECT * FROM topic_terms", building / "topic_terms.parquet")


def finish(store_dir: Path, building: Path, manifest: dict, aliases_path: Path | None) -> dict:
    """Derive a new snapshot's corpus-wide tables from its parts and commit it."""
    con = store.connect(store_dir, _provisional(building, manifest))
    _resolve_rejects(con, building)
    _carry_discovered(store_dir, building, manifest)
    _write_name_map(store_dir, building, manifest, aliases_path)
    _write_speakers(store_dir, building, manifest)
    return store.commit(store_dir, building, manifest, collect_parts=True)


def _carry_over(store_dir: Path, manifest: dict, skip: tuple[str, ...] = DERIVED) -> Path:
    """A new snapshot folder holding the current snapshot's tables, less `skip`."""
    old = Path(store_dir) / manifest["snapshot"]
    building = store.begin_snapshot(store_dir)
    for path in old.glob("*.parquet"):
        if path.stem not in skip:
            store._link_or_copy(path, building / path.name)
    return building


def _history(manifest: dict, note: str) -> list:
    history = list(manifest.get("history", []))[-19:]
    history.append({"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "note": note})
    return history


def renamed(store_dir: str | Path, aliases_path: Path | None) -> dict:
    """Re-apply corpus name merging and the aliases: a new name map and rollups, the parts as they are."""
    store_dir = Path(store_dir)
    manifest = store.read_manifest(store_dir)
    building = _carry_over(store_dir, manifest)
    try:
        _write_name_map(store_dir, building, manifest, aliases_path)
        _rename_whole_tables(store_dir, building, manifest)
        _write_speakers(store_dir, building, manifest)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return store.commit(store_dir, building, {**manifest, "history": _history(manifest, "aliases re-applied")})


def regender(store_dir: str | Path) -> dict:
    """Re-derive the speakers table with the user's gender corrections (no spaCy, names unchanged)."""
    store_dir = Path(store_dir)
    manifest = store.read_manifest(store_dir)
    building = _carry_over(store_dir, manifest, skip=("speakers",))
    try:
        _write_speakers(store_dir, building, manifest)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return store.commit(store_dir, building, {**manifest, "history": _history(manifest, "gender corrected")})


def vectors_stem() -> str:
    """File stem of a part's article vectors for the installed embedding model."""
    from dashboard.nlp import embeddings

    return f"vectors-{embeddings.version()}"


def part_vectors(folder: Path, articles_file: Path, write: bool = True) -> tuple[list[str], object]:
    """A part's article vectors: read from its vectors file, or embedded from the stored text (for
    parts made before vectors were stored) and, with `write`, kept beside the part's other files."""
    from dashboard.nlp import embeddings

    path = folder / f"{vectors_stem()}.parquet"
    if path.is_file():
        return store.read_vectors(path)
    articles = pq.read_table(articles_file, columns=["article_id", "title", "text"]).to_pylist()
    rows = [(a["article_id"], a["title"] or "", a["text"] or "") for a in articles]
    ids, vectors = [r[0] for r in rows], embeddings.embed_articles(rows)
    if write:
        store.write_parquet(store.vectors_table(ids, vectors), path)
    return ids, vectors


def tag_tables(terms, mentions, words, vectors, taxonomy, prototypes=None) -> pa.Table:
    """Taxonomy tags (a `topics` table) from stored terms, mention names, word counts and vectors."""
    from dashboard.nlp import embeddings, topics

    tagged = topics.tag_frames(
        terms,
        topics.entity_counts(mentions),
        words,
        taxonomy,
        vectors=vectors,
        topic_vectors=embeddings.topic_vectors(taxonomy),
        prototypes=prototypes,
    )
    return store.to_arrow("topics", tagged)


def retag_part(folder: Path, articles_file: Path, taxonomy, write: bool = True, prototypes=None) -> pa.Table:
    """Taxonomy tags of one chunk from its stored terms, mention names and vectors (no spaCy)."""
    return tag_tables(
        pq.read_table(folder / "terms.parquet").to_pandas(),
        pq.read_table(folder / "mentions.parquet").to_pandas(),
        pq.read_table(articles_file, columns=["article_id", "words"]).to_pandas(),
        part_vectors(folder, articles_file, write),
        taxonomy,
        prototypes,
    )


def _prototype_sums(tags, vectors, taxonomy):
    """`topics.prototype_sums` of one batch: its tags (article_id, topic, score) and (ids, vectors)."""
    import numpy as np

    from dashboard.nlp import embeddings, topics

    ids, matrix = vectors
    tags = tags[tags["kind"] == "taxonomy"] if "kind" in tags else tags
    best = tags.sort_values(["article_id", "score"], ascending=[True, False]).drop_duplicates("article_id")
    column = {topic: j for j, topic in enumerate(taxonomy.topics)}
    top = dict(zip(best["article_id"], best["topic"].map(column)))
    share = dict(zip(best["article_id"], best["score"]))
    return topics.prototype_sums(
        matrix,
        embeddings.topic_vectors(taxonomy),
        np.array([top.get(a, -1) for a in ids], dtype=np.intp),
        np.array([share.get(a, 0.0) for a in ids], dtype=np.float32),
        taxonomy,
    )


def fit_prototypes(batches, taxonomy):
    """Prototypes (`topics.corpus_prototypes`) from (tags, vectors) batches made without them."""
    from dashboard.nlp import topics

    sums = counts = None
    for tags, vectors in batches:
        if len(vectors[0]):
            part_sums, part_counts = _prototype_sums(tags, vectors, taxonomy)
            sums, counts = (part_sums, part_counts) if sums is None else (sums + part_sums, counts + part_counts)
    return None if sums is None else topics.corpus_prototypes(sums, counts, taxonomy)


def prototypes_record(prototypes, taxonomy, articles: int) -> dict:
    """The manifest's `topic_prototypes`: what was fitted, on how many articles, for which taxonomy."""
    from dashboard.nlp import topics

    return {
        "taxonomy_version": topics.taxonomy_version(taxonomy),
        "fitted_on": articles,
        "version": prototypes.version,
        "articles": dict(zip(taxonomy.topics, prototypes.articles)),
        "vectors": {
            t: [float(x) for x in v] for t, v, n in zip(taxonomy.topics, prototypes.vectors, prototypes.articles) if n
        },
    }


def prototypes_of(record: dict, taxonomy):
    """The Prototypes a manifest record holds (topics it does not name get none)."""
    import numpy as np

    from dashboard.nlp import embeddings, topics

    vectors = np.zeros((len(taxonomy.topics), embeddings.DIM), dtype=np.float32)
    for j, topic in enumerate(taxonomy.topics):
        if topic in record["vectors"]:
            vectors[j] = np.asarray(record["vectors"][topic], dtype=np.float32)
    articles = tuple(int(record["articles"].get(t, 0)) if t in record["vectors"] else 0 for t in taxonomy.topics)
    return topics.Prototypes(vectors, articles)


def describe_prototypes(record: dict | None) -> str:
    """One paragraph for the command line: what the corpus's prototypes were fitted on."""
    if not record:
        return "topics by their descriptions alone: no topic has enough confident articles for a prototype"
    fitted = ", ".join(f"{t} {n:,}" for t, n in sorted(record["articles"].items(), key=lambda kv: -kv[1]) if n)
    plain = ", ".join(t for t, n in record["articles"].items() if not n)
    text = f"topics as this corpus writes about them (prototypes {record['version']}, fitted on {record['fitted_on']:,} articles): {fitted}"
    return text + (f"; by description alone: {plain}" if plain else "")


def _refit(record: dict | None, taxonomy, articles: int) -> bool:
    from dashboard.nlp import topics

    if not record or record.get("taxonomy_version") != topics.taxonomy_version(taxonomy):
        return True
    return not record["fitted_on"] / PROTOTYPE_GROWTH <= articles < record["fitted_on"] * PROTOTYPE_GROWTH


def adapt_topics(
    store_dir: str | Path, part_list: list[dict], taxonomy, previous: dict | None
) -> tuple[list, dict | None]:
    """Tag every part with the topics as this corpus writes about them; return the parts and the record.

    The prototypes (docs/topics.md, "The corpus's own topics") are fitted on the parts' tags made
    without them (their `topics-<taxonomy version>` files), and kept: a later run reuses them until
    the corpus has grown or shrunk by a factor PROTOTYPE_GROWTH or the taxonomy changes, so adding a
    few articles re-tags only their parts. Each part then reads `topics-<taxonomy>-<prototypes>`.
    A corpus too small for any topic's prototype keeps the plain tags.
    """
    from dashboard.nlp import topics

    folder_of = store.parts_dir(store_dir)
    version = topics.taxonomy_version(taxonomy)
    articles = sum(int(p["n"]) for p in part_list)
    record = (previous or {}).get("topic_prototypes")
    if _refit(record, taxonomy, articles):

        def batches():
            for part in part_list:
                folder = folder_of / part["chunk"]
                tags = pq.read_table(folder / f"topics-{version}.parquet").to_pandas()
                yield tags, part_vectors(folder, folder / f"{part['articles']}.parquet")

        fitted = fit_prototypes(batches(), taxonomy)
        record = prototypes_record(fitted, taxonomy, articles) if fitted else None
    if record is None:
        return part_list, None
    prototypes = prototypes_of(record, taxonomy)
    stem = f"topics-{version}-{record['version']}"
    adapted = []
    for part in part_list:
        folder = folder_of / part["chunk"]
        if not (folder / f"{stem}.parquet").is_file():
            tags = retag_part(folder, folder / f"{part['articles']}.parquet", taxonomy, prototypes=prototypes)
            store.write_parquet(tags, folder / f"{stem}.parquet")
        # The tags without prototypes stay: a later refit is fitted on them.
        adapted.append({**part, "topics": stem, "plain_topics": f"topics-{version}"})
    return adapted, record


def _whole_tags(con, taxonomy) -> pa.Table:
    """Taxonomy tags of a store written whole: small, so its vectors are embedded afresh, not stored."""
    from dashboard.nlp import embeddings

    articles = con.sql("SELECT article_id, title, text, words FROM articles").df()
    rows = list(zip(articles["article_id"], articles["title"].fillna(""), articles["text"].fillna("")))
    vectors = (list(articles["article_id"]), embeddings.embed_articles(rows))
    frames = (
        con.sql("SELECT article_id, term, count FROM terms").df(),
        con.sql("SELECT * FROM mentions").df(),
        articles[["article_id", "words"]],
    )
    plain = tag_tables(*frames, vectors, taxonomy)
    prototypes = fit_prototypes([(plain.to_pandas(), vectors)], taxonomy)
    return plain if prototypes is None else tag_tables(*frames, vectors, taxonomy, prototypes)


def retagged(store_dir: str | Path, taxonomy):
    """The taxonomy tags `retag` would store, as a DataFrame, computed in memory: nothing is written.

    The prototypes are fitted afresh on this store, as `retag` does when the taxonomy changed.
    """
    import pandas as pd

    store_dir = Path(store_dir)
    manifest = store.read_manifest(store_dir)
    if (store_dir / manifest["snapshot"] / "topics.parquet").is_file():
        return _whole_tags(store.connect(store_dir, manifest), taxonomy).to_pandas()
    folders = []
    for part in manifest.get("parts", []):
        folder = store.parts_dir(store_dir) / part["chunk"]
        folders.append((folder, folder / f"{part['articles']}.parquet"))

    def batches():
        for folder, articles_file in folders:
            plain = retag_part(folder, articles_file, taxonomy, write=False).to_pandas()
            yield plain, part_vectors(folder, articles_file, write=False)

    prototypes = fit_prototypes(batches(), taxonomy)
    frames = [
        retag_part(folder, articles_file, taxonomy, write=False, prototypes=prototypes).to_pandas()
        for folder, articles_file in folders
    ]
    return pd.concat(frames, ignore_index=True) if frames else store.empty_frame("topics")


def retag(store_dir: str | Path, taxonomy_path: Path | None = None, refit: bool = False) -> dict:
    """Re-tag every article of a store from its stored terms after a taxonomy edit; commit the result.

    Parts get a topics file for the new taxonomy (one chunk in memory at a time), from their stored
    vectors (a part without them gets them, embedded from its stored text), then one with the
    corpus's prototypes (`adapt_topics`); a store whose topics are written whole is re-tagged
    whole. `refit` fits the prototypes again even when they could be kept. Returns the new manifest.
    """
    from dashboard.nlp import topics

    store_dir = Path(store_dir)
    taxonomy = topics.load_taxonomy(taxonomy_path or taxonomy_for_store(store_dir))
    version = topics.taxonomy_version(taxonomy)
    manifest = store.read_manifest(store_dir)
    snapshot = store_dir / manifest["snapshot"]
    new_parts = []
    for part in manifest.get("parts", []):
        folder = store.parts_dir(store_dir) / part["chunk"]
        stem = f"topics-{version}"
        if not (folder / f"{stem}.parquet").is_file():
            tags = retag_part(folder, folder / f"{part['articles']}.parquet", taxonomy)
            store.write_parquet(tags, folder / f"{stem}.parquet")
        entry = {**part, "topics": stem}
        if (folder / f"{vectors_stem()}.parquet").is_file():
            entry["vectors"] = vectors_stem()
        new_parts.append(entry)
    previous = None if refit else manifest
    new_parts, prototypes = adapt_topics(store_dir, new_parts, taxonomy, previous) if new_parts else ([], None)
    building = _carry_over(store_dir, manifest, skip=())
    try:
        if (snapshot / "topics.parquet").is_file():
            con = store.connect(store_dir, manifest)
            tagged = _whole_tags(con, taxonomy)
            others = con.sql("SELECT * FROM topics WHERE kind <> 'taxonomy'").to_arrow_table()
            whole = pa.concat_tables([store.to_arrow("topics", others), tagged])
            (building / "topics.parquet").unlink()
            pq.write_table(whole, building / "topics.parquet", compression="zstd")
        updated = {**manifest, "parts": new_parts, "taxonomy_version": version, "topic_prototypes": prototypes}
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    updated["history"] = _history(manifest, f"re-tagged with taxonomy {version}")
    return store.commit(store_dir, building, updated)

"""Correcting speakers from the dashboard: merge two speakers, rename one, or set a person's gender.

A name correction is saved to the store's alias file (settings.user_aliases) and the names are
recounted without spaCy (preprocess.recount_names); a gender correction is saved beside it
(gender.corrections_path) and the speakers table is derived again (corpus.regender). Each writes a
new snapshot; the next run opens it.
"""

from __future__ import annotations

import streamlit as st

from dashboard import gender, queries, settings
from dashboard.ui import data, sidebar

# Speakers the forms offer before a search: the most quoted. Any other speaker is one search away
# (the same rollup search as the sidebar's), so a million articles' speakers need not be sent to the
# browser: 3,000 names in each of the page's four lists made its first visit seconds slower.
EDITOR_CHOICES = 100
# The editors' expanders (session state: open or not). Closed, they send nothing but their label.
SPEAKER_EDITOR = "speaker_editor_open"
GENDER_EDITOR = "gender_editor_open"


def _variants(view: data.View, speaker: str) -> list[str]:
    # Every written form that resolved to this speaker, so the alias wins however the name was written.
    rows = data.on_cursor(
        view.con,
        lambda cursor: cursor.execute(
            "SELECT DISTINCT speaker_name FROM quotes WHERE speaker = ? AND speaker_name IS NOT NULL", [speaker]
        ).fetchall(),
    )
    return list(dict.fromkeys([speaker, *(r[0] for r in rows)]))


def save_alias(view: data.View, speaker: str, canonical: str) -> int:
    """Record that `speaker` is `canonical`, recount names, forget cached results; returns aliases written."""
    from dashboard.nlp.speakers import add_alias
    from dashboard.preprocess import recount_names

    path = settings.user_aliases(view.store_dir)
    variants = [v for v in _variants(view, speaker) if v != canonical]
    for variant in variants:
        add_alias(path, variant, canonical)
    recount_names(view.store_dir)
    data.clear_caches()
    return len(variants)


def _apply(view: data.View, speaker: str, canonical: str) -> None:
    canonical = (canonical or "").strip()
    if not speaker or not canonical or canonical == speaker:
        st.warning("Choose a speaker and a different name for it.")
        return
    try:
        with st.spinner(f"Saving “{speaker}” → “{canonical}” and recounting…"):
            written = save_alias(view, speaker, canonical)
    except Exception as err:  # noqa: BLE001 - shown to the user, the store stays as it was
        st.error(f"The change could not be saved: {err}")
        return
    sidebar.rename_speaker(speaker, canonical)
    st.toast(f"“{speaker}” is now counted as “{canonical}” ({written} alias(es) saved).")
    st.rerun()


@st.fragment
def speaker_editor(view: data.View) -> None:
    """An expander with the merge and rename controls; its content runs only while it is open.

    A fragment: opening, searching and picking rerun only this expander, not the page's charts and
    tables; a saved change reruns the whole page. (Not forms: a form holds its picks until it is
    submitted, so a second search would drop the first pick.)
    """
    box = st.expander("Merge or rename speakers", key=SPEAKER_EDITOR, on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption(f"Corrections are saved to `{settings.user_aliases(view.store_dir)}` and survive rebuilds.")
        names = _find_speakers(view, "merge_find", ("merge_from", "merge_into", "rename_from"))
        if names is None:
            st.info("No speakers to correct.")
            return
        merge, rename = st.columns(2)
        with merge.container(border=True):
            st.markdown("**Merge two speakers** (same person, different names)")
            source = st.selectbox("Merge this speaker", names, key="merge_from", index=None)
            target = st.selectbox("into this speaker", names, key="merge_into", index=None)
            if st.button("Merge", key="merge_go"):
                _apply(view, source, target)
        with rename.container(border=True):
            st.markdown("**Rename a speaker**")
            source = st.selectbox("Speaker", names, key="rename_from", index=None)
            target = st.text_input("New name", key="rename_to")
            if st.button("Rename", key="rename_go"):
                _apply(view, source, target)


def _find_speakers(view: data.View, key: str, pickers: tuple[str, ...], kind: str | None = None) -> list[str] | None:
    """A search box over every speaker of the store; the names the lists below it then offer.

    With no text: the EDITOR_CHOICES most quoted. A name already picked in one of `pickers` stays
    offered, so a new search does not undo a choice. None when the store has no such speaker at all.
    """
    top = view.raw(queries.speaker_choices, EDITOR_CHOICES)
    if kind:
        top = top[top["kind"] == kind]
    if not len(top):
        return None
    found = st.text_input(
        "Find a speaker by name",
        key=key,
        type="search",
        placeholder="Part of a name, then Enter",
        help=f"Searches every speaker in the corpus (any case); without a search the lists offer the "
        f"{EDITOR_CHOICES} most quoted.",
    )
    found = (found or "").strip()
    if found:
        frame = view.raw(queries.speaker_search, found, sidebar.MAX_MATCHES)
        if kind:
            frame = frame[frame["kind"] == kind]
        noun = f"{kind} speaker" if kind else "speaker"
        st.caption(
            f"{len(frame)} {noun}(s) match \u201c{found}\u201d."
            if len(frame)
            else f"No {noun} has \u201c{found}\u201d in its name."
        )
    else:
        frame = top
    picked = [st.session_state.get(picker) for picker in pickers]
    return list(dict.fromkeys([*(p for p in picked if p), *frame["speaker"]]))


INFERRED = "as inferred"


def save_gender(view: data.View, speaker: str, value: str | None) -> None:
    """Record a person's gender (None: back to the inferred one), derive the speakers table again, forget cached results."""
    from dashboard import corpus

    gender.save_correction(gender.corrections_path(view.store_dir), speaker, value)
    corpus.regender(view.store_dir)
    data.clear_caches()


@st.fragment
def gender_editor(view: data.View) -> None:
    """An expander to correct a person speaker's gender (organisations have none); a fragment, as above."""
    box = st.expander("Correct a speaker's gender", key=GENDER_EDITOR, on_change="rerun")
    if not box.open:
        return
    with box:
        st.caption(
            f"Corrections are saved to `{gender.corrections_path(view.store_dir)}`, re-applied by every run "
            "and by `python -m dashboard names`, and win over the inferred gender."
        )
        names = _find_speakers(view, "gender_find", ("gender_speaker",), kind="person")
        if names is None:
            st.info("No person speakers to correct.")
            return
        with st.container(border=True):
            speaker = st.selectbox("Speaker", names, key="gender_speaker", index=None)
            if speaker:
                row = view.raw(queries.gender_of, speaker)
                if len(row):
                    st.caption(f"Now **{row.iloc[0]['gender']}**: {row.iloc[0]['evidence']}")
            value = st.radio("Gender", [*gender.GENDERS, INFERRED], key="gender_value", horizontal=True)
            if st.button("Save gender", key="gender_go"):
                if not speaker:
                    st.warning("Choose a speaker.")
                    return
                try:
                    with st.spinner(f"Saving the gender of “{speaker}”…"):
                        save_gender(view, speaker, None if value == INFERRED else value)
                except Exception as err:  # noqa: BLE001 - shown to the user, the store stays as it was
                    st.error(f"The change could not be saved: {err}")
                    return
                st.toast(f"“{speaker}” is now {value}.")
                st.rerun()

"""The Compare page's sides: kept in session state and in the URL, edited through the sidebar.

Decision (docs/dashboard.md, "Compare"): a side is edited with the sidebar's own controls, not a
second set of controls per side. "From sidebar" copies the sidebar into a side, "Edit in sidebar"
copies a side into the sidebar, and "One side per speaker" (or entity, topic, any
filter holding 2 to 4 choices) splits the sidebar's filters into one side per choice. So every
filter the sidebar has, now or later, is available to every side, with no control drawn twice.
"""

from __future__ import annotations

import streamlit as st

from dashboard import comparison
from dashboard.filters import Filters
from dashboard.ui import sidebar
from dashboard.ui.data import View

STATE = "_compare_sides"
# Filters field -> the noun of one of its values, for "One side per ..." (others show the field name).
NOUNS = {
    "speakers": "speaker",
    "speaker_kinds": "speaker kind",
    "speaker_genders": "gender",
    "entities": "entity",
    "entity_labels": "entity type",
    "topics": "topic",
    "sources": "outlet",
}


def _url_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _sides() -> list[Filters]:
    state = st.session_state
    if STATE not in state:  # a session's first run: the URL says what is compared
        state[STATE] = list(comparison.from_params(_url_params()))
    return list(state[STATE])


def _write_url(sides: list[Filters]) -> None:
    current = _url_params()
    wanted = {name: values for name, values in current.items() if not comparison.is_param(name)}
    for name, value in comparison.to_params(sides).items():
        wanted[name] = value if isinstance(value, list) else [value]
    if wanted != current:
        st.query_params.from_dict(wanted)


# Button callbacks: they run before the script, so the sidebar can still take a loaded side.
def _put(index: int, f: Filters) -> None:
    sides = _sides()
    sides[index : index + 1] = [f]
    st.session_state[STATE] = sides[: comparison.MAX_SIDES]


def _remove(index: int) -> None:
    st.session_state[STATE] = [s for i, s in enumerate(_sides()) if i != index]


def _split(f: Filters, field: str) -> None:
    st.session_state[STATE] = list(comparison.split(f, field))


def sides(view: View) -> list[Filters]:
    """The buttons that build the comparison from the sidebar's filters; returns the sides (also put in the URL)."""
    current = _sides()
    f = view.filters
    st.caption(
        "The sidebar's filters (above) do not apply here: each side has its own. Set filters in the "
        "sidebar, then put them into a side (*From sidebar*); *Edit in sidebar* takes a side's filters there."
    )
    fields = comparison.splittable(f)
    buttons = st.columns(1 + len(fields))
    new = len(current)
    buttons[0].button(
        f"Add the sidebar's filters as side {comparison.label(new)}"
        if new < comparison.MAX_SIDES
        else "Four sides at most",
        key="compare_add",
        on_click=_put,
        args=(new, f),
        disabled=new >= comparison.MAX_SIDES,
        icon=":material/add:",
    )
    for column, field in zip(buttons[1:], fields):
        column.button(
            f"One side per {NOUNS.get(field, field.replace('_', ' '))}",
            key=f"compare_split_{field}",
            on_click=_split,
            args=(f, field),
            help="Replaces the sides: one per chosen value, every other filter of the sidebar kept.",
            icon=":material/call_split:",
        )
    _write_url(current)
    return current


def side_header(view: View, index: int, side: Filters) -> None:
    """A side's name, its filter sentence and its buttons (put the sidebar in, edit in the sidebar, remove)."""
    letter = comparison.LETTERS[index]
    st.subheader(f"Side {comparison.label(index)}")
    st.caption(side.describe())
    use, edit, remove = st.columns(3)
    use.button(
        "From sidebar",
        key=f"compare_set_{letter}",
        on_click=_put,
        args=(index, view.filters),
        disabled=side == view.filters,
        help="Replace this side's filters with the sidebar's.",
    )
    edit.button(
        "Edit in sidebar",
        key=f"compare_edit_{letter}",
        on_click=sidebar.load,
        args=(side,),
        disabled=side == view.filters,
        help="Put this side's filters into the sidebar, to change them there and bring them back with *From sidebar*.",
    )
    remove.button("Remove", key=f"compare_remove_{letter}", on_click=_remove, args=(index,))

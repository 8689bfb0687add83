"""The sidebar shared by every page: which corpus is open, and the filters, kept in the URL.

State model: the widgets own the values (`st.session_state[KEY]`). On a session's first run they
are seeded from the URL (`Filters.from_params`); each run then writes `Filters.to_params()` back
into the URL, so a copied link reopens the view. The last Filters value is also kept in session
state, which re-seeds any widget whose state Streamlit dropped on a page switch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import queries
from dashboard.filters import ENTITY_LABELS, SOURCE_PARAM, SPEAKER_GENDERS, SPEAKER_KINDS, Filters
from dashboard.ui.data import View

# Widget keys: stable, documented in docs/dashboard.md (the browser tests use them).
PRESET = "filter_preset"
DATES = "filter_dates"
SPEAKERS = "filter_speakers"
KINDS = "filter_speaker_kinds"
GENDERS = "filter_speaker_genders"
ENTITIES = "filter_entities"
LABELS = "filter_entity_labels"
TOPICS = "filter_topics"
SOURCES = "filter_sources"
TEXT = "filter_text"
SPEAKER_FIND = "filter_speaker_find"
ENTITY_FIND = "filter_entity_find"
CLEAR = "filter_clear"
_LAST = "_filters_last"
SPAN = "_corpus_span"
_RENAMED = "_speaker_renamed"

# Filters field -> widget key, for the multi-choice filters a chart click can extend.
FIELD_KEYS = {
    "speakers": SPEAKERS,
    "speaker_kinds": KINDS,
    "speaker_genders": GENDERS,
    "entities": ENTITIES,
    "entity_labels": LABELS,
    "topics": TOPICS,
    "sources": SOURCES,
}
URL_NAMES = ("start", "end", *(f for f in FIELD_KEYS if f != "sources"), SOURCE_PARAM, "text")

# Names a speaker or entity list offers before anything is typed into its "Find" box: the most
# frequent. Every run sends them all to the browser, each costing its label plus ~2 bytes: with
# names of ~20 characters, 3,000 of each were ~160 kB per run, 500 are ~27 kB. Any other name in
# the store is one search away, so the short list only has to hold the names people browse for.
MAX_CHOICES = 500
# Matches of a "Find" box offered in the list: the most quoted / mentioned first.
MAX_MATCHES = 50

TEXT_HELP = """Articles having **every** word, any case, anywhere in the title or text.

- A word also finds its other forms: *price* finds prices and priced; *prices* finds price.
  An irregular form (*rose*, *said*) can miss some: type the plain form (*rise*, *say*) to get all.
- "A phrase in quotation marks" must appear exactly so, in that order (any case, any spacing).
- Numbers, codes (*50%*, *U.S.*) and very common words (*the*, *said*) must appear as typed, also
  inside longer words; they make the search slower, as every article's text is then read.
"""

ALL = "All dates"
CUSTOM = "Custom range"
PRESETS = (ALL, "Last 7 days", "Last 30 days", "Last 365 days", "This year", "Last year", CUSTOM)


def preset_range(preset: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The dates a preset stands for, relative to the corpus's last day (news corpora can be old)."""
    days = {"Last 7 days": 7, "Last 30 days": 30, "Last 365 days": 365}
    if preset == ALL:
        return first, last
    if preset in days:
        return max(first, last - dt.timedelta(days=days[preset] - 1)), last
    if preset == "This year":
        return max(first, dt.date(last.year, 1, 1)), last
    if preset == "Last year":
        start, end = dt.date(last.year - 1, 1, 1), dt.date(last.year - 1, 12, 31)
        return (max(first, start), min(last, end)) if end >= first else None
    return None


def corpus_dates(view: View) -> tuple[dt.date, dt.date] | None:
    """First and last date of the whole store, or None when it has no dated article."""
    row = view.raw(queries.corpus_span).iloc[0]
    if pd.isna(row["first"]):
        return None
    return pd.Timestamp(row["first"]).date(), pd.Timestamp(row["last"]).date()


def _clamp(day: dt.date | None, span: tuple[dt.date, dt.date], default: dt.date) -> dt.date:
    return default if day is None else min(max(day, span[0]), span[1])


def _matching_preset(dates: tuple, span: tuple[dt.date, dt.date]) -> str:
    for preset in PRESETS[:-1]:
        if len(dates) == 2 and preset_range(preset, *span) == tuple(dates):  # the first match wins
            return preset
    return CUSTOM


def _seed(initial: Filters, span: tuple[dt.date, dt.date] | None) -> None:
    """Give each widget without state its value from `initial` (first run or after a page switch)."""
    state = st.session_state
    # Re-assigning turns a widget's value into a session value, which the same-keyed widget on
    # the next page adopts; without it a page switch would reset the filters.
    for key in (PRESET, DATES, TEXT, SPEAKER_FIND, ENTITY_FIND, *FIELD_KEYS.values()):
        if key in state:
            state[key] = state[key]
    if span and DATES not in state:
        state[DATES] = (_clamp(initial.start, span, span[0]), _clamp(initial.end, span, span[1]))
    if span and PRESET not in state:
        state[PRESET] = _matching_preset(state[DATES], span)
    for field, key in FIELD_KEYS.items():
        if key not in state:
            state[key] = list(getattr(initial, field))
    if TEXT not in state:
        state[TEXT] = initial.text


def _fit_dates(old: tuple[dt.date, dt.date] | None, span: tuple[dt.date, dt.date]) -> None:
    """The store changed under this session: keep "all dates" all, clamp a narrower range into the new span."""
    dates = tuple(st.session_state[DATES])
    if not old or dates == old or len(dates) != 2:
        st.session_state[DATES] = span
    else:
        start, end = _clamp(dates[0], span, span[0]), _clamp(dates[1], span, span[1])
        st.session_state[DATES] = (start, end) if start <= end else span
    st.session_state[PRESET] = _matching_preset(st.session_state[DATES], span)


def _on_preset(span: tuple[dt.date, dt.date]) -> None:
    dates = preset_range(st.session_state[PRESET], *span)
    if dates:
        st.session_state[DATES] = dates


def _on_dates(span: tuple[dt.date, dt.date]) -> None:
    st.session_state[PRESET] = _matching_preset(tuple(st.session_state[DATES]), span)


def clear_all(span: tuple[dt.date, dt.date] | None = None) -> None:
    """Reset every filter (a button callback: runs before the widgets are drawn)."""
    state = st.session_state
    for key in FIELD_KEYS.values():
        state[key] = []
    state[TEXT] = state[SPEAKER_FIND] = state[ENTITY_FIND] = ""
    if span:
        state[DATES] = span
        state[PRESET] = ALL
    state[_LAST] = Filters()


def add_to_filter(field: str, values: Iterable[str]) -> None:
    """Add values to a multi-choice filter (used by chart clicks, before widgets are drawn)."""
    key = FIELD_KEYS[field]
    current = list(st.session_state.get(key, []))
    st.session_state[key] = current + [v for v in values if v not in current]


def load(f: Filters) -> None:
    """Show `f` in the sidebar from the next run on (a button callback: runs before the widgets are drawn).

    The widgets forget their values and are seeded from `f`, as on a session's first run from the URL.
    """
    for key in (PRESET, DATES, TEXT, SPEAKER_FIND, ENTITY_FIND, *FIELD_KEYS.values()):
        st.session_state.pop(key, None)
    st.session_state[_LAST] = f


def rename_speaker(old: str, new: str) -> None:
    """After a merge or rename, point the speaker filter at the new name on the next run."""
    st.session_state[_RENAMED] = (old, new)


def _apply_rename() -> None:
    # Runs before the widgets are drawn: the speaker filter's state may still change then.
    renamed = st.session_state.pop(_RENAMED, None)
    if renamed:
        old, new = renamed
        chosen = [new if s == old else s for s in st.session_state.get(SPEAKERS, [])]
        st.session_state[SPEAKERS] = list(dict.fromkeys(chosen))


def _options(frame: pd.DataFrame, column: str, selected: list[str]) -> list[str]:
    values = list(frame[column])
    return values + [s for s in selected if s not in set(values)]


@dataclass(frozen=True)
class _Names:
    """One name filter: a speaker or entity list with its "Find" box and the queries behind them."""

    noun: str
    plural: str
    key: str
    find_key: str
    top: Callable[..., pd.DataFrame]  # (con, limit) -> name, detail, count: the most frequent
    search: Callable[..., pd.DataFrame]  # (con, text, limit) -> the same columns: names containing text
    count: str
    placeholder: str

    def label(self, name: str, detail: str, n: int) -> str:
        """What the list shows for a name (the browser tests match these shapes)."""
        return f"{name} \u00b7 {detail}" if self.noun == "entity" else f"{name} ({n:,})"


_SPEAKER_NAMES = _Names(
    "speaker",
    "speakers",
    SPEAKERS,
    SPEAKER_FIND,
    queries.speaker_choices,
    queries.speaker_search,
    "quotes",
    "Most quoted speakers",
)
_ENTITY_NAMES = _Names(
    "entity",
    "entities",
    ENTITIES,
    ENTITY_FIND,
    queries.entity_choices,
    queries.entity_search,
    "articles",
    "Most mentioned entities",
)


def _name_filter(view: View, names: _Names) -> list[str]:
    """A "Find" box searching every name in the store, above the multiselect that picks names.

    Streamlit's multiselect only filters the options it was sent, so the store is searched here:
    with text in the box the list offers the best matches instead of the most frequent names.
    Chosen names always stay in the list (a link may name any of them). Returns the chosen names.
    """
    found = st.text_input(
        f"Find any {names.noun} by name",
        key=names.find_key,
        type="search",
        persist_state="session",
        placeholder="Part of a name, then Enter",
        help=f"Searches every {names.noun} in the corpus (any case, the text as typed); the list below "
        f"then offers the {MAX_MATCHES} with most {names.count}.",
    )
    found = (found or "").strip()
    if found:
        frame = view.raw(names.search, found, MAX_MATCHES)
        more = "+" if len(frame) == MAX_MATCHES else ""
        st.caption(
            f"{len(frame)}{more} {f'{names.noun} matches' if len(frame) == 1 else f'{names.plural} match'} "
            f"\u201c{found}\u201d: pick below."
            if len(frame)
            else f"No {names.noun} in the corpus has \u201c{found}\u201d in its name."
        )
    else:
        frame = view.raw(names.top, MAX_CHOICES)
    name, detail = frame.columns[0], frame.columns[1]
    labels = {row[0]: names.label(*row) for row in frame[[name, detail, names.count]].itertuples(index=False)}
    return st.multiselect(
        names.plural.capitalize(),
        _options(frame, name, st.session_state[names.key]),
        key=names.key,
        persist_state="session",
        format_func=lambda value: labels.get(value, value),
        placeholder=f"Matches of \u201c{found}\u201d" if found else names.placeholder,
        help=f"Without a search: the {MAX_CHOICES} with most {names.count} in the corpus. Type here to narrow the list.",
        filter_mode="contains",
        select_all=False,
    )


def _source_filter(view: View) -> list[str]:
    """The outlet choice, drawn only when there is a choice to make: two or more outlets in the store,
    or outlets already chosen (a link may name one), so a one-outlet store shows no control."""
    outlets = view.raw(queries.source_choices)
    chosen = st.session_state[SOURCES]
    if len(outlets) < 2 and not chosen:
        return []
    counts = dict(zip(outlets["source"], outlets["articles"]))
    return st.multiselect(
        "Outlets",
        _options(outlets, "source", chosen),
        key=SOURCES,
        persist_state="session",
        format_func=lambda s: f"{s} ({counts[s]:,})" if s in counts else s,
        placeholder="All outlets",
        help="Articles from any chosen outlet (the source each article was stored with).",
    )


def _filters_from_widgets(values: dict, span: tuple[dt.date, dt.date] | None) -> Filters:
    f = Filters(
        text=(values.get(TEXT) or "").strip(),
        **{field: tuple(values.get(key) or ()) for field, key in FIELD_KEYS.items()},
    )
    dates = tuple(values.get(DATES) or ()) if span else ()
    # The whole span means "no date filter": the sentence then says "All articles", and a rebuilt
    # store's new dates stay in view. Any narrower choice keeps both ends, as the user picked them.
    if len(dates) == 2 and (dates[0], dates[1]) == span:
        start = end = None
    else:
        start = dates[0] if dates else None
        end = dates[1] if len(dates) == 2 else None
    return f.with_(start=start, end=end)


def _url_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in st.query_params}


def _write_url(f: Filters) -> None:
    current = _url_params()
    others = {k: v for k, v in current.items() if k not in URL_NAMES}
    wanted = {**others, **{k: v if isinstance(v, list) else [v] for k, v in f.to_params().items()}}
    if wanted != current:
        st.query_params.from_dict(wanted)


def corpus_caption(view: View) -> str:
    """Markdown naming the open corpus: articles, date span, when processed, model."""
    m = view.manifest
    span = corpus_dates(view)
    articles = int(view.raw(queries.corpus_span).iloc[0]["articles"])
    dates = f"{span[0]:%d %b %Y} – {span[1]:%d %b %Y}" if span else "no dates"
    created = str(m.get("created", "unknown"))[:16].replace("T", " ")
    model = m.get("model") or m.get("model_package") or "unknown model"
    return (
        f"**{view.store_dir.name}** · {articles:,} article{'' if articles == 1 else 's'}  \n{dates}  \n"
        f"processed {created} UTC · {model}"
    )


def filters(view: View) -> Filters:
    """Draw the sidebar filters and return this run's Filters (also written into the URL)."""
    state = st.session_state
    span = corpus_dates(view)
    previous_span = state.get(SPAN, span)
    state[SPAN] = span
    if span and previous_span != span and DATES in state:
        _fit_dates(previous_span, span)
    initial = state.get(_LAST)
    if initial is None:
        initial = Filters.from_params(_url_params())
    _seed(initial, span)
    _apply_rename()

    values = {}  # what the widgets return this run (the source of truth for this run's Filters)
    with st.sidebar:
        st.caption(corpus_caption(view))
        st.subheader("Filters")
        if span:
            presets = [p for p in PRESETS if p == CUSTOM or preset_range(p, *span)]
            st.selectbox("Date range", presets, key=PRESET, persist_state="session", on_change=_on_preset, args=(span,))
            values[DATES] = st.date_input(
                "Dates",
                min_value=span[0],
                max_value=span[1],
                key=DATES,
                persist_state="session",
                on_change=_on_dates,
                args=(span,),
                format="YYYY-MM-DD",
                label_visibility="collapsed",
            )
        values[SOURCES] = _source_filter(view)
        values[SPEAKERS] = _name_filter(view, _SPEAKER_NAMES)
        values[KINDS] = st.multiselect(
            "Speaker kinds",
            list(SPEAKER_KINDS),
            key=KINDS,
            persist_state="session",
            placeholder="People and organisations",
        )
        values[GENDERS] = st.multiselect(
            "Speaker genders",
            list(SPEAKER_GENDERS),
            key=GENDERS,
            persist_state="session",
            placeholder="Any gender",
            help="People quoted whose gender is this (organisations have none); see the Gender page for the evidence.",
        )
        values[ENTITIES] = _name_filter(view, _ENTITY_NAMES)
        values[LABELS] = st.multiselect(
            "Entity types", list(ENTITY_LABELS), key=LABELS, persist_state="session", placeholder="All types"
        )
        topics = view.raw(queries.topic_choices)
        kinds = dict(zip(topics["topic"], topics["kind"]))
        values[TOPICS] = st.multiselect(
            "Topics",
            _options(topics, "topic", state[TOPICS]),
            key=TOPICS,
            persist_state="session",
            format_func=lambda t: f"{t} (discovered)" if kinds.get(t) == "discovered" else t,
            placeholder="Taxonomy and discovered topics",
        )
        values[TEXT] = st.text_input(
            "Search titles and text",
            key=TEXT,
            persist_state="session",
            placeholder='e.g. oil prices or "crude oil"',
            help=TEXT_HELP,
        )
        st.button("Clear all filters", key=CLEAR, on_click=clear_all, args=(span,), width="stretch")
        st.caption("The page address holds these filters: copy it to share this view.")

    f = _filters_from_widgets(values, span)
    state[_LAST] = f
    _write_url(f)
    return f

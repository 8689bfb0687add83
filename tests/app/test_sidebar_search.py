"""The sidebar's "Find" boxes reach names the lists do not offer, and the choice stays in the URL."""

from __future__ import annotations

import pytest

from dashboard.filters import Filters
from dashboard.ui.sidebar import MAX_CHOICES
from tests.app.many_names import RARE_ENTITY, RARE_SPEAKER, write_many_names_store


@pytest.fixture(scope="module")
def many_names_store(tmp_path_factory):
    return write_many_names_store(tmp_path_factory.mktemp("many") / "store")


def sidebar_captions(at) -> list[str]:
    return [c.value for c in at.sidebar.caption]


def test_a_rare_speaker_is_found_by_part_of_its_name_and_kept_in_the_url(open_app, many_names_store):
    at = open_app(many_names_store)
    speakers = at.multiselect(key="filter_speakers")
    assert len(speakers.options) == MAX_CHOICES
    assert not any(RARE_SPEAKER in option for option in speakers.options)

    at.text_input(key="filter_speaker_find").input("WRÓBL").run()  # any case, part of the surname
    assert at.multiselect(key="filter_speakers").options == [f"{RARE_SPEAKER} (1)"]
    assert "1 speaker matches “WRÓBL”: pick below." in sidebar_captions(at)

    at.multiselect(key="filter_speakers").select(RARE_SPEAKER).run()
    assert at.caption[0].value == f"Articles where speaker is {RARE_SPEAKER}"
    assert Filters.from_params({k: at.query_params[k] for k in at.query_params}) == Filters(speakers=(RARE_SPEAKER,))
    assert [m.value for m in at.metric][:2] == ["1", "1"]  # one article, its one quote

    # Emptying the box brings back the most quoted list; the chosen name stays chosen and listed.
    at.text_input(key="filter_speaker_find").input("").run()
    speakers = at.multiselect(key="filter_speakers")
    assert speakers.value == [RARE_SPEAKER]
    assert len(speakers.options) == MAX_CHOICES + 1


def test_a_link_naming_a_rare_speaker_reopens_it(open_app, many_names_store):
    at = open_app(many_names_store, "speakers.py", speakers=RARE_SPEAKER)
    assert not at.exception, at.exception
    assert at.multiselect(key="filter_speakers").value == [RARE_SPEAKER]
    assert at.caption[0].value == f"Articles where speaker is {RARE_SPEAKER}"


def test_a_rare_entity_is_found_and_a_typed_wildcard_is_literal(open_app, many_names_store):
    at = open_app(many_names_store, "entities.py")
    assert not any(RARE_ENTITY in option for option in at.multiselect(key="filter_entities").options)
    at.text_input(key="filter_entity_find").input("yzx sp").run()
    assert at.multiselect(key="filter_entities").options == [f"{RARE_ENTITY} · LOC"]
    at.multiselect(key="filter_entities").select(RARE_ENTITY).run()
    assert at.caption[0].value == f"Articles where entity is {RARE_ENTITY}"
    assert Filters.from_params({k: at.query_params[k] for k in at.query_params}) == Filters(entities=(RARE_ENTITY,))

    at.text_input(key="filter_entity_find").input("Speaker 0_1").run()  # "_" is no wildcard
    assert at.multiselect(key="filter_entities").options == [RARE_ENTITY]  # only the chosen one
    assert "No entity in the corpus has “Speaker 0_1” in its name." in sidebar_captions(at)


def test_clear_all_empties_the_find_boxes(open_app, many_names_store):
    at = open_app(many_names_store)
    at.text_input(key="filter_speaker_find").input("zofia").run()
    at.text_input(key="filter_entity_find").input("zzy").run()
    at.button(key="filter_clear").click().run()
    assert at.text_input(key="filter_speaker_find").value == ""
    assert at.text_input(key="filter_entity_find").value == ""
    assert len(at.multiselect(key="filter_speakers").options) == MAX_CHOICES

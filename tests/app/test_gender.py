"""The gender page and the gender correction on the Speakers page, on the hand-written store."""

from __future__ import annotations

from dashboard import gender, store
from dashboard.ui import editing
from tests.app.test_pages import first_caption, open_editor, table_with


def test_the_gender_page_shows_each_persons_gender_and_its_evidence(open_app, small_store):
    at = open_app(small_store, "gender.py")
    assert not at.exception, at.exception
    table = table_with(at, "speaker", "gender", "evidence")
    assert dict(zip(table["speaker"], table["gender"])) == {"Jane Roe": "female", "John Doe": "male"}
    assert [m.value for m in at.metric] == ["67%", "33%", "0%"]  # Jane Roe's 2 quotes, John Doe's 1
    at.multiselect(key="filter_speaker_genders").set_value(["male"]).run()
    assert first_caption(at) == "Articles where speaker gender is male"
    assert list(table_with(at, "speaker", "gender")["speaker"]) == ["John Doe"]


def test_a_gender_correction_is_saved_beside_the_aliases_and_shown(open_app, writable_small_store):
    at = open_editor(open_app(writable_small_store, "speakers.py"), editing.GENDER_EDITOR)
    at.selectbox(key="gender_speaker").set_value("Jane Roe")
    at.radio(key="gender_value").set_value("unknown")
    next(b for b in at.button if b.label == "Save gender").click().run()
    assert not at.exception, at.exception
    assert gender.read_corrections(gender.corrections_path(writable_small_store)) == {"Jane Roe": "unknown"}
    row = (
        store.connect(writable_small_store)
        .execute("SELECT gender, decided_by, evidence FROM speakers WHERE speaker = 'Jane Roe'")
        .fetchone()
    )
    assert row == ("unknown", "user", "corrected by a user (found: given name Jane: female (names list))")
    page = open_app(writable_small_store, "gender.py")
    assert (
        dict(zip(*[table_with(page, "speaker", "gender")[c] for c in ("speaker", "gender")]))["Jane Roe"] == "unknown"
    )

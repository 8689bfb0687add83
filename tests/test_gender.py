"""Gender of the people quoted: literal cases of the evidence order, corrections, and the names command."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import gender, queries, store
from dashboard.cli import main
from dashboard.filters import Filters
from dashboard.nlp.quotes.attribution import gendered_pronoun
from dashboard.nlp.quotes.records import Speaker

# (speaker, kind, per-quote pronouns) and the body of the article quoting them.
PEOPLE = [
    ("Mary Smith", "person", ["he", "he"], "Mary Smith spoke."),  # the article's pronouns beat the census name
    ("Jordan Lee", "person", ["she", "he"], "Jordan Lee spoke."),  # pronouns disagree: unknown
    ("Kim Park", "person", ["she"], "Mr. Park spoke."),  # pronoun against honorific: unknown
    ("Pat Jones", "person", [None], "Ms. Jones spoke, as did Mr. Smithers."),  # an honorific, and another's
    ("Leslie Ward", "person", [None], "Leslie Ward spoke."),  # census says neither: unknown
    ("John Doe", "person", [None], "John Doe spoke."),  # the given name alone
    ("Zork Blah", "person", [None], "Zork Blah spoke."),  # nothing at all
    ("Acme Corp", "organisation", ["she"], "Ms. Corp is no person."),  # organisations are never gendered
    ("Anna Berg", "person", ["she", "she", "she", "she", "he"], "Anna Berg spoke."),  # four fifths decide
]


def _tables(people=PEOPLE) -> dict[str, pd.DataFrame]:
    articles, quotes = [], []
    for i, (speaker, kind, pronouns, body) in enumerate(people):
        aid = f"a{i}"
        articles.append(
            dict(
                article_id=aid,
                file="f",
                line=1,
                date=dt.date(2025, 1 + i % 2, 1),
                title=speaker,
                source="Wire" if i % 2 else "Daily",
            )
        )
        articles[-1].update(url=None, author=None, text=body, words=3, quote_marks=0)
        for j, pronoun in enumerate(pronouns):
            quotes.append(
                dict(
                    article_id=aid,
                    quote_index=j,
                    speaker=speaker,
                    speaker_name=speaker,
                    speaker_role=None,
                    speaker_kind=kind,
                )
            )
            quotes[-1].update(
                quote="x", cue="said", kind="indirect", start_char=0, end_char=1, rule="r",
                resolved_by="pronoun" if pronoun else "name", speaker_pronoun=pronoun,
            )  # fmt: skip
    return {"articles": pd.DataFrame(articles), "quotes": pd.DataFrame(quotes)}


@pytest.fixture
def hand_store(tmp_path):
    return store.write_snapshot(tmp_path / "store", _tables(), {}) and tmp_path / "store"


def _judged(con) -> dict[str, tuple]:
    return {r[0]: (r[2], r[3]) for r in con.execute("SELECT * FROM speakers").fetchall()}


def test_the_evidence_order_and_conflicts(hand_store):
    assert _judged(store.connect(hand_store)) == {
        "Mary Smith": ("male", "pronoun"),
        "Jordan Lee": ("unknown", "conflict"),
        "Kim Park": ("unknown", "conflict"),
        "Pat Jones": ("female", "honorific"),
        "Leslie Ward": ("unknown", "none"),
        "John Doe": ("male", "given name"),
        "Zork Blah": ("unknown", "none"),
        "Acme Corp": (None, None),
        "Anna Berg": ("female", "pronoun"),
    }


def test_an_accented_given_name_tells_its_gender_in_the_store_too(tmp_path):
    people = [
        ("Mélanie Côté", "person", [None], "Mélanie Côté spoke."),
        ("François Roy", "person", [None], "François Roy spoke."),
        ("Jean Tremblay", "person", [None], "Jean Tremblay spoke."),  # either sex: unknown
    ]
    con = store.connect(store.write_snapshot(tmp_path / "s", _tables(people), {}) and tmp_path / "s")
    assert _judged(con) == {
        "Mélanie Côté": ("female", "given name"),
        "François Roy": ("male", "given name"),
        "Jean Tremblay": ("unknown", "none"),
    }


def test_the_evidence_is_said_in_words(hand_store):
    evidence = {
        r[0]: r[1] for r in store.connect(hand_store).execute("SELECT speaker, evidence FROM speakers").fetchall()
    }
    assert evidence["Mary Smith"] == "pronouns: she 0, he 2; given name Mary: female (names list)"
    assert evidence["Kim Park"] == (
        "conflicting evidence: pronouns: she 1, he 0; honorifics (Mr.): female in 0, male in 1 article(s)"
    )
    assert evidence["Acme Corp"] == "organisation: not gendered"


# A surname alone is shared by a family: an honorific before it does not say whose it is.
SURNAMES = [
    ("Reagan", "person", [None], "Mrs. Reagan arrived as Reagan spoke."),  # surname only: the Mrs. does not decide
    ("Thatcher", "person", ["she", "she"], "Mrs. Thatcher spoke."),  # pronouns still decide a surname
    ("Bush", "person", ["he"], "Mrs. Bush waved as Bush spoke."),  # and a Mrs. cannot make them a conflict
    ("Leslie Reagan", "person", [None], "Mrs. Reagan spoke."),  # two words: the honorific decides
    ("Carter", "person", [None], "Carter spoke."),  # nothing: unknown
]


def test_honorifics_do_not_decide_a_surname_alone(tmp_path):
    store.write_snapshot(tmp_path / "store", _tables(SURNAMES), {})
    con = store.connect(tmp_path / "store")
    assert _judged(con) == {
        "Reagan": ("unknown", "none"),
        "Thatcher": ("female", "pronoun"),
        "Bush": ("male", "pronoun"),
        "Leslie Reagan": ("female", "honorific"),
        "Carter": ("unknown", "none"),
    }
    evidence = dict(con.execute("SELECT speaker, evidence FROM speakers").fetchall())
    assert evidence["Bush"] == (
        "pronouns: she 0, he 1; honorifics (Mrs.): female in 1, male in 0 article(s) (not used: a surname alone)"
    )
    assert evidence["Reagan"] == "honorifics (Mrs.): female in 1, male in 0 article(s) (not used: a surname alone)"
    assert evidence["Carter"] == "no pronoun, honorific or known given name"
    assert evidence["Leslie Reagan"] == "honorifics (Mrs.): female in 1, male in 0 article(s)"


def test_a_pronoun_is_recorded_only_for_a_person_it_resolved_to(nlp):
    doc = nlp("She said so. It said so.")
    she, it = doc[0], doc[4]
    assert gendered_pronoun(she, Speaker("Ann Lee", None, "person", "pronoun")) == "she"
    assert gendered_pronoun(she, Speaker("Ann Lee", None, "person", "name")) is None
    assert gendered_pronoun(it, Speaker("Acme", None, "organisation", "pronoun")) is None


def test_shares_per_period_and_outlet_count_person_quotes(hand_store):
    con = store.connect(hand_store)
    per_outlet = queries.gender_per_source(con, Filters())
    daily = per_outlet[per_outlet["source"] == "Daily"].set_index("gender")["quotes"].to_dict()
    # Daily: Mary Smith (2, male), Kim Park (1, unknown), Leslie Ward (1, unknown), Zork Blah (1), Anna Berg (5)
    assert daily == {"female": 5, "male": 2, "unknown": 3}
    over_time = queries.gender_over_time(con, Filters(sources=("Wire",)))
    assert over_time.groupby("period")["share"].sum().round(9).tolist() == [1.0]
    top = queries.top_speakers_by_gender(con, Filters(), 1)
    assert list(zip(top["gender"], top["speaker"])) == [("female", "Anna Berg"), ("male", "Mary Smith")]
    only_women = queries.speaker_genders(con, Filters(speaker_genders=("female",)))
    assert list(only_women["speaker"]) == ["Anna Berg", "Pat Jones"]


def test_a_correction_is_kept_and_re_applied_by_the_names_command(hand_store, capsys):
    path = gender.corrections_path(hand_store)
    gender.save_correction(path, "Zork Blah", "female")
    gender.save_correction(path, "Mary Smith", "unknown")
    assert _judged(store.connect(hand_store))["Zork Blah"] == ("unknown", "none")  # not yet applied
    assert main(["names", "--store", str(hand_store)]) == 0
    judged = _judged(store.connect(hand_store))
    assert judged["Zork Blah"] == ("female", "user") and judged["Mary Smith"] == ("unknown", "user")
    gender.save_correction(path, "Zork Blah", None)  # back to the inference
    assert gender.read_corrections(path) == {"Mary Smith": "unknown"}
    assert main(["names", "--store", str(hand_store)]) == 0
    assert _judged(store.connect(hand_store))["Zork Blah"] == ("unknown", "none")


def test_corrections_refuse_what_the_file_could_not_hold(tmp_path):
    with pytest.raises(ValueError):
        gender.save_correction(tmp_path / "g.tsv", "A\tB", "female")
    with pytest.raises(ValueError):
        gender.save_correction(tmp_path / "g.tsv", "Ann", "woman")

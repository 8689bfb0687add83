"""Corpus-wide merging of speaker names and the alias file, with negative cases."""

import pandas as pd
import pytest

from dashboard.nlp.speakers import add_alias, build_name_map, default_aliases_path, read_aliases


def frames(mentions, quotes=()):
    m = pd.DataFrame(mentions, columns=["article_id", "name", "label", "count"])
    q = pd.DataFrame(list(quotes), columns=["article_id", "speaker", "speaker_kind"])
    return m, q


def test_variants_of_one_person_merge():
    m, q = frames(
        [
            ("a1", "Donald Trump", "PERSON", 9),
            ("a2", "Donald Trump", "PERSON", 4),
            ("a3", "Donald J. Trump", "PERSON", 2),
            ("a4", "Trump", "PERSON", 3),
            ("a5", "President Trump", "PERSON", 1),
        ],
        [("a4", "Trump", "person")],
    )
    mapping = build_name_map(m, q, {})
    assert mapping == {"Donald J. Trump": "Donald Trump", "Trump": "Donald Trump", "President Trump": "Donald Trump"}


def test_people_sharing_a_surname_do_not_merge():
    m, q = frames(
        [("a1", "Hillary Clinton", "PERSON", 5), ("a2", "Bill Clinton", "PERSON", 4), ("a3", "Clinton", "PERSON", 2)]
    )
    mapping = build_name_map(m, q, {})
    assert "Bill Clinton" not in mapping and "Hillary Clinton" not in mapping
    assert "Clinton" not in mapping  # neither full name dominates the surname


def test_bare_surname_needs_a_dominant_full_name_seen_in_several_articles():
    m, q = frames([("a1", "John Smith", "PERSON", 7), ("a2", "Smith", "PERSON", 3)])
    assert build_name_map(m, q, {}) == {}  # one article naming John Smith is no evidence for a2
    m, q = frames([("a1", "John Smith", "PERSON", 7), ("a3", "John Smith", "PERSON", 2), ("a2", "Smith", "PERSON", 3)])
    assert build_name_map(m, q, {}) == {"Smith": "John Smith"}


def test_non_person_names_change_only_through_aliases():
    m, q = frames(
        [
            ("a1", "Clinton", "GPE", 2),
            ("a2", "Bill Clinton", "PERSON", 5),
            ("a3", "Bill Clinton", "PERSON", 5),
            ("a1", "U.S.", "GPE", 3),
        ]
    )
    assert build_name_map(m, q, {"U.S.": "United States"}) == {"U.S.": "United States"}


def test_aliases_apply_last_and_win():
    m, q = frames(
        [
            ("a1", "Donald Trump", "PERSON", 9),
            ("a2", "Donald J. Trump", "PERSON", 1),
            ("a2", "Trump", "PERSON", 3),
            ("a3", "Donald Trump", "PERSON", 1),
        ]
    )
    mapping = build_name_map(m, q, {"Donald Trump": "The Donald"})
    assert mapping == {"Donald Trump": "The Donald", "Donald J. Trump": "The Donald", "Trump": "The Donald"}


def test_organisation_speakers_without_mentions_keep_their_name():
    m, q = frames([], [("a1", "ministry", "organisation")])
    assert build_name_map(m, q, {}) == {}
    assert build_name_map(m, q, {"ministry": "Ministry of Defence"}) == {"ministry": "Ministry of Defence"}


def test_read_aliases_skips_comments_and_bad_lines(tmp_path):
    path = tmp_path / "aliases.tsv"
    path.write_text("# comment\n\nU.S.\tUnited States\nnot a pair\nUSA\tU.S.\n", encoding="utf-8")
    assert read_aliases(path) == {"U.S.": "United States", "USA": "United States"}
    assert read_aliases(tmp_path / "missing.tsv") == {}


def test_alias_cycle_does_not_hang(tmp_path):
    path = tmp_path / "aliases.tsv"
    path.write_text("A\tB\nB\tA\n", encoding="utf-8")
    assert read_aliases(path) == {"A": "B", "B": "A"}


def test_add_alias_creates_replaces_and_keeps_comments(tmp_path):
    path = tmp_path / "sub" / "aliases.tsv"
    add_alias(path, "Trump", "Donald Trump")
    add_alias(path, "Peskov", "Dmitry Peskov")
    add_alias(path, "Trump", "Donald J. Trump")
    assert read_aliases(path) == {"Trump": "Donald J. Trump", "Peskov": "Dmitry Peskov"}
    assert path.read_text(encoding="utf-8").startswith("#")
    with pytest.raises(ValueError):
        add_alias(path, "Trump", "Trump")
    with pytest.raises(ValueError):
        add_alias(path, "Bad\tname", "X")


def test_shipped_aliases_parse():
    aliases = read_aliases(default_aliases_path())
    assert aliases["U.S."] == "United States"
    assert all("\t" not in k and k != v for k, v in aliases.items())


def test_alias_chains_are_followed_across_the_shipped_and_the_user_file(tmp_path):
    shipped, user = tmp_path / "shipped.tsv", tmp_path / "user.tsv"
    shipped.write_text("U.S.\tUnited States\nPres. Smith\tJohn Smith\n", encoding="utf-8")
    user.write_text("United States\tUSA (country)\nJohn Smith\tJohn Q. Smith\n", encoding="utf-8")
    aliases = read_aliases(shipped, user)
    assert aliases["U.S."] == "USA (country)" and aliases["Pres. Smith"] == "John Q. Smith"
    assert read_aliases(shipped, tmp_path / "missing.tsv")["U.S."] == "United States"


def test_a_bare_surname_stays_when_no_full_name_has_the_dominant_share():
    # Hillary Clinton is seen in two articles (enough evidence) but has 5 of 9 mentions, not 80 %.
    m, q = frames(
        [
            ("a1", "Hillary Clinton", "PERSON", 3),
            ("a2", "Hillary Clinton", "PERSON", 2),
            ("a3", "Bill Clinton", "PERSON", 4),
            ("a4", "Clinton", "PERSON", 2),
        ]
    )
    assert "Clinton" not in build_name_map(m, q, {})

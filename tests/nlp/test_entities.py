"""Entity mentions and canonical names: real small model on literal sentences, plus pure name helpers."""

import pytest

from dashboard.nlp.entities import _headline_name, entity_mentions
from dashboard.nlp.names import clean_name, gender, is_plausible_name, name_key, person_name, strip_titles


def counts(nlp, text):
    return {(m.name, m.label): m.count for m in entity_mentions(nlp(text))}


def test_clean_name_strips_articles_and_possessives():
    assert clean_name("the Kremlin") == "Kremlin"
    assert clean_name("Europe's") == "Europe"
    assert clean_name("Europe’s") == "Europe"
    assert clean_name("the  United\nStates'") == "United States"
    assert clean_name("Theresa May") == "Theresa May"  # 'The' only as a separate word


def test_titles_leave_person_names_but_not_single_words():
    assert strip_titles("President Donald Trump") == "Donald Trump"
    assert person_name("Sen. Elizabeth Warren's") == "Elizabeth Warren"
    assert strip_titles("President") == "President"
    # A capitalised role noun the tagger took into the name ("Analyst Robert Gordon" in Reuters).
    assert strip_titles("Analyst Robert Gordon") == "Robert Gordon"
    assert strip_titles("Economist Glenn Grimes") == "Glenn Grimes"


def test_name_key_ignores_initials():
    assert name_key("Donald J. Trump") == name_key("Donald Trump") == ("donald", "trump")
    assert name_key("Ivanka Trump") != name_key("Donald Trump")


def test_gender_from_given_name_or_honorific():
    assert gender("Hillary Clinton") == "f"
    assert gender("Bill Clinton") == "m"
    assert gender("Mrs. Xyzzy") == "f"
    assert gender("Tyresha McClenney") is None  # in no list


def test_gender_of_given_names_outside_the_us_census_and_with_accents():
    assert gender("Mélanie Joly") == "f" and gender("Melanie Joly") == "f"  # accents folded
    assert gender("François Legault") == "m" and gender("Jean-François Lisée") == "m"
    assert gender("Linus Berg") == "m" and gender("Harjit Sajjan") == "m" and gender("Aoife Kelly") == "f"
    # Of either sex: French Jean and Claude are men, English Jean a woman; Kiran, Gurpreet either.
    assert gender("Jean Charest") is None and gender("Kiran Shah") is None and gender("Gurpreet Dhillon") is None


def test_gender_from_census_given_names_only_when_one_sex_dominates():
    assert gender("Melanie Smith") == "f" and gender("Loretta Lynch") == "f"
    assert gender("Terry Jones") == "m"  # 0.311 % of men, 0.080 % of women
    assert gender("Leslie Wimes") is None  # 0.154 % of women, 0.081 % of men: too close to tell
    assert gender("Warren") is None  # a lone word may be a surname (Elizabeth Warren)


def test_surname_joins_the_full_name(nlp):
    found = counts(nlp, "Kremlin spokesman Dmitry Peskov spoke on Friday. Later Peskov said more.")
    assert found[("Dmitry Peskov", "PERSON")] == 2
    assert not any(name == "Peskov" for name, _ in found)


def test_shared_surname_goes_to_the_most_recent_full_name(nlp):
    text = "Hillary Clinton spoke in Ohio. Clinton was tired. Bill Clinton spoke in Iowa. Clinton was cheerful."
    found = counts(nlp, text)
    assert found[("Hillary Clinton", "PERSON")] == 2
    assert found[("Bill Clinton", "PERSON")] == 2


def test_honorific_picks_among_people_sharing_a_surname(nlp):
    text = "Ted Cruz spoke in Iowa. Heidi Cruz spoke in Ohio. Mr. Cruz was tired."
    found = counts(nlp, text)
    assert found[("Ted Cruz", "PERSON")] == 2
    assert found[("Heidi Cruz", "PERSON")] == 1


def test_possessive_and_article_forms_count_as_one(nlp):
    found = counts(nlp, "Europe's leaders met in Paris. Europe agreed. The Kremlin objected to Europe.")
    assert found[("Europe", "LOC")] == 3
    assert ("Kremlin", "ORG") in found or ("Kremlin", "GPE") in found


def test_dates_and_numbers_are_not_entities(nlp):
    found = counts(nlp, "On Friday, 12 September 2025, three rounds of talks cost $5 million.")
    assert found == {}


def test_unrelated_single_names_stay_apart(nlp):
    found = counts(nlp, "Angela Merkel met Emmanuel Macron. Merkel smiled.")
    assert found[("Angela Merkel", "PERSON")] == 2
    assert found[("Emmanuel Macron", "PERSON")] == 1


# --- what is not a name ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, plausible",
    [
        ("Revs", False),
        ("Avg", False),
        ("Revs 12.2 mln vs", False),
        ("U.S. Dlrs", False),
        ("cts", False),
        ("Co Inc", False),
        ("S", False),
        ("1987", False),
        ("Dmitry Peskov", True),
        ("Ford Motor Co", True),
        ("EC", True),
        ("Zapad-2025", True),
        ("G7", True),
        ("FlagShareLikeReplySara Bondioli", False),
        ("Robert McDonough", True),
        ("Mary MacKenzie-McDonald", True),
        ("YouTube", True),
    ],
)
def test_shorthand_amounts_and_lone_letters_are_not_names(name, plausible):
    assert is_plausible_name(name) is plausible


def test_newswire_angle_brackets_are_no_part_of_a_name(nlp):
    doc = nlp("<Acme Holdings Inc> said it agreed to buy the unit. Revs 12.2 mln vs 10.1 mln.")
    names = {m.name for m in entity_mentions(doc)}
    assert not any("<" in n or ">" in n for n in names)
    assert not any("Revs" in n or "mln" in n for n in names)


def test_headline_words_the_body_never_uses_leave_a_person_name():
    body = {"Barack", "Obama", "Ted", "Cruz", "Clinton"}
    assert _headline_name("Derelict Obama", body) == "Obama"
    assert _headline_name("Endorses Ted Cruz", body) == "Ted Cruz"
    assert _headline_name("Ted Cruz Wins", body) == "Ted Cruz"
    assert _headline_name("Barack Obama", body) == "Barack Obama"
    assert _headline_name("Zelda Xyzzy", body) == "Zelda Xyzzy"  # no evidence either way: unchanged

"""Quote rules on literal sentences through the real small model, with negative cases beside them."""

import pytest

from dashboard.nlp.extract import annotate_doc
from dashboard.nlp.quotes import quoted_spans


@pytest.fixture
def quotes(nlp):
    """text -> list of Quote from annotate_doc over the whole text."""
    return lambda text: annotate_doc(nlp(text)).quotes


def only(found):
    assert len(found) == 1, found
    return found[0]


# -- quotation marks ------------------------------------------------------------------------


def test_marks_straight_curly_and_single():
    text = 'He said "yes" and “no” and ‘maybe’.'
    assert [text[a:b] for a, b in quoted_spans(text)] == ["yes", "no", "maybe"]


def test_apostrophes_never_open_a_quotation():
    text = "The soldiers' bodies and the deal's terms don't count. Rock 'n roll."
    assert quoted_spans(text) == []


def test_quotation_continued_over_paragraphs_is_one_span():
    text = 'He said: "First part.\n\n"Second part."\n\nAfter.'
    assert [text[a:b] for a, b in quoted_spans(text)] == ['First part.\n\n"Second part.']


# -- direct quotes ---------------------------------------------------------------------------


def test_direct_quote_before_the_cue(quotes):
    q = only(quotes('"Prices will fall next year," Angela Merkel said.'))
    assert (q.quote, q.speaker, q.cue, q.kind, q.rule) == (
        "Prices will fall next year,",
        "Angela Merkel",
        "said",
        "direct",
        "direct-before-cue",
    )
    assert q.resolved_by == "name" and q.speaker_kind == "person"


def test_inverted_cue(quotes):
    q = only(quotes("“We will not give up,” said Angela Merkel."))
    assert (q.quote, q.speaker, q.rule) == ("We will not give up,", "Angela Merkel", "direct-inverted")


def test_cue_before_the_quote_with_comma(quotes):
    q = only(quotes('Mary Smith, the chief executive, said, "We are expanding into Asia."'))
    assert (q.speaker, q.speaker_role, q.rule) == ("Mary Smith", "chief executive", "direct-after-cue")
    assert q.quote == "We are expanding into Asia."


def test_colon_introduced_quote(quotes):
    found = quotes('Angela Merkel spoke in Berlin. She added: "Under normal conditions we talk."')
    q = only(found)
    assert (q.speaker, q.rule, q.cue, q.resolved_by) == ("Angela Merkel", "direct-colon", "added", "pronoun")


def test_quote_interrupted_by_its_cue_is_one_quote(quotes):
    text = 'John Smith arrived late. "It is a disgrace," he said, "and we will fight it."'
    q = only(quotes(text))
    assert q.speaker == "John Smith"
    assert q.quote.startswith("It is a disgrace") and q.quote.endswith("we will fight it.")


def test_according_to_after_a_quote(quotes):
    q = only(quotes('"The factory will close," according to John Smith.'))
    assert (q.speaker, q.cue, q.rule, q.kind) == ("John Smith", "according to", "according-to", "direct")


# -- floating quotes -------------------------------------------------------------------------


def test_next_paragraph_quote_continues_the_speaker(quotes):
    text = 'John Smith said: "We are ready."\n\n"Nobody can stop this process now, believe me."'
    first, second = quotes(text)
    assert first.rule == "direct-colon"
    assert (second.rule, second.speaker, second.resolved_by, second.cue) == ("floating", "John Smith", "previous", None)


def test_next_sentence_quote_after_the_cue_is_a_quote_of_the_same_speaker(quotes):
    found = quotes('"This is over," Smith told reporters. "We won."')
    assert [(q.speaker, q.rule, q.quote) for q in found] == [
        ("Smith", "direct-before-cue", "This is over,"),
        ("Smith", "floating", "We won."),
    ]


def test_next_sentence_quote_without_cue_between_continues_the_speaker(quotes):
    found = quotes('Smith told reporters: "This is over." Then he left. "We won."')
    assert [(q.rule, q.speaker) for q in found] == [("direct-colon", "Smith"), ("floating", "Smith")]


def test_quote_running_into_its_sentence_is_no_direct_quote(quotes):
    # no comma after the quotation: 'for the eventual nominee' continues it, 'suggest' is not its cue
    q = only(quotes('He offered "a prayer" for the nominee but did not suggest it would be Trump.'))
    assert q.rule != "direct-before-cue" and q.cue == "suggest"


def test_scare_quotes_are_not_quotations(quotes):
    assert quotes('The swaps followed a "thousand-for-thousand" formula agreed in May.') == []
    assert quotes('The deal is done. "Good luck" to them all, it seems.') == []
    assert quotes("Officials called the plan a 'non-starter' on Monday.") == []


def test_floating_quote_needs_someone_to_continue_from_a_nearby_paragraph(quotes):
    text = (
        'John Smith said: "We are ready."\n\nThe weather was fine.\n\nMarkets rose.\n\n"Such quotes stand alone here."'
    )
    found = quotes(text)
    assert found[-1].rule == "floating" and found[-1].speaker is None


# -- indirect speech -------------------------------------------------------------------------


def test_indirect_speech_with_that(quotes):
    q = only(quotes("John Smith said that the talks would resume in March."))
    assert (q.quote, q.kind, q.rule) == ("the talks would resume in March", "indirect", "indirect")


def test_indirect_speech_fronted(quotes):
    q = only(quotes("Communications are currently on hold, Kremlin spokesman Dmitry Peskov said on Friday."))
    assert (q.quote, q.speaker, q.speaker_role) == (
        "Communications are currently on hold",
        "Dmitry Peskov",
        "Kremlin spokesman",
    )


def test_indirect_speech_with_partial_quote(quotes):
    q = only(quotes('Peskov said the drills appeared "emotionally charged."'))
    assert q.quote.startswith("the drills appeared") and "emotionally charged" in q.quote
    assert q.rule in {"direct-partial", "indirect-partial"}


def test_participle_cue_inherits_the_subject(quotes):
    q = only(quotes("Donald Trump attacked Hillary Clinton on Monday, saying she was unfit to serve."))
    assert (q.speaker, q.cue, q.quote) == ("Donald Trump", "saying", "she was unfit to serve")


def test_according_to_reported_statement(quotes):
    q = only(quotes("According to John Smith, the factory will close."))
    assert (q.speaker, q.quote, q.rule) == ("John Smith", "the factory will close", "according-to")


def test_no_speech_verb_no_quote(quotes):
    assert quotes("John Smith believes that the talks will resume in March.") == []
    assert quotes("John Smith went to Paris on Monday.") == []


def test_expletive_passive_is_not_a_speaker(quotes):
    assert quotes("It was reported that the talks would resume.") == []


# -- speakers --------------------------------------------------------------------------------


def test_pronoun_agrees_in_gender(quotes):
    q = only(quotes("Senator Elizabeth Warren met John Kerry on Monday. She said the deal was fair."))
    assert (q.speaker, q.resolved_by, q.speaker_role) == ("Elizabeth Warren", "pronoun", "Senator")
    q = only(quotes("Senator Elizabeth Warren met John Kerry on Monday. He said the deal was fair."))
    assert q.speaker == "John Kerry"


def test_pronoun_prefers_the_subject_over_a_later_object(quotes):
    text = "Dmitry Peskov criticised Emmanuel Macron on Friday. He said Europe was hindering the talks."
    assert only(quotes(text)).speaker == "Dmitry Peskov"


def test_pronoun_without_antecedent_stays_unknown(quotes):
    q = only(quotes('"We will win," he said.'))
    assert q.speaker is None and q.resolved_by is None


def test_role_resolves_to_the_person_named_in_that_role(quotes):
    text = 'Kremlin spokesman Dmitry Peskov spoke to Angela Merkel on Monday. "We agree," the spokesman said.'
    q = only(quotes(text))
    assert (q.speaker, q.resolved_by, q.speaker_role) == ("Dmitry Peskov", "role", "Kremlin spokesman")


def test_role_matches_an_abbreviated_title(quotes):
    q = only(quotes('Sen. Marco Rubio spoke to Barack Obama on Monday.\n\n"We will win," the senator said.'))
    assert (q.speaker, q.resolved_by, q.speaker_role) == ("Marco Rubio", "role", "Sen.")
    q = only(quotes('Sen. Marco Rubio spoke to Barack Obama on Monday.\n\n"We will win," the governor said.'))
    assert q.speaker is None and q.speaker_role == "governor"


def test_role_never_named_stays_a_role(quotes):
    q = only(quotes('"Prices will fall," the minister said.'))
    assert (q.speaker, q.speaker_role, q.speaker_kind) == (None, "minister", "person")


def test_organisation_speaker(quotes):
    q = only(quotes("The ministry said the talks would resume in March."))
    assert (q.speaker_role, q.speaker_kind) == ("ministry", "organisation")
    q = only(quotes("Gazprom said the talks would resume in March."))
    assert q.speaker_kind in {"organisation", None} and q.speaker == "Gazprom"


def test_surname_speaker_is_the_full_name(quotes):
    found = quotes("Dmitry Peskov arrived. Peskov said the channels were open.")
    assert only(found).speaker == "Dmitry Peskov"


def test_typewriter_quotation_marks_of_older_archives():
    text = "He said ''we will win,'' and ``they agreed.''"
    assert [text[a:b] for a, b in quoted_spans(text)] == ["we will win,", "they agreed."]


def test_typewriter_quote_with_cue(quotes):
    q = only(quotes("''There are big issues,'' said Steven Ekovich, a broker."))
    assert (q.quote, q.speaker, q.rule) == ("There are big issues,", "Steven Ekovich", "direct-inverted")


def test_floating_quote_goes_to_a_person_introduced_since_the_last_quote(quotes):
    text = (
        'John Smith said: "We are ready."\n\n'
        "Angela Merkel, the German chancellor, criticised the plan on Monday.\n\n"
        '"This plan will not work for anyone in Europe."'
    )
    found = quotes(text)
    assert (found[-1].rule, found[-1].speaker, found[-1].resolved_by) == ("floating", "Angela Merkel", "previous")


def test_speaker_past_a_bracketed_party_label(quotes):
    q = only(quotes("Sen. Elizabeth Warren (D-MA) said Donald Trump was a failure in business."))
    assert (q.speaker, q.speaker_role) == ("Elizabeth Warren", "Sen.")


def test_speaker_coordinated_with_a_description(quotes):
    q = only(quotes("GOP contender and former neurosurgeon Ben Carson said the media were unfair to him."))
    assert q.speaker == "Ben Carson"


def test_it_said_resolves_to_the_organisation(quotes):
    q = only(quotes("Exxon Corp raised its prices on Monday. It said demand in Europe would stay high."))
    assert (q.speaker, q.speaker_kind, q.resolved_by) == ("Exxon Corp", "organisation", "pronoun")
    q = only(quotes("John Smith arrived. It said that the talks would resume in March."))
    assert q.speaker is None  # no organisation to refer to


def test_the_company_is_the_organisation_last_named(quotes):
    q = only(quotes('Exxon Corp raised its prices on Monday. "Demand will stay high," the company said.'))
    assert (q.speaker, q.speaker_kind, q.resolved_by) == ("Exxon Corp", "organisation", "role")
    # a specific noun must match the name: Exxon is no ministry
    q = only(quotes('Exxon Corp raised its prices on Monday. "Demand will stay high," the ministry said.'))
    assert (q.speaker, q.speaker_role, q.speaker_kind) == (None, "ministry", "organisation")


def test_pronoun_skips_a_name_inside_reported_speech(quotes):
    # Putin is what Trump talked about; the next 'he said' continues Trump.
    text = 'Donald Trump said Vladimir Putin respects him. "We will get along," he said.'
    assert quotes(text)[-1].speaker == "Donald Trump"
    # outside reported speech the nearer subject still wins
    text = 'Donald Trump arrived. Vladimir Putin left early. "We will get along," he said.'
    assert quotes(text)[-1].speaker == "Vladimir Putin"


def test_pronoun_prefers_the_sentence_subject_over_a_side_clause_subject(quotes):
    text = (
        "Michael Seaman said he is angry. He likes the ideas that Bernie Sanders championed. "
        '"I am sick and tired of it," he said.'
    )
    assert quotes(text)[-1].speaker == "Michael Seaman"
    text = 'Michael Seaman said he is angry. Bernie Sanders championed new ideas. "I am tired of it," he said.'
    assert quotes(text)[-1].speaker == "Bernie Sanders"


def test_pronouns_after_a_name_rule_out_the_wrong_gender(quotes):
    # 'Tyresha' is in no name list; the 'she' after her name says she is not the 'he' that speaks.
    text = (
        "John Smith arrived first.\n\n"
        'Tyresha McClenney took the stage, and she thanked the crowd. "We will win," he said.'
    )
    assert quotes(text)[-1].speaker == "John Smith"
    text = 'John Smith arrived first.\n\nTyresha McClenney took the stage. "We will win," he said.'
    assert quotes(text)[-1].speaker == "Tyresha McClenney"  # nothing tells her gender: the nearer subject


def test_according_to_a_document_names_its_author(quotes):
    q = only(quotes("The plan would cost $5 billion, according to a tally by the Associated Press."))
    assert (q.speaker, q.speaker_kind) == ("Associated Press", "organisation")
    # a person's origin is no authorship
    q = only(quotes("The plan would cost $5 billion, according to a woman from Ohio."))
    assert q.speaker != "Ohio"


def test_a_name_modifying_a_group_noun_is_not_the_speaker(quotes):
    q = only(quotes("Bernie Sanders spoke in Iowa. The Sanders campaign said the vote was rigged."))
    assert (q.speaker, q.speaker_kind) == ("Sanders campaign", "organisation")
    # the name itself as the head of the phrase still speaks
    q = only(quotes("Kremlin spokesman Dmitry Peskov said the channels were open."))
    assert q.speaker == "Dmitry Peskov"


def test_an_indefinite_or_plural_role_is_nobody_named_before(quotes):
    q = only(quotes('Sen. Marco Rubio spoke on Monday.\n\n"We will win," a senator said.'))
    assert (q.speaker, q.speaker_role) == (None, "senator")
    q = only(quotes("Exxon Corp raised its prices on Monday. The groups said the rise was unfair."))
    assert q.speaker != "Exxon Corp"
    q = only(quotes("Exxon Corp raised its prices on Monday. The group said the rise was unfair."))
    assert q.speaker == "Exxon Corp"
    # ... except as the description right after a name
    q = only(quotes("Laurence Meyer, a former Fed governor who argued with Lael Brainard, said the Fed was wrong."))
    assert q.speaker == "Laurence Meyer"


def test_attribution_interpolated_in_its_statement(quotes):
    q = only(quotes("Many of the closures, he said, have involved public and semi-private courses."))
    assert (q.rule, q.quote) == (
        "indirect",
        "Many of the closures, he said, have involved public and semi-private courses",
    )
    q = only(quotes("The plan, officials said on Monday, would cost $5 billion over ten years."))
    assert q.quote.startswith("The plan") and q.quote.endswith("ten years")
    # a relative clause set off by commas is no interpolated attribution
    q = only(quotes("Trump, who said he would win, lost the vote in Iowa."))
    assert q.quote == "he would win"


def test_quotation_resumed_after_a_long_inverted_attribution_is_one_quote(quotes):
    text = (
        '"The risk," said Edward Leamer, an economist who is the director of the UCLA Anderson Forecast, '
        '"is that we\'re going to be attracting workers and repelling jobs."'
    )
    q = only(quotes(text))
    assert q.speaker == "Edward Leamer"
    assert q.quote.startswith("The risk,") and q.quote.endswith("repelling jobs.")
    # a new sentence after the attribution starts a quotation of its own
    found = quotes('"The risk," said Edward Leamer, an economist at UCLA. "Jobs will go," a banker said.')
    assert [q.speaker for q in found] == ["Edward Leamer", None] and found[1].quote == "Jobs will go,"


def test_what_someone_vowed_to_do(quotes):
    q = only(quotes("Bernie Sanders vowed to continue the fight in Washington."))
    assert (q.speaker, q.quote) == ("Bernie Sanders", "to continue the fight in Washington")
    assert quotes("Bernie Sanders wanted to continue the fight in Washington.") == []


def test_they_continues_an_unnamed_group_before_an_organisation(quotes):
    text = (
        "The International Coffee Organization met in London. Producers will present a proposal on quotas, "
        "delegates said.\n\nDistribution would be on an unchanged basis, they said."
    )
    last = quotes(text)[-1]
    assert (last.speaker, last.speaker_role, last.resolved_by) == (None, "delegates", "pronoun")
    # with no group quoted, 'they' is still the organisation
    q = only(quotes("Exxon Corp raised its prices on Monday. They said demand in Europe would stay high."))
    assert (q.speaker, q.speaker_kind) == ("Exxon Corp", "organisation")


def test_an_unresolved_generic_organisation_is_unnamed_not_a_speaker_called_company(quotes):
    q = only(quotes('"Demand will stay high," the company said.'))
    assert (q.speaker, q.speaker_role, q.speaker_kind) == (None, "company", "organisation")
    # Nor a more specific noun: every article's 'the ministry' or 'the board' would be one speaker.
    q = only(quotes("The ministry said the talks would resume in March."))
    assert (q.speaker, q.speaker_role, q.speaker_kind) == (None, "ministry", "organisation")
    q = only(quotes("Schools will reopen next week, the board said."))
    assert (q.speaker, q.speaker_role, q.speaker_kind) == (None, "board", "organisation")
    # A capitalised name the tagger did not tag still names the organisation.
    q = only(quotes("The talks will resume in March, the Foreign Ministry said."))
    assert q.speaker == "Foreign Ministry" and q.speaker_kind == "organisation"


def test_a_lone_letter_is_no_speaker(quotes):
    q = only(quotes("S and P said the ratings remain speculative because of pricing pressures."))
    assert q.speaker is None

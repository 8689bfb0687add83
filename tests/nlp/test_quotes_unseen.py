"""Rules for news the extractor was not tuned on (issue 10), each on literal sentences through the
real small model, with negative cases beside them. People and organisations are invented."""

import pytest

from dashboard.evaluate.quotes import same_speaker
from dashboard.nlp.extract import annotate_doc
from dashboard.nlp.quotes.context import _spells, initials


@pytest.fixture
def quotes(nlp):
    return lambda text: [(q.quote, q.speaker, q.rule) for q in annotate_doc(nlp(text)).quotes]


def test_a_quotation_right_after_its_cue_sentence_is_a_quote_of_the_same_speaker(quotes):
    # Two statements, as a reader (and the Gender Gap Tracker's annotation) counts them; the cue
    # sentence between them is no part of either.
    assert quotes('"We will appeal," said Ana Ruiz. "The ruling ignores the evidence."') == [
        ("We will appeal,", "Ana Ruiz", "direct-inverted"),
        ("The ruling ignores the evidence.", "Ana Ruiz", "floating"),
    ]


def test_a_quotation_resumed_after_a_narrative_sentence_leaves_the_narrative_out(quotes):
    found = quotes(
        '"We will appeal," said Ana Ruiz. She left the courthouse shortly after noon. '
        '"The ruling ignores the evidence and the facts."'
    )
    assert found == [
        ("We will appeal,", "Ana Ruiz", "direct-inverted"),
        ("The ruling ignores the evidence and the facts.", "Ana Ruiz", "floating"),
    ]


def test_a_name_the_tagger_missed_still_takes_its_pronoun(quotes):
    # 'Ana Ruiz' is no entity to the small model; her given name tells 'she' who she is.
    found = quotes('Ana Ruiz said the ruling was wrong. "The ruling ignores the evidence," she added.')
    assert [s for _, s, _ in found] == ["Ana Ruiz", "Ana Ruiz"]
    # but not a 'he'
    found = quotes('Ana Ruiz said the ruling was wrong. "The ruling ignores the evidence," he added.')
    assert found[1][1] is None


def test_an_acronym_speaks_under_the_full_name_the_article_gave(quotes):
    found = quotes(
        "The Northern Transit Authority (NTA) will raise fares in March. "
        "NTA said the increase was needed to pay for new buses."
    )
    assert found[-1][1] == "Northern Transit Authority"
    # a dateline's agency in brackets is no short form of the place before it
    assert quotes("WASHINGTON (AP) — The AP said the poll was accurate.")[-1][1] == "AP"


def test_short_forms_spell_their_names():
    assert initials("Federal Bureau of Investigation") == "FBI"
    assert _spells("ICE", "Immigration and Customs Enforcement") and not _spells("AP", "WASHINGTON")
    assert not _spells("NTA", "Transit Authority")
    assert same_speaker("RNC", "Republican National Committee") and not same_speaker("RNC", "Democratic Party")


def test_the_agency_is_the_authority_named_before(quotes):
    found = quotes(
        "The Northern Transit Authority will raise fares in March. "
        "The agency said the increase was needed to pay for new buses."
    )
    assert found[-1][1] == "Northern Transit Authority"


def test_the_company_is_the_one_that_was_the_subject(quotes):
    found = quotes("Maple Foods bought a farm from Acme Corp last year. The company said the plant was losing money.")
    assert found[-1][1] == "Maple Foods"


def test_an_outlet_after_a_persons_quotation_is_not_the_speaker(quotes):
    found = quotes('Tom Ng defended the plan on Tuesday. "This is the right thing to do," according to CTV News.')
    assert found == [("This is the right thing to do,", "Tom Ng", "according-to")]
    # an outlet's own reporting stays the outlet's
    found = quotes("According to the Washington Post, the company lost money in the spring.")
    assert found[-1][1] == "Washington Post"


def test_an_outlet_reporting_a_persons_statement_in_its_paragraph_is_not_its_speaker(quotes):
    found = quotes(
        "Premier Jane Smith said the budget was balanced. According to CTV News, the province will also cut taxes."
    )
    assert [(q, s) for q, s, _ in found] == [
        ("the budget was balanced", "Jane Smith"),
        ("the province will also cut taxes", "Jane Smith"),
    ]
    # nobody quoted before it in the paragraph: the outlet's own reporting
    found = quotes(
        "Premier Jane Smith said the budget was balanced.\n\nAccording to CTV News, the province will also cut taxes."
    )
    assert found[-1][1] == "CTV News"
    # and a source that is no outlet keeps its statement
    found = quotes(
        "Premier Jane Smith said the budget was balanced. According to the finance ministry, taxes will fall."
    )
    assert found[-1][1] != "Jane Smith"


def test_an_abbreviated_title_is_not_the_speaker_and_does_not_end_the_sentence(quotes):
    found = quotes('"He was armed," said Const. Mary Lee of the Toronto police. "We took him into custody."')
    assert found == [
        ("He was armed,", "Mary Lee", "direct-inverted"),
        ("We took him into custody.", "Mary Lee", "floating"),  # the follow-on is hers
    ]


def test_a_surname_the_tagger_labelled_a_product_is_still_the_person_named_in_full(quotes, nlp):
    # The small model reads this 'Cole' as a PRODUCT: it spoke as an organisation called "Cole".
    text = "Environment Minister Jane Cole met with mayors on Tuesday. Cole said she would announce funding soon."
    assert [(e.text, e.label_) for e in nlp(text).ents if e.text == "Cole"] == [("Cole", "PRODUCT")]
    quote = annotate_doc(nlp(text)).quotes[0]
    assert (quote.speaker, quote.speaker_kind) == ("Jane Cole", "person")
    # Without a person of that surname it is not made one.
    quote = annotate_doc(nlp("Cole said it would cut prices. Jane Ross said she would buy.")).quotes[0]
    assert quote.speaker == "Cole" and quote.speaker_kind != "person"


def test_a_role_noun_the_tagger_took_into_the_name_is_not_the_speaker_s_name(quotes):
    found = quotes("Analyst Tom Gray said the numbers were weak.")
    assert [s for _, s, _ in found] == ["Tom Gray"]


def test_a_surname_read_as_a_plural_noun_speaks_when_a_given_name_precedes_it(quotes):
    # The small model tags 'Rory Banks' a work of art and 'Banks' a plural noun; the addressee
    # ('told Golf Channel's Jane Doe') is never the speaker.
    found = quotes('"It was a tough week," Rory Banks told Golf Channel\'s Jane Doe after his round.')
    assert [(q, s) for q, s, _ in found] == [("It was a tough week,", "Rory Banks")]
    # His caddies are not he: the name only says whose they are.
    found = quotes('"It was a tough week," Rory Banks\' caddies told reporters.')
    assert [s for _, s, _ in found] == [None]


def test_a_surname_alone_speaks_under_the_full_name_quoted_before(quotes):
    # Neither 'Tyrone Pike' nor 'Pike' is a person to the tagger ('Pike' is an ORG): the speaker
    # named in full before is.
    found = quotes(
        "Tyrone Pike, the head of the union, said the strike would go on. Pike said members had voted for it."
    )
    assert [s for _, s, _ in found] == ["Tyrone Pike", "Tyrone Pike"]
    # Nobody quoted before under that surname: the name stays as it is.
    found = quotes("Walter Lee said the talks failed. Pike said members had voted for it.")
    assert [s for _, s, _ in found] == ["Walter Lee", "Pike"]


def test_a_position_or_office_before_a_name_is_no_part_of_the_speaker(quotes):
    found = quotes(
        'Coach Dave Miller praised his team. "They played with heart," Miller said. '
        'Goalie Sam Ortiz stopped 30 shots. "It was a team effort," he said. '
        "Father Tom Walsh said the parish would help."
    )
    assert [s for _, s, _ in found] == ["Dave Miller", "Sam Ortiz", "Tom Walsh"]
    # A surname that is also a title stays in the name; a title alone is not stripped to nothing.
    found = quotes("Julie Bishop said the talks had failed. Later, Bishop said she would resign.")
    assert [s for _, s, _ in found] == ["Julie Bishop", "Julie Bishop"]


@pytest.mark.parametrize(
    "text, quote, speaker",
    [
        (
            'Ana Ruiz called the program "the biggest waste of money in the province."',
            "the biggest waste of money in the province.",
            "Ana Ruiz",
        ),
        (
            'Tom Ng described it as "a complete disaster for the team."',
            "a complete disaster for the team.",
            "Tom Ng",
        ),
        ('Tom Ng voiced his "frustration with the slow pace of the talks."', None, "Tom Ng"),
    ],
)
def test_words_reported_by_naming_them_are_quotes(quotes, text, quote, speaker):
    (found,) = quotes(text)
    assert found[1:] == (speaker, "quoted-object")
    assert quote is None or found[0] == quote


def test_a_so_called_phrase_or_a_one_word_label_is_no_quote(quotes):
    assert quotes('The so-called "reform" failed in March.') == []
    assert quotes('Tom Ng called it "nonsense" and left.') == []


def test_urged_to_is_a_statement(quotes):
    assert quotes("Ana Ruiz urged Canadians to stay home over the holidays.") == [
        ("to stay home over the holidays", "Ana Ruiz", "indirect")
    ]


def test_page_furniture_gives_no_quote_and_no_speaker(quotes):
    text = (
        "READ MORE: Schools say the strike will close classrooms\n\n"
        "Story continues below advertisement\n\n"
        '"We are ready for anything," said Lee Chan, a teacher in the district.'
    )
    assert [s for _, s, _ in quotes(text)] == ["Lee Chan"]
    # without the furniture marker the same words are reported speech
    assert [q for q, _, _ in quotes("Schools say the strike will close classrooms.")] == [
        "the strike will close classrooms"
    ]


def test_a_photo_credit_is_no_speaker(nlp):
    from dashboard.nlp.quotes.context import furniture

    text = "Crowds gathered downtown. (Ana Ruiz/The Canadian Press) Community leaders said the plan will fail."
    credit = text.index("(Ana")
    assert furniture(text).covers(credit + 3) and not furniture(text).covers(text.index("Community"))
    assert all(q.speaker != "Ana Ruiz" for q in annotate_doc(nlp(text)).quotes)


def test_a_number_alone_is_no_quote(quotes):
    assert quotes('"12.5," he said. Tom Ng smiled.') == []
    assert quotes('"Twelve and a half," he said.')[0][0] == "Twelve and a half,"


def test_the_articles_pronouns_overrule_a_census_guess_of_gender(quotes):
    # 'Robin' is mostly a woman's name in the census; two 'his' say this Robin is a man.
    text = (
        "Robin Leigh-Pemberton repeated his criticism of the takeover and his warning to investors. "
        '"Such activity is an abuse of shareholder power," he said.'
    )
    assert quotes(text)[-1][1] == "Robin Leigh-Pemberton"
    # without that evidence the census guess stands, and 'he' is somebody else
    text = 'Robin Leigh-Pemberton spoke on Monday. "Such activity is an abuse of shareholder power," he said.'
    assert quotes(text)[-1][1] is None


def test_the_author_of_a_document_filed_by_someone_speaks(quotes):
    found = quotes(
        '"The evidence cannot prove the crime," according to a court document filed by state attorney Dave Aronberg.'
    )
    assert found[-1][1] == "Dave Aronberg"
    # who obtained a document did not write it
    found = quotes('"The talks failed," according to a letter obtained by the Daily Star.')
    assert found[-1][1] != "Daily Star"


def test_an_index_or_a_currency_is_no_speaker(quotes):
    found = quotes('The Dow Jones industrial average rose 20 points. "It was a quiet day," said the Dow.')
    assert [s for _, s, _ in found] == [None]
    # a company or a person sharing the word still speaks
    assert quotes("Dow Chemical said the plant would close in June.")[-1][1] == "Dow Chemical"
    assert quotes('"We started this because we love us," said founder Beverly Bond.')[-1][1] == "Beverly Bond"


def test_a_surname_the_tagger_read_as_a_common_noun_still_speaks(nlp):
    (q,) = annotate_doc(nlp("“It’s taxing on campaign resources,” O’Donnell said.")).quotes
    assert q.speaker == "O’Donnell"
    # a plural makes it a description, no name
    (q,) = annotate_doc(nlp("“It’s taxing on campaign resources,” Officials said.")).quotes
    assert q.speaker is None

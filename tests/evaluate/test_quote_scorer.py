"""The quote scorer on a hand-made gold fixture whose right answers are worked out by hand."""

import argparse
import math
from pathlib import Path

import pytest

from dashboard.evaluate.quotes import (
    DEVELOP_PUBLISHERS,
    HELD_OUT_PUBLISHERS,
    GoldArticle,
    GoldQuote,
    Predicted,
    by_publisher,
    coverage,
    default_pronoun_sources,
    gold_name,
    is_speech_cue,
    load_gold,
    publisher,
    read_jsonl,
    run,
    same_speaker,
    score,
    select_publishers,
)

FIXTURE = Path(__file__).parent / "fixtures" / "quotes"


@pytest.fixture(scope="module")
def gold():
    return load_gold(FIXTURE)


def at(text: str, part: str, speaker: str | None, rule: str = "test") -> Predicted:
    start = text.index(part)
    return Predicted(start, start + len(part), speaker, rule, None, part)


def test_one_annotator_and_speech_cues_only(gold):
    (article,) = gold
    assert article.name == "council" and article.title == "Mayor speaks on budget."
    assert [q.speech for q in article.quotes] == [True, True, False, True]  # 'believes' is no speech cue
    # the pronoun source resolves to the earlier named source; 'a spokesman' is no name
    assert [q.speaker for q in article.quotes] == ["Jane Doe", "Jane Doe", "Jane Doe", None]


def test_figures_on_known_predictions(gold):
    (article,) = gold
    text = article.text
    predictions = {
        "council": [
            at(text, "the budget would balance next year", "Jane Doe"),  # exact, right speaker
            at(text, "We have done the work,", "John Roe"),  # covers 22 of 45 gold chars, wrong speaker
            at(text, "the council will agree", "Jane Doe"),  # on a belief: neither right nor wrong
            at(text, "Rain fell all day", None),  # spurious
        ]
    }  # 'The council agreed' is missed
    scores = score(gold, predictions)
    assert scores.counts[0.3] == {"tp": 2, "predicted": 3, "gold": 3}
    assert scores.counts[0.8] == {"tp": 1, "predicted": 3, "gold": 3}
    p, r, f = scores.prf(0.3)
    assert (p, r) == (pytest.approx(2 / 3), pytest.approx(2 / 3))
    assert (scores.speaker_right, scores.speaker_scored) == (1, 2)
    # speaker sets: gold {Jane Doe}; predicted {Jane Doe, John Roe} -> P 1/2, R 1, F1 2/3
    assert scores.speaker_set() == (pytest.approx(0.5), pytest.approx(1.0), pytest.approx(2 / 3))
    (result,) = scores.articles
    assert [g.spans for g in result.missed] == [((224, 242),)]
    assert [p.quote for p in result.spurious] == ["Rain fell all day"]


def test_a_speaker_the_gold_does_not_name_is_not_judged(gold):
    (article,) = gold
    text = article.text
    predictions = {
        "council": [
            at(text, "the budget would balance next year", "Jane Doe"),
            at(text, "The council agreed", "Bob Gray"),
        ]
    }  # gold: 'a spokesman'
    scores = score(gold, predictions)
    assert scores.counts[0.3] == {"tp": 2, "predicted": 2, "gold": 3}
    assert (scores.speaker_right, scores.speaker_scored) == (1, 1)
    assert scores.set_counts == {"tp": 1, "predicted": 1, "gold": 1}  # Bob Gray is neither right nor wrong
    # the stricter figure printed beside it counts him as a wrong speaker
    assert scores.set_counts_all == {"tp": 1, "predicted": 2, "gold": 1}


def test_the_gender_gap_tracker_rule_counts_every_prediction(gold):
    (article,) = gold
    text = article.text
    predictions = {
        "council": [
            at(text, "the budget would balance next year", "Jane Doe"),
            at(text, "We have done the work,", "John Roe"),
            at(text, "the council will agree", "Jane Doe"),  # on a belief: wrong under this rule
            at(text, "The council agreed", "Bob Gray"),  # gold source 'a spokesman': Bob Gray counts
        ]
    }
    ggt = score(gold, predictions, rule="ggt")
    assert ggt.counts[0.3] == {"tp": 3, "predicted": 4, "gold": 3}
    assert (ggt.speaker_right, ggt.speaker_scored) == (1, 2)
    # sets: gold {Jane Doe}, predicted {Jane Doe, John Roe, Bob Gray}: P 1/3, R 1, F1 1/2
    assert ggt.speaker_set() == (pytest.approx(1 / 3), 1.0, pytest.approx(0.5))
    assert ggt.mean_article_set_f1 == pytest.approx(0.5)
    project = score(gold, predictions)
    assert project.counts[0.3] == {"tp": 3, "predicted": 3, "gold": 3}
    assert project.speaker_set() == (pytest.approx(0.5), 1.0, pytest.approx(2 / 3))


def test_the_gender_gap_tracker_rule_needs_more_than_thirty_percent():
    text = "Ann Lee said: abcdefghij."
    start = text.index("abcdefghij")
    article = GoldArticle(
        "a", text, "", text, 0, [GoldQuote(((start, start + 10),), "Ann Lee", "Ann Lee", "said", True)]
    )
    three = {"a": [Predicted(start, start + 3, "Ann Lee", "test", None, "abc")]}  # exactly 30 %
    assert score([article], three).counts[0.3]["tp"] == 1
    assert score([article], three, rule="ggt").counts[0.3]["tp"] == 0
    four = {"a": [Predicted(start, start + 4, "Ann Lee", "test", None, "abcd")]}
    assert score([article], four, rule="ggt").counts[0.3]["tp"] == 1
    with pytest.raises(ValueError, match="rule"):
        score([article], four, rule="loose")


def test_mean_speaker_set_f1_weighs_articles_alike():
    def article(name, speaker):
        text = f"{speaker} said: it is done and dusted."
        start = text.index("it is")
        return GoldArticle(
            name, text, "", text, 0, [GoldQuote(((start, len(text) - 1),), speaker, speaker, "said", True)]
        )

    arts = [article("a", "Ann Lee"), article("b", "Bo Chan"), article("c", "Cy Diaz")]
    right = [Predicted(a.quotes[0].spans[0][0], len(a.text) - 1, a.quotes[0].speaker, "t", None, "") for a in arts]
    predictions = {"a": [right[0]], "b": [right[1]], "c": []}  # c: no speaker found
    scores = score(arts, predictions, rule="ggt")
    assert scores.article_set_f1 == [1.0, 1.0, 0.0] and scores.mean_article_set_f1 == pytest.approx(2 / 3)


def test_publishers_come_from_file_names_and_split_once():
    assert publisher("nyt_2016-09-12_some-title") == "nyt" and publisher("council") == ""
    assert set(DEVELOP_PUBLISHERS) | set(HELD_OUT_PUBLISHERS) == {
        "breitbart",
        "huff-post",
        "nyt",
        "politico",
        "usa-today",
        "wash-post",
        "west-journal",
    }
    assert not set(DEVELOP_PUBLISHERS) & set(HELD_OUT_PUBLISHERS)
    arts = [GoldArticle(f"{p}_2016-01-01_x", "", "", "", 0) for p in ("nyt", "breitbart", "wash-post")]
    assert [a.name[:3] for a in select_publishers(arts, "held-out")] == ["nyt", "was"]
    assert [a.name[:3] for a in select_publishers(arts, "develop")] == ["bre"]
    assert [a.name[:3] for a in select_publishers(arts, "breitbart, nyt")] == ["nyt", "bre"]
    assert list(by_publisher(arts, {})) == ["breitbart", "nyt", "wash-post"]


def test_matching_is_one_to_one(gold):
    (article,) = gold
    text = article.text
    twice = [
        at(text, "the budget would balance next year", "Jane Doe"),
        at(text, "the budget would balance", "Jane Doe"),
    ]
    scores = score(gold, {"council": twice})
    assert scores.counts[0.3]["tp"] == 1 and scores.counts[0.3]["predicted"] == 2


def test_no_predictions_scores_zero_recall(gold):
    scores = score(gold, {})
    assert scores.prf(0.3)[1] == 0.0 and math.isnan(scores.prf(0.3)[0])
    assert math.isnan(scores.speaker_accuracy)


def test_coverage_of_discontinuous_gold():
    assert coverage(((0, 10), (20, 30)), 0, 10) == 0.5
    assert coverage(((0, 10), (20, 30)), 5, 25) == 0.5
    assert coverage(((0, 10),), 10, 20) == 0.0


def test_names_and_cues():
    assert gold_name("Republican presidential candidate Donald Trump") == "Donald Trump"
    assert gold_name("Murphy, the head of Right to Rise USA,") == "Murphy"
    assert gold_name("Spokeswoman Haley Morris") == "Haley Morris"
    assert gold_name("The Florida senator") is None
    assert gold_name("Aides to Clinton") is None and gold_name("voters in Iowa") is None
    assert gold_name("Sen. Jeff Merkley of Oregon") == "Jeff Merkley"
    assert gold_name("Rep. Jim Clyburn (D-S.C.)") == "Jim Clyburn"
    assert gold_name("Mr. Burman of the Tax Policy Center") == "Burman"
    assert gold_name("Former Secretary of State Madeleine Albright") == "Madeleine Albright"
    assert gold_name("Twenty-four percent") is None
    assert gold_name("He") is None and gold_name("Analysts") is None
    # a description, then the name in apposition: the name, also over a name inside the description
    assert gold_name("the Vatican spokesman, Federico Lombardi,") == "Federico Lombardi"
    assert gold_name("The leader of the Anti-Defamation League, Jonathan Greenblatt") == "Jonathan Greenblatt"
    assert gold_name("a Clinton supporter, who asked not to be named") is None
    assert same_speaker("Peskov", "Dmitry Peskov") and same_speaker("President Trump", "Donald Trump")
    assert not same_speaker("Bill Clinton", "Hillary Clinton") and not same_speaker("Trump", None)
    assert is_speech_cue("said in a statement") and is_speech_cue("According to") and is_speech_cue("tweeted")
    assert not is_speech_cue("believes") and not is_speech_cue("wants") and not is_speech_cue(":")


def test_jsonl_gold_by_offsets_keeps_no_text(tmp_path):
    (article,) = read_jsonl(FIXTURE / "gold_offsets.jsonl")
    assert [article.text[a:b] for q in article.quotes for a, b in q.spans] == [
        "the budget would balance next year",
        "The council agreed",
    ]
    assert [q.speaker for q in article.quotes] == ["Jane Doe", None]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"file": "council.txt", "start": 2, "end": 9, "speaker": "X"}\n', encoding="utf-8")
    (tmp_path / "council.txt").write_text((FIXTURE / "text" / "council.txt").read_text(), encoding="utf-8")
    with pytest.raises(ValueError, match="not inside the article body"):
        read_jsonl(bad)  # offsets in the title line


def test_the_reuters_gold_set_points_into_article_bodies(corpora):
    gold = Path(__file__).parents[2] / "data" / "gold" / "reuters_quotes.jsonl"
    articles = read_jsonl(gold)
    assert len(articles) == 20 and sum(len(a.quotes) for a in articles) == 107
    for article in articles:
        assert article.title.isupper() and not article.title.startswith("date")
        for q in article.quotes:
            ((start, end),) = q.spans
            assert start >= article.body_offset and not article.text[start - 1].isalnum()
            assert not article.text[end].isalnum()  # whole words only


def test_jsonl_gold_finds_quotes_in_the_text():
    (article,) = read_jsonl(FIXTURE / "gold.jsonl")
    spans = [q.spans[0] for q in article.quotes]
    assert [article.text[a:b] for a, b in spans] == ["the budget would balance next year", "Now the city can relax."]
    assert [q.speaker for q in article.quotes] == ["Jane Doe", "Jane Doe"]


def test_command_runs_the_real_extractor_and_writes_the_report(tmp_path, capsys, nlp):
    report = tmp_path / "errors.md"
    args = argparse.Namespace(gold=FIXTURE, store=None, report=report, model=None, limit=None, pronoun_sources=None)
    assert run(args) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "speaker accuracy" in out
    assert report.read_text(encoding="utf-8").startswith("# Quote extraction errors")
    # The real extractor finds all three speech quotes, leaves the belief alone, and names Jane Doe twice.
    # It gives '"We have done the work," she said. "Now the city can relax."' as two quotes, which
    # this PolNeAR-style gold holds as one attribution in two pieces: one of them counts as a miss.
    assert "0.3      0.750   1.000   0.857      3      4      3" in out
    assert "speaker accuracy (matched quotes, named gold speaker): 1.000 (2/2)" in out
    # the shipped PolNeAR readings do not match this fixture: its 'she' falls to the heuristic
    assert "0 resolved by the recorded readings, 1 by the nearest-named-source heuristic" in out


def readings_file(tmp_path, rows):
    path = tmp_path / "sources.tsv"
    path.write_text(
        "file\tsource_offset\tsource\tspeaker\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def test_a_recorded_reading_overrides_the_pronoun_heuristic(tmp_path):
    # the fixture's 'she' (offset 107) read as someone else than the nearest named source
    path = readings_file(tmp_path, [("council", "107", "she", "Mary Major")])
    (article,) = load_gold(FIXTURE, pronoun_sources=path)
    assert [q.speaker for q in article.quotes] == ["Jane Doe", "Mary Major", "Jane Doe", None]
    assert [q.resolved for q in article.quotes] == [None, "read", None, None]
    # an empty speaker: the reader found the person never named, so the quote is not judged
    (article,) = load_gold(FIXTURE, pronoun_sources=readings_file(tmp_path, [("council", "107", "she", "")]))
    assert article.quotes[1].speaker is None and article.quotes[1].resolved == "read"


@pytest.mark.parametrize(
    "row",
    [
        ("council", "107", "he", "Mary Major"),  # another pronoun
        ("council", "108", "she", "Mary Major"),  # another offset
        ("other", "107", "she", "Mary Major"),
    ],
)  # another file
def test_a_reading_applies_only_where_file_offset_and_pronoun_match(tmp_path, row):
    (article,) = load_gold(FIXTURE, pronoun_sources=readings_file(tmp_path, [row]))
    assert article.quotes[1].speaker == "Jane Doe" and article.quotes[1].resolved == "heuristic"


def test_a_malformed_readings_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="sources.tsv:2"):
        load_gold(FIXTURE, pronoun_sources=readings_file(tmp_path, [("council", "x", "she", "A")]))


def test_shipped_readings_cover_polnear_dev_pronoun_sources(corpora):
    articles = load_gold(corpora / "polnear" / "dev", pronoun_sources=default_pronoun_sources())
    how = [q.resolved for a in articles for q in a.quotes if q.speech and q.resolved and q.source_at >= a.body_offset]
    assert len(how) > 150 and set(how) == {"read"}


def test_bad_gold_path_is_a_clear_error(tmp_path, capsys):
    args = argparse.Namespace(
        gold=tmp_path / "nothing", store=None, report=tmp_path / "r.md", model=None, limit=None, pronoun_sources=None
    )
    assert run(args) == 2
    assert "expected" in capsys.readouterr().err


def test_the_extractor_on_the_reuters_gold_set(corpora, nlp):
    from dashboard.evaluate.quotes import predict

    articles = read_jsonl(Path(__file__).parents[2] / "data" / "gold" / "reuters_quotes.jsonl")
    scores = score(articles, predict(articles), rule="ggt")
    p, r, _ = scores.prf(0.3)
    # measured 0.963 / 0.972 and 0.908 (docs/quotes.md); a floor a little below, so a rule change
    # that loses newswire attributions fails here
    assert p >= 0.93 and r >= 0.93 and scores.speaker_accuracy >= 0.87

"""Word clouds drawn by the real wordcloud package: reproducible, sized, refusing empty input."""

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from spacy.lang.en.stop_words import STOP_WORDS as SPACY_STOP_WORDS

from dashboard.wordclouds import STOP_WORDS, render, to_png, without_stop_words

OIL = {"oil": 10.0, "opec": 6.0, "price": 4.0, "barrel": 3.0, "Türkiye": 2.0, "saudi": 1.0}


def ink(image: Image.Image) -> int:
    """How many pixels are not the white background."""
    return int((np.asarray(image.convert("L")) < 250).sum())


def test_same_frequencies_give_the_same_picture():
    assert to_png(render(OIL)) == to_png(render(dict(reversed(list(OIL.items())))))


def test_different_frequencies_give_a_different_picture():
    assert to_png(render(OIL)) != to_png(render({**OIL, "oil": 1.0, "wheat": 12.0}))


def test_image_has_the_requested_size_and_draws_words_on_white():
    image = render(OIL, width=300, height=150)
    assert image.size == (300, 150)
    assert image.getpixel((0, 0)) == (255, 255, 255)
    assert ink(image) > 2_000
    assert render(OIL).size == (800, 400)
    assert render(OIL, width=301, height=151).size == (301, 151)


def test_unusable_values_and_blank_words_are_ignored():
    dirty = {"oil": 1.0, "gas": 0, "coal": -3, "tin": float("nan"), "zinc": float("inf"), "  ": 5, "x": "n/a"}
    assert to_png(render(dirty)) == to_png(render({"oil": 1.0}))


@pytest.mark.parametrize("frequencies", [{}, {"oil": 0}, {"oil": -1.0, "gas": float("nan")}, {"": 3.0}])
def test_nothing_to_draw_is_a_clear_value_error(frequencies):
    with pytest.raises(ValueError, match="No words to draw"):
        render(frequencies)


@pytest.mark.parametrize(("width", "height"), [(0, 400), (800, -1), (800.5, 400)])
def test_bad_size_is_a_value_error(width, height):
    with pytest.raises(ValueError, match="positive width and height"):
        render(OIL, width=width, height=height)


def test_png_bytes_decode_to_the_same_pixels():
    image = render(OIL, width=200, height=100)
    data = to_png(image)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    back = Image.open(io.BytesIO(data))
    assert back.size == (200, 100)
    assert np.array_equal(np.asarray(back.convert("RGB")), np.asarray(image))


def test_stop_words_hold_english_and_newswire_noise_but_not_content_words():
    for word in (
        "the",
        "and",
        "would",
        "said",
        "say",
        "told",
        "mln",
        "dlrs",
        "pct",
        "cts",
        "vs",
        "shr",
        "reuter",
        "reuters",
        "inc",
        "corp",
        "today",
        "year",
    ):
        assert word in STOP_WORDS, word
    for word in ("oil", "opec", "president", "bank", "trade", "wheat", "peskov", "kremlin"):
        assert word not in STOP_WORDS, word


def test_without_stop_words_compares_in_lower_case_and_keeps_the_rest():
    assert without_stop_words({"Said": 9, "REUTER": 4, "mln": 7, "oil": 3, "Kremlin": 2}) == {"oil": 3, "Kremlin": 2}
    assert without_stop_words({}) == {}


def test_render_itself_keeps_stop_words_so_entity_names_survive():
    # "US" is an entity; as a word it would be the stop word "us". render draws what it is given.
    assert ink(render({"US": 5.0})) > 0


def test_stop_words_are_spacys_english_list_without_importing_spacy():
    # The dashboard process should not carry spaCy (0.8 s, 55 MB) for a word list.
    probe = "import sys, dashboard.wordclouds as w; print(len(w.STOP_WORDS), 'spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "False"
    assert set(SPACY_STOP_WORDS) <= STOP_WORDS
    assert int(out[0]) == len(STOP_WORDS)

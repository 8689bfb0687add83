"""The gender scorer: precision per class counts a gender given to a non-person as wrong."""

import pandas as pd

from dashboard.evaluate.gender import scores


def test_precision_and_unknown_share_from_literal_rows():
    frame = pd.DataFrame(
        {
            "label": ["female", "female", "male", "none", "male", "unknown", "male"],
            "predicted": ["female", "female", "male", "female", "unknown", "unknown", None],
        }
    )
    s = scores(frame)
    assert (s["speakers"], s["not_found"]) == (6, 1)
    assert s["female_precision"] == 2 / 3 and s["female_given"] == 3  # the company called female is wrong
    assert s["male_precision"] == 1.0 and s["male_recall"] == 0.5
    assert s["unknown_share"] == 2 / 6
    assert s["unknown_share_of_gendered_people"] == 1 / 4

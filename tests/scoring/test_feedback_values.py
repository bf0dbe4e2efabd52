"""Review s23: feedback values folded (Up is up) and look-alikes said; a key with its top box; AUC at 0 and 1."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from harness.datasets.schema import Case
from harness.scoring.feedback_keys import checked_feedback, feedback_values, feedback_warnings
from harness.scoring.feedback_stats import auc, hanley_mcneil_variance, score_auc_interval
from harness.scoring.feedback_values import fold, folded, look_alikes
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import check, manifest, record

# The review's w/fb.csv thumbs column, as its customers' widgets wrote it.
THUMBS = ["up"] * 8 + ["Up", " UP ", "yes", "Yes", "👍"] + ["down"] * 9 + ["no", "👎"]


def _case(case_id: str, **metadata) -> Case:
    return Case(id=case_id, turns=[{"role": "customer", "content": "late"}], metadata=metadata)


def _run(keys: list[str], thumbs: list[str]):
    cases, records = [], []
    for i, value in enumerate(thumbs):
        cases.append(_case(f"c{i}", thumbs=value, csat=str(5 if i % 3 else 2)))
        found = record(f"c{i}", "prod", checks={"next_step": check(i % 2 == 0)})
        found.reply_source = "recorded"
        records.append(found)
    found = manifest(("prod",))
    found.eval_spec = {"feedback": keys}
    found.dataset["feedback"] = json.loads(json.dumps(feedback_values(keys, cases)))
    return cases, build_scorecard(records, found)


# -- folding ---------------------------------------------------------------------------------------------------


def test_values_told_apart_only_by_case_or_spaces_are_one() -> None:
    assert fold(" Up ") == "up" and fold("UP") == "up" and fold("👍") == "👍"
    one = folded({"up": ["a", "b"], "Up": ["c"], "down": ["d"]})
    assert one.values == {"up": ["a", "b", "c"], "down": ["d"]}
    assert one.spellings == {"up": {"up": 2, "Up": 1}}


def test_the_counted_share_counts_every_spelling_and_the_section_says_so() -> None:
    _, card = _run(["metadata.thumbs=up"], THUMBS)
    summary = card.feedback.candidates["prod"].keys[0].summary
    assert summary.counted_value == "up" and summary.shares["up"].passed == 10  # was 8: Up and UP left out
    assert summary.shares["yes"].passed == 2 and "Yes" not in summary.shares
    assert summary.folded == {"up": ["up", "UP", "Up"], "yes": ["Yes", "yes"]}


def test_a_named_value_is_folded_too() -> None:
    _, card = _run(["metadata.thumbs=UP"], THUMBS)
    assert card.feedback.candidates["prod"].keys[0].summary.shares["up"].passed == 10


def test_look_alike_answers_are_kept_apart_and_listed() -> None:
    assert look_alikes({"up": ["a"], "yes": ["b"], "👍": ["c"], "down": ["d"]}) == [["up", "yes", "👍"]]
    assert look_alikes({"up": ["a"], "down": ["b"]}) == []
    _, card = _run(["metadata.thumbs"], THUMBS)
    summary = card.feedback.candidates["prod"].keys[0].summary
    assert summary.look_alike == [["up", "yes", "👍"], ["down", "no", "👎"]]
    assert summary.shares["👍"].passed == 1  # not merged behind the user's back


def test_validate_says_what_was_folded_and_what_looks_alike() -> None:
    cases, _ = _run(["metadata.thumbs=up"], THUMBS)
    loaded = SimpleNamespace(spec=SimpleNamespace(feedback=["metadata.thumbs=up"], dataset_file="fb.csv"),
                             error=lambda problem, *loc: SimpleNamespace(one_line=lambda: f"{loc}: {problem}"))
    lines = feedback_warnings(loaded, cases)
    assert len(lines) == 2
    assert ("metadata.thumbs: values told apart only by case or spaces are counted as one: 'up' (8), 'UP' (1), "
            "'Up' (1) as 'up'; 'Yes' (1), 'yes' (1) as 'yes'") in lines[0]
    assert "'up' (10), 'yes' (2), '👍' (1); 'down' (9), 'no' (1), '👎' (1)" in lines[1]
    assert "the share of 'up' leaves out the 3 cases of 'yes', '👍'" in lines[1]


def test_a_key_written_one_way_warns_of_nothing() -> None:
    cases, _ = _run(["metadata.thumbs=up"], ["up", "down"] * 6)
    loaded = SimpleNamespace(spec=SimpleNamespace(feedback=["metadata.thumbs=up"], dataset_file="fb.csv"),
                             error=lambda problem, *loc: SimpleNamespace(one_line=lambda: problem))
    assert feedback_warnings(loaded, cases) == []


# -- a key and its top box -------------------------------------------------------------------------------------


def test_a_numeric_key_and_its_top_box_are_two_measures() -> None:
    assert checked_feedback(["metadata.csat", "metadata.csat=5"]) == ["metadata.csat", "metadata.csat=5"]
    _, card = _run(["metadata.csat", "metadata.csat=5"], THUMBS)
    mean, top = card.feedback.candidates["prod"].keys
    assert (mean.key, mean.summary.kind) == ("metadata.csat", "number")
    assert (top.key, top.summary.kind, top.summary.counted_value) == ("metadata.csat=5", "category", "5")


@pytest.mark.parametrize("entries", [["metadata.csat=5", "metadata.csat=5.0"], ["metadata.thumbs=up", "metadata.thumbs=Up"],
                                     ["metadata.csat", " metadata.csat "]])
def test_only_the_same_entry_twice_is_refused(entries) -> None:
    with pytest.raises(ValueError, match=r"named twice \(as feedback\[0\]\)"):
        checked_feedback(entries)


# -- the AUC's interval at 0 and 1 ---------------------------------------------------------------------------


def test_perfect_separation_has_a_score_interval_not_none() -> None:
    area, ci = auc([5, 4] * 6, [1, 2] * 6, 0.95)
    assert area == 1.0 and ci is not None and ci.hi == 1.0 and 0.75 < ci.lo < 0.9
    area, ci = auc([1] * 12, [5] * 12, 0.95)
    assert area == 0.0 and ci.lo == 0.0 and 0.1 < ci.hi < 0.25
    # The lower end is where the AUC is z standard errors (taken at that end) from 1.
    lo = score_auc_interval(1.0, 12, 12, 1.959964).lo
    assert (1 - lo) == pytest.approx(1.959964 * hanley_mcneil_variance(lo, 12, 12) ** 0.5, rel=1e-6)


def test_the_score_interval_narrows_with_more_replies() -> None:
    small, large = auc([5] * 10, [1] * 10, 0.95)[1], auc([5] * 200, [1] * 200, 0.95)[1]
    assert large.lo > small.lo


def test_all_tied_feedback_has_no_interval() -> None:
    assert auc([3] * 12, [3] * 12, 0.95) == (0.5, None)


def test_a_scorecard_at_perfect_separation_carries_the_interval() -> None:
    thumbs = ["up" if i % 2 == 0 else "down" for i in range(24)]  # next_step passes exactly the up ones
    _, card = _run(["metadata.thumbs=up"], thumbs)
    step = card.feedback.candidates["prod"].keys[0].agreement[0]
    assert step.auc == 1.0 and step.auc_ci is not None and step.auc_ci.lo < 1.0

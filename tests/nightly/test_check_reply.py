"""harness.testing: checking one reply in a plain test, with no dataset or eval file (DeepEval's shape)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from harness.checks.base import registry
from harness.errors import ConfigError, UserError
from harness.models.fake import register_fake, unregister_fake
from harness.testing import ReplyAssertionError, assert_reply, check_reply

GOOD = "I'm sorry your order is late. I've sent a replacement today and you'll have it by Friday."
BAD = "Sorry you feel that way. Please read our FAQ."


def test_check_reply_runs_built_in_and_written_checks_offline():
    result = check_reply(GOOD, complaint="My order never arrived!",
                         checks=["apology_wording", {"type": "not_contains", "value": "FAQ"},
                                 {"type": "contains", "value": "refund"}, {"type": "contains", "value": "Friday"}])
    assert list(result.checks) == ["apology_wording", "not_contains", "contains", "contains_4"]
    assert result.checks["apology_wording"].passed is True and result.criteria == {}
    # No passage of the reply to quote: what was looked for (the old "no evidence span" was jargon).
    assert result.failures() == ["check contains failed: none of 'refund' found"]
    assert not result.passed
    assert check_reply(GOOD, complaint="late", checks="none").passed


def test_assert_reply_says_each_failing_check_with_its_evidence():
    with pytest.raises(ReplyAssertionError) as info:
        assert_reply(BAD, complaint="My order never arrived!",
                     checks=["apology_wording", {"name": "no_faq", "type": "not_contains", "value": "FAQ"}])
    lines = str(info.value).splitlines()
    assert lines[0] == f"reply: {BAD}"
    assert lines[1].startswith('  check apology_wording failed: "Sorry you feel that way"')
    assert lines[2] == "  check no_faq failed: \"FAQ\" (found 'FAQ')"
    assert assert_reply(GOOD, complaint="late", checks=["apology_wording"]).passed


def test_case_fields_reach_the_checks():
    over = "I can refund you $500 right away."
    result = check_reply(over, complaint="Refund me!", checks=["policy_promises"],
                         context={"max_refund": 50, "currency": "USD"})
    assert result.checks["policy_promises"].passed is False
    with_metadata = check_reply("Order 4411 is on its way.", complaint="Where is it?", metadata={"order_id": 4411},
                                checks=[{"type": "contains", "value": "{{ metadata.order_id }}"}])
    assert with_metadata.passed


@pytest.mark.parametrize("checks, said", [
    (["apology_wordng"], "checks[0]: no built-in check 'apology_wordng'; did you mean apology_wording?"),
    ([{"type": "contanis", "value": "x"}], "checks[0].type: Input should be"),
    ([42], "checks[0]: a check is a built-in check's name or a mapping with `type`"),
    ([{"type": "icontains", "value": "x"}], "checks[0].type: type 'icontains' is promptfoo's: use contains"),
    ([{"type": "contains", "value": "x", "weight": 2}], "checks[0].weight: unknown field: promptfoo's weight"),
])
def test_a_wrong_check_is_one_clear_line(checks, said):
    with pytest.raises(ConfigError) as info:
        check_reply(GOOD, complaint="late", checks=checks)
    assert str(info.value).startswith(said)


def test_a_judge_only_when_a_model_is_given_with_a_short_rubric():
    asked = []

    def judge(messages, config):
        asked.append(messages)
        good = "sorry" in messages[-1].content.lower()
        return json.dumps({"reason": "apologises" if good else "no apology", "score": "pass" if good else "fail"})

    register_fake("check-reply-judge", judge)
    try:
        rubric = {"criteria": [{"id": "apologises", "question": "Does the reply apologise?"}]}
        result = check_reply(GOOD, complaint="late", checks="none", judge="fake/check-reply-judge", rubric=rubric)
        assert result.criteria["apologises"].passed is True and len(asked) == 1
        with pytest.raises(ReplyAssertionError) as info:
            assert_reply("It will come.", complaint="late", checks="none", judge={"model": "fake/check-reply-judge"},
                         rubric=rubric)
        assert "criterion apologises failed (score 0): no apology" in str(info.value)
        check_reply(GOOD, complaint="late")
        assert len(asked) == 2  # no judge without a model
        with pytest.raises(ConfigError, match="a judge needs rubric="):
            check_reply(GOOD, judge="fake/check-reply-judge")
    finally:
        unregister_fake("check-reply-judge")


TESTS = f'''
from harness.testing import assert_reply

def test_reply():
    assert_reply({BAD!r}, complaint="late", checks=["apology_wording"])
'''


def test_a_failing_assert_reply_shows_the_test_s_frame_only(tmp_path):
    (tmp_path / "test_one.py").write_text(TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "check apology_wording failed" in done.stdout
    assert "testing.py" not in done.stdout and "raise ReplyAssertionError" not in done.stdout


def test_assert_reply_needs_checks_named_and_check_reply_defaults_to_all():
    with pytest.raises(ConfigError) as info:
        assert_reply(GOOD, complaint="late")
    said = str(info.value)
    assert said.startswith("assert_reply needs checks=[...]") and "apology_wording, asks_question" in said
    assert said.endswith("no_repetition, policy_promises, positive_language")
    assert list(check_reply(GOOD, complaint="late").checks) == sorted(registry())  # inspection: every one


@pytest.mark.parametrize("options, said", [
    ({"judge": {"model": "fake/x", "apikey_env": "K"}, "rubric": {"criteria": [{"id": "a", "question": "q"}]}},
     "judge.apikey_env: unknown field (check the spelling); did you mean api_key_env?"),
    ({"judge": "fake/x", "rubric": {"criteria": [{"id": "a", "question": "q", "weight": 2}]}},
     "rubric.criteria[0].weight: unknown field: promptfoo's weight: criteria have no weights"),
    ({"judge": "fake/x", "rubric": {"criteria": [{"id": "a", "question": "q"}]}, "criteria": ["b"]},
     "judge.criteria: unknown criterion: b"),
])
def test_a_wrong_judge_option_is_one_clear_line(options, said):
    with pytest.raises(UserError) as info:
        check_reply(GOOD, complaint="late", checks="none", **options)
    assert str(info.value).startswith(said)


def test_a_miss_says_what_was_looked_for():
    result = check_reply("Hey! Sorry, order 1004 is late.", complaint="late", checks=[
        {"name": "contains_all_order", "type": "contains_all", "value": ["1004", "order X"]},
        {"type": "contains", "value": "sorry", "ignore_case": False},
        {"type": "regex", "value": r"\$\d+"}])
    assert result.failures() == ["check contains_all_order failed: missing 'order X'",
                                 "check contains failed: none of 'sorry' found (case-sensitive)",
                                 "check regex failed: no match for /\\$\\d+/"]


BAD_SPEC_TESTS = """
from harness.testing import assert_reply

def test_promptfoo_word():
    assert_reply("Hi", complaint="late", checks=[{"type": "icontains", "value": "sorry"}])

def test_typo():
    assert_reply("Hi", complaint="late", checks=["apology_wordin"])

def test_judge_option():
    assert_reply("Hi", complaint="late", checks="none", judge={"model": "fake/x", "apikey_env": "K"},
                 rubric={"criteria": [{"id": "a", "question": "q"}]})

def test_no_checks():
    assert_reply("Hi", complaint="late")
"""


def test_a_wrong_argument_shows_the_test_s_frame_only(tmp_path):
    (tmp_path / "test_bad.py").write_text(BAD_SPEC_TESTS)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_bad.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.count("E       harness.errors.ConfigError: ") == 4, done.stdout
    assert "testing.py" not in done.stdout and "pydantic" not in done.stdout, done.stdout
    assert "checks[0]: no built-in check 'apology_wordin'; did you mean apology_wording?" in done.stdout

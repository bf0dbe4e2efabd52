"""Checks written in the eval file: each type decides as documented, with evidence, and applies_when holds."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from harness.checks.base import CheckContext, CheckResult
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case

CASE = Case(id="c1", turns=[{"role": "customer", "content": "where is my order #12345"}], persona="angry")
INDECISIVE = Case(id="c2", turns=[{"role": "customer", "content": "not sure what to pick"}], persona="indecisive")


def check(tmp_path: Path | None = None, **fields):
    base = tmp_path or Path(".")
    return build_custom_check(CustomCheckSpec(name="mine", **fields),
                              lambda raw: (base / raw) if (base / raw).exists() else None)


def run(c, reply, case=CASE) -> CheckResult:
    return c.run(CheckContext(case=case, reply=reply))


@pytest.mark.parametrize("kind, value, reply, passed", [
    ("contains", "order", "Your ORDER is on its way.", True),
    ("contains", ["refund", "credit"], "We can offer store credit.", True),
    ("contains", ["refund", "credit"], "We are looking into it.", False),
    ("contains_all", ["sorry", "order"], "Sorry, your order is late.", True),
    ("contains_all", ["sorry", "order"], "Sorry about that.", False),
    ("not_contains", ["Globex", "Initech"], "Try globex instead.", False),
    ("not_contains", ["Globex", "Initech"], "We will fix it.", True),
    ("regex", r"#\d{5}", "About order #12345: shipped.", True),
    ("regex", r"#\d{5}", "About your order: shipped.", False),
    ("not_regex", r"\bcalm down\b", "Please CALM DOWN.", False),
    ("not_regex", r"\bcalm down\b", "I understand.", True),
    ("max_length", 10, "short", True),
    ("max_length", 4, "short", False),
    ("min_length", 5, "short", True),
    ("min_length", 6, "short", False),
])
def test_each_type_decides_as_documented(kind, value, reply, passed):
    assert run(check(type=kind, value=value), reply).passed is passed


def test_evidence_spans_index_the_reply():
    reply = "Sorry! We are sorry, truly SORRY."
    res = run(check(type="not_contains", value="sorry"), reply)
    assert res.passed is False
    assert [(e.start, e.end, e.text) for e in res.evidence] == [(0, 5, "Sorry"), (14, 19, "sorry"), (27, 32, "SORRY")]
    assert all(reply[e.start:e.end] == e.text for e in res.evidence)
    assert res.data == {"found": ["sorry"], "missing": []}


def test_ignore_case_false_is_exact():
    c = check(type="contains", value="Acme", ignore_case=False)
    assert run(c, "acme rocks").passed is False and run(c, "Acme rocks").passed is True
    pattern = check(type="regex", value="ACME", ignore_case=False)
    assert run(pattern, "acme").passed is False


def test_phrases_are_literal_not_patterns():
    c = check(type="contains", value="$20 (credit)")
    assert run(c, "Here is $20 (credit).").passed is True
    assert run(c, "Here is $20 credit.").passed is False


def test_length_detail_and_data():
    res = run(check(type="max_length", value=3), "four")
    assert res.detail == "4 characters (at most 3)" and res.data == {"length": 4, "limit": 3}


def test_applies_when_gives_null_where_it_does_not_apply():
    c = check(type="regex", value=r"\?", applies_when="question_expected")
    assert run(c, "No question here.", case=CASE).passed is None
    assert "question_expected" in run(c, "No question here.", case=CASE).detail
    assert run(c, "Which one would you like?", case=INDECISIVE).passed is True
    assert run(c, "Pick one.", case=INDECISIVE).passed is False


def test_python_check_gets_the_context_and_may_return_several_shapes(tmp_path):
    (tmp_path / "house.py").write_text(
        "from harness.checks.base import CheckResult\n"
        "def signed(ctx):\n    return ctx.reply.rstrip().endswith('^JD')\n"
        "def with_detail(ctx):\n    return (len(ctx.reply) < 20, f'{len(ctx.reply)} chars for {ctx.case.id}')\n"
        "def undecided(ctx):\n    return None\n"
        "def full(ctx):\n    return CheckResult(passed=True, detail='built', data={'k': 1})\n"
        "def wrong(ctx):\n    return 'yes'\n"
        "def broken(ctx):\n    raise RuntimeError('boom')\n")
    signed = check(tmp_path, type="python", value="house.py:signed")
    assert run(signed, "Done. ^JD").passed is True and run(signed, "Done.").passed is False
    res = run(check(tmp_path, type="python", value="house.py:with_detail"), "tiny")
    assert res.passed is True and res.detail == "4 chars for c1"
    assert run(check(tmp_path, type="python", value="house.py:undecided"), "x").passed is None
    full = run(check(tmp_path, type="python", value="house.py:full"), "x")
    assert full.detail == "built" and full.data == {"k": 1}
    with pytest.raises(TypeError, match="returned str"):
        run(check(tmp_path, type="python", value="house.py:wrong"), "x")
    with pytest.raises(RuntimeError):  # the runner records a crash on the case (run_checks)
        run(check(tmp_path, type="python", value="house.py:broken"), "x")


def test_python_check_version_follows_the_file(tmp_path):
    source = tmp_path / "house.py"
    source.write_text("def ok(ctx):\n    return True\n")
    first = check(tmp_path, type="python", value="house.py:ok").version
    assert check(tmp_path, type="python", value="house.py:ok").version == first
    other = tmp_path / "sub"
    other.mkdir()
    (other / "house.py").write_text("def ok(ctx):\n    return False  # changed\n")
    assert check(other, type="python", value="house.py:ok").version != first


def test_version_follows_the_spec():
    a = check(type="contains", value="x").version
    assert a.startswith("custom-") and a == check(type="contains", value="x").version
    assert a != check(type="contains", value="y").version
    assert a != check(type="contains", value="x", ignore_case=False).version


def test_python_check_load_errors_are_one_line(tmp_path):
    (tmp_path / "bad.py").write_text("import nonexistent_module_xyz\n")
    (tmp_path / "ok.py").write_text("x = 1\n")
    with pytest.raises(ValueError, match="python file not found: missing.py"):
        check(tmp_path, type="python", value="missing.py:f")
    with pytest.raises(ValueError, match=r"importing .*bad.py failed: ModuleNotFoundError"):
        check(tmp_path, type="python", value="bad.py:f")
    with pytest.raises(ValueError, match="ok.py has no function f"):
        check(tmp_path, type="python", value="ok.py:f")
    with pytest.raises(ValueError, match="ok.py has no function x"):
        check(tmp_path, type="python", value="ok.py:x")  # not callable


@pytest.mark.parametrize("fields, message", [
    ({"type": "regex", "value": "(unclosed"}, "not a valid regular expression"),
    ({"type": "contains", "value": []}, "a phrase or a list of non-empty phrases"),
    ({"type": "contains", "value": [""]}, "a phrase or a list of non-empty phrases"),
    ({"type": "max_length", "value": "600"}, 'the text "600": write value: 600'),
    ({"type": "max_length", "value": -1}, "a whole number of characters"),
    ({"type": "min_length", "value": True}, "must be a phrase"),
    ({"type": "python", "value": "house.py"}, "file.py:function"),
    ({"type": "shouts", "value": "x"}, "type"),
    ({"type": "contains", "value": "x", "bogus": 1}, "bogus"),
])
def test_bad_specs_are_refused(fields, message):
    with pytest.raises(ValidationError, match=message):
        CustomCheckSpec(name="mine", **fields)


def test_a_pattern_that_backtracks_for_ever_fails_its_case_not_the_run(monkeypatch):
    import time

    from harness.checks import custom
    from harness.runner.evaluate import run_checks

    monkeypatch.setattr(custom, "PATTERN_TIMEOUT_S", 0.05)
    slow = check(type="regex", value=r"^(a|aa)+$")
    started = time.monotonic()
    results = run_checks([slow], CheckContext(case=CASE, reply="a" * 60 + "b"))
    assert time.monotonic() - started < 5
    assert results["mine"].passed is None and results["mine"].data == {"error": "check_crashed"}
    assert "ran over 0.05 s" in results["mine"].detail
    assert run(slow, "aaaa").passed is True  # the same pattern, on a reply it finishes quickly


def test_a_python_result_that_cannot_be_recorded_is_a_crash_on_that_case(tmp_path):
    from harness.runner.evaluate import run_checks

    (tmp_path / "odd.py").write_text(
        "from harness.checks.base import CheckResult\n"
        "def thing(ctx):\n    return CheckResult(passed=True, data={'o': object()})\n"
        "def surrogate(ctx):\n    return (True, 'x\\ud800y')\n"
        "def loud(ctx):\n    raise ValueError('bad \\ud800 text')\n")
    ctx = CheckContext(case=CASE, reply="hi")
    for name in ("thing", "surrogate", "loud"):
        c = check(tmp_path, type="python", value=f"odd.py:{name}")
        res = run_checks([c], ctx)["mine"]
        assert res.passed is None and res.data == {"error": "check_crashed"}, name
        res.model_dump_json()  # and the crash itself is writable


def test_the_readme_example_of_checks_of_your_own_loads_and_runs(tmp_path, monkeypatch):
    """The YAML block under "Checks of your own" in the README, as a user would paste it."""
    from harness.config.evalfile import load_eval
    from tests.support.readme import REPO, yaml_block_after

    block = yaml_block_after("### Checks of your own")
    monkeypatch.chdir(REPO)
    eval_file = tmp_path / "e.yaml"
    eval_file.write_text("dataset: datasets/complaints.jsonl\ncandidates: [{name: v2, recorded: bot-v2}]\n" + block)
    checks = {c.name: c for c in load_eval(eval_file).custom_checks}
    assert set(checks) == {"no_competitors", "cites_order_number", "fits_a_tweet", "asks_when_unsure", "signed_off",
                           "cites_the_order", "fast_enough", "close_to_golden", "golden_words"}
    twitter = Case(id="t", turns=[{"role": "customer", "content": "hi"}], channel="twitter")
    assert checks["signed_off"].run(CheckContext(case=twitter, reply="We'll fix it today. ^JD")).passed is True
    assert checks["signed_off"].run(CheckContext(case=twitter, reply="We'll fix it today.")).passed is False
    email = Case(id="e", turns=[{"role": "customer", "content": "hi"}], channel="email")
    assert checks["signed_off"].run(CheckContext(case=email, reply="Fixed.")).passed is None
    assert checks["cites_order_number"].run(CheckContext(case=twitter, reply="Order #12345 ships")).passed is True
    order = Case(id="o", turns=[{"role": "customer", "content": "hi"}], metadata={"order_id": "4411"})
    assert checks["cites_the_order"].run(CheckContext(case=order, reply="Order 4411 ships")).passed is True
    assert checks["cites_the_order"].run(CheckContext(case=twitter, reply="Order 4411 ships")).passed is None
    assert checks["fast_enough"].run(CheckContext(case=twitter, reply="x")).passed is None  # no call: n/a
    golden = Case(id="g", turns=[{"role": "customer", "content": "hi"}], reference_reply="Sorry, refund sent today.")
    assert checks["golden_words"].run(CheckContext(case=golden, reply="Sorry, the refund was sent today.")).passed
    assert checks["golden_words"].run(CheckContext(case=twitter, reply="x")).passed is None  # no reference: n/a
    assert checks["close_to_golden"].run(CheckContext(case=twitter, reply="x")).passed is None


def test_bool_like_answers_are_verdicts_and_a_wrong_type_is_named(tmp_path):
    (tmp_path / "kinds.py").write_text(
        "import numpy as np\n"
        "def np_true(ctx):\n    return np.bool_(len(ctx.reply) > 1)\n"
        "def np_false(ctx):\n    return np.mean([1, 2]) > 5\n"
        "def one(ctx):\n    return 1\n"
        "def zero_np(ctx):\n    return np.int64(0)\n"
        "def no_detail(ctx):\n    return (True, None)\n"
        "def np_with_detail(ctx):\n    return (np.bool_(True), 'fine')\n"
        "def many(ctx):\n    return np.array([True, False])\n"
        "def seven(ctx):\n    return 7\n"
        "def junk(ctx):\n    return ['pass']\n")
    verdict = {name: run(check(tmp_path, type="python", value=f"kinds.py:{name}"), "hello")
               for name in ("np_true", "np_false", "one", "zero_np", "no_detail", "np_with_detail")}
    assert {name: r.passed for name, r in verdict.items()} == {
        "np_true": True, "np_false": False, "one": True, "zero_np": False, "no_detail": True, "np_with_detail": True}
    assert verdict["np_with_detail"].detail == "fine" and verdict["no_detail"].detail == ""
    assert all(type(r.passed) is bool for r in verdict.values())
    with pytest.raises(TypeError, match=r"returned numpy\.ndarray; return True, False"):
        run(check(tmp_path, type="python", value="kinds.py:many"), "x")
    with pytest.raises(TypeError, match=r"returned the number 7; return True, False, None, \(passed, detail\), 1 or 0"):
        run(check(tmp_path, type="python", value="kinds.py:seven"), "x")
    with pytest.raises(TypeError, match=r"returned list; .*`threshold` set, a dict \{pass, score, reason\}"):
        run(check(tmp_path, type="python", value="kinds.py:junk"), "x")


def test_a_number_is_judged_by_its_value_not_its_type(tmp_path):
    # Review: the float 1.0 without `threshold` was a crashed check ("returned a score (1); add threshold")
    # while the int 1 passed. Now 1 and 0 are verdicts in any numeric type; any other number needs `threshold`.
    (tmp_path / "numbers_.py").write_text(
        "import numpy as np\n"
        "def one_float(ctx):\n    return 1.0\n"
        "def zero_float(ctx):\n    return (0.0, 'none of it')\n"
        "def one_np(ctx):\n    return np.float32(1)\n"
        "def one_int(ctx):\n    return 1\n"
        "def half(ctx):\n    return 0.5\n"
        "def half_np(ctx):\n    return np.float64(0.5)\n"
        "def two_float(ctx):\n    return 2.0\n"
        "def negative(ctx):\n    return -1\n"
        "def huge(ctx):\n    return 10 ** 400\n")
    verdicts = {name: run(check(tmp_path, type="python", value=f"numbers_.py:{name}"), "x")
                for name in ("one_float", "zero_float", "one_np", "one_int")}
    assert {name: r.passed for name, r in verdicts.items()} == {
        "one_float": True, "zero_float": False, "one_np": True, "one_int": True}
    assert verdicts["one_float"].data == verdicts["one_int"].data == {}  # the same result, whatever the type
    assert verdicts["zero_float"].detail == "none of it"
    for name in ("half", "half_np"):
        with pytest.raises(TypeError, match=r"numbers_\.py:half(_np)? returned a score \(0\.5\); add `threshold:`"):
            run(check(tmp_path, type="python", value=f"numbers_.py:{name}"), "x")
    for name, shown in (("two_float", "2"), ("negative", "-1"), ("huge", "inf")):
        with pytest.raises(TypeError, match=rf"returned the number {shown}; return True, False, None"):
            run(check(tmp_path, type="python", value=f"numbers_.py:{name}"), "x")
    # with a threshold every number is a score, 1 and 1.0 alike
    for name in ("one_float", "one_int"):
        at = run(check(tmp_path, type="python", value=f"numbers_.py:{name}", threshold=0.9), "x")
        assert at.passed is True and at.data == {"score": 1.0, "threshold": 0.9}
    with pytest.raises(TypeError, match="returned the score 2; a score is from 0 to 1"):
        run(check(tmp_path, type="python", value="numbers_.py:two_float", threshold=0.5), "x")


def test_a_score_passes_at_its_threshold(tmp_path):
    (tmp_path / "scores.py").write_text(
        "import numpy as np\n"
        "def score(ctx):\n    return len(ctx.reply) / 10\n"
        "def np_score(ctx):\n    return (np.float64(0.75), 'three quarters')\n"
        "def big(ctx):\n    return 3.5\n")
    at = check(tmp_path, type="python", value="scores.py:score", threshold=0.5)
    assert run(at, "12345").passed is True and run(at, "1234").passed is False
    assert run(at, "123456").data == {"score": 0.6, "threshold": 0.5}
    np_res = run(check(tmp_path, type="python", value="scores.py:np_score", threshold=0.8), "x")
    assert np_res.passed is False and np_res.detail == "three quarters" and np_res.data["score"] == 0.75
    with pytest.raises(TypeError, match=r"returned a score \(0\.5\); add `threshold:`"):
        run(check(tmp_path, type="python", value="scores.py:score"), "12345")
    with pytest.raises(TypeError, match="returned the score 3.5; a score is from 0 to 1"):
        run(check(tmp_path, type="python", value="scores.py:big", threshold=0.5), "x")
    assert at.version != check(tmp_path, type="python", value="scores.py:score", threshold=0.6).version


def test_an_async_check_is_awaited(tmp_path):
    import asyncio
    import warnings

    (tmp_path / "aio.py").write_text(
        "import asyncio\n"
        "async def later(ctx):\n    await asyncio.sleep(0.01)\n    return ('^JD' in ctx.reply, 'looked')\n")
    c = check(tmp_path, type="python", value="aio.py:later")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "coroutine was never awaited"
        assert run(c, "ok ^JD").passed is True  # no loop running: awaited in the worker thread
        res = asyncio.run(c.arun(CheckContext(case=CASE, reply="ok")))  # on the run's loop
    assert res.passed is False and res.detail == "looked"


def test_a_python_check_over_its_time_limit_raises_timed_out(tmp_path):
    import asyncio
    import time

    (tmp_path / "slow.py").write_text(
        "import asyncio, time\n"
        "def sleepy(ctx):\n    time.sleep(30)\n"
        "async def asleep(ctx):\n    await asyncio.sleep(30)\n")
    sleepy = check(tmp_path, type="python", value="slow.py:sleepy", timeout_s=0.2)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match=r"timed out after 0\.2 s \(its timeout_s\)"):
        run(sleepy, "x")
    with pytest.raises(TimeoutError, match=r"timed out after 0\.2 s"):
        asyncio.run(sleepy.arun(CheckContext(case=CASE, reply="x")))
    with pytest.raises(TimeoutError, match=r"timed out after 0\.2 s"):
        asyncio.run(check(tmp_path, type="python", value="slow.py:asleep", timeout_s=0.2).arun(
            CheckContext(case=CASE, reply="x")))
    assert time.monotonic() - started < 3


def test_the_default_time_limit_is_documented_in_the_message(tmp_path, monkeypatch):
    from harness.checks import custom

    monkeypatch.setattr(custom, "PYTHON_TIMEOUT_S", 0.1)
    (tmp_path / "slow.py").write_text("import time\ndef sleepy(ctx):\n    time.sleep(30)\n")
    with pytest.raises(TimeoutError, match=r"after 0\.1 s \(the default limit; set timeout_s in its entry"):
        run(check(tmp_path, type="python", value="slow.py:sleepy"), "x")
    assert custom.CustomCheckSpec.model_fields["timeout_s"].description.endswith("(default 10).")


def test_calls_stuck_past_their_limit_are_bounded(tmp_path, monkeypatch):
    import threading

    from harness.checks import custom

    monkeypatch.setattr(custom, "_STUCK_KEPT", 2)
    (tmp_path / "hang.py").write_text("import threading\nGATE = threading.Event()\n"
                                      "def hang(ctx):\n    GATE.wait(30)\n    return True\n")
    c = check(tmp_path, type="python", value="hang.py:hang", timeout_s=0.05)
    for _ in range(2):
        with pytest.raises(TimeoutError, match="timed out"):
            run(c, "x")
    with pytest.raises(TimeoutError, match=r"not run: 2 earlier calls of hang.py:hang timed out after 0\.05 s"):
        run(c, "x")
    c.function.__globals__["GATE"].set()  # the stuck calls end: the check runs again
    for thread in list(c._stuck):
        thread.join(5)
    assert run(c, "x").passed is True
    assert all(t.daemon for t in threading.enumerate() if t.name == "check mine")


def test_sys_exit_or_any_base_exception_in_a_check_is_a_crash_on_that_case(tmp_path):
    import asyncio

    from harness.runner.evaluate import run_checks, run_checks_async

    (tmp_path / "exits.py").write_text(
        "import sys\n"
        "class Odd(BaseException):\n    pass\n"
        "def leaves(ctx):\n    sys.exit(1)\n"
        "def quits(ctx):\n    exit()\n"
        "def odd(ctx):\n    raise Odd('odd one')\n"
        "async def aleaves(ctx):\n    sys.exit(3)\n"
        "def interrupts(ctx):\n    raise KeyboardInterrupt\n")
    ctx = CheckContext(case=CASE, reply="hi")
    # Each detail ends with where in the user's file the check raised (the innermost frame of theirs).
    for name, line, detail in [("leaves", 5, "check crashed: SystemExit: sys.exit(1) was called inside the check"),
                               ("quits", 7, "check crashed: SystemExit: sys.exit(None) was called inside the check"),
                               ("odd", 9, "check crashed: Odd: odd one"),
                               ("aleaves", 11, "check crashed: SystemExit: sys.exit(3) was called inside the check")]:
        detail += f" (at {(tmp_path / 'exits.py').resolve()}:{line} in {name})"
        c = check(tmp_path, type="python", value=f"exits.py:{name}")
        for res in (run_checks([c], ctx)["mine"], asyncio.run(run_checks_async([c], ctx))["mine"]):
            assert (res.passed, res.detail, res.data) == (None, detail, {"error": "check_crashed"}), name
    interrupts = check(tmp_path, type="python", value="exits.py:interrupts")
    with pytest.raises(KeyboardInterrupt):
        run_checks([interrupts], ctx)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(run_checks_async([interrupts], ctx))


@pytest.mark.parametrize("fields, message", [
    ({"type": "contains", "value": "x", "timeout_s": 5}, "timeout_s\n.*applies to python checks only"),
    ({"type": "regex", "value": "x", "threshold": 0.5}, "threshold\n.*applies to python checks only"),
    ({"type": "python", "value": "h.py:f", "timeout_s": 0}, "greater than 0"),
    ({"type": "python", "value": "h.py:f", "threshold": 1.5}, "less than or equal to 1"),
])
def test_time_limit_and_threshold_are_python_fields(fields, message):
    with pytest.raises(ValidationError, match=message):
        CustomCheckSpec(name="mine", **fields)


def test_versions_of_existing_entries_did_not_move(tmp_path):
    """timeout_s and threshold came later: an entry without them keeps the version it had (runs stay comparable)."""
    from harness.hashing import hash_value

    spec = {"name": "mine", "type": "contains", "value": "x", "ignore_case": True, "applies_when": "always",
            "description": ""}
    assert check(type="contains", value="x").version == "custom-" + hash_value({"spec": spec, "source": ""})[:12]
    (tmp_path / "h.py").write_text("def f(ctx):\n    return True\n")
    assert (check(tmp_path, type="python", value="h.py:f").version
            == check(tmp_path, type="python", value="h.py:f", timeout_s=30).version)


def test_the_readme_example_of_a_per_case_value_runs(tmp_path):
    """The python block under "Checks of your own": a value per case, read from ctx.case.metadata."""
    import re
    import textwrap

    from tests.support.readme import REPO

    readme = (REPO / "README.md").read_text()
    block = re.search(r"```python\n(.*?)```", readme[readme.index("### Checks of your own"):], re.S).group(1)
    (tmp_path / "per_case.py").write_text(textwrap.dedent(block))
    c = check(tmp_path, type="python", value="per_case.py:cites_the_order")
    with_order = Case(id="o", turns=[{"role": "customer", "content": "late"}], metadata={"order_id": "4411"})
    assert run(c, "Order 4411 ships today.", case=with_order).passed is True
    res = run(c, "It ships today.", case=with_order)
    assert res.passed is False and res.detail == "order 4411 not cited"
    assert run(c, "It ships today.", case=CASE).passed is None


@pytest.mark.parametrize("body, message", [("import sys\nsys.exit(5)\n", r"sys.exit\(5\) was called"),
                                           ("raise SystemExit\n", r"sys.exit\(None\) was called")])
def test_a_check_file_that_exits_at_import_is_a_clear_error_not_a_silent_exit(tmp_path, body, message):
    (tmp_path / "quits.py").write_text(body + "def f(ctx):\n    return True\n")
    with pytest.raises(ValueError, match=r"importing .*quits.py failed: " + message):
        check(tmp_path, type="python", value="quits.py:f")

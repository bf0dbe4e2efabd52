"""harness show: a run's records in the terminal, one line each or in full, filtered, escaped."""

from __future__ import annotations

import json
import textwrap

from harness.records.schema import Record
from harness.report.show import ShowFilter, criterion_scales, notice_lines
from tests.cli.conftest import harness_cmd


def _records(run_dir):
    return [json.loads(line) for line in (run_dir / "records.jsonl").read_text().splitlines()]


def _in_run_order(run_dir, records: list[dict]) -> list[dict]:
    """``records`` as show lists them: cases in the snapshot's (dataset's) order, then the eval's candidates."""
    cases = [json.loads(line)["id"] for line in (run_dir / "cases.jsonl").read_text().splitlines()]
    candidates = [c["name"] for c in json.loads((run_dir / "manifest.json").read_text())["candidates"]]
    return sorted(records, key=lambda r: (cases.index(r["case_id"]), candidates.index(r["candidate"]), r["sample"]))


def _expected_verdict(record: dict) -> str:
    if record["error"] or any(v["error"] for v in record["judge"].values()):
        return "ERROR"
    failed = any(r["passed"] is False or (r["passed"] is None and r["data"].get("error") == "check_crashed")
                 for r in record["checks"].values())
    failed = failed or any(v["passed"] is False for v in record["judge"].values())
    return "FAIL" if failed else "pass"


def test_the_list_gives_every_record_its_verdict_and_what_failed(served_project):
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    done = harness_cmd("show", "r", cwd=root)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    records = _in_run_order(root / "r", _records(root / "r"))
    assert len(lines) == len(records) + 1 == 13
    for line, record in zip(lines, records):
        words = line.split()
        assert words[:3] == [_expected_verdict(record), record["case_id"], record["candidate"]]
        failing = [n for n, r in record["checks"].items() if r["passed"] is False]
        assert not failing or f"checks {', '.join(failing)}" in line
        criteria = [n for n, v in record["judge"].items() if v["passed"] is False]
        assert not criteria or f"criteria {', '.join(criteria)}" in line  # apart: a check may share its name
    verdicts = [_expected_verdict(r) for r in records]
    assert lines[-1].startswith("12 of 12 records (")
    assert f"{verdicts.count('FAIL')} FAIL" in lines[-1] or "FAIL" not in verdicts

    only = harness_cmd("show", "r", "--failing", cwd=root).stdout.splitlines()
    assert len(only) - 1 == sum(v != "pass" for v in verdicts)
    assert all(not line.startswith("pass") for line in only[:-1])


def test_a_case_in_full_shows_thread_reply_checks_with_evidence_and_the_judges_reasons(served_project):
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    done = harness_cmd("show", "r", "k1", "--candidates", "served", cwd=root)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    record = next(r for r in _records(root / "r") if (r["case_id"], r["candidate"]) == ("k1", "served"))
    assert text.startswith("── k1 · served ")
    assert "customer: order #101 is late!!! @shop" in text
    assert "I apologize for the delay." in text and "reply (model, " in text
    for name, result in record["checks"].items():
        assert name in text
        for span in result["evidence"] if result["passed"] is not None else []:
            assert f"\u201c{span['text']}\u201d @{span['start']}" in text
    for name, verdict in record["judge"].items():
        assert name in text and verdict["reason"] in text
    assert f"acknowledgement    {record['judge']['acknowledgement']['score']:g} of 1-5" in text
    assert not any(line != line.rstrip() for line in text.splitlines())
    assert text.rstrip().endswith("1 of 12 records (1 " + _expected_verdict(record) + ")")

    as_json = harness_cmd("show", "r", "k*", "--candidates", "bot-v1", "--json", cwd=root)
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["case_id"] for r in rows] == [f"k{i}" for i in range(6)]
    assert rows[0]["thread"][0]["content"] == "order #100 is late!!! @shop"
    stored = next(r for r in _records(root / "r") if (r["case_id"], r["candidate"]) == ("k0", "bot-v1"))
    assert {k: v for k, v in rows[0].items() if k != "thread"} == stored


def test_what_a_model_or_customer_wrote_cannot_drive_the_terminal(tmp_path):
    rows = [{"id": "x", "turns": [{"role": "customer", "content": "hi \x1b]0;owned\x07 there"}],
             "recorded_replies": {"v1": "We are \x1b[31msorry\x1b[0m for the delay.\u202e)(esrever\u200b\r\nok"}}]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "e.yaml").write_text(textwrap.dedent("""\
        dataset: d.jsonl
        candidates: [{name: v1, recorded: v1}]
        checks: [apology_wording]
        """))
    assert harness_cmd("run", "e.yaml", "--out", "r", "--quiet", cwd=tmp_path).returncode == 0
    for args in (["x"], []):
        out = harness_cmd("show", "r", *args, cwd=tmp_path).stdout
        assert "\x1b" not in out and "\x07" not in out
    full = harness_cmd("show", "r", "x", cwd=tmp_path).stdout
    assert "\\x1b[31msorry\\x1b[0m" in full and "\\x1b]0;owned\\x07" in full
    # Format characters (a right-to-left override, a zero-width space) could reorder or hide text.
    assert "\u202e" not in full and "\u200b" not in full and "\\u202e)(esrever\\u200b" in full
    assert "\r" not in full and "\n  ok\n" in full  # a CRLF is one line break


def test_bad_requests_are_one_line_errors(served_project):
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    for args, message in ((["r", "--candidates", "nope"], "run r has no candidate nope (it has: bot-v1, served)"),
                          (["r", "zzz"], "no record of r matches zzz"),
                          (["r", "k1", "--sample", "3"], "--sample: this run has one sample per case (0)"),
                          (["r", "k9", "--candidates", "bot-v1"], "no record of r matches k9 with the options given"),
                          (["nowhere"], "nowhere")):
        done = harness_cmd("show", *args, cwd=root)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and not done.stdout


def test_a_turn_case_matches_by_its_thread_and_filters_combine():
    record = Record(case_id="t7@t2", candidate="v2", sample=1)
    assert ShowFilter(cases=("t7",)).keeps(record) and ShowFilter(cases=("t7@t*",)).keeps(record)
    assert not ShowFilter(cases=("t8",)).keeps(record)
    assert ShowFilter(candidates=("v2",), sample=1).keeps(record)
    assert not ShowFilter(candidates=("v1",)).keeps(record) and not ShowFilter(sample=0).keeps(record)
    assert not ShowFilter(failing=True).keeps(record)  # nothing failed in it
    # With epochs every sample's header says which it is, sample 0 too.
    from harness.report.show import render_record

    first = Record(case_id="t7", candidate="v2", sample=0, reply="Hi")
    assert render_record(first, None, several_samples=True).startswith("── t7 · v2 · sample 0 ")
    assert render_record(first, None).startswith("── t7 · v2 ─")


def test_the_runs_notices_come_first_and_scales_are_read_from_the_manifest():
    lines = notice_lines(["The embedded model took part in this run. " * 4, "second \x1b[2J"])
    assert lines[0].startswith("note: The embedded model") and lines[1].startswith("      ")
    assert lines[-1].startswith("note: second \\x1b[2J")
    rubric = {"criteria": {"a": {"scale": "1-5"}, "b": {"scale": "pass_fail"}, "c": "junk"}}
    assert criterion_scales(rubric) == {"a": "1-5", "b": "pass_fail"} and criterion_scales(None) == {}


def test_characters_textwrap_counts_as_spaces_are_escaped_not_dropped_at_a_break():
    from harness.report.show import wrapped

    # \x0b, \x0c and a lone \r at a wrap point vanished: neither obeyed nor shown.
    lines = wrapped("  ", "We will refund\r you today.\x0b\x0c" + "a" * 95 + " \r bbbb")
    joined = "".join(line.strip() for line in lines)
    assert "\\x0b\\x0c" in joined and "\\r bbbb" in joined and "refund\\r you" in joined


def test_a_pattern_that_matches_nothing_beside_others_is_warned_of(served_project):
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    done = harness_cmd("show", "r", "k1", "zzz", "--candidates", "served", cwd=root)
    assert done.returncode == 0 and done.stdout.startswith("── k1 · served ")
    # With options that narrow the records, a case may exist and be left out by them: the warning says so.
    assert done.stderr.strip() == "harness: warning: no record of r matches zzz with the options given"
    plain = harness_cmd("show", "r", "k1", "zzz", cwd=root)
    assert plain.returncode == 0 and plain.stderr.strip() == "harness: warning: no record of r matches zzz"


def test_on_a_terminal_only_the_verdict_marks_are_coloured():
    from harness.checks.base import CheckResult
    from harness.report.show import list_line, render_record

    record = Record(case_id="c1", candidate="v", reply="pass the salt\nFAIL is a word here",
                    checks={"x": CheckResult(passed=False, detail="no"), "y": CheckResult(passed=True)})
    assert list_line(record, False, color=True).startswith("\x1b[31mFAIL\x1b[0m   c1  v  checks x")
    assert "\x1b" not in list_line(record, False)
    lines = render_record(record, None, color=True).splitlines()
    coloured = [line for line in lines if "\x1b[" in line]
    assert coloured == ["  \x1b[31mFAIL\x1b[0m  x  no", "  \x1b[32mpass\x1b[0m  y"]  # the reply's words are not


def test_a_record_in_full_says_how_many_attempts_its_errors_took():
    from harness.records.schema import CriterionResult, ErrorInfo
    from harness.report.show import render_record

    failed = Record(case_id="c1", candidate="bot", error=ErrorInfo(kind="server_error", message="HTTP 503",
                                                                      attempts=5))
    assert "case error: server_error: HTTP 503 (5 attempts)" in render_record(failed, None)
    skipped = Record(case_id="c2", candidate="bot", error=ErrorInfo(kind="auth", message="not called"))
    assert "case error: auth: not called (no call made)" in render_record(skipped, None)

    judged = Record(case_id="c3", candidate="bot", reply="hi", judge={
        "tone": CriterionResult(error=ErrorInfo(kind="timeout", message="slow", attempts=1))})
    assert "timeout: slow (1 attempt)" in render_record(judged, None)


def test_records_are_listed_in_dataset_and_candidate_order_whatever_order_they_finished_in(served_project):
    # Records are written as their calls finish, differently from run to run; show lists them as
    # report.html and export do, so two runs of an eval read alike.
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    before = harness_cmd("show", "r", cwd=root).stdout
    path = root / "r" / "records.jsonl"
    written = path.read_text().splitlines()
    path.write_text("\n".join(reversed(written)) + "\n")
    assert harness_cmd("show", "r", cwd=root).stdout == before
    listed = [tuple(line.split()[1:3]) for line in before.splitlines()[:-1]]
    expected = [(r["case_id"], r["candidate"]) for r in _in_run_order(root / "r", _records(root / "r"))]
    assert listed == expected


def test_a_scored_check_shows_its_score_against_its_threshold():
    """A python check that returns a score: the full view shows the score and the threshold it was held to (they
    were only in --json), before its detail when it has one."""
    from harness.checks.base import CheckResult
    from harness.report.show import render_record

    record = Record(case_id="b01", candidate="zbot-3", reply="Hello", checks={
        "length_score": CheckResult(passed=True, detail="", data={"score": 0.85, "threshold": 0.5}),
        "tone": CheckResult(passed=False, detail="curt", data={"score": 0.2, "threshold": 0.5}),
        "judged": CheckResult(passed=True, detail="fine", data={"score": 1.0}),  # a dict with pass and score
        "plain": CheckResult(passed=True, detail="ok")})
    lines = {line.split()[1]: line for line in render_record(record, None).splitlines()
             if line.startswith("  ") and len(line.split()) > 1}
    assert lines["length_score"].rstrip().endswith("length_score  score 0.85 against threshold 0.5")
    assert lines["tone"].rstrip().endswith("score 0.2 against threshold 0.5; curt")
    assert lines["judged"].rstrip().endswith("score 1; fine")
    assert lines["plain"].rstrip().endswith("plain         ok")


def test_an_error_comes_alone_without_the_runs_notices(served_project):
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    manifest = json.loads((root / "r" / "manifest.json").read_text())
    manifest["notices"] = ["The embedded model took part in this run as the judge."]
    (root / "r" / "manifest.json").write_text(json.dumps(manifest))
    done = harness_cmd("show", "r", "c999", cwd=root)
    assert done.returncode == 2 and done.stdout == ""  # the notes were printed before the error
    assert done.stderr.strip() == "harness: error: CASE: no record of r matches c999"
    listed = harness_cmd("show", "r", cwd=root)
    assert listed.returncode == 0 and listed.stdout.startswith("note: The embedded model")


def test_a_tool_rounds_error_says_the_calls_its_rounds_made():
    from harness.records.schema import ErrorInfo, ToolUse
    from harness.report.show import render_record

    # The loop gave up after 3 calls that each succeeded: the error has no attempts of its own, but calls were made.
    record = Record(case_id="t1", candidate="bot", error=ErrorInfo(kind="tool_rounds", message="still calling tools"),
                    tool_calls=[ToolUse(round=1, id="c0", name="lookup_order", arguments="{}", result="ok")])
    record.responder.calls = 3
    text = render_record(record, None)
    assert "case error: tool_rounds: still calling tools (3 calls made)" in text and "no call made" not in text

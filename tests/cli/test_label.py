"""harness label: labelling a run's replies by hand, saved line by line, resumable, read by calibrate."""

from __future__ import annotations

import json

from harness.calibration.labelling import Answer, parse_answer
from harness.calibration.labels import load_labels
from tests.cli.conftest import harness_cmd


def _label(root, *args, answers: str):
    return harness_cmd("label", "r", "--labels", "labels.jsonl", "--labeller", "ana", *args, cwd=root,
                       input=answers)


def _run(root):
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root).returncode == 0
    return [json.loads(line) for line in (root / "r" / "records.jsonl").read_text().splitlines()]


def test_answers_are_read_as_labels_notes_or_actions():
    assert parse_answer("4 names the order\n", "1-5") == Answer(label=4.0, note="names the order")
    assert parse_answer(" P ", "pass_fail") == Answer(label=1.0) and parse_answer("fail", "pass_fail").label == 0.0
    assert parse_answer("s", "1-5").action == "skip" and parse_answer("q", "pass_fail").action == "quit"
    assert parse_answer("?", "1-5").action == "help"
    assert parse_answer("6", "1-5") == "answer 1 to 5, s to skip, q to quit, ? for help"
    assert parse_answer("4", "pass_fail").startswith("answer p (pass) or f (fail)")


def test_a_session_saves_each_label_at_once_and_the_next_goes_on_where_it_stopped(served_project):
    root = served_project["dir"]
    records = _run(root)
    first = _label(root, "--criteria", "acknowledgement", "--candidates", "served",
                   answers="9\n4 names the order\ns\n2\n")  # input ends after the 3rd reply: the session stops
    assert first.returncode == 0, first.stderr
    assert "answer 1 to 5" in first.stdout and "labelled 2 (labels.jsonl); skipped 1; 4 left" in first.stdout
    # 4, not 3: the skipped k1 is still to label (the next session below starts "[1/4] k1")
    assert "[1/6] k0 · served · criterion acknowledgement (1-5)" in first.stdout
    assert "question: Does the reply reflect the customer's specific problem" in first.stdout
    assert "run's verdict" not in first.stdout  # blind unless asked
    rows = [json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines()]
    served = {r["case_id"]: r for r in records if r["candidate"] == "served"}
    assert rows == [{"case_id": "k0", "reply": served["k0"]["reply"], "criterion": "acknowledgement", "label": 4,
                     "labeller": "ana", "note": "names the order"},
                    {"case_id": "k2", "reply": served["k2"]["reply"], "criterion": "acknowledgement", "label": 2,
                     "labeller": "ana"}]

    second = _label(root, "--criteria", "acknowledgement", "--candidates", "served", "--show-verdicts",
                    answers="5\nq\n")
    assert "[1/4] k1 · served" in second.stdout  # k0 and k2 are done; the skipped k1 is asked again
    score = served["k1"]["judge"]["acknowledgement"]["score"]
    assert f"run's verdict: {score:g}" in second.stdout
    assert "labelled 1 (labels.jsonl); skipped 0; 3 left" in second.stdout
    assert len(load_labels(root / "labels.jsonl")) == 3

    checks = _label(root, "--checks", "no_contradiction", "--candidates", "bot-v1", "--by-candidate",
                    "--limit", "2", answers="p\nf\np\n")
    assert "labelled 2 " in checks.stdout
    last = [json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines()][-2:]
    assert last[0] == {"case_id": "k0", "candidate": "bot-v1", "check": "no_contradiction", "label": "pass",
                       "labeller": "ana"} and last[1]["label"] == "fail"

    calibrated = harness_cmd("calibrate", "--labels", "labels.jsonl", "r", "--resamples", "20", cwd=root)
    assert calibrated.returncode == 0, calibrated.stderr
    report = json.loads((root / "r" / "calibration.json").read_text())
    counts = {a["name"]: a["n"] for a in report["criteria"] + report["checks"]}
    assert counts == {"acknowledgement": 3, "no_contradiction": 2}


def test_what_cannot_be_labelled_is_refused_in_one_line_and_a_damaged_file_is_left_alone(served_project):
    root = served_project["dir"]
    _run(root)
    for args, message in ((["--criteria", "tone"], "run r has no criterion tone (it has: acknowledgement, "
                                                   "policy_compliance)"),
                          (["--checks", "nope"], "run r has no check nope"),
                          (["--candidates", "x"], "run r has no candidate x"),
                          (["--limit", "0"], "--limit: must be at least 1")):
        done = _label(root, *args, answers="")
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    (root / "labels.jsonl").write_text('{"case_id": "k0"}\n')
    damaged = _label(root, answers="4\n")
    assert damaged.returncode == 2 and "labels.jsonl:1:" in damaged.stderr
    assert (root / "labels.jsonl").read_text() == '{"case_id": "k0"}\n'


def test_a_run_without_a_judge_labels_its_checks(tmp_path):
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "x", "turns": [{"role": "customer", "content": "late!"}],
                                                  "recorded_replies": {"v1": "Sorry."}}) + "\n")
    (tmp_path / "e.yaml").write_text("dataset: d.jsonl\ncandidates: [{name: v1, recorded: v1}]\n"
                                     "checks: [apology_wording, boundary_setting]\n")
    assert harness_cmd("run", "e.yaml", "--out", "r", "--quiet", cwd=tmp_path).returncode == 0
    # No --checks: a checks-only run labels its checks, and says so (it used to refuse: fix_s23c)
    done = _label(tmp_path, answers="f\n")
    assert done.returncode == 0, done.stderr
    assert "labelling the checks of r (apology_wording, boundary_setting): it has no judge criteria" in done.stderr
    assert "labelled 1 " in done.stdout
    (tmp_path / "labels.jsonl").unlink()
    # boundary_setting does not apply (n/a): only apology_wording is asked
    asked = _label(tmp_path, "--checks", "apology_wording,boundary_setting", answers="f\n")
    assert "[1/1] x · v1 · check apology_wording (p/f)" in asked.stdout and "labelled 1 " in asked.stdout
    again = _label(tmp_path, "--checks", "apology_wording", answers="")
    assert again.stdout.strip() == "nothing left to label in r for ana (labels: labels.jsonl)"


def test_every_line_harness_label_writes_validates_against_the_published_schema(served_project):
    # The schema said `label` is a number; `harness label` writes "pass"/"fail" on pass/fail targets.
    import jsonschema

    from harness.schemas import schema_of

    root = served_project["dir"]
    _run(root)
    by_reply = _label(root, "--criteria", "acknowledgement,policy_compliance", "--candidates", "served",
                      "--limit", "4", answers="4 names the order\np\n2\nf no refund limit\n")
    by_candidate = _label(root, "--checks", "no_contradiction", "--candidates", "bot-v1", "--by-candidate",
                          "--limit", "2", answers="p\nf a note\n")
    assert "labelled 4 " in by_reply.stdout and "labelled 2 " in by_candidate.stdout, by_reply.stderr
    rows = [json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines()]
    assert [r["label"] for r in rows] == [4, "pass", 2, "fail", "pass", "fail"]
    for row in rows:
        jsonschema.validate(row, schema_of("labels"))


def test_a_bad_labeller_or_label_file_is_refused_in_one_line_before_anything_is_asked(served_project):
    # Each crashed with a traceback, the first and the last only after the first answer was typed (and lost).
    root = served_project["dir"]
    _run(root)
    (root / "labels-dir").mkdir()
    for labeller, labels, message in (
            ("", "labels.jsonl", "harness: error: --labeller: give your name"),
            ("  ", "labels.jsonl", "harness: error: --labeller: give your name"),
            ("ana", "labels-dir", "harness: error: --labels: labels-dir is a directory, not a label file"),
            ("ana", "cases.jsonl/x.jsonl", "harness: error: --labels: cannot write to cases.jsonl/x.jsonl (Not a "
                                           "directory)"),
            ("ana", "/proc/nope/x.jsonl", "harness: error: --labels: cannot write to /proc/nope/x.jsonl (No such "
                                          "file or directory)")):
        done = harness_cmd("label", "r", "--labels", labels, "--labeller", labeller, "--criteria", "acknowledgement",
                           cwd=root, input="4\n")
        assert done.returncode == 2 and done.stderr.startswith(message), (labeller, labels, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert "label>" not in done.stdout and "[1/" not in done.stdout, done.stdout
    assert not (root / "labels.jsonl").exists()


def test_a_new_label_file_is_created_before_the_first_question_and_removed_if_nothing_was_labelled(
        served_project):
    root = served_project["dir"]
    _run(root)
    quit_at_once = harness_cmd("label", "r", "--labels", "new/dir/labels.jsonl", "--labeller", "ana", cwd=root,
                               input="q\n")
    assert quit_at_once.returncode == 0 and "labelled 0 " in quit_at_once.stdout
    assert not (root / "new" / "dir" / "labels.jsonl").exists()
    one = harness_cmd("label", "r", "--labels", "new/dir/labels.jsonl", "--labeller", "ana", cwd=root,
                      input="3\nq\n")
    assert one.returncode == 0 and "labelled 1 " in one.stdout
    assert len(load_labels(root / "new" / "dir" / "labels.jsonl")) == 1


def test_by_candidate_is_refused_on_a_model_candidate(served_project):
    # The help says --by-candidate is only for recorded candidates, but it was taken on `served` (a model).
    root = served_project["dir"]
    _run(root)
    for args in ((), ("--candidates", "served"), ("--candidates", "bot-v1,served", "--cases", "k1")):
        done = _label(root, "--checks", "no_contradiction", "--by-candidate", *args, answers="p\n")
        assert done.returncode == 2 and done.stderr.startswith(
            "harness: error: --by-candidate: candidate served writes its replies with a model"), (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "label>" not in done.stdout
    assert not (root / "labels.jsonl").exists()
    # A record's own reply_source says so too, whatever the manifest says of its candidate.
    manifest = json.loads((root / "r" / "manifest.json").read_text())
    for candidate in manifest["candidates"]:
        candidate["kind"] = "recorded"
    (root / "r" / "manifest.json").write_text(json.dumps(manifest))
    done = _label(root, "--checks", "no_contradiction", "--by-candidate", answers="p\n")
    assert done.returncode == 2 and "--by-candidate: candidate served writes its replies" in done.stderr
    recorded = _label(root, "--checks", "no_contradiction", "--by-candidate", "--candidates", "bot-v1",
                      answers="q\n")
    assert recorded.returncode == 0 and "[1/6] k0 · bot-v1" in recorded.stdout


def test_a_reply_labelled_by_candidate_or_by_text_is_not_asked_again_the_other_way(served_project):
    # Resuming did not recognise a label naming the same reply the other way: the reply was asked again, and
    # calibrate counted both labels.
    root = served_project["dir"]
    _run(root)
    first = _label(root, "--checks", "no_contradiction", "--candidates", "bot-v1", "--limit", "2",
                   answers="p\nf\n")
    assert "labelled 2 " in first.stdout
    by_candidate = _label(root, "--checks", "no_contradiction", "--candidates", "bot-v1", "--by-candidate",
                          "--limit", "2", answers="p\np\n")
    assert "[1/4] k2 · bot-v1" in by_candidate.stdout and "labelled 2 " in by_candidate.stdout
    by_text = _label(root, "--checks", "no_contradiction", "--candidates", "bot-v1", answers="f\np\np\n")
    assert "[1/2] k4 · bot-v1" in by_text.stdout and "labelled 2 " in by_text.stdout
    again = _label(root, "--checks", "no_contradiction", "--candidates", "bot-v1", "--by-candidate", answers="")
    assert again.returncode == 0 and again.stdout.startswith("nothing left to label")
    rows = [json.loads(line) for line in (root / "labels.jsonl").read_text().splitlines()]
    assert [("candidate" in r, r["case_id"]) for r in rows] == [(False, "k0"), (False, "k1"), (True, "k2"),
                                                                (True, "k3"), (False, "k4"), (False, "k5")]
    calibrated = harness_cmd("calibrate", "--labels", "labels.jsonl", "r", "--resamples", "20", cwd=root)
    assert calibrated.returncode == 0, calibrated.stderr
    (check,) = json.loads((root / "r" / "calibration.json").read_text())["checks"]
    assert (check["n"], check["n_labels"]) == (6, 6)


def test_a_selection_that_matches_nothing_or_an_empty_list_is_refused_not_read_as_all_done(served_project):
    # `--cases zzz` printed "nothing left to label" with exit 0 (a typo read as "all done"), and `--checks ,`
    # fell back to labelling every criterion.
    root = served_project["dir"]
    _run(root)
    for args, message in (
            (["--cases", "zzz"], "harness: error: no record of run r matches --cases zzz (`harness show r` lists "
                                 "them)"),
            (["--cases", "k1", "--candidates", "nobody-typo"], "run r has no candidate nobody-typo"),
            (["--cases", "k9*", "--candidates", "served"], "harness: error: no record of run r matches --cases k9* "
                                                           "--candidates served"),
            (["--checks", ","], "harness: error: --checks: give check names separated by commas"),
            (["--checks", ""], "harness: error: --checks: give check names separated by commas"),
            (["--checks", "no_contradiction,"], "harness: error: --checks: give check names separated by commas"),
            (["--criteria", ","], "harness: error: --criteria: give criterion ids separated by commas"),
            (["--criteria", " "], "harness: error: --criteria: give criterion ids separated by commas"),
            (["--candidates", ","], "harness: error: --candidates: give candidate names separated by commas")):
        done = _label(root, *args, answers="4\n")
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "nothing left" not in done.stdout
        assert "label>" not in done.stdout
    assert not (root / "labels.jsonl").exists()
    chosen = _label(root, "--cases", "k1", "--candidates", "served", answers="q\n")
    assert chosen.returncode == 0 and "[1/2] k1 · served · criterion acknowledgement" in chosen.stdout


def test_a_selection_with_nothing_to_label_is_refused_apart_from_everything_already_labelled(tmp_path):
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "x", "turns": [{"role": "customer", "content": "late!"}],
                                                  "recorded_replies": {"v1": "Sorry."}}) + "\n")
    (tmp_path / "e.yaml").write_text("dataset: d.jsonl\ncandidates: [{name: v1, recorded: v1}]\n"
                                     "checks: [apology_wording, boundary_setting]\n")
    assert harness_cmd("run", "e.yaml", "--out", "r", "--quiet", cwd=tmp_path).returncode == 0
    never = _label(tmp_path, "--checks", "boundary_setting", answers="")  # n/a on the only reply
    assert never.returncode == 2 and "nothing left" not in never.stdout
    assert never.stderr.strip() == ("harness: error: nothing to label: none of the 1 selected records of run r has "
                                    "a reply to which check boundary_setting applies")
    assert _label(tmp_path, "--checks", "apology_wording", answers="p\n").returncode == 0
    done = _label(tmp_path, "--checks", "apology_wording,boundary_setting", answers="")
    assert done.returncode == 0 and done.stdout.strip() == "nothing left to label in r for ana (labels: labels.jsonl)"


def test_only_first_samples_are_asked_as_calibrate_pairs_only_those():
    from harness.calibration.labelling import Target, pending_items
    from harness.checks.base import CheckResult
    from harness.records.schema import Record

    target = Target("check", "apology_wording", "pass_fail")
    records = [Record(case_id="c1", candidate="m", sample=k, reply=f"Sorry {k}",
                      checks={"apology_wording": CheckResult(passed=True)}) for k in range(3)]
    assert [item.record.sample for item in pending_items(records, [target], set(), "ana", False)] == [0]


def test_a_case_pattern_that_matches_nothing_beside_others_is_warned_of(served_project):
    root = served_project["dir"]
    _run(root)
    done = _label(root, "--checks", "apology_wording", "--cases", "k1,zzz", answers="q\n")
    assert done.returncode == 0 and "[1/" in done.stdout
    assert done.stderr.strip() == "harness: warning: no record of r matches zzz"

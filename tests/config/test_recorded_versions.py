"""A recorded candidate whose version no case has a reply of is refused at its `recorded:` line.

It validated, and the run ended with every record a missing_recorded_reply (`recorded: bot-v9` for bot-v1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.validation import validate_file
from harness.config.evalfile import load_eval
from harness.config.versions import check_recorded_versions
from harness.datasets.loader import load_dataset
from harness.errors import ConfigError, DatasetError, UserError


def row(case_id: str, replies: dict[str, str], turns: list | None = None) -> str:
    turns = turns or [{"role": "customer", "content": f"complaint {case_id}"}]
    return json.dumps({"id": case_id, "turns": turns, "recorded_replies": replies}) + "\n"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.jsonl").write_text(row("c1", {"bot-v1": "a", "bot-v2": "b"}) + row("c2", {"bot-v1": "c"})
                                          + row("c3", {"human": "d"}))
    return tmp_path


def write_eval(project: Path, candidates: str, extra: str = "") -> Path:
    (project / "eval.yaml").write_text(f"name: e\ndataset: cases.jsonl\n{extra}candidates:\n{candidates}")
    return Path("eval.yaml")  # relative, as a user names it: messages start with it


def error_of(path: Path) -> str:
    with pytest.raises(UserError) as info:
        validate_file(path)
    return str(info.value)


def test_validate_refuses_a_version_no_case_has_at_its_recorded_line(project):
    path = write_eval(project, "  - name: bot-v2\n    recorded: bot-v2\n  - name: bot-v1\n    recorded: bot-v9\n")
    assert error_of(path) == ("eval.yaml:7: candidates[1].recorded: no case has a reply recorded for version 'bot-v9' "
                              "(the 3 cases have: bot-v1, bot-v2, human; did you mean bot-v1 or bot-v2?)")


def test_a_version_some_cases_lack_is_fine(project):
    # c2 and c3 have no bot-v2 reply: those cases are missing_recorded_reply errors, the others are graded.
    path = write_eval(project, "  - {name: v2, recorded: bot-v2}\n  - {name: h, recorded: human}\n")
    assert validate_file(path) == "eval e, 2 candidates"


def test_limit_counts_only_the_cases_the_run_evaluates(project):
    path = write_eval(project, "  - {name: h, recorded: human}\n", extra="limit: 2\n")
    assert error_of(path) == ("eval.yaml:5: candidates[0].recorded: no case has a reply recorded for version 'human' "
                              "(the 2 cases have: bot-v1, bot-v2)")


def test_turn_level_replay_counts_the_versions_of_its_turn_cases(project):
    thread = [{"role": "customer", "content": "hi"}, {"role": "agent", "content": "hello", "author": "human"},
              {"role": "customer", "content": "refund?"}]
    (project / "cases.jsonl").write_text(row("t1", {"bot-v1": "no"}, thread))
    ok = write_eval(project, "  - {name: a, recorded: thread}\n  - {name: b, recorded: human}\n  - {name: c, "
                             "recorded: bot-v1}\n", extra="replay: turns\n")
    assert validate_file(ok) == "eval e, 3 candidates"
    bad = write_eval(project, "  - {name: a, recorded: thred}\n", extra="replay: turns\n")
    assert error_of(bad) == ("eval.yaml:5: candidates[0].recorded: no case has a reply recorded for version 'thred' "
                             "(the 2 cases have: bot-v1, human, thread; did you mean thread?)")


def test_cases_without_recorded_replies_say_so(project):
    (project / "cases.jsonl").write_text(json.dumps({"id": "c1", "turns": [{"role": "customer", "content": "x"}]})
                                         + "\n")
    path = write_eval(project, "  - {name: a, recorded: bot}\n")
    assert error_of(path).endswith("candidates[0].recorded: no case has a reply recorded for version 'bot' (the 1 "
                                   "case has no recorded replies)")


def test_the_check_takes_the_cases_and_candidates_a_run_evaluates(project):
    # What `harness run` calls once it has selected its cases (--cases, --limit) and candidates (--candidates).
    path = write_eval(project, "  - {name: v2, recorded: bot-v2}\n  - {name: h, recorded: human}\n")
    loaded = load_eval(path)
    cases = load_dataset("cases.jsonl").cases
    check_recorded_versions(loaded, cases)
    check_recorded_versions(loaded, cases[1:], [loaded.spec.candidates[1]])  # v2 is not run
    with pytest.raises(ConfigError) as info:
        check_recorded_versions(loaded, cases[1:])
    assert str(info.value).startswith("eval.yaml:4: candidates[0].recorded: no case has a reply recorded for "
                                      "version 'bot-v2' (the 2 cases have: bot-v1, human")


def test_many_versions_are_listed_up_to_a_count(project):
    (project / "cases.jsonl").write_text(row("c1", {f"v{i:02d}": "x" for i in range(25)}))
    path = write_eval(project, "  - {name: a, recorded: zzz}\n")
    assert error_of(path).endswith("(the 1 case has: v00, v01, v02, v03, v04, v05, v06, v07, v08, v09, v10, v11, "
                                   "v12, v13, v14, v15, v16, v17, v18, v19 and 5 more)")


def test_validate_names_a_turn_replay_id_clash_at_the_dataset_line(project):
    # validate said ok; the run refused it without a line.
    (project / "cases.jsonl").write_text(row("x", {}) + row("x@t1", {"bot": "y"}))
    path = write_eval(project, "  - {name: a, recorded: bot}\n", extra="replay: turns\n")
    with pytest.raises(DatasetError) as info:
        validate_file(path)
    assert str(info.value) == ("cases.jsonl:2: id: turn-level replay names a case 'x@t1', but the dataset already "
                               "has that id; rename it (ids ending in @t<n> are taken by replay)")


def test_a_bad_dataset_row_fails_validate_of_the_eval_file_as_the_run_does(project):
    (project / "cases.jsonl").write_text(row("c1", {"bot": "a"}) + "{oops\n")
    path = write_eval(project, "  - {name: a, recorded: bot}\n")
    assert error_of(path).startswith("cases.jsonl:2: invalid JSON")


def test_a_version_with_a_space_around_it_is_shown_quoted():
    # review_new item 5: "(the 1 case has:  v1; did you mean  v1?)" hid the space
    from harness.config.versions import _no_such_version

    assert _no_such_version("v1", [" v1", "v2"], 1) == ("no case has a reply recorded for version 'v1' (the 1 case "
                                                       "has: ' v1', v2; did you mean ' v1'?)")


def test_an_export_whose_replies_are_the_threads_own_points_at_recorded_thread():
    # A production export's final agent turns are recorded as version `thread`; a user names the bot instead.
    from harness.config.versions import _no_such_version

    line = _no_such_version("prod", ["thread"], 3)
    assert line.startswith("no case has a reply recorded for version 'prod' (the 3 cases have: thread; ")
    assert "`recorded: thread` grades the replies the conversations themselves recorded" in line
    assert "recorded: thread" not in _no_such_version("bot-v2", ["bot-v1", "thread"], 3)  # a near name: its hint

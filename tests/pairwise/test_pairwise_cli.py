"""`harness pairwise` end to end on two small runs of recorded candidates (no model for the runs)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from harness.cli.main import main
from harness.models.fake import clear_fakes, register_fake
from harness.schemas import schema_of
from tests.pairwise.judges import always_first, answer, shown

ROOT = Path(__file__).resolve().parents[2]
DATASET = ROOT / "datasets" / "complaints.jsonl"
RUBRIC = ROOT / "rubrics" / "support-reply.yaml"


def longer_wins(messages, config):
    first, second = shown(messages)
    return answer("tie" if len(first) == len(second) else "1" if len(first) > len(second) else "2")


@pytest.fixture(autouse=True)
def _fakes():
    yield
    clear_fakes()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run A replays bot-v1 (and bot-v2 as a second candidate), run B replays bot-v2, on 6 cases."""
    root = tmp_path_factory.mktemp("pairwise")
    for name, candidates in (("a", [("bot", "bot-v1"), ("v2", "bot-v2")]), ("b", [("bot", "bot-v2")])):
        lines = "".join(f"  - name: {n}\n    recorded: {v}\n" for n, v in candidates)
        (root / f"{name}.yaml").write_text(f"name: {name}\ndataset: {DATASET}\nlimit: 6\ncandidates:\n{lines}"
                                           "checks: none\n")
        assert main(["run", str(root / f"{name}.yaml"), "--out", str(root / name.upper()), "--quiet",
                     "--no-cache"]) == 0
    return root


def _pairwise(runs, *extra: str, judge: str = "fake/pw") -> int:
    # One cache for the module: a judge registered under another script needs its own name.
    return main(["pairwise", str(runs / "A"), *extra, "--judge-model", judge, "--rubric", str(RUBRIC),
                 "--criteria", "acknowledgement,apology_quality", "--cache", str(runs / "cache.sqlite")])


def test_pairwise_end_to_end_writes_json_and_markdown(runs, capsys):
    provider = register_fake("pw", longer_wins)
    out = runs / "pw"
    assert _pairwise(runs, str(runs / "B"), "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert "bot (A) vs bot (B), 12 pairs over 6 cases" in printed and "pairwise.md" in printed
    data = json.loads((out / "pairwise.json").read_text())
    jsonschema.validate(data, schema_of("pairwise"))
    assert provider.calls == 24  # 6 cases x 2 criteria x 2 orders
    comparison = data["comparisons"][0]
    assert (comparison["candidate_a"], comparison["candidate_b"]) == ("bot", "bot")
    overall = comparison["rows"][-1]
    assert overall["name"] == "overall" and overall["n_pairs"] == 12 and overall["consistency"]["rate"] == 1.0
    # the judge always picks the longer reply: the longer side wins every decided pair
    cases = comparison["cases"]
    longer_b = sum(len(c["reply_b"]) > len(c["reply_a"]) for c in cases)
    longer_a = sum(len(c["reply_a"]) > len(c["reply_b"]) for c in cases)
    assert overall["b_wins"]["count"] == 2 * longer_b and overall["a_wins"]["count"] == 2 * longer_a
    assert overall["longer_preferred"]["rate"] == 1.0
    # every case holds both orders' verdicts for a reviewer
    verdict = cases[0]["verdicts"][0]
    assert verdict["ab"]["order"] == "AB" and verdict["ba"]["order"] == "BA" and verdict["ab"]["reason"]
    md = (out / "pairwise.md").read_text()
    assert "| **overall** | 12 |" in md and "Every verdict in both orders" in md and "B − A" in md
    assert "Gemma" not in md  # no embedded notice for a fake judge


def test_pairwise_within_one_run_and_position_bias_notice(runs, capsys):
    register_fake("first", always_first)
    out = runs / "within"
    assert _pairwise(runs, "--pair", "bot=v2", "--out", str(out), "--limit", "4", judge="fake/first") == 0
    captured = capsys.readouterr()
    assert "position bias" in captured.err
    assert "consistent under swap 0%" in captured.out and "picked the first reply 100%" in captured.out
    data = json.loads((out / "pairwise.json").read_text())
    assert data["same_run"] and data["comparisons"][0]["rows"][-1]["ties"]["rate"] == 1.0
    assert len(data["comparisons"][0]["cases"]) == 4
    md = (out / "pairwise.md").read_text()
    assert "position bias" in md and "swapped (8; counted as ties)" in md
    assert "A first → A (picked first); B first → B (picked first)" in md


def test_both_orders_are_cached_apart(runs, capsys):
    provider = register_fake("cached", longer_wins)
    assert _pairwise(runs, str(runs / "B"), "--out", str(runs / "c1"), "--limit", "2", judge="fake/cached") == 0
    calls = provider.calls
    assert calls == 8
    assert _pairwise(runs, str(runs / "B"), "--out", str(runs / "c2"), "--limit", "2", judge="fake/cached") == 0
    assert provider.calls == calls
    assert json.loads((runs / "c2" / "pairwise.json").read_text())["usage"]["cache_hits"] == 8


@pytest.mark.parametrize("argv, expected", [
    (["pairwise", "{root}/nope", "{root}/B", "--judge-model", "fake/pw", "--rubric", "{rubric}"],
     "not a run directory"),
    (["pairwise", "{root}/A", "--pair", "bot=ghost", "--judge-model", "fake/pw", "--rubric", "{rubric}"],
     "has no replies of candidate 'ghost'"),
    (["pairwise", "{root}/A", "--judge-model", "fake/pw", "--rubric", "{rubric}"], "--pair: comparing within"),
    (["pairwise", "{root}/A", "{root}/B", "--judge-model", "fake/pw", "--rubric", "{rubric}", "--criteria", "tonee"],
     "--criteria: unknown criterion: tonee"),
    (["pairwise", "{root}/A", "{root}/B", "--rubric", "{rubric}"], "--judge-model: run A had no judge"),
    (["pairwise", "{root}/A", "{root}/B", "--judge-model", "fake/pw"], "--rubric: run A has no rubric"),
    (["pairwise", "{root}/A", "{root}/B", "--judge-model", "fake/pw", "--rubric", "{root}/missing.yaml"],
     "rubric file not found"),
    (["pairwise", "{root}/A", "{root}/B", "--judge-model", "fake/unknown", "--rubric", "{rubric}"],
     "--judge-model: unknown fake model"),
    (["pairwise", "{root}/A", "{root}/B", "--judge-model", "fake/pw", "--rubric", "{rubric}", "--limit", "0"],
     "--limit: must be a positive number"),
    (["pairwise", "{root}/A", "{root}/B", "--judge-model", "fake/pw", "--rubric", "{rubric}", "--pair", "bot"],
     "--pair: expected LEFT=RIGHT"),
    (["pairwise", "{root}/A", "{root}/B", "--api-base", "http://x", "--rubric", "{rubric}"],
     "--api-base: goes with --judge-model"),
])
def test_bad_input_is_one_line_and_exit_code_2(runs, capsys, argv, expected):
    register_fake("pw", always_first)
    args = [a.format(root=runs, rubric=RUBRIC) for a in argv] + ["--out", str(runs / "bad"), "--no-cache"]
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("harness: error: ") and expected in err and "\n" not in err


def test_runs_that_answer_different_complaints_are_refused(runs, tmp_path, capsys):
    register_fake("pw", longer_wins)
    rows = [json.loads(line) for line in DATASET.read_text().splitlines()[:6]]
    rows[0]["turns"][0]["content"] += " (edited)"
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "c.yaml").write_text(f"name: c\ndataset: {tmp_path / 'data.jsonl'}\ncandidates:\n"
                                     "  - name: bot\n    recorded: bot-v2\nchecks: none\n")
    assert main(["run", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "C"), "--quiet", "--no-cache"]) == 0
    capsys.readouterr()
    base = ["pairwise", str(runs / "A"), str(tmp_path / "C"), "--judge-model", "fake/pw", "--rubric", str(RUBRIC),
            "--criteria", "acknowledgement", "--no-cache", "--out", str(tmp_path / "out")]
    assert main(base) == 2
    err = capsys.readouterr().err
    assert "dataset content hash differs" in err and "1 shared case(s) differ" in err and rows[0]["id"] in err
    assert main(base + ["--allow-incomparable"]) == 0
    data = json.loads((tmp_path / "out" / "pairwise.json").read_text())
    assert not data["comparable"] and data["warnings"][0].startswith("These sides are NOT comparable")
    assert "NOT comparable" in (tmp_path / "out" / "pairwise.md").read_text()


def test_schema_command_prints_the_pairwise_schema(capsys):
    assert main(["schema", "pairwise"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "PairwiseReport"


@pytest.mark.embedded
def test_pairwise_with_the_embedded_judge_on_three_cases(runs, capsys):
    pytest.importorskip("llama_cpp")
    out = runs / "embedded"
    assert main(["pairwise", str(runs / "A"), str(runs / "B"), "--judge-model", "embedded/gemma-3-270m",
                 "--rubric", str(RUBRIC), "--criteria", "apology_quality", "--limit", "3", "--no-cache",
                 "--out", str(out)]) == 0
    data = json.loads((out / "pairwise.json").read_text())
    jsonschema.validate(data, schema_of("pairwise"))
    row = data["comparisons"][0]["rows"][0]
    # every pair is either judged in both orders or counted as an error; never silently dropped
    assert row["n_pairs"] + row["left_out"]["judge_error"] == 3
    assert row["b_wins"]["count"] + row["ties"]["count"] + row["a_wins"]["count"] == row["n_pairs"]
    assert data["usage"]["calls"] >= 6
    for case in data["comparisons"][0]["cases"]:
        verdict = case["verdicts"][0]
        assert {verdict["ab"]["order"], verdict["ba"]["order"]} == {"AB", "BA"}
    md = (out / "pairwise.md").read_text()
    assert "embedded model (Gemma 3 270M" in md and "the pairwise judge" in md
    assert "embedded model" in capsys.readouterr().err


def test_turn_replayed_runs_carry_the_turn_cases_notice(runs, tmp_path, capsys):
    from harness.pairwise.notices import TURN_CASES_NOTICE

    threads = ROOT / "datasets" / "threads.jsonl"
    eval_file = tmp_path / "threads.yaml"
    eval_file.write_text(f"name: threads\ndataset: {threads}\nlimit: 2\nreplay: turns\ncandidates:\n"
                         "  - name: v1\n    recorded: bot-v1\n  - name: v2\n    recorded: bot-v2\nchecks: none\n")
    assert main(["run", str(eval_file), "--out", str(tmp_path / "T"), "--quiet", "--no-cache"]) == 0
    register_fake("turns", longer_wins)
    out = tmp_path / "pw"
    assert main(["pairwise", str(tmp_path / "T"), "--pair", "v1=v2", "--judge-model", "fake/turns", "--rubric",
                 str(RUBRIC), "--criteria", "acknowledgement", "--out", str(out), "--no-cache", "--quiet"]) == 0
    assert TURN_CASES_NOTICE in json.loads((out / "pairwise.json").read_text())["notices"]
    assert "turn-level replay" in (out / "pairwise.md").read_text()
    # Runs of whole threads carry no such notice.
    plain = runs / "plain-pw"
    assert _pairwise(runs, str(runs / "B"), "--out", str(plain), "--limit", "2", judge="fake/turns") == 0
    assert TURN_CASES_NOTICE not in json.loads((plain / "pairwise.json").read_text())["notices"]


def test_every_judge_call_failing_exits_3_with_the_outputs_written(runs, capsys):
    register_fake("down", lambda messages, config: "no JSON here, ever")
    out = runs / "down"
    assert _pairwise(runs, str(runs / "B"), "--out", str(out), "--limit", "2", "--max-attempts", "1",
                     judge="fake/down") == 3
    assert "every judge call failed (8): nothing was judged" in capsys.readouterr().err
    assert (out / "pairwise.md").exists() and (out / "pairwise.json").exists()


def test_runs_whose_datasets_differ_only_in_recorded_replies_are_comparable(tmp_path, capsys):
    # A deployed bot's new replies stored in the dataset are candidate output, not a different complaint.
    register_fake("pw", longer_wins)
    rows = [json.loads(line) for line in DATASET.read_text().splitlines()[:6]]
    for name in ("old", "new"):
        if name == "new":
            rows[0]["recorded_replies"]["bot-v2"] = "A new reply from the deployed bot."
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        (tmp_path / f"{name}.yaml").write_text(f"name: d\ndataset: {tmp_path / name}.jsonl\ncandidates:\n"
                                               "  - name: bot\n    recorded: bot-v2\nchecks: none\n")
        assert main(["run", str(tmp_path / f"{name}.yaml"), "--out", str(tmp_path / name), "--quiet",
                     "--no-cache"]) == 0
    capsys.readouterr()
    assert main(["pairwise", str(tmp_path / "old"), str(tmp_path / "new"), "--judge-model", "fake/pw", "--rubric",
                 str(RUBRIC), "--criteria", "acknowledgement", "--no-cache", "--out", str(tmp_path / "out")]) == 0
    assert "dataset content hash" not in capsys.readouterr().err


def test_every_pair_a_tie_reads_an_interval_not_plus_zero_to_plus_zero(runs, capsys):
    register_fake("ties", lambda messages, config: answer("tie"))
    out = runs / "ties"
    assert _pairwise(runs, str(runs / "B"), "--out", str(out), "--limit", "5", "--no-cache", judge="fake/ties") == 0
    assert "B − A +0 pp [-52, +52]" in capsys.readouterr().out
    md = (out / "pairwise.md").read_text()
    assert "[+0, +0]" not in md and "| **overall** | 10 |" in md and "+0 pp [-52, +52]" in md
    assert "Clopper-Pearson 0 of n, as `harness diff` does" in md  # the footer says how it was computed
    data = json.loads((out / "pairwise.json").read_text())
    jsonschema.validate(data, schema_of("pairwise"))
    assert {r["ci_method"] for r in data["comparisons"][0]["rows"]} == {"no_change"}


def test_out_holding_other_files_is_refused_before_any_judge_call(runs, capsys):
    provider = register_fake("unused", longer_wins)
    mine = runs / "mine"
    mine.mkdir()
    (mine / "pairwise.md").write_text("my own notes\n")
    (mine / "notes.txt").write_text("keep\n")
    assert _pairwise(runs, str(runs / "B"), "--out", str(mine), judge="fake/unused") == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"harness: error: {mine}: is not empty and holds no pairwise report (notes.txt); pairwise "
                   "would write pairwise.json and pairwise.md there: choose a new or empty --out")
    assert provider.calls == 0 and (mine / "pairwise.md").read_text() == "my own notes\n"
    # a run directory, a file, and a pairwise.json that is no pairwise report are refused alike
    assert _pairwise(runs, str(runs / "B"), "--out", str(runs / "A"), judge="fake/unused") == 2
    assert "holds no pairwise report (cases.jsonl, " in capsys.readouterr().err
    (runs / "a-file").write_text("x")
    assert _pairwise(runs, str(runs / "B"), "--out", str(runs / "a-file"), judge="fake/unused") == 2
    assert "a-file: is a file, not a directory" in capsys.readouterr().err
    (runs / "other").mkdir()
    (runs / "other" / "pairwise.json").write_text('{"mine": 1}')
    assert _pairwise(runs, str(runs / "B"), "--out", str(runs / "other"), judge="fake/unused") == 2
    assert "holds a pairwise.json that is not a pairwise report" in capsys.readouterr().err
    assert provider.calls == 0 and (runs / "other" / "pairwise.json").read_text() == '{"mine": 1}'


def test_a_second_pairwise_into_the_same_directory_replaces_the_first_with_a_note(runs, capsys):
    register_fake("again", longer_wins)
    out = runs / "again"
    assert _pairwise(runs, str(runs / "B"), "--out", str(out), "--limit", "2", judge="fake/again") == 0
    assert "replacing" not in capsys.readouterr().err
    assert _pairwise(runs, "--pair", "bot=v2", "--out", str(out), "--limit", "3", judge="fake/again") == 0
    assert (f"harness: note: replacing the pairwise report in {out} (a (A) vs b (B): bot vs bot; written "
            in capsys.readouterr().err)
    data = json.loads((out / "pairwise.json").read_text())
    assert data["same_run"] and len(data["comparisons"][0]["cases"]) == 3


def test_a_version_1_pairwise_json_still_reads(runs, capsys):
    from harness.pairwise import load_pairwise

    register_fake("v1", longer_wins)
    out = runs / "v1"
    assert _pairwise(runs, str(runs / "B"), "--out", str(out), "--limit", "2", judge="fake/v1") == 0
    data = json.loads((out / "pairwise.json").read_text())
    data["schema_version"] = 1
    for row in data["comparisons"][0]["rows"]:
        del row["ci_method"]
    (out / "pairwise.json").write_text(json.dumps(data))
    assert load_pairwise(out / "pairwise.json").comparisons[0].rows[0].ci_method is None

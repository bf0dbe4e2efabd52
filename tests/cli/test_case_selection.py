"""harness run --cases / --where / --failing, end to end: what runs, what the run records, resume, errors."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.cli.conftest import harness_cmd

GOOD = "I'm sorry your order is late. I've escalated it and will email you by 5pm today."
BAD = "That's not true, our records show you signed for it."


def write_project(root: Path) -> None:
    rows = []
    for i in range(6):
        rows.append({"id": f"c{i}", "persona": ["angry", "abusive", "indecisive"][i % 3],
                     "channel": "twitter" if i < 3 else "email",
                     "turns": [{"role": "customer", "content": f"order #{100 + i} never came"}],
                     "recorded_replies": {"v1": BAD if i in (1, 4) else GOOD, "v2": GOOD}})
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "eval.yaml").write_text(textwrap.dedent("""\
        name: sel
        dataset: cases.jsonl
        candidates:
          - {name: v1, recorded: v1}
          - {name: v2, recorded: v2}
        checks: [no_contradiction]
        """))


def case_ids(run_dir: Path) -> list[str]:
    return sorted({json.loads(line)["case_id"] for line in (run_dir / "records.jsonl").read_text().splitlines()})


def test_failing_reruns_only_what_failed_and_the_run_says_how_it_was_selected(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "eval.yaml", "--out", "full", "--quiet", cwd=tmp_path).returncode == 0
    done = harness_cmd("run", "eval.yaml", "--out", "again", "--failing", "full", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert case_ids(tmp_path / "again") == ["c1", "c4"]
    manifest = json.loads((tmp_path / "again" / "manifest.json").read_text())
    assert manifest["dataset"]["selection"] == {"failing_in": "full"} and manifest["dataset"]["n_selected"] == 2
    scorecard = json.loads((tmp_path / "again" / "scorecard.json").read_text())
    assert scorecard["run"]["selection"] == "--failing full"
    assert "2 of 6 cases, selected by --failing full" in (tmp_path / "again" / "scorecard.md").read_text()
    assert "--failing full" in (tmp_path / "again" / "report.html").read_text()
    diff = harness_cmd("diff", "full", "again", cwd=tmp_path)
    assert diff.returncode == 0 and "cases: --failing full" in diff.stdout, diff.stderr
    # nothing failed for v2: no case is left, one line, exit 2
    none = harness_cmd("run", "eval.yaml", "--out", "v2", "--failing", "full", "--candidates", "v2", cwd=tmp_path)
    assert none.returncode == 2 and "nothing failed there" in none.stderr
    # a candidate the failing run does not have is named, not taken for "nothing failed"
    other = harness_cmd("run", "eval.yaml", "--out", "v9", "--failing", "full", "--candidates", "v9", cwd=tmp_path)
    assert other.returncode == 2 and "--failing: run full has no candidate v9 (it has: v1, v2)" in other.stderr


def test_cases_and_where_combine(tmp_path):
    write_project(tmp_path)
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", "--cases", "c1,c2,c4*",
                       "--where", "channel=email", "--where", "persona=abusive,indecisive", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert case_ids(tmp_path / "r") == ["c4"]


def test_resume_with_another_selection_is_refused(tmp_path):
    write_project(tmp_path)
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", "--where", "channel=email",
                       cwd=tmp_path).returncode == 0
    refused = harness_cmd("run", "eval.yaml", "--out", "r", "--resume", "--quiet", cwd=tmp_path)
    assert refused.returncode == 2 and "select other cases than the run started with" in refused.stderr
    again = harness_cmd("run", "eval.yaml", "--out", "r", "--resume", "--quiet", "--where", "channel=email",
                        cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_bad_selections_are_one_line(tmp_path):
    write_project(tmp_path)
    for args, message in ((["--where", "colour=red"], "--where: unknown field 'colour'"),
                          (["--failing", "nowhere"], "nowhere: not a run directory"),
                          (["--cases", "zz*"], "--cases: pattern zz* matches no case of cases.jsonl (6 cases)"),
                          (["--cases", "c1,c11"],
                           "--cases: unknown case id c11 of cases.jsonl (6 cases) (did you mean c1?)"),
                          (["--where", "metadata.tierr=gold"], "--where: no case of cases.jsonl has metadata key"),
                          (["--where", "channel=fax"], "--where: no case of cases.jsonl has channel fax (the cases have: ")):
        done = harness_cmd("run", "eval.yaml", "--out", "x", *args, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()

"""Comparability rests on what the cases ask, not on the replies the dataset records for versions.

The dataset hash a diff (and a gate against a baseline) compared covered each case's
recorded_replies, so a nightly of a recorded candidate (a deployed bot's replies stored in the
dataset) was either identical to its baseline or refused as "not comparable: dataset content hash
differs". The manifest now also records ``cases_sha256``, without those replies, and the guard
compares it when both runs have it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.compare import build_diff
from harness.compare.align import compared_cases
from harness.compare.columns import open_run
from harness.datasets.digest import dataset_hashes
from harness.datasets.loader import load_dataset
from harness.hashing import hash_value

THREAD = [{"role": "customer", "content": "hi"},
          {"role": "agent", "content": "Hello!", "author": "bot-v1", "replies": {"bot-v2": "Hi there."}},
          {"role": "customer", "content": "my parcel #12 is late"}]


def rows(reply: str = "Sorry, I will chase parcel #12 today.", complaint: str = "my parcel #12 is late",
         turn_reply: str = "Hi there.") -> list[dict]:
    thread = [dict(t) for t in THREAD]
    thread[1] = {**thread[1], "replies": {"bot-v2": turn_reply}}
    thread[2] = {**thread[2], "content": complaint}
    return [{"id": "c1", "persona": "angry", "turns": thread, "recorded_replies": {"bot": reply}},
            {"id": "c2", "turns": [{"role": "customer", "content": "that's not what I ordered"}],
             "recorded_replies": {"bot": "That's not true."}, "context": {"max_refund": 20}}]


def write(path: Path, data: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in data), encoding="utf-8")
    return path


def hashes(tmp_path: Path, data: list[dict], name: str = "d.jsonl") -> tuple[str, str]:
    dataset = load_dataset(write(tmp_path / name, data))
    return dataset.sha256, dataset.cases_sha256


def test_the_whole_dataset_hash_is_as_before(tmp_path):
    # Runs made before cases_sha256 existed are compared by this one: it must not move.
    for data in (rows(), [{"id": "x", "turns": [{"role": "customer", "content": "é \u2028 😡"}],
                           "metadata": {"z": [1, 2.5, None], "a": {"b": True}}}]):
        dataset = load_dataset(write(tmp_path / "d.jsonl", data))
        assert dataset.sha256 == hash_value([c.model_dump(mode="json") for c in dataset.cases])
        csv = tmp_path / "d.csv"
        csv.write_text('id,complaint,reply:bot\nc1,late,"sorry"\n', encoding="utf-8")
        loaded = load_dataset(csv)
        assert loaded.sha256 == hash_value([c.model_dump(mode="json") for c in loaded.cases])
        assert loaded.cases_sha256 == hash_value([{k: v for k, v in c.model_dump(mode="json").items()
                                                   if k != "recorded_replies"} for c in loaded.cases])


def test_the_cases_hash_leaves_out_recorded_replies_and_nothing_else(tmp_path):
    base = hashes(tmp_path, rows())
    for changed in (rows(reply="We apologize."), rows(turn_reply="Hey.")):  # what versions replied
        full, cases = hashes(tmp_path, changed)
        assert full != base[0] and cases == base[1]
    with_new_version = rows()
    with_new_version[1]["recorded_replies"]["bot-v3"] = "new"
    assert hashes(tmp_path, with_new_version)[1] == base[1]
    asked = [rows(complaint="my parcel #13 is late")]
    for edit in ({"persona": "abusive"}, {"context": {"max_refund": 30}}, {"expectations": {"boundary_required": True}},
                 {"id": "c3"}, {"category": "retail"}, {"metadata": {"source": "x"}}):
        data = rows()
        data[1].update(edit)
        asked.append(data)
    author = rows()
    author[0]["turns"][1]["author"] = "human"
    asked.append(author)
    for data in asked:  # what the cases ask
        full, cases = hashes(tmp_path, data)
        assert full != base[0] and cases != base[1], data


def test_dataset_hashes_match_hash_value_of_the_dumps_and_of_them_without_replies():
    dumps = [{"id": "a", "turns": [{"role": "agent", "content": "x", "replies": {"v": "q"}}], "recorded_replies": {"v": "r"},
              "persona": None, "metadata": {"k": [1, 2.5]}}, {"id": "b", "turns": [], "recorded_replies": {}}, {}]
    full, cases = dataset_hashes(dumps)
    assert full == hash_value(dumps)
    assert cases == hash_value([{"id": "a", "turns": [{"role": "agent", "content": "x"}], "persona": None,
                                 "metadata": {"k": [1, 2.5]}}, {"id": "b", "turns": []}, {}])
    with pytest.raises(ValueError):
        dataset_hashes([{"x": float("nan")}], allow_nan=False)


EVAL = "name: nightly\ndataset: {dataset}\ncandidates:\n  - {{name: bot, recorded: bot}}\nchecks: [no_contradiction, apology_wording]\n"


def run(root: Path, name: str, data: list[dict]) -> Path:
    write(root / f"{name}.jsonl", data)
    (root / f"{name}.yaml").write_text(EVAL.format(dataset=f"{name}.jsonl"))
    assert main(["run", str(root / f"{name}.yaml"), "--out", str(root / name), "--no-cache", "--quiet"]) in (0, 1)
    return root / name


def test_a_recorded_candidate_whose_replies_changed_is_comparable_with_its_baseline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    baseline = run(tmp_path, "baseline", rows())
    nightly = rows()
    nightly[1]["recorded_replies"]["bot"] = "I'm sorry, let me fix that."  # the deployed bot got better
    tonight = run(tmp_path, "tonight", nightly)
    manifest = json.loads((tonight / "manifest.json").read_text())
    assert manifest["dataset"]["cases_sha256"] == load_dataset(tmp_path / "tonight.jsonl").cases_sha256
    report = build_diff(baseline, tonight)  # it raised "not comparable: dataset content hash differs"
    assert report.comparable
    rows_ = {r.name: r for r in report.comparisons[0].rows}
    assert rows_["no_contradiction"].changes  # the changed reply is what the diff reports

    changed = rows(complaint="my parcel #13 never came")
    other = run(tmp_path, "other", changed)
    # A changed complaint no longer refuses the whole diff (it raised "dataset content hash differs"): that case
    # is left out and named, and the runs are compared on the other (tests/compare/test_case_changes.py).
    assert compared_cases(open_run(baseline), open_run(other)).changed == ["c1"]
    assert all(row.n_cases == 1 for row in build_diff(baseline, other).comparisons[0].rows)


def test_a_run_made_before_cases_sha256_is_compared_case_by_case(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    baseline = run(tmp_path, "baseline", rows())
    manifest_path = baseline / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["dataset"]["cases_sha256"]
    manifest_path.write_text(json.dumps(manifest))
    same = run(tmp_path, "same", rows())
    assert build_diff(baseline, same).comparable
    nightly = rows()
    nightly[1]["recorded_replies"]["bot"] = "I'm sorry, let me fix that."
    # Its sha256 differs, as it did (it raised "dataset content hash differs"), but the cases are now compared
    # one by one from the runs' case snapshots, without the replies: none changed.
    tonight = run(tmp_path, "tonight", nightly)
    assert compared_cases(open_run(baseline), open_run(tonight)).changed == []
    assert build_diff(baseline, tonight).comparable


def regrade_notices(root: Path, source: str, data: list[dict]) -> list[str]:
    write(root / "regrade.jsonl", data)
    (root / "regrade.yaml").write_text("name: regrade\ndataset: regrade.jsonl\ncandidates:\n"
                                       f"  - {{name: again, replies_from: {source}, from_candidate: bot}}\n"
                                       "checks: [no_contradiction]\n")
    out = root / f"regrade-{len(list(root.glob('regrade-*')))}"
    assert main(["run", str(root / "regrade.yaml"), "--out", str(out), "--no-cache", "--quiet"]) in (0, 1)
    return json.loads((out / "scorecard.json").read_text())["notices"]


def test_a_regrade_warns_about_changed_complaints_not_changed_recorded_replies(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = run(tmp_path, "source", rows())
    replies_changed = rows(reply="Other words.")
    assert not [n for n in regrade_notices(tmp_path, "source", replies_changed) if "another version" in n]
    notices = regrade_notices(tmp_path, "source", rows(complaint="a different complaint"))
    assert any("replays the replies run source got for another version of the dataset" in n for n in notices)
    assert source.exists()

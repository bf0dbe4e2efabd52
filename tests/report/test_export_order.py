"""harness export lists a run's rows in run order (the dataset's cases, the eval's candidates), not in the
order the run's calls finished: two runs of the same eval export alike."""

from __future__ import annotations

import io
import json

from harness.records.store import write_manifest
from harness.report.export import export_rows, write_export
from tests.scoring.factory import manifest, record

CANDIDATES = ("zed", "amy", "bob")  # the eval's order, not alphabetical
CASES = ("c2", "c1", "c3")  # the dataset's order, not by id


def _run(tmp_path, name: str, records) -> object:
    run_dir = tmp_path / name
    run_dir.mkdir()
    write_manifest(run_dir, manifest(candidates=CANDIDATES))
    (run_dir / "cases.jsonl").write_text(
        "".join(json.dumps({"id": c, "turns": [{"role": "customer", "content": f"about {c}"}]}) + "\n"
                for c in CASES))
    (run_dir / "records.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in records))
    return run_dir


def test_rows_come_in_the_datasets_case_order_and_the_evals_candidate_order(tmp_path):
    records = [record(c, cand, reply=f"{cand} on {c}") for c in CASES for cand in CANDIDATES]
    finished = sorted(records, key=lambda r: (r.candidate, r.case_id))  # one completion order
    rows = list(export_rows(_run(tmp_path, "r", finished)))
    assert [(row["case_id"], row["candidate"]) for row in rows] == [(c, cand) for c in CASES for cand in CANDIDATES]
    assert rows[0]["customer"] == "about c2" and rows[0]["reply"] == "zed on c2"


def test_two_completion_orders_export_the_same_bytes(tmp_path):
    records = [record(c, cand, reply=f"{cand} on {c}") for c in CASES for cand in CANDIDATES]
    outputs = set()
    for n, finished in enumerate((records, records[::-1], records[4:] + records[:4])):
        run_dir = _run(tmp_path, f"r{n}", finished)
        for fmt in ("csv", "jsonl"):
            out = io.StringIO()
            assert write_export(run_dir, out, fmt) == len(records)
            outputs.add((fmt, out.getvalue()))
    assert len(outputs) == 2  # one csv, one jsonl


def test_cases_and_candidates_missing_from_the_snapshot_and_manifest_come_last(tmp_path):
    finished = [record("c9", "amy"), record("c1", "new"), record("c1", "bob"), record("c0", "zed")]
    rows = list(export_rows(_run(tmp_path, "r", finished)))
    assert [(row["case_id"], row["candidate"]) for row in rows] == [("c1", "bob"), ("c1", "new"), ("c0", "zed"),
                                                                   ("c9", "amy")]

"""What a check asks, where a person reads its result (finding 5 of the second migration review: a promptfoo cell
kept as a case check's description reached only cases.jsonl), and the case's inputs beside the replies (finding
19: the case's metadata, promptfoo's vars): ``harness show``, report.html's data, ``harness export``."""

from __future__ import annotations

import csv
import io
import json
import re

from harness.checks.base import CheckResult
from harness.records.store import write_manifest
from harness.report.case_about import case_check_about, eval_check_about, flat_metadata, spec_words
from harness.report.export import IDENTITY, TAIL, _OLD_TAIL, is_export, write_export
from harness.report.show import render_record
from harness.runner.outputs import finalize_run
from tests.compare.runs import chk, crit, manifest, rec, write_run

REGEX = {"name": "regex_d", "type": "regex", "value": r"\$\d+", "ignore_case": True, "applies_when": "always",
         "description": r"promptfoo: regex: \$\d+"}
SORRY = {"name": "contains_sorry", "type": "contains", "value": "sorry", "ignore_case": False,
         "applies_when": "always"}


def _case(case_id: str, **meta) -> dict:
    return {"id": case_id, "turns": [{"role": "customer", "content": f"I was charged twice ({case_id})"}],
            "metadata": meta, "checks": [REGEX, SORRY]}


def _failed(detail: str) -> CheckResult:
    return CheckResult(passed=False, detail=detail)


def test_a_case_check_is_said_as_written_or_as_its_spec():
    assert spec_words(REGEX) == r"promptfoo: regex: \$\d+"
    assert spec_words(SORRY) == "contains 'sorry' (case-sensitive)"  # finding 4: the letter case was unsaid
    assert spec_words({"type": "contains_all", "value": ["order", "1004"]}) == "contains_all 'order', '1004'"
    assert case_check_about({"checks": [REGEX]}) == {"regex_d": r"promptfoo: regex: \$\d+"}
    assert case_check_about(None) == {} and case_check_about({"checks": "junk"}) == {}
    spec = {"checks": [{"name": "a", "type": "contains", "value": "x", "description": "mine"},
                       {"name": "b", "type": "contains", "value": "y", "description": ""}, "all"]}
    assert eval_check_about(spec) == {"a": "mine"}  # only what the eval file wrote: built-ins are documented


def test_metadata_is_flattened_and_a_turn_cases_bookkeeping_left_out():
    case = {"metadata": {"order": {"id": 7, "tags": ["a", "b"]}, "tier": "gold", "thread_id": "t1",
                         "turn_index": 2, "n_agent_turns": 3}}
    assert flat_metadata(case) == {"order.id": 7, "order.tags": '["a", "b"]', "tier": "gold"}
    assert flat_metadata({"metadata": {"thread_id": "mine"}}) == {"thread_id": "mine"}  # not a turn case: the user's


def test_show_says_what_a_case_check_asks_under_its_verdict():
    record = rec("c1", reply="We will refund you.", checks={"regex_d": _failed("no match"),
                                                            "contains_sorry": _failed("none of 'sorry' found")})
    text = render_record(record, _case("c1"))
    assert re.search(r"FAIL  regex_d +no match\n +asks: promptfoo: regex: \\\$\\d\+\n", text), text
    assert "asks: contains 'sorry' (case-sensitive)" in text


def _run(tmp_path, n_cases=3, candidates=("alpha", "beta")):
    cases = {f"c{i}": _case(f"c{i}", order_id=str(1000 + i), note="=HYPERLINK(\"x\")") for i in range(n_cases)}
    records = [rec(case_id, name, reply="We will refund you.",
                   checks={"apology": chk(True), "regex_d": _failed("no match"), "contains_sorry": chk(True)},
                   judge={"empathy": crit(5)})
               for case_id in cases for name in candidates]
    return write_run(tmp_path / "run", records, manifest(candidates), cases)


def _data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_the_page_carries_each_cases_descriptions_and_metadata_once(tmp_path):
    page = finalize_run(_run(tmp_path)).report_html.read_text()
    cases = _data(page)["cases"]
    assert cases["c1"] == {"meta": [["order_id", "1001"], ["note", '=HYPERLINK("x")']],
                           "about": {"regex_d": r"promptfoo: regex: \$\d+",
                                     "contains_sorry": "contains 'sorry' (case-sensitive)"}}
    # once a case (3), not once a record (6): the script writes them where a record is opened or compared
    assert page.count("promptfoo: regex:") == 3


def test_export_has_the_metadata_and_what_each_failed_check_asks(tmp_path):
    run = _run(tmp_path)
    out = io.StringIO()
    write_export(run, out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    header = out.getvalue().splitlines()[0].split(",")
    assert header[len(IDENTITY):len(IDENTITY) + 2] == ["metadata.order_id", "metadata.note"]
    row = rows[2]
    assert (row["case_id"], row["customer"], row["metadata.order_id"]) == ("c1", "I was charged twice (c1)", "1001")
    assert row["metadata.note"] == "'=HYPERLINK(\"x\")"  # formula-escaped like every other cell
    assert row["failed_checks_detail"] == r"regex_d (promptfoo: regex: \$\d+): no match"
    lines = io.StringIO()
    write_export(run, lines, "jsonl")
    first = json.loads(lines.getvalue().splitlines()[0])
    assert first["metadata.note"] == '=HYPERLINK("x")' and first["failed_checks_detail"].startswith("regex_d (")


def test_an_eval_files_described_check_is_said_in_the_export(tmp_path):
    run = _run(tmp_path)
    man = manifest(("alpha", "beta"))
    man.eval_spec = {"checks": [{"name": "regex_d", "type": "regex", "value": "x", "description": "eval's words"}]}
    write_manifest(run, man)
    out = io.StringIO()
    write_export(run, out, "jsonl")
    # the case's own description wins: the case's check is the one that ran on it
    assert json.loads(out.getvalue().splitlines()[0])["failed_checks_detail"].startswith("regex_d (promptfoo:")


def test_an_export_with_metadata_columns_or_an_older_tail_is_still_an_export(tmp_path):
    for columns in ([*IDENTITY, "metadata.order_id", "check.a", *TAIL], [*IDENTITY, "check.a", *_OLD_TAIL]):
        path = tmp_path / "x.csv"
        path.write_text(",".join(columns) + "\n")
        assert is_export(path), columns
    path.write_text(",".join([*IDENTITY, "order_id", "check.a", *TAIL]) + "\n")  # a column someone added
    assert not is_export(path)


def test_show_and_the_report_say_what_an_eval_files_described_check_asks(tmp_path):
    record = rec("c1", reply="See our FAQ.", checks={"no_faq": _failed("found 'FAQ'")})
    text = render_record(record, {"id": "c1", "turns": []}, check_about={"no_faq": "never sends people to the FAQ"})
    assert re.search(r"FAIL  no_faq +found 'FAQ'\n +asks: never sends people to the FAQ\n", text), text
    # The run's own report (as a run writes it): the manifest's eval_spec says it.
    from harness.runner.outputs import finalize_run

    run = _run(tmp_path)
    man = manifest(("alpha", "beta"))
    man.eval_spec = {"checks": [{"name": "apology", "type": "contains", "value": "x",
                                 "description": "the house apology"}]}
    write_manifest(run, man)
    finalize_run(run)
    assert "the house apology" in (run / "report.html").read_text()

"""An eval's `breakdowns: [metadata.channel, ...]`: one breakdown per case field, with a cap on its values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.datasets.schema import Case
from harness.report.html import render_breakdowns_html
from harness.report.markdown import render_scorecard_md
from harness.scoring.fields import field_groups, field_reference
from harness.scoring.scorecard import build_scorecard
from tests.scoring.factory import check, manifest, record, score

REPO = Path(__file__).resolve().parents[2]


def _case(case_id: str, **metadata) -> Case:
    return Case(id=case_id, turns=[{"role": "customer", "content": "late"}], metadata=metadata)


def _manifest(names: list[str], cases: list[Case]):
    found = manifest()
    found.eval_spec = {"breakdowns": names}
    found.dataset["breakdowns"] = json.loads(json.dumps(field_groups(names, cases)))  # as manifest.json holds it
    return found


def _records(cases: list[Case], passed=lambda i: i % 2 == 0) -> list:
    return [record(case.id, judge={"empathy": score(5 if passed(i) else 2)},
                   checks={"apology_wording": check(passed(i))}) for i, case in enumerate(cases)]


def test_each_value_is_a_group_with_intervals_and_n_and_cases_without_it_are_none() -> None:
    cases = [_case(f"c{i}", channel=["chat", "email"][i % 2]) for i in range(9)] + [_case("c9")]
    card = build_scorecard(_records(cases), _manifest(["persona", "metadata.channel"], cases))
    groups = card.candidates["bot_v1"].by_field["metadata.channel"]
    assert list(card.fields["metadata.channel"].groups) == ["chat", "email"]
    assert {name: g.n_records for name, g in groups.items()} == {"chat": 5, "email": 4, "(none)": 1}
    chat = groups["chat"]  # c0, c2, c4, c6, c8: every one passed
    assert chat.checks["apology_wording"].passed == 5 and chat.checks["apology_wording"].ci is not None
    assert chat.criteria["empathy"].mean == 5 and chat.criteria["empathy"].n == 5
    assert groups["email"].checks["apology_wording"].rate == 0
    assert card.breakdowns == ["persona", "metadata.channel"]


def test_past_twenty_values_the_rest_are_pooled_and_said() -> None:
    cases = [_case(f"c{i}", ticket=f"T{i}") for i in range(25)]
    card = build_scorecard(_records(cases), _manifest(["metadata.ticket"], cases))
    info = card.fields["metadata.ticket"]
    assert len(info.groups) == 21 and info.groups[-1] == "(other 5 values)" and info.n_pooled_values == 5
    assert card.candidates["bot_v1"].by_field["metadata.ticket"]["(other 5 values)"].n_records == 5
    text = render_scorecard_md(card)
    assert "the other 5 are pooled as (other 5 values)" in text and "(other 5 values) · records" in text


def test_few_numbers_are_grouped_in_numeric_order_whatever_their_type() -> None:
    # A CSV loads a CSAT as text: "10" and 10.0 are the same group, after 9.
    cases = [_case("a", csat="10"), _case("b", csat=9), _case("c", csat=10.0), _case("d", csat="2")]
    card = build_scorecard(_records(cases), _manifest(["metadata.csat"], cases))
    assert card.fields["metadata.csat"].kind == "number"
    assert card.fields["metadata.csat"].groups == ["2", "9", "10"]
    assert card.candidates["bot_v1"].by_field["metadata.csat"]["10"].n_records == 2


def test_many_numbers_get_no_made_up_bins_but_a_note_to_bin_them() -> None:
    cases = [_case(f"c{i}", wait_minutes=i * 1.5) for i in range(30)]
    card = build_scorecard(_records(cases), _manifest(["metadata.wait_minutes"], cases))
    info = card.fields["metadata.wait_minutes"]
    assert info.groups == [] and "bin them" in info.note
    assert "metadata.wait_minutes" not in card.candidates["bot_v1"].by_field
    text = render_scorecard_md(card)
    assert "_By metadata.wait_minutes: 30 different numbers, too many to group by value" in text
    assert "bin them" in render_breakdowns_html(card)


def test_an_old_run_reads_as_before() -> None:
    card = build_scorecard([record("c1", judge={"empathy": score(4)})], manifest())
    assert card.breakdowns == ["persona", "category"] and card.fields == {}
    assert card.candidates["bot_v1"].by_field == {}


def test_scorecard_md_and_report_html_show_the_fields_and_only_the_breakdowns_asked_for() -> None:
    cases = [_case(f"c{i}", channel=["chat", "email"][i % 2]) for i in range(6)]
    card = build_scorecard(_records(cases), _manifest(["metadata.channel"], cases))
    text = render_scorecard_md(card)
    assert "<summary>By metadata.channel</summary>" in text and "| chat · apology_wording (check) |" in text
    assert "<summary>By persona</summary>" not in text  # persona was not asked for
    page = render_breakdowns_html(card)
    assert "By metadata.channel (2 groups)" in page and "100% [" in page  # with the interval


def test_a_hostile_value_is_escaped_in_both() -> None:
    evil = "<img src=x onerror=alert(1)>\u202e|x"
    cases = [_case("c0", channel=evil), _case("c1", channel=evil)]
    card = build_scorecard(_records(cases), _manifest(["metadata.channel"], cases))
    assert "<img" not in render_scorecard_md(card)
    page = render_breakdowns_html(card)
    assert "<img" not in page and "\u202e" not in page


@pytest.mark.parametrize("name, said", [("id", "break down by persona"), ("language", "did you mean metadata.language"),
                                        ("metadata", "name a key of metadata"), ("context.order_id", "break down")])
def test_a_field_that_cannot_be_a_breakdown_is_refused(name: str, said: str) -> None:
    with pytest.raises(ValueError, match=said):
        field_reference(name)


def _harness(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "HARNESS_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run([sys.executable, "-m", "harness", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def _project(root: Path, breakdowns: str) -> Path:
    rows = [{"id": f"k{i}", "turns": [{"role": "customer", "content": "my order is late"}],
             "recorded_replies": {"v1": "Sorry for any inconvenience."},
             "metadata": {"channel": ["chat", "email", "phone"][i % 3], "language": "es"}} for i in range(6)]
    (root / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (root / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: fields
        dataset: cases.jsonl
        candidates:
          - {{name: v1, recorded: v1}}
        checks: [apology_wording]
        breakdowns: {breakdowns}
        """))
    return root / "eval.yaml"


def test_validate_refuses_a_field_no_case_has_with_did_you_mean(tmp_path: Path) -> None:
    _project(tmp_path, "[persona, metadata.chanel]")
    result = _harness("validate", "eval.yaml", cwd=tmp_path)
    assert result.returncode != 0
    assert "eval.yaml:6: breakdowns[1]: no case of cases.jsonl has a text or number at metadata.chanel" \
        in result.stderr
    assert "did you mean metadata.channel?" in result.stderr


def test_a_run_breaks_down_by_the_field(tmp_path: Path) -> None:
    _project(tmp_path, "[metadata.channel]")
    result = _harness("run", "eval.yaml", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    card = json.loads((tmp_path / "out" / "scorecard.json").read_text())
    groups = card["candidates"]["v1"]["by_field"]["metadata.channel"]
    assert {name: g["n_records"] for name, g in groups.items()} == {"chat": 2, "email": 2, "phone": 2}
    assert "<summary>By metadata.channel</summary>" in (tmp_path / "out" / "scorecard.md").read_text()


def test_the_eval_file_names_each_bad_entry_at_its_line(tmp_path: Path) -> None:
    eval_path = _project(tmp_path, "[]")
    eval_path.write_text(eval_path.read_text().replace("breakdowns: []", "breakdowns:\n  - persona\n  - langauge\n"
                                                                          "  - persona"))
    result = _harness("validate", "eval.yaml", cwd=tmp_path)
    assert "eval.yaml:8: breakdowns[1]: 'langauge' is not a case field; did you mean metadata.langauge?" \
        in result.stderr
    assert "eval.yaml:9: breakdowns[2]: persona named twice" in result.stderr

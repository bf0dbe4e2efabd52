"""validate on an eval whose ``limit`` leaves out every case that has a field a check names: the warning read
"3 of the 3 cases have no text or number at metadata.ticket" and no more. It now says why (the cases with
it are outside the limit, named) and that the check then applies to none of the cases (not measured)."""

from __future__ import annotations

import json
from pathlib import Path

from harness.cli.validation import validate_file


def _row(case_id: str, metadata: dict) -> str:
    return json.dumps({"id": case_id, "turns": [{"role": "customer", "content": f"complaint {case_id}"}],
                       "recorded_replies": {"bot": "reply"}, "metadata": metadata}) + "\n"


def _eval(tmp_path: Path, holders: list[int], limit: int = 3) -> Path:
    rows = [_row(f"c{i:02}", {"ticket": f"T{i}"} if i in holders else {"order_id": f"A{i}"}) for i in range(1, 11)]
    (tmp_path / "ds.jsonl").write_text("".join(rows))
    path = tmp_path / "e.yaml"
    path.write_text(f"name: e\ndataset: ds.jsonl\nlimit: {limit}\ncandidates:\n  - {{name: bot, recorded: bot}}\n"
                    "checks:\n  - {name: cites_ticket, type: contains, value: '{{ metadata.ticket }}'}\n")
    return path


def test_one_case_outside_the_limit_is_named_and_the_check_applies_to_none(tmp_path):
    (warning,) = validate_file(_eval(tmp_path, [10])).warnings
    assert warning.endswith("{{ metadata.ticket }}: 3 of the 3 cases have no text or number at metadata.ticket: "
                            "the only case with it (c10) is outside limit 3 (the first 3), so check cites_ticket "
                            "applies to none of the 3 (n/a on all, not measured); raise or remove limit to "
                            "measure it")


def test_many_cases_outside_the_limit_are_counted(tmp_path):
    (warning,) = validate_file(_eval(tmp_path, [4, 5, 6, 7, 8, 9, 10])).warnings
    assert "the only 7 cases with it (c04, c05, c06, c07, c08 and 2 more) are outside limit 3" in warning


def test_some_cases_in_the_limit_with_it_keep_the_count_only(tmp_path):
    (warning,) = validate_file(_eval(tmp_path, [2, 10])).warnings
    assert warning.endswith("2 of the 3 cases have no text or number at metadata.ticket: check cites_ticket does "
                            "not apply to them (n/a)")

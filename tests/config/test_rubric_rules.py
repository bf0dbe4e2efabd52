"""Rubric config rules: a setting that would be ignored is refused at its own line."""

from __future__ import annotations

import pytest

from harness.errors import RubricError
from harness.judges.rubric import load_rubric

HEAD = 'id: r\nversion: "1"\ncriteria:\n  - id: ok\n    question: Fine?\n'


def test_pass_threshold_on_a_pass_fail_criterion_is_refused_at_its_line(tmp_path):
    # It was accepted and ignored: a pass_fail criterion passes on `pass` whatever the threshold says.
    path = tmp_path / "r.yaml"
    path.write_text(HEAD + "    pass_threshold: 3\n    scale: pass_fail\n    levels: {pass: a, fail: b}\n")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    assert str(info.value) == (f"{path}:6: criteria[0].pass_threshold: applies to 1-5 scales only: a pass_fail "
                               "criterion passes on `pass`")


@pytest.mark.parametrize("lines", [
    "    pass_threshold: 3\n    levels: {'1': a, '2': b, '3': c, '4': d, '5': e}\n",  # 1-5, the default scale
    "    scale: pass_fail\n    levels: {pass: a, fail: b}\n",
])
def test_a_threshold_where_it_counts_and_none_on_pass_fail_load(tmp_path, lines):
    path = tmp_path / "r.yaml"
    path.write_text(HEAD + lines)
    assert load_rubric(path).criteria[0].id == "ok"

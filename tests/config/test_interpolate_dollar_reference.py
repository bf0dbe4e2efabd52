"""A dollar right before a check's {{ field }} reference is text (review_new item 9): '${{ context.max_refund }}'
was read as a malformed ${...} variable, with a cut-off value in the error."""

from __future__ import annotations

import textwrap

import pytest

from harness.config.interpolate import interpolate
from harness.config.yamlfile import load_yaml
from harness.errors import ConfigError


def _resolve(tmp_path, text: str, env: dict[str, str]):
    path = tmp_path / "e.yaml"
    path.write_text(textwrap.dedent(text))
    data, node = load_yaml(path, ConfigError)
    return interpolate(data, node, path, env)


def test_a_dollar_before_a_field_reference_is_a_literal_dollar(tmp_path):
    data = _resolve(tmp_path, """\
        a: "${{ context.max_refund }}"
        b: refund of ${{ context.max_refund }} by ${WHEN:-Friday}
        c: "$${{ context.max_refund }}"
        d: ${{context.max_refund}}
    """, {})
    assert data == {"a": "${{ context.max_refund }}", "b": "refund of ${{ context.max_refund }} by Friday",
                    "c": "${{ context.max_refund }}", "d": "${{context.max_refund}}"}


def test_a_malformed_variable_is_still_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"e.yaml:1: a: \$\{ x\}: not a variable name"):
        _resolve(tmp_path, "a: ${ x}\n", {})


def test_an_eval_file_checks_the_reference_after_the_dollar(tmp_path):
    from harness.config.evalfile import load_eval

    (tmp_path / "d.jsonl").write_text('{"id": "c1", "turns": [{"role": "customer", "content": "hi"}], '
                                      '"context": {"max_refund": 25}, "recorded_replies": {"r": "up to $25"}}\n')
    (tmp_path / "e.yaml").write_text("name: dollar\ndataset: d.jsonl\ncandidates: [{name: r, recorded: r}]\n"
                                     "checks:\n  - {name: amt, type: contains, value: \"${{ context.max_refund }}\"}\n")
    loaded = load_eval(tmp_path / "e.yaml")
    assert loaded.spec.checks[0].value == "${{ context.max_refund }}"
    (tmp_path / "e.yaml").write_text("name: dollar\ndataset: d.jsonl\ncandidates: [{name: r, recorded: r}]\n"
                                     "checks:\n  - {name: amt, type: contains, value: \"${{ context.max_refnd }}\"}\n")
    with pytest.raises(ConfigError, match=r"e.yaml:5: checks\[0\].value: \{\{ context.max_refnd \}\}: name one field"):
        load_eval(tmp_path / "e.yaml")

"""`price:` in the eval file: on a model candidate, a matrix, the judge and each panellist; refused where no model
is called, and a bad one named by file, line and field."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.config.evalfile import load_eval
from harness.errors import ConfigError

PRICE = "{input_per_mtok: 0.15, output_per_mtok: 0.6}"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "hi"}],
                                                  "recorded_replies": {"v1": "Hello!"}}) + "\n")
    (tmp_path / "r.yaml").write_text(textwrap.dedent("""\
        id: r
        version: "1"
        criteria:
          - {id: tone, question: "Polite?", scale: pass_fail, levels: {pass: y, fail: n}}
        """))
    return tmp_path


def _write(root, body: str):
    (root / "e.yaml").write_text("dataset: d.jsonl\n" + textwrap.dedent(body))
    return root / "e.yaml"


def test_a_price_on_every_kind_of_model(project):
    loaded = load_eval(_write(project, f"""\
        candidates:
          - {{name: gw, model: openai/gpt-4o-mini, api_base: "http://gw/v1", prompt: "Hi.", price: {PRICE}}}
          - matrix: {{prompt: ["A.", "B."], model: [openai/x]}}
            price: {PRICE}
        judge:
          rubric: r.yaml
          panel:
            - {{model: openai/j1, price: {PRICE}}}
            - {{model: openai/j2}}
        """))
    candidates = loaded.spec.candidates
    assert [c.price.output_per_mtok if c.price else None for c in candidates] == [0.6, 0.6, 0.6]
    assert loaded.spec.judge.panel[0].price.input_per_mtok == 0.15 and loaded.spec.judge.panel[1].price is None


def test_a_price_on_a_recorded_candidate_is_refused(project):
    with pytest.raises(ConfigError) as found:
        load_eval(_write(project, f"""\
            candidates:
              - {{name: v1, recorded: v1, price: {PRICE}}}
            """))
    assert "price" in str(found.value) and "model candidates only" in str(found.value)


def test_a_negative_price_names_its_line_and_field(project):
    with pytest.raises(ConfigError) as found:
        load_eval(_write(project, """\
            candidates:
              - name: gw
                model: openai/gpt-4o-mini
                prompt: "Hi."
                price: {input_per_mtok: -1, output_per_mtok: 0.6}
            """))
    text = found.value.one_line() if hasattr(found.value, "one_line") else str(found.value)
    assert "e.yaml" in text and "price.input_per_mtok" in text and ":6" in text.replace(" line ", ":")


def test_with_a_panel_the_judges_price_goes_inside_each_panellist(project):
    with pytest.raises(ConfigError) as found:
        load_eval(_write(project, f"""\
            candidates: [{{name: v1, recorded: v1}}]
            judge:
              rubric: r.yaml
              price: {PRICE}
              panel: [{{model: openai/a}}, {{model: openai/b}}]
            """))
    assert "`price`" in str(found.value) and "inside each panellist" in str(found.value)

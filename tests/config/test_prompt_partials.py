"""Prompt templates split into partials: {% include %} / {% import %} / {% extends %} of files beside them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.config.evalfile import load_eval
from harness.errors import ConfigError, UserError
from harness.models.fake import clear_fakes, register_fake
from harness.records.store import read_manifest

DATASET = Path(__file__).resolve().parents[2] / "datasets" / "complaints.jsonl"


@pytest.fixture
def project(tmp_path):
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines()[:3]]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (tmp_path / "prompts" / "partials").mkdir(parents=True)
    (tmp_path / "prompts" / "partials" / "tone.jinja").write_text(
        'Stay calm.{% include "partials/sign.jinja" %}', encoding="utf-8")
    (tmp_path / "prompts" / "partials" / "sign.jinja").write_text(" Sign as {{ persona }} desk.", encoding="utf-8")
    (tmp_path / "prompts" / "partials" / "macros.jinja").write_text(
        "{% macro shout(x) %}{{ x | upper }}{% endmacro %}", encoding="utf-8")
    (tmp_path / "prompts" / "main.jinja").write_text(
        '{% import "partials/macros.jinja" as m %}You help {{ m.shout("customers") }}. '
        '{% include "partials/tone.jinja" %}', encoding="utf-8")
    seen = []
    register_fake("writer", lambda messages, config: seen.append(messages[0].content) or "Sorry, we will fix it today.")
    yield tmp_path, seen
    clear_fakes()


def _eval(root: Path, prompt: str = "prompts/main.jinja") -> Path:
    path = root / "e.yaml"
    path.write_text(f"name: p\ndataset: data.jsonl\ncandidates:\n  - name: bot\n    model: fake/writer\n"
                    f"    prompt: {prompt}\nchecks: [apology_wording]\n", encoding="utf-8")
    return path


def test_included_and_imported_partials_render_nested(project):
    root, seen = project
    assert main(["run", str(_eval(root)), "--out", str(root / "run"), "--quiet", "--no-cache"]) == 0
    assert seen and all(s.startswith("You help CUSTOMERS. Stay calm. Sign as ") and s.endswith(" desk.")
                        for s in seen)


def test_the_manifest_text_and_hash_cover_the_partials(project):
    root, _ = project
    assert main(["run", str(_eval(root)), "--out", str(root / "run"), "--quiet", "--no-cache"]) == 0
    record = read_manifest(root / "run").candidates[0]
    assert "{# ---- partial partials/sign.jinja ---- #}\n Sign as {{ persona }} desk." in record["prompt_template"]
    before = record["prompt_sha256"]
    # Editing a partial is a changed prompt: a resume refuses to mix the two.
    (root / "prompts" / "partials" / "sign.jinja").write_text(" Sign as the team.", encoding="utf-8")
    assert main(["run", str(_eval(root)), "--out", str(root / "run"), "--quiet", "--no-cache", "--resume"]) == 2
    assert main(["run", str(_eval(root)), "--out", str(root / "run2"), "--quiet", "--no-cache"]) == 0
    assert read_manifest(root / "run2").candidates[0]["prompt_sha256"] != before


@pytest.mark.parametrize("text, message", [
    ('{% include "partials/missing.jinja" %}', "main.jinja includes 'partials/missing.jinja', which is not a file in"),
    ('{% include "../secret.jinja" %}', "a partial is named relative to the template's folder, without '..'"),
    ("{% include which %}", "includes a template named by a variable: name each partial by a quoted path"),
])
def test_a_bad_partial_is_one_line_naming_the_eval_file_and_field(project, text, message):
    root, _ = project
    (root / "prompts" / "main.jinja").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_eval(_eval(root))
    line = str(caught.value)
    assert "e.yaml" in line and "candidates[0].prompt" in line and message in line and "\n" not in line


def test_a_partial_with_a_syntax_error_is_named(project, capsys):
    root, _ = project
    (root / "prompts" / "partials" / "tone.jinja").write_text("Stay {% if %} calm.", encoding="utf-8")
    assert main(["run", str(_eval(root)), "--out", str(root / "run"), "--quiet"]) == 2
    assert "in partial partials/tone.jinja" in capsys.readouterr().err


def test_an_inline_prompt_includes_relative_to_the_eval_file(project):
    root, seen = project
    (root / "intro.jinja").write_text("Hello from the eval folder.", encoding="utf-8")
    path = _eval(root, prompt='\'{% include "intro.jinja" %} Be kind.\'')
    assert load_eval(path).prompt_partials == {"bot": {"intro.jinja": "Hello from the eval folder."}}
    assert main(["run", str(path), "--out", str(root / "run"), "--quiet", "--no-cache"]) == 0
    assert seen[0] == "Hello from the eval folder. Be kind."


def test_a_template_without_partials_hashes_as_before(project):
    from harness.config.prompt_partials import combined

    assert combined("plain {{ x }}", {}) == "plain {{ x }}"
    assert issubclass(ConfigError, UserError)


def test_a_refused_resume_names_the_candidate_and_what_changed(project, capsys):
    root, _ = project
    assert main(["run", str(_eval(root)), "--out", str(root / "run"), "--quiet", "--no-cache"]) == 0
    (root / "prompts" / "partials" / "sign.jinja").write_text(" Sign as the team.", encoding="utf-8")
    assert main(["run", str(_eval(root)), "--out", str(root / "run"), "--quiet", "--resume"]) == 2
    err = capsys.readouterr().err
    assert "candidate settings (a prompt template file, a model's settings) changed since this run started " \
           "(bot: prompt text +1 −1 lines)" in err

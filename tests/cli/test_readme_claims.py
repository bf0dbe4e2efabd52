"""README claims checked against what the product writes: schema_version, the apology form order."""

from __future__ import annotations

import json
import re
from pathlib import Path

from harness.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _paragraph() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("carry a `schema_version`")
    return text[start:text.index("\n\n", start)]


def test_the_files_said_to_carry_a_schema_version_do_and_the_others_do_not(tmp_path, monkeypatch):
    # It said "every persisted file carries a schema_version": cases.jsonl and label lines carry none.
    said = _paragraph()
    carrying, _, rest = said.partition("Files in the formats you write carry")
    named = set(re.findall(r"`([\w.]+\.(?:json|jsonl))`", carrying))
    assert {"manifest.json", "records.jsonl", "scorecard.json", "gates.json"} <= named
    assert "`cases.jsonl`" in rest and "label files" in rest

    monkeypatch.chdir(tmp_path)
    (tmp_path / "eval.yaml").write_text(f"name: versions\ndataset: {ROOT / 'datasets' / 'complaints.jsonl'}\n"
                                        "candidates:\n  - name: bot-v1\n    recorded: bot-v1\nchecks: all\n")
    assert main(["run", "eval.yaml", "--out", "run", "--quiet", "--limit", "3", "--no-cache"]) in (0, 1)
    run = tmp_path / "run"
    for name in named & {p.name for p in run.iterdir()}:
        text = (run / name).read_text(encoding="utf-8")
        rows = [json.loads(line) for line in text.splitlines()] if name.endswith(".jsonl") else [json.loads(text)]
        assert rows and all(isinstance(row.get("schema_version"), int) for row in rows), name
    cases = [json.loads(line) for line in (run / "cases.jsonl").read_text(encoding="utf-8").splitlines()]
    assert cases and not any("schema_version" in case for case in cases)


def test_the_apology_form_example_is_in_the_scorecards_order(tmp_path, monkeypatch):
    # The README wrote "sorry 6, non_apology 3, none 1"; the scorecard lists the forms alphabetically.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"`((?:\w+ \d+, )+\w+ \d+)` reads: \d+ of \d+ replies", text).group(1)
    forms = [part.split()[0] for part in example.split(", ")]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "eval.yaml").write_text(f"name: forms\ndataset: {ROOT / 'datasets' / 'complaints.jsonl'}\n"
                                        "candidates:\n  - name: bot-v1\n    recorded: bot-v1\n"
                                        "checks: [apology_wording]\n")
    assert main(["run", "eval.yaml", "--out", "run", "--quiet", "--no-cache"]) in (0, 1)
    card = json.loads((tmp_path / "run" / "scorecard.json").read_text(encoding="utf-8"))
    written = list(card["candidates"]["bot-v1"]["apology_forms"])
    row = next(line for line in (tmp_path / "run" / "scorecard.md").read_text().splitlines() if "apology form" in line)
    shown = re.findall(r"([a-z_]+) \d+", row.split("|")[2])
    assert len(written) >= 2 and shown == written
    assert [f for f in forms if f in written] == [f for f in written if f in forms]  # same order as the product
    assert forms == sorted(forms)


def _accepted_fields():
    from harness.calibration.labels import HumanLabel
    from harness.checks.custom import CustomCheckSpec
    from harness.config.candidates import CandidateSpec, MatrixCandidateSpec
    from harness.config.evalfile import EvalSpec, JudgeSpec, PanellistSpec
    from harness.models.base import GenerateConfig

    for model in (EvalSpec, CandidateSpec, MatrixCandidateSpec, JudgeSpec, PanellistSpec, CustomCheckSpec,
                  HumanLabel, GenerateConfig):
        for name in model.model_fields:
            yield model.__name__, name


def test_every_field_the_eval_and_label_files_accept_is_in_the_readme():
    # A new user found fields accepted but written nowhere (an eval's `description`, `params.logprobs`, a
    # label's `note`, ...): each is named in the README, as `field` or as a `field:` key in an example.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    forms = ("`{}`", "{}:", '"{}"', "{}, ", ", {}")  # in prose, a YAML or JSON key, or a comment's list
    missing = [f"{model}.{name}" for model, name in _accepted_fields()
               if not any(form.format(name) in text for form in forms)]
    assert missing == []


def test_the_fields_a_new_user_found_undocumented_are_written_beside_their_siblings():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = text[text.index("name: quickstart"):text.index("**Several prompts × several models.**")]
    assert "description:" in example and "response_schema" in example and "logprobs" in example
    matrix = text[text.index("  - matrix:"):text.index("gives `polite-agent@")]
    assert "reducer" in matrix
    custom = text[text.index("| `type` | passes when |"):text.index("- Names are letters, digits")]
    assert "- `description` (optional)" in custom
    panel = text[text.index("A panellist takes a judge's model settings"):text.index("- **Aggregate**")]
    assert "`deployments`" in panel and "`routing`" in panel
    labels = text[text.index("**Label file**"):text.index("Several labellers may label one reply")]
    assert "`note`" in labels

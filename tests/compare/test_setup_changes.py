"""`harness diff` says what changed in a pair's setup (model, parameters, prompt template, recorded version),
with the prompt template's own diff, in diff.json, diff.md, diff.html and the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.compare.setup import MAX_PROMPT_DIFF_LINES, prompt_diff, setup_changes, setup_text
from harness.models.fake import clear_fakes, register_fake
from harness.records.store import read_manifest

DATASET = Path(__file__).resolve().parents[2] / "datasets" / "complaints.jsonl"
PROMPT_A = "You are a support agent.\nBe polite.\nSay what happens next.\n"
PROMPT_B = "You are a support agent.\nBe brief and polite.\nSay what happens next.\nEnd with a question.\n"


def _model(name="openai/m", temperature=0.2, **extra) -> dict:
    spec = {"name": name, "api_base": "http://127.0.0.1:9/v1", "api_key_env": None,
            "params": {"temperature": temperature, "max_tokens": 300}, "concurrency": 8, "timeout_s": 60.0,
            "max_retries": 4}
    return {**spec, **extra}


def _cand(prompt=PROMPT_A, file="p.jinja", digest=None, model=None, text=True) -> dict:
    record = {"name": "bot", "kind": "model", "model": model or _model(), "prompt_file": file,
              "prompt_sha256": digest or f"sha-{hash(prompt)}"}
    if text:
        record["prompt_template"] = prompt
    return record


def _changes(a: dict, b: dict):
    return setup_changes([a], a["name"], [b], b["name"])


def test_parameters_model_and_prompt_text_are_listed_with_a_unified_diff():
    changes, diff = _changes(_cand(), _cand(PROMPT_B, model=_model("openai/n", temperature=0.7)))
    assert setup_text(changes) == "model openai/m → openai/n; temperature 0.2 → 0.7; prompt text +2 −1 lines"
    assert diff is not None and (diff.added, diff.removed, diff.cut) == (2, 1, False)
    assert "-Be polite." in diff.lines and "+Be brief and polite." in diff.lines and "+End with a question." in diff.lines
    assert diff.lines[0].startswith("@@")  # no ---/+++ file header


def test_settings_that_cannot_change_a_reply_are_not_listed():
    quieter = _model(concurrency=64, timeout_s=5.0, max_retries=0, api_key_env="OTHER",
                     price={"input_per_mtok": 1.0, "output_per_mtok": 2.0})
    assert _changes(_cand(), _cand(model=quieter)) == ([], None)


def test_a_parameter_set_on_one_side_only_reads_unset_on_the_other():
    model_b = _model()
    model_b["params"] = {**model_b["params"], "top_p": 0.9}
    changes, _ = _changes(_cand(), _cand(model=model_b))
    assert setup_text(changes) == "top_p unset → 0.9"


def test_a_renamed_prompt_file_with_the_same_text_says_so():
    changes, diff = _changes(_cand(file="a.jinja", digest="same"), _cand(file="b.jinja", digest="same"))
    assert setup_text(changes) == "prompt file a.jinja → b.jinja (same text)" and diff is None


def test_a_run_made_before_the_text_was_recorded_names_the_prompt_by_hash():
    old = _cand(digest="a" * 64, text=False)
    changes, diff = _changes(old, _cand(PROMPT_B, digest="b" * 64))
    assert diff is None
    assert setup_text(changes) == (f"prompt text {'a' * 12} → {'b' * 12} (run A records only its hash (an older "
                                   "harness))")


def test_recorded_versions_and_a_change_of_kind():
    a = {"name": "bot", "kind": "recorded", "recorded": "bot-v1"}
    assert setup_text(_changes(a, {**a, "recorded": "bot-v2"})[0]) == "recorded replies bot-v1 → bot-v2"
    assert setup_text(_changes(a, _cand())[0]) == "candidate recorded replies bot-v1 → model openai/m"
    assert _changes(a, dict(a)) == ([], None)


def test_a_long_prompt_diff_is_cut_and_says_so():
    diff = prompt_diff("\n".join(f"a{i}" for i in range(300)), "\n".join(f"b{i}" for i in range(300)))
    assert len(diff.lines) == MAX_PROMPT_DIFF_LINES and diff.cut and (diff.added, diff.removed) == (300, 300)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two runs of one model candidate: B with another prompt template and temperature; a recorded one beside."""
    root = tmp_path_factory.mktemp("setupdiff")
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines()[:4]]
    (root / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    register_fake("writer", lambda messages, config: "I'm sorry about this. I will refund you today.")
    for name, prompt, temperature in (("a", PROMPT_A, 0.2), ("b", PROMPT_B + "Use `code` and ``` fences.\n", 0.7)):
        (root / f"{name}.jinja").write_text(prompt, encoding="utf-8")
        (root / f"{name}.yaml").write_text(
            f"name: setup\ndataset: {root / 'data.jsonl'}\ncandidates:\n"
            f"  - name: bot\n    model: fake/writer\n    prompt: {root / f'{name}.jinja'}\n"
            f"    params: {{temperature: {temperature}}}\n"
            f"  - name: rec\n    recorded: bot-v1\nchecks: all\n")
        assert main(["run", str(root / f"{name}.yaml"), "--out", str(root / name.upper()), "--quiet",
                     "--no-cache"]) == 0
    yield root
    clear_fakes()


def test_the_manifest_records_the_prompt_text(two_runs):
    record = next(c for c in read_manifest(two_runs / "A").candidates if c["name"] == "bot")
    assert record["prompt_template"] == PROMPT_A


def test_diff_outputs_say_what_changed_in_the_setup(two_runs, capsys):
    out = two_runs / "diff"
    assert main(["diff", str(two_runs / "A"), str(two_runs / "B"), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "  setup changed: temperature 0.2 → 0.7; prompt file " in printed and "prompt text +3 −1 lines" in printed
    report = json.loads((out / "diff.json").read_text(encoding="utf-8"))
    by_pair = {c["candidate_a"]: c for c in report["comparisons"]}
    assert by_pair["rec"]["setup"] == [] and by_pair["rec"]["prompt_diff"] is None
    assert [c["what"] for c in by_pair["bot"]["setup"]] == ["temperature", "prompt file", "prompt text"]
    assert "+End with a question." in by_pair["bot"]["prompt_diff"]["lines"]
    md = (out / "diff.md").read_text(encoding="utf-8")
    assert "Setup changed (A → B): temperature 0.2 → 0.7" in md
    # The template holds a ``` run: the fence is longer, so the diff block cannot be closed early.
    assert "````diff\n" in md and "+Use `code` and ``` fences." in md
    html = (out / "diff.html").read_text(encoding="utf-8")
    assert '<p class="setup"><b>Setup changed (A → B):</b> temperature 0.2 → 0.7' in html
    assert '<span class="add">+End with a question.</span>' in html


def test_a_pair_within_one_run_names_the_change_of_kind(two_runs, capsys):
    out = two_runs / "pair"
    assert main(["diff", str(two_runs / "A"), "--pair", "rec=bot", "--out", str(out)]) == 0
    assert "  setup changed: candidate recorded replies bot-v1 → model fake/writer" in capsys.readouterr().out


def test_the_same_setup_prints_no_setup_line(two_runs, capsys):
    assert main(["diff", str(two_runs / "A"), "--pair", "bot=bot", "--out", str(two_runs / "self")]) == 0
    assert "setup changed" not in capsys.readouterr().out


def test_a_run_begun_before_the_prompt_text_was_recorded_still_resumes(two_runs, capsys):
    """A manifest v1 (no prompt_template) is resumed by this harness: the text is not a changed setting."""
    import shutil

    run = two_runs / "OLD"
    shutil.copytree(two_runs / "A", run)
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    for candidate in manifest["candidates"]:
        candidate.pop("prompt_template", None)
    manifest["schema_version"] = 1
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["run", str(two_runs / "a.yaml"), "--out", str(run), "--resume", "--quiet", "--no-cache"]) == 0
    resumed = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert resumed["candidates"][0]["prompt_sha256"] == manifest["candidates"][0]["prompt_sha256"]


def test_the_pairs_overview_names_the_pair_whose_setup_changed(two_runs):
    from harness.compare import DiffOptions, build_diff
    from harness.report.diff_html import render_diff_html
    from harness.report.diff_markdown import render_diff_md

    report = build_diff(two_runs / "A", two_runs / "B", DiffOptions())
    assert len(report.comparisons) == 2
    md, html = render_diff_md(report), render_diff_html(report)
    assert "- **bot (A) → bot (B)**:" in md and "· setup changed: temperature 0.2 → 0.7" in md
    nav = html[html.index('<nav class="pairs"'):html.index("</nav>")]
    assert nav.count("setup changed:") == 1 and "temperature 0.2 → 0.7" in nav

"""A candidate matrix end to end: every prompt × model runs as its own candidate; preflight errors name the matrix."""

from __future__ import annotations

import json
import textwrap

from tests.cli.conftest import harness_cmd, server_reply
from tests.support.openai_server import OpenAIServer


def test_every_prompt_and_model_of_a_matrix_runs(tmp_path):
    rows = [{"id": f"c{i}", "turns": [{"role": "customer", "content": f"order #{i} is late"}]} for i in range(3)]
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "kind.jinja").write_text("You are kind.")
    with OpenAIServer(reply=server_reply) as server:
        (tmp_path / "eval.yaml").write_text(textwrap.dedent(f"""\
            dataset: cases.jsonl
            candidates:
              - matrix:
                  prompt: [kind.jinja, "You are brief."]
                  model: [openai/model-a, openai/model-b]
                api_base: {server.base_url}
                max_retries: 0
            checks: [apology_wording]
            """))
        done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", "--no-cache", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        sent = {(r.body["model"], r.messages[0]["content"]) for r in server.requests}
    assert sent == {("model-a", "You are kind."), ("model-b", "You are kind."),
                    ("model-a", "You are brief."), ("model-b", "You are brief.")}
    records = [json.loads(line) for line in (tmp_path / "r" / "records.jsonl").read_text().splitlines()]
    assert sorted({r["candidate"] for r in records}) == ["kind@openai:model-a", "kind@openai:model-b",
                                                        "prompt2@openai:model-a", "prompt2@openai:model-b"]
    assert len(records) == 12 and all(r["error"] is None for r in records)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert [c["name"] for c in manifest["candidates"]] == [c["name"] for c in manifest["eval_spec"]["candidates"]]


def test_a_bad_model_in_a_matrix_is_named_at_the_matrix(tmp_path):
    (tmp_path / "cases.jsonl").write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "x"}]}) + "\n")
    (tmp_path / "eval.yaml").write_text(textwrap.dedent("""\
        dataset: cases.jsonl
        candidates:
          - matrix:
              prompt: ["Hi."]
              model: [no-such-provider-xyz/model]
        """))
    for command in (["run", "eval.yaml", "--out", "r"], ["validate", "eval.yaml"]):
        done = harness_cmd(*command, cwd=tmp_path)
        assert done.returncode == 2 and "eval.yaml:5: candidates[0].matrix.model:" in done.stderr, done.stderr


def test_a_shared_setting_of_a_matrix_is_named_beside_it(tmp_path, monkeypatch):
    monkeypatch.delenv("NOPE_KEY", raising=False)
    (tmp_path / "cases.jsonl").write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "x"}]}) + "\n")
    (tmp_path / "eval.yaml").write_text(textwrap.dedent("""\
        dataset: cases.jsonl
        candidates:
          - matrix:
              prompt: ["Hi."]
              model: [openai/gpt-4o-mini]
            api_key_env: NOPE_KEY
        """))
    done = harness_cmd("run", "eval.yaml", "--out", "r", cwd=tmp_path)
    assert done.returncode == 2 and "eval.yaml:6: candidates[0].api_key_env:" in done.stderr, done.stderr

"""harness estimate: the calls and prompts it counts are the ones a run then sends; prices from the price map."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.batch.prices import batch_prices, list_prices
from harness.config.evalfile import load_eval
from harness.runner import estimate as estimate_module
from harness.runner.estimate import JUDGE_ANSWER_TOKENS, estimate_run, token_counter
from tests.cli.conftest import harness_cmd


def test_the_estimate_counts_the_calls_and_prompts_a_run_sends(served_project):
    root, server = served_project["dir"], served_project["server"]
    found = estimate_run(load_eval(served_project["eval"]))
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--quiet", cwd=root)
    assert done.returncode == 0, done.stderr
    by_role = {line.role: line for line in found.lines}
    sent = server.requests
    judge_sent = [r for r in sent if "Criterion `" in r.messages[-1]["content"]]
    responder_sent = [r for r in sent if r not in judge_sent]
    assert by_role["responder"].calls == len(responder_sent) == 6
    assert by_role["judge"].calls == len(judge_sent)
    count = token_counter()
    # The responder's prompts are rendered exactly as the run renders them (4 tokens per message of framing).
    assert by_role["responder"].prompt_tokens == sum(sum(count(m["content"]) + 4 for m in r.messages)
                                                     for r in responder_sent)
    assert by_role["judge"].completion_tokens == JUDGE_ANSWER_TOKENS * len(judge_sent)
    # A self-hosted endpoint has no price.
    assert not by_role["judge"].priced and found.total("live_usd") is None


def test_prices_epochs_panels_and_missing_replies(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rows = [{"id": f"c{i}", "persona": "indecisive" if i == 0 else "angry",
             "turns": [{"role": "customer", "content": "Where is my parcel? " * (i + 1)}],
             "recorded_replies": {"v1": "Sorry, it ships today."} if i != 2 else {}} for i in range(3)]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "r.yaml").write_text(textwrap.dedent("""\
        id: r
        version: "1"
        criteria:
          - {id: tone, question: "Polite?", scale: pass_fail, levels: {pass: y, fail: n}}
          - {id: asks, question: "Asks?", scale: pass_fail, levels: {pass: y, fail: n}, applies_when: question_expected}
        """))
    (tmp_path / "e.yaml").write_text(textwrap.dedent("""\
        dataset: d.jsonl
        concurrency: 4
        candidates:
          - {name: v1, recorded: v1}
          - {name: gpt, model: openai/gpt-4o-mini, prompt: "Be kind.", epochs: 2, params: {max_tokens: 3}}
        judge:
          rubric: r.yaml
          epochs: 3
          panel:
            - {model: openai/gpt-4o-mini}
            - {model: openai/local-thing, api_base: "http://127.0.0.1:9/v1"}
        """))
    found = estimate_run(load_eval("e.yaml"))
    responder, mini, local = found.lines
    assert responder.calls == 3 * 2 and found.reply_tokens == {"gpt": 3}  # capped by max_tokens
    assert responder.completion_tokens == 6 * 3
    # judge calls per panellist: v1 has replies for c0 and c1 (c2 is a case error, never judged);
    # gpt for all three, twice each; criteria: tone always, asks only for c0; 3 judge epochs.
    v1 = (2 + 1) * 3
    gpt = (3 + 1) * 2 * 3
    assert mini.calls == local.calls == v1 + gpt
    live, batch = list_prices("openai/gpt-4o-mini"), batch_prices("openai/gpt-4o-mini")
    assert mini.priced and mini.live_usd == pytest.approx(mini.prompt_tokens * live[0] + mini.completion_tokens * live[1])
    assert mini.batch_usd == pytest.approx(mini.live_usd / 2)
    assert batch is not None and not local.priced
    assert found.total("live_usd") == pytest.approx(responder.live_usd + mini.live_usd)
    assert found.concurrency == 4


def test_tokens_are_never_downloaded(tmp_path, monkeypatch):
    token_counter.cache_clear()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # no encoding here: tiktoken would download it
    try:
        counter = token_counter()
        assert counter.name == "characters / 4" and counter("abcdefgh") == 2
        (tmp_path / "fb374d419588a4632f3f557e76b4b70aebbca790").write_bytes(b"not the encoding")
        token_counter.cache_clear()
        assert token_counter().name == "characters / 4"  # a damaged copy is not handed to tiktoken either
        assert (tmp_path / "fb374d419588a4632f3f557e76b4b70aebbca790").exists()
    finally:
        token_counter.cache_clear()
    assert estimate_module._bundled_tokenizers() is not None


def test_the_command_prints_a_table_or_json(tmp_path):
    root = tmp_path
    (root / "d.jsonl").write_text(json.dumps({"id": "a", "turns": [{"role": "customer", "content": "hi"}],
                                              "recorded_replies": {"v1": "Hello!"}}) + "\n")
    (root / "e.yaml").write_text("dataset: d.jsonl\ncandidates: [{name: v1, recorded: v1}]\n")
    table = harness_cmd("estimate", "e.yaml", cwd=root)
    # No model call at all: said so, not "no run is faster than 0 s"; one case is "1 case".
    assert table.returncode == 0 and "total" in table.stdout and "a run makes no model call" in table.stdout
    assert "faster than 0 s" not in table.stdout and "1 case," in table.stdout and "1 cases" not in table.stdout
    as_json = json.loads(harness_cmd("estimate", "e.yaml", "--json", "--latency", "2", cwd=root).stdout)
    assert as_json["calls"] == 0 and as_json["n_cases"] == 1 and as_json["latency_s"] == 2
    bad = harness_cmd("estimate", "e.yaml", "--latency", "0", cwd=root)
    assert bad.returncode == 2 and bad.stderr.strip() == "harness: error: --latency: must be a positive number of seconds"
    none = harness_cmd("estimate", "e.yaml", "--cases", "zz", cwd=root)
    assert none.returncode == 2 and "--cases: unknown case id zz of d.jsonl (1 case)" in none.stderr


def test_the_time_floor_counts_a_panel_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text("".join(json.dumps({"id": f"c{i}", "turns": [{"role": "customer", "content": "x"}],
                                                          "recorded_replies": {"v1": "Hello"}}) + "\n" for i in range(4)))
    (tmp_path / "r.yaml").write_text('id: r\nversion: "1"\ncriteria:\n'
                                     '  - {id: tone, question: "Kind?", scale: pass_fail, levels: {pass: y, fail: n}}\n')
    (tmp_path / "e.yaml").write_text(textwrap.dedent("""\
        dataset: d.jsonl
        concurrency: 2
        candidates: [{name: v1, recorded: v1}]
        judge:
          rubric: r.yaml
          panel: [{model: openai/a}, {model: openai/b}, {model: openai/c}]
        """))
    from harness.report.estimate import floor_seconds

    found = estimate_run(load_eval("e.yaml"))
    assert found.calls == 4 * 3 and found.rounds == 4
    assert floor_seconds(found, 0.5) == pytest.approx(4 * 0.5 / 2)


def test_a_models_own_concurrency_can_set_the_floor(tmp_path, monkeypatch):
    # The floor divided by the eval's concurrency only: a judge allowed 4 calls in flight was counted at 32.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text("".join(json.dumps({"id": f"c{i}", "turns": [{"role": "customer", "content": "x"}],
                                                          "recorded_replies": {"v1": "Hello"}}) + "\n" for i in range(40)))
    (tmp_path / "r.yaml").write_text('id: r\nversion: "1"\ncriteria:\n'
                                     '  - {id: tone, question: "Kind?", scale: pass_fail, levels: {pass: y, fail: n}}\n')
    (tmp_path / "e.yaml").write_text(textwrap.dedent("""\
        dataset: d.jsonl
        concurrency: 32
        candidates: [{name: v1, recorded: v1}]
        judge: {model: openai/slow, rubric: r.yaml, concurrency: 4}
        """))
    from harness.report.estimate import floor_seconds, render_estimate

    found = estimate_run(load_eval("e.yaml"))
    assert found.rounds == 40 and floor_seconds(found, 1.0) == pytest.approx(40 / 4)
    assert "no run is faster than 10 s (openai/slow as judge: 40 calls × latency ÷ its concurrency 4)" in \
        render_estimate(found, 1.0)
    (tmp_path / "e.yaml").write_text((tmp_path / "e.yaml").read_text().replace("concurrency: 4", "concurrency: 64"))
    wide = estimate_run(load_eval("e.yaml"))
    assert floor_seconds(wide, 1.0) == pytest.approx(40 / 32)  # the eval's limit binds again
    assert "(calls in sequence × latency ÷ concurrency)" in render_estimate(wide, 1.0)


def test_a_model_that_never_runs_in_a_batch_costs_its_live_price_in_the_batch_column(tmp_path, monkeypatch):
    # The README's deployments example: --batch runs a routed model live, so its batch price is its live one.
    from harness.report.estimate import estimate_json, render_estimate

    monkeypatch.chdir(tmp_path)
    row = {"id": "c0", "turns": [{"role": "customer", "content": "Where is my parcel?"}],
           "recorded_replies": {"v1": "Sorry, it ships today."}}
    (tmp_path / "d.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "r.yaml").write_text('id: r\nversion: "1"\ncriteria:\n'
                                     '  - {id: tone, question: "Polite?", scale: pass_fail, levels: {pass: y, fail: n}}\n')
    (tmp_path / "e.yaml").write_text(textwrap.dedent("""\
        dataset: d.jsonl
        candidates:
          - {name: v1, recorded: v1}
          - {name: azure, model: azure/gpt-4o-mini, prompt: "Be kind.", api_key_env: AZURE_KEY}
        judge:
          model: gpt-4o-mini
          rubric: r.yaml
          deployments:
            - {name: eu, model: openai/gpt-4o-mini, api_key_env: EU_KEY}
            - {name: us, model: openai/gpt-4o-mini, api_key_env: US_KEY}
        """))
    found = estimate_run(load_eval("e.yaml"))
    azure, judge = found.lines
    assert judge.priced and not judge.batched and judge.batch_usd == judge.live_usd
    assert not azure.batched and azure.batch_usd == azure.live_usd
    assert found.total("batch_usd") == pytest.approx(found.total("live_usd"))
    text = render_estimate(found, 1.0)
    assert text.splitlines()[2].split()[-1] == "live"
    assert "batch $ marked 'live': azure/gpt-4o-mini, gpt-4o-mini never runs in a batch" in text
    assert estimate_json(found, 1.0)["models"][1]["batched"] is False

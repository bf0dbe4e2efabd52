"""harness estimate after a run: the calls the response cache answers are counted as cached and left out of the
tokens, prices and time floor; a model's own `price:` prices it in the estimate and in the run's scorecard."""

from __future__ import annotations

import json

import pytest

from harness.config.evalfile import load_eval
from harness.runner.estimate import estimate_run
from tests.cli.conftest import harness_cmd

PRICE = "price: {input_per_mtok: 0.15, output_per_mtok: 0.60}\n"


def _priced(eval_path) -> None:
    """The served project's eval with a price on the model candidate and on the judge (both behind api_base),
    and a max_cost_usd check that only a known price lets apply."""
    text = eval_path.read_text()
    text = text.replace("\n    max_retries: 2\n", "\n    max_retries: 2\n    " + PRICE)
    text = text.replace("\n  max_retries: 2\n", "\n  max_retries: 2\n  " + PRICE)
    text = text.replace("checks: all\n", "checks:\n  - {name: cheap, type: max_cost_usd, value: 0.01}\n")
    eval_path.write_text(text)


def test_a_full_run_leaves_nothing_to_make(served_project):
    root = served_project["dir"]
    before = json.loads(harness_cmd("estimate", "eval.yaml", "--json", cwd=root).stdout)
    assert before["cached_calls"] == 0 and before["calls_to_make"] == before["calls"] > 0
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", cwd=root)
    assert done.returncode == 0, done.stderr
    after = json.loads(harness_cmd("estimate", "eval.yaml", "--json", cwd=root).stdout)
    # Every responder call and every judge call (on the recorded replies and on the cached model replies).
    assert after["calls"] == before["calls"] and after["cached_calls"] == after["calls"]
    assert after["calls_to_make"] == 0 and after["floor_s"] == 0
    assert {m["role"]: m["cached"] for m in after["models"]} == {m["role"]: m["calls"] for m in after["models"]}
    table = harness_cmd("estimate", "eval.yaml", cwd=root).stdout
    assert "every call is in the response cache: a run makes none" in table
    assert f"cache: {after['calls']} of {after['calls']} calls already answered" in table
    # A rerun indeed makes no call.
    sent = len(served_project["server"].requests)
    again = harness_cmd("run", "eval.yaml", "--out", "r2", "--quiet", cwd=root)
    assert again.returncode == 0 and len(served_project["server"].requests) == sent


def test_a_partly_cached_run_counts_the_judge_only_on_cached_replies(served_project):
    root = served_project["dir"]
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", "--limit", "2", cwd=root)
    assert done.returncode == 0, done.stderr
    after = json.loads(harness_cmd("estimate", "eval.yaml", "--json", cwd=root).stdout)
    by_role = {(m["role"], m["name"]): m for m in after["models"]}
    assert by_role[("responder", "served")]["cached"] == 2 and by_role[("responder", "served")]["calls"] == 6
    judge = by_role[("judge", "judge")]
    assert 0 < judge["cached"] < judge["calls"]
    assert after["calls_to_make"] == after["calls"] - after["cached_calls"] > 0


def test_no_cache_file_is_created_by_an_estimate(served_project):
    root = served_project["dir"]
    table = harness_cmd("estimate", "eval.yaml", cwd=root).stdout
    assert "(none there: every call counted)" in table and not (root / "cache").exists()


def test_an_explicit_price_prices_a_gateway_model_in_the_estimate_and_the_scorecard(served_project):
    root, eval_path = served_project["dir"], served_project["eval"]
    _priced(eval_path)
    assert eval_path.read_text().count("price:") == 2
    found = estimate_run(load_eval(eval_path))
    for line in found.lines:
        assert line.priced and line.explicit_price
        assert line.live_usd == pytest.approx((line.prompt_tokens * 0.15 + line.completion_tokens * 0.60) / 1e6)
        assert line.batch_usd == line.live_usd
    table = harness_cmd("estimate", "eval.yaml", cwd=root).stdout
    assert "Priced by the eval file's `price:`" in table and " — " not in table
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", cwd=root)
    assert done.returncode == 0, done.stderr
    card = json.loads((root / "r" / "scorecard.json").read_text())
    served = card["candidates"]["served"]
    for role in ("responder", "judging"):
        calls = served[role]
        assert calls["cost_usd"] == pytest.approx(
            (calls["prompt_tokens"] * 0.15 + calls["completion_tokens"] * 0.60) / 1e6)
        assert calls["n_unpriced"] == 0
    assert "unknown (no price)" not in (root / "r" / "scorecard.md").read_text()
    # max_cost_usd applies to the model candidate's replies now that their price is known.
    verdicts = [json.loads(line) for line in (root / "r" / "records.jsonl").read_text().splitlines()]
    cheap = [r["checks"]["cheap"] for r in verdicts if r["candidate"] == "served" and r.get("checks")]
    assert cheap and all(c["passed"] is True and c["data"]["cost_usd"] > 0 for c in cheap)


def test_a_floor_under_a_second_is_not_read_as_zero():
    from harness.report.estimate import render_estimate
    from harness.runner.estimate import ModelLine, RunEstimate

    found = RunEstimate("tiny", 2, lines=[ModelLine("responder", "v1", "openai/x", calls=2, concurrency=8)],
                        tokenizer="t", concurrency=16, rounds=2, cache="c (none there: every call counted)")
    text = render_estimate(found, 1.0)
    assert "2 cases, concurrency 16" in text and "no run is faster than 0.25 s" in text and "0 s" not in text
    found.lines[0].cached = 1
    assert "no run is faster than 0.12 s" in render_estimate(found, 1.0)


def test_an_estimate_reads_the_cache_without_leaving_files_beside_it(served_project):
    # As `harness cache` reads it: a mode=ro reader of the WAL cache left models.sqlite-wal and -shm behind.
    root = served_project["dir"]
    assert harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", "--limit", "2", cwd=root).returncode == 0
    before = sorted(p.name for p in (root / "cache").iterdir())
    estimate = json.loads(harness_cmd("estimate", "eval.yaml", "--json", cwd=root).stdout)
    assert estimate["cached_calls"] > 0
    assert sorted(p.name for p in (root / "cache").iterdir()) == before

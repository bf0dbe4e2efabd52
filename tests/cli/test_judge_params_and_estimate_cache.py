"""Over HTTP: a judge's `params` reach the provider as written, `harness estimate` still finds the judge's
answers in the cache afterwards, and `harness estimate --cache FILE` reads the cache a run was given."""

from __future__ import annotations

import json

from tests.cli.conftest import harness_cmd

JUDGE_PARAMS = '  params: {temperature: 0.6, max_tokens: 333, top_p: 0.9, seed: 11, stop: ["END"]}\n'


def _judge_bodies(server) -> list[dict]:
    return [r.body for r in server.requests if "Criterion `" in r.body["messages"][-1]["content"]]


def test_the_judges_params_reach_the_provider_and_the_estimate_finds_its_answers(served_project):
    root = served_project["dir"]
    text = served_project["eval"].read_text()
    served_project["eval"].write_text(text.replace("\n  max_retries: 2\n", "\n  max_retries: 2\n" + JUDGE_PARAMS))
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", cwd=root)
    assert done.returncode == 0, done.stderr
    bodies = _judge_bodies(served_project["server"])
    assert bodies
    for body in bodies:
        assert (body["temperature"], body["max_tokens"], body["top_p"], body["seed"], body["stop"]) \
            == (0.6, 333, 0.9, 11, ["END"])
    after = json.loads(harness_cmd("estimate", "eval.yaml", "--json", cwd=root).stdout)
    judge = next(m for m in after["models"] if m["role"] == "judge")
    assert judge["cached"] == judge["calls"] > 0 and after["calls_to_make"] == 0


def test_estimate_reads_the_cache_file_it_is_given(served_project):
    root = served_project["dir"]
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--quiet", "--cache", "own.sqlite", cwd=root)
    assert done.returncode == 0, done.stderr
    default = json.loads(harness_cmd("estimate", "eval.yaml", "--json", cwd=root).stdout)
    assert default["cached_calls"] == 0  # the run kept its answers elsewhere
    own = harness_cmd("estimate", "eval.yaml", "--json", "--cache", "own.sqlite", cwd=root)
    assert own.returncode == 0, own.stderr
    found = json.loads(own.stdout)
    assert found["cached_calls"] == found["calls"] > 0 and found["calls_to_make"] == 0
    missing = harness_cmd("estimate", "eval.yaml", "--cache", "nowhere.sqlite", cwd=root)
    assert missing.returncode == 0 and "nowhere.sqlite (none there: every call counted)" in missing.stdout

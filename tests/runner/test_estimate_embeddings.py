"""harness estimate names the similar checks' embedder and bounds its calls (a run of recorded replies makes
no chat call, but it does embed), and says nothing of embeddings when no check needs them."""

from __future__ import annotations

from harness.config.evalfile import load_eval
from harness.report.estimate import estimate_json, render_estimate
from harness.runner.estimate import estimate_run
from tests.cli.conftest import harness_cmd
from tests.runner.test_similar_embeddings import _project
from tests.support.openai_server import OpenAIServer


def test_the_embedder_and_the_most_texts_it_embeds_are_said(tmp_path):
    with OpenAIServer() as server:
        _project(tmp_path, server.base_url)
        found = estimate_run(load_eval(tmp_path / "eval.yaml"), cache_path=tmp_path / "none.sqlite")
        done = harness_cmd("run", "eval.yaml", "--out", "results/a", "--quiet", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        made = len(server.requests)
    assert found.embedding is not None and found.embedding.model == "openai/embed-test"
    assert found.embedding.texts == 5  # 3 recorded replies + 2 reference replies
    assert made <= found.embedding.texts  # a bound: c3 has no reference, so its reply is never embedded
    text = render_estimate(found, 2.0)
    assert "a run makes no model call but the embedder's" in text
    assert "embedding: similar checks embed with openai/embed-test: at most 5 calls" in text
    assert estimate_json(found, 2.0)["embedding"] == {"model": "openai/embed-test", "max_calls": 5}


def test_no_similar_check_no_embedding_note(tmp_path):
    _project(tmp_path, "http://127.0.0.1:9/v1")
    eval_file = tmp_path / "eval.yaml"
    eval_file.write_text(eval_file.read_text().replace("type: similar", "type: bleu"))
    found = estimate_run(load_eval(eval_file), cache_path=tmp_path / "none.sqlite")
    assert found.embedding is None
    assert "embedding:" not in render_estimate(found, 2.0) and estimate_json(found, 2.0)["embedding"] is None

"""`similar` checks through a run: embeddings from the mock server's /v1/embeddings, cached, a 500 on one
case recorded there while the run goes on, and the `embedding:` block's errors at validate."""

from __future__ import annotations

import json
import textwrap

import pytest

from harness.checks.reference_metrics import cosine
from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd
from tests.support.openai_server import OpenAIServer, word_vector

REPLIES = {"c1": "Sorry your order is late, a refund is on its way today.",
           "c2": "Please send a photo of the broken item.",
           "c3": "It ships tomorrow."}
GOLDEN = {"c1": "I am sorry your order is late; I have refunded it today.",
          "c2": "BOOM sorry it arrived broken: send a photo and we replace it."}


def _project(root, base_url: str, embedding: str | None = None) -> None:
    rows = [{"id": cid, "turns": [{"role": "customer", "content": "help"}], "recorded_replies": {"v1": reply},
             **({"reference_reply": GOLDEN[cid]} if cid in GOLDEN else {})} for cid, reply in REPLIES.items()]
    (root / "cases.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    block = embedding or f"{{model: openai/embed-test, api_base: {base_url}, max_retries: 1}}"
    (root / "eval.yaml").write_text(textwrap.dedent(f"""\
        name: refs
        dataset: cases.jsonl
        max_error_rate: 1
        candidates:
          - {{name: bot, recorded: v1}}
        embedding: {block}
        checks:
          - {{name: close_to_golden, type: similar, min: 0.5}}
          - {{name: rouge, type: rouge_l, min: 0.3}}
        """))


def _checks(run_dir) -> dict[str, dict]:
    return {r.case_id: {name: result for name, result in r.checks.items()} for r in iter_records(run_dir)}


def test_similar_scores_by_the_endpoints_embeddings_and_a_rerun_is_free(tmp_path):
    with OpenAIServer() as server:
        _project(tmp_path, server.base_url)
        done = harness_cmd("run", "eval.yaml", "--out", "results/a", "--quiet", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        asked = len(server.requests)
        again = harness_cmd("run", "eval.yaml", "--out", "results/b", "--quiet", cwd=tmp_path)
        assert again.returncode == 0, again.stderr
        assert len(server.requests) == asked  # every embedding came from the response cache
    assert asked == 4 and {r.body["model"] for r in server.requests} == {"embed-test"}
    checks = _checks(tmp_path / "results/a")
    expected = cosine(word_vector(REPLIES["c1"]), word_vector(GOLDEN["c1"]))
    assert checks["c1"]["close_to_golden"].data == {"score": round(expected, 4), "min": 0.5}
    assert checks["c1"]["close_to_golden"].detail == f"cosine {expected:.3f} (min 0.5)"
    assert checks["c3"]["close_to_golden"].passed is None  # no reference: not applicable, no call made
    assert "no reference_reply" in checks["c3"]["close_to_golden"].detail


def test_a_500_on_one_case_is_recorded_there_and_the_run_goes_on(tmp_path):
    with OpenAIServer(embedding_faults={"BOOM": "server_error"}) as server:
        _project(tmp_path, server.base_url)
        done = harness_cmd("run", "eval.yaml", "--out", "results/r", "--quiet", cwd=tmp_path,
                           env={"HARNESS_RETRY_BACKOFF_S": "0.001"})
    assert done.returncode == 0, done.stderr
    checks = _checks(tmp_path / "results/r")
    failed = checks["c2"]["close_to_golden"]
    assert failed.passed is None and failed.data == {"error": "check_crashed", "error_kind": "server_error"}
    assert failed.detail.startswith("embedding call failed: ServerError: openai/embed-test: HTTP 500")
    assert checks["c2"]["rouge"].passed is not None  # the case's other checks ran
    assert checks["c1"]["close_to_golden"].passed is not None  # and the other cases were embedded
    card = json.loads((tmp_path / "results/r/scorecard.json").read_text())
    assert "close_to_golden" in json.dumps(card)


@pytest.mark.parametrize("block, says", [
    ("{model: openai/x, api_base: http://127.0.0.1:9/v1, temprature: 0}", "embedding.temprature"),
    ("{model: fake/x}", "embedding.model: a fake model writes text, not embeddings"),
    ("{model: embedded/other}", "embedding.model: unknown embedded model 'embedded/other'"),
])
def test_a_bad_embedding_block_is_one_line_at_validate(tmp_path, block, says):
    _project(tmp_path, "http://127.0.0.1:9/v1", embedding=block)
    done = harness_cmd("validate", "eval.yaml", cwd=tmp_path)
    assert done.returncode != 0
    assert "eval.yaml:6:" in done.stderr and says in done.stderr, done.stderr


def test_the_embedded_default_is_named_in_the_scorecards_warning(tmp_path):
    pytest.importorskip("llama_cpp")
    rows = [{"id": "c1", "turns": [{"role": "customer", "content": "help"}], "recorded_replies": {"v1": "Sorry."},
             "reference_reply": "We are sorry."}]
    (tmp_path / "cases.jsonl").write_text(json.dumps(rows[0]) + "\n")
    (tmp_path / "eval.yaml").write_text("name: r\ndataset: cases.jsonl\ncandidates: [{name: bot, recorded: v1}]\n"
                                        "checks: [{name: close, type: similar}]\n")
    done = harness_cmd("run", "eval.yaml", "--out", "results/r", "--quiet", cwd=tmp_path, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr, done.stderr  # the embedding context is closed before teardown
    card = (tmp_path / "results/r/scorecard.md").read_text()
    assert "embedded the texts of this run's similar checks" in card and "Cohen" not in card
    assert "\\`" not in card  # no escaped backtick shows
    [record] = iter_records(tmp_path / "results/r")
    assert record.checks["close"].data["score"] > 0

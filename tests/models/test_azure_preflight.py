"""Azure needs its endpoint before the first call, as the README's provider table says."""

from __future__ import annotations

import textwrap

from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd

CASE = '{"id": "c1", "turns": [{"role": "customer", "content": "where is my parcel"}]}\n'


def write_eval(root, extra: str = "") -> None:
    (root / "cases.jsonl").write_text(CASE)
    (root / "eval.yaml").write_text(textwrap.dedent("""\
        name: azure
        dataset: cases.jsonl
        candidates:
          - name: az
            model: azure/my-deployment
            api_key_env: TEST_AZURE_KEY
            prompt: "You are a support agent."
            max_retries: 0
        checks: [apology_wording]
        """) + extra)


def test_azure_without_an_endpoint_is_refused_before_any_call(tmp_path):
    write_eval(tmp_path)
    done = harness_cmd("run", "eval.yaml", cwd=tmp_path, env={"TEST_AZURE_KEY": "k", "AZURE_API_BASE": "",
                                                              "LITELLM_LOCAL_MODEL_COST_MAP": "True"})
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "eval.yaml:5: candidates[0].model:" in lines[0] and "AZURE_API_BASE" in lines[0]
    assert not (tmp_path / "results").exists()


def test_azure_with_an_endpoint_in_the_environment_runs(tmp_path):
    # The endpoint is a closed local port: the run starts, and its one case ends in an error.
    write_eval(tmp_path)
    done = harness_cmd("run", "eval.yaml", "--out", "run", cwd=tmp_path,
                       env={"TEST_AZURE_KEY": "k", "AZURE_API_BASE": "http://127.0.0.1:9",
                            "AZURE_API_VERSION": "2024-06-01", "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                            "HARNESS_RETRY_BACKOFF_S": "0.001"})
    # Preflight let it start (not exit 2); its only record errored, so the completion gate fails it (exit 3).
    assert done.returncode == 3, done.stderr
    [record] = list(iter_records(tmp_path / "run"))
    assert record.error is not None

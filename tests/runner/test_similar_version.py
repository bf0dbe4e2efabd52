"""A similar check's version names its embedding model: a run with another embedder shows another version in
its manifest (so `harness diff` says the check changed), while the other checks' versions stay."""

from __future__ import annotations

import json

from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.checks.reference import attach_embedder
from harness.models.base import EMBEDDED_MODEL, ModelSpec
from harness.models.embeddings import build_embedder
from tests.cli.conftest import harness_cmd
from tests.runner.test_similar_embeddings import _project
from tests.support.openai_server import OpenAIServer


def _version(name: str, api_base: str | None = None) -> str:
    check = build_custom_check(CustomCheckSpec(name="sim", type="similar"), lambda raw: None)
    attach_embedder([check], build_embedder(ModelSpec(name=name, api_base=api_base)))
    return check.version


def test_the_embedding_model_and_api_base_are_part_of_the_version():
    plain = build_custom_check(CustomCheckSpec(name="sim", type="similar"), lambda raw: None).version
    assert _version(EMBEDDED_MODEL) == plain  # the default keeps the versions of runs made before
    versions = {_version("openai/a", "http://h:1/v1"), _version("openai/b", "http://h:1/v1"),
                _version("openai/a", "http://h:2/v1"), _version("openai/a"), plain}
    assert len(versions) == 5
    assert _version("openai/a", "http://h:1/v1") == _version("openai/a", "http://h:1/v1")


def test_a_run_with_another_embedder_records_another_version(tmp_path):
    manifests = []
    with OpenAIServer() as server:
        for model in ("embed-test", "embed-other"):
            _project(tmp_path, server.base_url, f"{{model: openai/{model}, api_base: {server.base_url}}}")
            done = harness_cmd("run", "eval.yaml", "--out", f"results/{model}", "--quiet", cwd=tmp_path)
            assert done.returncode == 0, done.stderr
            manifests.append(json.loads((tmp_path / "results" / model / "manifest.json").read_text())["checks"])
    assert manifests[0]["close_to_golden"] != manifests[1]["close_to_golden"]
    assert manifests[0]["rouge"] == manifests[1]["rouge"]

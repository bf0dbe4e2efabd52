"""``api_key_env`` takes a variable's name: a key pasted in its place is refused at validate and run, at its
line, without the value being printed (stderr ends up in CI logs)."""

from __future__ import annotations

import textwrap

import pytest

from harness.cli.main import main
from harness.config.evalfile import load_eval
from harness.errors import ConfigError, MissingCredentialError
from harness.models.base import ModelSpec
from harness.models.openai_compat import OpenAICompatProvider
from harness.models.litellm_provider import check_environment
from tests.config.test_evalfile import project, write  # noqa: F401  (the fixture)

KEY = "sk-TESTKEY123literal"


def model_eval(project, where: str, value: str):
    candidate = f"    api_key_env: {value}\n" if where == "candidate" else ""
    judge = f"  api_key_env: {value}\n" if where == "judge" else ""
    deployment = f"      - {{model: openai/x, api_key_env: {value}}}\n" if where == "deployment" else ""
    text = textwrap.dedent("""\
        name: e
        dataset: data.jsonl
        candidates:
          - name: local
            model: openai/ok
            api_base: http://127.0.0.1:9/v1
            prompt: You answer support mail.
        """) + candidate + ("    deployments:\n" + deployment if deployment else "")
    text += "judge:\n  model: openai/ok\n  api_base: http://127.0.0.1:9/v1\n  rubric: rubric.yaml\n" + judge
    return write(project, text)


@pytest.mark.parametrize("where", ["candidate", "judge", "deployment"])
def test_a_key_in_api_key_env_is_refused_without_echoing_it(project, where, capsys):
    path = model_eval(project, where, KEY)
    with pytest.raises(ConfigError) as caught:
        load_eval(path)
    assert "api_key_env: takes the name of an environment variable" in str(caught.value)
    assert KEY not in str(caught.value) and "TESTKEY" not in str(caught.value)
    assert main(["validate", str(path)]) == 2
    assert main(["run", str(path), "--out", "results/r"]) == 2
    out = capsys.readouterr()
    assert "TESTKEY" not in out.out + out.err and "api_key_env: takes the name" in out.err


def test_a_variable_name_loads(project):
    assert load_eval(model_eval(project, "candidate", "MY_GATEWAY_KEY"))


def test_an_unset_name_that_looks_like_a_key_is_not_printed(monkeypatch):
    monkeypatch.delenv("Zq9TESTKEY123plainvalue", raising=False)
    spec = ModelSpec(name="openai/ok", api_base="http://127.0.0.1:9/v1", api_key_env="Zq9TESTKEY123plainvalue")
    for check in (OpenAICompatProvider(spec).check_credentials,
                  lambda: check_environment("openai/ok", spec.api_key_env, spec.api_base, "openai/ok")):
        with pytest.raises(MissingCredentialError) as caught:
            check()
        assert "TESTKEY" not in str(caught.value) and "api_key_env names is not set" in str(caught.value)
    monkeypatch.delenv("MY_GATEWAY_KEY", raising=False)
    spec = ModelSpec(name="openai/ok", api_base="http://127.0.0.1:9/v1", api_key_env="MY_GATEWAY_KEY")
    with pytest.raises(MissingCredentialError, match="environment variable MY_GATEWAY_KEY is not set"):
        OpenAICompatProvider(spec).check_credentials()


def test_pairwise_refuses_a_key_given_as_its_api_key_env(capsys):
    assert main(["pairwise", "nowhere", "--judge-model", "openai/x", "--api-key-env", KEY]) == 2
    err = capsys.readouterr().err
    assert "--api-key-env: takes the name of an environment variable" in err and "TESTKEY" not in err

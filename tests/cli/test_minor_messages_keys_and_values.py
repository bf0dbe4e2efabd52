"""review_new item 12: an empty key variable says "is empty", ``--min-effect -1pp`` gets the harness's own
range message, a CSV boolean cell that is not one shows its value, and validate warns of an unset key variable."""

from __future__ import annotations

import pytest

from harness.cli.main import main
from harness.errors import MissingCredentialError
from harness.models.base import ModelSpec
from harness.models.litellm_provider import check_environment
from harness.models.openai_compat import OpenAICompatProvider
from tests.config.test_api_key_env_name import model_eval
from tests.config.test_evalfile import project  # noqa: F401  (the fixture)


def test_an_empty_key_variable_is_named_empty_not_unset(monkeypatch):
    monkeypatch.setenv("MY_GATEWAY_KEY", "")
    spec = ModelSpec(name="openai/ok", api_base="http://127.0.0.1:9/v1", api_key_env="MY_GATEWAY_KEY")
    with pytest.raises(MissingCredentialError, match="environment variable MY_GATEWAY_KEY is empty$"):
        OpenAICompatProvider(spec).check_credentials()
    with pytest.raises(MissingCredentialError, match="environment variable MY_GATEWAY_KEY is empty"):
        check_environment("openai/ok", "MY_GATEWAY_KEY", None, "openai/ok")
    monkeypatch.delenv("MY_GATEWAY_KEY")
    with pytest.raises(MissingCredentialError, match="environment variable MY_GATEWAY_KEY is not set"):
        OpenAICompatProvider(spec).check_credentials()


@pytest.mark.parametrize("argv", [["--min-effect", "-1pp"], ["--min-effect=-1pp"], ["--min-effect", "-.5pt"]])
def test_a_negative_min_effect_gets_the_range_message(tmp_path, capsys, argv):
    assert main(["diff", str(tmp_path / "a"), str(tmp_path / "b"), *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("harness: error: --min-effect: '-")
    assert "a minimum effect is a number from 0 to " in err[0]


def test_an_option_after_min_effect_is_still_an_option(capsys):
    with pytest.raises(SystemExit):
        main(["diff", "a", "b", "--min-effect", "--out"])
    assert "argument --min-effect: expected one argument" in capsys.readouterr().err


def test_a_csv_boolean_cell_that_is_not_one_shows_its_value(tmp_path, capsys):
    path = tmp_path / "b.csv"
    path.write_text("id,complaint,expectations.escalation_expected\n1,angry, true\n")
    assert main(["validate", str(path)]) == 2
    assert (f"error {path}:2: expectations.escalation_expected: ' true' is not true or false (write true/false, "
            f"yes/no or 1/0, with no spaces)") in capsys.readouterr().err


def test_validate_warns_of_an_unset_or_empty_key_variable_and_still_passes(project, capsys, monkeypatch):
    path = model_eval(project, "deployment", "MY_GATEWAY_KEY")
    monkeypatch.delenv("MY_GATEWAY_KEY", raising=False)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr()
    assert f"ok    {path}: eval e" in out.out
    assert out.err == (f"warn  {path}: environment variable MY_GATEWAY_KEY is not set (api_key_env): validate "
                       "needs no key, but a run refuses to start without it\n")
    monkeypatch.setenv("MY_GATEWAY_KEY", "")
    assert main(["validate", str(path)]) == 0
    assert "environment variable MY_GATEWAY_KEY is empty (api_key_env)" in capsys.readouterr().err
    monkeypatch.setenv("MY_GATEWAY_KEY", "set")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err == ""

"""The circuit breaker for a refused key: after AUTH_BREAKER calls to one model in a row end in a 401/403, the
model makes no more calls in the run; the cases left are recorded with an ``auth`` error and no attempt, and
the run goes on (and fails its completion gate, naming the candidate)."""

from __future__ import annotations

import asyncio

import pytest

from harness.errors import AuthError, ModelCallError
from harness.models import Message
from harness.models.fake import fake_model
from harness.models.breaker import AUTH_BREAKER
from harness.models.openai_compat import error_for_status
from harness.records.store import iter_records
from tests.cli.conftest import harness_cmd
from tests.reliability.conftest import served_reply, write_served_eval
from tests.support.openai_server import OpenAIServer

HELLO = [Message(role="user", content="hello")]


def ask(model) -> str | BaseException:
    try:
        return asyncio.run(model.generate(HELLO)).text
    except ModelCallError as exc:
        return exc


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_is_an_auth_error(status):
    error = error_for_status(status, {}, b'{"error": {"message": "bad key"}}', "openai/m")
    assert type(error) is AuthError and error.kind == "auth" and not error.retryable


def test_after_refusals_in_a_row_no_call_is_made():
    model = fake_model([AuthError("401 bad key")] * AUTH_BREAKER + ["never asked"])
    for _ in range(AUTH_BREAKER):
        assert isinstance(ask(model), AuthError)
    skipped = ask(model)
    assert isinstance(skipped, AuthError) and skipped.attempts == 0
    assert "not called: the provider refused the key on 5 calls in a row (last: 401 bad key)" in str(skipped)
    assert model.provider.calls == AUTH_BREAKER and model.stats.not_called == 1


def test_an_answer_or_another_error_in_between_resets_the_count():
    script = [AuthError("401")] * (AUTH_BREAKER - 1) + ["ok"] + [AuthError("401")] * (AUTH_BREAKER - 1)
    script += [ModelCallError("404")] + [AuthError("401")] + ["still asked"]
    model = fake_model(script)
    answers = [ask(model) for _ in script]
    assert answers[-1] == "still asked" and model.provider.calls == len(script)


def test_a_run_against_a_server_refusing_the_key_stops_calling_it(tmp_path):
    with OpenAIServer(reply=served_reply, fault_rates={"unauthorized": 1.0}) as server:
        write_served_eval(tmp_path, server.base_url, 40, concurrency=4)
        text = (tmp_path / "eval.yaml").read_text().replace("concurrency: 64", "concurrency: 2")
        (tmp_path / "eval.yaml").write_text(text)
        done = harness_cmd("run", "eval.yaml", "--out", "results/r", "--no-cache", "--quiet", cwd=tmp_path,
                           env={"HARNESS_RETRY_BACKOFF_S": "0.001"}, timeout=120)
        made = len(server.requests)
    assert done.returncode == 3, (made, done.stderr)
    assert "the provider refused the key on 5 calls in a row; no more calls go to this model" in done.stderr, made
    assert "every record (40 of 40) ended in an error: nothing was graded (served: auth 40)" in done.stderr
    records = list(iter_records(tmp_path / "results/r"))
    assert len(records) == 40 and all(r.error is not None and r.error.kind == "auth" for r in records)
    not_called = [r for r in records if "not called" in r.error.message]
    assert made <= AUTH_BREAKER + 2  # the calls in flight when the breaker tripped (concurrency 2) still end
    assert len(not_called) == 40 - made and all(r.error.attempts is None for r in not_called)


@pytest.mark.parametrize("name", ["openai/m", "litellm/openai/m"])
def test_both_openai_paths_call_a_refused_key_auth(openai_server, name):
    from harness.models import ModelSpec, build_model

    openai_server.queue("unauthorized")
    model = build_model(ModelSpec(name=name, api_base=openai_server.base_url, max_retries=0))
    error = ask(model)
    assert isinstance(error, AuthError) and error.kind == "auth" and error.attempts == 1

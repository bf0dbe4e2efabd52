"""A model with several deployments, spread over by litellm's Router, against loopback servers."""

from __future__ import annotations

import asyncio

import pytest

from harness.errors import ConfigError, MissingCredentialError, RateLimitError
from harness.models.base import DeploymentSpec, Message, ModelSpec, RoutingSpec
from harness.models.cache import ResponseCache
from harness.models.registry import build_model, uses_litellm
from harness.models.router_provider import RouterProvider
from tests.support.openai_server import OpenAIServer

MESSAGES = [Message(role="user", content="where is my refund")]


def routed_spec(*servers: OpenAIServer, **routing) -> ModelSpec:
    deployments = [DeploymentSpec(model="openai/served-model", name=f"replica-{i}", api_base=s.base_url)
                   for i, s in enumerate(servers)]
    return ModelSpec(name="support-model", deployments=deployments, routing=RoutingSpec(**routing),
                     concurrency=4, max_retries=6)


def fast(model):
    model.backoff_base_s = 0.001
    model.max_backoff_s = 0.01
    return model


def ask(model, n: int, prefix: str = "q") -> list:
    async def go():
        return await asyncio.gather(*(model.generate([Message(role="user", content=f"{prefix}{i}")])
                                      for i in range(n)))
    return asyncio.run(go())


def test_registry_routes_a_model_with_deployments_to_the_router():
    spec = ModelSpec(name="support-model", deployments=[DeploymentSpec(model="openai/x", api_base="http://h/v1")])
    assert isinstance(build_model(spec).provider, RouterProvider)
    assert uses_litellm(spec)


def test_calls_spread_over_both_deployments_and_records_name_the_server():
    with OpenAIServer() as a, OpenAIServer() as b:
        responses = ask(fast(build_model(routed_spec(a, b))), 40)
        assert len(a.requests) + len(b.requests) == 40
        assert len(a.requests) >= 5 and len(b.requests) >= 5  # simple-shuffle: both serve a share
        served = [r.deployment for r in responses]
        assert served.count("replica-0") == len(a.requests)
        assert served.count("replica-1") == len(b.requests)
        # The deployment's own model name goes on the wire, not the logical label.
        assert {r.body["model"] for r in a.requests + b.requests} == {"served-model"}


def test_a_deployment_answering_429_is_routed_around():
    with OpenAIServer(fault_rates={"rate_limit": 1.0}) as bad, OpenAIServer() as good:
        model = fast(build_model(routed_spec(bad, good, cooldown_s=60)))
        responses = ask(model, 20)
        assert {r.deployment for r in responses} == {"replica-1"}
        assert len(good.requests) == 20
        # Once cooled down, the failing deployment gets no more traffic: a handful of tries at most.
        assert 1 <= len(bad.requests) <= 4
        assert model.stats.retries == len(bad.requests)  # each 429 cost one Model retry, not more


def test_a_deployment_answering_500_is_routed_around():
    with OpenAIServer() as good, OpenAIServer(fault_rates={"server_error": 1.0}) as bad:
        model = fast(build_model(routed_spec(good, bad, cooldown_s=60)))
        responses = ask(model, 20)
        assert all(r.deployment == "replica-0" for r in responses)
        assert len(bad.requests) <= 4


def test_router_does_not_retry_on_its_own():
    # One deployment, always 500: every attempt the Model makes is exactly one request on the wire.
    with OpenAIServer(fault_rates={"server_error": 1.0}) as bad:
        spec = routed_spec(bad, allowed_fails=100).model_copy(update={"max_retries": 2})  # no cool-down
        model = fast(build_model(spec))
        with pytest.raises(Exception) as caught:
            ask(model, 1)
        assert getattr(caught.value, "retryable", False)
        assert len(bad.requests) == 3  # 1 try + 2 Model retries


def test_all_deployments_cooling_down_is_a_retryable_rate_limit():
    with OpenAIServer(fault_rates={"rate_limit": 1.0}) as a, OpenAIServer(fault_rates={"rate_limit": 1.0}) as b:
        spec = routed_spec(a, b, cooldown_s=7).model_copy(update={"max_retries": 0})
        model = fast(build_model(spec))
        ask_errors = []
        for i in range(3):
            try:
                ask(model, 1, prefix=f"p{i}-")
            except RateLimitError as exc:
                ask_errors.append(exc)
        assert len(ask_errors) == 3 and all(e.retryable for e in ask_errors)
        assert len(a.requests) + len(b.requests) == 2  # the third call found both cooling down
        assert ask_errors[-1].retry_after == 7


def test_cache_key_does_not_depend_on_the_deployment(tmp_path):
    with OpenAIServer() as a, OpenAIServer() as b:
        cache = ResponseCache(tmp_path / "c.sqlite")
        first = fast(build_model(routed_spec(a, b), cache))
        ask(first, 10)
        # The same logical model over different deployments hits the same cache entries.
        with OpenAIServer() as c:
            second = fast(build_model(routed_spec(c), cache))
            again = ask(second, 10)
            assert all(r.cache_hit for r in again) and not c.requests
            assert first.cache_key(MESSAGES) == second.cache_key(MESSAGES)


def test_deployment_keys_are_checked_and_sent(monkeypatch):
    spec = ModelSpec(name="m", deployments=[DeploymentSpec(model="openai/x", api_base="http://h/v1",
                                                           api_key_env="ROUTER_TEST_KEY_A")])
    provider = RouterProvider(spec)
    monkeypatch.delenv("ROUTER_TEST_KEY_A", raising=False)
    with pytest.raises(MissingCredentialError, match="ROUTER_TEST_KEY_A"):
        provider.check_credentials()
    monkeypatch.setenv("ROUTER_TEST_KEY_A", "sk-secret-value-123")
    provider.check_credentials()
    assert provider.model_list()[0]["litellm_params"]["api_key"] == "sk-secret-value-123"
    assert "sk-secret" not in str(provider.request_kwargs(MESSAGES, spec.params))


@pytest.mark.parametrize("update, problem", [
    ({"api_base": "http://h/v1"}, "inside each deployment"),
    ({"deployments": [DeploymentSpec(model="openai/x", name="a"), DeploymentSpec(model="openai/y", name="a")]},
     "share a name"),
])
def test_bad_routed_specs_are_config_errors(update, problem):
    spec = ModelSpec(name="m", deployments=[DeploymentSpec(model="openai/x")]).model_copy(update=update)
    with pytest.raises(ConfigError, match=problem):
        RouterProvider(spec)


def test_an_azure_deployment_without_an_endpoint_names_its_place(monkeypatch):
    # The same check as an unrouted Azure model's (harness.models.litellm_provider.check_environment).
    monkeypatch.setenv("ROUTER_TEST_AZURE_KEY", "k")
    monkeypatch.delenv("AZURE_API_BASE", raising=False)
    spec = ModelSpec(name="m", deployments=[DeploymentSpec(model="azure/a", api_base="https://a.example/",
                                                           api_key_env="ROUTER_TEST_AZURE_KEY"),
                                            DeploymentSpec(model="azure/b", api_key_env="ROUTER_TEST_AZURE_KEY")])
    with pytest.raises(ConfigError, match="AZURE_API_BASE") as info:
        RouterProvider(spec).check_credentials()
    assert info.value.field == "deployments[1].api_base"
    monkeypatch.setenv("AZURE_API_BASE", "https://b.example/")
    RouterProvider(spec).check_credentials()


def test_an_unroutable_deployment_model_names_its_place():
    spec = ModelSpec(name="m", deployments=[DeploymentSpec(model="openai/x", api_base="http://h/v1"),
                                            DeploymentSpec(model="no-such-provider-model-xyz")])
    with pytest.raises(ConfigError, match=r"deployments\[1\]\.model"):
        RouterProvider(spec).check_credentials()


def test_a_run_with_a_routed_candidate_records_the_deployment_of_each_reply(tmp_path):
    from pathlib import Path

    from harness.records.store import iter_records
    from harness.runner.engine import RunOptions, run_eval

    root = Path(__file__).resolve().parents[2]
    with OpenAIServer() as a, OpenAIServer() as b:
        eval_file = tmp_path / "eval.yaml"
        eval_file.write_text(f"""
dataset: {root / 'datasets' / 'complaints.jsonl'}
limit: 8
checks: none
candidates:
  - name: bot
    model: support-model
    prompt: "Be kind."
    deployments:
      - {{model: openai/served-model, name: east, api_base: "{a.base_url}", rpm: 600}}
      - {{model: openai/served-model, name: west, api_base: "{b.base_url}", rpm: 600}}
""")
        result = run_eval(eval_file, RunOptions(out=tmp_path / "run", cache_path=tmp_path / "c.sqlite"))
        records = list(iter_records(result.run_dir))
        served: dict[str, int] = {}
        for record in records:
            assert record.error is None and sum(record.responder.deployments.values()) == 1
            for name, count in record.responder.deployments.items():
                served[name] = served.get(name, 0) + count
        assert served == {k: v for k, v in {"east": len(a.requests), "west": len(b.requests)}.items() if v}
        assert sum(served.values()) == 8


def test_usage_based_routing_keeps_each_deployment_under_its_rpm():
    rpm = 4
    with OpenAIServer() as a, OpenAIServer() as b:
        spec = routed_spec(a, b, strategy="usage-based-routing-v2")
        spec = spec.model_copy(update={"max_retries": 0, "concurrency": 1, "deployments": [
            d.model_copy(update={"rpm": rpm}) for d in spec.deployments]})
        model = fast(build_model(spec))
        served = 0
        with pytest.raises(RateLimitError, match="No deployments available"):
            for i in range(3 * rpm):
                ask(model, 1, prefix=f"r{i}-")
                served += 1
        # litellm admits a call while the minute's count stays below the limit: rpm - 1 each.
        assert rpm - 1 <= len(a.requests) <= rpm and rpm - 1 <= len(b.requests) <= rpm
        assert served == len(a.requests) + len(b.requests)


class _RefusingServer:
    """A loopback chat-completions endpoint that refuses a request whose last message says ``refuse`` as a client
    error (400 invalid_request_error: the request's fault), fails one that says ``break`` with a 500 (the
    deployment's), and answers the rest."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        asked = self.asked = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                text = body["messages"][-1]["content"]
                asked.append(text)
                if "refuse" in text:
                    status, out = 400, {"error": {"message": "Invalid 'messages[0].content': string too long.",
                                                  "type": "invalid_request_error", "param": "messages",
                                                  "code": "string_above_max_length"}}
                elif "break" in text:
                    status, out = 500, {"error": {"message": "internal error", "type": "server_error"}}
                else:
                    status, out = 200, {"id": "c", "object": "chat.completion", "created": 1, "model": body["model"],
                                        "choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant", "content": "ok"}}],
                                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = json.dumps(out).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> "_RefusingServer":
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_request_refused_as_a_client_error_does_not_cool_its_deployment_down():
    # Review item: litellm's Router cools deployments down on failures; a 400 that is the request's fault (a body
    # the provider refuses) must not take a healthy deployment out of the rotation. litellm leaves 4xx other than
    # 401, 404, 408 and 429 out of its cool-downs: pinned here (a 500 in the same setup does cool one down).
    from litellm.router_utils.cooldown_handlers import _async_get_cooldown_deployments

    from harness.errors import ModelCallError

    with _RefusingServer() as a, _RefusingServer() as b:
        spec = ModelSpec(name="support-model", routing=RoutingSpec(allowed_fails=0, cooldown_s=60), max_retries=0,
                         deployments=[DeploymentSpec(model="openai/served-model", name=name, api_base=server.base_url)
                                      for name, server in (("east", a), ("west", b))])
        model = fast(build_model(spec))

        async def go() -> tuple[list, list, list, list]:
            router = model.provider.router()
            refused = []
            for i in range(6):
                try:
                    await model.generate([Message(role="user", content=f"refuse {i}")])
                except ModelCallError as exc:
                    refused.append(exc)
            cooled_after_400 = await _async_get_cooldown_deployments(router, None)
            served = [await model.generate([Message(role="user", content=f"fine {i}")]) for i in range(24)]
            with pytest.raises(ModelCallError):
                await model.generate([Message(role="user", content="break")])
            return refused, cooled_after_400, served, await _async_get_cooldown_deployments(router, None)

        refused, cooled_after_400, served, cooled_after_500 = asyncio.run(go())
        assert len(refused) == 6 and not any(exc.retryable for exc in refused)
        assert sum("refuse" in text for text in a.asked + b.asked) == 6  # each refusal reached a deployment
        assert cooled_after_400 == []
        assert {r.deployment for r in served} == {"east", "west"}  # both still in the rotation
        assert len(cooled_after_500) == 1  # the probe sees a cool-down when there is one

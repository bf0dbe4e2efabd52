"""A canary API key never reaches any file the harness writes, nor its output.

The key is sent (the server checks the Authorization header) and the server
echoes it back in some error bodies, as real providers do with "Incorrect API
key provided: ..."; the canary is not shaped like a key, so only knowing the
variable's value can keep it out of the records.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from aiohttp import web

from tests.cli.conftest import harness_cmd
from tests.reliability.conftest import served_reply, write_served_eval
from tests.support.openai_server import OpenAIServer

KEY_ENV = "RELIABILITY_CANARY_KEY"
ECHOED = 4  # the first requests are answered with an error that quotes the key


class EchoingServer(OpenAIServer):
    """Answers the first requests with 401/500 bodies that quote the Authorization header."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.authorizations: list[str] = []

    async def _respond(self, request, body, fault):
        auth = request.headers.get("Authorization", "")
        self.authorizations.append(auth)
        if len(self.authorizations) <= ECHOED:
            status = 401 if len(self.authorizations) % 2 else 500
            message = f"Incorrect API key provided: {auth.removeprefix('Bearer ')} (header {auth})"
            return web.json_response({"error": {"message": message, "type": "invalid_request_error"}},
                                     status=status)
        return await super()._respond(request, body, fault)


def files_containing(root: Path, needle: bytes) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_a_canary_key_is_in_no_file_and_no_output(tmp_path):
    canary = f"CANARY{uuid.uuid4().hex}CANARY"
    project = tmp_path / "project"
    project.mkdir()
    env = {KEY_ENV: canary, "HARNESS_RETRY_BACKOFF_S": "0.001"}
    with EchoingServer(reply=served_reply, fault_rates={"server_error": 0.1, "content_filter": 0.05}) as server:
        extra_key = f"  api_key_env: {KEY_ENV}\n"
        eval_path = write_served_eval(project, server.base_url, 30, max_retries=0, extra=extra_key)
        text = eval_path.read_text().replace("    max_retries: 0\n", f"    max_retries: 0\n    api_key_env: {KEY_ENV}\n", 1)
        eval_path.write_text(text)
        run = harness_cmd("run", "eval.yaml", "--out", "results/s", cwd=project, env=env)
        first_records = (project / "results/s/records.jsonl").read_text()
        report = harness_cmd("report", "results/s", cwd=project, env=env)
        resumed = harness_cmd("run", "eval.yaml", "--out", "results/s", "--resume", "--retry-errors",
                              cwd=project, env=env)
    assert run.returncode == report.returncode == resumed.returncode == 0, (run.stderr, resumed.stderr)
    assert server.authorizations and all(a == f"Bearer {canary}" for a in server.authorizations)
    assert "[REDACTED]" in first_records  # the echoed key was on its way into a record
    written = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert any(name.startswith("cache/") for name in written) and "results/s/report.html" in written
    assert files_containing(project, canary.encode()) == []
    for done in (run, report, resumed):
        assert canary not in done.stdout and canary not in done.stderr

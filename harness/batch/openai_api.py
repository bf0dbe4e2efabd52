"""OpenAI Batch: upload a JSONL file of chat-completion requests, create a batch, poll it, read two JSONL files.

    POST /files (purpose=batch) → POST /batches → GET /batches/{id} until completed, expired,
    failed or cancelled → GET /files/{output_file_id}/content and /files/{error_file_id}/content

Works against OpenAI itself and any server speaking the same endpoints
(``api_base``). Request bodies and answers go through the same code as the
live OpenAI-compatible client, so a batched answer is the answer a live call
would have cached.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.batch.credentials import batch_key, check_key
from harness.batch.limits import OPENAI
from harness.batch.http import BatchHTTP
from harness.batch.lines import BadLine, ReadLines, an_object, read_lines, shown
from harness.batch.prices import batch_cost
from harness.batch.requests import BatchRequest, Failure
from harness.batch.upload import spooled_upload
from harness.errors import CaseFault
from harness.models.base import ModelResponse, ModelSpec
from harness.models.logprobs import with_field_probabilities
from harness.models.openai_compat import OpenAICompatProvider, error_for_status
from harness.records.redaction import redact

DEFAULT_BASE = "https://api.openai.com/v1"
KEY_ENV = "OPENAI_API_KEY"
ENDPOINT = "/v1/chat/completions"
TERMINAL = frozenset({"completed", "expired", "failed", "cancelled"})


class OpenAIBatchAPI:
    name = "openai"
    limits = OPENAI  # requests and bytes per input file (see harness.batch.limits)

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.encoder = OpenAICompatProvider(spec)  # request bodies and answer parsing, shared with live calls

    def check_credentials(self) -> None:
        check_key(self.spec, KEY_ENV)

    def http(self, backoff_s: float) -> BatchHTTP:
        auth = {"Authorization": f"Bearer {batch_key(self.spec, KEY_ENV)}"}
        return BatchHTTP(self.spec.api_base or DEFAULT_BASE, {}, auth=auth, backoff_s=backoff_s,
                         what=f"{self.spec.name} batch")

    def line(self, request: BatchRequest) -> dict[str, Any]:
        body = self.encoder.request_body(list(request.messages), request.config)
        return {"custom_id": request.key, "method": "POST", "url": ENDPOINT, "body": body}

    def line_bytes(self, request: BatchRequest) -> int:
        """The bytes ``request`` takes in the uploaded file (its JSONL line), for splitting by size."""
        return len(json.dumps(self.line(request))) + 1  # json.dumps escapes non-ASCII: characters are bytes

    async def submit(self, http: BatchHTTP, requests: Iterable[BatchRequest],
                     folder: Path | None = None) -> tuple[str, str | None]:
        """Upload the requests (read one at a time, written to a file in ``folder`` and streamed from it, so the
        upload never sits in memory: see :mod:`harness.batch.upload`) and create the batch; returns (batch id,
        input file id)."""
        import aiohttp

        lines = ((json.dumps(self.line(request)) + "\n").encode("utf-8") for request in requests)
        with spooled_upload(lines, folder) as body:
            def form() -> Any:  # rebuilt for every attempt, on a new handle of the file
                data = aiohttp.FormData()
                data.add_field("purpose", "batch")
                data.add_field("file", body.open(), filename="requests.jsonl", content_type="application/jsonl")
                return data

            uploaded = await http.json("POST", "/files", data=form)
        batch = await http.json("POST", "/batches", json_body={"input_file_id": uploaded["id"], "endpoint": ENDPOINT,
                                                               "completion_window": "24h"})
        return batch["id"], uploaded["id"]

    async def poll(self, http: BatchHTTP, batch_id: str) -> tuple[str, bool, dict[str, Any]]:
        """(status, finished?, the batch object)."""
        # One try: the caller (harness.batch.patience) keeps polling through an outage.
        batch = await http.json("GET", f"/batches/{batch_id}", attempts=1)
        status = str(batch.get("status"))
        return status, status in TERMINAL, batch

    @staticmethod
    def failure_reason(batch: dict[str, Any]) -> str | None:
        """Why the batch failed as a whole (``errors.data[]``: code, message, line), or None if it says nothing."""
        errors = batch.get("errors")
        data = errors.get("data") if isinstance(errors, dict) else None
        if not isinstance(data, list):
            return None
        reasons = []
        for error in (e for e in data if isinstance(e, dict)):
            where = f" (line {error['line']})" if isinstance(error.get("line"), int) else ""
            code = f"{error['code']}: " if error.get("code") else ""
            reasons.append(f"{code}{error.get('message') or 'no message'}{where}")
        more = f"; and {len(reasons) - 3} more" if len(reasons) > 3 else ""
        return "; ".join(reasons[:3]) + more if reasons else None

    async def results(self, http: BatchHTTP, batch: dict[str, Any], requests: dict[str, BatchRequest]) -> ReadLines:
        """Every answered or failed line of a finished batch, by cache key (see :mod:`harness.batch.lines`)."""
        read = ReadLines()
        for field, name in (("output_file_id", "output file"), ("error_file_id", "error file")):
            file_id = batch.get(field)
            if file_id:
                raw = await http.request("GET", f"/files/{file_id}/content")
                self.read_lines(raw, f"{name} {file_id}", requests, read)
        return read

    def read_lines(self, raw: bytes, source: str, requests: dict[str, BatchRequest],
                   read: ReadLines | None = None) -> ReadLines:
        return read_lines(raw, source, requests, self.parse, read)

    def parse(self, line: dict[str, Any], request: BatchRequest) -> ModelResponse | Failure:
        response = an_object(line, "response") or {}
        error = an_object(line, "error")
        status = response.get("status_code")
        if status is not None and type(status) is not int:
            raise BadLine("response.status_code", f"not an integer ({shown(status)})")
        if status == 200 and not error:
            try:
                answer = with_field_probabilities(self.encoder.to_response(response.get("body")), request.config)
            except CaseFault as fault:
                return Failure(kind=fault.kind, message=str(fault))
            if not self.spec.api_base:
                answer.usage.cost_usd = batch_cost(self.spec.name, answer.usage)
            return answer
        if status:
            # Redacted before error_for_status cuts its message short (a key cut in two would be kept in part).
            body = redact(json.dumps(response.get("body") or {})).encode()
            fault = error_for_status(status, {}, body, self.spec.name)
            return Failure(kind=fault.kind, message=f"{fault} (batch line)")
        code = str((error or {}).get("code") or "batch_error")
        message = str((error or {}).get("message") or "no answer")
        return Failure(kind="batch_expired" if code == "batch_expired" else "batch_error",
                       message=f"{self.spec.name}: {code}: {message}")

"""Provider batch APIs (OpenAI Batch, Anthropic Message Batches) for large runs at half price.

``harness run --batch`` runs :func:`prefill_from_batches` before the normal
pass: stage by stage it finds the calls the run would make, sends them as
provider batches, waits, and fills the response cache with the answers; the
normal pass then finds every call cached. Batch ids are kept in the run
directory, so ``--resume`` polls a submitted batch instead of sending it again.

    requests.py       the gate on a run's models; BatchRequest; batch faults
    stages.py         the stages: collect, submit, poll, store
    state.py          batch.json and the per-batch request files in the run directory
    openai_api.py     OpenAI Batch (/v1/files, /v1/batches)
    anthropic_api.py  Anthropic Message Batches (/v1/messages/batches)
    lines.py          reading a results file line by line: a bad line costs its own case at most
    http.py           submit / poll / download with bounded retries
    upload.py         a batch's upload body written to disk and streamed from there
    patience.py       polling and downloading a submitted batch through an outage (up to 26 h)
    limits.py         the providers' limits per batch (requests, bytes), with their sources
    credentials.py    the key a batch sends: the one a live call would
    prices.py         batch prices from litellm's bundled price map
"""

from harness.batch.stages import BatchOptions, prefill_from_batches

__all__ = ["BatchOptions", "prefill_from_batches"]

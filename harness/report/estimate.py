"""``harness estimate``'s output: a plain table per model, totals, the time floor, and what was assumed."""

from __future__ import annotations

from typing import Any

from harness.runner.estimate import JUDGE_ANSWER_TOKENS, ModelLine, RunEstimate
from harness.runner.estimate_rates import rate_floor

HEADER = ["role", "name", "model", "calls", "cached", "prompt tokens", "completion tokens", "live $", "batch $"]


def floor_seconds(estimate: RunEstimate, latency_s: float) -> float:
    """No run of this eval at that latency can be faster: see :func:`floor_and_why`."""
    return floor_and_why(estimate, latency_s)[0]


def floor_and_why(estimate: RunEstimate, latency_s: float) -> tuple[float, str]:
    """The largest of: the calls in sequence × latency ÷ the eval's concurrency (a judge panel's members
    answer a criterion at the same time, so they count once); for each model, its calls × latency ÷ its own
    concurrency (a model allowed 8 calls in flight takes 2,000 calls in 250 rounds, whatever the eval
    allows); and its deployments' ``rpm``/``tpm`` (:func:`harness.runner.estimate_rates.rate_floor`). With
    the words naming which binds. Calls the cache answers take no time."""
    best = (estimate.rounds_to_make * latency_s / max(1, estimate.concurrency),
            "calls in sequence × latency ÷ concurrency")
    for line in estimate.lines:
        own = (line.to_make * latency_s / max(1, min(line.concurrency, estimate.concurrency)),
               f"{line.model} as {line.label}: {line.to_make:,} calls × latency ÷ its concurrency {line.concurrency}")
        for found in (own, rate_floor(line)):
            if found[0] > best[0]:
                best = found
    return best


def render_estimate(estimate: RunEstimate, latency_s: float) -> str:
    """The estimate as an aligned text table with its assumptions below it."""
    rows = [HEADER] + [[line.role, line.label, line.model, f"{line.calls:,}", f"{line.cached:,}",
                        _tokens(line.net(line.prompt_tokens)), _tokens(line.net(line.completion_tokens)),
                        _usd(line.net(line.live_usd), line.priced), _batch_usd(line)] for line in estimate.lines]
    rows.append(["total", "", "", f"{estimate.calls:,}", f"{estimate.cached:,}",
                 _tokens(sum(x.net(x.prompt_tokens) for x in estimate.lines)),
                 _tokens(sum(x.net(x.completion_tokens) for x in estimate.lines)),
                 _usd(estimate.total("live_usd", net=True), True), _usd(estimate.total("batch_usd", net=True), True)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    table = "\n".join("  ".join(cell.rjust(w) if i >= 3 else cell.ljust(w) for i, (cell, w) in
                                enumerate(zip(row, widths))).rstrip() for row in rows)
    notes = [_floor_note(estimate, latency_s), _cache_note(estimate),
             f"tokens: {estimate.tokenizer}; a judge answer {JUDGE_ANSWER_TOKENS} tokens" + _replies(estimate),
             _price_note(estimate)] + _embedding_note(estimate) + estimate.capped + estimate.tool_notes + _price_hints(estimate)
    live = sorted({line.model for line in estimate.lines if line.priced and not line.batched})
    if live:
        notes.append(f"batch $ marked 'live': {', '.join(live)} never runs in a batch (a model with deployments, or "
                     f"a provider without a batch API): --batch calls it live, at the live price")
    if any(not line.priced for line in estimate.lines) and any(line.priced for line in estimate.lines):
        notes.append("totals add the priced lines only")
    return table + "\n\n" + "\n".join(notes) + "\n"


def _floor_note(estimate: RunEstimate, latency_s: float) -> str:
    followed = (f" (the eval sets none: it follows the {estimate.concurrency_followed}'s)"
                if estimate.concurrency_followed else "")
    head = (f"eval {estimate.eval_name}: {_cases(estimate)}, concurrency {estimate.concurrency}"
            f"{followed}; ")
    if not estimate.calls:
        return head + ("a run makes no model call but the embedder's (below)" if estimate.embedding else
                       "a run makes no model call")
    if estimate.cached >= estimate.calls:
        return head + "every call is in the response cache: a run makes none"
    floor, why = floor_and_why(estimate, latency_s)
    return head + f"at {latency_s:g} s per call no run is faster than {_duration(floor)} ({why})"


def _embedding_note(estimate: RunEstimate) -> list[str]:
    """The similar checks' embedding calls: no line of the table, so said here (an upper bound, not priced)."""
    work = estimate.embedding
    if work is None:
        return []
    return [f"embedding: similar checks embed with {work.model}: at most {work.texts:,} calls (one per distinct "
            "reply and reference text; a model's replies each counted as new, cached texts are free); not in "
            "the table, not priced"]


def _cases(estimate: RunEstimate) -> str:
    """``12 cases``, or with ``perturb`` ``60 cases (12 + 48 perturbed variants; rates are over the 12)``."""
    if not estimate.n_variants:
        return _plural(estimate.n_cases, "case")
    originals = estimate.n_cases - estimate.n_variants
    return (f"{_plural(estimate.n_cases, 'case')} ({originals:,} + {_plural(estimate.n_variants, 'perturbed variant')}; "
            f"a run's rates are over the {originals:,})")


def _cache_note(estimate: RunEstimate) -> str:
    """How many calls the response cache answers, and what that leaves out of the figures."""
    if not estimate.cache_found:
        return f"cache: {estimate.cache}"
    judged = any(line.role == "judge" for line in estimate.lines)
    return (f"cache: {estimate.cached:,} of {estimate.calls:,} calls already answered in {estimate.cache}; tokens, "
            "$ and the time floor count the calls left to make"
            + ("; a judge call counts as cached only when the reply it grades is known (recorded, or "
               "a model's reply in the cache) and its answer is cached too" if judged else ""))


def _price_note(estimate: RunEstimate) -> str:
    explicit = sorted({line.label for line in estimate.lines if line.explicit_price})
    note = ("prices: litellm's bundled price map (list, and batch at the providers' batch rates); none for "
            "self-hosted endpoints, the embedded model or models the map lacks (—), unless the eval file gives "
            "the model a `price:`. Retries are not counted.")
    if explicit:
        note += f" Priced by the eval file's `price:` (live and batched alike): {', '.join(explicit)}."
    return note


def _price_hints(estimate: RunEstimate) -> list[str]:
    """A line per model the map cannot price (or prices only some deployments of): what to add."""
    hints = [f"no price for {line.model} ({_who(line)}; {line.no_price}): add `price: {{input_per_mtok: …, "
             "output_per_mtok: …}` to its model block" for line in estimate.lines if line.no_price]
    hints += [f"{line.model} ({_who(line)}): no price for {line.partly_priced}; its $ counts the other "
              "deployments' share of the calls only (a `price:` in its model block prices them all)"
              for line in estimate.lines if line.partly_priced]
    return hints


def _who(line: ModelLine) -> str:
    return "the judge" if (line.role, line.label) == ("judge", "judge") else f"{line.role} {line.label}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _replies(estimate: RunEstimate) -> str:
    """The reply lengths assumed: one figure when every model candidate has the same."""
    lengths = set(estimate.reply_tokens.values())
    if len(lengths) == 1 and len(estimate.reply_tokens) > 1:
        return f"; a model candidate's reply {lengths.pop()} tokens"
    return "".join(f"; a reply of {name} {n} tokens" for name, n in estimate.reply_tokens.items())


def estimate_json(estimate: RunEstimate, latency_s: float) -> dict[str, Any]:
    """The estimate as a JSON-ready dict."""
    return {
        "eval": estimate.eval_name, "n_cases": estimate.n_cases, "n_variants": estimate.n_variants,
        "concurrency": estimate.concurrency,
        "tokenizer": estimate.tokenizer, "judge_answer_tokens": JUDGE_ANSWER_TOKENS,
        "reply_tokens": estimate.reply_tokens,
        "models": [{"role": x.role, "name": x.label, "model": x.model, "calls": x.calls,
                    "prompt_tokens": x.prompt_tokens, "completion_tokens": x.completion_tokens,
                    "live_usd": x.live_usd, "batch_usd": x.batch_usd, "batched": x.batched,
                    "concurrency": x.concurrency, "cached": x.cached, "rpm": x.rpm, "tpm": x.tpm,
                    "no_price": x.no_price or None,
                    "live_usd_to_make": x.net(x.live_usd) if x.priced else None,
                    "batch_usd_to_make": x.net(x.batch_usd) if x.priced else None,
                    "price_source": ("eval file" if x.explicit_price else "litellm") if x.priced else None}
                   for x in estimate.lines],
        "calls": estimate.calls, "live_usd": estimate.total("live_usd"), "batch_usd": estimate.total("batch_usd"),
        # Net of the response cache: what a run would make and pay now (the figures above count every call).
        "cache": estimate.cache, "cached_calls": estimate.cached, "calls_to_make": estimate.calls - estimate.cached,
        "live_usd_to_make": estimate.total("live_usd", net=True),
        "batch_usd_to_make": estimate.total("batch_usd", net=True),
        "embedding": ({"model": estimate.embedding.model, "max_calls": estimate.embedding.texts}
                      if estimate.embedding else None),
        "latency_s": latency_s, "floor_s": floor_seconds(estimate, latency_s),
        "floor_binding": floor_and_why(estimate, latency_s)[1],
    }


def _batch_usd(line: ModelLine) -> str:
    """The batch column: the batch price, or for a model ``--batch`` runs live, its live price marked so."""
    price = _usd(line.net(line.batch_usd), line.priced)
    return f"{price} live" if line.priced and not line.batched else price


def _usd(value: float | None, priced: bool) -> str:
    if not priced or value is None:
        return "—"
    return f"{value:,.2f}" if value >= 0.01 or value == 0 else f"{value:.4f}"


def _tokens(value: float | None) -> str:
    return f"{round(value or 0):,}"


def _duration(seconds: float) -> str:
    if seconds < 10:  # whole seconds would round a short run's floor to "0 s"
        return f"{seconds:.2g} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"

"""What ``harness estimate`` says of the embedding calls of ``similar`` checks: the embedder, and an upper bound
of the texts it embeds (one call per distinct text: each reply, and each reference it is compared with).

The figure is a bound, not a count: a model candidate's replies are not known before the run, so each of its
replies counts as a new text; texts the response cache already holds cost nothing. It is no line of the table
(no tokens, no price): embedding calls are short and, at the providers' list prices, a small share of a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from harness.datasets.schema import Case


@dataclass
class EmbeddingWork:
    model: str  # the eval's embedding model (or the embedded default)
    texts: int  # the most texts a run embeds (one call each)


class Replies:
    """The replies the candidates give, as far as the estimate knows them."""

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.unknown = 0

    def add(self, cases: list[Case], reply_of: Callable[[Case], str | None], epochs: int, written: bool) -> None:
        """A candidate's replies: ``written`` ones (a model's) are unknown, each a text of its own."""
        if written:
            self.unknown += len(cases) * epochs
            return
        self.known.update(reply for case in cases if (reply := reply_of(case)))


def embedding_work(loaded: Any, cases: list[Case], replies: Replies) -> EmbeddingWork | None:
    """The embedder's work for the eval's ``similar`` checks over ``cases`` (None: no such check)."""
    from harness.checks.reference import ReferenceCheck
    from harness.config.embedding_spec import DEFAULT_EMBEDDING

    similar = [check for check in loaded.custom_checks
               if isinstance(check, ReferenceCheck) and check.needs_embeddings]
    similar += [spec for case in cases for spec in case.checks if _is_similar(spec)]
    if not similar:
        return None
    references = {text for case in cases for text in _references(similar, case)}
    model = (loaded.spec.embedding or DEFAULT_EMBEDDING).model
    return EmbeddingWork(model, len(replies.known) + replies.unknown + len(references))


def _is_similar(spec: Any) -> bool:
    return (spec.get("type") if isinstance(spec, dict) else getattr(spec, "type", None)) == "similar"


def _parsed(value: Any) -> list[Any]:
    """A case's own check's value, parsed as a reference check parses it (nothing for a value it refuses)."""
    from harness.checks.custom_refs import parse

    texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    try:
        return [parse(text) for text in texts if isinstance(text, str)]
    except ValueError:
        return []


def _references(similar: list[Any], case: Case) -> set[str]:
    """The reference texts the checks compare ``case``'s reply with (a case's own check: its reference reply)."""
    from harness.checks.custom_refs import Unfilled, fill

    found: set[str] = set()
    for check in similar:
        written = getattr(check, "_written", None) if not isinstance(check, dict) else _parsed(check.get("value"))
        if not written:
            if case.reference_reply and case.reference_reply.strip():
                found.add(case.reference_reply)
            continue
        for parts in written:
            try:
                found.add(fill(parts, case))
            except Unfilled:
                continue
    return found

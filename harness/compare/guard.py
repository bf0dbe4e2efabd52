"""The comparability guard: two sides are compared only when they were graded the same way.

Scores move when the cases, the rubric, the judge or a check change, whatever
the candidates did; a diff across such a change would credit the candidate
with it. :func:`differences` names every such change between two manifests;
:func:`require_comparable` refuses them unless the user allows it.
"""

from __future__ import annotations

from harness.errors import ResultsError
from harness.records.schema import Manifest


class IncomparableRunsError(ResultsError):
    """The sides differ in what graded them; the message names every difference."""


def _short(value: object, limit: int) -> str:
    text = "none" if value is None else str(value)
    return text[:limit] + "…" if len(text) > limit + 4 else text


def _differs(what: str, a: object, b: object, hashed: bool = False) -> list[str]:
    """``what differs (A …, B …)``: a content hash cut to 12 characters, any other value kept whole
    (up to 80): two model names cut short (``openai/gpt-4…``) could read as one model."""
    limit = 12 if hashed else 80
    return [] if a == b else [f"{what} differs (A {_short(a, limit)}, B {_short(b, limit)})"]


def _rubric_field(manifest: Manifest, key: str) -> object:
    return (manifest.rubric or {}).get(key)


def _judge_model(manifest: Manifest) -> object:
    judge = manifest.judge or {}
    # A judge panel is its members (names, models, endpoints) and its aggregate: a change in any is a new judge.
    return judge.get("panel_key") or judge.get("name")


def differences(a: Manifest, b: Manifest) -> list[str]:
    """Every way ``a`` and ``b`` were graded differently, as short phrases; empty when comparable.

    Compared: the dataset's content hash, the rubric's id, version and content
    hash, the judge model, and the version of every check both sides ran.
    Candidates, limits and run times may differ: they are what is compared.
    The dataset hash is ``cases_sha256`` (what the cases ask, without the replies
    recorded for versions, which are candidate output) when both sides have it;
    a run made before it existed compares the whole dataset's ``sha256``.
    """
    key = "cases_sha256" if a.dataset.get("cases_sha256") and b.dataset.get("cases_sha256") else "sha256"
    found = _differs("dataset content hash", a.dataset.get(key), b.dataset.get(key), hashed=True)
    for key, what in (("id", "rubric id"), ("version", "rubric version"), ("sha256", "rubric content hash")):
        found += _differs(what, _rubric_field(a, key), _rubric_field(b, key), hashed=key == "sha256")
    found += _differs("judge model", _judge_model(a), _judge_model(b))
    for name in sorted(set(a.checks) & set(b.checks)):
        found += _differs(f"check {name} version", a.checks[name], b.checks[name])
    return found


def warning_text(found: list[str]) -> str:
    """The warning every output of an incomparable diff carries."""
    return ("These sides are NOT comparable: " + "; ".join(found) +
            ". Differences below may come from that change, not from the candidates.")


def require_comparable(a: Manifest, b: Manifest, allow: bool) -> list[str]:
    """The differences between ``a`` and ``b``; raises :class:`IncomparableRunsError` on any unless ``allow``."""
    found = differences(a, b)
    if found and not allow:
        raise IncomparableRunsError("runs are not comparable: " + "; ".join(found) +
                                    " (pass --allow-incomparable to compare anyway, with a warning)")
    return found

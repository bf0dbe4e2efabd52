"""Recorded candidates against the dataset: a version no case has a reply of is a typo, not a run.

A recorded candidate replays ``recorded_replies[<version>]``; a case without that version is a
``missing_recorded_reply`` error on that case. When no case has it, every record would be that error
(``bot-v9`` for ``bot-v1``), so ``harness validate`` and the start of ``harness run`` refuse it at the
candidate's ``recorded:`` line, naming the versions the cases do have. The same holds for a field a check
names (``{{ metadata.order_id }}``) that no case has: :mod:`harness.config.field_refs`, checked here too, so
both places refuse it.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from harness.config.candidates import CandidateSpec
from harness.config.evalfile import LoadedEval
from harness.config.field_refs import check_field_references
from harness.datasets.schema import Case

MAX_LISTED = 20  # versions named in the message; a dataset of many bots lists the first ones and a count


def check_recorded_versions(loaded: LoadedEval, cases: list[Case],
                            candidates: Iterable[CandidateSpec] | None = None) -> None:
    """Refuse (ConfigError at ``candidates[i].recorded``) a recorded candidate whose version none of ``cases``
    has a reply of. ``cases`` are the cases the run evaluates (turn cases with ``replay: turns``);
    ``candidates`` those it runs (default: every candidate of the eval file). Then refuse a check's reference
    to a field no case of the dataset has (:func:`~harness.config.field_refs.check_field_references`)."""
    _check_versions(loaded, cases, candidates)
    check_field_references(loaded, cases)


def _check_versions(loaded: LoadedEval, cases: list[Case], candidates: Iterable[CandidateSpec] | None) -> None:
    wanted = {spec.recorded: spec for spec in (loaded.spec.candidates if candidates is None else candidates)
              if spec.kind == "recorded"}
    missing = set(wanted)
    for case in cases:  # most datasets answer every version on their first case
        if not missing:
            return
        missing.difference_update(case.recorded_replies)
    if not missing:
        return
    spec = next(spec for version, spec in wanted.items() if version in missing)  # the first in the file
    have = sorted({version for case in cases for version in case.recorded_replies})
    raise loaded.error(_no_such_version(spec.recorded, have, len(cases)), *loaded.candidate_loc(spec.name),
                       "recorded")


def _no_such_version(version: str, have: list[str], n_cases: int) -> str:
    cases = f"the {n_cases} cases have" if n_cases != 1 else "the 1 case has"
    if not have:
        return f"no case has a reply recorded for version {version!r} ({cases} no recorded replies)"
    listed = ", ".join(_shown(name) for name in have[:MAX_LISTED]) + (f" and {len(have) - MAX_LISTED} more" if len(have) > MAX_LISTED else "")
    close = sorted(difflib.get_close_matches(version, have, n=3, cutoff=0.6))
    hint = f"; did you mean {' or '.join(_shown(name) for name in close)}?" if close else ""
    return f"no case has a reply recorded for version {version!r} ({cases}: {listed}{hint})"


def _shown(version: str) -> str:
    """A version as named in a message: quoted where a space around it would not show (``' v1'``)."""
    return repr(version) if version != version.strip() or not version else version

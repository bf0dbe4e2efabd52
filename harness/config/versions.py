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
from typing import Iterable, Mapping

from harness.config.candidates import CandidateSpec
from harness.config.evalfile import LoadedEval
from harness.config.field_refs import field_reference_problems
from harness.config.yamlfile import all_at_once
from harness.datasets.schema import THREAD_VERSION, Case
from harness.errors import ConfigError, UserError

MAX_LISTED = 20  # versions named in the message; a dataset of many bots lists the first ones and a count


def check_recorded_versions(loaded: LoadedEval, cases: list[Case],
                            candidates: Iterable[CandidateSpec] | None = None) -> None:
    """Refuse (ConfigError at ``candidates[i].recorded``) each recorded candidate whose version none of ``cases``
    has a reply of. ``cases`` are the cases the run evaluates (turn cases with ``replay: turns``);
    ``candidates`` those it runs (default: every candidate of the eval file). Refuse too each check's reference
    to a field no case of the dataset has (:func:`~harness.config.field_refs.field_reference_problems`): all
    of them at once."""
    from harness.scoring.fields import breakdown_problems  # scoring imports config: late

    problems = (_version_problems(loaded, cases, candidates) + field_reference_problems(loaded, cases)
                + breakdown_problems(loaded, cases))
    if problems:
        raise all_at_once(ConfigError, problems)


def _version_problems(loaded: LoadedEval, cases: list[Case],
                      candidates: Iterable[CandidateSpec] | None) -> list[UserError]:
    wanted = {spec.recorded: spec for spec in (loaded.spec.candidates if candidates is None else candidates)
              if spec.kind == "recorded"}
    missing = set(wanted)
    for case in cases:  # most datasets answer every version on their first case
        if not missing:
            return []
        missing.difference_update(case.recorded_replies)
    if not missing:
        return []
    have = sorted({version for case in cases for version in case.recorded_replies})
    return [loaded.error(_no_such_version(version, have, len(cases), loaded.spec.replay),
                         *loaded.candidate_loc(spec.name), "recorded")
            for version, spec in wanted.items() if version in missing]


def _no_such_version(version: str, have: list[str], n_cases: int, replay: str = "turns") -> str:
    cases = f"the {n_cases} cases have" if n_cases != 1 else "the 1 case has"
    if version == THREAD_VERSION and replay != "turns":  # made by turn-level replay, not written in the dataset
        listed = ", ".join(_shown(name) for name in have[:MAX_LISTED]) or "no recorded replies"
        return (f"version {THREAD_VERSION!r} exists only under `replay: turns` (it is each thread's own recorded "
                f"agent turn); add `replay: turns`, or name a version the cases have ({listed})")
    if not have:
        return f"no case has a reply recorded for version {version!r} ({cases} no recorded replies)"
    listed = ", ".join(_shown(name) for name in have[:MAX_LISTED]) + (f" and {len(have) - MAX_LISTED} more" if len(have) > MAX_LISTED else "")
    close = sorted(difflib.get_close_matches(version, have, n=3, cutoff=0.6))
    hint = f"; did you mean {' or '.join(_shown(name) for name in close)}?" if close else ""
    if not close and THREAD_VERSION in have:  # an export's own agent replies: the version a user guesses is the bot's
        hint = (f"; `recorded: {THREAD_VERSION}` grades the replies the conversations themselves recorded "
                "(README: Grading production conversations)")
    return f"no case has a reply recorded for version {version!r} ({cases}: {listed}{hint})"


def _shown(version: str) -> str:
    """A version as named in a message: quoted where a space around it would not show (``' v1'``)."""
    return repr(version) if version != version.strip() or not version else version


SHOWN_IDS = 5  # turn cases named in a warning; the rest are counted


def unreplayed_turn_warnings(loaded: LoadedEval, cases: list[Case],
                             candidates: Iterable[CandidateSpec] | None = None,
                             lines: Mapping[str, int] | None = None) -> list[str]:
    """A line (``file:line: candidates[i].recorded: ...``) per recorded candidate that has no reply at some of
    the cases ``cases`` (but not all: that is refused), with how many, which, and what to write. Each would be
    a ``missing_recorded_reply`` error in the run. ``candidates``: those it runs (default: every candidate of
    the eval file); ``lines``: each case's line in the dataset (validate has them), named beside its id.

    Said by ``harness validate``, which passes, and by ``harness run`` before its first call. With ``replay:
    turns``, threads whose agent turns name no ``author`` leave ``thread`` without a final reply and every
    version without its earlier ones, half the records of a two-candidate eval, while each version is found
    somewhere. Without it, a production export's conversation that ends on the customer has no reply to grade."""
    lines = lines or {}
    out = []
    for spec in loaded.spec.candidates if candidates is None else candidates:
        lacking = [case for case in cases if spec.kind == "recorded" and spec.recorded not in case.recorded_replies]
        if lacking and len(lacking) < len(cases):
            problem = (_unreplayed(spec.recorded, lacking, len(cases)) if loaded.spec.replay == "turns"
                       else _unanswered(spec.recorded, lacking, len(cases), lines))
            out.append(loaded.error(problem, *loaded.candidate_loc(spec.name), "recorded").one_line())
    return out


def _named(lacking: list[Case], lines: Mapping[str, int]) -> str:
    """The first cases' ids, each with its thread's line where known (``c2 line 5``), and a count of the rest."""
    def one(case: Case) -> str:
        line = lines.get(case.id)
        return case.id + (f" line {line}" if line else "")

    return ", ".join(one(case) for case in lacking[:SHOWN_IDS]) + (
        f" and {len(lacking) - SHOWN_IDS} more" if len(lacking) > SHOWN_IDS else "")


def _unanswered(version: str, lacking: list[Case], n_cases: int, lines: Mapping[str, int]) -> str:
    """Without turn-level replay: the cases ``version`` has no reply for. For ``thread`` (the replies an export's
    conversations recorded) those conversations end on the customer's message."""
    n = len(lacking)
    if version == THREAD_VERSION and n == 1:
        line = lines.get(lacking[0].id)
        return (f"conversation {lacking[0].id}{f' (line {line})' if line else ''} ends on the customer's message: "
                f"no bot reply to grade; it will be a missing_recorded_reply error, counted apart from the graded "
                f"cases")
    if version == THREAD_VERSION:
        return (f"{n} of the {n_cases} conversations end on the customer's message ({_named(lacking, lines)}): no bot "
                f"reply to grade; each will be a missing_recorded_reply error, counted apart from the graded cases")
    have = sorted({name for case in lacking for name in case.recorded_replies})
    there = f" (there, recorded_replies has {', '.join(_shown(name) for name in have[:SHOWN_IDS])})" if have else ""
    return (f"{_shown(version)} has no reply at {n} of the {n_cases} cases ({_named(lacking, lines)}){there}; each "
            f"will be a missing_recorded_reply error, counted apart from the graded cases")


def _unreplayed(version: str, lacking: list[Case], n_cases: int) -> str:
    ids = _named(lacking, {})
    final = sum(_is_final(case) for case in lacking)
    where = ([f"{final} final repl{'y' if final == 1 else 'ies'}"] if final else []) + (
        [f"{len(lacking) - final} earlier agent turn{'s' if len(lacking) - final != 1 else ''}"]
        if len(lacking) > final else [])
    text = (f"{_shown(version)} has no reply at {len(lacking)} of the {n_cases} turn cases ({' and '.join(where)}: "
            f"{ids}); each will be a missing_recorded_reply error. ")
    if version == THREAD_VERSION:  # only the final position can lack it: it is the recorded turn elsewhere
        have = sorted({name for case in lacking for name in case.recorded_replies})
        if not have and final == len(lacking):  # nothing recorded after the last customer message: an export's
            return text + ("These conversations end on the customer's message: no bot reply to grade at their "
                           "final turn case (in a file of threads, a final reply is written in "
                           "recorded_replies.thread, or under the version named as `author` on the last agent turn)")
        named = f" (there, recorded_replies has {', '.join(_shown(name) for name in have[:SHOWN_IDS])})" if have else ""
        return text + ("At the final reply `thread` is recorded_replies.thread, or the final reply of the version "
                       f"named as `author` on the thread's last agent turn{named}: write `author: <version>` on the "
                       "agent turns, or a `thread` reply in recorded_replies (a thread with no agent turn), or "
                       "name that version in `recorded:`")
    return text + (f"At an earlier agent turn, {version}'s reply is the turn itself where its `author` is {version} "
                   f"(and no other version wrote an agent turn at that point), else the turn's "
                   f"`replies: {{{version}: ...}}` (a blank one counts as none): write `author: {version}` on the "
                   f"agent turns it wrote, or its reply in `replies`"
                   + (", and its final reply in recorded_replies" if final else ""))


def _is_final(case: Case) -> bool:
    index, total = case.metadata.get("turn_index"), case.metadata.get("n_agent_turns")
    return index is not None and index == total

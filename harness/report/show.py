"""``harness show``: a run's records in the terminal, one line each or one case in full.

The list view gives one line per case × candidate × sample: its verdict (``pass``, ``FAIL`` or
``ERROR``: a case error, a judge error or a check that crashed) and what failed or erred. The full view of a record gives the customer's thread as the run saw
it, the reply, every check with its evidence (a case's own check with what it asks: its description, as a promptfoo
cell converted keeps it), every judge criterion with its score and reason, and
the calls it took, so a reviewer can read why a case failed without opening the HTML report.

Everything shown comes from files a model or a customer wrote into: control characters (an escape
sequence could restyle or rewrite the terminal) are shown as ``\\x1b``-style escapes, never sent.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.checks.base import is_crashed
from harness.ci.verdicts import failing_names
from harness.datasets.selection import id_matches
from harness.gates.tolerance import crashed_checks, record_in_error
from harness.records.schema import CriterionResult, Record
from harness.report.case_about import case_check_about
from harness.report.html_text import FOLD_AT
from harness.report.html_threads import call_names

WIDTH = 100
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Control, format (bidi overrides, zero-width) and line/paragraph separator characters.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp"})


@dataclass(frozen=True)
class ShowFilter:
    """Which records to show: case id patterns (a turn case matches by its thread too), candidates,
    a sample, only the failing ones."""

    cases: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    sample: int | None = None
    failing: bool = False

    def keeps(self, record: Record) -> bool:
        if self.cases and not any(id_matches(record.case_id, pattern) for pattern in self.cases):
            return False
        if self.candidates and record.candidate not in self.candidates:
            return False
        if self.sample is not None and record.sample != self.sample:
            return False
        return not self.failing or verdict(record) != "pass"


def verdict(record: Record) -> str:
    """``ERROR`` (the case or a criterion erred, or a check crashed: an error of that check, counted in the run's
    error rate), ``FAIL`` (a check or criterion failed) or ``pass``; each record ``harness run --failing``
    runs again is ERROR or FAIL."""
    if record_in_error(record):
        return "ERROR"
    return "FAIL" if failing_names(record) else "pass"


_COLORS = {"pass": "32", "FAIL": "31", "ERROR": "31", "CRASH": "35"}  # green, red, red, magenta


def paint(line: str, mark: str, color: bool) -> str:
    """``line`` (already :func:`safe`) with its leading ``mark`` coloured when ``color`` (a terminal)."""
    code = _COLORS.get(mark)
    if not color or code is None:
        return line
    at = line.index(mark)
    return f"{line[:at]}\x1b[{code}m{mark}\x1b[0m{line[at + len(mark):]}"


def list_line(record: Record, several_samples: bool, color: bool = False) -> str:
    """One record in one line: case, candidate, (sample), verdict, and what failed or erred."""
    crashed = crashed_checks(record)
    errors = {f"check {name}" for name in crashed}  # check errors, listed apart from the failures
    names = [name for name in failing_names(record) if name not in errors]
    what = [f"case error {record.error.kind}"] if record.error else []
    # A check and a criterion may share a name (acknowledgement): each list says which it is.
    for kind, label in (("check", "checks"), ("criterion", "criteria")):
        failed = [name.split(" ", 1)[1] for name in names if name.startswith(kind + " ")]
        if failed:
            what.append(f"{label} {', '.join(failed)}")
    if crashed:
        what.append(f"check errors {', '.join(f'{name} (crashed)' for name in crashed)}")
    erred = [f"{name} ({v.error.kind})" for name, v in record.judge.items() if v.error is not None]
    if erred:
        what.append(f"judge errors {', '.join(erred)}")
    sample = f"  #{record.sample}" if several_samples else ""
    mark = verdict(record)
    return paint(safe(f"{mark:5}  {record.case_id}  {record.candidate}{sample}  {'; '.join(what)}".rstrip()),
                 mark, color)


def render_record(record: Record, case: dict | None, scales: dict[str, str] | None = None,
                  several_samples: bool = False, color: bool = False, whole_prompt: bool = False,
                  check_about: dict[str, str] | None = None) -> str:
    """The full view of one record (see the module docstring); ``whole_prompt``: all of its system prompt;
    ``check_about``: what the eval file's checks ask, where their `description` says (a case's own checks say it in
    ``case``)."""
    sample = f" · sample {record.sample}" if several_samples or record.sample else ""
    head = f"── {record.case_id} · {record.candidate}{sample}"
    lines = [head + " " + "─" * max(3, WIDTH - len(head) - 1)]
    about = [f"{k}: {v}" for k, v in (("verdict", verdict(record)), ("persona", record.persona),
                                      ("category", record.category), ("agent turn", record.turn_index)) if v]
    lines.append(" · ".join(about))
    lines += prompt_lines(record.system_prompt, whole_prompt)
    lines += thread_lines(case)
    lines += lookup_lines(record)
    lines += reply_lines(record)
    if record.error is not None:
        lines.append(f"case error: {record.error.kind}: {record.error.message}{attempts(record.error, record.responder.calls)}")
    text = [safe(line) for line in lines]
    asks = {**(check_about or {}), **case_check_about(case)}
    for line, mark in _checks(record, asks) + _judge(record.judge, scales or {}):
        text.append(paint(safe(line), mark, color) if mark else safe(line))
    return "\n".join(text) + "\n"


def attempts(error, calls: int = 0) -> str:
    """`` (3 attempts)``: the provider calls the error's outcome took; `` (no call made)`` when none was.
    An error no call returned (``tool_rounds``: the loop gave up after calls that each succeeded) has no attempts
    of its own: ``calls``, the record's provider calls, says how many were made (`` (3 calls made)``)."""
    n = error.attempts
    if not n and calls:
        return f" ({calls} call{'s' if calls != 1 else ''} made)"
    return " (no call made)" if not n else f" ({n} attempt{'s' if n != 1 else ''})"


def render_json(record: Record, case: dict | None) -> str:
    """One JSON line: the record as stored, with the case's thread beside it (``thread``)."""
    row = record.model_dump(mode="json")
    row["thread"] = (case or {}).get("turns")
    return json.dumps(row, ensure_ascii=False)


PROMPT_LINES = 4  # of a system prompt shown without --prompt


def prompt_lines(prompt: str | None, whole: bool) -> list[str]:
    """A model candidate's system prompt, wrapped: its first :data:`PROMPT_LINES` lines unless ``whole``."""
    if prompt is None:
        return []
    lines = wrapped("  ", prompt)
    if whole or len(lines) <= PROMPT_LINES:
        return ["system prompt:"] + lines
    more = len(lines) - PROMPT_LINES
    return (["system prompt:"] + lines[:PROMPT_LINES]
            + [f"  … {more} more line{'s' if more != 1 else ''} (--prompt shows it all)"])


def thread_lines(case: dict | None) -> list[str]:
    """The customer's thread as the run saw it, one wrapped block per turn."""
    turns = (case or {}).get("turns")
    if not isinstance(turns, list):
        return ["thread: (not in the run's case snapshot)"]
    lines = ["thread:"]
    names = call_names(turns)
    for turn in turns:
        if isinstance(turn, dict) and (turn.get("role") == "tool" or turn.get("tool_calls")):
            lines += tool_step_lines(turn, names)
        elif isinstance(turn, dict):
            # A recorded agent turn names who wrote it: at turn 2 of a bot-v2 record, turn 1 is bot-v1's.
            author = f" ({turn['author']})" if turn.get("role") == "agent" and turn.get("author") else ""
            lines += wrapped(f"  {turn.get('role', '?')}{author}: ", cut(str(turn.get("content", ""))))
    return lines


TOOL_CHARS = 160  # of a tool's result or a call's arguments shown in the thread; --json has every character


def tool_step_lines(turn: dict, names: dict[str, str]) -> list[str]:
    """The bot's tool use, set apart from what either side wrote (``  [tool] lookup_order returned: ...``), each call
    and result on one line, cut short: context for the reply, not a message."""
    if turn.get("role") == "tool":
        name = turn.get("name") or names.get(str(turn.get("tool_call_id")))
        return wrapped(f"  [tool] {name} returned: " if name else "  [tool] result: ", _short(turn.get("content")))
    lines = []
    content = turn.get("content")
    if isinstance(content, str) and content.strip():
        lines += wrapped("  agent: ", cut(content))
    for call in turn.get("tool_calls") or []:
        if isinstance(call, dict):
            lines += wrapped(f"  [tool] agent called {call.get('name', '?')}: ", _short(call.get("arguments")) or "{}")
    return lines


def lookup_lines(record: Record) -> list[str]:
    """A model candidate's own tool calls (simulated from the case) and what it was given, before its reply, set
    apart as the thread's recorded ones are; a call that got an error result says so."""
    if not record.tool_calls:
        return []
    errors = sum(call.error is not None for call in record.tool_calls)
    lines = [f"tool calls ({len(record.tool_calls)}" + (f", {errors} answered with an error" if errors else "") + "):"]
    for call in record.tool_calls:
        lines += wrapped(f"  [tool] round {call.round}: called {call.name}: ", _short(call.arguments) or "{}")
        lines += wrapped(f"  [tool] {call.name} returned: ", _short(call.result))
    return lines


def _short(value: object) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= TOOL_CHARS else f"{text[:TOOL_CHARS]} … ({len(text) - TOOL_CHARS:,} more characters)"


SHOWN_CHARS = FOLD_AT  # of one message or reply, where report.html folds them; --json has every character


def cut(text: str) -> str:
    """``text``, or its first :data:`SHOWN_CHARS` characters and how many more there are."""
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[:SHOWN_CHARS]} … ({len(text) - SHOWN_CHARS:,} more characters: --json has them all)"


def reply_lines(record: Record) -> list[str]:
    """The reply, wrapped, under a line saying where it came from and what it took."""
    if record.reply is None:
        return ["reply: none"]
    stats = record.responder
    facts = [record.reply_origin if record.reply_source else ""]
    if stats.calls:
        facts.append("cached" if stats.cache_hits == stats.calls else f"{stats.latency_s:.2f} s")
        facts.append(f"{stats.usage.prompt_tokens}+{stats.usage.completion_tokens} tokens")
    shown = ", ".join(f for f in facts if f)
    return [f"reply ({shown}):" if shown else "reply:"] + wrapped("  ", cut(record.reply))


def _checks(record: Record, about: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The checks' lines, each with the verdict mark it opens with ("" for the lines that open with none); a
    check of ``about`` (a case's own, named from its value and cut: ``regex_d``) says what it asks under it."""
    if not record.checks:
        return []
    width = max(len(name) for name in record.checks)
    lines = [("checks:", "")]
    for name, result in record.checks.items():
        mark = "CRASH" if is_crashed(result) else {True: "pass", False: "FAIL", None: "n/a"}[result.passed]
        lines.append((f"  {mark:5} {name:{width}}  {_with_score(result)}".rstrip(), mark))
        if about and name in about:
            lines.append((f"  {'':5} {'':{width}}  asks: {about[name]}", ""))
        if result.passed is not None:
            for span in result.evidence:
                shown = span.text.replace("\r", "\\r").replace("\n", "\\n")  # one line per span
                lines.append((f"  {'':5} {'':{width}}  \u201c{shown}\u201d @{span.start}", ""))
    return lines


def _with_score(result) -> str:
    """The check's detail, after its score when it has one (a ``python`` check returning a score or a dict with
    one): ``score 0.85 against threshold 0.5``; the record keeps them in ``data``, where --json shows them."""
    data = result.data if isinstance(result.data, dict) else {}
    score, threshold = data.get("score"), data.get("threshold")
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        return result.detail
    shown = f"score {score:g}"
    if isinstance(threshold, (int, float)) and not isinstance(threshold, bool):
        shown += f" against threshold {threshold:g}"
    return f"{shown}; {result.detail}" if result.detail else shown


def _judge(judge: dict[str, CriterionResult], scales: dict[str, str]) -> list[tuple[str, str]]:
    """The criteria's lines, each with the verdict mark it opens with (as :func:`_checks`)."""
    if not judge:
        return []
    width = max(len(name) for name in judge)
    lines = [("judge:", "")]
    for name, v in judge.items():
        if v.error is not None:
            lines.append((f"  ERROR {name:{width}}  {v.error.kind}: {v.error.message}{attempts(v.error)}", "ERROR"))
            continue
        if not v.applicable:
            lines.append((f"  n/a   {name:{width}}  {v.reason}".rstrip(), ""))
            continue
        mark = {True: "pass", False: "FAIL", None: ""}[v.passed]
        scale = scales.get(name)
        score = "" if v.score is None or scale == "pass_fail" else f"{v.score:g}" + (f" of {scale}" if scale else "")
        votes = f" ({v.n_votes} votes)" if v.n_votes is not None else ""
        lines.append((f"  {mark:5} {name:{width}}  {score}{votes}".rstrip(), mark))
        lines += [(line, "") for line in wrapped(f"  {'':5} {'':{width}}  ", v.reason)] if v.reason else []
    return lines


def wrapped(prefix: str, text: str) -> list[str]:
    """``text`` wrapped to the width, its own line breaks kept, the first line after ``prefix``."""
    indent = " " * len(prefix)
    lines: list[str] = []
    # Split at newlines only: \r, \x0b, U+2028 and the like are shown escaped (safe), not obeyed.
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        # Escaped before wrapping: textwrap counts \r, \x0b, \x0c as spaces and would drop them at a break.
        paragraph = safe(paragraph)
        lines += textwrap.wrap(paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent,
                               break_long_words=True, replace_whitespace=False) or [indent.rstrip()]
    lines[0] = prefix + lines[0][len(indent):]
    return lines


def safe(text: str) -> str:
    """``text`` with every character that could restyle, move or reorder what the terminal shows as a
    visible escape: control characters (bar the layout's newlines and tabs), format characters (a
    right-to-left override, a zero-width space) and Unicode line separators."""
    if text.isascii():
        return _ASCII_CONTROL.sub(_escaped, text)
    return "".join(_escaped_char(ch) if ch not in "\n\t" and unicodedata.category(ch) in _HIDDEN else ch
                   for ch in text)


def _escaped(m: re.Match[str]) -> str:
    return _escaped_char(m.group())


def _escaped_char(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def criterion_scales(rubric: dict | None) -> dict[str, str]:
    """Criterion name -> its scale (``1-5``, ``pass_fail``) from a manifest's rubric."""
    criteria = (rubric or {}).get("criteria")
    if not isinstance(criteria, dict):
        return {}
    return {name: str(c["scale"]) for name, c in criteria.items() if isinstance(c, dict) and c.get("scale")}


def notice_lines(notices: list[str]) -> list[str]:
    """The run's notices (the embedded-model warning among them), wrapped, each opening with ``note:``."""
    return [safe(line) for notice in notices for line in wrapped("note: ", notice)]


def summary_line(shown: int, total: int, counts: dict[str, int]) -> str:
    """``3 of 12 records (1 ERROR, 2 FAIL)``."""
    parts = [f"{counts[k]} {k}" for k in ("ERROR", "FAIL", "pass") if counts.get(k)]
    return f"{shown} of {total} record{'' if total == 1 else 's'}" + (f" ({', '.join(parts)})" if parts else "")


def case_rows(run_dir: Path) -> dict[str, Any]:
    """The run's case snapshot by id (empty for a run without one)."""
    from harness.runner.outputs import load_cases

    return load_cases(run_dir)

"""``scorecard.md``: the scorecard as GitHub-flavoured Markdown, small enough for a pull-request comment.

Layout: the notices first (a bold warning block), the run's identity, one
summary table with candidates as columns, with turn-level replay the breakdown by
agent turn, then collapsible breakdowns by persona and by category (or the fields of the eval's ``breakdowns``). Text
from the data is escaped so a candidate or persona name cannot break a table or inject HTML.
"""

from __future__ import annotations

import re

from harness.datasets.turns import REPLAY_CAVEAT
from harness.report.breakdowns import breakdown_rows, field_note, shown_breakdowns
from harness.report.tables import DASH, SINGLE_CASE_NOTE, Row, fmt_rate, single_case_rows, summary_rows
from harness.scoring.notices import counted
from harness.scoring.schema import CandidateScores, RunIdentity, Scorecard

# GitHub refuses comments over 65,536 characters; leave room for a caller's header.
MAX_CHARS = 60_000


# What Markdown would read as HTML: an entity (``&amp;``, ``&#60;``), or ``<`` opening a tag, comment,
# declaration or autolink. A ``<`` before anything else (``<0.0001``) and a lone ``&`` print as they are.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
# Backslash-escaped (CommonMark lets any ASCII punctuation be): the backslash itself, code spans, emphasis and
# strike (``*`` ``~``; ``_`` only where it could open or close emphasis, so ``gold_ok`` stays readable), a
# table's pipe, and the ``](`` that makes ``[text](url)`` a link or an image. A bracket alone links nothing:
# a reference link needs a definition, which only a line's start can give, and data never starts a line.
_BACKSLASHED = re.compile(r"[\\`*~|]|(?<![^\W_])_|_(?![^\W_])|\](?=\()")
# What GitHub links after Markdown is rendered, so no backslash stops it (github/markup#1168): an @mention
# (which notifies that user), an email address, #123 (which cross-references an issue). A zero-width space
# breaks each. A bare URL is left whole: it links to exactly the text shown (a disguised link needs "](",
# escaped above), and a reviewer copying it from a reply must get a working address.
_AUTOLINKED = re.compile(r"(?<=@)(?=[0-9A-Za-z])|(?<=#)(?=[0-9])")
# A bare URL as GitHub's autolinker finds one (up to the next space or quote), captured for re.split.
_URL = re.compile(r"((?<![\w@/])(?:https?://|www\.)[^\s<>\"'`|]+)", re.IGNORECASE)
_URL_BACKSLASHED = re.compile(r"[\\`*~|]|\](?=\()")
_LINE_BREAK = re.compile("\r\n?|[\n\u2028\u2029]")
# Shown as their code point (``⟨U+202E⟩``), as diff.md's reply text shows them: a control character would
# act on a terminal that prints the file (ESC), a bidi override would reorder the rest of the line.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ZWSP = "\u200b"


class Markup(str):
    """Markdown that is safe as it is: the harness's own (a section row's ``**Checks**``) or text
    :func:`md_escape` returned. :func:`md_escape` gives it back unchanged, so text is never escaped twice."""


def md_escape(text: object) -> Markup:
    """``text`` from the data (a case id, category, persona, candidate or check name, a message) safe inline
    in Markdown, a table cell included: one line, no raw HTML, no emphasis, code span, link, image or table
    pipe of its own, no @mention or issue link on GitHub, no control or bidi character (shown as
    ``⟨U+202E⟩``). Characters Markdown prints as they are stay unescaped (``p <0.0001``, ``[41, 93]``,
    ``gold_ok`` read the same in a terminal)."""
    if isinstance(text, Markup):
        return text
    value = _TAG.sub("&lt;", _ENTITY.sub("&amp;", _one_line(text))).replace(">", "&gt;")
    parts = _URL.split(value)  # text, url, text, url, ..., text
    return Markup("".join(_escape_url(part) if i % 2 else _AUTOLINKED.sub(ZWSP, _BACKSLASHED.sub(r"\\\g<0>", part))
                          for i, part in enumerate(parts)))


def _escape_url(url: str) -> str:
    """A bare URL kept whole, so it copies as a working address: no zero-width space (its ``#12`` fragment or
    ``/@user`` path mentions no one inside a link) and no backslash before an ``_`` (an underscore inside a
    word makes no emphasis); only what would end or restyle it is escaped (a table pipe, a backtick, ``*``,
    ``~``, ``](``)."""
    return _URL_BACKSLASHED.sub(r"\\\g<0>", url)


def _one_line(text: object) -> str:
    """``text`` with its line breaks as spaces and its control and bidi characters as ``⟨U+202E⟩``."""
    return _HIDDEN.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", _LINE_BREAK.sub(" ", str(text)))


def md_code(text: object) -> str:
    """``text`` as a code span its own backticks cannot end (CommonMark: a span closes only on a backtick run
    as long as its opening one, so the fence is one backtick longer than the text's longest run; a space pads
    a text that starts or ends with a backtick, and is stripped again). Inside, nothing is Markdown, HTML, a
    mention or a link. One line: a blank line would end the paragraph, and the span with it. Not for a table
    cell: there a ``|`` still splits the row. Control and bidi characters show as ``⟨U+202E⟩``."""
    value = _one_line(text)
    if not value.strip(" "):
        return f"`{value or ' '}`"  # all spaces: shown as they are (CommonMark strips none)
    fence = "`" * (max(map(len, re.findall("`+", value)), default=0) + 1)
    padded = value[0] == "`" or value[-1] == "`" or (value[0] == " " and value[-1] == " ")
    return f"{fence} {value} {fence}" if padded else f"{fence}{value}{fence}"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; the first column left-aligned, the others right-aligned (numbers)."""
    lines = ["| " + " | ".join(md_escape(h) for h in header) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(md_escape(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render_notices(notices: list[str]) -> str:
    """Each notice as a bold blockquoted warning ("" when there are none)."""
    return "\n\n".join(f"> **⚠️ Warning:** **{md_escape(notice)}**" for notice in notices)


def records_text(scorecard: Scorecard) -> int | str:
    """The scorecard's record count; with epochs, ``"10 (one per case, samples reduced; 30 samples)"``."""
    sampled = [c.epochs.n_samples for c in scorecard.candidates.values() if c.epochs is not None]
    variants = sum(g.n_records for c in scorecard.candidates.values() for g in c.by_perturbation.values())
    if not sampled and variants:  # with `perturb`: the rates are over the cases, the variants counted apart
        return f"{scorecard.n_records} ({scorecard.n_records - variants} cases + {variants} perturbed variants)"
    if not sampled:
        return scorecard.n_records
    samples = sum(sampled) + sum(c.n_records for c in scorecard.candidates.values() if c.epochs is None)
    return f"{scorecard.n_records} (one per case, samples reduced; {samples} samples)"


def render_identity(run: RunIdentity | None, n_records: int | str) -> str:
    """A one-line-per-field list naming the run: eval, dataset, rubric, judge, time."""
    if run is None:
        return f"- records: {n_records}"
    fields = [("eval", run.eval_name), ("description", run.description), ("status", run.status),
              ("from the command line", ", ".join(run.overrides) or None),
              ("dataset", _joined(run.dataset_path, _short(run.dataset_sha256), _cases(run))),
              ("rubric", _joined(run.rubric_id, run.rubric_version and f"v{run.rubric_version}",
                                 _short(run.rubric_sha256))),
              ("judge", run.judge_model), ("started", run.started_at), ("finished", run.finished_at),
              ("harness", _joined(run.harness_version, _short(run.git_revision))), ("records", n_records)]
    lines = [f"- {name}: {md_escape(value)}" for name, value in fields if value not in (None, "")]
    return "\n".join(lines[:1 + bool(run.description)] + _setup_lines(run) + lines[1 + bool(run.description):])


def _setup_lines(run: RunIdentity) -> list[str]:
    """``- candidates:`` then one nested item per candidate: what each was (model, parameters, prompt file)."""
    if not run.candidate_setups:
        return []
    return ["- candidates:"] + [f"  - {md_escape(name)}: {md_escape(words)}"
                                for name, words in run.candidate_setups.items()]


def _short(digest: str | None) -> str | None:
    return digest[:12] if digest else None


def _cases(run: RunIdentity) -> str | None:
    if run.n_selected is None:
        return None
    if run.selection:
        # Plain text, not a code span: md_escape's entities would show as written inside one.
        return f"{counted_cases(run)}, selected by {run.selection}"
    return counted_cases(run)


def counted_cases(run: RunIdentity) -> str:
    if run.replay == "turns":
        threads = f"{run.n_threads} of {run.n_cases}" if run.n_cases is not None else str(run.n_threads)
        return f"{run.n_selected} turn cases from {threads} threads"
    return f"{run.n_selected} of {run.n_cases} cases" if run.n_cases is not None else counted(run.n_selected, "case")


def _joined(*parts: object) -> str:
    return " · ".join(str(p) for p in parts if p)


def render_summary(card: Scorecard) -> str:
    """One table: measures as rows, candidates as columns, a section row before each group. Under each 1-5
    criterion's mean, its pass rate at the rubric's ``pass_threshold`` (``scorecard.json``'s ``pass_rate``, what
    ``--failing`` reads as a fail)."""
    header = ["measure", *card.candidates]
    return md_table(header, _with_sections(_with_threshold_rows(card, summary_rows(card)), len(card.candidates)))


def _with_threshold_rows(card: Scorecard, rows: list[Row]) -> list[Row]:
    """``rows`` with ``"<name> (pass rate, score ≥ <threshold>)"`` after each 1-5 criterion's mean row."""
    after: dict[str, Row] = {}
    for name, info in card.criteria.items():
        if info.scale and info.scale != "pass_fail" and info.pass_threshold is not None:
            cells = [_threshold_cell(c, name) for c in card.candidates.values()]
            after[f"{name} (mean 1-5)"] = Row("Judge criteria", f"{name} (pass rate, score ≥ {info.pass_threshold})",
                                              cells)
    if not after:
        return rows
    out: list[Row] = []
    for row in rows:
        out.append(row)
        if row.section == "Judge criteria" and row.label in after:
            out.append(after.pop(row.label))
    return out


def _threshold_cell(candidate: CandidateScores, name: str) -> str:
    summary = candidate.criteria.get(name)
    return DASH if summary is None else fmt_rate(summary.pass_rate)


def _with_sections(rows: list[Row], width: int) -> list[list[str]]:
    out: list[list[str]] = []
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            out.append([Markup(f"**{md_escape(section)}**")] + [""] * width)
        out.append([row.label, *row.cells])
    return out


def render_breakdown(card: Scorecard, dimension: str) -> str:
    """A collapsible table of per-``dimension`` criterion means and check pass rates, candidates as columns; a
    case field's note (values pooled, numbers to bin) above it, or alone where it has no table."""
    rows = breakdown_rows(card, dimension)
    note = field_note(card, dimension)
    if not rows and not note:
        return ""
    if not rows:  # numbers too many to group: the note alone
        return f"_By {md_escape(dimension)}: {md_escape(note)}._"
    said = f"_{md_escape(note)}._\n\n" if note else ""
    table = md_table([dimension, *card.candidates], [[row.label, *row.cells] for row in rows])
    return f"<details><summary>By {md_escape(dimension)}</summary>\n\n{said}{table}\n\n</details>"


def render_single_case_checks(card: Scorecard) -> str:
    """A collapsed table of the checks of single cases: each one's verdict per candidate, no interval."""
    rows = single_case_rows(card)
    if not rows:
        return ""
    judged = any(row.label.endswith(" (criterion)") for row in rows)  # a case's own judge criteria among them
    table = md_table(["check or criterion" if judged else "check", *card.candidates],
                     [[row.label, *row.cells] for row in rows])
    title = "Checks and criteria of single cases" if judged else "Checks of single cases"
    return (f"<details><summary>{title} ({len(rows)})</summary>\n\n_{md_escape(SINGLE_CASE_NOTE)}_"
            f"\n\n{table}\n\n</details>")


def render_turns(card: Scorecard) -> str:
    """With turn-level replay: the breakdown by agent turn, open, under the caveat about the recorded history."""
    rows = breakdown_rows(card, "turn")
    if not rows:
        return ""
    table = md_table(["turn", *card.candidates], [[row.label, *row.cells] for row in rows])
    return f"### By agent turn\n\n_{md_escape(REPLAY_CAVEAT)}_\n\n{table}"


def render_scorecard_md(scorecard: Scorecard) -> str:
    """The whole ``scorecard.md``. Breakdowns are dropped (with a note) if they would push it past a PR comment."""
    head = [part for part in (render_notices(scorecard.notices), "## Scorecard",
                              render_identity(scorecard.run, records_text(scorecard))) if part]
    if not scorecard.candidates:
        return "\n\n".join(head + ["No records."]) + "\n"
    body = head + [render_summary(scorecard), _legend(scorecard)]
    body += [part for part in (render_single_case_checks(scorecard),) if part]
    body += [part for part in (_render_verbosity(scorecard),) if part]
    body += [part for part in (_render_epochs(scorecard),) if part]
    body += [part for part in (_render_panel(scorecard),) if part]
    body += [part for part in (render_turns(scorecard),) if part]
    from harness.report.threads_table import render_threads_md  # imports this module: late

    body += [part for part in (render_threads_md(scorecard),) if part]
    from harness.report.robustness_md import render_robustness_md  # imports this module: late

    body += [part for part in (render_robustness_md(scorecard),) if part]
    from harness.report.feedback_md import render_feedback_md  # imports this module: late

    body += [part for part in (render_feedback_md(scorecard),) if part]
    return _with_breakdowns(scorecard, body)


def _with_breakdowns(card: Scorecard, body: list[str]) -> str:
    """``body`` then each breakdown (the eval's fields in its order, then by perturbation) while the text fits a
    pull-request comment; those left out are named in one line (scorecard.json and report.html have them all)."""
    kept, left_out = [], []
    room = MAX_CHARS - len("\n\n".join(body)) - 400  # the line naming what was left out
    for dimension in [*shown_breakdowns(card), "perturbation"]:
        part = render_breakdown(card, dimension)
        if part and len(part) + 2 <= room:
            kept.append(part)
            room -= len(part) + 2
        elif part:
            left_out.append(dimension)
    if left_out:
        kept.append(f"_Breakdowns by {md_escape(', '.join(left_out))} omitted to fit a comment: see scorecard.json "
                    "or report.html._")
    return "\n\n".join(body + kept) + "\n"


def _legend(card: Scorecard) -> str:
    # As harness.scoring.accumulate.MeanAcc computes them: the t (or bootstrap) interval, never narrower than
    # the Jeffreys-type bound of a score on a known scale, and clipped to the scale.
    method = "Student t" if card.interval_method == "t" else "bootstrap percentile"
    return (f"_Cells: value [{card.confidence:.0%} interval] (n). Means use a {method} interval, widened where "
            "it is narrower to a Jeffreys-type interval for scores bounded by their scale (so equal scores still "
            "leave doubt: three 1s read [1.00, 3.14]) and clipped to the scale; pass rates a Wilson interval. "
            "Errored and not-applicable verdicts are excluded from scores and counted under Errors or as n/a._")


def _render_verbosity(card: Scorecard) -> str:
    """One line: per criterion, Spearman's rho between reply length and score over all candidates."""
    if not card.verbosity:
        return ""
    cells = [f"{md_escape(name)} {'n/a' if p.rho is None else f'{p.rho:+.2f}'} (n {p.n})"
             for name, p in card.verbosity.items()]
    return f"_Verbosity probe (Spearman rho, reply length vs score, all candidates): {' · '.join(cells)}._"


def _render_panel(card: Scorecard) -> str:
    from harness.report.panel import render_panel_md  # imported late: it imports this module

    return render_panel_md(card)


def _render_epochs(card: Scorecard) -> str:
    from harness.report.epochs_md import render_epochs  # imported late: it imports this module

    return render_epochs(card)

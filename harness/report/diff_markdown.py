"""``diff.md``: a diff as GitHub-flavoured Markdown that fits in a pull-request comment.

Layout: warnings first (incomparable sides, unshared cases, self-judging), the
two sides, with several pairs each pair's headline, the runs' notices folded in
one closed "Notes (N)" block (inside the section, after its headline, with one
pair), then per comparison one table with a row per criterion and check (values, the
paired difference with its interval, p and Holm-adjusted p, verdict, minimum
detectable effect, n, cases left out) under the pair's headline (verdicts,
which way the cases moved, replies changed with no change in any measure), the
flips per check, the largest score drops and rises per criterion, how the
replies of the first few changed cases changed word by word (``~~A only~~
**B only**``), and the replies that changed with no change in any measure (the
first few with both replies and their word changes) in collapsible sections,
and a note on method. Case lists are cut short so the page stays under :data:`MAX_CHARS`.
"""

from __future__ import annotations

from harness.compare.coverage import side_cases
from harness.compare.diff import headline
from harness.compare.setup import setup_text
from harness.compare.schema import CaseView, Comparison, DiffReport, DiffRow
from harness.compare.views import drops, rises
from harness.report.markdown import MAX_CHARS, md_code, md_escape, md_table, render_notices
from harness.report.diff_setup import setup_md
from harness.report.diff_cells import DIFF_HEADER, diff_row_cells, fmt_change, fmt_holm_family
from harness.report.diff_reasons import quote, reason_lines
from harness.report.diff_usage import usage_md
from harness.report.word_diff import coarsened, reply_diff, to_markdown

__all__ = ["headline", "render_diff_md", "render_comparison", "min_effect_text", "mde_level_text"]

MAX_CASES = 12  # case ids listed per flip direction or per drop/rise list
REPLY_EXCERPTS = 3  # replies changed with no change in any measure: how many show both replies
EXCERPT_CHARS = 300
LEGEND = "~~Struck~~: only in A's reply; **bold**: only in B's; … unchanged words left out."
WORD_CHANGE_CASES = 3  # changed cases whose replies' word changes diff.md shows (diff.html has them all)


def _sides(report: DiffReport) -> str:
    lines = []
    for label, info, other in (("A", report.a, report.b), ("B", report.b, report.a)):
        extra = ", ".join(p for p in (info.rubric and f"rubric {info.rubric}",
                                      info.judge_model and f"judge {info.judge_model}",
                                      side_cases(info.selection, other.selection)) if p)
        lines.append(f"- **{label}**: {md_code(info.run_dir)} ({md_escape(info.eval_name)}, "
                     f"started {md_escape(info.started_at or '?')}{', ' + md_escape(extra) if extra else ''})")
    # A re-grading opens with what it compares (what changed in the grading), before the sides and numbers.
    opening = f"**Re-grading:** {md_escape(report.regrade)}\n\n" if report.regrade else ""
    return opening + "\n".join(lines)


def _case_list(row: DiffRow, changes: list, ids_only: bool = False) -> str:
    shown = ", ".join(md_escape(c.case_id if ids_only else fmt_change(row, c)) for c in changes[:MAX_CASES])
    more = f" … and {len(changes) - MAX_CASES} more (see diff.json)" if len(changes) > MAX_CASES else ""
    return shown + more


def _flip_lines(comparison: Comparison) -> list[str]:
    lines = []
    for row in comparison.rows:
        if row.kind != "check" or not row.changes:
            continue
        down = sorted(drops(row), key=lambda c: c.case_id)  # a flip list reads by case id, both ways
        up = sorted(rises(row), key=lambda c: c.case_id)
        ids_only = row.test == "mcnemar_exact"  # every change is a whole flip: the direction says it all
        lines.append(f"- **{md_escape(row.name)}**: pass→fail {len(down)}"
                     f"{': ' + _case_list(row, down, ids_only) if down else ''}; fail→pass {len(up)}"
                     f"{': ' + _case_list(row, up, ids_only) if up else ''}")
        lines += reason_lines(comparison, row, down) + reason_lines(comparison, row, up)
    return lines


def _score_lines(comparison: Comparison, top: int = 5) -> list[str]:
    lines = []
    for row in comparison.rows:
        if row.kind != "criterion" or not row.changes:
            continue
        lines.append(f"- **{md_escape(row.name)}**: largest drops {_case_list(row, drops(row)[:top]) or 'none'}; "
                     f"largest rises {_case_list(row, rises(row)[:top]) or 'none'}")
        lines += reason_lines(comparison, row, drops(row)) + reason_lines(comparison, row, rises(row))
    return lines


def _reply_change_lines(comparison: Comparison) -> list[str]:
    """Every case whose reply changed with no change in any measure (cut at :data:`MAX_CASES`), then both
    replies of the first few and how they changed, word by word."""
    ids = comparison.reply_changes
    if not ids:
        return []
    more = f" … and {len(ids) - MAX_CASES} more (see diff.json)" if len(ids) > MAX_CASES else ""
    lines = []
    for case_id in ids[:REPLY_EXCERPTS]:
        view = comparison.cases.get(case_id)
        if view is not None:
            changes = _word_changes(view)
            lines.append(f"- **{md_escape(case_id)}**\n  - A: {_excerpt(view.a)}\n  - B: {_excerpt(view.b)}"
                         + (f"\n  - changes: {changes}" if changes else ""))
    legend = [LEGEND, ""] if any("\n  - changes: " in line for line in lines) else []
    return [f"Cases: {', '.join(md_escape(c) for c in ids[:MAX_CASES])}{more}", "", *legend, *lines]


def _word_changes(view: CaseView) -> str:
    """Reply A to reply B as one Markdown line (``~~A only~~ **B only**``); "" when a side has no reply or
    the replies are the same text."""
    sides = (view.a, view.b)
    if any(side is None or side.error or side.reply is None for side in sides):
        return ""
    diff = reply_diff(view.a.reply, view.b.reply)  # diff.html's alignment, its marks widened to whole words
    return to_markdown(coarsened(diff)) if diff is not None else ""


def _changed_case_lines(comparison: Comparison) -> list[str]:
    """The first :data:`WORD_CHANGE_CASES` changed cases with a view, in diff.html's order (most drops
    first, then by id), each with its word changes."""
    drops: dict[str, int] = {}
    for row in comparison.rows:
        for change in row.changes:
            drops[change.case_id] = drops.get(change.case_id, 0) + (change.delta < 0)
    lines = []
    for case_id in sorted((c for c in drops if c in comparison.cases), key=lambda c: (-drops[c], c)):
        changes = _word_changes(comparison.cases[case_id])
        if changes:
            lines.append(f"- **{md_escape(case_id)}**: {changes}")
        if len(lines) == WORD_CHANGE_CASES:
            break
    return [LEGEND, ""] + lines if lines else []


def _excerpt(view) -> str:
    return quote((view and view.reply) or "", EXCERPT_CHARS)  # reply text: its * _ ~ ` [ ] read as typed


def _details(summary: str, lines: list[str]) -> str:
    if not lines:
        return ""
    return f"<details><summary>{summary}</summary>\n\n" + "\n".join(lines) + "\n\n</details>"


def pair_title(comparison: Comparison) -> str:
    return f"{comparison.candidate_a} (A) → {comparison.candidate_b} (B)"


def render_comparison(comparison: Comparison, notes: str = "") -> str:
    """One comparison: heading, headline, setup, ``notes`` (the diff's folded notes, when this is its only
    pair), the rows table, usage, flips and score changes with their reasons."""
    title = f"## {md_escape(pair_title(comparison))}"
    table = md_table(DIFF_HEADER, [diff_row_cells(r) for r in comparison.rows]) if comparison.rows else "No rows."
    family = f"<sub>{fmt_holm_family(comparison)}</sub>" if comparison.rows else ""
    parts = [title, f"**{md_escape(headline(comparison))}**", setup_md(comparison), notes, table, family,
             usage_md(comparison.usage),
             _details("Flips per check (case: A→B), with the failing side's check detail", _flip_lines(comparison)),
             _details("Largest score drops and rises per criterion, with the judge's reasons",
                      _score_lines(comparison)),
             _details(f"How the replies changed, word by word (the first {WORD_CHANGE_CASES} changed cases, most "
                      "drops first)", _changed_case_lines(comparison)),
             _details(f"Replies changed with no change in any measure ({len(comparison.reply_changes)})",
                      _reply_change_lines(comparison))]
    return "\n\n".join(p for p in parts if p)


def min_effect_text(report: DiffReport) -> str:
    """The method note's sentence on ``--min-effect`` (empty without one)."""
    minima = [f"{value * 100:g} pp on pass rates" if scale == "pass_fail" else f"{value:g} points on 1-5 means"
              for scale, value in report.min_effect.items()]
    if not minima:
        return ""
    return (f" Minimum effect: {' and '.join(minima)}: a significant row whose |B − A| is smaller reads "
            f"\"below minimum effect\", not improved or regressed.")


def mde_level_text(report: DiffReport) -> str:
    """The level the MDE figures are computed at: α divided by the pair's Holm family, as Holm tests the
    family's smallest p there (``α = 0.05 / 16 = 0.0031``), not α itself."""
    families = {c.holm_family for c in report.comparisons if c.holm_family}
    if families <= {1}:
        return f"α = {report.alpha:g}"
    if len(families) == 1:
        family = families.pop()
        return (f"α = {report.alpha:g} / {family} = {report.alpha / family:.2g}, the level Holm holds the smallest "
                f"of a pair's {family} p-values to")
    return (f"α = {report.alpha:g} divided by the pair's Holm family (under each table), the level Holm holds "
            "its smallest p-value to")


def holm_method_text(report: DiffReport) -> str:
    """How the p-values in parentheses were adjusted: within each pair, across the rows that could be
    significant; with ``--primary``, across those rows only, the others exploratory."""
    text = ("Holm-adjusted within each compared pair, across that pair's rows that could be significant (Tarone: a "
            "row where too few cases changed to reach significance, whichever way they went, is left out and reads "
            "1; one family per pair, so a candidate's verdicts do not depend on the others compared beside it).")
    if not report.primary:
        return text
    return (f"{text} Primary rows (--primary): {', '.join(report.primary)}; only they form the family. The others "
            f"are exploratory: p, verdict and MDE at α = {report.alpha:g} unadjusted, marked (exploratory), leads "
            f"rather than findings.")


def _method(report: DiffReport) -> str:
    return (f"<sub>Paired over the same cases (several samples of a case count as one cluster). "
            f"Interval: {report.confidence:.0%}, for pass/fail rows the melded interval that agrees with exact "
            f"McNemar; where no case changed, or every case moved by the same amount, Clopper–Pearson's bound on the "
            f"share of cases that could move otherwise unseen; else a bootstrap resampling cases "
            f"({report.n_resamples} resamples, seed {report.seed}). "
            f"p: exact McNemar for pass/fail, Wilcoxon signed-rank for scores (exact up to 200 changed cases); in parentheses "
            f"{md_escape(holm_method_text(report))} Verdicts at "
            f"α = {report.alpha:g} after Holm. MDE: the smallest true difference this n detects with 80% power "
            f"at {mde_level_text(report)}, so \"no detectable change\" is not \"the same\". Cases with a case or judge "
            f"error on either side are left out of that row; with several samples per case, a case is compared on "
            f"its graded samples and left out when a side has none.{min_effect_text(report)}</sub>")


def notes_md(notices: list[str]) -> str:
    """The informational notices folded into one closed block, so the headlines come first."""
    return _details(f"Notes ({len(notices)})", [f"- {md_escape(n)}" for n in notices])


def overview_md(report: DiffReport) -> str:
    """With several pairs: each pair's headline, linked to its section (one diff, one page to scan)."""
    if len(report.comparisons) < 2:
        return ""
    # No in-page links: a pull-request comment or a chat message keeps neither ids nor heading anchors reliably.
    lines = [f"- **{md_escape(pair_title(c))}**: {md_escape(headline(c))}"
             + (f" · setup changed: {md_escape(setup_text(c.setup))}" if c.setup else "") for c in report.comparisons]
    return f"**{len(report.comparisons)} pairs compared** (each its own Holm family)\n\n" + "\n".join(lines)


def render_diff_md(report: DiffReport) -> str:
    """The whole ``diff.md``, cut to fit a pull-request comment: warnings, sides, the pairs' headlines, the
    folded notes (inside the section, after its headline, when there is one pair), each pair, the method."""
    notes = notes_md(report.notices)
    single = len(report.comparisons) == 1
    sections = [render_comparison(c, notes if single else "") for c in report.comparisons]
    parts = [f"# Diff: {md_escape(report.a.eval_name)} (A) vs {md_escape(report.b.eval_name)} (B)",
             render_notices(report.warnings), _sides(report), overview_md(report), "" if single else notes,
             *sections, _method(report)]
    text = "\n\n".join(p for p in parts if p) + "\n"
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 80] + "\n\n… (cut to fit a comment; see diff.html or diff.json)\n"
    return text

"""A pair's setup changes (:mod:`harness.compare.setup`) in diff.md and diff.html.

Under each pair's headline: what was changed between the two sides' responders,
in one line, and the prompt template's unified diff folded below it. Template
text is the user's own and may hold anything: Markdown gets a fence longer than
any backtick run in it, HTML escapes it and marks invisible characters.
"""

from __future__ import annotations

import re

from harness.compare.schema import Comparison
from harness.compare.setup import setup_text
from harness.report.html_text import esc_text
from harness.report.markdown import md_escape

SETUP_CSS = """
.setup { margin: .2rem 0 .6rem; }
pre.prompt-diff { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); padding: .5rem .7rem;
                  border-left: 3px solid var(--accent); font-size: .85rem; }
pre.prompt-diff .add { background: var(--ins-bg); color: var(--fg); }  /* the +/- sign says it too, not colour alone */
pre.prompt-diff .del { background: var(--del-bg); color: var(--fg); }
pre.prompt-diff .hunk { color: var(--muted); }
"""

_BACKTICKS = re.compile(r"`+")


def _summary(comparison: Comparison) -> str:
    diff = comparison.prompt_diff
    cut = " (cut: diff.json holds the lines kept)" if diff is not None and diff.cut else ""
    return f"Prompt template diff (+{diff.added} −{diff.removed} lines){cut}" if diff is not None else ""


def setup_md(comparison: Comparison) -> str:
    """``Setup changed: …`` and the prompt diff in a fenced ``diff`` block; empty when nothing changed."""
    if not comparison.setup:
        return ""
    line = f"Setup changed (A → B): {md_escape(setup_text(comparison.setup))}"
    diff = comparison.prompt_diff
    if diff is None or not diff.lines:
        return line
    body = "\n".join(diff.lines)
    fence = "`" * max(3, 1 + max((len(run) for run in _BACKTICKS.findall(body)), default=0))
    return (f"{line}\n\n<details><summary>{_summary(comparison)}</summary>\n\n{fence}diff\n{body}\n{fence}\n\n"
            "</details>")


def _diff_line(line: str) -> str:
    css = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1])
    text = esc_text(line)
    return f'<span class="{css}">{text}</span>' if css else text


def setup_html(comparison: Comparison) -> str:
    """The setup line and the folded prompt diff; empty when nothing changed."""
    if not comparison.setup:
        return ""
    line = f'<p class="setup"><b>Setup changed (A → B):</b> {esc_text(setup_text(comparison.setup))}</p>'
    diff = comparison.prompt_diff
    if diff is None or not diff.lines:
        return line
    lines = "\n".join(_diff_line(item) for item in diff.lines)
    return (f'{line}<details class="prompt-diff"><summary>{esc_text(_summary(comparison))}</summary>'
            f'<pre class="prompt-diff">{lines}</pre></details>')

"""A pair's usage table (reply length, responder tokens and latency, cost, errors) for diff.md, diff.html and
the terminal: A, B, B − A and the change in percent. Descriptive: no interval, no p-value."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from harness.compare.schema import PairUsage, UsageSide
from harness.report.html_parts import esc
from harness.report.markdown import md_table
from harness.scoring.notices import counted

USAGE_HEADER = ["usage", "A", "B", "B − A", "change"]
UNKNOWN = "unknown"


def _count(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == round(value) else f"{value:.1f}"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if abs(value) < 1 else f"{value:.2f} s"


def _usd(value: float) -> str:
    if value == 0:
        return "$0"
    text = np.format_float_positional(abs(value), precision=2, unique=True, fractional=False, trim="-")
    return f"{'-' if value < 0 else ''}${text}"


def _int(value: float) -> str:
    return f"{value:.0f}"


def _total(side: UsageSide) -> float | None:
    parts = (side.responder_cost_per_case, side.judge_cost_per_case)
    return None if None in parts else sum(parts)  # type: ignore[arg-type]


# (label, how a side's value is read, how a value is written, unknown text when a side has none)
ROWS: list[tuple[str, Callable[[UsageSide], float | None], Callable[[float], str], str]] = [
    ("reply length (words, mean)", lambda s: s.reply_words, _count, "—"),
    ("responder output tokens per reply", lambda s: s.output_tokens, _count, "—"),
    ("responder latency p50", lambda s: s.latency_p50_s, _seconds, "—"),
    ("responder latency p90", lambda s: s.latency_p90_s, _seconds, "—"),
    ("cost per case: responder", lambda s: s.responder_cost_per_case, _usd, UNKNOWN),
    ("cost per case: judge", lambda s: s.judge_cost_per_case, _usd, UNKNOWN),
    ("cost per case: total", _total, _usd, UNKNOWN),
    ("case errors", lambda s: float(s.case_errors), _int, "—"),
    ("judge errors", lambda s: float(s.judge_errors), _int, "—"),
]


def _change(a: float | None, b: float | None) -> str:
    if a is None or b is None or a == 0:
        return "—"
    percent = round((b - a) / a * 100)
    return f"{percent:+d}%".replace("-", "−") if percent else "0%"


def _signed(write: Callable[[float], str], delta: float) -> str:
    return ("+" if delta > 0 else "−" if delta < 0 else "") + write(abs(delta))


def usage_cells(usage: PairUsage) -> list[list[str]]:
    """One row per usage measure: label, A, B, B − A, change in percent (``—`` where undefined)."""
    rows = []
    for label, read, write, unknown in ROWS:
        a, b = read(usage.a), read(usage.b)
        delta = "—" if a is None or b is None else _signed(write, b - a)
        rows.append([label, unknown if a is None else write(a), unknown if b is None else write(b), delta,
                     _change(a, b)])
    return rows


def usage_note(usage: PairUsage) -> str:
    return (f"Descriptive, not tested (no interval or p-value): over the {counted(usage.n_cases, 'case')} both sides hold, "
            "every sample. Latency leaves out cache hits; a cost is unknown when some call of that side has no "
            "price; errors count records (case errors) and criterion verdicts (judge errors).")


def usage_md(usage: PairUsage | None) -> str:
    if usage is None:
        return ""
    return f"**Usage**\n\n{md_table(USAGE_HEADER, usage_cells(usage))}\n\n<sub>{usage_note(usage)}</sub>"


def usage_html(usage: PairUsage | None) -> str:
    if usage is None:
        return ""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in USAGE_HEADER)
    body = "".join("<tr>" + f"<td>{esc(cells[0])}</td>" + "".join(f'<td class="num">{esc(c)}</td>' for c in cells[1:])
                   + "</tr>" for cells in usage_cells(usage))
    return (f'<h3>Usage</h3><div class="scroll"><table class="summary usage"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div><p class="muted">{esc(usage_note(usage))}</p>')


def usage_text(usage: PairUsage) -> str:
    """The terminal's one line: words, output tokens, latency p50 and total cost per case, A → B."""
    parts = []
    for short, (_, read, write, unknown) in zip(("reply words", "output tokens", "latency p50", "cost/case"),
                                                (ROWS[0], ROWS[1], ROWS[2], ROWS[6])):
        a, b = read(usage.a), read(usage.b)
        if (a is None and b is None) or (short == "cost/case" and a == b == 0):  # no call made, nothing to say
            continue
        change = _change(a, b)
        parts.append(f"{short} {unknown if a is None else write(a)} → {unknown if b is None else write(b)}"
                     + (f" ({change})" if change != "—" else ""))
    return "; ".join(parts)

"""Trend charts as inline SVG, for ``report.html`` (no image files, no network, everything escaped).

One small chart per criterion and check: a polyline per candidate with its
interval as a shaded band, and a ``<title>`` on every point for the exact figure.
"""

from __future__ import annotations

from html import escape

from harness.history.trends import Series, by_measure

WIDTH, HEIGHT, PAD = 360, 120, 24
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def trends_section(series: list[Series]) -> str:
    """The report's "Trends over runs" section: a heading, a note, and one SVG per criterion and check."""
    if not series:
        return ""
    charts = "".join(_chart(kind, name, lines) for (kind, name), lines in by_measure(series).items())
    if not charts:  # every measure without a value in any run: no section of empty axes
        return ""
    runs = len(series[0].points)
    last = "The last complete run" if runs == 1 else f"The last {runs} complete runs"
    return (f'<h2>Trends over runs</h2><p class="muted">{last} of this eval in the '
            f'results index; shaded bands are 95% intervals.</p><div class="trends">{charts}</div>')


def _chart(kind: str, name: str, lines: list[Series]) -> str:
    rate = lines[0].scale == "rate"
    low, high = (0.0, 1.0) if rate else (1.0, 5.0)
    count = max(len(s.points) for s in lines)
    def x(i: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * (i / max(count - 1, 1))
    def y(v: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * ((min(max(v, low), high) - low) / (high - low))
    body = [_axis(low, high, rate, y)]
    for index, one in enumerate(lines):
        body.append(_line(one, COLOURS[index % len(COLOURS)], x, y, rate))
    label = escape(f"{name} ({kind}) over {count} runs")
    legend = " · ".join(f'<span style="color:{COLOURS[i % len(COLOURS)]}">■</span> {escape(s.candidate)}'
                        for i, s in enumerate(lines))
    return (f'<figure class="trend"><figcaption>{escape(name)} <span class="muted">({kind})</span> {legend}'
            f'</figcaption><svg role="img" aria-label="{label}" width="{WIDTH}" height="{HEIGHT}" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}">{"".join(body)}</svg></figure>')


def _axis(low: float, high: float, rate: bool, y) -> str:
    fmt = (lambda v: f"{v:.0%}") if rate else (lambda v: f"{v:g}")
    return "".join(f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>'
                   f'<text x="2" y="{y(v) + 3:.1f}" font-size="8">{fmt(v)}</text>' for v in (low, high))


def _line(one: Series, colour: str, x, y, rate: bool) -> str:
    known = [(i, p) for i, p in enumerate(one.points) if p.value is not None]
    if not known:
        return ""
    upper = [f"{x(i):.1f},{y(p.hi if p.hi is not None else p.value):.1f}" for i, p in known]
    lower = [f"{x(i):.1f},{y(p.lo if p.lo is not None else p.value):.1f}" for i, p in reversed(known)]
    band = f'<polygon points="{" ".join(upper + lower)}" fill="{colour}" fill-opacity="0.15"/>'
    path = " ".join(f"{x(i):.1f},{y(p.value):.1f}" for i, p in known)
    line = f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
    fmt = (lambda v: f"{v:.1%}") if rate else (lambda v: f"{v:.2f}")
    dots = "".join(f'<circle cx="{x(i):.1f}" cy="{y(p.value):.1f}" r="2.5" fill="{colour}"><title>'
                   f'{escape(one.candidate)} · {escape(p.run)}: {fmt(p.value)} (n={p.n})</title></circle>'
                   for i, p in known)
    return band + line + dots

"""Trend charts as PNG files (matplotlib, Agg backend: no display needed on a CI runner).

One chart per criterion and check: a line per candidate over runs, the 95%
interval shaded around it. Files are named ``trend-<kind>-<name>.png``.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.history.trends import Series, by_measure

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def chart_filename(kind: str, name: str) -> str:
    return f"trend-{kind}-{_UNSAFE.sub('_', name)}.png"


def write_trend_pngs(series: list[Series], out_dir: str | Path) -> list[Path]:
    """Draw one PNG per criterion and check into ``out_dir``; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: a headless runner has no display
    from matplotlib import pyplot as plt

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for (kind, name), lines in by_measure(series).items():
        figure, axes = plt.subplots(figsize=(7, 3.2), dpi=100)
        try:
            _draw(axes, lines)
            axes.set_title(f"{name} ({kind})")
            path = out_dir / chart_filename(kind, name)
            figure.tight_layout()
            figure.savefig(path, format="png")
            written.append(path)
        finally:
            plt.close(figure)
    return written


def _draw(axes, lines: list[Series]) -> None:
    for one in lines:
        xs = list(range(len(one.points)))
        ys = [p.value if p.value is not None else float("nan") for p in one.points]
        lo = [p.lo if p.lo is not None else y for p, y in zip(one.points, ys)]
        hi = [p.hi if p.hi is not None else y for p, y in zip(one.points, ys)]
        scale = 100.0 if one.scale == "rate" else 1.0
        axes.plot(xs, [y * scale for y in ys], marker="o", label=one.candidate)
        axes.fill_between(xs, [v * scale for v in lo], [v * scale for v in hi], alpha=0.2)
    runs = [p.run for p in lines[0].points]
    axes.set_xticks(range(len(runs)))
    axes.set_xticklabels([_short(r) for r in runs], rotation=30, ha="right", fontsize=7)
    axes.set_ylabel("pass rate %" if lines[0].scale == "rate" else "mean score")
    axes.set_ylim(*((0, 100) if lines[0].scale == "rate" else (1, 5)))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="lower left")


def _short(run: str) -> str:
    return run if len(run) <= 24 else "…" + run[-23:]

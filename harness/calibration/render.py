"""``calibration.md``: the calibration report as a Markdown page."""

from __future__ import annotations

from harness.calibration.schema import Agreement, CalibrationReport, Estimate

_COLUMNS = [("κ pass/fail", "cohen_kappa"), ("weighted κ", "weighted_kappa"), ("α", "krippendorff_alpha"),
            ("ρ", "spearman"), ("agree", "raw_agreement"), ("true-pass", "true_pass_rate"),
            ("false-pass", "false_pass_rate"), ("leniency", "leniency")]


def render_markdown(report: CalibrationReport) -> str:
    """The whole report: header, one table for criteria and one for checks, confusion matrices."""
    lines = [f"# Calibration of {report.run}", "",
             f"Labels: `{report.labels_file}` (sha256 {report.labels_sha256[:12]}). "
             f"Judge: {report.judge_model or 'none'}; rubric {report.rubric or 'none'}. "
             f"Intervals (95%): Wilson over the replies each rate counts for agree, true-pass and false-pass; "
             f"percentile bootstrap over labelled replies for the others ({report.resamples} resamples, "
             f"seed {report.seed}).", ""]
    lines += [f"> {notice}" for notice in report.notices]
    for title, rows in (("Judge criteria", report.criteria), ("Deterministic checks", report.checks)):
        if rows:
            lines += [f"## {title}", "", *_table(rows), "", *_confusions(rows)]
    return "\n".join(lines).rstrip() + "\n"


def _table(rows: list[Agreement]) -> list[str]:
    head = "| target | scale | n | " + " | ".join(label for label, _ in _COLUMNS) + " |"
    out = [head, "|" + "---|" * (3 + len(_COLUMNS))]
    for row in rows:
        cells = [fmt_estimate(getattr(row, key)) for _, key in _COLUMNS]
        out.append(f"| {row.name} | {row.scale} | {row.n} | " + " | ".join(cells) + " |")
    return out


def fmt_estimate(estimate: Estimate | None) -> str:
    """``0.12 [-0.05, 0.30]``; ``n/a`` when undefined, with why when a rater gave one answer to every reply."""
    if estimate is not None and estimate.why:
        return f"n/a: {estimate.why}"
    if estimate is None or estimate.value is None:
        return "n/a"
    if estimate.low is None or estimate.high is None:
        return f"{estimate.value:.2f} (no interval at this n)"
    return f"{estimate.value:.2f} [{estimate.low:.2f}, {estimate.high:.2f}]"


def _confusions(rows: list[Agreement]) -> list[str]:
    out = []
    for row in rows:
        names = [_level(c, row.scale) for c in row.categories]
        out += [f"**{row.name}** (rows: humans, columns: {row.kind}; {row.unmatched} labels unmatched"
                + (f"; humans' own α {fmt_estimate(row.human_alpha)}" if row.human_alpha else "") + ")", "",
                "| | " + " | ".join(names) + " |", "|" + "---|" * (len(names) + 1)]
        out += [f"| {names[i]} | " + " | ".join(str(v) for v in counts) + " |" for i, counts in enumerate(row.confusion)]
        out.append("")
    return out


def _level(value: float, scale: str) -> str:
    if scale == "pass_fail":
        return "pass" if value else "fail"
    return str(int(value))

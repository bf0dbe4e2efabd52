"""The scorecard's "Judge panel" section, in Markdown (``scorecard.md``) and HTML (``report.html``).

Three tables from ``Scorecard.panel``: per criterion the panel's agreement
(Krippendorff's alpha, the share of verdicts all panellists agreed on, how many
voted); per pair of panellists Cohen's kappa on pass/fail and raw agreement;
and each panellist's own mean per criterion, candidates as columns. Both
renderers share the rows, so the two files always show the same numbers.
"""

from __future__ import annotations

from harness.report.html_parts import esc, table
from harness.report.tables import fmt_mean
from harness.scoring.schema import AgreementStat, PanelSummary, Scorecard

DASH = "—"


def fmt_agreement(stat: AgreementStat | None) -> str:
    """``"0.62 [0.41, 0.80]"``; a dash when undefined."""
    if stat is None or stat.value is None:
        return DASH
    ci = f" [{stat.ci.lo:.2f}, {stat.ci.hi:.2f}]" if stat.ci else ""
    return f"{stat.value:.2f}{ci}"


def _votes(votes: dict[str, int], size: int) -> str:
    partial = sum(n for k, n in votes.items() if int(k) < size)
    return f"{partial} with fewer than {size} votes" if partial else f"all {size}"


def intro(panel: PanelSummary, confidence: float) -> str:
    intervals = (f"{confidence:.0%} bootstrap intervals over verdicts ({panel.resamples} resamples)"
                 if panel.resamples else "no intervals (fewer than two verdicts to resample)")
    return (f"Panellists: {', '.join(panel.panellists)} · aggregate: {panel.aggregate or 'unknown'} · "
            f"{intervals}. Scores above are the aggregate; the figures below compare the panellists.")


AGREEMENT_HEADER = ["criterion", "verdicts", "Krippendorff α", "all agree", "voting"]
PAIR_HEADER = ["criterion", "pair", "n", "Cohen κ (pass/fail)", "same score"]


def agreement_rows(panel: PanelSummary) -> list[list[str]]:
    rows = []
    for name, stat in panel.criteria.items():
        alpha = f"{fmt_agreement(stat.krippendorff_alpha)} ({stat.alpha_level})"
        if stat.krippendorff_alpha_interval is not None:
            alpha += f"; interval {fmt_agreement(stat.krippendorff_alpha_interval)}"
        rows.append([name, str(stat.n_units), alpha, fmt_agreement(stat.raw_agreement),
                     _votes(stat.votes, len(panel.panellists))])
    return rows


def pair_rows(panel: PanelSummary) -> list[list[str]]:
    return [[name, f"{pair.a} vs {pair.b}", str(pair.n), fmt_agreement(pair.cohen_kappa),
             fmt_agreement(pair.raw_agreement)]
            for name, stat in panel.criteria.items() for pair in stat.pairs]


def mean_rows(panel: PanelSummary, candidates: list[str]) -> list[list[str]]:
    criteria = list(dict.fromkeys(c for by in panel.means.values() for c in by))
    rows = []
    for criterion in criteria:
        for panellist in panel.panellists:
            cells = []
            for candidate in candidates:
                stat = panel.means.get(candidate, {}).get(criterion, {}).get(panellist)
                cells.append(fmt_mean(stat) if stat is not None else DASH)
            rows.append([f"{criterion} · {panellist}", *cells])
    return rows


def render_panel_md(card: Scorecard) -> str:
    """The Markdown section; empty without a panel."""
    from harness.report.markdown import md_escape, md_table  # late: markdown imports this module's caller

    panel = card.panel
    if panel is None:
        return ""
    candidates = list(card.candidates)
    parts = ["### Judge panel", md_escape(intro(panel, card.confidence)),
             md_table(AGREEMENT_HEADER, agreement_rows(panel))]
    if pair_rows(panel):
        parts.append(md_table(PAIR_HEADER, pair_rows(panel)))
    parts.append(md_table(["panellist's own mean", *candidates], mean_rows(panel, candidates)))
    return "\n\n".join(parts)


def render_panel_html(card: Scorecard) -> str:
    """The HTML section; empty without a panel."""
    panel = card.panel
    if panel is None:
        return ""
    candidates = list(card.candidates)

    def escaped(rows: list[list[str]]) -> list[list[str]]:
        return [[esc(cell) for cell in row] for row in rows]

    return "".join([
        "<h2>Judge panel</h2>", f"<p>{esc(intro(panel, card.confidence))}</p>",
        table(AGREEMENT_HEADER, escaped(agreement_rows(panel))),
        table(PAIR_HEADER, escaped(pair_rows(panel))) if panel.criteria else "",
        table(["panellist's own mean", *candidates], escaped(mean_rows(panel, candidates))),
    ])

"""The end-of-run summary in the terminal: the notices, then one rich table with candidates as columns."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from harness.report.tables import summary_rows
from harness.scoring.schema import Scorecard


def notices_panel(notices: list[str]) -> Panel | None:
    """The run's notices in a yellow warning panel; ``None`` when there are none."""
    if not notices:
        return None
    body = Group(*(Text(notice) for notice in notices))  # Text, not markup: data never styles itself
    return Panel(body, title="[bold yellow]Warning[/]", border_style="yellow")


def summary_table(scorecard: Scorecard) -> Table:
    """The summary rows as a rich table, a dim section line before each group of rows."""
    title = scorecard.run.eval_name if scorecard.run else "Scorecard"
    table = Table(title=Text(title), title_justify="left", show_lines=False)
    table.add_column("measure", no_wrap=True)
    for name in scorecard.candidates:
        # Folded, never cut with an ellipsis: cut names that differ only at the end would all read the same
        # ("v1@openai…" for mock-small and mock-big).
        table.add_column(Text(name, overflow="fold"), justify="right")
    section = None
    for row in summary_rows(scorecard):
        if row.section != section:
            section = row.section
            table.add_row(Text(section, style="bold"), *[""] * len(row.cells), end_section=False)
        table.add_row(Text(row.label), *(Text(cell) for cell in row.cells))
    return table


def print_summary(scorecard: Scorecard, console: Console | None = None) -> None:
    """Print the notices (if any) and the summary table to ``console`` (stdout by default)."""
    console = console or Console()
    panel = notices_panel(scorecard.notices)
    if panel is not None:
        console.print(panel)
    if not scorecard.candidates:
        console.print("No records.")
        return
    console.print(summary_table(scorecard))
    setups = scorecard.run.candidate_setups if scorecard.run else {}
    for name, words in setups.items():  # what each column is: runs differing only in prompt look alike otherwise
        console.print(Text.assemble((name, "bold"), f": {words}"), overflow="fold")

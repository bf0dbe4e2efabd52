"""A progress bar on stderr while a run goes, quiet when asked or when stderr is not a terminal."""

from __future__ import annotations

import sys


class RunProgress:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress = None
        self._task = None

    def __enter__(self) -> "RunProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, todo: int, done: int) -> None:
        if not self.enabled:
            print(f"harness: {todo} case x candidate evaluations to run ({done} already done)", file=sys.stderr)
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("[bold]evaluating"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[errors]} errors"), TimeRemainingColumn(),
                                  console=Console(stderr=True), transient=False)
        self._task = self._progress.add_task("run", total=todo, errors=0)
        self._progress.start()

    def advance(self, record) -> None:
        if self._progress is None:
            return
        errors = self._progress.tasks[0].fields["errors"] + (record.error is not None)
        self._progress.update(self._task, advance=1, errors=errors)

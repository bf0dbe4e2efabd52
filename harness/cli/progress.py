"""Progress on stderr while a run goes: a bar on a terminal, a line per tenth elsewhere (CI logs)."""

from __future__ import annotations

import sys


class RunProgress:
    def __init__(self, enabled: bool = True) -> None:
        self.quiet = not enabled
        self.bar = enabled and sys.stderr.isatty()
        self._total = self._seen = self._errors = 0
        self._progress = None
        self._task = None

    def __enter__(self) -> "RunProgress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, todo: int, done: int, variants: int = 0) -> None:
        self._total = todo
        if self.quiet:
            return
        # With `perturb`, the count holds the variants while the scorecard's rates are over the cases: say so here.
        split = (f": {todo - variants} on cases + {variants} on perturbed variants (rates are over the cases; "
                 "the variants are paired with them under Robustness)" if variants else "")
        print(f"harness: {todo} case x candidate evaluations to run ({done} already done){split}", file=sys.stderr)
        if self.bar:
            self._start_bar(todo)

    def _start_bar(self, todo: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress = Progress(TextColumn("[bold]evaluating"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[errors]} errors"), TimeRemainingColumn(),
                                  console=Console(stderr=True))
        self._task = self._progress.add_task("run", total=todo, errors=0)
        self._progress.start()

    def advance(self, record) -> None:
        self._seen += 1
        self._errors += record.error is not None
        if self._progress is not None:
            self._progress.update(self._task, advance=1, errors=self._errors)
        elif not self.quiet:
            self._log_line()

    def _log_line(self) -> None:
        step = max(1, self._total // 10)
        if self._seen % step == 0 or self._seen == self._total:
            print(f"harness: {self._seen}/{self._total} done, {self._errors} errors", file=sys.stderr)

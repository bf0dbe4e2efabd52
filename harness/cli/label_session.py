"""``harness label``'s terminal session: each question shown with its case, the answer read and saved at once;
and the label file opened and read with errors naming ``--labels``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

HELP = ("Type a label and Enter: 1-5 on a 1-5 criterion, p or f on pass/fail (a note may follow: "
        "'2 names nothing'); s skips, q stops. Each label is saved as soon as it is typed; run the same "
        "command again to go on.")


def open_labels(writer) -> None:
    from harness.errors import ConfigError

    try:
        writer.open()
    except IsADirectoryError:
        raise ConfigError(f"{writer.path} is a directory, not a label file", field="--labels") from None
    except OSError as exc:
        raise ConfigError(f"cannot write to {writer.path} ({exc.strerror or exc})", field="--labels") from None


def done_keys(path: Path) -> set[tuple]:
    from harness.calibration.labelling import done_keys as read_done
    from harness.errors import ConfigError

    try:
        return read_done(path)
    except OSError as exc:
        raise ConfigError(f"cannot read {path} ({exc.strerror or exc})", field="--labels") from None


class Session:
    def __init__(self, args: argparse.Namespace, items: list, cases: dict, stdin: IO[str], writer) -> None:
        self.args, self.items, self.cases, self.stdin, self.writer = args, items, cases, stdin, writer
        self.labelled = self.skipped = 0

    def run(self) -> None:
        print(HELP)
        try:
            for number, item in enumerate(self.items, start=1):
                if self.args.limit is not None and self.labelled >= self.args.limit:
                    return
                self._show(number, item)
                if not self._ask(item):
                    return
        except KeyboardInterrupt:
            print()

    def _show(self, number: int, item) -> None:
        from harness.calibration.labelling import machine_verdict
        from harness.report.show import reply_lines, safe, thread_lines, wrapped

        record, target = item.record, item.target
        of_limit = f" · label {self.labelled + 1} of --limit {self.args.limit}" if self.args.limit else ""
        print(f"\n[{number}/{len(self.items)}] {record.case_id} · {record.candidate} · {target.kind} {target.name} "
              f"({'p/f' if target.scale == 'pass_fail' else '1-5'}){of_limit}")
        lines = thread_lines(self.cases.get(record.case_id)) + reply_lines(record)
        if target.question:
            lines += wrapped("question: ", target.question)
        for level, text in target.levels:
            lines += wrapped(f"  {level}: ", text)
        if self.args.show_verdicts:
            value, _ = machine_verdict(item)
            lines.append("run's verdict: " + ("none" if value is None else
                                              ("pass" if value else "fail") if target.scale == "pass_fail"
                                              else f"{value:g}"))
        print("\n".join(safe(line) for line in lines))

    def _ask(self, item) -> bool:
        """Ask until a usable answer; False to stop the session."""
        from harness.calibration.labelling import label_for, parse_answer

        while True:
            sys.stdout.write("label> ")
            sys.stdout.flush()
            line = self.stdin.readline()
            if not line:  # end of input: stop, as q does
                print()
                return False
            answer = parse_answer(line, item.target.scale)
            if isinstance(answer, str):
                print(answer)
                continue
            if answer.action == "help":
                print(HELP)
                continue
            if answer.action == "quit":
                return False
            if answer.action == "skip":
                self.skipped += 1
                return True
            self.writer.write(label_for(item, answer, self.args.labeller, self.args.by_candidate))
            self.labelled += 1
            return True

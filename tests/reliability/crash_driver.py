"""Run ``harness`` and SIGKILL it at a chosen point: ``python -m tests.reliability.crash_driver POINT N ARGS...``.

POINT is where the process dies, the N-th time it gets there:
    record     half-way through writing the N-th record line (a torn last line)
    replace    just before the N-th atomic rename of a file named by $CRASH_FILE
               (scorecard.json, manifest.json, ...), its temporary file fully written
The kill is a real ``kill -9`` of the process by itself: no cleanup, no flush, no finally.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from harness.cli.main import main
from harness.records import store


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def crash_on_record(n: int) -> None:
    original = store.RecordWriter.write
    seen = [0]

    def write(self, record) -> None:
        seen[0] += 1
        if seen[0] < n:
            return original(self, record)
        line = record.model_dump_json() + "\n"
        self._handle.write(line[: len(line) // 2])
        self._handle.flush()
        die()

    store.RecordWriter.write = write


def crash_on_replace(n: int, name: str) -> None:
    original = os.replace
    seen = [0]

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == name:
            seen[0] += 1
            if seen[0] >= n:
                die()
        return original(src, dst, *args, **kwargs)

    os.replace = replace


if __name__ == "__main__":
    point, count, *argv = sys.argv[1:]
    if point == "record":
        crash_on_record(int(count))
    else:
        crash_on_replace(int(count), os.environ["CRASH_FILE"])
    sys.exit(main(argv))
